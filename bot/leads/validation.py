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


# ITU country codes of one and two digits; every other code has three.
_ONE_DIGIT_CODES = {"1", "7"}
_TWO_DIGIT_CODES = {
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
    "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84",
    "86", "90", "91", "92", "93", "94", "95", "98",
}
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def group_phone(s: str) -> str:
    """A stored E.164 number spaced for reading aloud: "+86 138 1234 5678", "+34 612 345 678".

    Display only (the store keeps E.164): the country code, then the rest in threes, ending in
    one group of four (10 digits: 3-3-4) or two (11, a mainland mobile: 3-4-4; 8: 4-4) so no
    group is left with one or two digits. Anything that is not E.164 is returned unchanged."""
    if not isinstance(s, str) or not _E164.fullmatch(s):
        return s
    digits = s[1:]
    size = 1 if digits[0] in _ONE_DIGIT_CODES else 2 if digits[:2] in _TWO_DIGIT_CODES else 3
    code, rest = digits[:size], digits[size:]
    fours = len(rest) % 3 if len(rest) >= 4 * (len(rest) % 3) else 0
    head, tail = rest[:len(rest) - 4 * fours], rest[len(rest) - 4 * fours:]
    groups = [head[i:i + 3] for i in range(0, len(head), 3)] + [tail[i:i + 4] for i in range(0, len(tail), 4)]
    return "+" + " ".join([code, *groups])
