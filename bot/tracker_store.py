"""Conversations that outlive the Rasa process: Rasa's SQL tracker store, minimised, encrypted,
expired, and fast for the conversations in progress.

Storage is Rasa's own `SQLTrackerStore` table (bot/tracker_db.py): a SQLite file under `var/` by
default, nothing to install; PostgreSQL shared by every replica when `TRACKER_STORE_URL` says so.
Each save appends only the turn's new events, as Rasa's store does. Those are first minimised
(contact details replaced, bot/tracker_privacy.py) and their JSON encrypted with the deployment's
Fernet key. Nothing is ever unpickled. "Delete my data" (the `data_deleted` slot, set by
`action_delete_data`) deletes the conversation's rows instead of saving; conversations idle for
longer than the retention period are purged (bot/retention.py).

Speed. Rasa's store rebuilds the tracker from JSON, replaying every event, on each read (about
3 ms for a finished screening, several reads a turn). Here the `live_conversations` most
recently used conversations (endpoints.yml) stay as tracker objects, and each read returns a
copy (`copy_tracker`: new slots, shared events, which Rasa only appends to). Before using one,
one indexed query checks the conversation's row count and newest row id: if another replica, the
purge or anyone else has written since, the new rows are read and applied (or the conversation is
reloaded), so a stale tracker is never served. Older conversations are simply dropped from memory
and read from the database when their person comes back: memory stays flat however many idle
conversations pile up.

With `keep_private_in_memory: true` the objects kept are the live trackers as Rasa left them, so
within one process a later turn still sees what the person typed for a private answer; the
database (and so another replica, or this process after a restart) has the minimised copy. With
`false`, a turn that had something minimised is read back from the database next time, so every
process sees exactly the stored copy. `false` is right once the dialogue keeps nothing private in
slots beyond the turn that asks for it (markers only, the details in the lead store's encrypted
draft); `true` keeps today's hand-off, which reads the contact slots back, working in one process.

When the database fails, the store raises `ConversationStoreUnavailable` (its message never holds
event data; Rasa logs it and keeps that turn in its fall-back memory store). The events it could
not write are kept and written before the conversation is next read or saved, so a later answer
is never taken for an earlier question. With SQLite (one writer: this process) the kept tracker
is served while the file cannot be read; with a shared database it is not, as another replica may
have moved on.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Text, Tuple

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.retention import Retention, purge, purge_periodically
from bot.tracker_db import EVENTS, ConversationStoreUnavailable, TurnSql, ensure_schema, make_engine, store_url
from bot.tracker_privacy import EventCodec, deployment_key, private_slots, requested_before, stored_copies


def copy_tracker(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """Rasa's own copy: a replay of every event on stock Rasa, a copy of the state when the speed
    patches are on (bot/speedups/tracker_copy.py)."""
    return tracker.copy()


logger = logging.getLogger(__name__)

DELETE_FLAG = "data_deleted"
ENCRYPT_ENV = "CONVERSATIONS_ENCRYPTED"  # overrides endpoints.yml's `encrypt` (to measure its cost)

__all__ = ["DELETE_FLAG", "ConversationStoreUnavailable", "DurableTrackerStore"]


@dataclass
class _Live:
    """A conversation kept as an object: its last session as this process last saw it."""

    tracker: DialogueStateTracker
    count: int  # rows stored for the conversation (every session) ...
    last_id: int  # ... and the newest row's id: together, the version another writer changes
    earlier: int  # events before the last session (0: a single session)
    unsaved: int = -1  # index of the first event of `tracker` not yet written (-1: all written)


def _starts_session(event: Event) -> bool:
    return isinstance(event, SessionStarted) or (
        isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME)


def _has_later_session(events: Iterable[Event]) -> bool:
    """True when a session starts after the first event (Rasa's split would give two or more)."""
    return any(isinstance(e, ActionExecuted) and e.action_name == ACTION_SESSION_START_NAME
               for e in islice(events, 1, None))


def _same(a: Event, b: Event) -> bool:
    return type(a) is type(b) and a.timestamp == b.timestamp


def _flag(raw: Optional[str], default: bool) -> bool:
    if raw is None or not raw.strip():
        return bool(default)
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _unavailable(error: Exception) -> ConversationStoreUnavailable:
    return ConversationStoreUnavailable(f"conversation store unavailable ({type(error).__name__})")


class DurableTrackerStore(SQLTrackerStore):
    """See the module docstring. Configured in endpoints.yml. The database: `url` when code
    passes one, else `TRACKER_STORE_URL`, else endpoints.yml's `url`, else
    `sqlite:///var/conversations.db`. The key: `key`, else `LEADS_KEY` (in development
    var/leads.key)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        url: Optional[Text] = None,
        live_conversations: int = 100,
        private_answers: Optional[Iterable[Text]] = None,
        encrypt: bool = True,
        retention_days: Optional[float] = None,
        purge_every_minutes: Optional[float] = None,
        connect_wait_s: float = 60.0,
        key: Optional[Text] = None,
        keep_private_in_memory: bool = True,
        **kwargs: Any,
    ) -> None:
        # Not SQLTrackerStore.__init__: it builds an engine that puts values in its errors and
        # waits for ever for a database that is down.
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        self.url = store_url(host, explicit=url)
        self.engine = make_engine(self.url)
        ensure_schema(self.engine, wait_s=float(connect_wait_s))
        self.single_writer = self.engine.dialect.name == "sqlite"
        self.sql = TurnSql(self.engine, dedicated=self.single_writer)
        encrypt = _flag(os.environ.get(ENCRYPT_ENV), encrypt)
        self.codec = EventCodec((key or deployment_key()) if encrypt else None)
        self.private = private_slots(private_answers)
        self.keep_private_in_memory = bool(keep_private_in_memory)
        self.live: "OrderedDict[Text, _Live]" = OrderedDict()  # least recently used first
        self.live_conversations = max(1, int(live_conversations))
        self.retention = Retention.from_env(retention_days, purge_every_minutes)
        self._to_delete: Set[Text] = set()  # "delete my data" that could not be done yet
        self._purger: Optional[asyncio.Task] = None
        # SQLite answers in microseconds and never waits for the disk (WAL, synchronous=NORMAL):
        # it is called in the event loop. A PostgreSQL commit waits for its fsync (4-6 ms on this
        # machine), so there the database work runs in threads and the loop serves other people.
        self._threads = None if self.single_writer else ThreadPoolExecutor(8, thread_name_prefix="tracker-store")
        self._start_purge()

    # --- Rasa's interface -------------------------------------------------------------------

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._read(sender_id, full=False)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self._read(conversation_id, full=True)

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._start_purge()
        sender_id = tracker.sender_id
        if tracker.get_slot(DELETE_FLAG):
            await self.delete(sender_id)
            return
        live, delete_first = self.live.get(sender_id), sender_id in self._to_delete

        def write() -> Tuple[Optional[_Live], str, List[Event], bool, int, int]:
            with self.sql.transaction() as cursor:
                if delete_first:
                    self.sql.delete(cursor, sender_id)
                current = self._synced(cursor, sender_id, None if delete_first else live)
                start, view = self._stored_prefix(tracker, current)
                new = self._stored_copies(tracker, start, current if view == "session" else None)
                before = (current.count, current.last_id) if current else (0, 0)
                count, last_id = self.sql.insert(cursor, sender_id, self._rows(sender_id, new), before)
            minimised = any(kept is not said for kept, said in zip(new, islice(tracker.events, start, None), strict=True))
            return current, view, new, minimised, count, last_id

        try:
            current, view, new, minimised, count, last_id = await self._in_db(write)
        except self.sql.errors as error:
            self._keep_unsaved(tracker)
            raise _unavailable(error) from None
        if delete_first:
            self._to_delete.discard(sender_id)
        if minimised and not self.keep_private_in_memory:
            # Keep the copy from before this turn: the next read catches up from the database,
            # with the minimised events, so this process sees what every other one does.
            self._keep(sender_id, current)
        else:
            self._remember(tracker, view, count, last_id, current, new)
        if self.event_broker and new:
            await self._stream_new_events(self.event_broker, new, sender_id)

    async def delete(self, sender_id: Text) -> None:
        """Every stored event of the conversation, now (retried before its next use if the
        database cannot be reached)."""
        self.live.pop(sender_id, None)
        self._to_delete.add(sender_id)

        def remove() -> None:
            with self.sql.transaction() as cursor:
                self.sql.delete(cursor, sender_id)

        try:
            await self._in_db(remove)
        except self.sql.errors as error:
            raise _unavailable(error) from None
        self._to_delete.discard(sender_id)

    async def keys(self) -> Iterable[Text]:
        def senders() -> List[Text]:
            with self.engine.connect() as conn:
                return [row[0] for row in conn.execute(sa.select(EVENTS.c.sender_id).distinct())]

        try:
            return await self._in_db(senders)
        except self.sql.errors as error:
            raise _unavailable(error) from None

    def has_unwritten(self, sender_id: Text) -> bool:
        """Whether this conversation's last turn could not be written yet (the database failed).
        Rasa swallows the store's error, so a channel that wants to tell the person their answer
        was not saved asks here after the turn (through the agent's FailSafeTrackerStore:
        `agent.tracker_store._tracker_store`)."""
        live = self.live.get(sender_id)
        return sender_id in self._to_delete or (live is not None and live.unsaved >= 0)

    async def _in_db(self, work: Callable[[], Any]) -> Any:
        if self._threads is None:
            return work()
        return await asyncio.get_running_loop().run_in_executor(self._threads, work)

    # --- retention ----------------------------------------------------------------------------

    def purge_expired(self, now: Optional[float] = None) -> int:
        """Deletes conversations idle for longer than the retention period; returns how many."""
        return purge(self.engine, self.retention, now=now)

    def _start_purge(self) -> None:
        """The periodic purge, in the running event loop (Rasa creates the store inside it)."""
        if not self.retention.every_minutes:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._purger is None or self._purger.done() or self._purger.get_loop() is not loop:
            self._purger = loop.create_task(purge_periodically(self.engine, self.retention))

    # --- reading ------------------------------------------------------------------------------

    async def _read(self, sender_id: Text, full: bool) -> Optional[DialogueStateTracker]:
        self._start_purge()
        live, delete_first = self.live.get(sender_id), sender_id in self._to_delete

        def read() -> Tuple[Optional[_Live], Optional[DialogueStateTracker]]:
            with self.sql.transaction() as cursor:
                if delete_first:
                    self.sql.delete(cursor, sender_id)
                current = self._synced(cursor, sender_id, None if delete_first else live)
                every_session = self._load_all(cursor, sender_id) if current and full and current.earlier else None
            return current, every_session

        try:
            current, every_session = await self._in_db(read)
        except self.sql.errors as error:
            if not (self.single_writer and live is not None) or (full and live.earlier):
                raise _unavailable(error) from None
            logger.warning("Conversation store unavailable (%s); serving the copy in memory.", type(error).__name__)
            return copy_tracker(live.tracker)
        if delete_first:
            self._to_delete.discard(sender_id)
        self._keep(sender_id, current)
        if every_session is not None:
            return every_session
        return None if current is None else copy_tracker(current.tracker)

    def _synced(self, cursor: Any, sender_id: Text, live: Optional[_Live]) -> Optional[_Live]:
        """The conversation as stored now (None if nothing is), built from `live` when nobody has
        written since or only appended; first writes what an earlier failure left unwritten.
        Touches nothing shared: it may run in a worker thread."""
        count, last_id = self.sql.version(cursor, sender_id)
        if live is not None and (live.count, live.last_id) == (count, last_id):
            return self._write_unsaved(cursor, sender_id, live) if live.unsaved >= 0 else live
        if live is not None and live.unsaved >= 0:
            logger.warning("A conversation changed in the store while this server held unwritten events; "
                           "they were dropped.")
        if not count:
            return None
        if live is not None and live.unsaved < 0 and count > live.count and last_id > live.last_id:
            caught_up = self._catch_up(cursor, sender_id, live, count, last_id)
            if caught_up is not None:
                return caught_up
        return self._load_last_session(cursor, sender_id, count, last_id)

    def _events(self, cursor: Any, sender_id: Text, after_id: int = 0) -> List[Event]:
        return deserialise_events(self.codec.decode(self.sql.data_after(cursor, sender_id, after_id)))

    def _load_all(self, cursor: Any, sender_id: Text) -> DialogueStateTracker:
        return DialogueStateTracker.from_events(sender_id, self._events(cursor, sender_id), self.domain.slots)

    def _load_last_session(self, cursor: Any, sender_id: Text, count: int, last_id: int) -> _Live:
        tracker = self._load_all(cursor, sender_id)
        earlier = 0
        if _has_later_session(tracker.events):
            last = get_trackers_for_conversation_sessions(tracker)[-1]
            earlier = len(tracker.events) - len(last.events)
            tracker = last
        return _Live(tracker, count, last_id, earlier)

    def _catch_up(self, cursor: Any, sender_id: Text, live: _Live, count: int, last_id: int) -> Optional[_Live]:
        """The kept tracker with the rows someone else appended since, when that is all that
        happened (no rows removed, no new session); None otherwise."""
        new = self._events(cursor, sender_id, after_id=live.last_id)
        if live.count + len(new) != count or any(_starts_session(event) for event in new):
            return None
        tracker = copy_tracker(live.tracker)
        for event in new:
            tracker.update(event)
        return _Live(tracker, count, last_id, live.earlier)

    # --- writing ------------------------------------------------------------------------------

    def _rows(self, sender_id: Text, events: List[Event]) -> List[Dict[str, Any]]:
        """The rows of one save (Rasa's columns; those Rasa fills for analysis stay empty when
        the events are encrypted, as intent and action names would show an outcome)."""
        dicts = [event.as_dict() for event in events]
        encrypted = self.codec.encrypted
        return [{
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": None if encrypted else (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": None if encrypted else data.get("name"),
            "data": text,
        } for event, data, text in zip(events, dicts, self.codec.encode(dicts), strict=True)]

    def _stored_prefix(self, tracker: DialogueStateTracker, live: Optional[_Live]) -> Tuple[int, str]:
        """How many of `tracker.events` are stored already, and what the tracker is: "session"
        (the last session, as read from here), "full" (every session) or "other"."""
        if live is None:
            return 0, ("other" if _has_later_session(tracker.events) else "session")
        events, kept = tracker.events, live.tracker.events
        n = len(kept)
        if n == 0 or (len(events) >= n and events[n - 1] is kept[n - 1]):
            return n, "session"
        if live.earlier and len(events) >= live.earlier + n and _same(events[live.earlier + n - 1], kept[-1]):
            return live.earlier + n, "full"
        if len(events) >= n and _same(events[n - 1], kept[-1]):
            return n, "session"
        logger.warning("A tracker was saved that does not continue the stored conversation; "
                       "only its events beyond the stored ones were added, as Rasa's own store does.")
        return min(n, len(events)), "other"

    def _stored_copies(self, tracker: DialogueStateTracker, start: int, prefix: Optional[_Live]) -> List[Event]:
        """`tracker.events[start:]` as stored. What was being asked before them is the slot of
        the kept tracker they continue, else found by reading the events before them."""
        if prefix is not None and start == len(prefix.tracker.events):
            requested = prefix.tracker.get_slot(REQUESTED_SLOT)
        else:
            requested = requested_before(tracker.events, start)
        return stored_copies(islice(tracker.events, start, None), self.private, requested)

    def _write_unsaved(self, cursor: Any, sender_id: Text, live: _Live) -> _Live:
        new = self._stored_copies(live.tracker, live.unsaved, None)
        count, last_id = self.sql.insert(cursor, sender_id, self._rows(sender_id, new), (live.count, live.last_id))
        return _Live(live.tracker, count, last_id, live.earlier)

    def _keep_unsaved(self, tracker: DialogueStateTracker) -> None:
        """After a failed write: keep the tracker with a note of what is not written yet."""
        sender_id = tracker.sender_id
        live = self.live.get(sender_id)
        start, view = self._stored_prefix(tracker, live)
        if view != "session":
            self.live.pop(sender_id, None)
            return
        if live is not None and live.unsaved >= 0:
            start = min(start, live.unsaved)
        count, last_id, earlier = (live.count, live.last_id, live.earlier) if live else (0, 0, 0)
        self._keep(sender_id, _Live(copy_tracker(tracker), count, last_id, earlier, unsaved=start))

    def _remember(self, tracker: DialogueStateTracker, view: str, count: int, last_id: int,
                  live: Optional[_Live], new: List[Event]) -> None:
        sender_id = tracker.sender_id
        if not count:
            self.live.pop(sender_id, None)
        elif view != "session" or (live is not None and any(_starts_session(e) for e in new)):
            self.live.pop(sender_id, None)  # a new session began: read it back when next needed
        else:
            self._keep(sender_id, _Live(copy_tracker(tracker), count, last_id, live.earlier if live else 0))

    def _keep(self, sender_id: Text, live: Optional[_Live]) -> Optional[_Live]:
        """Keeps `live` (forgets the conversation for None), dropping the least recently used
        beyond `live_conversations` (they are in the database), except any with events still to
        write. Only ever called in the event loop."""
        if live is None:
            self.live.pop(sender_id, None)
            return None
        self.live[sender_id] = live
        self.live.move_to_end(sender_id)
        excess = len(self.live) - self.live_conversations
        if excess > 0:
            idle = [s for s, entry in self.live.items() if entry.unsaved < 0 and s != sender_id][:excess]
            for oldest in idle:
                del self.live[oldest]
        return live
