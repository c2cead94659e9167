"""The stack layer: the real servers as `make run` starts them, over HTTP and Socket.IO, and Debian's
Chromium through Playwright (``stack`` here; tests/fixtures/web.py: ``web_stack``, ``browser``).
Every port is a free loopback port, so a developer's running `make run` is never disturbed."""

from __future__ import annotations

import os
import secrets
import subprocess

import pytest

from tests.fixtures.servers import ROOT, free_port, stop_process_group, wait_for


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
