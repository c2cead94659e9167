"""The lead store: consented hand-offs to the trial coordinator, the funnel and the audit trail.

The action server uses ``LeadStore`` and ``submit_lead``; the coordinator inbox reads the same
store. See ``bot/leads/store.py`` for the API.
"""

from bot.leads.service import lead_fields_from_answers, submit_lead
from bot.leads.store import (
    FUNNEL_STAGES,
    STATUSES,
    TRANSITIONS,
    CoordinatorExists,
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
    "CoordinatorExists",
    "InvalidTransition",
    "LeadNotFound",
    "LeadStore",
    "LeadStoreError",
    "LeadValidationError",
    "UpsertResult",
    "lead_fields_from_answers",
    "submit_lead",
]
