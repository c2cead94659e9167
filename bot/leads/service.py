"""The one call the action server makes when a person agrees to be contacted.

Keeps the hand-off rules in one place: a lead is only ever written after contact consent, the
funnel counts the consent, and the coordinator is e-mailed once per lead, not once per retry.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

from bot.leads.notify import send_new_lead_email
from bot.leads.store import LeadStore, UpsertResult
from bot.settings import Settings
from bot.trial import TRIAL
from bot.trial.model import Outcome


def lead_fields(outcome: Outcome) -> Dict[str, Any]:
    """What the lead keeps of an outcome the trial core computed once (``bot.trial``)."""
    return {
        "outcome": outcome.prescreen_outcome,
        "failed_criteria": list(outcome.failed_criteria),
        "unknown_criteria": list(outcome.unknown_criteria),
        "packet": outcome.packet,
    }


def lead_fields_from_answers(answers: Mapping[str, Any]) -> Dict[str, Any]:
    """``lead_fields`` of the outcome of these answers."""
    return lead_fields(TRIAL.evaluate(TRIAL.answers(answers)))


def submit_lead(
    store: LeadStore,
    settings: Settings | None,
    conversation_id: str,
    *,
    outcome: str,
    failed_criteria,
    unknown_criteria,
    packet,
    respondent: str,
    language: str,
    contact: Mapping[str, Any],
) -> UpsertResult:
    """Store (or update) the lead, count the consent, notify on first creation.

    Call only after ``contact_consent`` is ``yes``; raises ``LeadValidationError`` for bad input.
    """
    result = store.upsert_lead_ex(
        conversation_id,
        outcome=outcome,
        failed_criteria=failed_criteria,
        unknown_criteria=unknown_criteria,
        packet=packet,
        respondent=respondent,
        language=language,
        contact=contact,
    )
    store.record_funnel(conversation_id, "consented")
    if result.created and settings is not None:
        send_new_lead_email(settings, result.lead_id, outcome)
    return result
