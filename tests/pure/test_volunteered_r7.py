"""Answers said before they are asked, and numbers taken back in the same message.

"I'm his mom, he's 7" answers "who is answering?" and the age: asking the age next tells a tired
parent they were not listened to. "5, no wait, 6" is 6. Both only when the message says so plainly;
anything that would exclude is asked as usual, so it can be said back.
"""

from __future__ import annotations

import pytest

from bot.trial import TRIAL
from bot.understanding.interpret import Message, OpenQuestion, interpret
from tests.pure.test_forms import run_form, tracker_for


def read(text, slot, lang, answered=None):
    return interpret(Message(text, language=lang), OpenQuestion.of(TRIAL, slot), TRIAL, answered or {})


CONSENTED = {"prescreen_consent": "yes"}


@pytest.mark.parametrize("lang,text,who,age", [
    ("en", "I'm his mom, he's 7", "guardian", 7.0),
    ("en", "me, the mum. he is 7", "guardian", 7.0),
    ("en", "his mum, he is 7 and a half", "guardian", 7.5),
    ("en", "it's me, I'm 22", "patient", 22.0),
    ("en", "I'm her mom, she's 7 and her sister is 10", "guardian", 7.0),  # the sister's age loses
    ("zh", "我是他妈妈，孩子7岁", "guardian", 7.0),
    ("zh", "我是孩子妈妈 孩子八岁了", "guardian", 8.0),
    ("zh", "是我，我今年22", "patient", 22.0),
    ("zh", "我是他妈妈，孩子今年7岁", "guardian", 7.0),
    ("es", "soy la mama, tiene 7 años", "guardian", 7.0),
    ("es", "la mamá, mi hija cumplió 9", "guardian", 9.0),
    ("es", "soy yo, tengo 19", "patient", 19.0),
])
def test_an_age_given_with_who_is_answering_is_kept_too(lang, text, who, age):
    reading = read(text, "respondent", lang, CONSENTED)
    assert reading.answer == who
    assert reading.volunteered == (("patient_age", age),)


@pytest.mark.parametrize("lang,text", [
    ("en", "I'm his mom, I'm 35"),  # the speaker's age, not the child's
    ("en", "I'm her mom and I'm 35"),
    ("en", "my son, he was 2 when diagnosed, now 5"),  # an age at diagnosis is no age
    ("en", "me, I'm 45"),  # would exclude: asked, so it can be said back
    ("en", "my daughter, she's 8 months old"),
    ("zh", "我是妈妈，我38岁"),
    ("zh", "我是病人，我儿子3岁"),  # the patient's son
    ("es", "soy su papa, yo tengo 40"),
])
def test_no_age_is_taken_when_it_may_not_be_the_patients_or_would_exclude(lang, text):
    assert read(text, "respondent", lang, CONSENTED).volunteered == ()


@pytest.mark.parametrize("lang,text,who", [
    ("en", "yes, I'm his mom", "guardian"),
    ("en", "sure, this is her dad", "guardian"),
    ("en", "yes, for me", "patient"),
    ("zh", "好的，我是孩子妈妈", "guardian"),
    ("zh", "行，我是他爸", "guardian"),
    ("es", "sí, soy la mamá", "guardian"),
    ("es", "claro, yo soy su papá", "guardian"),
])
def test_who_is_answering_given_with_the_consent_is_kept_too(lang, text, who):
    reading = read(text, "prescreen_consent", lang)
    assert reading.answer == "yes"
    assert reading.volunteered == (("respondent", who),)


@pytest.mark.parametrize("lang,text", [
    ("en", "ok, I'm ready"), ("en", "yes I'm ready"), ("en", "yes, I'm here"), ("en", "yes i am"),
    ("en", "yes, I'm not the patient"), ("zh", "可以，开始吧"), ("es", "vale, empecemos"),
    ("en", "no, I'm his mom"),  # no consent: nothing is kept
])
def test_a_consent_that_says_nothing_of_who_is_answering_volunteers_nothing(lang, text):
    assert read(text, "prescreen_consent", lang).volunteered == ()


@pytest.mark.parametrize("lang,slot,text,value", [
    ("en", "patient_age", "not 5, 6", 6.0),
    ("en", "patient_age", "5, no wait, 6", 6.0),
    ("en", "patient_age", "5... sorry 6", 6.0),
    ("en", "patient_age", "17, actually 18 last week", 18.0),
    ("en", "car_t_loss_months", "3 months, no wait, 4", 4.0),
    ("en", "car_t_loss_months", "not 3 months, 4", 4.0),
    ("zh", "patient_age", "五岁 不对 六岁", 6.0),
    ("zh", "patient_age", "不是5岁，是6岁", 6.0),
    ("zh", "patient_age", "5岁，说错了，6岁", 6.0),
    ("es", "patient_age", "5, perdón, 6", 6.0),
])
def test_a_number_taken_back_gives_the_one_said_instead(lang, slot, text, value):
    reading = read(text, slot, lang, {**CONSENTED, "respondent": "guardian"})
    assert reading.answer == value
    assert "change" not in reading.digressions


@pytest.mark.parametrize("lang,text,value", [
    ("en", "sorry, he is 7", 7.0), ("en", "7, sorry for the wait", 7.0), ("en", "he's 6 not 5", 6.0),
    ("es", "tiene 7, perdon por la demora", 7.0), ("zh", "7岁", 7.0),
])
def test_an_apology_or_a_correction_with_one_number_is_a_plain_answer(lang, text, value):
    assert read(text, "patient_age", lang, {**CONSENTED, "respondent": "guardian"}).answer == value


async def test_the_form_keeps_the_volunteered_age_says_so_and_asks_the_diagnosis_next():
    sets, said = await run_form(tracker_for("respondent", "I'm his mom, he's 7", slots=CONSENTED))
    assert sets["respondent"] == "guardian"
    assert sets["patient_age"] == 7.0
    assert "utter_noted_volunteered" in said
    assert sets["requested_slot"] == "b_all_diagnosis"


async def test_the_form_asks_the_age_when_the_one_volunteered_would_exclude():
    sets, said = await run_form(tracker_for("respondent", "me, I'm 45", slots=CONSENTED))
    assert sets["respondent"] == "patient"
    assert "patient_age" not in sets
    assert "utter_noted_volunteered" not in said
    assert sets["requested_slot"] == "patient_age"


async def test_the_form_keeps_who_is_answering_from_the_consent_in_chinese():
    sets, said = await run_form(tracker_for("prescreen_consent", "好的，我是孩子妈妈", language="zh"))
    assert sets["prescreen_consent"] == "yes"
    assert sets["respondent"] == "guardian"
    assert sets["patient_ref"]  # the questions now speak of the child
    assert sets["requested_slot"] == "patient_age"


async def _result_for(answers):
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.results import ActionEvaluatePrescreen

    tracker = Tracker("result-sender", {**answers, "language": "en"}, {"text": "no"}, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionEvaluatePrescreen().run(dispatcher, tracker, {})
    return [m.get("response") for m in dispatcher.messages]


async def test_one_not_sure_answer_is_spoken_of_as_one():
    from tests.pure.test_criteria import eligible_adult

    said = await _result_for({**eligible_adult(), "dic": "unsure"})
    assert "utter_result_needs_review_one" in said and "utter_next_steps_needs_review_one" in said
    assert "utter_result_needs_review" not in said


async def test_two_not_sure_answers_are_spoken_of_as_a_few():
    from tests.pure.test_criteria import eligible_adult

    said = await _result_for({**eligible_adult(), "dic": "unsure", "kidney_problem": "unsure"})
    assert "utter_result_needs_review" in said and "utter_next_steps_needs_review" in said
    assert "utter_result_needs_review_one" not in said


@pytest.mark.parametrize("lang,who,text,age", [
    ("en", "guardian", "shes 10 and i'm 38 if that matters", 10.0),
    ("en", "guardian", "i'm 38, he is 10", 10.0),  # was 38: a silent wrong age
    ("zh", "guardian", "我38，孩子10岁", 10.0),
    ("es", "guardian", "yo tengo 38 y el niño tiene 10", 10.0),
    ("en", "patient", "I'm 22, my son is 3", 22.0),
    ("en", "guardian", "he is 7 and a half", 7.5),
    ("en", "guardian", "he's 10, his brother is 12", 10.0),
    ("zh", "guardian", "我女儿十一岁，她弟弟三岁", 11.0),  # "我女儿" speaks of the child
])
def test_at_the_age_question_the_patients_age_wins_over_the_speakers(lang, who, text, age):
    assert read(text, "patient_age", lang, {**CONSENTED, "respondent": who}).answer == age


@pytest.mark.parametrize("lang,text,answer", [
    ("en", "please call me", "yes"), ("en", "have them call me", "yes"), ("en", "don't call me", "no"),
    ("zh", "请联系我", "yes"), ("zh", "让他们联系我吧", "yes"), ("zh", "别给我打电话", "no"),
    ("es", "que me llamen", "yes"), ("es", "bueno, esta bien, que me llamen", "yes"), ("es", "no me llamen", "no"),
    ("es", "bueno, está bien", "yes"),
])
def test_asking_to_be_called_answers_may_the_coordinator_contact_you(lang, text, answer):
    reading = interpret(Message(text, language=lang), OpenQuestion("contact_consent", "tri"), TRIAL, {})
    assert reading.answer == answer


@pytest.mark.parametrize("lang,text,age", [
    ("en", "7 tomorrow!", 6.0), ("en", "turns 7 tomorrow", 6.0), ("es", "7 mañana", 6.0),
    ("en", "he is 7, we see the doctor tomorrow", 7.0), ("es", "tiene 7, mañana vamos al médico", 7.0),
    ("en", "7 today", 7.0),
])
def test_an_age_reached_tomorrow_is_not_reached_yet(lang, text, age):
    assert read(text, "patient_age", lang, {**CONSENTED, "respondent": "guardian"}).answer == age
