"""Coordinator notifications by e-mail: a new lead, a lead the person updated, a question.

E-mail is not a safe place for health or contact data, so a message says only what happened, the
lead's id and outcome (and, for an update, which kinds of field changed), and where to log in.
Sending is best effort: a broken mail server must never lose the lead or break the conversation,
so every failure is logged (without personal data) and swallowed.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Sequence

from bot.settings import Settings

log = logging.getLogger(__name__)

OUTCOME_LABELS = {"likely_eligible": "likely eligible", "needs_review": "needs review",
                  "not_eligible": "not eligible"}
FIELD_WORDS = {"name": "name", "phone": "phone number", "email": "e-mail address", "wechat": "WeChat ID",
               "time": "best time to call", "answers": "answers", "outcome": "result", "language": "language",
               "message": "message"}
EVENTS = {
    "new": ("New pre-screening lead #{id} ({label})", "A new pre-screening lead is waiting in the coordinator inbox."),
    "updated": ("Pre-screening lead #{id} updated ({label})", "The person updated lead #{id} from the conversation."),
    "question": ("New question #{id} for the study team", "Someone left a question and a way to reach them."),
    "question_updated": ("Question #{id} has a new message", "The person added to question #{id}."),
}


def lead_link(settings: Settings, lead_id: int) -> str:
    return f"{settings.inbox_base_url.rstrip('/')}/leads/{int(lead_id)}"


def build_message(settings: Settings, lead_id: int, outcome: str | None, event: str = "new",
                  changed: Sequence[str] = ()) -> EmailMessage:
    lead_id = int(lead_id)
    label = OUTCOME_LABELS.get(outcome or "", "no result")
    subject, opening = EVENTS[event]
    lines = [opening.format(id=lead_id), "", f"Lead: {lead_id}", f"Outcome: {label}"]
    words = [FIELD_WORDS[c] for c in changed if c in FIELD_WORDS]
    if words:
        lines.append(f"What changed: {', '.join(words)}")
    lines.append(f"Open it (login required): {lead_link(settings, lead_id)}")
    msg = EmailMessage()
    msg["Subject"] = subject.format(id=lead_id, label=label)
    msg["From"] = settings.smtp_from
    msg["To"] = settings.coordinator_email or ""
    msg.set_content("\n".join(lines) + "\n")
    return msg


def send_lead_email(settings: Settings, lead_id: int, outcome: str | None, event: str = "new", *,
                    changed: Sequence[str] = (), timeout: float = 10.0) -> bool:
    """Send one notification; True if the server accepted it. Never raises."""
    if not settings.notifications_enabled:
        log.info("lead %s: notification skipped (SMTP_HOST or COORDINATOR_EMAIL not set)", lead_id)
        return False
    try:
        msg = build_message(settings, lead_id, outcome, event, changed)
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(msg)
        return True
    except Exception as exc:  # noqa: BLE001 - best effort by design
        log.warning("lead %s: notification e-mail failed (%s)", lead_id, type(exc).__name__)
        return False


def send_new_lead_email(settings: Settings, lead_id: int, outcome: str, *, timeout: float = 10.0) -> bool:
    return send_lead_email(settings, lead_id, outcome, "new", timeout=timeout)
