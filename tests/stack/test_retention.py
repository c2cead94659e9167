"""Conversations expire after the retention period: the purge deletes those idle for longer, keeps
the rest, and really runs, inside a server process on its own and from the command line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.retention import Retention
from bot.tracker_store import DurableTrackerStore
from tests.pure.test_tracker_store import DOMAIN, session

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("LEADS_KEY", Fernet.generate_key().decode())
    for name in ("TRACKER_STORE_URL", "CONVERSATION_RETENTION_DAYS", "CONVERSATION_PURGE_EVERY_MINUTES"):
        monkeypatch.delenv(name, raising=False)


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def age(store, sender: str, days: float) -> None:
    """Moves every event of a conversation `days` into the past, as if nobody had written since."""
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET timestamp = timestamp - :s WHERE sender_id = :id"),
                     {"s": days * DAY, "id": sender})


def conversations(store, *senders):
    for i, sender in enumerate(senders):
        run(store.save(DialogueStateTracker.from_events(sender, session(str(20 + i), 20.0 + i), DOMAIN.slots)))


def test_conversations_idle_longer_than_the_retention_are_deleted_and_the_others_kept(database_url):
    store = DurableTrackerStore(DOMAIN, url=database_url, purge_every_minutes=0)
    conversations(store, "old", "older", "recent", "came-back")
    age(store, "old", 31)
    age(store, "older", 400)
    age(store, "recent", 29)
    age(store, "came-back", 45)
    tracker = run(store.retrieve("came-back"))  # its person came back yesterday
    tracker.update(session("33", 33.0)[-3])
    run(store.save(tracker))

    assert store.purge_expired() == 2
    assert run(store.retrieve("old")) is None and run(store.retrieve("older")) is None
    assert run(store.retrieve("recent")).get_slot("patient_age") == 22.0
    assert run(store.retrieve("came-back")) is not None
    assert sorted(run(store.keys())) == ["came-back", "recent"]
    assert store.purge_expired() == 0
    store.engine.dispose()


def test_the_retention_period_comes_from_the_environment_and_is_checked():
    assert Retention.from_env(env={}) == Retention(30.0, 60.0)
    assert Retention.from_env(7, 5, env={}) == Retention(7.0, 5.0)  # endpoints.yml
    env = {"CONVERSATION_RETENTION_DAYS": "14", "CONVERSATION_PURGE_EVERY_MINUTES": "0"}
    assert Retention.from_env(7, 5, env=env) == Retention(14.0, 0.0)  # the environment wins
    for bad in ({"CONVERSATION_RETENTION_DAYS": "0"}, {"CONVERSATION_RETENTION_DAYS": "a month"},
                {"CONVERSATION_PURGE_EVERY_MINUTES": "-1"}):
        with pytest.raises(ValueError) as err:
            Retention.from_env(env=bad)
        assert next(iter(bad)) in str(err.value)
    now = 1_000_000_000.0
    assert Retention(30).cutoff(now) == now - 30 * DAY


def test_the_purge_runs_by_itself_inside_the_server_process(tmp_path):
    """A store created inside a running event loop (as `rasa run` creates it) purges on its own,
    at start and then every few seconds here; a conversation that expires meanwhile goes too."""
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    other = DurableTrackerStore(DOMAIN, url=url, purge_every_minutes=0)
    conversations(other, "expired", "kept")
    age(other, "expired", 31)

    async def server():
        store = DurableTrackerStore(DOMAIN, url=url, purge_every_minutes=0.01)  # every 0.6 s
        gone_at_start = await wait_until_gone(store, "expired")
        conversations_later = DialogueStateTracker.from_events("later", session("40", 40.0), DOMAIN.slots)
        await store.save(conversations_later)
        age(store, "later", 31)
        gone_later = await wait_until_gone(store, "later")
        kept = await store.retrieve("kept")
        store._purger.cancel()
        return gone_at_start, gone_later, kept

    async def wait_until_gone(store, sender):
        for _ in range(100):
            if sender not in await store.keys():
                return True
            await asyncio.sleep(0.1)
        return False

    gone_at_start, gone_later, kept = asyncio.new_event_loop().run_until_complete(server())
    assert gone_at_start and gone_later and kept.get_slot("patient_age") == 21.0


def test_the_purge_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    store = DurableTrackerStore(DOMAIN, url=url, purge_every_minutes=0)
    conversations(store, "a", "b", "c")
    age(store, "a", 10)
    age(store, "b", 3)
    env = {**os.environ, "TRACKER_STORE_URL": url, "CONVERSATION_RETENTION_DAYS": "7", "RASA_TELEMETRY_ENABLED": "false"}

    def cli(*args):
        proc = subprocess.run([sys.executable, "-m", "bot.retention", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    assert "would remove 1 conversation(s) idle for more than 7 days" in cli("--dry-run")
    assert sorted(run(store.keys())) == ["a", "b", "c"]
    assert "removed 1 conversation(s)" in cli()
    assert "removed 1 conversation(s) idle for more than 2 days" in cli("--days", "2")
    assert run(store.keys()) == ["c"] and run(store.retrieve("a")) is None
    assert "removed 0" in cli()
