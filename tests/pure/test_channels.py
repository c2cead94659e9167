"""The hardened REST channel's pure parts: cleaning, sender ids, notices."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels import MAX_MESSAGE_CHARS, clean_message, clean_metadata, clean_sender
from bot.understanding.language import decide, looks_unsupported


def test_invisible_and_control_characters_are_removed():
    assert clean_message("\u200b\u202eye\x00s\u202c") == ("yes", False)


def test_long_messages_are_capped_and_flagged():
    text, truncated = clean_message("a" * 10_000)
    assert len(text) == MAX_MESSAGE_CHARS and truncated


@pytest.mark.parametrize("typed,seen", [("/restart", "restart"), (" /back", "back"), ("/affirm", "/affirm")])
def test_rasa_builtin_commands_are_read_as_words_but_button_payloads_are_kept(typed, seen):
    assert clean_message(typed)[0] == seen


@pytest.mark.parametrize("sender,ok", [("abc-123", "abc-123"), (12345, "12345"), ("", None), (None, None), ({"a": 1}, None)])
def test_sender_ids(sender, ok):
    assert clean_sender(sender) == ok


def test_odd_sender_ids_map_to_a_short_stable_id():
    odd = "../../etc/passwd<b>💥" * 500
    assert clean_sender(odd) == clean_sender(odd)
    assert len(clean_sender(odd)) <= 42 and clean_sender(odd).startswith("h-")


def test_metadata_keeps_only_what_is_used():
    assert clean_metadata({"language": "zh", "evil": "x" * 100}, False) == {"language": "zh"}
    assert clean_metadata("nonsense", True) == {"truncated": True}


@pytest.mark.parametrize(
    "text,expected",
    [("Bonjour, mon fils a une leucémie", True), ("مرحبا، ابني مريض", True), ("Привет, мой сын болен", True),
     ("hola, mi hijo tiene leucemia", False), ("hello there", False), ("我儿子七岁", False), ("ok", False),
     ("no, still in remission", False), ("si, sigue en remision", False)],
)
def test_unsupported_languages(text, expected):
    assert looks_unsupported(text) is expected


def test_one_language_decision_in_order_of_authority():
    keep = dict(metadata_language="en", previous_metadata_language="en", current="zh", first_message=False)
    assert decide("ok", **keep).language == "zh"  # a page repeating its language undoes no switch
    assert decide("English please", **keep).language == "en"  # an explicit request wins
    assert decide("hola", **{**keep, "metadata_language": "es"}).language == "es"  # the page changed
    first = dict(metadata_language=None, previous_metadata_language=None, current=None, first_message=True)
    assert decide("我的孩子今年七岁", **first).language == "zh"
    assert decide("sí", **first).language == "en"  # too short to decide: the default
    assert decide("mi hijo tiene siete años y leucemia", **first).language == "es"


@given(st.text(max_size=3000))
def test_cleaning_never_raises_and_never_grows(text):
    cleaned, truncated = clean_message(text)
    assert len(cleaned) <= MAX_MESSAGE_CHARS and isinstance(truncated, bool)
