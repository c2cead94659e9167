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


def free(text, slot, kind, lang):
    return interpret(Message(text, language=lang), OpenQuestion(slot, kind), TRIAL, {})


@pytest.mark.parametrize("lang,slot,kind,text,leaving", [
    ("en", "contact_details", "contact", "actually wipe everything i gave you", "delete"),
    ("zh", "contact_details", "contact", "我不想参加了，把刚才填的都删掉", "delete"),
    ("es", "contact_time", "text", "ya no quiero seguir con esto", "stop"),
    ("en", "contact_time", "text", "ok delete everything please", "delete"),
])
def test_a_sentence_asking_to_delete_or_stop_at_a_contact_question_is_not_stored_as_the_answer(lang, slot, kind, text, leaving):
    reading = free(text, slot, kind, lang)
    assert reading.answer is None
    assert reading.leaving == leaving  # and the form asks before anything is lost


@pytest.mark.parametrize("lang,slot,kind,text", [
    ("en", "contact_time", "text", "mornings before I go back to work"),
    ("en", "contact_time", "text", "later in the afternoon is best"),
    ("en", "contact_time", "text", "any time, but not after I stop work at 6"),
    ("en", "contact_name", "text", "Stop Smith"),
    ("en", "contact_details", "contact", "call me at 612 345 678, or stop if not needed"),
    ("es", "contact_time", "text", "por la tarde, después de las 5"),
])
def test_names_times_and_numbers_with_such_words_are_kept_as_typed(lang, slot, kind, text):
    assert free(text, slot, kind, lang).answer == text


@pytest.mark.parametrize("lang,text,answer", [
    ("en", "yes it came back again and i just dont know how much more he can take", "yes"),
    ("es", "si volvio y no se que mas hacer, estoy destrozada", "yes"),
    ("es", "si recayo otra vez, ya no se que hacer, estoy agotada", "yes"),
    ("zh", "复发了，我真的不知道该怎么办了", "yes"),
    ("en", "i dont know, i'm so scared", "unsure"),  # a "not sure" of its own stays one
    ("es", "no se, tengo mucho miedo", "unsure"),
    ("zh", "不知道 好害怕", "unsure"),
])
def test_an_answer_beside_fear_is_kept_and_the_fear_answered(lang, text, answer):
    reading = read(text, "relapse_since_car_t", lang)
    assert reading.answer == answer
    assert "distress" in reading.digressions


@pytest.mark.parametrize("lang,text", [("es", "¿hablas español?"), ("en", "do you speak english?"),
                                       ("zh", "你会说中文吗")])
async def test_asking_whether_the_assistant_speaks_the_language_in_use_is_answered_not_missed(lang, text):
    from tests.pure.test_forms import run_form, tracker_for

    slots = {"prescreen_consent": "yes", "respondent": "patient", "patient_age": 30.0}
    sets, said = await run_form(tracker_for("patient_age", text, slots={**slots, "patient_age": None}, language=lang))
    assert "utter_language_switched" in said  # "De acuerdo, seguimos en español..."
    assert not any(r and r.startswith("utter_not_understood") for r in said)
    assert sets["requested_slot"] == "patient_age"
