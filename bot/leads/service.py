"""The calls the action server makes to hand a person over to the study coordinator.

Keeps the hand-off rules in one place: a lead is only ever written after contact consent, the
funnel counts the consent, contact details are never replaced without the person's agreement
(``replace=True``), and the coordinator is e-mailed once per new lead, per real update and per
question, never per retry.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

from bot.leads.notify import send_lead_email
from bot.leads.store import ExistingLead, LeadStore, UpsertResult
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


def existing_lead(store: LeadStore, conversation_id: str) -> ExistingLead | None:
    """The conversation's screening lead (id, when it was sent, which contact fields are set), or
    None: ask "replace the details you sent on ...?" before ``submit_lead(..., replace=True)``."""
    return store.existing_lead(conversation_id)


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
    replace: bool = False,
) -> UpsertResult:
    """Store the lead, or update it; count the consent; notify on creation and on real updates.

    Call only after ``contact_consent`` is ``yes``. If the conversation already sent other contact
    details this raises ``ContactChangeRefused`` (with ``.existing``) unless ``replace`` is true;
    an identical retry changes nothing and sends nothing. Raises ``LeadValidationError`` for bad input.
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
        replace=replace,
    )
    store.record_funnel(conversation_id, "consented")
    if settings is not None and (result.created or result.changed):
        send_lead_email(settings, result.lead_id, outcome, "new" if result.created else "updated",
                        changed=result.changed)
    return result


def submit_question(
    store: LeadStore,
    settings: Settings | None,
    conversation_id: str,
    *,
    message: str,
    contact: Mapping[str, Any],
    language: str,
    respondent: str | None = None,
    outcome: str | None = None,
) -> UpsertResult:
    """A "question" lead: a short message and a way to reach the person, at any point of the
    conversation and with any outcome (or none). Call only after the person agreed to be
    contacted. A second message from the same conversation is added to the same question."""
    result = store.save_question(conversation_id, message=message, contact=contact, language=language,
                                 respondent=respondent, outcome=outcome)
    if settings is not None and (result.created or result.changed):
        send_lead_email(settings, result.lead_id, outcome, "question" if result.created else "question_updated",
                        changed=result.changed)
    return result
