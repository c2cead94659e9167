"""Fixtures for the coordinator inbox over real HTTP: a live Sanic server on loopback (on SQLite
and PostgreSQL), two accounts with two-factor secrets, and a client that signs in like a person:
password, then the code an authenticator app would show.

Imported explicitly by ``tests/test_coordinator_*.py``; fixtures are named ``*_fixture``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import count

import pytest
import requests

from bot.coordinator.app import create_app
from bot.coordinator.auth import LoginThrottle, hash_password
from bot.coordinator.totp import new_secret, totp
from bot.leads.models import utcnow
from bot.settings import Settings
from tests.leads_fixtures import LiveServer

PASSWORD = "correct horse battery staple"
_names = count()


class Clock:
    """The inbox's clock (sessions, two-factor codes), movable so tests need not wait."""

    def __init__(self):
        self.offset = timedelta(0)

    def __call__(self):
        return utcnow() + self.offset

    def advance(self, **kwargs) -> None:
        self.offset += timedelta(**kwargs)


class Monotonic:
    """The login throttle's clock."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(name="settings")
def settings_fixture(database_url, leads_key):
    return Settings(database_url=database_url, leads_key=leads_key, session_secret="s" * 64, session_ttl_minutes=30,
                    inbox_base_url="http://127.0.0.1:5070")


@pytest.fixture(name="clock")
def clock_fixture():
    return Clock()


@pytest.fixture(name="monotonic")
def monotonic_fixture():
    return Monotonic()


@pytest.fixture(name="server")
def server_fixture(settings, store, clock, monotonic):
    secrets = {"alice": new_secret(), "bob": new_secret()}
    store.add_coordinator("alice", hash_password(PASSWORD), totp_secret=secrets["alice"])
    store.add_coordinator("bob", hash_password(PASSWORD + "!"), totp_secret=secrets["bob"])
    app = create_app(settings, store, name=f"coordinator_test_{next(_names)}", clock=clock,
                     throttle=LoginThrottle(clock=monotonic))
    with LiveServer(app) as live:
        live.clock, live.secrets, live.monotonic = clock, secrets, monotonic
        yield live


def code_for(server, username: str) -> str:
    """The code the account's authenticator shows now, on a fresh 30-second step (codes are
    accepted once per step, and tests sign in often)."""
    server.clock.advance(seconds=30)
    return totp(server.secrets[username], server.clock().timestamp())


def login(server, username: str = "alice", password: str = PASSWORD, session: requests.Session | None = None
          ) -> requests.Session:
    s = session or requests.Session()
    r = s.post(f"{server.url}/login", data={"username": username, "password": password}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/login/code", (r.status_code, r.headers.get("Location"))
    page = s.get(f"{server.url}/login/code")
    r = s.post(f"{server.url}/login/code", data={"code": code_for(server, username), "csrf_token": csrf_of(page.text)},
               allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/", (r.status_code, r.headers.get("Location"))
    return s


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
