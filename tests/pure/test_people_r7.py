"""Round 7: activity level, sex and age, read as the interpretation step reads them. Each case is
a class of phrasing (a negation after a bridging word, a range that 'basically' keeps, a day then
and a day now, an answer said as the whole message, a fraction after a number, a numeric month
and year, a birth cue of several words), in the languages it was found in."""

from __future__ import annotations

from datetime import date

import pytest

from bot.trial import TRIAL
from bot.understanding.interpret import Message, OpenQuestion, interpret
from bot.understanding.numbers import parse_birth_age


def understood(text, slot, lang):
    reading = interpret(Message(text, None, 0.0, {}, lang), OpenQuestion.of(TRIAL, slot), TRIAL, {})
    assert not reading.leaving and reading.emergency is None
    return reading.answer


# --- activity level ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, level", [
    # a negation right after the ability ("体育课不上"), also across 也 / 都 ("体育课也不上了")
    ("上学没问题但体育课不上", "zh", 1.0),
    ("能上学，体育课也不上了", "zh", 1.0),
    # "basically" before a range keeps the range (3-4 stays 3-4, so it is 3, not asked again)
    ("坐轮椅，基本在床上或者椅子上", "zh", 3.0),
    # Chinese light work and playing hard
    ("轻松的活能干，重的不行", "zh", 1.0),
    ("精神头很好，天天出去疯玩", "zh", 0.0),
    # staying home is not being at school or work
    ("se queda en casa, come y se viste solo, casi no se acuesta de día", "es", 2.0),
    # a day then and a day now: today's is the level
    ("was bedridden after the transplant, now he's back at school and playing", "en", 0.0),
    ("之前天天躺着，现在能上学了，体育课不上", "zh", 1.0),
    ("antes estaba en cama todo el dia, ahora va a la escuela pero no hace deporte", "es", 1.0),
    # too young for school (or on holiday) is no limit
    ("she's 2 so no school obviously, but she's playing and running around like normal", "en", 0.0),
    ("放暑假了，不用上学，在家天天跑跑跳跳", "zh", 0.0),
    ("she's on summer holidays so no school, runs around all day", "en", 0.0),
    ("pretty much bedbound since the last round, needs feeding", "en", 4.0),
    # read lower before: "normal" compared and found wanting, a full level said negated,
    # "occasionally" out of bed, walking held up
    ("跟正常孩子不一样，老是没劲", "zh", 1.0),
    ("没法正常活动，一天躺大半天", "zh", 3.0),
    ("偶尔下床走走", "zh", 3.0),
    ("扶着能走几步", "zh", 3.0),
])
def test_activity_r7(text, lang, level):
    assert understood(text, "ecog", lang) == level


def test_now_without_a_past_changes_nothing():
    # no past word: every phrase counts, and the worst wins as before
    assert understood("now she is in bed most of the day and needs help to wash", "ecog", "en") == 3.0


# --- sex ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, sex", [
    ("其它", "zh", "other"),  # the whole message: 'other', though 其它 hides a 他
    ("跨性别", "zh", "other"),
    ("间性", "zh", "other"),
    ("俺家是个带把的", "zh", "male"),
    ("是boy", "zh", "male"),  # code-switching
    ("小帅哥", "zh", "male"),
])
def test_sex_r7(text, lang, sex):
    assert understood(text, "sex", lang) == sex


@pytest.mark.parametrize("text, lang, sex", [
    ("他其它都好", "zh", "male"),  # 其它 inside a sentence is still no answer of its own
    ("中性粒细胞低，他是男孩", "zh", "male"),  # neutrophils are no sex
])
def test_sex_r7_inside_a_sentence(text, lang, sex):
    assert understood(text, "sex", lang) == sex


# --- age ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, age", [
    ("six and three quarters", "en", 6.75),
    ("ten and a quarter", "en", 10.25),
    ("tiene 7 y tres cuartos", "es", 7.75),
    ("tiene onse años", "es", 11.0),  # seseo spellings
])
def test_age_r7(text, lang, age):
    assert understood(text, "patient_age", lang) == pytest.approx(age, abs=0.01)


@pytest.mark.parametrize("text, lang, years", [
    ("born 3/2019", "en", (7, 7)),  # a month and a year in figures
    ("born 03/2019", "en", (7, 7)),
    ("born 3/3/15", "en", (11, 11)),  # a two-digit year
    ("bday is march 3 2015", "en", (11, 11)),
    ("es de octubre de 2014", "es", (12, 12)),
    ("cumpleaños 5 de mayo 2015", "es", (11, 11)),
])
def test_birth_dates_r7(text, lang, years):
    ages = parse_birth_age(text, lang, today=date(2026, 12, 2))
    assert ages is not None and (int(ages.low), int(ages.high)) == years


@pytest.mark.parametrize("text, lang", [
    ("she'll be 12 in a month", "en"),  # was read as a month old
    ("cumple 12 en un mes", "es"),
])
def test_time_from_now_is_no_age(text, lang):
    assert understood(text, "patient_age", lang) != pytest.approx(1 / 12, abs=0.01)
    assert understood(text, "patient_age", lang) in (None, 11.0)


@pytest.mark.parametrize("text, level", [
    ("duerme casi todo el dia", 3.0),
    ("esta en silla de ruedas", 3.0),
    ("lo tenemos que cargar al baño", 3.0),
])
def test_activity_es_r7(text, level):
    assert understood(text, "ecog", "es") == level
