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
from collections import OrderedDict

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
    """Failed sign-ins slow down further attempts, per client address and per account.

    Each key (``ip:<address>``, ``account:<username>``) counts its recent failures. The first
    ``free`` failures cost nothing; after that each attempt must wait ``base * 2**(n - free)``
    seconds since the last failure, capped at ``cap``: exponential backoff, never a permanent
    lock, so the real coordinator is at most ``cap`` away from signing in while someone guesses.
    A key is forgotten ``forget_after`` seconds after its last failure, and a successful sign-in
    clears the account's count. Attempts refused while waiting are not checked and not counted.
    Trying many usernames from one address is slowed by the address key; guessing one account
    from many addresses by the account key. In memory: the inbox is one process.
    """

    def __init__(self, *, address_free: int = 10, account_free: int = 5, base: float = 1.0,
                 address_cap: float = 900.0, account_cap: float = 300.0, forget_after: float = 3600.0,
                 max_tracked: int = 10_000, clock=time.monotonic):
        self.free = {"ip": address_free, "account": account_free}
        self.cap = {"ip": address_cap, "account": account_cap}
        self.base = base
        self.forget_after = forget_after
        self.max_tracked = max_tracked
        self._clock = clock
        self._failures: OrderedDict[str, list] = OrderedDict()  # key -> [count, last failure time]
        self._lock = threading.Lock()

    @staticmethod
    def _keys(address: str | None, username: str | None) -> list:
        keys = [f"ip:{(address or '-')[:64]}"]
        account = (username or "").strip().lower()[:128]
        if account:
            keys.append(f"account:{account}")
        return keys

    def _delay(self, key: str, count: int) -> float:
        kind = key.split(":", 1)[0]
        over = count - self.free[kind]
        if over < 0:
            return 0.0
        return min(self.cap[kind], self.base * 2 ** min(over, 30))

    def retry_after(self, address: str | None, username: str | None) -> float:
        """Seconds until another attempt is allowed (0: now)."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in self._keys(address, username):
                entry = self._failures.get(key)
                if entry is None:
                    continue
                count, last = entry
                if now - last >= self.forget_after:
                    del self._failures[key]
                    continue
                wait = max(wait, last + self._delay(key, count) - now)
        return max(0.0, wait)

    def record_failure(self, address: str | None, username: str | None) -> None:
        now = self._clock()
        with self._lock:
            for key in self._keys(address, username):
                count, last = self._failures.pop(key, None) or [0, now]
                if now - last >= self.forget_after:
                    count = 0
                self._failures[key] = [count + 1, now]
            while len(self._failures) > self.max_tracked:
                self._failures.popitem(last=False)

    def record_success(self, address: str | None, username: str | None) -> None:
        """A correct sign-in clears the account's failures (not the address's: one good
        account must not buy unlimited guesses at others)."""
        with self._lock:
            for key in self._keys(address, username)[1:]:
                self._failures.pop(key, None)
