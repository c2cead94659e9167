"""The hand-off through the trained model, the real action server and a real lead database:
consent first, a summary to confirm, exactly one lead, one e-mail, and deletion on request."""

from __future__ import annotations

import pytest
from profiles import ELIGIBLE_ADULT_EN, handoff_replies

pytestmark = pytest.mark.conversation


def screen(c, answers, default="no"):
    c.say("hi")
    for _ in range(40):
        slot = c.requested_slot
        if slot is None or c.tracker.active_loop_name == "handoff_form":
            return
        c.say(answers.get(slot, default))
    raise AssertionError("\n".join(c.transcript))


def test_declining_contact_consent_stores_nothing_and_says_how_to_reach_the_study(chat, lead_store):
    c = chat()
    screen(c, ELIGIBLE_ADULT_EN)
    assert c.slot("prescreen_outcome") == "likely_eligible"
    assert c.requested_slot == "contact_consent"
    reply = c.texts("no thanks")
    assert "Nothing about you has been stored" in reply
    assert "Beijing GoBroad Hospital" in reply
    assert lead_store.get_lead_by_conversation(c.sender) is None
    assert c.slot("contact_name") is None


def test_consented_lead_is_stored_once_escaped_and_notified_once(chat, lead_store, smtp_sink):
    c = chat()
    screen(c, ELIGIBLE_ADULT_EN)
    c.say("yes")
    assert c.requested_slot == "contact_name"
    name = "<script>alert(1)</script> Robert'); DROP TABLE leads;--"
    c.say(name)
    assert c.requested_slot == "contact_details"
    reply = c.texts("call me on 12345")
    assert "couldn't find a phone number" in reply
    c.say("+86 138 0013 8000 or rob@example.org")
    assert c.slot("contact_phone") == "+8613800138000"
    assert c.slot("contact_email") == "rob@example.org"
    c.say("weekday evenings")
    summary = "\n".join(m.get("text") or "" for m in c.say("what does that mean?"))
    assert "summary" in summary.lower()
    assert c.requested_slot == "handoff_confirm"
    before = len(smtp_sink.messages)
    reply = c.texts("yes send it")
    assert "not yet recruiting" in reply and "reference #" in reply
    lead = lead_store.get_lead_by_conversation(c.sender)
    assert lead["contact"]["name"] == name  # stored literally
    assert lead["outcome"] == "likely_eligible"
    assert {row["id"] for row in lead["packet"]} >= {"I1", "I2", "I3", "I6", "E16"}
    # A retried submission updates the same lead and sends no second e-mail.
    c.say("send my details")
    c.say("yes")
    assert lead_store.get_lead_by_conversation(c.sender)["id"] == lead["id"]
    new_mail = smtp_sink.bodies()[before:]
    assert len(new_mail) == 1
    assert str(lead["id"]) in new_mail[0]
    assert "Robert" not in new_mail[0] and "13800138000" not in new_mail[0]


def test_summary_shows_the_answers_before_anything_is_sent(chat, lead_store):
    c = chat()
    screen(c, ELIGIBLE_ADULT_EN)
    c.say("yes")
    c.say("Ana")
    c.say("wechat: ana_li_2024")
    replies = c.say("no preference")
    text = "\n".join(m.get("text") or "" for m in replies)
    assert "Age: 31" in text and "WeChat: ana_li_2024" in text
    assert lead_store.get_lead_by_conversation(c.sender) is None  # nothing before confirmation
    reply = c.texts("no, don't send")
    assert "nothing has been sent" in reply.lower()
    assert lead_store.get_lead_by_conversation(c.sender) is None


def test_delete_my_data_removes_the_lead_and_the_conversation(chat, lead_store):
    c = chat()
    screen(c, ELIGIBLE_ADULT_EN)
    for text in handoff_replies("Maria", "maria@example.org"):
        c.say(text)
    assert lead_store.get_lead_by_conversation(c.sender) is not None
    reply = c.texts("please delete my data")
    assert "contact details you sent to the study coordinator" in reply  # says what would go
    assert lead_store.get_lead_by_conversation(c.sender) is not None  # and asks first
    reply = c.texts("yes")
    assert "deleted" in reply
    assert lead_store.get_lead_by_conversation(c.sender) is None
    tracker = c.tracker
    assert tracker is None or not [e for e in tracker.events if e.as_dict().get("event") == "user"]
