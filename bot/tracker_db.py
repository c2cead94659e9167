"""The database under the conversation store: where it is, how it is opened, Rasa's table.

The table is Rasa's own (`SQLTrackerStore.SQLEvent`, `events`: one row per event, in order of
`id`), so Rasa's tooling still recognises it. What differs from Rasa's engine:

- `hide_parameters`: SQLAlchemy puts the values of a failed statement into its error message,
  and Rasa logs that message (FailSafeTrackerStore); event data must never reach a log.
- SQLite (the default, `var/conversations.db`) is created 0600 (its `-wal` and `-shm` files get
  the same mode from SQLite), runs in WAL mode with `synchronous=NORMAL` (a commit survives the
  process being killed; only a power cut can undo the last commits), waits up to 5 s for a lock
  (the purge CLI may write at the same time) and overwrites deleted rows (`secure_delete`).
- one connection pool per process instead of SQLAlchemy 1.4's new connection per session.
- on PostgreSQL an index on (sender_id, id), so the "has anyone written since?" check reads the
  index only (SQLite's index on sender_id holds the row id already).

    TRACKER_STORE_URL=postgresql://user@host/conversations   # shared by every replica
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
URL_ENV = "TRACKER_STORE_URL"
EVENTS = SQLTrackerStore.SQLEvent.__table__
SENDER_ID_INDEX = "ix_events_sender_id_id"


def default_url() -> str:
    return f"sqlite:///{REPO_ROOT / 'var' / 'conversations.db'}"


def store_url(configured: Optional[str] = None, explicit: Optional[str] = None) -> str:
    """`explicit` (given in code), else TRACKER_STORE_URL, else `configured` (the `url` in
    endpoints.yml), else var/conversations.db."""
    url = ((explicit or "").strip() or os.environ.get(URL_ENV, "").strip() or (configured or "").strip()
           or default_url())
    if url.startswith("postgres://"):  # SQLAlchemy 1.4 dropped the alias hosting providers hand out
        url = "postgresql://" + url[len("postgres://"):]
    return url


def _private_file(path: Path) -> None:
    """The SQLite file exists, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            logger.warning("%s was readable by others; it is now 0600", path)
            path.chmod(0o600)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000", "secure_delete=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url` as described above."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("the conversation store needs a SQLite file, not an in-memory database")
        _private_file(Path(parsed.database))
        engine = sa.create_engine(url, hide_parameters=True, poolclass=QueuePool, pool_size=2, max_overflow=4,
                                  connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, hide_parameters=True, pool_pre_ping=True, **create_engine_kwargs(url))


def ensure_schema(engine: Engine, wait_s: float = 60.0) -> None:
    """Rasa's `events` table and our index, waiting up to `wait_s` for the database to come up
    (Rasa's own store waits for ever; a server that cannot reach its database should say so)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            EVENTS.metadata.create_all(engine, tables=[EVENTS])
            if engine.dialect.name != "sqlite":  # SQLite's index on sender_id holds the rowid (id) already
                with engine.begin() as conn:
                    conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {SENDER_ID_INDEX} ON events (sender_id, id)"))
            return
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError) as error:
            # Replicas starting together may race to create the table: the first one wins.
            if time.monotonic() > deadline:
                raise ConversationStoreUnavailable(f"cannot reach the conversation store ({type(error).__name__})") from None
            logger.warning("conversation store not ready (%s); retrying", type(error).__name__)
            time.sleep(2)


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


class ConversationStoreUnavailable(RuntimeError):
    """The conversation store could not be read or written. The message names the kind of
    failure only: never the statement or its values, which hold what people said."""


_COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


class TurnSql:
    """The few statements of every turn, sent straight to the driver through the engine's pool:
    SQLAlchemy's expression and result layers cost about 100 us a query where SQLite itself
    takes about 20. Everything else (the schema, the purge) goes through SQLAlchemy."""

    def __init__(self, engine: Engine, dedicated: bool = False):
        """`dedicated`: one connection held for good, for a caller that uses it from one thread
        only (SQLite in the event loop): no pool checkout and reset for every statement."""
        mark = _MARKS.get(engine.dialect.paramstyle)
        if mark is None:
            raise ValueError(f"unsupported database driver paramstyle {engine.dialect.paramstyle!r}")
        self.engine = engine
        self.errors = (sa.exc.SQLAlchemyError, engine.dialect.dbapi.Error)
        self._mark = mark
        self._version = f"SELECT count(id), max(id) FROM events WHERE sender_id = {mark}"
        self._after = f"SELECT data FROM events WHERE sender_id = {mark} AND id > {mark} ORDER BY id"
        self._delete = f"DELETE FROM events WHERE sender_id = {mark}"
        self._insert = f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES "
        self._row = "(" + ", ".join([mark] * len(_COLUMNS)) + ")"
        self._own = engine.raw_connection() if dedicated else None
        self.last_row_id_after_insert = engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor whose statements are committed together (rolled back on an error)."""
        raw = self._own or self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                yield cursor
                raw.commit()
            finally:
                cursor.close()
        except BaseException:
            with contextlib.suppress(Exception):
                raw.rollback()
            raise
        finally:
            if self._own is None:
                raw.close()

    def version(self, cursor: Any, sender_id: str) -> Tuple[int, int]:
        """The conversation's row count and newest row id (0, 0 when nothing is stored)."""
        cursor.execute(self._version, (sender_id,))
        count, last_id = cursor.fetchone()
        return int(count or 0), int(last_id or 0)

    def data_after(self, cursor: Any, sender_id: str, after_id: int = 0) -> List[str]:
        cursor.execute(self._after, (sender_id, after_id))
        return [row[0] for row in cursor.fetchall()]

    def insert(self, cursor: Any, sender_id: str, rows: Sequence[Dict[str, Any]], before: Tuple[int, int]) -> Tuple[int, int]:
        """One multi-row INSERT (one round trip to PostgreSQL, not one per event); returns the
        conversation's version after it. `before` is its version when the transaction read it;
        SQLite (one writer) then knows the new one without asking."""
        if not rows:
            return before
        values = [row[column] for row in rows for column in _COLUMNS]
        cursor.execute(self._insert + ", ".join([self._row] * len(rows)), values)
        if self.last_row_id_after_insert and cursor.lastrowid:
            return before[0] + len(rows), int(cursor.lastrowid)
        return self.version(cursor, sender_id)

    def delete(self, cursor: Any, sender_id: str) -> None:
        cursor.execute(self._delete, (sender_id,))


def main() -> int:
    """`python -m bot.tracker_db`: creates the table and index once, before replicas start."""
    url = store_url()
    ensure_schema(make_engine(url))
    print(f"conversation store ready: {describe(url)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
