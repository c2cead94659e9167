"""Digression words said of something else: "it might come back later" is the leukemia, not the
person leaving. Read as "later", it asked "do you want to stop here?" after a plain "no"."""

from __future__ import annotations

import pytest

from bot.trial import TRIAL
from bot.understanding.interpret import Message, OpenQuestion, interpret


def read(text, slot="relapse_since_car_t", lang="en"):
    return interpret(Message(text, language=lang), OpenQuestion.of(TRIAL, slot), TRIAL, {})


@pytest.mark.parametrize("text", [
    "no, but the doctors say it might come back later",
    "no. it could come back later though",
    "not yet, they said it may come back later",
])
def test_the_illness_coming_back_later_is_an_answer_not_a_pause(text):
    reading = read(text)
    assert reading.answer == "no"
    assert "later" not in reading.digressions


@pytest.mark.parametrize("text", ["i'll come back later", "no. can I come back later?",
                                  "no, I have to come back later to finish"])
def test_the_person_coming_back_later_is_still_a_pause(text):
    assert "later" in read(text).digressions


@pytest.mark.parametrize("lang,text", [
    ("en", "yes but first I need to fix an answer"),  # was a yes: the lead went with the wrong answer
    ("en", "I'd like to update one of my answers"),
    ("en", "can I go back to an earlier question?"),
    ("es", "sí, pero antes quiero corregir una respuesta"),
    ("es", "quisiera modificar algo que puse"),
])
def test_a_change_said_with_any_verb_and_object_opens_the_change_before_the_consent(lang, text):
    reading = interpret(Message(text, language=lang), OpenQuestion("contact_consent", "tri"), TRIAL,
                        {"prescreen_consent": "yes", "respondent": "guardian", "patient_age": 7.0})
    assert reading.leaving == "change"
    assert reading.answer is None


@pytest.mark.parametrize("lang,text", [
    ("en", "yes, and there was a change in his response to treatment"),
    ("es", "sí, y hubo un cambio en su respuesta al tratamiento"),
])
def test_a_change_in_the_response_to_treatment_is_no_change_request(lang, text):
    reading = read(text, "had_car_t", lang)
    assert reading.answer == "yes" and "change" not in reading.digressions
