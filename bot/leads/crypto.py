"""Encryption at rest for everything a lead holds.

A lead's answers (HIV, hepatitis, mental health, pregnancy) are health data and its contact
details make them personal, so the whole lead is encrypted, as are notes, drafts and two-factor
secrets: a copied database file or backup reveals nothing without ``LEADS_KEY``. Fernet
authenticates as well as encrypts, so a tampered value fails loudly.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Union

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KeyLike = Union[str, bytes]

__all__ = ["InvalidToken", "LeadCipher", "parse_keys"]


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


class LeadCipher:
    """Encrypt/decrypt optional text and JSON documents; ``None`` stays ``None``."""

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

    def encrypt_json(self, document: Any) -> str:
        return self.encrypt(json.dumps(document, ensure_ascii=False, separators=(",", ":")))

    def decrypt_json(self, token: str | None) -> Any:
        text = self.decrypt(token)
        return None if text is None else json.loads(text)

