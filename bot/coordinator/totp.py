"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30-second steps) with the
standard library only: the codes every authenticator app (FreeOTP, Google Authenticator,
Microsoft Authenticator, 1Password ...) shows for an ``otpauth://`` URI."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

DIGITS = 6
STEP_SECONDS = 30
DRIFT_STEPS = 1  # accept the previous and next code too: phone clocks drift


def new_secret() -> str:
    """160 random bits, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    compact = secret.replace(" ", "").upper()
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


def code_at(secret: str, step: int, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """HOTP (RFC 4226) of ``step``: dynamic truncation of HMAC(secret, step)."""
    mac = hmac.new(_key(secret), struct.pack(">Q", int(step)), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def totp(secret: str, now: float | None = None) -> str:
    return code_at(secret, current_step(now))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step ``code`` belongs to (within the drift window), or None. Compared in constant
    time; the caller must refuse a step already used (``LeadStore.accept_totp_step``)."""
    code = (code or "").replace(" ", "").strip()
    if len(code) != DIGITS or not code.isdigit():
        return None
    here = current_step(now)
    found = None
    for step in range(here - DRIFT_STEPS, here + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code) and found is None:
            found = step
    return found


def provisioning_uri(secret: str, account: str, issuer: str = "Trial pre-screening inbox") -> str:
    """``otpauth://totp/...`` for a QR code or for pasting into an authenticator app."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS,
                       "period": STEP_SECONDS}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"
