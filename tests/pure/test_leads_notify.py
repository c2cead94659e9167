"""New-lead e-mail, delivered to a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import dataclasses
import email
import logging
import time

import pytest
from aiosmtpd.controller import Controller

from bot.leads.notify import send_new_lead_email
from bot.leads.service import submit_lead, submit_question
from bot.leads.store import ContactChangeRefused
from bot.settings import Settings
from tests.fixtures.leads import eligible_answers, lead_kwargs
from tests.fixtures.servers import free_port


class Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture
def settings(smtp_server, tmp_path, leads_key):
    controller, _ = smtp_server
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        leads_key=leads_key,
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        smtp_from="prescreen@trial.example",
        coordinator_email="coordinator@trial.example",
        inbox_base_url="https://inbox.trial.example/",
    )


def _wait_for(inbox, n, timeout=5.0):
    deadline = time.time() + timeout
    while len(inbox.messages) < n and time.time() < deadline:
        time.sleep(0.05)


def test_new_lead_email_arrives_without_personal_or_health_data(store, settings, smtp_server):
    _, inbox = smtp_server
    answers = eligible_answers(bendamustine_9_months="unsure")
    kwargs = lead_kwargs(answers, name="Zhang Xiaoming", wechat="zxm_wechat", time="weekday mornings")
    result = submit_lead(store, settings, "conv-mail", **kwargs)
    assert result.created
    _wait_for(inbox, 1)
    assert len(inbox.messages) == 1

    mail_from, rcpt, raw = inbox.messages[0]
    assert mail_from == "prescreen@trial.example"
    assert rcpt == ["coordinator@trial.example"]
    msg = email.message_from_bytes(raw)
    text = msg["Subject"] + "\n" + msg.get_payload(decode=True).decode("utf-8")
    assert f"#{result.lead_id}" in msg["Subject"]
    assert f"https://inbox.trial.example/leads/{result.lead_id}" in text
    assert "needs review" in text
    forbidden = [
        "Zhang", "Xiaoming", "13800138000", "138 0013", "li.wei@example.com", "zxm_wechat", "weekday",
        "bendamustine", "E1", "I3", "patient_age", "7.0", "guardian", "CAR-T", "conv-mail",
    ]
    for word in forbidden:
        assert word not in text, word

    # A retried submission changes nothing and does not e-mail again.
    again = submit_lead(store, settings, "conv-mail", **kwargs)
    assert again.lead_id == result.lead_id and not again.created and again.changed == ()
    time.sleep(0.3)
    assert len(inbox.messages) == 1
    store.record_screening_started("conv-mail")
    assert store.funnel_counts()["consented"] == 1


def _text(raw: bytes) -> str:
    msg = email.message_from_bytes(raw)
    return msg["Subject"] + "\n" + msg.get_payload(decode=True).decode("utf-8")


def test_replaced_contact_details_are_an_update_the_coordinator_is_told_about(store, settings, smtp_server):
    _, inbox = smtp_server
    first = submit_lead(store, settings, "conv-upd", **lead_kwargs(name="Zhang Xiaoming"))
    with pytest.raises(ContactChangeRefused):
        submit_lead(store, settings, "conv-upd", **lead_kwargs(name="Zhang Xiaoming", phone="+34 612 345 678"))
    updated = submit_lead(store, settings, "conv-upd", replace=True,
                          **lead_kwargs(name="Zhang Xiaoming", phone="+34 612 345 678"))
    assert updated.lead_id == first.lead_id and updated.changed == ("phone",)
    _wait_for(inbox, 2)
    assert len(inbox.messages) == 2  # the new lead and the update; the refusal sent nothing
    text = _text(inbox.messages[1][2])
    assert f"Pre-screening lead #{first.lead_id} updated" in text and "What changed: phone number" in text
    assert f"https://inbox.trial.example/leads/{first.lead_id}" in text
    for word in ("Zhang", "612", "345", "+34", "conv-upd"):
        assert word not in text, word


def test_a_question_is_notified_like_a_lead_without_its_message(store, settings, smtp_server):
    _, inbox = smtp_server
    result = submit_question(store, settings, "conv-q", message="Does my son qualify? He is 41.",
                             contact={"name": "Zhang Xiaoming", "email": "zxm@example.org"}, language="en",
                             outcome="not_eligible")
    submit_question(store, settings, "conv-q", message="Does my son qualify? He is 41.",
                    contact={"name": "Zhang Xiaoming", "email": "zxm@example.org"}, language="en", outcome="not_eligible")
    submit_question(store, settings, "conv-q", message="Also: can we travel?",
                    contact={"name": "Zhang Xiaoming", "email": "zxm@example.org"}, language="en", outcome="not_eligible")
    _wait_for(inbox, 2)
    assert len(inbox.messages) == 2  # the question and the added message, not the retry
    first, second = (_text(m[2]) for m in inbox.messages)
    assert f"New question #{result.lead_id}" in first and "Outcome: not eligible" in first
    assert f"Question #{result.lead_id} has a new message" in second and "What changed: message" in second
    for text in (first, second):
        for word in ("Zhang", "zxm", "qualify", "41", "travel"):
            assert word not in text, word


def test_mail_failure_is_logged_without_personal_data_and_never_raises(store, settings, caplog):
    dead = dataclasses.replace(settings, smtp_port=free_port())  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="bot.leads.notify"):
        result = submit_lead(store, dead, "conv-dead", **lead_kwargs(name="Zhang Xiaoming"))
    assert store.get_lead(result.lead_id) is not None  # the lead is kept
    assert "notification e-mail failed" in caplog.text
    assert "Zhang" not in caplog.text


def test_notifications_off_without_smtp_host(settings):
    off = dataclasses.replace(settings, smtp_host=None)
    assert off.notifications_enabled is False
    assert send_new_lead_email(off, 1, "likely_eligible") is False
