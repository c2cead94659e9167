"""Contact drafts (part of ``LeadStore``): the name, phone, e-mail, WeChat ID and best time a
person types during a hand-off, kept here instead of in the conversation store until the summary
is confirmed, then discarded.

Encrypted like leads and keyed by a keyed hash of the conversation id, so the table says nothing
about whose conversation a row belongs to. Drafts older than ``draft_ttl`` are never returned and
are purged (on every save, on the inbox's timer and by ``bot.cli purge``); "delete my data"
(``delete_conversation``) removes them too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict

from sqlalchemy import and_, delete, select

from bot.leads.contact import clean_text, validate_contact_field
from bot.leads.errors import LeadValidationError
from bot.leads.models import contact_drafts, utcnow

MAX_MESSAGE_LENGTH = 1000  # as a question lead keeps it


class DraftsMixin:
    """Needs ``self.engine``, ``self._cipher``, ``self.draft_ttl``, ``self._conversation_keys`` and
    ``self._insert`` (see ``LeadStore``)."""

    def save_contact_draft(self, conversation_id: str, field: str, value: Any) -> str | None:
        """Validate and keep one field (validated as the lead will be); returns the stored value.
        An empty value removes the field. Raises ``LeadValidationError`` for a bad value."""
        if field == "message":  # the note a person leaves with a question for the coordinator
            cleaned = clean_text(value, "message", MAX_MESSAGE_LENGTH)
        else:
            cleaned = validate_contact_field(field, value)
        keys = self._draft_keys(conversation_id)
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(delete(contact_drafts).where(contact_drafts.c.updated_at <= now - self.draft_ttl))
            where = and_(contact_drafts.c.conversation_key.in_(keys), contact_drafts.c.field == field)
            if cleaned is None:
                conn.execute(delete(contact_drafts).where(where))
                return None
            token = self._cipher.encrypt(cleaned)
            stmt = self._insert(contact_drafts).values(conversation_key=keys[0], field=field, value=token,
                                                       updated_at=now)
            conn.execute(stmt.on_conflict_do_update(index_elements=["conversation_key", "field"],
                                                    set_={"value": token, "updated_at": now}))
            if len(keys) > 1:  # rotated key: an older row for the field is replaced, not kept
                conn.execute(delete(contact_drafts).where(and_(where, contact_drafts.c.conversation_key != keys[0])))
        return cleaned

    def contact_draft(self, conversation_id: str, now: datetime | None = None) -> Dict[str, str]:
        """The unexpired draft fields of a conversation, decrypted ({} when there are none)."""
        cutoff = (now or utcnow()) - self.draft_ttl
        stmt = select(contact_drafts.c.field, contact_drafts.c.value).where(
            and_(contact_drafts.c.conversation_key.in_(self._draft_keys(conversation_id)),
                 contact_drafts.c.updated_at > cutoff)
        )
        with self.engine.connect() as conn:
            return {f: self._cipher.decrypt(v) for f, v in conn.execute(stmt)}

    def discard_contact_draft(self, conversation_id: str) -> int:
        with self.engine.begin() as conn:
            return self._delete_drafts(conn, conversation_id)

    def purge_expired_drafts(self, now: datetime | None = None) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(delete(contact_drafts).where(contact_drafts.c.updated_at <= (now or utcnow()) - self.draft_ttl))
        return int(result.rowcount or 0)

    def _delete_drafts(self, conn, conversation_id: str) -> int:
        result = conn.execute(delete(contact_drafts).where(
            contact_drafts.c.conversation_key.in_(self._draft_keys(conversation_id))))
        return int(result.rowcount or 0)

    def _draft_keys(self, conversation_id: str):
        if not isinstance(conversation_id, str) or not conversation_id:
            raise LeadValidationError("conversation_id is required")
        return self._conversation_keys(conversation_id, purpose="draft")
