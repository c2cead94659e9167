"""The lead store: the only code that reads or writes leads, funnel counts, audit and accounts.

Synchronous on purpose: the action server calls it once per finished conversation and the inbox
serves a handful of coordinators, so plain SQLAlchemy Core statements (always bound parameters,
never string-built SQL) are simpler and safer than an async driver. The same code runs on SQLite
(the default file) and PostgreSQL (``DATABASE_URL``); the store tests run on both.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Union

from sqlalchemy import and_, create_engine, delete, event, func, insert, select, update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.leads.crypto import ContactCipher, parse_keys
from bot.leads.models import (
    audit_log,
    coordinator_sessions,
    coordinators,
    funnel_events,
    lead_notes,
    leads,
    metadata,
    utcnow,
)
from bot.leads.validation import normalise_phone, valid_email, valid_phone
from bot.settings import TRIAL_ID, Settings, normalise_database_url

log = logging.getLogger(__name__)

OUTCOMES = ("likely_eligible", "needs_review")  # the only outcomes that are handed off
RESPONDENTS = ("patient", "guardian", "other")
LANGUAGES = ("en", "zh", "es")
CONTACT_FIELDS = ("name", "phone", "email", "wechat", "time")
REACHABLE_BY = ("phone", "email", "wechat")
MAX_CONTACT_LENGTH = 200
MAX_NOTE_LENGTH = 4000

STATUSES = ("new", "contacted", "screening_scheduled", "enrolled", "not_enrolled")
# new -> contacted -> screening scheduled -> enrolled | not enrolled. Someone who cannot be
# reached or declines after being contacted is "not enrolled" without a screening visit.
TRANSITIONS: Dict[str, tuple] = {
    "new": ("contacted",),
    "contacted": ("screening_scheduled", "not_enrolled"),
    "screening_scheduled": ("enrolled", "not_enrolled"),
    "enrolled": (),
    "not_enrolled": (),
}

FUNNEL_STAGES = (
    "started",
    "finished",
    "likely_eligible",
    "needs_review",
    "not_eligible",
    "consented",
    "contacted",
)


class LeadStoreError(Exception):
    """Base class for store errors the caller is expected to handle."""


class LeadValidationError(LeadStoreError, ValueError):
    """The submission is incomplete or malformed; the message names the field, never its value."""


class LeadNotFound(LeadStoreError, KeyError):
    pass


class InvalidTransition(LeadStoreError, ValueError):
    pass


class CoordinatorExists(LeadStoreError):
    pass


@dataclass(frozen=True)
class UpsertResult:
    lead_id: int
    created: bool


def _clean_text(value: Any, field_name: str, limit: int = MAX_CONTACT_LENGTH) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise LeadValidationError(f"contact {field_name} must be text")
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise LeadValidationError(f"contact {field_name} is too long")
    return value


def validate_contact(contact: Mapping[str, Any]) -> Dict[str, str | None]:
    """Normalise contact details; at least one way to reach the person is required."""
    if not isinstance(contact, Mapping):
        raise LeadValidationError("contact must be a mapping")
    unknown = set(contact) - set(CONTACT_FIELDS)
    if unknown:
        raise LeadValidationError(f"unknown contact fields: {', '.join(sorted(unknown))}")
    cleaned = {f: _clean_text(contact.get(f), f) for f in CONTACT_FIELDS}
    if not any(cleaned[f] for f in REACHABLE_BY):
        raise LeadValidationError("a phone number, e-mail address or WeChat ID is required")
    if cleaned["phone"] is not None:
        if not valid_phone(cleaned["phone"]):
            raise LeadValidationError("contact phone is not a valid phone number")
        cleaned["phone"] = normalise_phone(cleaned["phone"])
    if cleaned["email"] is not None and not valid_email(cleaned["email"]):
        raise LeadValidationError("contact email is not a valid e-mail address")
    return cleaned


def _json_list(value: Any, name: str) -> list:
    if not isinstance(value, (list, tuple)):
        raise LeadValidationError(f"{name} must be a list")
    try:
        json.dumps(list(value))
    except (TypeError, ValueError) as exc:
        raise LeadValidationError(f"{name} must be JSON-serialisable") from exc
    return list(value)


def unknown_documents(packet: Sequence[Mapping[str, Any]]) -> List[Dict[str, str]]:
    """The criteria answered 'unsure', each with the document that would settle it."""
    rows = []
    for row in packet:
        if row.get("verdict") == "unknown":
            rows.append(
                {
                    "id": str(row.get("id", "")),
                    "criterion": str(row.get("criterion", "")),
                    "documents": str(row.get("documents", "")),
                }
            )
    return rows


def _sqlite_pragmas(dbapi_connection, _record):
    # ON DELETE CASCADE only works on SQLite when foreign keys are switched on per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_database_url(url)
    kwargs.setdefault("future", True)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class LeadStore:
    """Leads, funnel, audit trail, coordinator accounts and sessions in one database."""

    def __init__(
        self,
        settings_or_url: Union[Settings, str],
        key: Union[str, bytes, Iterable[Union[str, bytes]], None] = None,
        *,
        trial_id: str | None = None,
        engine: Engine | None = None,
    ):
        if isinstance(settings_or_url, Settings):
            url = settings_or_url.database_url
            key = key if key is not None else settings_or_url.leads_key
            trial_id = trial_id or settings_or_url.trial_id
        else:
            url = settings_or_url
        if key is None:
            raise ValueError("a Fernet key is required (LEADS_KEY)")
        self.trial_id = trial_id or TRIAL_ID
        self.engine = engine or make_engine(url)
        self._cipher = ContactCipher(key)
        # Funnel rows are keyed by an HMAC of the conversation id under each LEADS key, so a
        # key rotation still finds (and deletes) the rows written under the old key.
        self._funnel_keys = [hashlib.sha256(b"funnel-v1:" + k).digest() for k in parse_keys(key)]

    # --- lifecycle ---------------------------------------------------------------------------

    def create_schema(self) -> None:
        """For tests and throwaway databases; real deployments run ``bot.cli db-upgrade``."""
        metadata.create_all(self.engine)

    def drop_schema(self) -> None:
        metadata.drop_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _insert(self, table):
        if self.dialect == "postgresql":
            return pg_dialect.insert(table)
        if self.dialect == "sqlite":
            return sqlite_dialect.insert(table)
        return None

    # --- leads -------------------------------------------------------------------------------

    def upsert_lead(self, conversation_id: str, **fields: Any) -> int:
        """Create the conversation's lead, or update it on a repeated/retried submission
        (same keyword arguments as ``upsert_lead_ex``); returns the lead id."""
        return self.upsert_lead_ex(conversation_id, **fields).lead_id

    def upsert_lead_ex(
        self,
        conversation_id: str,
        *,
        outcome: str,
        failed_criteria: Sequence[str],
        unknown_criteria: Sequence[str],
        packet: Sequence[Mapping[str, Any]],
        respondent: str,
        language: str,
        contact: Mapping[str, Any],
    ) -> UpsertResult:
        """Like ``upsert_lead`` but also says whether this call created the lead (to notify once).

        A single INSERT ... ON CONFLICT (conversation_id) DO UPDATE, so two concurrent retries
        cannot both insert: the unique constraint decides and the loser becomes the update.
        """
        if not isinstance(conversation_id, str) or not conversation_id.strip() or len(conversation_id) > 255:
            raise LeadValidationError("conversation_id must be a non-empty string of at most 255 characters")
        if outcome not in OUTCOMES:
            raise LeadValidationError(f"outcome must be one of {', '.join(OUTCOMES)}")
        if respondent not in RESPONDENTS:
            raise LeadValidationError(f"respondent must be one of {', '.join(RESPONDENTS)}")
        if language not in LANGUAGES:
            raise LeadValidationError(f"language must be one of {', '.join(LANGUAGES)}")
        packet_rows = _json_list(packet, "packet")
        if not all(isinstance(row, Mapping) and "id" in row for row in packet_rows):
            raise LeadValidationError("packet rows must be mappings with an 'id'")
        packet_rows = [dict(row) for row in packet_rows]
        failed = [str(c) for c in _json_list(failed_criteria, "failed_criteria")]
        unknown = [str(c) for c in _json_list(unknown_criteria, "unknown_criteria")]
        cleaned = validate_contact(contact)

        now = utcnow()
        values = {
            "trial_id": self.trial_id,
            "outcome": outcome,
            "respondent": respondent,
            "language": language,
            "failed_criteria": failed,
            "unknown_criteria": unknown,
            "packet": packet_rows,
            **{f"contact_{f}": self._cipher.encrypt(cleaned[f]) for f in CONTACT_FIELDS},
            "updated_at": now,
        }
        insert_values = {
            "conversation_id": conversation_id,
            "status": "new",
            "submissions": 1,
            "created_at": now,
            **values,
        }
        with self.engine.begin() as conn:
            stmt = self._insert(leads)
            if stmt is not None:
                stmt = stmt.values(**insert_values)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[leads.c.conversation_id],
                    set_={
                        **{name: stmt.excluded[name] for name in values},
                        "submissions": leads.c.submissions + 1,
                    },
                )
                conn.execute(stmt)
            else:  # pragma: no cover - other backends: insert, fall back to update
                try:
                    with conn.begin_nested():
                        conn.execute(insert(leads).values(**insert_values))
                except IntegrityError:
                    conn.execute(
                        update(leads)
                        .where(leads.c.conversation_id == conversation_id)
                        .values(submissions=leads.c.submissions + 1, **values)
                    )
            row = conn.execute(
                select(leads.c.id, leads.c.submissions).where(leads.c.conversation_id == conversation_id)
            ).one()
        return UpsertResult(lead_id=row.id, created=row.submissions == 1)

    def _lead_dict(self, row, include_contact: bool) -> Dict[str, Any]:
        lead = {
            "id": row.id,
            "conversation_id": row.conversation_id,
            "trial_id": row.trial_id,
            "outcome": row.outcome,
            "status": row.status,
            "respondent": row.respondent,
            "language": row.language,
            "failed_criteria": list(row.failed_criteria or []),
            "unknown_criteria": list(row.unknown_criteria or []),
            "packet": list(row.packet or []),
            "unknown_documents": unknown_documents(row.packet or []),
            "submissions": row.submissions,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
        if include_contact:
            lead["contact"] = {f: self._cipher.decrypt(getattr(row, f"contact_{f}")) for f in CONTACT_FIELDS}
        return lead

    def get_lead(self, lead_id: int, *, include_contact: bool = True, include_history: bool = True) -> Dict[str, Any] | None:
        """The full packet with decrypted contact details and the status history, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(leads).where(leads.c.id == int(lead_id))).one_or_none()
            if row is None:
                return None
            lead = self._lead_dict(row, include_contact)
            if include_history:
                notes = conn.execute(
                    select(lead_notes).where(lead_notes.c.lead_id == row.id).order_by(lead_notes.c.created_at, lead_notes.c.id)
                ).all()
                lead["history"] = [
                    {
                        "from_status": n.from_status,
                        "to_status": n.to_status,
                        "note": self._cipher.decrypt(n.note),
                        "actor": n.actor,
                        "created_at": n.created_at,
                    }
                    for n in notes
                ]
        return lead

    def get_lead_by_conversation(self, conversation_id: str, **kwargs: Any) -> Dict[str, Any] | None:
        with self.engine.connect() as conn:
            lead_id = conn.execute(select(leads.c.id).where(leads.c.conversation_id == conversation_id)).scalar()
        return None if lead_id is None else self.get_lead(lead_id, **kwargs)

    def list_leads(self, *, include_contact: bool = False, limit: int | None = None) -> List[Dict[str, Any]]:
        """Newest first. Contact details only when asked for (the export), not for the list page."""
        stmt = select(leads).order_by(leads.c.created_at.desc(), leads.c.id.desc())
        if limit is not None:
            stmt = stmt.limit(int(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [self._lead_dict(row, include_contact) for row in rows]

    def count_leads(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(leads)).scalar_one())

    def allowed_transitions(self, status: str) -> tuple:
        return TRANSITIONS.get(status, ())

    def set_status(self, lead_id: int, status: str, note: str | None, actor: str) -> str:
        """Move a lead along the workflow (or, with the same status, just add a note).

        The update is conditional on the status read, so two coordinators acting at once cannot
        both apply a transition from the same state. The change is audited in the same transaction.
        """
        if status not in STATUSES:
            raise InvalidTransition(f"unknown status {status!r}")
        note = (note or "").strip() or None
        if note is not None and len(note) > MAX_NOTE_LENGTH:
            raise LeadValidationError("note is too long")
        if not actor:
            raise LeadValidationError("actor is required")
        with self.engine.begin() as conn:
            row = conn.execute(
                select(leads.c.id, leads.c.status, leads.c.conversation_id).where(leads.c.id == int(lead_id))
            ).one_or_none()
            if row is None:
                raise LeadNotFound(lead_id)
            current = row.status
            if status == current:
                if note is None:
                    raise InvalidTransition("the lead already has this status; add a note to record something")
            elif status not in TRANSITIONS.get(current, ()):
                raise InvalidTransition(f"cannot go from {current} to {status}")
            else:
                result = conn.execute(
                    update(leads)
                    .where(and_(leads.c.id == row.id, leads.c.status == current))
                    .values(status=status, updated_at=utcnow())
                )
                if result.rowcount != 1:
                    raise InvalidTransition("the lead was changed by someone else; reload and try again")
            conn.execute(
                insert(lead_notes).values(
                    lead_id=row.id,
                    from_status=current,
                    to_status=status,
                    note=self._cipher.encrypt(note),
                    actor=actor,
                    created_at=utcnow(),
                )
            )
            detail = f"{current}->{status}" if status != current else "note"
            self._audit(conn, actor, "status" if status != current else "note", row.id, detail)
            if status == "contacted":
                self._record_funnel(conn, row.conversation_id, "contacted")
        return status

    def delete_conversation(self, conversation_id: str, actor: str = "system") -> Dict[str, int]:
        """Forget a conversation: its lead (with notes) and its funnel rows. Audited, without data."""
        with self.engine.begin() as conn:
            lead_ids = [r.id for r in conn.execute(select(leads.c.id).where(leads.c.conversation_id == conversation_id))]
            if lead_ids:
                conn.execute(delete(lead_notes).where(lead_notes.c.lead_id.in_(lead_ids)))
            lead_count = conn.execute(delete(leads).where(leads.c.conversation_id == conversation_id)).rowcount
            funnel_count = conn.execute(
                delete(funnel_events).where(funnel_events.c.conversation_key.in_(self._conversation_keys(conversation_id)))
            ).rowcount
            for lead_id in lead_ids:
                self._audit(conn, actor, "delete", lead_id, "conversation deleted")
        return {"leads": int(lead_count or 0), "funnel": int(funnel_count or 0)}

    # --- funnel ------------------------------------------------------------------------------

    def _conversation_keys(self, conversation_id: str) -> List[str]:
        data = conversation_id.encode("utf-8")
        return [hmac.new(k, data, hashlib.sha256).hexdigest() for k in self._funnel_keys]

    def _record_funnel(self, conn, conversation_id: str, stage: str) -> bool:
        keys = self._conversation_keys(conversation_id)
        values = {"conversation_key": keys[0], "stage": stage, "created_at": utcnow()}
        if len(keys) > 1:  # rotated key: the stage may be recorded under an older key
            exists = conn.execute(
                select(funnel_events.c.id).where(
                    and_(funnel_events.c.conversation_key.in_(keys), funnel_events.c.stage == stage)
                )
            ).first()
            if exists is not None:
                return False
        stmt = self._insert(funnel_events)
        if stmt is not None:
            result = conn.execute(
                stmt.values(**values).on_conflict_do_nothing(index_elements=["conversation_key", "stage"])
            )
            return result.rowcount == 1
        try:  # pragma: no cover - other backends
            with conn.begin_nested():
                conn.execute(insert(funnel_events).values(**values))
            return True
        except IntegrityError:  # pragma: no cover
            return False

    def record_funnel(self, conversation_id: str, stage: str) -> bool:
        """Count a conversation at a stage once; True when this call recorded it."""
        if stage not in FUNNEL_STAGES:
            raise ValueError(f"unknown funnel stage {stage!r}")
        if not isinstance(conversation_id, str) or not conversation_id:
            raise ValueError("conversation_id is required")
        with self.engine.begin() as conn:
            return self._record_funnel(conn, conversation_id, stage)

    def funnel_counts(self) -> Dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(funnel_events.c.stage, func.count()).group_by(funnel_events.c.stage)
            ).all()
        counts = {stage: 0 for stage in FUNNEL_STAGES}
        counts.update({stage: int(n) for stage, n in rows if stage in counts})
        return counts

    # --- audit -------------------------------------------------------------------------------

    @staticmethod
    def _audit(conn, actor: str, action: str, lead_id: int | None, detail: str | None) -> None:
        conn.execute(
            insert(audit_log).values(
                created_at=utcnow(),
                actor=str(actor)[:128],
                action=str(action)[:32],
                lead_id=None if lead_id is None else int(lead_id),
                detail=None if detail is None else str(detail)[:255],
            )
        )

    def audit(self, actor: str, action: str, lead_id: int | None = None, detail: str | None = None) -> None:
        """Record who did what to which lead. Never put contact or health data in ``detail``."""
        with self.engine.begin() as conn:
            self._audit(conn, actor, action, lead_id, detail)

    def audit_many(self, actor: str, action: str, lead_ids: Iterable[int], detail: str | None = None) -> None:
        with self.engine.begin() as conn:
            for lead_id in lead_ids:
                self._audit(conn, actor, action, lead_id, detail)

    def audit_log(self, *, lead_id: int | None = None, limit: int | None = 500) -> List[Dict[str, Any]]:
        stmt = select(audit_log).order_by(audit_log.c.created_at.desc(), audit_log.c.id.desc())
        if lead_id is not None:
            stmt = stmt.where(audit_log.c.lead_id == int(lead_id))
        if limit is not None:
            stmt = stmt.limit(int(limit))
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(stmt)]

    # --- coordinator accounts and sessions ---------------------------------------------------

    def add_coordinator(self, username: str, password_hash: str) -> int:
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    insert(coordinators).values(
                        username=username, password_hash=password_hash, is_active=True, created_at=utcnow()
                    )
                )
                return int(result.inserted_primary_key[0])
        except IntegrityError as exc:
            raise CoordinatorExists(username) from exc

    def set_coordinator_password(self, username: str, password_hash: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(coordinators).where(coordinators.c.username == username).values(password_hash=password_hash)
            )
            if result.rowcount:
                # A new password ends every existing session of that account.
                ids = select(coordinators.c.id).where(coordinators.c.username == username).scalar_subquery()
                conn.execute(delete(coordinator_sessions).where(coordinator_sessions.c.coordinator_id == ids))
            return bool(result.rowcount)

    def get_coordinator(self, username: str) -> Dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(coordinators).where(coordinators.c.username == username)).one_or_none()
        return None if row is None else dict(row._mapping)

    def create_session(
        self, token_hash: str, coordinator_id: int, username: str, csrf_token: str, expires_at: datetime
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(coordinator_sessions).values(
                    token_hash=token_hash,
                    coordinator_id=coordinator_id,
                    username=username,
                    csrf_token=csrf_token,
                    created_at=utcnow(),
                    expires_at=expires_at,
                )
            )

    def get_session(self, token_hash: str, now: datetime | None = None) -> Dict[str, Any] | None:
        """An unexpired session of an active account, or None."""
        now = now or utcnow()
        stmt = (
            select(coordinator_sessions)
            .join(coordinators, coordinators.c.id == coordinator_sessions.c.coordinator_id)
            .where(
                and_(
                    coordinator_sessions.c.token_hash == token_hash,
                    coordinator_sessions.c.expires_at > now,
                    coordinators.c.is_active.is_(True),
                )
            )
        )
        with self.engine.connect() as conn:
            row = conn.execute(stmt).one_or_none()
        return None if row is None else dict(row._mapping)

    def touch_session(self, token_hash: str, expires_at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(coordinator_sessions)
                .where(coordinator_sessions.c.token_hash == token_hash)
                .values(expires_at=expires_at)
            )

    def delete_session(self, token_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(coordinator_sessions).where(coordinator_sessions.c.token_hash == token_hash))

    def purge_expired_sessions(self, now: datetime | None = None) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(coordinator_sessions).where(coordinator_sessions.c.expires_at <= (now or utcnow()))
            )
        return int(result.rowcount or 0)
