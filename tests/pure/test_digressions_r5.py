"""Digressions while a question is open, round 5 (no Rasa): what a person would notice.

A language asked for with a verb ("show it in Spanish", "escríbeme en chino", "换成英文") switches
the language; a clause that only tells what someone speaks ("I speak Spanish at home", "我老公只
会说英语") does not. Each table is in all three languages."""

from __future__ import annotations

import pytest

from bot.trial import TRIAL
from bot.understanding.interpret import Message, OpenQuestion, interpret
from bot.understanding.language import decide

ANSWERED = TRIAL.passing_answers({"prescreen_consent": "yes"})


def read(text, slot, lang, buttons=None):
    answered = {k: v for k, v in ANSWERED.items() if k != slot}
    return interpret(Message(text, language=lang), OpenQuestion.of(TRIAL, slot, buttons), TRIAL, answered)


# --- 1. a language asked for with a verb switches; telling what someone speaks does not ---------

LANGUAGE_REQUESTS = [
    ("show it in Spanish please my husband needs to read", "had_car_t", "en", "es"),
    ("can you write in Chinese", "ecog", "en", "zh"),
    ("put it in spanish", "dic", "en", "es"),
    ("my wife only reads chinese can you show it in chinese", "ecog", "en", "zh"),
    ("escríbeme en chino", "ecog", "es", "zh"),
    ("ponlo en inglés porfa", "had_car_t", "es", "en"),
    ("vale, sigamos en ingles mejor", "sex", "es", "en"),
    ("mi marido solo lee ingles, le puedes escribir en ingles a partir de aqui", "patient_age", "es", "en"),
    ("mi hijo habla mejor ingles, se puede cambiar el idioma", "respondent", "es", "en"),
    ("能不能用西班牙语", "ecog", "zh", "es"),
    ("换成英文吧", "had_car_t", "zh", "en"),
    ("我老公只会说英语 你用英文问吧", "sex", "zh", "en"),
    ("my chinese is not good, english ok?", "respondent", "zh", "en"),
]


@pytest.mark.parametrize("text, slot, lang, wanted", LANGUAGE_REQUESTS)
def test_a_language_asked_for_with_a_verb_switches(text, slot, lang, wanted):
    reading = read(text, slot, lang)
    assert "language" in reading.digressions
    assert reading.language == wanted
    assert decide(text, metadata_language=lang, previous_metadata_language=lang, current=lang,
                  first_message=False).language == wanted


TELLING = [
    ("I speak Spanish at home", "ecog", "en"),
    ("we speak chinese at home, he understands english fine", "ecog", "en"),
    ("his grandma only speaks spanish", "respondent", "en"),
    ("en casa hablamos chino", "ecog", "es"),
    ("mi marido habla inglés", "respondent", "es"),
    ("mi hijo no habla ingles, se puede cambiar el idioma", "respondent", "es"),
    ("我们在家说西班牙语", "ecog", "zh"),
    ("我英语不好", "ecog", "zh"),
    ("我孩子只会说英语", "respondent", "zh"),
]


@pytest.mark.parametrize("text, slot, lang", TELLING)
def test_telling_what_someone_speaks_does_not_switch(text, slot, lang):
    reading = read(text, slot, lang)
    assert reading.language is None
    assert "language" not in reading.digressions
    assert decide(text, metadata_language=lang, previous_metadata_language=lang, current=lang,
                  first_message=False).language == lang


@pytest.mark.parametrize("text, slot, lang, answer, wanted", [
    ("im the dad. can I speak Spanish", "respondent", "en", "guardian", "es"),
    ("no. I can only speak Chinese", "had_car_t", "en", "no", "zh"),
    ("没有 跟我说英文吧", "had_car_t", "zh", "no", "en"),
    ("no, ¿se puede en inglés? mi esposo no habla español", "had_car_t", "es", "no", "en"),
])
def test_asking_to_speak_a_language_is_a_request_beside_the_answer(text, slot, lang, answer, wanted):
    reading = read(text, slot, lang)
    assert reading.language == wanted
    assert "language" in reading.digressions
    assert reading.answer == answer
