"""Coordinator accounts and their server-side sessions (part of ``LeadStore``).

Only a keyed hash of a session cookie is stored, so a database copy cannot be replayed as a
login; two-factor secrets are encrypted with the lead key. Changing a password or a two-factor
secret, or deactivating an account, ends every session of that account.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.leads.errors import CoordinatorExists
from bot.leads.models import coordinator_sessions, coordinators, utcnow


class AccountsMixin:
    """Needs ``self.engine`` and ``self._cipher`` (see ``LeadStore``)."""

    # --- accounts ----------------------------------------------------------------------------

    def add_coordinator(self, username: str, password_hash: str, totp_secret: str | None = None) -> int:
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    insert(coordinators).values(
                        username=username, password_hash=password_hash, is_active=True,
                        totp_secret=self._cipher.encrypt(totp_secret), created_at=utcnow(),
                    )
                )
                return int(result.inserted_primary_key[0])
        except IntegrityError as exc:
            raise CoordinatorExists(username) from exc

    def _update_account(self, username: str, **values: Any) -> bool:
        """Change an account and end its sessions, in one transaction; False if there is none."""
        with self.engine.begin() as conn:
            result = conn.execute(update(coordinators).where(coordinators.c.username == username).values(**values))
            if result.rowcount:
                ids = select(coordinators.c.id).where(coordinators.c.username == username).scalar_subquery()
                conn.execute(delete(coordinator_sessions).where(coordinator_sessions.c.coordinator_id == ids))
            return bool(result.rowcount)

    def set_coordinator_password(self, username: str, password_hash: str) -> bool:
        return self._update_account(username, password_hash=password_hash)

    def set_coordinator_totp(self, username: str, secret: str | None) -> bool:
        """Enrol (or, with None, remove) a two-factor secret."""
        return self._update_account(username, totp_secret=self._cipher.encrypt(secret), totp_last_step=None)

    def set_coordinator_active(self, username: str, active: bool) -> bool:
        if active:
            with self.engine.begin() as conn:
                return bool(conn.execute(
                    update(coordinators).where(coordinators.c.username == username).values(is_active=True)
                ).rowcount)
        return self._update_account(username, is_active=False)

    def get_coordinator(self, username: str) -> Dict[str, Any] | None:
        """The account with its two-factor secret decrypted, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(coordinators).where(coordinators.c.username == username)).one_or_none()
        if row is None:
            return None
        account = dict(row._mapping)
        account["totp_secret"] = self._cipher.decrypt(account["totp_secret"])
        return account

    def list_coordinators(self) -> List[Dict[str, Any]]:
        """Names and states only, for the CLI."""
        stmt = select(coordinators.c.username, coordinators.c.is_active, coordinators.c.totp_secret.isnot(None),
                      coordinators.c.created_at).order_by(coordinators.c.username)
        with self.engine.connect() as conn:
            return [{"username": u, "is_active": bool(a), "two_factor": bool(t), "created_at": c}
                    for u, a, t, c in conn.execute(stmt)]

    def accept_totp_step(self, coordinator_id: int, step: int) -> bool:
        """Record that a code for ``step`` was used; False if it (or a later one) already was,
        so the same code cannot sign in twice, even from two places at once."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(coordinators)
                .where(and_(coordinators.c.id == int(coordinator_id),
                            or_(coordinators.c.totp_last_step.is_(None), coordinators.c.totp_last_step < int(step))))
                .values(totp_last_step=int(step))
            )
        return result.rowcount == 1

    # --- sessions ----------------------------------------------------------------------------

    def create_session(self, token_hash: str, coordinator_id: int, username: str, csrf_token: str,
                       expires_at: datetime, *, mfa_pending: bool = False) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(coordinator_sessions).values(
                    token_hash=token_hash, coordinator_id=coordinator_id, username=username, csrf_token=csrf_token,
                    mfa_pending=bool(mfa_pending), created_at=utcnow(), expires_at=expires_at,
                )
            )

    def get_session(self, token_hash: str, now: datetime | None = None) -> Dict[str, Any] | None:
        """An unexpired session of an active account (``mfa_pending`` says if it is half-way), or None."""
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

    def count_sessions(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(coordinator_sessions)).scalar_one())

    def purge_expired_sessions(self, now: datetime | None = None) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(coordinator_sessions).where(coordinator_sessions.c.expires_at <= (now or utcnow()))
            )
        return int(result.rowcount or 0)
