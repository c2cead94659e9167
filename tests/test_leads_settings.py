"""Settings from the environment, the development key file, and the coordinator CLI."""

from __future__ import annotations

import io
import logging
import os
import stat

import pytest
from cryptography.fernet import Fernet

from bot import cli
from bot.coordinator.auth import LoginThrottle, hash_password, verify_password
from bot.leads.store import LeadStore
from bot.settings import Settings, SettingsError


def test_defaults_are_safe(tmp_path):
    s = Settings.from_env({"LEADS_KEY": Fernet.generate_key().decode(), "DATABASE_URL": "sqlite:///x.db"})
    assert s.coordinator_host == "127.0.0.1" and s.coordinator_port == 5060
    assert s.session_ttl_minutes == 30
    assert s.trial_id == "gobroad-cik-ball-2024" and "CIK" in s.trial_title
    assert s.notifications_enabled is False
    assert s.secure_cookies is False
    assert "leads_key" not in repr(s) and s.leads_key not in repr(s)


def test_default_database_is_a_sqlite_file_under_var():
    s = Settings.from_env({"LEADS_KEY": Fernet.generate_key().decode()})
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("/var/leads.db")


def test_postgres_scheme_is_normalised():
    s = Settings.from_env({"LEADS_KEY": Fernet.generate_key().decode(), "DATABASE_URL": "postgres://u@h/db"})
    assert s.database_url == "postgresql://u@h/db"


def test_development_key_is_generated_once_with_0600_and_not_logged(tmp_path, caplog):
    key_file = tmp_path / "var" / "leads.key"
    env = {"DATABASE_URL": "sqlite:///x.db", "LEADS_KEY_FILE": str(key_file)}
    with caplog.at_level(logging.WARNING):
        first = Settings.from_env(env)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert first.leads_key not in caplog.text and "LEADS_KEY is not set" in caplog.text
    assert Settings.from_env(env).leads_key == first.leads_key
    Fernet(first.leads_key.encode())  # a valid key


def test_production_requires_secrets(tmp_path):
    with pytest.raises(SettingsError):
        Settings.from_env({"APP_ENV": "production", "DATABASE_URL": "sqlite:///x.db", "SESSION_SECRET": "x" * 32})
    with pytest.raises(SettingsError):
        Settings.from_env({"APP_ENV": "production", "DATABASE_URL": "sqlite:///x.db",
                           "LEADS_KEY": Fernet.generate_key().decode()})


def test_bad_numbers_are_reported():
    with pytest.raises(SettingsError):
        Settings.from_env({"LEADS_KEY": Fernet.generate_key().decode(), "DATABASE_URL": "sqlite:///x.db",
                           "SMTP_PORT": "twenty-five"})


def test_password_hashes_are_salted_scrypt():
    a, b = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert a != b and a.startswith("scrypt$")
    assert verify_password("correct horse battery", a)
    assert not verify_password("correct horse batterY", a)
    assert not verify_password("anything", "garbage")


def test_throttle_locks_then_unlocks():
    now = [0.0]
    t = LoginThrottle(max_failures=3, window=60, lockout=120, clock=lambda: now[0])
    for _ in range(3):
        assert not t.is_locked("Alice")
        t.record_failure("alice")
    assert t.is_locked("ALICE")
    now[0] = 121
    assert not t.is_locked("alice")


def test_cli_add_coordinator(tmp_path, monkeypatch, capsys):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("DATABASE_URL", db)
    monkeypatch.setenv("LEADS_KEY", key)
    assert cli.main(["db-upgrade"]) == 0

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["add-coordinator", "alice", "--password-stdin"]) == 2

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert cli.main(["add-coordinator", "alice", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert cli.main(["add-coordinator", "alice", "--password-stdin"]) == 1  # exists

    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert cli.main(["add-coordinator", "alice", "--password-stdin", "--reset-password"]) == 0
    assert cli.main(["add-coordinator", "bad name!", "--password-stdin"]) == 2

    store = LeadStore(db, key)
    try:
        account = store.get_coordinator("alice")
        assert verify_password("another long password", account["password_hash"])
        assert "another long password" not in account["password_hash"]
    finally:
        store.close()
    assert "a long enough password" not in capsys.readouterr().out
