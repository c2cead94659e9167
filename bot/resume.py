"""Resume codes: pick a conversation up later, on any device, with 8 characters read off a screen.

For the action server (synchronous, no Rasa imports)::

    from bot import resume
    code, expires_at = resume.issue_code(tracker.sender_id)   # "7KQ2-M9XD", aware UTC datetime
    resume.forget(tracker.sender_id)                           # on "delete my data"

and for the page server: ``resume.attempt(code, client)`` (or ``redeem(code, client)``, which
returns only the conversation id or None).

A code is 8 characters from Crockford's base-32 alphabet (digits and capitals without I, L, O and
U), shown as two groups of four; typing is forgiving: any case, spaces or dashes, O for 0 and I or L
for 1. That is 40 random bits. A code is never the conversation id and is stored only as an HMAC
keyed by the web session secret, so a copy of the database cannot be turned back into codes. It
lasts CONVERSATION_RETENTION_DAYS from when it was given or last used, and goes with the
conversation (``forget``). Asking again gives a fresh code; earlier ones keep working (the five
newest per conversation), so a code someone wrote down is never silently replaced.

Guesses are limited per client address and overall: by default 5 failed tries per address and
100 in all per 15 minutes (RESUME_GUESSES_PER_CLIENT, RESUME_GUESSES_GLOBAL,
RESUME_GUESS_WINDOW_SECONDS). Over the limit, even the right code is refused until the window
moves on, and the caller is told how long to wait. At 100 guesses per 15 minutes against 2^40
codes, finding any one of a thousand live codes would take over a thousand years on average.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Mapping, Optional, Tuple

from bot.leads.models import utcnow
from bot.resume_store import ResumeStore, database_url
from bot.sessions import derive_key, load_secret, retention_days
from bot.settings import SettingsError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
LENGTH = 8
GROUP = 4
CODES_PER_CONVERSATION = 5
_TYPED_ALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -_.\u00a0\u3000\uff0d")  # incl. no-break, ideographic spaces


def normalise(typed: object) -> Optional[str]:
    """The code someone typed, in its canonical form, or None when it cannot be a code at all."""
    if not isinstance(typed, str) or len(typed) > 40:
        return None
    # Full-width letters and digits (typed with a Chinese input method) read as their ASCII selves.
    text = "".join(chr(ord(c) - 0xFEE0) if "\uff10" <= c <= "\uff5a" else c for c in typed)
    text = text.upper().translate(_SEPARATORS).translate(_TYPED_ALIKE)
    if len(text) != LENGTH or any(c not in ALPHABET for c in text):
        return None
    return text


def display(code: str) -> str:
    """ABCD-EFGH: two groups of four, easy to read aloud and to type."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def _int_env(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise SettingsError(f"{name} must be a whole number") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive")
    return value


@dataclass(frozen=True)
class Limits:
    per_client: int = 5
    overall: int = 100
    window_s: int = 900

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Limits":
        env = os.environ if environ is None else environ
        return cls(_int_env(env, "RESUME_GUESSES_PER_CLIENT", cls.per_client),
                   _int_env(env, "RESUME_GUESSES_GLOBAL", cls.overall),
                   _int_env(env, "RESUME_GUESS_WINDOW_SECONDS", cls.window_s))


@dataclass(frozen=True)
class Redemption:
    """What became of one try: the conversation, or why not (and how long to wait when limited)."""

    conversation_id: Optional[str] = None
    reason: str = "ok"  # ok | malformed | wrong | limited
    retry_after_s: int = 0


class ResumeCodes:
    """Issues, redeems and forgets codes in one database; see the module docstring."""

    def __init__(self, store: ResumeStore, secret: bytes, lifetime: timedelta, limits: Limits = Limits(),
                 clock: Callable[[], datetime] = utcnow):
        self.store = store
        self._code_key = derive_key(secret, "resume-code")
        self._client_key = derive_key(secret, "resume-client")
        self.lifetime = lifetime
        self.limits = limits
        self.clock = clock

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "ResumeCodes":
        return cls(ResumeStore(database_url(environ)), load_secret(environ),
                   timedelta(days=retention_days(environ)), Limits.from_env(environ))

    def _hash(self, code: str) -> str:
        return hmac.new(self._code_key, code.encode("ascii"), hashlib.sha256).hexdigest()

    def issue_code(self, conversation_id: str) -> Tuple[str, datetime]:
        """A fresh code for the conversation, shown grouped, and when it expires."""
        if not isinstance(conversation_id, str) or not conversation_id:
            raise ValueError("a resume code needs the conversation it resumes")
        now = self.clock()
        expires_at = now + self.lifetime
        for _ in range(10):  # a clash in 2^40 is all but impossible; try again if it happens
            code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
            if self.store.add_code(self._hash(code), conversation_id, now, expires_at, CODES_PER_CONVERSATION):
                return display(code), expires_at
        raise RuntimeError("could not find a free resume code")

    def attempt(self, typed: object, client: object) -> Redemption:
        """Tries a code for `client` (its address), within the guess limits."""
        code = normalise(typed)
        if code is None:  # cannot match anything, so it is not a guess worth counting
            return Redemption(reason="malformed")
        now = self.clock()
        client_key = hmac.new(self._client_key, str(client or "unknown").encode("utf-8", "replace"),
                              hashlib.sha256).hexdigest()[:32]
        since = now - timedelta(seconds=self.limits.window_s)
        self.store.purge(now, since)
        # Counted before it is checked, so tries made at the same moment all count.
        attempt_id = self.store.record_attempt(client_key, now)
        wait = self._wait(since, now, client_key)
        if wait:
            self.store.drop_attempt(attempt_id)  # refused unchecked: it does not lengthen the wait
            return Redemption(reason="limited", retry_after_s=wait)
        conversation_id = self.store.lookup(self._hash(code), now, now + self.lifetime)
        if conversation_id is None:
            return Redemption(reason="wrong")
        self.store.drop_attempt(attempt_id)  # only failures count against the limits
        return Redemption(conversation_id)

    def _wait(self, since: datetime, now: datetime, client_key: str) -> int:
        """Seconds until this client may try again (0: now)."""
        waits = []
        for key, limit in ((client_key, self.limits.per_client), (None, self.limits.overall)):
            count, oldest = self.store.attempts_since(since, key)
            if count > limit:
                waits.append(max(1, int((oldest - since).total_seconds()) + 1))
        return max(waits, default=0)

    def redeem(self, typed: object, client: object) -> Optional[str]:
        return self.attempt(typed, client).conversation_id

    def forget(self, conversation_id: str) -> int:
        """Every code of the conversation stops working (on "delete my data", or when it expires)."""
        return self.store.forget(conversation_id)

    def purge_expired(self) -> int:
        now = self.clock()
        return self.store.purge(now, now - timedelta(seconds=self.limits.window_s))


_default: Optional[ResumeCodes] = None
_default_lock = threading.Lock()


def default_codes() -> ResumeCodes:
    """The codes of this process's database (DATABASE_URL), made on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = ResumeCodes.from_env()
        return _default


def issue_code(conversation_id: str) -> Tuple[str, datetime]:
    return default_codes().issue_code(conversation_id)


def redeem(code: object, client: object) -> Optional[str]:
    return default_codes().redeem(code, client)


def attempt(code: object, client: object) -> Redemption:
    return default_codes().attempt(code, client)


def forget(conversation_id: str) -> int:
    return default_codes().forget(conversation_id)
