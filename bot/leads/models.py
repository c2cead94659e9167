"""Tables of the lead store (SQLAlchemy 1.4 Core).

Core tables rather than ORM classes: the store is a handful of explicit statements, which keeps
every query visibly parameterised and identical on SQLite and PostgreSQL. The Alembic revisions
in ``migrations/`` must create exactly these tables; ``tests/pure/test_leads_migrations.py`` checks it.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: SQLite has no time zones, so store one convention."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


# A lead: what a coordinator needs, and nothing of it readable without LEADS_KEY. Everything the
# person said or was told (outcome, answers, criteria, contact details, a question's message) is
# one Fernet-encrypted JSON document in ``payload``; only workflow columns stay in the clear.
# ``kind`` is "screening" (one per conversation) or "question" (a message for the coordinator).
leads = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(255), nullable=False),
    Column("kind", String(16), nullable=False, default="screening"),
    Column("trial_id", String(64), nullable=False),
    Column("status", String(32), nullable=False, default="new"),
    Column("payload", Text, nullable=False),
    # How many times the conversation submitted; also the version an update is conditional on.
    Column("submissions", Integer, nullable=False, default=1),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("conversation_id", "kind", name="uq_leads_conversation_id_kind"),
    Index("ix_leads_created_at", "created_at"),
    # The id is the reference a person is told ("reference #12"): SQLite must never hand a
    # deleted lead's id to the next person (PostgreSQL's sequence never does).
    sqlite_autoincrement=True,
)

# The lead's history: status changes, notes (``note`` is encrypted: coordinators write names into
# it) and updates the person made ("updated": which fields changed, encrypted the same way).
lead_notes = Table(
    "lead_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False, default="status"),
    Column("from_status", String(32), nullable=False),
    Column("to_status", String(32), nullable=False),
    Column("note", Text),
    Column("actor", String(128), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_lead_notes_lead_id", "lead_id"),
)

# Contact details typed during a hand-off, kept here (encrypted, keyed by a hash of the
# conversation) instead of in the conversation store until the person confirms; purged after
# ``CONTACT_DRAFT_HOURS``.
contact_drafts = Table(
    "contact_drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_key", String(64), nullable=False),
    Column("field", String(16), nullable=False),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("conversation_key", "field", name="uq_contact_drafts_conversation_key_field"),
    Index("ix_contact_drafts_updated_at", "updated_at"),
)

# One row per conversation and stage. The conversation is kept only as a keyed hash, so the
# funnel holds counts' raw material and nothing that points back at a person.
funnel_events = Table(
    "funnel_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_key", String(64), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("conversation_key", "stage", name="uq_funnel_events_conversation_key_stage"),
)

# Who viewed, exported, changed or deleted which lead. No foreign key: the trail outlives the lead.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("lead_id", Integer),
    Column("detail", String(255)),
    Index("ix_audit_log_lead_id", "lead_id"),
)

coordinators = Table(
    "coordinators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("is_active", Boolean, nullable=False, default=True),
    # RFC 6238 secret, Fernet-encrypted; NULL until enrolled (``bot.cli enroll-totp``).
    Column("totp_secret", Text),
    # The last time step a code was accepted for, so a code cannot be used twice.
    Column("totp_last_step", BigInteger),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("username", name="uq_coordinators_username"),
)

# Server-side sessions: only a keyed hash of the cookie token is stored, so a database copy
# cannot be replayed as a login.
coordinator_sessions = Table(
    "coordinator_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("coordinator_id", Integer, ForeignKey("coordinators.id", ondelete="CASCADE"), nullable=False),
    Column("username", String(64), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    # True between a correct password and a correct two-factor code: such a session opens
    # nothing but the code form.
    Column("mfa_pending", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_coordinator_sessions_expires_at", "expires_at"),
)

ALL_TABLES = (leads, lead_notes, contact_drafts, funnel_events, audit_log, coordinators, coordinator_sessions)
