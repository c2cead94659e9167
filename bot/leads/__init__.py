"""The lead store: consented hand-offs and questions for the trial coordinator, contact drafts,
the funnel and the audit trail.

The action server uses ``LeadStore`` and the calls in ``bot.leads.service`` (``submit_lead``,
``existing_lead``, ``submit_question``); the coordinator inbox reads the same store. See
``bot/leads/store.py`` for the API.
"""

from bot.leads.service import existing_lead, lead_fields_from_answers, submit_lead, submit_question
from bot.leads.store import (
    FUNNEL_STAGES,
    STATUSES,
    TRANSITIONS,
    ContactChangeRefused,
    CoordinatorExists,
    ExistingLead,
    InvalidTransition,
    LeadNotFound,
    LeadStore,
    LeadStoreError,
    LeadValidationError,
    UpsertResult,
)

__all__ = [
    "FUNNEL_STAGES",
    "STATUSES",
    "TRANSITIONS",
    "ContactChangeRefused",
    "CoordinatorExists",
    "ExistingLead",
    "InvalidTransition",
    "LeadNotFound",
    "LeadStore",
    "LeadStoreError",
    "LeadValidationError",
    "UpsertResult",
    "existing_lead",
    "lead_fields_from_answers",
    "submit_lead",
    "submit_question",
]
