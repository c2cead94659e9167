"""Deployment settings, read once from the environment.

One small frozen object so the action server, the coordinator inbox and the CLI agree on where
the lead store lives and how it is protected. Every value has a safe development default; the
only secret that must exist is the Fernet key for contact details, which is generated into
``var/leads.key`` in development so a fresh checkout works, and is required in production
(``APP_ENV=production``) because a generated key on a server would be lost with the disk.

Environment variables
---------------------
``APP_ENV``              ``development`` (default) or ``production``.
``DATABASE_URL``         SQLAlchemy URL; default ``sqlite:///<repo>/var/leads.db``.
                         ``postgres://`` is accepted and rewritten to ``postgresql://``.
``LEADS_KEY``            Fernet key(s) for contact fields; comma-separated for rotation
                         (the first encrypts, all decrypt).
``LEADS_KEY_FILE``       Where the development key is kept; default ``<repo>/var/leads.key``.
``SMTP_HOST``            Notification e-mail is off while this is unset.
``SMTP_PORT``            Default 25.
``SMTP_FROM``            Sender address; default ``prescreen@localhost``.
``SMTP_USERNAME`` / ``SMTP_PASSWORD``  Optional SMTP login.
``SMTP_STARTTLS``        ``1``/``true`` to upgrade the connection with STARTTLS.
``COORDINATOR_EMAIL``    Recipient of new-lead notifications.
``INBOX_BASE_URL``       Public base URL of the inbox, used in e-mail links; default
                         ``http://127.0.0.1:<COORDINATOR_PORT>``.
``COORDINATOR_HOST`` / ``COORDINATOR_PORT``  Where ``bot.cli serve-coordinator`` listens
                         (127.0.0.1:5070: the inbox is meant to sit behind a TLS proxy). 5070
                         is on neither Chromium's nor Firefox's blocked-port list (5060, SIP, is).
``INBOX_PROXIES_COUNT``  How many proxies in front of the inbox set ``X-Forwarded-For``
                         (default 0); login throttling per client address needs the real one.
``INBOX_TIME_ZONE``      Time zone the inbox shows times in; default ``Asia/Shanghai``.
``INBOX_REQUIRE_TOTP``   Two-factor sign-in for every coordinator; default on (``0`` to turn off).
``INBOX_PURGE_SECONDS``  How often the inbox purges expired sessions and drafts; default 300.
``CONTACT_DRAFT_HOURS``  Contact details typed but not yet confirmed are kept (encrypted) this
                         long, then purged; default 24.
``SESSION_SECRET``       Keys the hashes of session tokens kept in the database; random
                         per process when unset (sessions then end on restart).
``SESSION_TTL_MINUTES``  Idle time after which a coordinator session expires; default 30.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta, timezone, tzinfo
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = REPO_ROOT / "var"

TRIAL_ID = "gobroad-cik-ball-2024"
DEFAULT_COORDINATOR_PORT = 5070
DEFAULT_TIME_ZONE = "Asia/Shanghai"
TRIAL_TITLE = (
    "CIK Cell Therapy for Relapsed or Refractory Acute B-Lymphoblastic Leukemia: "
    "Prognostic Impact on Patients With Early CAR-T Cell Dysfunction"
)


class SettingsError(RuntimeError):
    """A setting is missing or malformed in a way that must stop start-up."""


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _number(env: Mapping[str, str], name: str, default, cast=int):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return cast(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be {'an integer' if cast is int else 'a number'}") from exc


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return _number(env, name, default, int)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, float)


def load_time_zone(name: str) -> tzinfo:
    """The IANA zone; without the system's zone database the default (no DST since 1991) still works."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        if name == DEFAULT_TIME_ZONE:
            return timezone(timedelta(hours=8), "CST")
        raise SettingsError(f"INBOX_TIME_ZONE {name!r} is not a known time zone") from exc


def private_dir(path: Path) -> Path:
    """Create our own data directory (var/) readable by this user only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def normalise_database_url(url: str) -> str:
    """SQLAlchemy 1.4 dropped the ``postgres://`` alias that hosting providers still hand out."""
    if url.startswith("postgres://"):
        return "postgresql://" + url[len("postgres://"):]
    return url


def default_database_url() -> str:
    private_dir(VAR_DIR)
    return f"sqlite:///{VAR_DIR / 'leads.db'}"


def development_key(path: Path) -> str:
    """Read, or create with 0600 permissions, the development Fernet key."""
    from cryptography.fernet import Fernet

    if path.exists():
        return path.read_text(encoding="ascii").strip()
    if path.parent == VAR_DIR:
        private_dir(path.parent)
    else:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Fernet.generate_key().decode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    log.warning(
        "LEADS_KEY is not set: generated a development key in %s. Set LEADS_KEY in production; "
        "losing this file makes stored contact details unreadable.",
        path,
    )
    return key


@dataclass(frozen=True)
class Settings:
    """Everything the lead store, notifier and inbox need; build it with ``Settings.from_env()``."""

    database_url: str
    leads_key: str = field(repr=False)
    app_env: str = "development"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "prescreen@localhost"
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = False
    coordinator_email: str | None = None
    inbox_base_url: str = f"http://127.0.0.1:{DEFAULT_COORDINATOR_PORT}"
    coordinator_host: str = "127.0.0.1"
    coordinator_port: int = DEFAULT_COORDINATOR_PORT
    inbox_proxies_count: int = 0
    inbox_time_zone: str = DEFAULT_TIME_ZONE
    require_totp: bool = True
    purge_interval_seconds: float = 300.0
    contact_draft_hours: float = 24.0
    session_secret: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    session_ttl_minutes: int = 30
    trial_id: str = TRIAL_ID
    trial_title: str = TRIAL_TITLE

    @property
    def notifications_enabled(self) -> bool:
        return bool(self.smtp_host and self.coordinator_email)

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def time_zone(self) -> tzinfo:
        return load_time_zone(self.inbox_time_zone)

    @property
    def secure_cookies(self) -> bool:
        return self.inbox_base_url.lower().startswith("https://")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        app_env = env.get("APP_ENV", "development").strip().lower() or "development"
        database_url = normalise_database_url(env.get("DATABASE_URL", "").strip() or default_database_url())

        leads_key = env.get("LEADS_KEY", "").strip()
        if not leads_key:
            if app_env == "production":
                raise SettingsError("LEADS_KEY must be set in production")
            key_file = Path(env.get("LEADS_KEY_FILE", "") or VAR_DIR / "leads.key")
            leads_key = development_key(key_file)

        session_secret = env.get("SESSION_SECRET", "").strip()
        if not session_secret:
            if app_env == "production":
                raise SettingsError("SESSION_SECRET must be set in production")
            session_secret = secrets.token_hex(32)

        ttl = _int(env, "SESSION_TTL_MINUTES", 30)
        if ttl <= 0:
            raise SettingsError("SESSION_TTL_MINUTES must be positive")
        time_zone = env.get("INBOX_TIME_ZONE", "").strip() or DEFAULT_TIME_ZONE
        load_time_zone(time_zone)
        purge = _float(env, "INBOX_PURGE_SECONDS", 300.0)
        draft_hours = _float(env, "CONTACT_DRAFT_HOURS", 24.0)
        if purge <= 0 or draft_hours <= 0:
            raise SettingsError("INBOX_PURGE_SECONDS and CONTACT_DRAFT_HOURS must be positive")
        port = _int(env, "COORDINATOR_PORT", DEFAULT_COORDINATOR_PORT)
        totp = env.get("INBOX_REQUIRE_TOTP", "").strip()

        return cls(
            database_url=database_url,
            leads_key=leads_key,
            app_env=app_env,
            smtp_host=env.get("SMTP_HOST", "").strip() or None,
            smtp_port=_int(env, "SMTP_PORT", 25),
            smtp_from=env.get("SMTP_FROM", "").strip() or "prescreen@localhost",
            smtp_username=env.get("SMTP_USERNAME", "").strip() or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_starttls=_truthy(env.get("SMTP_STARTTLS")),
            coordinator_email=env.get("COORDINATOR_EMAIL", "").strip() or None,
            inbox_base_url=(env.get("INBOX_BASE_URL", "").strip() or f"http://127.0.0.1:{port}").rstrip("/"),
            coordinator_host=env.get("COORDINATOR_HOST", "").strip() or "127.0.0.1",
            coordinator_port=port,
            inbox_proxies_count=_int(env, "INBOX_PROXIES_COUNT", 0),
            inbox_time_zone=time_zone,
            require_totp=_truthy(totp) if totp else True,
            purge_interval_seconds=purge,
            contact_draft_hours=draft_hours,
            session_secret=session_secret,
            session_ttl_minutes=ttl,
        )
