"""Web sessions the page server issues: a signed, expiring token binds a browser to one conversation.

The conversation id used to be the only credential: whoever sent it could read and change that
conversation. Now the page server (``bot.web.server``) gives each browser an HttpOnly,
SameSite=Strict cookie holding a token signed here; its relay passes the token to Rasa's socket.io
channel (``bot.web.channel``), which checks it again and uses the conversation it names, whatever
session id the socket asks for. Tokens expire with the conversation's retention
(``CONVERSATION_RETENTION_DAYS``, 30 by default) and are renewed while the person keeps coming
back. Nothing is stored: any page server or Rasa replica with the same secret can check a token.

The secret (``WEB_SESSION_SECRET``, at least 32 characters) also keys the hashes of resume codes
(``bot.resume``). In development it is generated once into ``var/web-session.key`` so every
process of ``make run`` shares it; with ``APP_ENV=production`` it must be set.

No Rasa imports: the page server, the channel and the action server all use this module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from bot.settings import VAR_DIR, SettingsError

log = logging.getLogger(__name__)

COOKIE_NAME = "prescreen_session"
RELAY_HEADER = "X-Prescreen-Session"  # how the page server hands the token to Rasa's channel
DEFAULT_RETENTION_DAYS = 30
MIN_SECRET_CHARS = 32
VERSION = "v1"

_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")  # as bot.channels.clean_sender keeps them


def retention_days(environ: Optional[Mapping[str, str]] = None) -> int:
    """CONVERSATION_RETENTION_DAYS: how long an idle conversation (and its session and codes) lasts."""
    env = os.environ if environ is None else environ
    raw = (env.get("CONVERSATION_RETENTION_DAYS") or "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise SettingsError("CONVERSATION_RETENTION_DAYS must be a whole number of days") from None
    if days <= 0:
        raise SettingsError("CONVERSATION_RETENTION_DAYS must be positive")
    return days


def load_secret(environ: Optional[Mapping[str, str]] = None) -> bytes:
    """WEB_SESSION_SECRET, or in development the key kept in var/web-session.key (made once)."""
    env = os.environ if environ is None else environ
    value = (env.get("WEB_SESSION_SECRET") or "").strip()
    if value:
        if len(value) < MIN_SECRET_CHARS:
            raise SettingsError(f"WEB_SESSION_SECRET must be at least {MIN_SECRET_CHARS} characters")
        return value.encode("utf-8")
    if (env.get("APP_ENV") or "").strip().lower() == "production":
        raise SettingsError("WEB_SESSION_SECRET must be set in production")
    path = Path(env.get("WEB_SESSION_SECRET_FILE") or VAR_DIR / "web-session.key")
    return _development_secret(path)


def _development_secret(path: Path) -> bytes:
    """Read the key, or create it atomically (0600) so processes starting together agree on one."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        try:
            os.link(temp, path)  # fails if another process made it first: theirs is kept
            log.warning("WEB_SESSION_SECRET is not set: generated a development key in %s.", path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
    value = path.read_text(encoding="ascii").strip()
    if len(value) < MIN_SECRET_CHARS:
        raise SettingsError(f"{path} does not hold a usable key; delete it to make a new one")
    return value.encode("ascii")


def derive_key(secret: bytes, purpose: str) -> bytes:
    """One key per use of the secret, so a value made for one purpose never verifies for another."""
    return hmac.new(secret, f"prescreen:{purpose}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_conversation_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Session:
    conversation_id: str
    expires_at: int  # Unix time
    token: str = field(repr=False)


class SessionSigner:
    """Issues and checks session tokens: ``v1.<conversation id, base64url>.<expiry>.<HMAC>``."""

    def __init__(self, secret: bytes, lifetime_s: int):
        if lifetime_s <= 0:
            raise ValueError("a session must last a positive time")
        self._key = derive_key(secret, "session")
        self._tag_key = derive_key(secret, "tag")
        self.lifetime_s = lifetime_s

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "SessionSigner":
        return cls(load_secret(environ), retention_days(environ) * 86400)

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest())

    def issue(self, conversation_id: Optional[str] = None, now: Optional[float] = None) -> Session:
        """A token for `conversation_id` (a new conversation when None), valid for the lifetime."""
        conversation_id = conversation_id or new_conversation_id()
        if not _CONVERSATION_ID.match(conversation_id):
            raise ValueError("not a conversation id this assistant issues")
        expires = int((time.time() if now is None else now) + self.lifetime_s)
        body = f"{VERSION}.{_b64(conversation_id.encode('ascii'))}.{expires}"
        return Session(conversation_id, expires, f"{body}.{self._sign(body)}")

    def verify(self, token: object, now: Optional[float] = None) -> Optional[Session]:
        """The session a token stands for, or None when it is malformed, forged or expired."""
        if not isinstance(token, str) or len(token) > 512:
            return None
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != VERSION or not parts[2].isdigit():
            return None
        body = ".".join(parts[:3])
        if not hmac.compare_digest(parts[3], self._sign(body)):
            return None
        expires = int(parts[2])
        if expires <= (time.time() if now is None else now):
            return None
        try:
            conversation_id = _unb64(parts[1]).decode("ascii")
        except (binascii.Error, ValueError):
            return None
        if not _CONVERSATION_ID.match(conversation_id):
            return None
        return Session(conversation_id, expires, token)

    def tag(self, conversation_id: str) -> str:
        """A short name for the conversation that the page may keep: not the id, not a credential."""
        return hmac.new(self._tag_key, conversation_id.encode("utf-8"), hashlib.sha256).hexdigest()[:20]
