"""Emergencies (bot/understanding/safety.py): every current, severe one in three languages, and
none where a message only mentions the words. One test per rule, with phrasings written here."""

from __future__ import annotations

import pytest

from bot.understanding import safety
from bot.understanding.text import fold


def kind(text: str):
    return safety.detect(text)


@pytest.mark.parametrize(("text", "expected"), [
    # Overlapping phrases: the one reaching further is the reading, and its negation applies.
    ("孩子没有呼吸困难的情况", None), ("孩子没有呼吸了", "breathing"),
    # Parts split at punctuation and at "but now": old history does not hide a new emergency.
    ("she had a seizure as a toddler but now she is seizing again", "seizure"),
    ("以前抽过一次，但是现在又在抽搐", "seizure"),
    ("tuvo convulsiones de bebé pero ahora está convulsionando", "seizure"),
    # A negation counts only just before the phrase, and not across a new statement.
    ("she has no trouble breathing at all", None), ("no she can't breathe", "breathing"),
    ("no, ahora no respira", "breathing"), ("没有，他现在喘不上气", "breathing"),
    # A negation runs on through a list.
    ("no fever or convulsions since Monday", None), ("sin fiebre alta ni convulsiones", None),
    ("没有昏迷或者抽搐", None),
    # History words inside an emergency phrase are not history ("晕过去" holds "过去").
    ("他刚才晕过去了", "unresponsive"), ("他小时候晕倒过一次", None),
    # History elsewhere in the sentence makes a fever, seizure or confusion history too.
    ("化疗那会儿出现过高烧，抽搐，现在都好了", None),
    ("during the CRS back then she was confused, talking nonsense, all fine since", None),
    # A question about the word: a definition word at the start, or a question mark.
    ("what counts as a high fever for a child", None), ("¿qué se considera fiebre alta?", None),
    ("i don't know what is going on he can't breathe", "breathing"),
    # Hypotheticals only with a question mark ("si" may also be a "sí" without its accent).
    ("what if he has a seizure at home?", None), ("si le da una convulsión en casa, ¿qué hago?", None),
    ("si le da una convulsion ahora mismo", "seizure"),
    # A temperature counts only right by a fever word; decimals are read whole.
    ("fever of 39.8 since this morning", "fever"), ("his temperature went to 103.1 f", "fever"),
    ("he's 40 and has a mild fever", None), ("tiene 40 de fiebre", "fever"), ("体温39.6度", "fever"),
    # "Won't stop" is bleeding with a blood word in the sentence, not with a cough.
    ("her gums are bleeding and it won't stop", "bleeding"), ("the cough won't stop at night", None),
    ("le sangra la nariz y no para", "bleeding"),
    # Words that alarm together: a body part and what is wrong, an injury and what followed.
    ("my chest is really hurting", "chest_pain"), ("le duele el pecho muchísimo", "chest_pain"),
    ("胸前疼得厉害", "chest_pain"), ("he banged his head on the table and keeps vomiting", "urgent"),
    ("her face and lips are swelling up after the antibiotic", "urgent"),
    ("my chest doesn't hurt", None),
    # A negation closing the part; not after a phrase that is itself negative.
    ("dolor de pecho no, solo cansancio", None), ("胸痛没有", None), ("no respira, no", "breathing"),
    # Effort: an everyday limit is no emergency, turning blue is one whatever the effort.
    ("trouble breathing when he climbs the stairs", None), ("turning blue after running", "breathing"),
    # Everyday compounds.
    ("only hay fever in the spring", None), ("el análisis de sangre salió bien", None),
    # Self-harm wins, so the reply always has the crisis lines.
    ("I can't breathe and I want to die", "self_harm"), ("我喘不上气，真想死了算了", "self_harm"),
])
def test_rules(text, expected):
    assert kind(text) == expected


def test_alarm_spans_point_at_the_phrases_that_count():
    folded = fold("sí, y ahora no puede respirar")
    spans = [folded[a:b] for a, b in safety.alarm_spans(folded)]
    assert spans == ["no puede respirar"]
    assert safety.alarm_spans(fold("no tiene convulsiones")) == []


@pytest.mark.parametrize("text", ["", "   ", "\x00", "?" * 3000, "no " * 3000 + "he can't breathe"])
def test_odd_input(text):
    assert kind(text) is None  # the last one: beyond the characters read


def test_every_language_is_read_whatever_the_conversation():
    # One message mixing languages: the Spanish phrase alarms in an English sentence.
    assert kind("sorry, mi hijo no respira") == "breathing"


@pytest.mark.parametrize("text", ["以前抽过，现在又在抽搐", "she had a seizure years ago and is seizing now"])
def test_history_does_not_hide_an_emergency_said_to_be_happening_now(text):
    from bot.understanding import safety

    assert safety.detect(text) == "seizure"
