"""Emergencies, fifth round (bot/understanding/safety.py): what a person would notice. A name or
a message for the coordinator is stored, not answered with an emergency reply; a current
emergency typed in panic is; idioms, history and treatments that "don't respond" are not."""

from __future__ import annotations

import pytest

from actions import replies
from bot.trial import TRIAL
from bot.understanding import safety
from bot.understanding.interpret import CONTACT, TEXT, Message, OpenQuestion, interpret


def reading_at(slot: str, kind: str, text: str, lang: str):
    return interpret(Message(text, language=lang), OpenQuestion(slot, kind), TRIAL, {})


@pytest.mark.parametrize(("slot", "text", "lang"), [
    ("contact_name", "Socorro Ayala", "es"), ("contact_name", "socorro", "es"),
    ("contact_name", "Auxilio Perez", "es"), ("contact_name", "Dolores Fuentes", "es"),
    ("contact_name", "Maria de los Remedios Ortiz", "es"), ("contact_name", "Socorro Ayala", "en"),
    ("contact_name", "Hope Martinez", "en"), ("contact_name", "Faith O'Neill", "en"),
    ("contact_name", "陈急救", "zh"), ("contact_name", "李救国", "zh"),
    ("contact_time", "any time, it's urgent for us", "en"),
    ("contact_time", "a cualquier hora, es urgente para nosotros", "es"),
    ("contact_time", "什么时候都行 我们很急", "zh"),
    ("contact_message", "she had a seizure last year, please call", "en"),
    ("contact_message", "tuvo una convulsion el año pasado, por favor llamen", "es"),
    ("contact_message", "她去年抽过一次 请给我回电话", "zh"),
])
def test_a_name_a_time_or_a_message_is_stored_without_an_emergency_reply(slot, text, lang):
    reading = reading_at(slot, TEXT, text, lang)
    assert reading.emergency is None
    assert reading.answer == text


@pytest.mark.parametrize(("slot", "kind", "text", "lang", "expected"), [
    ("contact_message", TEXT, "she's not breathing, help", "en", "breathing"),
    ("contact_name", TEXT, "can't do names now, he's turning blue", "en", "breathing"),
    ("contact_message", TEXT, "no respira, ayuda", "es", "breathing"),
    ("contact_name", TEXT, "Socorro, mi hija esta convulsionando", "es", "seizure"),
    ("contact_message", TEXT, "她没有呼吸了 救命", "zh", "breathing"),
    ("contact_time", TEXT, "not now, hes having a seizure right now", "en", "seizure"),
    ("contact_details", CONTACT, "612 345 678 pero ahora no, se esta ahogando", "es", "breathing"),
    ("contact_name", TEXT, "hes gone all floppy", "en", "unresponsive"),
    ("contact_name", TEXT, "lips r blue", "en", "breathing"),
    ("contact_time", TEXT, "convulsionando", "es", "seizure"),
])
def test_a_current_emergency_sentence_at_a_free_text_question_still_alarms(slot, kind, text, lang, expected):
    assert reading_at(slot, kind, text, lang).emergency == expected


@pytest.mark.parametrize(("text", "lang"), [("socorro", "es"), ("救命", "zh")])
def test_a_lone_cry_for_help_alarms_at_a_medical_question(text, lang):
    """Only the hand-off's free-text questions read one word as a name."""
    at_ecog = interpret(Message(text, language=lang), OpenQuestion.of(TRIAL, "ecog"), TRIAL, {})
    assert at_ecog.emergency == "urgent"
    assert reading_at("contact_name", TEXT, text, lang).emergency is None


@pytest.mark.parametrize(("text", "expected"), [
    ("ya no puedo mas, quiero que todo se acabe", "self_harm"),
    ("quiero que todo termine ya", "self_harm"),
    ("今晚我想把药全吃了", "self_harm"),
    ("my son 抽筋 停不下来", "seizure"),
    ("孩子抽 停不住", "seizure"),
    ("皮肤发青 每口气都很费劲", "breathing"),
    ("全身发紫", "breathing"),
    ("he's seizing once again", "seizure"),
    ("he's not responding to me", "unresponsive"),
    ("他没反应了", "unresponsive"),
])
def test_fresh_emergencies(text, expected):
    assert safety.detect(text) == expected


@pytest.mark.parametrize("text", [
    "no. she was sad after the relapse but never anything like wanting to hurt herself",
    "my mother had a seizure once but he never did",
    "he was a bit out of it with a high fever once but back to normal",
    "me ahogo en papeles con tanto tramite, pero el esta bien",
    "fungal pneumonia now and its not responding to the meds",
    "she isnt responding to the antibiotics",
    "对治疗没反应 医生说要换药",
    "意识障碍说的是晕倒还是啥",
    "他今天的药都吃了",
    "一口气吃了三碗饭",
])
def test_fresh_false_alarms(text):
    assert safety.detect(text) is None


@pytest.mark.parametrize(("text", "crisis_lines"), [
    ("ya no puedo mas, quiero que todo se acabe", True), ("今晚我想把药全吃了", True),
    ("my son 抽筋 停不下来", False), ("皮肤发青 每口气都很费劲", False),
])
def test_the_reply_fits_the_kind(text, crisis_lines):
    from actions import replies

    assert (replies.emergency(safety.detect(text)) == "utter_emergency_self_harm") is crisis_lines


# --- help already there or on the way ----------------------------------------------------------


@pytest.mark.parametrize("text", [
    "ok hes breathing again, the ambulance is here. can we carry on later",
    "he's not breathing properly, the ambulance is on its way",
    "救护车来了，孩子现在好点了", "已经打了120，孩子刚才抽搐了", "ya llegó la ambulancia", "vamos camino al hospital, convulsionó",
])
def test_help_on_the_way_gets_look_after_your_child_not_call_now(text):
    """Found in Chromium: "the ambulance is here" got a second "please call emergency services now"."""
    assert replies.emergency(safety.detect(text)) == "utter_emergency_help_on_the_way"


@pytest.mark.parametrize("text, reply", [
    ("should I call an ambulance? he's burning up", "utter_emergency_fever"),
    ("¿llamo a la ambulancia? no respira bien", "utter_emergency"),
    ("I want to die, my husband called an ambulance", "utter_emergency_self_harm"),
])
def test_asking_whether_to_call_or_self_harm_keeps_its_own_reply(text, reply):
    assert replies.emergency(safety.detect(text)) == reply
