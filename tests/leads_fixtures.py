"""Shared fixtures for the lead-store and coordinator tests (imported explicitly by those modules).

Fixture functions are named ``*_fixture`` with ``name=`` set, so a module imports e.g.
``store_fixture`` and its tests ask for ``store`` without shadowing the import.

``database_url`` runs a test on a fresh SQLite file and on PostgreSQL. PostgreSQL comes from
``TEST_DATABASE_URL`` (``scripts/ensure-postgres.sh`` prints one); each test gets its own schema
so runs never see each other's rows. Without ``TEST_DATABASE_URL`` the PostgreSQL case is skipped
on a developer machine, but under ``CI`` the fixtures start the throwaway server themselves and
fail, never skip, if that does not work: the store must be proven on both databases.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.leads.store import LeadStore

REPO_ROOT = Path(__file__).resolve().parents[1]
ENSURE_POSTGRES = REPO_ROOT / "scripts" / "ensure-postgres.sh"

_pg_base: Dict[str, str | None] = {}


def _reachable(url: str) -> bool:
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return True
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def postgres_base_url() -> str:
    """The PostgreSQL server for this run, or skip (locally) / fail (CI) without one."""
    if "url" in _pg_base:
        url = _pg_base["url"]
    else:
        url = os.environ.get("TEST_DATABASE_URL") or None
        if url is None and os.environ.get("CI"):
            proc = subprocess.run(
                ["bash", str(ENSURE_POSTGRES)], capture_output=True, text=True, timeout=900, check=False
            )
            url = proc.stdout.strip().splitlines()[-1] if proc.returncode == 0 and proc.stdout.strip() else None
            if url is None:
                _pg_base["error"] = f"scripts/ensure-postgres.sh failed:\n{proc.stderr[-2000:]}"
        _pg_base["url"] = url
    if url is None:
        if os.environ.get("CI"):
            pytest.fail(_pg_base.get("error") or "CI is set but no PostgreSQL is available (TEST_DATABASE_URL)")
        pytest.skip("TEST_DATABASE_URL not set; run: export TEST_DATABASE_URL=$(scripts/ensure-postgres.sh)")
    if not _reachable(url):
        pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL does not answer at {make_url(url)!r}")
    return url


@pytest.fixture(name="database_url", params=["sqlite", "postgresql"])
def database_url_fixture(request, tmp_path):
    """A URL to an empty database: a SQLite file, or a fresh schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'leads.db'}"
        return
    base = postgres_base_url()
    schema = "t_" + uuid.uuid4().hex[:16]  # generated identifier, not user input
    admin = create_engine(base, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(name="leads_key")
def leads_key_fixture() -> str:
    return Fernet.generate_key().decode("ascii")


@pytest.fixture(name="store")
def store_fixture(database_url, leads_key):
    s = LeadStore(database_url, leads_key)
    s.create_schema()
    try:
        yield s
    finally:
        s.close()


def eligible_answers(**overrides: Any) -> Dict[str, Any]:
    """A complete, likely-eligible set of answers (guardian of a 7-year-old boy)."""
    from bot.trial import TRIAL

    answers: Dict[str, Any] = {
        "prescreen_consent": "yes",
        "respondent": "guardian",
        "patient_age": 7.0,
        "b_all_diagnosis": "yes",
        "relapsed_or_refractory": "yes",
        "had_car_t": "yes",
        "car_t_activity_lost": "yes",
        "car_t_loss_months": 3.0,
        "relapse_since_car_t": "no",
        "severe_allergies": "no",
        "ecog": 1.0,
        "sex": "male",
    }
    for c in TRIAL.criteria:
        if c.kind == "exclusion" and c.id != "E15":
            answers[c.slots[0]] = "no"
    answers.update(overrides)
    return answers


def lead_kwargs(answers: Dict[str, Any] | None = None, **contact: Any) -> Dict[str, Any]:
    """Keyword arguments for ``LeadStore.upsert_lead`` built the way the action server will."""
    from bot.leads.service import lead_fields_from_answers

    answers = answers or eligible_answers()
    fields = lead_fields_from_answers(answers)
    return {
        **fields,
        "respondent": answers["respondent"],
        "language": "en",
        "contact": {"name": "Li Wei", "phone": "+86 138 0013 8000", "email": "li.wei@example.com", **contact},
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """Runs a Sanic 21.12 app on a loopback port in a background thread (no sanic-testing)."""

    def __init__(self, app):
        from sanic import Sanic

        # Several apps start in one test process; in test mode Sanic 21.12's TouchUp rewrites its
        # hot paths from the saved originals instead of failing on already-rewritten functions.
        Sanic.test_mode = True
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._server = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self._server = self.loop.run_until_complete(
                self.app.create_server(sock=self.sock, return_asyncio_server=True, access_log=False)
            )
            self.loop.run_until_complete(self._server.startup())
            self.loop.run_until_complete(self._server.before_start())
            self.loop.run_until_complete(self._server.after_start())
        except BaseException as exc:  # surfaced to the test thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()
        self.loop.close()

    async def _shutdown(self) -> None:
        """Close the listener and any kept-alive connections, so no task outlives the loop."""
        self._server.close()
        await self._server.wait_closed()
        for conn in list(getattr(self._server, "connections", ())):
            conn.close_if_idle()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        self._ready.wait(15)
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(15)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(15)
