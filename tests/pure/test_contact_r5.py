"""Round 5, contact details and the coordinator's view.

A lone word is a WeChat ID only when it looks like one (a digit, "_" or "-" beside its letters)
or when the message names it ("wechat: jennifer"): "mornings", "Jennifer" or "mañana" typed at
"how can the coordinator reach you?" is asked again instead of kept as a WeChat ID that nobody
can add. The export writes a phone as the number it is, and the inbox shows it grouped for
reading and every way to reach the person in the list.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest

from bot.coordinator.export import csv_safe, csv_text
from bot.coordinator.present import contact_ways, phone_words
from bot.leads.contact import read_contact_details, validate_contact_field
from bot.leads.validation import group_phone

NOTHING = {"contact_phone": None, "contact_wechat": None, "contact_email": None}


@pytest.mark.parametrize("typed", [
    # English: a time, a name, a plain word
    "mornings", "tomorrow", "nothing", "Jennifer", "Evenings", "anytime", "whatsapp", "weekends",
    "Jennifer.", "  tomorrow  ",
    # Spanish, with and without the accent
    "mañana", "manana", "tardes", "Guadalupe", "cualquiera",
    # Chinese keyboard, Latin word
    "Jennifer。", "wechat",
])
def test_a_plain_lone_word_is_no_wechat_id(typed):
    assert read_contact_details(typed) == NOTHING


@pytest.mark.parametrize("typed,wechat", [
    ("zhangwei_1990", "zhangwei_1990"), ("Lily-Zhang", "Lily-Zhang"), ("lily88zz", "lily88zz"),
    ("wechat: jennifer", "jennifer"), ("my wechat is Jennifer", "Jennifer"), ("WeChat ID jenniferw", "jenniferw"),
    ("mi wechat es guadalupe", "guadalupe"), ("微信：jennifer", "jennifer"), ("微信是 lilyzhang", "lilyzhang"),
])
def test_a_wechat_id_that_looks_like_one_or_is_named_is_kept(typed, wechat):
    assert read_contact_details(typed)["contact_wechat"] == wechat


@pytest.mark.parametrize("typed", [
    "I'll send my wechat tomorrow", "wechat later", "wechat mañana", "微信明天发给你", "wechat tonight please",
])
def test_a_time_word_after_the_wechat_label_is_no_id(typed):
    assert read_contact_details(typed)["contact_wechat"] is None


def test_a_plain_word_at_the_contact_question_is_asked_again_not_stored():
    """What the person notices: no "WeChat: mornings" in the summary, the question comes back."""
    from actions.handoff import ValidateHandoffForm

    for typed in ("mornings", "Jennifer", "mañana"):
        assert ValidateHandoffForm().validate_contact_details(typed, None, None, {}) == {"contact_details": None}


# --- the CSV export ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "+8613812345678", "+1+2", "+86 138", "+8613812345678=1", "+SUM(A1)", "=1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1",
    "＋8613812345678", " +1+1", "+", "+123456789012345678901",
])
def test_everything_starting_like_a_formula_is_guarded(value):
    assert csv_safe(value).startswith("'")


def _lead(contact):
    now = datetime(2025, 1, 2, 3, 4, tzinfo=timezone.utc)
    return {"id": 7, "kind": "lead", "created_at": now, "updated_at": now, "status": "new", "outcome": "needs_review",
            "respondent": "guardian", "language": "zh", "contact": contact, "messages": [], "packet": [],
            "failed_criteria": [], "unknown_criteria": [], "unknown_documents": [], "history": [],
            "trial_id": "NCT06389305", "conversation_id": "conv-7"}


def test_the_csv_keeps_the_phone_as_text_and_guards_a_formula_name():
    """A spreadsheet would turn a bare "+8613812345678" into 8.61381E+12; the quote keeps it text."""
    text = csv_text([_lead({"name": "=HYPERLINK(1)", "phone": "+8613812345678", "email": None,
                            "wechat": "-lily_88", "time": "+1 pm"})], timezone.utc)
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = dict(zip(header, row, strict=True))
    assert cells["Phone"] == "'+8613812345678"
    assert cells["Name"] == "'=HYPERLINK(1)"
    assert cells["WeChat ID"] == "'-lily_88"
    assert cells["Best time"] == "'+1 pm"


# --- the inbox --------------------------------------------------------------------------------

@pytest.mark.parametrize("stored,shown", [
    ("+8613812345678", "+86 138 1234 5678"),
    ("+34612345678", "+34 612 345 678"),
    ("+525512345678", "+52 551 234 5678"),
    ("+12025550123", "+1 202 555 0123"),
    ("+447700900123", "+44 770 090 0123"),
    ("+85291234567", "+852 9123 4567"),
    ("not a number", "not a number"),
    ("13812345678", "13812345678"),
])
def test_a_stored_phone_is_grouped_for_reading(stored, shown):
    assert group_phone(stored) == shown
    assert phone_words(stored) == shown


def test_grouping_keeps_every_digit_and_what_is_stored_stays_e164():
    for stored in ("+8613812345678", "+34612345678", "+447700900123", "+12025550123", "+85291234567"):
        assert group_phone(stored).replace(" ", "") == stored
    assert validate_contact_field("phone", "+86 138 1234 5678") == "+8613812345678"


def test_the_list_shows_every_way_to_reach_the_person():
    ways = contact_ways({"name": "Li", "phone": "+8613812345678", "email": "li@example.com", "wechat": "li_88"})
    assert ways == [{"field": "phone", "label": "Phone", "value": "+86 138 1234 5678"},
                    {"field": "email", "label": "E-mail", "value": "li@example.com"},
                    {"field": "wechat", "label": "WeChat ID", "value": "li_88"}]
    assert contact_ways({"email": "li@example.com", "phone": None}) == [
        {"field": "email", "label": "E-mail", "value": "li@example.com"}]
    assert contact_ways({}) == []
