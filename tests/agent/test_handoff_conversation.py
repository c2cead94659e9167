"""The hand-off through the trained model, the real action server and a real lead database:
consent first, a summary to confirm, exactly one lead, one e-mail, and deletion on request."""

from __future__ import annotations

import pytest

from tests.support.profiles import ELIGIBLE_ADULT_EN, handoff_replies

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
    assert "no contact details were kept" in reply
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
    assert c.slot("contact_phone") not in (None, "+8613800138000")  # the values are in the encrypted draft
    assert lead_store.contact_draft(c.sender)["phone"] == "+8613800138000"
    assert lead_store.contact_draft(c.sender)["email"] == "rob@example.org"
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


def _stored_events_text(c) -> str:
    return " ".join(str(e.as_dict()) for e in c.tracker.events)


def test_contact_details_live_in_the_encrypted_draft_not_in_the_conversation(chat, lead_store):
    c = chat()
    screen(c, ELIGIBLE_ADULT_EN)
    c.say("yes")
    c.say("Maria Gómez")
    c.say("+86 139 1234 5678")
    assert "Maria" not in str(c.slot("contact_name")) and "5678" not in str(c.slot("contact_phone"))
    assert lead_store.contact_draft(c.sender)["name"] == "Maria Gómez"
    assert lead_store.contact_draft(c.sender)["phone"] == "+8613912345678"
    slots = {k: v for k, v in c.tracker.current_slot_values().items() if k.startswith("contact_")}
    assert "13912345678" not in str(slots).replace(" ", "")
    c.say("evenings")
    c.say("yes")
    assert lead_store.contact_draft(c.sender) == {}  # sent, so the draft is gone
    lead = lead_store.get_lead_by_conversation(c.sender)
    assert lead["contact"]["name"] == "Maria Gómez" and lead["contact"]["time"] == "evenings"


def test_a_person_can_leave_a_question_mid_screening_and_carry_on(chat, lead_store, smtp_sink):
    c = chat()
    c.say("hi")
    c.say("yes")
    c.say("I'm the patient")
    assert c.requested_slot == "patient_age"
    c.say("can I talk to a real person?")
    assert c.requested_slot == "question_consent"
    c.say("yes")
    c.say("Is the trial open to patients from abroad?")
    c.say("Ana Li")
    c.say("ana.li@example.org")
    assert c.requested_slot == "question_confirm"
    reply = c.texts("yes")
    assert "reference #" in reply
    assert c.requested_slot == "patient_age"  # and the screening carries on where it was
    question = lead_store.existing_lead(c.sender, kind="question")
    assert question is not None and question.contact_fields == ("name", "email")


def test_a_question_can_be_left_after_a_not_eligible_result(chat, lead_store):
    c = chat()
    screen(c, {**ELIGIBLE_ADULT_EN, "patient_age": '/inform{"number": 45, "q": "patient_age"}'})
    assert c.slot("prescreen_outcome") == "not_eligible"
    c.say("I want to talk to a human")
    assert c.requested_slot == "question_consent"
    for text in ("yes", "Are there other trials for him?", "Wei", "wei@example.org", "yes"):
        c.say(text)
    assert lead_store.existing_lead(c.sender, kind="question") is not None


def test_sending_new_details_from_the_same_conversation_asks_before_replacing(chat, lead_store):
    c = chat()
    screen(c, ELIGIBLE_ADULT_EN)
    for text in handoff_replies("Maria", "maria@example.org"):
        c.say(text)
    first = lead_store.existing_lead(c.sender)
    assert first is not None
    c.say("start")  # a new pre-screening after the result, confirmed
    assert c.requested_slot == "confirm_answer"
    c.say("yes")
    for _ in range(40):
        slot = c.requested_slot
        if slot in (None, "contact_consent"):
            break
        c.say("yes" if slot == "answer_check" else ELIGIBLE_ADULT_EN.get(slot, "no"))
    for text in handoff_replies("Maria", "maria.new@example.org"):
        c.say(text)
    assert c.requested_slot == "confirm_answer"  # "replace the details you sent before?"
    assert lead_store.get_lead_by_conversation(c.sender)["contact"]["email"] == "maria@example.org"
    reply = c.texts("yes")
    assert "new details" in reply
    assert lead_store.get_lead_by_conversation(c.sender)["contact"]["email"] == "maria.new@example.org"


def test_a_needs_review_result_gives_a_code_to_come_back_with(chat, lead_env, monkeypatch):
    c = chat()
    screen(c, {**ELIGIBLE_ADULT_EN, "kidney_problem": "I don't know"})
    assert c.slot("prescreen_outcome") == "needs_review"
    said = "\n".join(c.transcript[-12:])
    assert "Continue with a code" in said
    from bot.resume import ResumeCodes

    for name in ("DATABASE_URL", "WEB_SESSION_SECRET"):
        monkeypatch.setenv(name, lead_env[name])
    code = said.split("your code is ", 1)[1].split(".")[0].strip()
    assert ResumeCodes.from_env().redeem(code, "test-client") == c.sender  # as the page server would


def test_hello_alone_does_not_count_as_a_started_screening(chat, lead_store):
    c = chat()
    counts_before = lead_store.funnel_counts()["started"]
    c.say("hi")
    assert lead_store.funnel_counts()["started"] == counts_before
    c.say("yes")
    assert lead_store.funnel_counts()["started"] == counts_before + 1


def test_asking_to_send_the_details_after_declining_asks_consent_again_then_hands_off(chat, lead_store):
    c = chat()
    screen(c, ELIGIBLE_ADULT_EN)
    c.say("no thanks")
    assert lead_store.get_lead_by_conversation(c.sender) is None
    c.say("actually, please send my details to the coordinator")
    assert c.requested_slot == "contact_consent"  # consent is asked again, never assumed
    assert c.slot("contact_consent") != "yes"
    c.say("yes")
    assert c.requested_slot == "contact_name"


def test_asking_to_send_the_details_again_after_sending_says_they_are_already_there(chat, lead_store):
    c = chat()
    screen(c, ELIGIBLE_ADULT_EN)
    for text in handoff_replies("Maria", "maria@example.org"):
        c.say(text)
    lead = lead_store.get_lead_by_conversation(c.sender)
    assert lead is not None
    reply = c.texts("can you send my details to the coordinator?")
    assert "already with the study coordinator" in reply
    assert len([x for x in lead_store.list_leads() if x["conversation_id"] == c.sender]) == 1


def test_a_question_at_the_consent_question_is_answered_and_is_no_decline(chat, lead_store):
    c = chat()
    screen(c, ELIGIBLE_ADULT_EN)
    c.say("what would you send them, and who sees it?")
    assert c.requested_slot == "contact_consent"  # still asked, not taken as a no
    assert c.slot("contact_consent") is None
    assert "no contact details were kept" not in c.texts("yes")
    assert c.requested_slot == "contact_name"


@pytest.mark.parametrize("lang, ask, again", [
    ("en", "please delete my data", "yes, delete it"),
    ("en", "delete my data", "delete my data"),
    ("es", "borre mis datos", "sí, bórrelo"),
])
def test_saying_the_request_again_at_its_are_you_sure_deletes(chat, lead_store, lang, ask, again):
    c = chat(lang)
    c.say("hola" if lang == "es" else "hi")
    c.say("sí" if lang == "es" else "yes")
    c.say(ask)
    assert c.tracker is not None and any(e.as_dict().get("event") == "user" for e in c.tracker.events)
    c.say(again)
    tracker = c.tracker
    assert tracker is None or not [e for e in tracker.events if e.as_dict().get("event") == "user"]


def test_changing_an_answer_at_the_contact_offer_asks_about_contact_again(chat, lead_store):
    """Found in Chromium: "it was negative, can i change that to no" at "may the coordinator
    contact you?" changed the answer and also took its "no" as no contact, so the new
    likely-eligible result ended the hand-off without asking."""
    c = chat()
    screen(c, {**ELIGIBLE_ADULT_EN, "csf_blasts_high": "not sure"})
    assert c.slot("prescreen_outcome") == "needs_review" and c.requested_slot == "contact_consent"
    c.say("actually i checked the lumbar puncture report, it was negative. can i change that to no")
    assert c.requested_slot == "csf_blasts_high" and c.slot("contact_consent") is None
    reply = c.texts('/deny{"tri": "no", "q": "csf_blasts_high"}')
    assert c.slot("prescreen_outcome") == "likely_eligible"
    assert "Nothing has been passed" not in reply
    assert c.requested_slot == "contact_consent"
    assert lead_store.get_lead_by_conversation(c.sender) is None
