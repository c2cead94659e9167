"""Passwords, session tokens and login throttling for the coordinator inbox.

Standard library only (``hashlib.scrypt``, ``secrets``, ``hmac``) so there is no extra
dependency to audit. Passwords are salted scrypt hashes compared in constant time; session
cookies are random tokens of which only a keyed hash is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from typing import Deque

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_DKLEN = 32
MIN_PASSWORD_LENGTH = 12


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """``scrypt$n$r$p$salt$hash``: parameters travel with the hash so they can be raised later."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_DKLEN)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        expected_bytes = _unb64(expected)
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected_bytes)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected_bytes)


# Verified against when the username does not exist, so a miss costs as much time as a hit.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def burn_password_check(password: str) -> None:
    verify_password(password, _DUMMY_HASH)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(secret: str, token: str) -> str:
    return hmac.new(secret.encode("utf-8"), token.encode("utf-8"), hashlib.sha256).hexdigest()


def tokens_equal(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class LoginThrottle:
    """Per-username failure counter: after ``max_failures`` within ``window`` seconds the
    username is locked for ``lockout`` seconds. In memory, so it resets with the process, which
    is acceptable for a single-process inbox behind a proxy."""

    def __init__(self, max_failures: int = 5, window: float = 900.0, lockout: float = 900.0,
                 max_tracked: int = 10_000, clock=time.monotonic):
        self.max_failures = max_failures
        self.window = window
        self.lockout = lockout
        self.max_tracked = max_tracked
        self._clock = clock
        self._failures: OrderedDict[str, Deque[float]] = OrderedDict()
        self._locked_until: dict = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(username: str) -> str:
        return (username or "").strip().lower()[:128]

    def is_locked(self, username: str) -> bool:
        key = self._key(username)
        with self._lock:
            until = self._locked_until.get(key)
            if until is None:
                return False
            if self._clock() >= until:
                del self._locked_until[key]
                self._failures.pop(key, None)
                return False
            return True

    def record_failure(self, username: str) -> None:
        key = self._key(username)
        now = self._clock()
        with self._lock:
            failures = self._failures.pop(key, None) or deque()
            failures.append(now)
            while failures and now - failures[0] > self.window:
                failures.popleft()
            self._failures[key] = failures
            while len(self._failures) > self.max_tracked:
                self._failures.popitem(last=False)
            if len(failures) >= self.max_failures:
                self._locked_until[key] = now + self.lockout

    def reset(self, username: str) -> None:
        key = self._key(username)
        with self._lock:
            self._failures.pop(key, None)
            self._locked_until.pop(key, None)
