"""Coming back to a pre-screening that is under way: the page's "Continue" after a closed tab
(/greet), "let's begin", "I'm back". The person hears "welcome back" and the same question; the
words are never an unreadable reply (three of those note "not sure"), and an "ok" beside them
is no answer to a trial question, though it is a yes to "shall we start?"."""

from __future__ import annotations

import pytest

from bot.trial import TRIAL
from bot.trial.model import YES
from bot.understanding.interpret import Message, OpenQuestion, interpret


def read(text, slot, lang, payload=None):
    return interpret(Message(payload or text, None, 0.0, {}, lang), OpenQuestion.of(TRIAL, slot), TRIAL, {})


@pytest.mark.parametrize("payload", ["/greet", "/start_screening", "/resume_conversation"])
@pytest.mark.parametrize("slot", ["patient_age", "had_car_t", "ecog", "respondent"])
def test_an_opening_button_mid_screening_is_a_welcome_back(payload, slot):
    reading = read(payload, slot, "en")
    assert reading.answer is None and reading.digressions == ("resume",)


@pytest.mark.parametrize("text, lang", [
    ("let's begin", "en"), ("ok im back", "en"), ("carry on", "en"), ("ok let's go", "en"),
    ("开始吧", "zh"), ("我回来了", "zh"), ("好，开始吧", "zh"),
    ("empecemos", "es"), ("ya volvi", "es"), ("vale, empecemos", "es"),
])
@pytest.mark.parametrize("slot", ["patient_age", "relapsed_or_refractory", "severe_allergies"])
def test_start_words_at_a_question_answer_nothing_and_carry_on(text, lang, slot):
    reading = read(text, slot, lang)
    assert reading.answer is None, reading
    assert reading.digressions == ("resume",), reading


@pytest.mark.parametrize("text, lang", [("ok let's begin", "en"), ("开始吧", "zh"), ("vale, empecemos", "es")])
def test_start_words_agree_to_start(text, lang):
    assert read(text, "prescreen_consent", lang).answer == YES


@pytest.mark.parametrize("text, lang, answer", [
    ("yes, it came back, let's continue", "en", YES), ("42, let's go on", "en", 42.0),
    ("can we start later?", "en", None),
])
def test_an_answer_beside_start_words_is_kept_and_a_question_is_no_welcome(text, lang, answer):
    slot = "patient_age" if isinstance(answer, float) else "relapsed_or_refractory"
    reading = read(text, slot, lang)
    assert reading.answer == answer
    assert "resume" not in reading.digressions


@pytest.mark.parametrize("text, lang", [
    ("sadly yes，又回来了", "zh"), ("又复发了，回来了", "zh"), ("sí, otra vez", "es"), ("yes it's back again", "en"),
])
def test_came_back_at_the_relapse_question_is_the_answer_not_a_welcome(text, lang):
    """"回来了" and "otra vez" are also words of coming back to the screening: said with more, at
    "has the leukemia come back?", they are the answer."""
    reading = read(text, "relapsed_or_refractory", lang)
    assert reading.answer == YES and "resume" not in reading.digressions


def test_a_longer_message_holding_start_words_is_no_welcome():
    reading = read("地塞米松那个月血糖飙到十几 撤药以后就降回来了", "uncontrolled_diabetes", "zh")
    assert "resume" not in reading.digressions

