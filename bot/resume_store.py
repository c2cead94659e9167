"""Tables and statements behind resume codes (``bot.resume``), in the lead store's database.

Two small tables, created by the Alembic revision ``0003_resume_codes``: the codes, kept only as
keyed hashes with the conversation they resume and when they expire, and recent failed guesses,
kept only as a keyed hash of the client's address, for rate limiting. Synchronous SQLAlchemy Core
like ``bot.leads.store``, on the same engine settings, so it runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Mapping, Optional

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.leads.models import NAMING_CONVENTION, UTCDateTime
from bot.leads.store import make_engine
from bot.settings import default_database_url, normalise_database_url

metadata = MetaData(naming_convention=NAMING_CONVENTION)

resume_codes = Table(
    "resume_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("conversation_id", String(255), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_resume_codes_conversation_id", "conversation_id"),
    Index("ix_resume_codes_expires_at", "expires_at"),
)

resume_attempts = Table(
    "resume_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_key", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_resume_attempts_client_key", "client_key"),
    Index("ix_resume_attempts_created_at", "created_at"),
)

ALL_TABLES = (resume_codes, resume_attempts)


def database_url(environ: Optional[Mapping[str, str]] = None) -> str:
    """The lead store's URL (DATABASE_URL, else var/leads.db), read with bot.settings' own helpers
    but without loading the contact-details key, which the page server has no business holding."""
    env = os.environ if environ is None else environ
    return normalise_database_url((env.get("DATABASE_URL") or "").strip() or default_database_url())


class ResumeStore:
    """The statements; ``bot.resume.ResumeCodes`` decides what they mean."""

    def __init__(self, url: str, engine: Optional[Engine] = None):
        self.engine = engine or make_engine(url)

    def create_schema(self) -> None:
        """For tests and throwaway databases; real ones are migrated (``bot.cli db-upgrade``)."""
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def add_code(self, code_hash: str, conversation_id: str, now: datetime, expires_at: datetime,
                 keep: int) -> bool:
        """Stores a code; False when that hash is taken. Only the newest `keep` codes stay live."""
        with self.engine.begin() as conn:
            try:
                conn.execute(insert(resume_codes).values(
                    code_hash=code_hash, conversation_id=conversation_id, created_at=now, expires_at=expires_at))
            except IntegrityError:
                return False
            newest = select(resume_codes.c.code_hash).where(resume_codes.c.conversation_id == conversation_id) \
                .order_by(resume_codes.c.created_at.desc(), resume_codes.c.code_hash).limit(keep)
            conn.execute(delete(resume_codes).where(resume_codes.c.conversation_id == conversation_id,
                                                    resume_codes.c.code_hash.not_in(newest.scalar_subquery())))
        return True

    def lookup(self, code_hash: str, now: datetime, extend_to: datetime) -> Optional[str]:
        """The conversation a live code resumes (its life renewed), or None."""
        with self.engine.begin() as conn:
            row = conn.execute(select(resume_codes.c.conversation_id).where(
                resume_codes.c.code_hash == code_hash, resume_codes.c.expires_at > now)).first()
            if row is None:
                return None
            conn.execute(update(resume_codes).where(resume_codes.c.code_hash == code_hash)
                         .values(expires_at=extend_to))
            return row[0]

    def forget(self, conversation_id: str) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(resume_codes).where(resume_codes.c.conversation_id == conversation_id)).rowcount

    def purge(self, now: datetime, attempts_before: datetime) -> int:
        with self.engine.begin() as conn:
            codes = conn.execute(delete(resume_codes).where(resume_codes.c.expires_at <= now)).rowcount
            conn.execute(delete(resume_attempts).where(resume_attempts.c.created_at < attempts_before))
            return codes

    def record_attempt(self, client_key: str, now: datetime) -> int:
        with self.engine.begin() as conn:
            return conn.execute(insert(resume_attempts).values(client_key=client_key, created_at=now)) \
                .inserted_primary_key[0]

    def drop_attempt(self, attempt_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(resume_attempts).where(resume_attempts.c.id == attempt_id))

    def attempts_since(self, since: datetime, client_key: Optional[str] = None) -> tuple:
        """(how many attempts since `since`, the oldest one's time) for one client or everyone."""
        query = select(func.count(), func.min(resume_attempts.c.created_at)).where(resume_attempts.c.created_at >= since)
        if client_key is not None:
            query = query.where(resume_attempts.c.client_key == client_key)
        with self.engine.connect() as conn:
            count, oldest = conn.execute(query).one()  # MIN() keeps the column's type: aware UTC
        return count, oldest
