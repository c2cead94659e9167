"""Tracker stores compared in-process, on a real screening's events: ours (bot/tracker_store.py)
on SQLite and PostgreSQL, and Rasa's own SQLTrackerStore, RedisTrackerStore and in-memory store.

Each conversation is replayed turn by turn as Rasa does it: read the tracker, append the turn's
events, save. Only the reads and saves are timed. "alternating writers" has two store objects on
the same database take turns, as two replicas behind nginx do; "cold read" is a fresh store
reading a finished screening (a restart, or a replica that has not seen the conversation).

    python -m tools.bench.stores --pg postgresql://postgres@127.0.0.1:54329/postgres --redis redis://127.0.0.1:6379/2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[2]


def split_turns(events: Sequence[Dict[str, Any]]) -> List[List[Dict[str, Any]]]:
    """A conversation's events cut before each user message: the session start, then one list per turn."""
    turns: List[List[Dict[str, Any]]] = [[]]
    for event in events:
        if event.get("event") == "user" and turns[-1]:
            turns.append([])
        turns[-1].append(event)
    return [t for t in turns if t]


def sample_screening() -> List[Dict[str, Any]]:
    """A screening's events built like Rasa's (used when no real tracker is given): 20 answers,
    each with a 27-intent ranking, form steps, slots, a question with buttons."""
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SessionStarted, SlotSet, UserUttered

    ranking = [{"name": f"intent_{i}", "confidence": 1.0 / 27} for i in range(27)]
    events = [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("language", "en"),
              ActionExecuted("action_listen")]
    for i in range(20):
        slot = f"question_{i}"
        events += [
            UserUttered(f"answer number {i}, in a sentence of about this length", {"name": "inform", "confidence": 0.9},
                        [{"entity": "number", "value": i, "start": 14, "end": 16}],
                        parse_data={"intent_ranking": ranking, "text": f"answer number {i}"}, input_channel="rest",
                        message_id=uuid.uuid4().hex, metadata={"language": "en"}),
            ActionExecuted("prescreen_form"), ActiveLoop("prescreen_form"), SlotSet(slot, "yes"),
            SlotSet("requested_slot", f"question_{i + 1}"),
            BotUttered(f"Question {i + 1}: has a doctor told you something about this?",
                       {"buttons": [{"title": t, "payload": f"/inform{{\"answer\": \"{t}\"}}"} for t in ("Yes", "No", "Not sure")]},
                       metadata={"utter_action": f"utter_ask_question_{i + 1}"}),
            ActionExecuted("action_listen"),
        ]
    return [e.as_dict() for e in events]


def _events(dicts: Sequence[Dict[str, Any]]) -> List[Any]:
    from rasa.shared.core.events import deserialise_events

    return deserialise_events([json.loads(json.dumps(d)) for d in dicts])


def _replay(make: Callable[[], Any], turns: List[List[Dict[str, Any]]], conversations: int, domain: Any,
            alternate: bool) -> Dict[str, Any]:
    from rasa.shared.core.trackers import DialogueStateTracker

    loop = asyncio.new_event_loop()
    stores = [make(), make()] if alternate else [make()]
    per_turn: List[List[float]] = [[] for _ in turns]
    senders = [f"bench-store-{uuid.uuid4().hex[:8]}" for _ in range(conversations)]
    for sender in senders:
        for k, turn in enumerate(turns):
            store = stores[k % len(stores)]
            start = time.perf_counter()
            tracker = loop.run_until_complete(store.retrieve(sender))
            took = time.perf_counter() - start
            if tracker is None:
                tracker = DialogueStateTracker(sender, domain.slots)
            for event in _events(turn):
                tracker.update(event)
            start = time.perf_counter()
            loop.run_until_complete(store.save(tracker))
            per_turn[k].append(took + time.perf_counter() - start)
    fresh = make()
    start = time.perf_counter()
    got = loop.run_until_complete(fresh.retrieve(senders[0]))
    cold = time.perf_counter() - start
    if got is None or len(got.events) < sum(len(t) for t in turns) - 5:
        raise RuntimeError("a store gave back less than it was given")
    all_turns = [x for xs in per_turn for x in xs]
    last = [x for xs in per_turn[-5:] for x in xs]
    loop.close()
    return {"per_turn_ms": 1000 * sum(all_turns) / len(all_turns), "last_turns_ms": 1000 * sum(last) / len(last),
            "cold_read_ms": 1000 * cold}


def _pg_database(admin_url: str, name: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def compare(events: Sequence[Dict[str, Any]], pg: Optional[str], redis_url: Optional[str], conversations: int = 10,
            key: Optional[str] = None) -> List[Dict[str, Any]]:
    """One row per store (those whose server is not given are left out)."""
    from cryptography.fernet import Fernet
    from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore
    from rasa.shared.core.domain import Domain

    from bot.lock_store import redis_settings
    from bot.tracker_store import DurableTrackerStore

    domain = Domain.load(str(ROOT / "domain"))
    key = key or Fernet.generate_key().decode()
    turns = split_turns(events)
    tmp = Path(tempfile.mkdtemp(prefix="bench-stores-"))
    private = ["contact_name", "contact_details", "contact_time", "contact_phone"]
    candidates: List[tuple] = [
        ("ours (SQLite file, the default)", lambda: DurableTrackerStore(
            domain, url=f"sqlite:///{tmp / 'ours.db'}", key=key, private_answers=private, purge_every_minutes=0), True),
        ("Rasa SQLTrackerStore (SQLite file)", lambda: SQLTrackerStore(domain, db=str(tmp / "rasa.db")), True),
        ("Rasa InMemoryTrackerStore (not durable)", lambda store=InMemoryTrackerStore(domain): store, False),
    ]
    if pg:
        ours_pg, rasa_pg = _pg_database(pg, "bench_stores_ours"), _pg_database(pg, "bench_stores_rasa")
        candidates += [
            ("ours (PostgreSQL, the scaled set-up)", lambda: DurableTrackerStore(
                domain, url=ours_pg, key=key, private_answers=private, purge_every_minutes=0), True),
            ("Rasa SQLTrackerStore (PostgreSQL)", lambda: SQLTrackerStore(domain, host=rasa_pg), True),
        ]
    if redis_url:
        settings, prefix = redis_settings(redis_url), f"bench{uuid.uuid4().hex[:6]}"
        candidates.append(("Rasa RedisTrackerStore", lambda: RedisTrackerStore(
            domain, host=settings["host"], port=settings["port"], db=settings["db"], password=settings["password"],
            key_prefix=prefix), True))
    rows = []
    for name, make, shared in candidates:
        row = {"store": name, **_replay(make, turns, conversations, domain, alternate=False)}
        if shared:
            row["alternating_ms"] = _replay(make, turns, max(2, conversations // 2), domain, alternate=True)["per_turn_ms"]
        print(f"  {name}: {row['per_turn_ms']:.2f} ms a turn ({row['last_turns_ms']:.2f} ms at the end), cold read "
              f"{row['cold_read_ms']:.2f} ms" + (f", alternating writers {row['alternating_ms']:.2f} ms a turn"
                                                 if "alternating_ms" in row else ""), flush=True)
        rows.append(row)
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Compare tracker stores on a screening's events.")
    parser.add_argument("--pg", help="a PostgreSQL URL whose user may create databases (bench_stores_*)")
    parser.add_argument("--redis", help="redis://host:port/db for Rasa's RedisTrackerStore")
    parser.add_argument("--events", help="a tracker's JSON (GET /conversations/<id>/tracker) to replay")
    parser.add_argument("--conversations", type=int, default=10)
    args = parser.parse_args(argv)
    events = json.loads(Path(args.events).read_text())["events"] if args.events else sample_screening()
    from tools.bench.report import format_table

    rows = compare(events, args.pg, args.redis, args.conversations)
    print(format_table(["store", "per turn ms", "last 5 turns ms", "cold read ms", "alternating ms"],
                       [[r["store"], f"{r['per_turn_ms']:.2f}", f"{r['last_turns_ms']:.2f}", f"{r['cold_read_ms']:.2f}",
                         f"{r['alternating_ms']:.2f}" if "alternating_ms" in r else "-"] for r in rows]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
