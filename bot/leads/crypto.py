"""Encryption at rest for the contact fields of a lead.

Contact details are what turn a health questionnaire into personal data, so they are the part
that is encrypted; a copied database file or backup then reveals no one's name or number without
``LEADS_KEY``. Fernet authenticates as well as encrypts, so a tampered value fails loudly.
"""

from __future__ import annotations

from typing import Iterable, Union

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KeyLike = Union[str, bytes]

__all__ = ["ContactCipher", "InvalidToken", "parse_keys"]


def parse_keys(keys: Union[KeyLike, Iterable[KeyLike]]) -> list:
    """Accept one key, a comma-separated string (rotation: the first key encrypts) or a list."""
    if isinstance(keys, bytes):
        keys = keys.decode("ascii")
    if isinstance(keys, str):
        keys = [k for k in (part.strip() for part in keys.split(",")) if k]
    parsed = [k.encode("ascii") if isinstance(k, str) else k for k in keys]
    if not parsed:
        raise ValueError("at least one Fernet key is required")
    return parsed


class ContactCipher:
    """Encrypt/decrypt optional text fields; ``None`` stays ``None`` so absence is not hidden."""

    def __init__(self, keys: Union[KeyLike, Iterable[KeyLike]]):
        try:
            self._fernet = MultiFernet([Fernet(k) for k in parse_keys(keys)])
        except (ValueError, TypeError) as exc:
            # Never echo the key itself in the error.
            raise ValueError("LEADS_KEY is not a valid Fernet key") from exc

    def encrypt(self, value: str | None) -> str | None:
        if value is None:
            return None
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
