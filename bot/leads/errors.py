"""Errors the lead store raises; messages name the field, never the value a person typed."""

from __future__ import annotations

from typing import Any


class LeadStoreError(Exception):
    """Base class for store errors the caller is expected to handle."""


class LeadValidationError(LeadStoreError, ValueError):
    """The submission is incomplete or malformed."""


class LeadNotFound(LeadStoreError, KeyError):
    pass


class InvalidTransition(LeadStoreError, ValueError):
    pass


class CoordinatorExists(LeadStoreError):
    pass


class ContactChangeRefused(LeadStoreError):
    """The conversation already has a lead with other contact details; the person must agree to
    replace them (``replace=True``). ``existing`` is the ``ExistingLead`` to ask about."""

    def __init__(self, existing: Any):
        super().__init__("this conversation already sent other contact details; ask before replacing them")
        self.existing = existing
