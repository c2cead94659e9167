"""The lead store: the only code that reads or writes leads, funnel counts, audit and accounts.

Synchronous on purpose: the action server calls it a few times per conversation and the inbox
serves a handful of coordinators, so plain SQLAlchemy Core statements (always bound parameters,
never string-built SQL) are simpler and safer than an async driver. The same code runs on SQLite
(the default file) and PostgreSQL (``DATABASE_URL``); the store tests run on both.

A lead's content is one encrypted JSON document (``payload``); see ``bot/leads/models.py``.
Accounts and sessions are in ``accounts.py``, contact drafts in ``drafts.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Tuple, Union

from sqlalchemy import and_, create_engine, delete, event, func, insert, select, update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine, make_url

from bot.leads.accounts import AccountsMixin
from bot.leads.contact import CONTACT_FIELDS, clean_text, validate_contact
from bot.leads.crypto import LeadCipher, parse_keys
from bot.leads.drafts import MAX_MESSAGE_LENGTH as MAX_QUESTION_LENGTH
from bot.leads.drafts import DraftsMixin
from bot.leads.errors import (
    ContactChangeRefused,
    CoordinatorExists,
    InvalidTransition,
    LeadNotFound,
    LeadStoreError,
    LeadValidationError,
)
from bot.leads.models import audit_log, funnel_events, lead_notes, leads, metadata, utcnow
from bot.leads.validation import to_e164, valid_phone
from bot.settings import TRIAL_ID, Settings, normalise_database_url

log = logging.getLogger(__name__)

__all__ = [
    "CONTACT_FIELDS", "FUNNEL_STAGES", "KINDS", "STATUSES", "TRANSITIONS", "ContactChangeRefused",
    "CoordinatorExists", "ExistingLead", "InvalidTransition", "LeadNotFound", "LeadStore", "LeadStoreError",
    "LeadValidationError", "UpsertResult", "make_engine", "validate_contact",
]

OUTCOMES = ("likely_eligible", "needs_review")  # the only outcomes that are handed off
ALL_OUTCOMES = ("likely_eligible", "needs_review", "not_eligible")
RESPONDENTS = ("patient", "guardian", "other")
LANGUAGES = ("en", "zh", "es")
KINDS = ("screening", "question")
MAX_NOTE_LENGTH = 4000

PERSON = "the person"  # the actor of updates the person made from the conversation

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
# What changed in a re-submission, in words for the history ("phone", "answers", ...).
_CHANGE_LABELS = {
    "outcome": "outcome", "failed_criteria": "answers", "unknown_criteria": "answers", "packet": "answers",
    "respondent": "answers", "language": "language", "messages": "message",
}


@dataclass(frozen=True)
class UpsertResult:
    lead_id: int
    created: bool
    changed: Tuple[str, ...] = ()  # on an update: the contact fields and "answers"/"message" that changed


@dataclass(frozen=True)
class ExistingLead:
    """What the bot needs to ask "replace the details you sent on ...?"."""

    lead_id: int
    created_at: datetime
    contact_fields: Tuple[str, ...]  # the contact fields that are set, in CONTACT_FIELDS order
    kind: str = "screening"


def _json_list(value: Any, name: str) -> list:
    if not isinstance(value, (list, tuple)):
        raise LeadValidationError(f"{name} must be a list")
    try:
        return json.loads(json.dumps(list(value)))
    except (TypeError, ValueError) as exc:
        raise LeadValidationError(f"{name} must be JSON-serialisable") from exc


def _choice(value: Any, name: str, allowed: Sequence[str], optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if value not in allowed:
        raise LeadValidationError(f"{name} must be one of {', '.join(allowed)}")
    return value


def _conversation_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise LeadValidationError("conversation_id must be a non-empty string of at most 255 characters")
    return value


def unknown_documents(packet: Sequence[Mapping[str, Any]]) -> List[Dict[str, str]]:
    """The criteria answered 'unsure', each with the document that would settle it."""
    return [
        {"id": str(row.get("id", "")), "criterion": str(row.get("criterion", "")), "documents": str(row.get("documents", ""))}
        for row in packet
        if row.get("verdict") == "unknown"
    ]


def _merge_question(old: Dict[str, Any], new: Dict[str, Any]) -> Dict[str, Any]:
    """A further question from the same conversation is added to its question lead."""
    messages = list(old.get("messages") or [])
    latest = new["messages"][-1]
    if not messages or messages[-1].get("text") != latest["text"]:
        messages.append(latest)
    return {**new, "messages": messages}


def _sqlite_pragmas(dbapi_connection, _record):
    # ON DELETE CASCADE only works on SQLite when foreign keys are switched on per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def private_sqlite_file(url: str) -> None:
    """Create the SQLite file (and a missing directory) readable by this user only: 0600 / 0700.

    SQLite would create it with the umask (usually 0644) and its journals copy that mode. An
    existing file is tightened to 0600 too; an existing directory is left alone (it may be /tmp).
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_database_url(url)
    kwargs.setdefault("future", True)
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        kwargs.setdefault("connect_args", {"timeout": 30})
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class LeadStore(AccountsMixin, DraftsMixin):
    """Leads, funnel, audit trail, drafts, coordinator accounts and sessions in one database."""

    def __init__(
        self,
        settings_or_url: Union[Settings, str],
        key: Union[str, bytes, Iterable[Union[str, bytes]], None] = None,
        *,
        trial_id: str | None = None,
        engine: Engine | None = None,
        draft_ttl_hours: float | None = None,
    ):
        if isinstance(settings_or_url, Settings):
            url = settings_or_url.database_url
            key = key if key is not None else settings_or_url.leads_key
            trial_id = trial_id or settings_or_url.trial_id
            if draft_ttl_hours is None:
                draft_ttl_hours = settings_or_url.contact_draft_hours
        else:
            url = settings_or_url
        if key is None:
            raise ValueError("a Fernet key is required (LEADS_KEY)")
        self.trial_id = trial_id or TRIAL_ID
        self.draft_ttl = timedelta(hours=24 if draft_ttl_hours is None else draft_ttl_hours)
        self.engine = engine or make_engine(url)
        self._cipher = LeadCipher(key)
        # Conversations appear in the funnel and drafts only as an HMAC under each LEADS key, so a
        # key rotation still finds (and deletes) the rows written under the old key.
        raw_keys = parse_keys(key)
        self._hash_keys = {
            purpose: [hashlib.sha256(f"{purpose}-v1:".encode() + k).digest() for k in raw_keys]
            for purpose in ("funnel", "draft")
        }

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
        return (pg_dialect if self.dialect == "postgresql" else sqlite_dialect).insert(table)

    def _conversation_keys(self, conversation_id: str, purpose: str = "funnel") -> List[str]:
        data = conversation_id.encode("utf-8")
        return [hmac.new(k, data, hashlib.sha256).hexdigest() for k in self._hash_keys[purpose]]

    # --- writing leads -----------------------------------------------------------------------

    def upsert_lead(self, conversation_id: str, **fields: Any) -> int:
        """``upsert_lead_ex`` returning only the lead id."""
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
        replace: bool = False,
    ) -> UpsertResult:
        """Create the conversation's screening lead, or update it on a re-submission.

        An identical retry changes nothing. New answers are recorded as an update. Different
        contact details raise ``ContactChangeRefused`` unless ``replace`` is true (the person
        agreed to replace them); then they replace the old ones and the history says what changed.
        """
        _conversation_id(conversation_id)
        packet_rows = _json_list(packet, "packet")
        if not all(isinstance(row, dict) and "id" in row for row in packet_rows):
            raise LeadValidationError("packet rows must be mappings with an 'id'")
        document = {
            "outcome": _choice(outcome, "outcome", OUTCOMES),
            "respondent": _choice(respondent, "respondent", RESPONDENTS),
            "language": _choice(language, "language", LANGUAGES),
            "failed_criteria": [str(c) for c in _json_list(failed_criteria, "failed_criteria")],
            "unknown_criteria": [str(c) for c in _json_list(unknown_criteria, "unknown_criteria")],
            "packet": packet_rows,
        }
        return self._save(conversation_id, "screening", document, validate_contact(contact), replace=replace)

    def save_question(
        self,
        conversation_id: str,
        *,
        message: str,
        contact: Mapping[str, Any],
        language: str,
        respondent: str | None = None,
        outcome: str | None = None,
    ) -> UpsertResult:
        """A short message for the coordinator and a way to reach the person (any outcome, or none).
        One question lead per conversation: a further message is added to it as an update."""
        _conversation_id(conversation_id)
        text = clean_text(message, "message", MAX_QUESTION_LENGTH)
        if text is None:
            raise LeadValidationError("message is required")
        document = {
            "outcome": _choice(outcome, "outcome", ALL_OUTCOMES, optional=True),
            "respondent": _choice(respondent, "respondent", RESPONDENTS, optional=True),
            "language": _choice(language, "language", LANGUAGES),
            "failed_criteria": [], "unknown_criteria": [], "packet": [],
            "messages": [{"text": text, "at": utcnow().isoformat(timespec="seconds")}],
        }
        return self._save(conversation_id, "question", document, validate_contact(contact), replace=True,
                          merge=_merge_question)

    def _save(self, conversation_id: str, kind: str, document: Dict[str, Any], contact: Dict[str, Any], *,
              replace: bool, merge=None) -> UpsertResult:
        """Insert, or compare and update, in one transaction. The insert is ON CONFLICT DO NOTHING
        on (conversation_id, kind), so concurrent retries cannot both create; the row is then read
        (locked on PostgreSQL; SQLite already holds the write lock) and compared."""
        now = utcnow()
        with self.engine.begin() as conn:
            inserted = conn.execute(
                self._insert(leads)
                .values(conversation_id=conversation_id, kind=kind, trial_id=self.trial_id, status="new",
                        payload=self._cipher.encrypt_json({**document, "contact": contact}), submissions=1,
                        created_at=now, updated_at=now)
                .on_conflict_do_nothing(index_elements=["conversation_id", "kind"])
            )
            query = select(leads).where(and_(leads.c.conversation_id == conversation_id, leads.c.kind == kind))
            if self.dialect == "postgresql":
                query = query.with_for_update()
            row = conn.execute(query).one()
            if inserted.rowcount == 1:
                return UpsertResult(lead_id=row.id, created=True)
            old = self._cipher.decrypt_json(row.payload)
            old_contact = old.get("contact") or {}
            new = merge(old, document) if merge else document
            changed = [f for f in CONTACT_FIELDS if old_contact.get(f) != contact.get(f)]
            if changed and not replace:
                raise ContactChangeRefused(self._existing(row, old_contact))
            for key, label in _CHANGE_LABELS.items():
                if old.get(key) != new.get(key) and label not in changed:
                    changed.append(label)
            if not changed:
                return UpsertResult(lead_id=row.id, created=False)
            conn.execute(
                update(leads).where(leads.c.id == row.id).values(
                    payload=self._cipher.encrypt_json({**new, "contact": contact}),
                    submissions=row.submissions + 1, updated_at=now)
            )
            conn.execute(insert(lead_notes).values(
                lead_id=row.id, kind="updated", from_status=row.status, to_status=row.status,
                note=self._cipher.encrypt_json({"changed": changed}), actor=PERSON, created_at=now))
            self._audit(conn, PERSON, "updated", row.id, ", ".join(changed))
        return UpsertResult(lead_id=row.id, created=False, changed=tuple(changed))

    # --- reading leads -----------------------------------------------------------------------

    @staticmethod
    def _existing(row, contact: Mapping[str, Any]) -> ExistingLead:
        return ExistingLead(lead_id=row.id, created_at=row.created_at, kind=row.kind,
                            contact_fields=tuple(f for f in CONTACT_FIELDS if contact.get(f)))

    def existing_lead(self, conversation_id: str, kind: str = "screening") -> ExistingLead | None:
        """The conversation's lead, if it has one: id, when it was sent, which contact fields are set."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(leads).where(and_(leads.c.conversation_id == conversation_id, leads.c.kind == kind))
            ).one_or_none()
        if row is None:
            return None
        return self._existing(row, self._cipher.decrypt_json(row.payload).get("contact") or {})

    def _lead_dict(self, row, include_contact: bool) -> Dict[str, Any]:
        doc = self._cipher.decrypt_json(row.payload)
        packet = list(doc.get("packet") or [])
        lead = {
            "id": row.id,
            "kind": row.kind,
            "conversation_id": row.conversation_id,
            "trial_id": row.trial_id,
            "status": row.status,
            "outcome": doc.get("outcome"),
            "respondent": doc.get("respondent"),
            "language": doc.get("language"),
            "failed_criteria": list(doc.get("failed_criteria") or []),
            "unknown_criteria": list(doc.get("unknown_criteria") or []),
            "packet": packet,
            "unknown_documents": unknown_documents(packet),
            "messages": list(doc.get("messages") or []),
            "submissions": row.submissions,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
        if include_contact:
            contact = doc.get("contact") or {}
            lead["contact"] = {f: contact.get(f) for f in CONTACT_FIELDS}
            if valid_phone(lead["contact"]["phone"]):  # rows from before phones were stored as E.164
                lead["contact"]["phone"] = to_e164(lead["contact"]["phone"])
        return lead

    def _history(self, conn, lead_ids: Sequence[int]) -> Dict[int, List[Dict[str, Any]]]:
        rows = conn.execute(
            select(lead_notes).where(lead_notes.c.lead_id.in_(list(lead_ids)))
            .order_by(lead_notes.c.created_at, lead_notes.c.id)
        ).all() if lead_ids else []
        history: Dict[int, List[Dict[str, Any]]] = {i: [] for i in lead_ids}
        for n in rows:
            entry = {"kind": n.kind, "from_status": n.from_status, "to_status": n.to_status, "note": None,
                     "changed": [], "actor": n.actor, "created_at": n.created_at}
            if n.kind == "updated":
                entry["changed"] = list((self._cipher.decrypt_json(n.note) or {}).get("changed") or [])
            else:
                entry["note"] = self._cipher.decrypt(n.note)
            history[n.lead_id].append(entry)
        return history

    def get_lead(self, lead_id: int, *, include_contact: bool = True, include_history: bool = True) -> Dict[str, Any] | None:
        """The whole lead, decrypted, with its history (status changes, notes, updates), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(leads).where(leads.c.id == int(lead_id))).one_or_none()
            if row is None:
                return None
            lead = self._lead_dict(row, include_contact)
            if include_history:
                lead["history"] = self._history(conn, [row.id])[row.id]
                lead["updates"] = [h for h in lead["history"] if h["kind"] == "updated"]
        return lead

    def get_lead_by_conversation(self, conversation_id: str, kind: str = "screening", **kwargs: Any) -> Dict[str, Any] | None:
        with self.engine.connect() as conn:
            lead_id = conn.execute(select(leads.c.id).where(
                and_(leads.c.conversation_id == conversation_id, leads.c.kind == kind))).scalar()
        return None if lead_id is None else self.get_lead(lead_id, **kwargs)

    def list_leads(self, *, include_contact: bool = False, include_history: bool = False,
                   limit: int | None = None) -> List[Dict[str, Any]]:
        """Newest first; each with ``last_update`` (when the person last updated it, or None)."""
        stmt = select(leads).order_by(leads.c.created_at.desc(), leads.c.id.desc())
        if limit is not None:
            stmt = stmt.limit(int(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
            result = [self._lead_dict(row, include_contact) for row in rows]
            ids = [lead["id"] for lead in result]
            if include_history:
                history = self._history(conn, ids)
            updated = dict(conn.execute(
                select(lead_notes.c.lead_id, func.max(lead_notes.c.created_at))
                .where(and_(lead_notes.c.kind == "updated", lead_notes.c.lead_id.in_(ids)))
                .group_by(lead_notes.c.lead_id)
            ).all()) if ids else {}
        for lead in result:
            lead["last_update"] = updated.get(lead["id"])
            if include_history:
                lead["history"] = history[lead["id"]]
        return result

    def count_leads(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(leads)).scalar_one())

    # --- workflow ----------------------------------------------------------------------------

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
                select(leads.c.id, leads.c.status, leads.c.conversation_id, leads.c.kind).where(leads.c.id == int(lead_id))
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
            kind = "status" if status != current else "note"
            conn.execute(
                insert(lead_notes).values(
                    lead_id=row.id, kind=kind, from_status=current, to_status=status,
                    note=self._cipher.encrypt(note), actor=actor, created_at=utcnow(),
                )
            )
            self._audit(conn, actor, kind, row.id, f"{current}->{status}" if kind == "status" else "note")
            if status == "contacted" and row.kind == "screening":
                self._record_funnel(conn, row.conversation_id, "contacted")
        return status

    def delete_conversation(self, conversation_id: str, actor: str = "system") -> Dict[str, int]:
        """Forget a conversation: its leads (with history), funnel rows and contact drafts.
        Audited, without data."""
        with self.engine.begin() as conn:
            lead_ids = [r.id for r in conn.execute(select(leads.c.id).where(leads.c.conversation_id == conversation_id))]
            if lead_ids:
                conn.execute(delete(lead_notes).where(lead_notes.c.lead_id.in_(lead_ids)))
            lead_count = conn.execute(delete(leads).where(leads.c.conversation_id == conversation_id)).rowcount
            funnel_count = conn.execute(
                delete(funnel_events).where(funnel_events.c.conversation_key.in_(self._conversation_keys(conversation_id)))
            ).rowcount
            drafts = self._delete_drafts(conn, conversation_id) if conversation_id else 0
            for lead_id in lead_ids:
                self._audit(conn, actor, "delete", lead_id, "conversation deleted")
        return {"leads": int(lead_count or 0), "funnel": int(funnel_count or 0), "drafts": drafts}

    # --- funnel ------------------------------------------------------------------------------

    def _record_funnel(self, conn, conversation_id: str, stage: str) -> bool:
        keys = self._conversation_keys(conversation_id)
        key = keys[0]
        if len(keys) > 1:  # rotated key: keep the conversation's rows under the key it started with
            existing = conn.execute(
                select(funnel_events.c.conversation_key, funnel_events.c.stage)
                .where(funnel_events.c.conversation_key.in_(keys))
            ).all()
            if any(s == stage for _, s in existing):
                return False
            key = existing[0][0] if existing else key
        result = conn.execute(
            self._insert(funnel_events)
            .values(conversation_key=key, stage=stage, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["conversation_key", "stage"])
        )
        return result.rowcount == 1

    def record_screening_started(self, conversation_id: str) -> bool:
        """Count the conversation as started: call it when the screening itself starts (the
        person agreed to answer the questions), not when someone says hello. Once per conversation;
        True when this call recorded it."""
        return self._record_stage(conversation_id, "started")

    def record_funnel(self, conversation_id: str, stage: str) -> bool:
        """Count a conversation at a later stage once; True when this call recorded it. Stages of
        a conversation that never started the screening are kept but not counted."""
        if stage == "started":
            raise ValueError("a conversation starts only with its screening: call record_screening_started()")
        if stage not in FUNNEL_STAGES:
            raise ValueError(f"unknown funnel stage {stage!r}")
        return self._record_stage(conversation_id, stage)

    def _record_stage(self, conversation_id: str, stage: str) -> bool:
        if not isinstance(conversation_id, str) or not conversation_id:
            raise ValueError("conversation_id is required")
        with self.engine.begin() as conn:
            return self._record_funnel(conn, conversation_id, stage)

    def funnel_counts(self) -> Dict[str, int]:
        """Conversations per stage, counting only those that started the screening."""
        started = select(funnel_events.c.conversation_key).where(funnel_events.c.stage == "started")
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(funnel_events.c.stage, func.count())
                .where(funnel_events.c.conversation_key.in_(started.scalar_subquery()))
                .group_by(funnel_events.c.stage)
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
