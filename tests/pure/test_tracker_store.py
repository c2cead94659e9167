"""The durable tracker store (bot/tracker_store.py) on a real SQLite file and a real PostgreSQL
database: it reads back what Rasa's own in-memory store gives, a fresh copy each time; a second
store on the same database (a restart, another replica) sees the same conversations and never a
stale one; "delete my data" removes the rows; what is stored is minimised and encrypted."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    EntitiesAdded,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot import tracker_store as store_module
from bot.tracker_db import ConversationStoreUnavailable
from bot.tracker_privacy import PLACEHOLDER, EventCodec
from bot.tracker_store import DELETE_FLAG, DurableTrackerStore

ROOT = Path(__file__).resolve().parents[2]
PRIVATE = ["contact_name", "contact_details", "contact_time", "contact_phone"]
DOMAIN_YAML = """
version: "3.1"
intents: [inform]
slots:
  patient_age: {type: float, mappings: [{type: custom}]}
  language: {type: text, mappings: [{type: custom}]}
  requested_slot: {type: any, mappings: [{type: custom}]}
  contact_name: {type: text, mappings: [{type: custom}]}
  contact_phone: {type: text, mappings: [{type: custom}]}
  data_deleted: {type: bool, mappings: [{type: custom}]}
responses:
  utter_ask_patient_age: [{text: "How old?"}]
"""
DOMAIN = Domain.from_yaml(DOMAIN_YAML)


def session(age_text: str, age: float, lang: str = "en") -> list:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("language", lang),
        ActionExecuted("action_listen"),
        UserUttered(age_text, {"name": "inform", "confidence": 0.9}, [{"entity": "number", "value": age}]),
        SlotSet("patient_age", age),
        BotUttered("Thanks", metadata={"utter_action": "utter_ask_patient_age"}),
        ActionExecuted("action_listen"),
    ]


def handoff(name: str, phone: str) -> list:
    """The contact questions: what the person types there must not be stored."""
    return [
        SlotSet("requested_slot", "contact_name"),
        BotUttered("What name should the coordinator use?", metadata={"utter_action": "utter_ask_contact_name"}),
        ActionExecuted("action_listen"),
        UserUttered(name, {"name": "inform", "confidence": 0.8}, [{"entity": "PERSON", "value": name}]),
        SlotSet("contact_name", name),
        SlotSet("requested_slot", "contact_details"),
        ActionExecuted("action_listen"),
        UserUttered(f"call me on {phone}", {"name": "inform", "confidence": 0.8}),
        EntitiesAdded([{"entity": "phone", "value": phone}]),
        SlotSet("contact_phone", phone),
        SlotSet("requested_slot", "handoff_confirm"),
        BotUttered(f"Summary: {name}, {phone}", data={"buttons": [{"title": phone, "payload": "/affirm"}]},
                   metadata={"private": True, "utter_action": "utter_summary", "name": name}),
        ActionExecuted("action_listen"),
        UserUttered("yes send it", {"name": "affirm", "confidence": 0.9}),
    ]


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def state(tracker):
    return tracker.current_state(EventVerbosity.ALL)


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("LEADS_KEY", Fernet.generate_key().decode())
    for name in ("TRACKER_STORE_URL", "CONVERSATION_RETENTION_DAYS", "CONVERSATION_PURGE_EVERY_MINUTES"):
        monkeypatch.delenv(name, raising=False)


def _stores(url: str):
    """Stores on one database, each a separate process as far as the store knows (a restart,
    another replica); the generator closes them all afterwards."""
    made = []

    def make(**kwargs) -> DurableTrackerStore:
        kwargs.setdefault("purge_every_minutes", 0)
        kwargs.setdefault("private_answers", PRIVATE)
        made.append(DurableTrackerStore(DOMAIN, url=url, **kwargs))
        return made[-1]

    yield make
    for store in made:
        store.engine.dispose()


@pytest.fixture
def make_store(database_url):
    yield from _stores(database_url)


@pytest.fixture
def sqlite_store(tmp_path):
    yield from _stores(f"sqlite:///{tmp_path / 'conversations.db'}")


def stored_rows(store, sender="s"):
    with store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(
            sa.text("SELECT * FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})]


# --- reads are Rasa's ----------------------------------------------------------------------------


@pytest.mark.parametrize("sessions", [1, 2, 3])
def test_reads_match_rasas_own_in_memory_store_from_memory_and_after_a_restart(make_store, sessions):
    events = [e for i in range(sessions) for e in session(f"{20 + i} years", 20.0 + i, ["en", "zh", "es"][i])]
    tracker = DialogueStateTracker.from_events("s1", events, DOMAIN.slots)
    ours, rasas = make_store(), InMemoryTrackerStore(DOMAIN)
    run(ours.save(tracker))
    run(rasas.save(tracker))
    restarted = make_store()
    for store in (ours, restarted):
        for read in ("retrieve", "retrieve_full_tracker"):
            got, want = run(getattr(store, read)("s1")), run(getattr(rasas, read)("s1"))
            assert state(got) == state(want), read
            assert got.get_slot("patient_age") == 20.0 + sessions - 1
        assert len(run(store.retrieve("s1")).events) == len(session("x", 1))  # the last session only
        assert len(run(store.retrieve_full_tracker("s1")).events) == len(events)


def test_each_read_is_a_fresh_copy_so_an_unsaved_turn_changes_nothing(make_store):
    store = make_store()
    run(store.save(DialogueStateTracker.from_events("s2", session("7", 7.0), DOMAIN.slots)))
    first = run(store.retrieve("s2"))
    first.update(SlotSet("patient_age", 99.0))
    assert run(store.retrieve("s2")).get_slot("patient_age") == 7.0
    assert run(store.retrieve("unknown")) is None


def test_a_conversation_inside_a_form_reads_back_as_rasas_store_gives_it_and_stays_apart(make_store):
    """Inside a form: the active loop and the latest action are Rasa's to change in place."""
    events = session("7", 7.0) + [ActionExecuted("prescreen_form"), ActiveLoop("prescreen_form"),
                                  SlotSet("requested_slot", "patient_age"), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events("s4", events, DOMAIN.slots)
    ours, rasas = make_store(), InMemoryTrackerStore(DOMAIN)
    run(ours.save(tracker))
    run(rasas.save(tracker))
    for store in (ours, make_store()):
        got, want = run(store.retrieve("s4")), run(rasas.retrieve("s4"))
        assert state(got) == state(want)
        assert got.active_loop_name == "prescreen_form" and got.get_slot("requested_slot") == "patient_age"
        got.update(ActionExecutionRejected("prescreen_form"))  # Rasa marks the loop rejected in place
        got.latest_action["action_name"] = "changed"
        again = run(store.retrieve("s4"))
        assert not again.active_loop.rejected and again.latest_action == want.latest_action


def test_turns_append_only_their_new_events(make_store):
    store = make_store()
    run(store.save(DialogueStateTracker.from_events("s", session("7", 7.0), DOMAIN.slots)))
    tracker = run(store.retrieve("s"))
    tracker.update(SlotSet("patient_age", 8.0))
    run(store.save(tracker))
    run(store.save(tracker))  # saving again adds nothing
    rows = stored_rows(store)
    assert len(rows) == len(session("7", 7.0)) + 1
    assert [r["type_name"] for r in rows[:3]] == ["action", "session_started", "slot"]


def test_conversations_beyond_the_live_ones_leave_memory_and_read_back_the_same(make_store):
    ours, rasas = make_store(live_conversations=2), InMemoryTrackerStore(DOMAIN)
    for i, sender in enumerate(["a", "b", "c"]):
        tracker = DialogueStateTracker.from_events(sender, session(str(10 + i), 10.0 + i), DOMAIN.slots)
        run(ours.save(tracker))
        run(rasas.save(tracker))
    assert list(ours.live) == ["b", "c"]
    assert sorted(run(ours.keys())) == ["a", "b", "c"]
    for sender in ["a", "b", "c"]:
        assert state(run(ours.retrieve(sender))) == state(run(rasas.retrieve(sender)))
    assert list(ours.live) == ["b", "c"]  # the others are only in the database


# --- more than one process on the same database ------------------------------------------------


def test_another_writer_is_seen_at_once_and_no_stale_tracker_is_served(make_store):
    """Two replicas take turns in one conversation; each turn starts from the other's last save."""
    a, b = make_store(), make_store()
    run(a.save(DialogueStateTracker.from_events("s", session("7", 7.0), DOMAIN.slots)))
    for turn, (writer, reader) in enumerate([(b, a), (a, b), (b, a), (a, b)]):
        tracker = run(writer.retrieve("s"))
        assert tracker.get_slot("patient_age") == 7.0 + turn
        tracker.update(UserUttered(f"{8 + turn}", {"name": "inform", "confidence": 1.0}))
        tracker.update(SlotSet("patient_age", 8.0 + turn))
        run(writer.save(tracker))
        seen = run(reader.retrieve("s"))
        assert seen.get_slot("patient_age") == 8.0 + turn
        assert [e.text for e in seen.events if isinstance(e, UserUttered)][-1] == f"{8 + turn}"
    assert len(stored_rows(a)) == len(session("7", 7.0)) + 8  # nothing written twice


def test_a_new_session_or_a_deletion_by_another_writer_is_seen(make_store):
    a, b = make_store(), make_store()
    run(a.save(DialogueStateTracker.from_events("s", session("7", 7.0), DOMAIN.slots)))
    assert run(b.retrieve("s")).get_slot("patient_age") == 7.0
    later = run(a.retrieve("s"))
    for event in session("9", 9.0, "es"):
        later.update(event)
    run(a.save(later))
    got = run(b.retrieve("s"))
    assert got.get_slot("language") == "es" and len(got.events) == len(session("9", 9.0))
    assert len(run(b.retrieve_full_tracker("s")).events) == 2 * len(session("9", 9.0))
    run(a.delete("s"))
    assert run(b.retrieve("s")) is None


# --- "delete my data" ----------------------------------------------------------------------------


def test_delete_flag_forgets_the_whole_conversation_in_the_database(make_store):
    store = make_store()
    tracker = DialogueStateTracker.from_events("s3", session("7", 7.0), DOMAIN.slots)
    run(store.save(tracker))
    assert "s3" in run(store.keys())
    tracker.update(SlotSet(DELETE_FLAG, True))
    run(store.save(tracker))
    assert run(store.retrieve("s3")) is None and run(store.retrieve_full_tracker("s3")) is None
    assert stored_rows(store, "s3") == [] and run(make_store().retrieve("s3")) is None


# --- minimised and encrypted ---------------------------------------------------------------------


def _with_handoff(store, sender="s"):
    tracker = DialogueStateTracker.from_events(sender, session("31", 31.0) + handoff("Li Wei", "13800138000"),
                                               DOMAIN.slots)
    run(store.save(tracker))
    return tracker


def test_contact_details_never_reach_the_stored_events_but_the_live_turn_keeps_them(make_store):
    store = make_store()
    live = _with_handoff(store)
    assert live.get_slot("contact_name") == "Li Wei"  # the turn's own tracker is untouched
    assert run(store.retrieve("s")).get_slot("contact_phone") == "13800138000"  # and this process's copy
    stored = run(make_store().retrieve("s"))  # what a restart or another replica reads
    texts = [e.text for e in stored.events if isinstance(e, (UserUttered, BotUttered))]
    assert texts == ["31", "Thanks", "What name should the coordinator use?", PLACEHOLDER, PLACEHOLDER,
                     PLACEHOLDER, "yes send it"]
    assert stored.get_slot("contact_name") == PLACEHOLDER and stored.get_slot("contact_phone") == PLACEHOLDER
    assert stored.get_slot("patient_age") == 31.0 and stored.get_slot("requested_slot") == "handoff_confirm"
    dump = json.dumps(state(stored))
    assert "13800138000" not in dump and "Li Wei" not in dump


def test_with_private_answers_kept_out_of_memory_this_process_sees_exactly_the_stored_copy(make_store):
    store = make_store(keep_private_in_memory=False)
    run(store.save(DialogueStateTracker.from_events("s", session("31", 31.0), DOMAIN.slots)))
    tracker = run(store.retrieve("s"))
    for event in handoff("Li Wei", "13800138000"):
        tracker.update(event)
    run(store.save(tracker))
    assert tracker.get_slot("contact_name") == "Li Wei"  # the turn's own tracker is untouched
    mine, restarted = run(store.retrieve("s")), run(make_store().retrieve("s"))
    assert state(mine) == state(restarted)
    assert mine.get_slot("contact_phone") == PLACEHOLDER and mine.get_slot("patient_age") == 31.0
    mine.update(SlotSet("patient_age", 32.0))  # and the next turn goes on from there
    run(store.save(mine))
    assert run(make_store().retrieve("s")).get_slot("patient_age") == 32.0


def test_what_is_stored_is_unreadable_without_the_key_and_holds_no_contact_detail_once_decrypted(make_store):
    store = make_store()
    _with_handoff(store)
    rows = stored_rows(store)
    tokens = [r["data"] for r in rows if r["data"] != "+"]  # one Fernet token per save, "+" on its other rows
    assert rows and len(tokens) == 1 and not tokens[0].startswith("{")
    assert {r["intent_name"] for r in rows} == {None} and {r["action_name"] for r in rows} == {None}
    events = json.loads(Fernet(os.environ["LEADS_KEY"]).decrypt(tokens[0].encode()))
    assert len(events) == len(rows) and [e["event"] for e in events] == [r["type_name"] for r in rows]
    plain = json.dumps(events)
    assert '"31"' in plain and "13800138000" not in plain and "Li Wei" not in plain


def test_rows_that_do_not_add_up_are_refused_not_guessed():
    codec = EventCodec(Fernet.generate_key().decode())
    token, more = codec.encode([{"event": "action"}, {"event": "slot"}])
    assert more == "+" and codec.decode([token, more]) == [{"event": "action"}, {"event": "slot"}]
    for rows in ([token], [token, more, more], [more], [token, '{"event": "user"}']):
        with pytest.raises(ValueError):
            codec.decode(rows)
    assert EventCodec(None).encode([{"event": "user"}]) == ['{"event": "user"}']  # Rasa's own format


def test_the_sqlite_file_itself_holds_no_phone_number_or_name_even_unencrypted(sqlite_store, tmp_path):
    store = sqlite_store(encrypt=False)
    _with_handoff(store)
    store.engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"31 years" not in raw and b'"31"' in raw  # readable JSON: encryption is off here
    assert b"13800138000" not in raw and b"Li Wei" not in raw


def test_the_sqlite_file_and_its_journal_are_readable_by_their_owner_only(sqlite_store, tmp_path):
    _with_handoff(sqlite_store())
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()}
    assert modes == {"conversations.db": "0o600", "conversations.db-wal": "0o600", "conversations.db-shm": "0o600"}


def test_an_encrypted_store_cannot_be_read_without_its_key(sqlite_store, monkeypatch):
    _with_handoff(sqlite_store())
    monkeypatch.setenv("LEADS_KEY", Fernet.generate_key().decode())
    with pytest.raises(ValueError) as err:
        run(sqlite_store().retrieve("s"))
    assert "Li Wei" not in str(err.value)


def test_a_pickle_planted_in_the_database_is_never_unpickled(sqlite_store, tmp_path):
    """Rows are read with json.loads only: a pickle that would run code does nothing."""
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    store = sqlite_store(encrypt=False)
    payload = base64.b64encode(pickle.dumps(Exploit())).decode()
    with sqlite3.connect(tmp_path / "conversations.db") as db:
        db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('x', 'user', 1.0, ?)", (payload,))
        db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('y', 'user', 1.0, ?)",
                   (pickle.dumps(Exploit()),))
    for sender in ("x", "y"):
        with pytest.raises(ValueError):
            run(store.retrieve(sender))
    assert not marker.exists()


# --- when the database fails ---------------------------------------------------------------------


def test_a_locked_database_loses_nothing_and_never_takes_a_later_answer_for_an_earlier_question(sqlite_store, tmp_path):
    store = sqlite_store()
    run(store.save(DialogueStateTracker.from_events("s", session("7", 7.0), DOMAIN.slots)))
    locker = sqlite3.connect(tmp_path / "conversations.db", timeout=0)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the database
    with store.sql.transaction() as cursor:  # give up after 50 ms rather than the usual 5 s
        cursor.execute("PRAGMA busy_timeout=50")
    tracker = run(store.retrieve("s"))  # served from memory: this process is the only writer
    tracker.update(SlotSet("patient_age", 8.0))
    with pytest.raises(ConversationStoreUnavailable) as err:
        run(store.save(tracker))
    assert "8.0" not in str(err.value) and "patient_age" not in str(err.value)
    assert run(store.retrieve("s")).get_slot("patient_age") == 8.0  # the unsaved answer is kept
    assert store.has_unwritten("s") and not store.has_unwritten("other")  # a channel can say so
    locker.rollback()
    locker.close()
    again = run(store.retrieve("s"))  # written now, before anything else
    assert again.get_slot("patient_age") == 8.0 and not store.has_unwritten("s")
    assert [r["type_name"] for r in stored_rows(store)][-1] == "slot"
    assert run(sqlite_store().retrieve("s")).get_slot("patient_age") == 8.0


def test_an_unreachable_database_is_an_error_without_data_and_nothing_is_made_up(tmp_path):
    with pytest.raises(ConversationStoreUnavailable) as err:
        DurableTrackerStore(DOMAIN, url=f"postgresql://nobody:secret@127.0.0.1:{_closed_port()}/none",
                            purge_every_minutes=0, connect_wait_s=1)
    assert "secret" not in str(err.value)


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- without the speed patches -------------------------------------------------------------------

STOCK = r"""
import asyncio, json, sys
# No speed patches applied (nothing applies them on import): the store uses Rasa's own copy.
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
import bot.tracker_store as ts
from tests.pure.test_tracker_store import DOMAIN, handoff, session
assert DialogueStateTracker.copy.__module__ == "rasa.shared.core.trackers"  # nothing patched
events = session("7", 7.0) + session("31", 31.0) + handoff("Ana", "13900000000")
ours = ts.DurableTrackerStore(DOMAIN, url=sys.argv[1], purge_every_minutes=0)
rasas = InMemoryTrackerStore(DOMAIN)
loop = asyncio.new_event_loop()
tracker = DialogueStateTracker.from_events("s", events[:12], DOMAIN.slots)
for store in (ours, rasas):
    loop.run_until_complete(store.save(tracker))
for store in (ours, rasas):
    t = loop.run_until_complete(store.retrieve("s"))
    for e in events[12:]:
        t.update(e)
    loop.run_until_complete(store.save(t))
got = loop.run_until_complete(ours.retrieve("s")).current_state(EventVerbosity.ALL)
want = loop.run_until_complete(rasas.retrieve("s")).current_state(EventVerbosity.ALL)
print(json.dumps(got == want))
"""


def test_the_store_is_rasas_own_behaviour_with_the_speed_patches_absent(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    proc = subprocess.run([sys.executable, "-c", STOCK, f"sqlite:///{tmp_path / 'c.db'}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "true"


def test_with_the_speed_patches_on_the_store_copies_state_instead_of_replaying(rasa_speedups):
    from bot import speedups
    from bot.speedups import tracker_copy

    if not speedups.active():
        pytest.skip("stock Rasa in this pass")
    assert DialogueStateTracker.copy is tracker_copy.copy_tracker
    assert store_module.copy_tracker.__module__ == "bot.tracker_store"  # which calls it
