"""How long a conversation is kept, and the purge that enforces it.

A conversation expires once nobody has written to it for `CONVERSATION_RETENTION_DAYS` (30 by
default; the page's sessions and resume codes expire with the same setting). Every Rasa server
purges expired conversations when it starts and then every `CONVERSATION_PURGE_EVERY_MINUTES`
(60; 0 turns the in-server purge off), in a worker thread so conversations are not held up. With
several replicas each one purges; deleting what is already gone is harmless. The same purge
from the command line (cron, a Kubernetes CronJob):

    python -m bot.retention [--days 30] [--dry-run]      # TRACKER_STORE_URL, else var/conversations.db
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from dataclasses import dataclass
from typing import List, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.tracker_db import EVENTS

logger = logging.getLogger(__name__)

DAYS_ENV = "CONVERSATION_RETENTION_DAYS"
EVERY_ENV = "CONVERSATION_PURGE_EVERY_MINUTES"
DEFAULT_DAYS = 30.0
DEFAULT_EVERY_MINUTES = 60.0
BATCH = 200  # conversations per transaction, so a large purge never holds the database for long


def _number(raw: object, name: str) -> Optional[float]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {raw!r}") from None


@dataclass(frozen=True)
class Retention:
    days: float = DEFAULT_DAYS
    every_minutes: float = DEFAULT_EVERY_MINUTES

    @classmethod
    def from_env(cls, days: object = None, every_minutes: object = None,
                 env: Optional[Mapping[str, str]] = None) -> "Retention":
        """The environment wins over endpoints.yml, which wins over the defaults."""
        env = os.environ if env is None else env
        d = _number(env.get(DAYS_ENV), DAYS_ENV)
        d = _number(days, "retention_days") if d is None else d
        e = _number(env.get(EVERY_ENV), EVERY_ENV)
        e = _number(every_minutes, "purge_every_minutes") if e is None else e
        d = DEFAULT_DAYS if d is None else d
        e = DEFAULT_EVERY_MINUTES if e is None else e
        if d <= 0:
            raise ValueError(f"{DAYS_ENV} must be more than 0 days")
        if e < 0:
            raise ValueError(f"{EVERY_ENV} must be 0 (off) or more")
        return cls(days=d, every_minutes=e)

    def cutoff(self, now: Optional[float] = None) -> float:
        """Conversations whose last event is older than this (epoch seconds) have expired."""
        return (time.time() if now is None else now) - self.days * 86400.0


def expired(conn: Connection, cutoff: float, limit: int = BATCH) -> List[str]:
    """Up to `limit` conversations whose newest event is older than `cutoff`."""
    query = (sa.select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id)
             .having(sa.func.max(EVENTS.c.timestamp) < cutoff).limit(limit))
    return [row[0] for row in conn.execute(query)]


def purge(engine: Engine, retention: Retention, now: Optional[float] = None, dry_run: bool = False) -> int:
    """Deletes every expired conversation (all its events); returns how many there were."""
    cutoff = retention.cutoff(now)
    if dry_run:
        with engine.connect() as conn:
            return len(expired(conn, cutoff, limit=10**9))
    removed = 0
    while True:
        with engine.begin() as conn:
            senders = expired(conn, cutoff)
            if senders:
                conn.execute(EVENTS.delete().where(EVENTS.c.sender_id.in_(senders)))
        removed += len(senders)
        if len(senders) < BATCH:
            return removed


async def purge_periodically(engine: Engine, retention: Retention) -> None:
    """The in-server purge: now, then every `retention.every_minutes`, until cancelled."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            removed = await loop.run_in_executor(None, purge, engine, retention)
            if removed:
                logger.info("Removed %d conversations idle for more than %g days.", removed, retention.days)
        except Exception as error:  # noqa: BLE001 - a failed purge is retried next time
            logger.warning("Conversation purge failed (%s); retrying later.", type(error).__name__)
        await asyncio.sleep(retention.every_minutes * 60.0)


def main(argv: Optional[List[str]] = None) -> int:
    from bot.tracker_db import describe, ensure_schema, make_engine, store_url

    parser = argparse.ArgumentParser(description="Delete conversations idle for longer than the retention period.")
    parser.add_argument("--days", type=float, default=None, help=f"retention in days (default ${DAYS_ENV} or 30)")
    parser.add_argument("--url", default=None, help="the conversation store (default $TRACKER_STORE_URL or var/conversations.db)")
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    args = parser.parse_args(argv)
    retention = Retention(days=args.days) if args.days is not None else Retention.from_env()
    if retention.days <= 0:
        parser.error("--days must be more than 0")
    url = args.url or store_url()
    engine = make_engine(url)
    ensure_schema(engine, wait_s=10)
    count = purge(engine, retention, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    print(f"{describe(url)}: {verb} {count} conversation(s) idle for more than {retention.days:g} days")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
