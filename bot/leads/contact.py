"""Contact details as the store accepts them: known fields, bounded text, real phone numbers and
e-mail addresses, phones always written the same way (E.164). Used for leads, questions and
drafts alike, so a draft that was accepted is a contact that will be accepted."""

from __future__ import annotations

from typing import Any, Dict, Mapping

from bot.leads.errors import LeadValidationError
from bot.leads.validation import to_e164, valid_email, valid_phone

CONTACT_FIELDS = ("name", "phone", "email", "wechat", "time")
REACHABLE_BY = ("phone", "email", "wechat")
MAX_CONTACT_LENGTH = 200


def clean_text(value: Any, field_name: str, limit: int = MAX_CONTACT_LENGTH) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise LeadValidationError(f"{field_name} must be text")
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise LeadValidationError(f"{field_name} is too long")
    return value


def validate_contact_field(field_name: str, value: Any) -> str | None:
    """One contact field, normalised; None when empty."""
    if field_name not in CONTACT_FIELDS:
        raise LeadValidationError(f"unknown contact field: {str(field_name)[:32]}")
    cleaned = clean_text(value, f"contact {field_name}")
    if cleaned is None:
        return None
    if field_name == "phone":
        if not valid_phone(cleaned):
            raise LeadValidationError("contact phone is not a valid phone number")
        return to_e164(cleaned)
    if field_name == "email" and not valid_email(cleaned):
        raise LeadValidationError("contact email is not a valid e-mail address")
    return cleaned


def validate_contact(contact: Mapping[str, Any]) -> Dict[str, str | None]:
    """Every field normalised; at least one way to reach the person is required."""
    if not isinstance(contact, Mapping):
        raise LeadValidationError("contact must be a mapping")
    unknown = set(contact) - set(CONTACT_FIELDS)
    if unknown:
        raise LeadValidationError(f"unknown contact fields: {', '.join(sorted(str(u)[:32] for u in unknown))}")
    cleaned = {f: validate_contact_field(f, contact.get(f)) for f in CONTACT_FIELDS}
    if not any(cleaned[f] for f in REACHABLE_BY):
        raise LeadValidationError("a phone number, e-mail address or WeChat ID is required")
    return cleaned
