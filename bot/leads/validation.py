"""Pure checks for the contact details a person types, shared by the form and the store.

Kept deliberately permissive about formatting (spaces, dashes, brackets) and strict about
substance, so a typo is caught in the conversation rather than by a coordinator who cannot call.
"""

from __future__ import annotations

import re

_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_INTERNATIONAL = re.compile(r"^(?:\+|00)[1-9]\d{6,14}$")
_CN_MOBILE = re.compile(r"^(?:(?:\+|00)86)?1[3-9]\d{9}$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def normalise_phone(s: str) -> str:
    """Drop the separators people type, keep a leading ``+``."""
    return _PHONE_SEPARATORS.sub("", s.strip())


def to_e164(s: str) -> str:
    """One way of writing every number: ``+`` and digits only (``0086``/``00`` become ``+``, a
    mainland mobile typed without a country code gets ``+86``). Call on a ``valid_phone``."""
    compact = normalise_phone(s)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if _CN_MOBILE.fullmatch(compact) and not compact.startswith("+"):
        compact = "+86" + compact
    return compact


def valid_phone(s: object) -> bool:
    """International ``+CC`` (or ``00CC``) numbers of 7-15 digits, or a mainland China mobile
    ``1[3-9]`` plus 9 digits; spaces, dashes, dots and brackets are allowed anywhere."""
    if not isinstance(s, str):
        return False
    compact = normalise_phone(s)
    return bool(_CN_MOBILE.fullmatch(compact) or _INTERNATIONAL.fullmatch(compact))


def valid_email(s: object) -> bool:
    """A plain ``local@domain.tld`` address (no display names, no IP literals, max 254 chars)."""
    if not isinstance(s, str):
        return False
    s = s.strip()
    if len(s) > 254 or ".." in s:
        return False
    local, _, _domain = s.partition("@")
    if not local or len(local) > 64 or local.startswith(".") or local.endswith("."):
        return False
    return bool(_EMAIL.fullmatch(s))
