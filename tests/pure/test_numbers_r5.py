"""Round 5: ages, durations, sex, activity and who is answering, read as the interpretation step
reads them (the answer that would be stored). Each case is a class of reading that gave a wrong
value or none: a time short of an age, a time before a date, an age not reached yet, a Chinese
holiday that looks like a number, two months named in reverse order, relation words for the
patient's sex, daily-life descriptions of activity. Birth dates are built from today's date, so
the tests hold on any day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.trial import TRIAL
from bot.understanding.interpret import Message, OpenQuestion, interpret
from bot.understanding.matching import UNIT_MONTHS
from bot.understanding.parsing import parse_duration_months

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"],
}

WEEK, DAY = UNIT_MONTHS["weeks"], UNIT_MONTHS["days"]  # in months: 7 and 1 of 30.4375 days


def reading(text, slot, lang, answered=None):
    if answered is None:  # the other questions answered as by someone who qualifies
        answered = TRIAL.passing_answers({"prescreen_consent": "yes"})
        answered.pop(slot, None)
    got = interpret(Message(text, None, 0.0, {}, lang), OpenQuestion.of(TRIAL, slot), TRIAL, answered)
    assert not got.leaving and got.emergency is None
    return got


def understood(text, slot, lang):
    return reading(text, slot, lang).answer


# --- ages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, age", [
    # a time short of an age is that age less the time, never the time itself (0.06 years
    # would exclude a five-year-old as under 1)
    ("she's 3 weeks off her 6th birthday", "en", 6 - 3 * WEEK / 12),
    ("2 months short of 7", "en", 6.8333),
    ("a month away from 8", "en", 7.9167),
    ("le faltan dos semanas para los 6", "es", 6 - 2 * WEEK / 12),
    ("le faltan 2 meses para cumplir 7 años", "es", 6.8333),
    ("差两个月满七岁", "zh", 6.8333),
])
def test_a_time_short_of_an_age_is_that_age_less_the_time(text, lang, age):
    assert understood(text, "patient_age", lang) == pytest.approx(age, abs=0.001)


def test_a_time_before_a_date_is_no_age():
    # the weeks are a distance to Christmas; the year is the birth year (7 on any day of 2026)
    got = reading("he was born 2 weeks before christmas 2018", "patient_age", "en")
    assert got.answer is None or got.answer >= 6
    assert reading("born 3 weeks before her due date", "patient_age", "en").answer is None


@pytest.mark.parametrize("text, lang, age", [
    ("马上九岁了", "zh", 8.0), ("马上就九岁了", "zh", 8.0),
    ("va para 8", "es", 7.0), ("va para los 8 años", "es", 7.0),
    ("going on 8", "en", 7.0),
])
def test_an_age_about_to_be_reached_is_one_less(text, lang, age):
    assert understood(text, "patient_age", lang) == age


@pytest.mark.parametrize("text, age", [
    ("九岁，马上上四年级", 9.0),  # 马上 before another word is no age to come
    ("七岁零五个月", 7.4167),  # 零五 is five, not a holiday
    ("零五年生的", None),  # a year of birth, read by the birth-date reader
])
def test_chinese_soon_and_zero_keep_their_meaning(text, age):
    got = understood(text, "patient_age", "zh")
    if age is None:
        assert got is not None and got >= 20
    else:
        assert got == pytest.approx(age, abs=0.001)


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _said(born: date, lang: str) -> str:
    if lang == "zh":
        return f"{born.year}年{born.month}月{born.day}号出生"
    if lang == "es":
        return f"nació el {born.day} de {MONTHS['es'][born.month - 1]} de {born.year}"
    return f"born {born.day} {MONTHS['en'][born.month - 1]} {born.year}"


@pytest.mark.parametrize("lang", ["en", "es", "zh"])
def test_a_birth_date_gives_completed_years_on_any_day(lang):
    today = date.today()
    birthday_today = _years_ago(today, 8)
    assert understood(_said(birthday_today, lang), "patient_age", lang) == 8.0
    tomorrow = birthday_today + timedelta(days=1)
    if tomorrow.year == birthday_today.year:  # not across a new year (then it is 7 or 8)
        assert understood(_said(tomorrow, lang), "patient_age", lang) == 7.0


# --- durations -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang", [
    ("春节前回输的，五一前后就没了", "zh"),  # 五一 is May Day, not 51 months
    ("六一之前就没了", "zh"),
])
def test_a_chinese_holiday_is_no_number(text, lang):
    assert understood(text, "car_t_loss_months", lang) != 51.0
    assert understood(text, "car_t_loss_months", lang) != 61.0


@pytest.mark.parametrize("text, lang, months", [
    # the month said with an end word is the later one: April to July, not July to next April
    ("lost them in july, his infusion was in april", "en", 3.0),
    ("en julio ya no estaban, la infusión fue en abril", "es", 3.0),
    ("7月就没了，回输是4月", "zh", 3.0),
    # in the usual order nothing changes
    ("infused in january, gone by may", "en", 4.0),
    ("se la pusieron en noviembre y en febrero ya no había", "es", 3.0),
    ("三月底回输，七月初复查就没了", "zh", 4.0),
])
def test_two_months_in_reverse_order_give_the_span_between(text, lang, months):
    assert understood(text, "car_t_loss_months", lang) == months


# --- sex -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, sex", [
    ("my nephew", "en", "male"), ("granddaughter", "en", "female"), ("mail", "en", "male"),
    ("mi nieto", "es", "male"), ("mi sobrina", "es", "female"), ("mi princesa", "es", "female"),
    ("侄子", "zh", "male"), ("外甥女", "zh", "female"),
    # the speaker's own relation says nothing of the patient: the pronoun decides
    ("I'm his daughter", "en", "male"), ("I'm his niece, he's my uncle", "en", "male"),
    ("我是他女儿", "zh", "male"), ("我是她儿子", "zh", "female"),
    ("she is my daughter", "en", "female"),
])
def test_relation_words_give_the_patients_sex(text, lang, sex):
    assert understood(text, "sex", lang) == sex


def test_the_speakers_own_relation_is_not_taken_for_the_patient():
    # "soy su hija": su could be his or her; asked again rather than "female"
    assert understood("soy su hija", "sex", "es") is None


# --- activity --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, level", [
    ("只能在床上躺着", "zh", 4.0),
    ("跟同龄人差不多，就是体育课请假了", "zh", 1.0),
    ("depende totalmente de nosotros, no sale de la cama", "es", 4.0),
    ("estoy de baja, me cuido solo, descanso después de comer", "es", 2.0),
    ("can't feed herself, in bed all day", "en", 4.0),
])
def test_daily_life_gives_the_activity_level(text, lang, level):
    assert understood(text, "ecog", lang) == level


def test_it_depends_is_still_unsure():
    assert understood("depende del día", "ecog", "es") == "unsure"


# --- who is answering --------------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang", [
    ("I'm his mom, he's 7", "en"), ("me, the mum", "en"), ("his dad here", "en"),
    ("我是孩子的妈妈，孩子7岁", "zh"), ("soy la madre, el niño tiene 7", "es"),
    ("soy la tía, su tutora legal", "es"),
])
def test_a_parent_naming_the_child_s_age_is_the_guardian(text, lang):
    # who is answering is asked first: the age is not answered yet, so the 7 changes nothing
    got = reading(text, "respondent", lang, answered={"prescreen_consent": "yes"})
    assert got.answer == "guardian"
    assert got.topic_value is None and not got.digressions  # the 7 is taken as nothing else


@pytest.mark.parametrize("text, lang, within", [
    ("26 weeks", "en", True), ("twenty-six weeks after the infusion", "en", True), ("26周", "zh", True),
    ("26 semanas", "es", True), ("27 weeks", "en", False), ("182 days", "en", True), ("190 days", "en", False),
])
def test_weeks_and_days_are_real_weeks_and_days_at_the_six_month_limit(text, lang, within):
    """A week is 7 of a month's 30.44 days, not a quarter month: 26 weeks is 5.98 months, inside
    I2's "within 6 months", where a quarter month made it 6.5 and excluded the patient."""
    months = parse_duration_months(text, lang)
    assert months is not None and (months <= 6) == within, months
