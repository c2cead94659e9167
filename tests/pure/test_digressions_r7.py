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
