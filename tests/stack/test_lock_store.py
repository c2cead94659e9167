"""endpoints.yml's lock store: Rasa's in-memory one for a single process, Rasa's RedisLockStore on a
real redis-server when LOCK_STORE_URL is set, so replicas take a conversation's turns in order."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.utils import AvailableEndpoints

from bot.lock_store import redis_settings
from tests.fixtures.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _endpoints_env(monkeypatch):
    """endpoints.yml also names the action server; any URL will do to read it."""
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:1/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "unused")


def configured_lock_store() -> LockStore:
    return LockStore.create(AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")).lock_store)


def test_without_lock_store_url_one_process_uses_rasas_in_memory_locks(monkeypatch):
    monkeypatch.delenv("LOCK_STORE_URL", raising=False)
    assert type(configured_lock_store()) is InMemoryLockStore


def test_redis_urls_become_rasas_redis_lock_store_settings():
    assert redis_settings("redis://127.0.0.1:6380/2") == {
        "host": "127.0.0.1", "port": 6380, "db": 2, "username": None, "password": None, "use_ssl": False}
    assert redis_settings("rediss://:s%40cret@redis.internal")["password"] == "s@cret"
    assert redis_settings("rediss://:x@redis.internal")["use_ssl"] is True
    assert redis_settings("redis://localhost")["db"] == 1
    for bad in ("http://localhost:6379/1", "redis://", "localhost:6379"):
        with pytest.raises(ValueError):
            redis_settings(bad)


@pytest.fixture
def redis_url(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: scripts/ensure-servers.sh redis (make test runs it)")
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        import redis

        while time.time() < deadline:
            try:
                redis.Redis(port=port).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_two_replicas_take_one_conversations_turns_one_after_the_other(redis_url, monkeypatch):
    monkeypatch.setenv("LOCK_STORE_URL", redis_url)
    first, second = configured_lock_store(), configured_lock_store()  # one per replica
    assert type(first) is RedisLockStore
    order = []

    async def turn(store, name, hold):
        async with store.lock("conversation-1", wait_time_in_seconds=0.05):
            order.append(f"{name} starts")
            await asyncio.sleep(hold)
            order.append(f"{name} ends")

    async def both():
        await asyncio.gather(turn(first, "A", 0.3), asyncio.sleep(0.05), turn(second, "B", 0.0))

    async def other_conversation():
        async with second.lock("conversation-2"):
            return True

    loop = asyncio.new_event_loop()
    loop.run_until_complete(both())
    assert order == ["A starts", "A ends", "B starts", "B ends"]
    assert loop.run_until_complete(other_conversation())
    assert first.get_lock("conversation-1") is None  # released
