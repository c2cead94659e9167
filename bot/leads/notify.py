"""New-lead notification by e-mail.

E-mail is not a safe place for health or contact data, so the message says only that a lead
exists, its id and outcome, and where to log in to see it. Sending is best effort: a broken mail
server must never lose the lead or break the conversation, so every failure is logged (without
personal data) and swallowed.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from bot.settings import Settings

log = logging.getLogger(__name__)

OUTCOME_LABELS = {"likely_eligible": "likely eligible", "needs_review": "needs review"}


def lead_link(settings: Settings, lead_id: int) -> str:
    return f"{settings.inbox_base_url.rstrip('/')}/leads/{int(lead_id)}"


def build_message(settings: Settings, lead_id: int, outcome: str) -> EmailMessage:
    lead_id = int(lead_id)
    label = OUTCOME_LABELS.get(outcome, "new")
    msg = EmailMessage()
    msg["Subject"] = f"New pre-screening lead #{lead_id} ({label})"
    msg["From"] = settings.smtp_from
    msg["To"] = settings.coordinator_email or ""
    msg.set_content(
        "A new pre-screening lead is waiting in the coordinator inbox.\n\n"
        f"Lead: {lead_id}\n"
        f"Outcome: {label}\n"
        f"Open it (login required): {lead_link(settings, lead_id)}\n"
    )
    return msg


def send_new_lead_email(settings: Settings, lead_id: int, outcome: str, *, timeout: float = 10.0) -> bool:
    """Send the notification; True if the server accepted it. Never raises."""
    if not settings.notifications_enabled:
        log.info("lead %s: notification skipped (SMTP_HOST or COORDINATOR_EMAIL not set)", lead_id)
        return False
    try:
        msg = build_message(settings, lead_id, outcome)
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
