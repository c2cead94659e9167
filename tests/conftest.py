"""Shared fixtures: a real action server in a subprocess and a real trained Rasa agent in-process.

The model is the one `make train` builds (models/prescreen.tar.gz); `make test` trains it first.

Rasa runs as the server runs it: with the speed patches (bot/speedups), unless RASA_SPEEDUPS=0.
Every test that goes through the trained agent or the real servers over HTTP is marked
`through_rasa`, and `make test` runs those a second time with RASA_SPEEDUPS=0, so each
conversation is checked on stock Rasa too.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "prescreen.tar.gz"
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
# Every server a test starts keeps conversations (and a development key) in a throwaway
# directory, never in the repository's var/, which endpoints.yml and run.sh default to.
_THROWAWAY = Path(tempfile.mkdtemp(prefix="prescreen-tests-"))
atexit.register(shutil.rmtree, _THROWAWAY, True)
os.environ.setdefault("TRACKER_STORE_URL", f"sqlite:///{_THROWAWAY / 'conversations.db'}")
os.environ.setdefault("LEADS_KEY_FILE", str(_THROWAWAY / "leads.key"))
ACTION_TOKEN = "test-action-token"
# Fixtures that run Rasa: the tests using them run on stock Rasa too. Not the browser's web_stack:
# the page takes a reply as complete after 450 ms without a new message, and stock Rasa, about half
# as fast, leaves such gaps on a loaded machine (a page-timing flake, not a difference in answers).
THROUGH_RASA = {"agent", "stack", "rasa_with_own_action_server"}
# Nor the load tests (test_faults.py, 20 conversations at once): they measure capacity, which the
# patches exist to raise. On stock Rasa, on this shared machine, turns were refused: the channel's
# 1.5 s action-server health check timed out while Rasa's own event loop was busy.
CAPACITY = "under_load"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "through_rasa: goes through the trained agent or the real servers over HTTP (set from the "
        "fixtures a test uses); `make test` runs these again with RASA_SPEEDUPS=0")


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if THROUGH_RASA & set(getattr(item, "fixturenames", ())) and CAPACITY not in item.name:
            item.add_marker(pytest.mark.through_rasa)


@pytest.fixture(scope="session", autouse=True)
def rasa_speedups():
    """The speed patches on for the whole session, as the Rasa server puts them on when it starts,
    unless RASA_SPEEDUPS=0 (make test's second pass); True when they are on."""
    from bot import speedups

    yield speedups.apply()
    speedups.revert()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up within {timeout}s")


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: List[Any] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append(envelope)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def bodies(self) -> List[str]:
        return [m.content.decode("utf-8", "replace") for m in self.messages]


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink()
    sink.controller.start()
    yield sink
    sink.controller.stop()


@pytest.fixture(scope="session")
def lead_env(tmp_path_factory, smtp_sink):
    """Environment for the action server: its own SQLite lead database, key and SMTP sink."""
    from cryptography.fernet import Fernet

    from bot.leads.store import LeadStore
    from bot.resume_store import ResumeStore

    url = f"sqlite:///{tmp_path_factory.mktemp('leads') / 'leads.db'}"
    key = Fernet.generate_key().decode()
    LeadStore(url, key).create_schema()
    ResumeStore(url).create_schema()
    return {
        "DATABASE_URL": url,
        "LEADS_KEY": key,
        # Signs web sessions and keys resume codes: the page server, Rasa and actions share it.
        "WEB_SESSION_SECRET": secrets.token_hex(32),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_sink.port),
        "COORDINATOR_EMAIL": "coordinator@example.org",
        "INBOX_BASE_URL": "http://127.0.0.1:5070",
    }


@pytest.fixture(scope="session")
def lead_store(lead_env):
    from bot.leads.store import LeadStore

    return LeadStore(lead_env["DATABASE_URL"], lead_env["LEADS_KEY"])


@pytest.fixture(scope="session")
def action_server_url(lead_env):
    port = free_port()
    env = {**os.environ, **lead_env, "ACTION_SERVER_TOKEN": ACTION_TOKEN, "RASA_TELEMETRY_ENABLED": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.action_server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health")
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def event_loop_for_agent():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def conversation_store_settings() -> Dict[str, Any]:
    """The tracker store's settings in endpoints.yml (read as Rasa reads them)."""
    import yaml

    config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))["tracker_store"]
    assert config.pop("type") == "bot.tracker_store.DurableTrackerStore", config
    return config


def conversation_store(directory: Path, key: Optional[str] = None, **overrides: Any):
    """The tracker store endpoints.yml configures, on a SQLite file in `directory`; no periodic
    purge (tests/test_retention.py tests it) in the test's short-lived event loops."""
    from bot.tracker_store import DurableTrackerStore

    settings = {**conversation_store_settings(), "purge_every_minutes": 0, **overrides}
    return DurableTrackerStore(None, url=f"sqlite:///{directory / 'conversations.db'}", key=key, **settings)


@pytest.fixture(scope="session")
def agent(action_server_url, event_loop_for_agent, lead_env, tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (or `make test`, which trains first)")
    from rasa.core.agent import Agent
    from rasa.core.utils import AvailableEndpoints

    async def load():
        # endpoints.yml as `rasa run` reads it (selective domain, the token header), pointed at
        # the test action server; the same tracker store, on a throwaway SQLite file.
        os.environ["ACTION_SERVER_URL"] = action_server_url
        os.environ["ACTION_SERVER_TOKEN"] = ACTION_TOKEN
        endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
        store = conversation_store(tmp_path_factory.mktemp("conversations"), lead_env["LEADS_KEY"])
        return Agent.load(str(MODEL), action_endpoint=endpoints.action, tracker_store=store)

    return event_loop_for_agent.run_until_complete(load())


class Chat:
    """One conversation with the real agent: say things, read replies and slots."""

    def __init__(self, agent, loop, language: Optional[str] = None):
        self.agent = agent
        self.loop = loop
        self.sender = f"test-{uuid.uuid4().hex[:12]}"
        self.language = language
        self.transcript: List[str] = []

    def say(self, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        meta = dict(metadata or {})
        if self.language and "language" not in meta:
            meta["language"] = self.language
        out = CollectingOutputChannel()
        message = UserMessage(text, out, self.sender, metadata=meta or None)
        self.loop.run_until_complete(self.agent.handle_message(message))
        self.transcript.append(f"USER: {text}")
        self.transcript.extend(f"BOT: {m.get('text')}" for m in out.messages)
        return out.messages

    def texts(self, text: str, **kw) -> str:
        return "\n".join(m.get("text") or "" for m in self.say(text, **kw))

    @property
    def tracker(self):
        return self.loop.run_until_complete(self.agent.tracker_store.retrieve(self.sender))

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    @property
    def requested_slot(self) -> Optional[str]:
        return self.slot("requested_slot")


@pytest.fixture
def chat(agent, event_loop_for_agent):
    def make(language: Optional[str] = None) -> Chat:
        return Chat(agent, event_loop_for_agent, language)

    return make


@pytest.fixture(scope="session")
def stack(tmp_path_factory, smtp_sink):
    """scripts/run.sh with its own ports, database and API token; stopped with Ctrl-C (SIGINT)."""
    from cryptography.fernet import Fernet

    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "COORDINATOR_PORT": free_port(),
             "WEB_PORT": free_port()}
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "RASA_API_TOKEN": token,
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('stack') / 'leads.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path_factory.mktemp('stack-conversations') / 'conversations.db'}",
        "LEADS_KEY": Fernet.generate_key().decode(),
        "WEB_SESSION_SECRET": secrets.token_hex(32),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_sink.port),
        "COORDINATOR_EMAIL": "coordinator@example.org",
    }
    env.pop("ACTION_SERVER_URL", None)
    env.pop("ACTION_SERVER_TOKEN", None)
    env.pop("INBOX_BASE_URL", None)  # e-mail links must follow COORDINATOR_PORT by themselves
    log_path = tmp_path_factory.mktemp("logs") / "run.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(["scripts/run.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{ports['RASA_PORT']}"
    try:
        wait_for(base + "/", timeout=180)
        wait_for(f"http://127.0.0.1:{ports['ACTION_PORT']}/health", timeout=60)
        yield {"url": base, "token": token, "env": env, "ports": ports, "proc": proc, "log": log_path}
    finally:
        stop_process_group(proc)
        log.close()


def stop_process_group(proc: subprocess.Popen, sig: int = signal.SIGINT, timeout: float = 30) -> None:
    """Stops a server started with start_new_session=True, as Ctrl-C would, then for certain."""
    os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def load_script(name: str):
    """A file in scripts/ imported as a module (scripts/ is not a package), for testing its parts."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{name}_script", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
