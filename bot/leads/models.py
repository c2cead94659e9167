"""Tables of the lead store (SQLAlchemy 1.4 Core).

Core tables rather than ORM classes: the store is a handful of explicit statements, which keeps
every query visibly parameterised and identical on SQLite and PostgreSQL. The Alembic revisions
in ``migrations/`` must create exactly these tables; ``tests/test_leads_migrations.py`` checks it.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
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


# A lead: the packet a coordinator needs. Contact columns hold Fernet tokens, never plain text.
leads = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(255), nullable=False),
    Column("trial_id", String(64), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("status", String(32), nullable=False, default="new"),
    Column("respondent", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("failed_criteria", JSON, nullable=False),
    Column("unknown_criteria", JSON, nullable=False),
    Column("packet", JSON, nullable=False),
    Column("contact_name", Text),
    Column("contact_phone", Text),
    Column("contact_email", Text),
    Column("contact_wechat", Text),
    Column("contact_time", Text),
    # How many times the conversation submitted; 1 means this upsert created the lead.
    Column("submissions", Integer, nullable=False, default=1),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("conversation_id", name="uq_leads_conversation_id"),
    Index("ix_leads_created_at", "created_at"),
)

# Status changes and notes; the note is encrypted because coordinators write names into it.
lead_notes = Table(
    "lead_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
    Column("from_status", String(32), nullable=False),
    Column("to_status", String(32), nullable=False),
    Column("note", Text),
    Column("actor", String(128), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_lead_notes_lead_id", "lead_id"),
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
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_coordinator_sessions_expires_at", "expires_at"),
)

ALL_TABLES = (leads, lead_notes, funnel_events, audit_log, coordinators, coordinator_sessions)
