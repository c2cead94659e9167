"""Round 6: what a question asks is no answer."""

import pytest

from bot.trial import TRIAL
from bot.understanding.interpret import Message, OpenQuestion, interpret


def _read(slot, text, lang):
    answered = TRIAL.passing_answers({"prescreen_consent": "yes"})
    answered.pop(slot, None)
    return interpret(Message(text, language=lang), OpenQuestion.of(TRIAL, slot), TRIAL, answered)


@pytest.mark.parametrize("slot,text,lang", [
    ("brain_pressure_or_consciousness", "what if he had a seizure last year?", "en"),
    ("severe_mental_disorder", "what if she had one a while back?", "en"),
    ("brain_pressure_or_consciousness", "¿y si tuvo una convulsión el año pasado?", "es"),
    ("brain_pressure_or_consciousness", "如果去年抽过一次算吗？", "zh"),
])
def test_a_question_about_a_past_condition_stores_no_answer(slot, text, lang):
    # It used to be read as "in the past, so no" (or "not sure") and stored: the person only asked.
    assert _read(slot, text, lang).answer is None


@pytest.mark.parametrize("slot,text,lang,answer", [
    ("brain_pressure_or_consciousness", "had a seizure years ago, none since", "en", "no"),
    ("brain_pressure_or_consciousness", "tuvo una convulsion hace años, nada desde entonces", "es", "no"),
    ("brain_pressure_or_consciousness", "好几年前抽过一次，之后再没有", "zh", "no"),
])
def test_the_same_history_said_is_still_read(slot, text, lang, answer):
    assert _read(slot, text, lang).answer == answer
