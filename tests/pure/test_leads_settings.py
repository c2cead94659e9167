"""Settings from the environment, the development key file, and the coordinator CLI."""

from __future__ import annotations

import io
import logging
import os
import stat

import pytest
from cryptography.fernet import Fernet

from bot import cli
from bot.coordinator import totp
from bot.coordinator.auth import hash_password, verify_password
from bot.leads.store import LeadStore, make_engine
from bot.settings import Settings, SettingsError, private_dir


@pytest.fixture(name="scratch_dir")
def _in_a_scratch_directory(tmp_path, monkeypatch):
    """The relative "sqlite:///x.db" of these tests lands in a temporary directory, never in the checkout."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.usefixtures("scratch_dir")
def test_defaults_are_safe(tmp_path):
    s = Settings.from_env({"LEADS_KEY": Fernet.generate_key().decode(), "DATABASE_URL": "sqlite:///x.db"})
    assert s.coordinator_host == "127.0.0.1" and s.coordinator_port == 5070
    assert s.inbox_base_url == "http://127.0.0.1:5070"  # e-mail links point where the inbox listens
    assert s.session_ttl_minutes == 30
    assert s.require_totp is True and s.inbox_time_zone == "Asia/Shanghai"
    assert s.contact_draft_hours == 24 and s.purge_interval_seconds == 300
    assert str(s.time_zone) == "Asia/Shanghai"
    assert s.trial_id == "gobroad-cik-ball-2024" and "CIK" in s.trial_title
    assert s.notifications_enabled is False
    assert s.secure_cookies is False
    assert "leads_key" not in repr(s) and s.leads_key not in repr(s)


def test_the_default_time_zone_works_without_a_zone_database(monkeypatch):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfoNotFoundError

    import bot.settings as settings_module

    def missing(name):
        raise ZoneInfoNotFoundError(name)

    monkeypatch.setattr(settings_module, "ZoneInfo", missing)
    assert settings_module.load_time_zone("Asia/Shanghai").utcoffset(datetime(2026, 7, 1)) == timedelta(hours=8)
    with pytest.raises(SettingsError):
        settings_module.load_time_zone("Europe/Madrid")


def test_default_database_is_a_sqlite_file_under_var():
    s = Settings.from_env({"LEADS_KEY": Fernet.generate_key().decode()})
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("/var/leads.db")


def test_postgres_scheme_is_normalised():
    s = Settings.from_env({"LEADS_KEY": Fernet.generate_key().decode(), "DATABASE_URL": "postgres://u@h/db"})
    assert s.database_url == "postgresql://u@h/db"


@pytest.mark.usefixtures("scratch_dir")
def test_development_key_is_generated_once_with_0600_and_not_logged(tmp_path, caplog):
    key_file = tmp_path / "var" / "leads.key"
    env = {"DATABASE_URL": "sqlite:///x.db", "LEADS_KEY_FILE": str(key_file)}
    with caplog.at_level(logging.WARNING):
        first = Settings.from_env(env)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(key_file.parent).st_mode) == 0o700
    assert first.leads_key not in caplog.text and "LEADS_KEY is not set" in caplog.text
    assert Settings.from_env(env).leads_key == first.leads_key
    Fernet(first.leads_key.encode())  # a valid key


@pytest.mark.usefixtures("scratch_dir")
def test_production_requires_secrets(tmp_path):
    with pytest.raises(SettingsError):
        Settings.from_env({"APP_ENV": "production", "DATABASE_URL": "sqlite:///x.db", "SESSION_SECRET": "x" * 32})
    with pytest.raises(SettingsError):
        Settings.from_env({"APP_ENV": "production", "DATABASE_URL": "sqlite:///x.db",
                           "LEADS_KEY": Fernet.generate_key().decode()})


@pytest.mark.usefixtures("scratch_dir")
def test_inbox_settings_from_the_environment():
    key = Fernet.generate_key().decode()
    s = Settings.from_env({"LEADS_KEY": key, "DATABASE_URL": "sqlite:///x.db", "COORDINATOR_PORT": "6170",
                           "INBOX_TIME_ZONE": "Europe/Madrid", "INBOX_REQUIRE_TOTP": "0", "CONTACT_DRAFT_HOURS": "2.5",
                           "INBOX_PURGE_SECONDS": "60"})
    assert s.inbox_base_url == "http://127.0.0.1:6170" and s.coordinator_port == 6170
    assert str(s.time_zone) == "Europe/Madrid" and s.require_totp is False
    assert s.contact_draft_hours == 2.5 and s.purge_interval_seconds == 60
    assert LeadStore(s).draft_ttl.total_seconds() == 2.5 * 3600
    for bad in ({"INBOX_TIME_ZONE": "Mars/Olympus"}, {"CONTACT_DRAFT_HOURS": "0"}, {"INBOX_PURGE_SECONDS": "soon"}):
        with pytest.raises(SettingsError):
            Settings.from_env({"LEADS_KEY": key, "DATABASE_URL": "sqlite:///x.db", **bad})


def test_the_sqlite_file_is_created_0600_and_our_directory_0700(tmp_path):
    old_umask = os.umask(0o022)
    try:
        db = tmp_path / "new-dir" / "leads.db"
        engine = make_engine(f"sqlite:///{db}")
        LeadStore(f"sqlite:///{db}", Fernet.generate_key().decode(), engine=engine).create_schema()
        engine.dispose()
        assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(db.parent).st_mode) == 0o700
        loose = tmp_path / "loose.db"
        loose.write_bytes(b"")
        os.chmod(loose, 0o644)
        make_engine(f"sqlite:///{loose}").dispose()
        assert stat.S_IMODE(os.stat(loose).st_mode) == 0o600  # an existing file is tightened
        var = private_dir(tmp_path / "var")
        os.chmod(var, 0o755)
        assert stat.S_IMODE(os.stat(private_dir(var)).st_mode) == 0o700
    finally:
        os.umask(old_umask)


@pytest.mark.usefixtures("scratch_dir")
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


@pytest.mark.parametrize("moment, code", [  # RFC 6238 appendix B, SHA-1 (the last 6 of its 8 digits)
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"),
    (2000000000, "69279037"), (20000000000, "65353130"),
])
def test_totp_matches_the_rfc_6238_test_vectors(moment, code):
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, moment // 30, digits=8) == code
    assert totp.totp(secret, moment) == code[-6:]
    assert totp.matching_step(secret, code[-6:], moment) == moment // 30
    assert totp.matching_step(secret, code[-6:], moment + 30) == moment // 30  # one step of clock drift
    assert totp.matching_step(secret, code[-6:], moment + 90) is None


def test_provisioning_uri():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "alice")
    assert uri.startswith("otpauth://totp/Trial%20pre-screening%20inbox%3Aalice?secret=JBSWY3DPEHPK3PXP&")
    assert "issuer=Trial%20pre-screening%20inbox" in uri and "digits=6" in uri and "period=30" in uri
    assert len(totp.new_secret()) == 32 and totp.new_secret() != totp.new_secret()


def _cli_env(tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("DATABASE_URL", db)
    monkeypatch.setenv("LEADS_KEY", key)
    assert cli.main(["db-upgrade"]) == 0
    return db, key


def _secret_from(output: str) -> str:
    import re
    from urllib.parse import parse_qs, urlsplit

    uri = re.search(r"otpauth://\S+", output).group(0)
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    typed = re.search(r"typing this secret[^:]*: ([A-Z2-7 ]+)", output).group(1).replace(" ", "")
    assert typed == secret
    return secret


def test_cli_add_coordinator_enrols_two_factor_and_manages_accounts(tmp_path, monkeypatch, capsys):
    db, key = _cli_env(tmp_path, monkeypatch)

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["add-coordinator", "alice", "--password-stdin"]) == 2

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert cli.main(["add-coordinator", "alice", "--password-stdin"]) == 0
    secret = _secret_from(capsys.readouterr().out)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert cli.main(["add-coordinator", "alice", "--password-stdin"]) == 1  # exists
    assert cli.main(["add-coordinator", "bad name!", "--password-stdin"]) == 2

    store = LeadStore(db, key)
    try:
        account = store.get_coordinator("alice")
        assert account["totp_secret"] == secret
        assert totp.matching_step(secret, totp.totp(secret)) is not None

        monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
        assert cli.main(["reset-password", "alice", "--password-stdin"]) == 0
        monkeypatch.setattr("sys.stdin", io.StringIO("a third long password\n"))
        assert cli.main(["add-coordinator", "alice", "--password-stdin", "--reset-password"]) == 0  # the old spelling
        assert verify_password("a third long password", store.get_coordinator("alice")["password_hash"])
        monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
        assert cli.main(["reset-password", "nobody", "--password-stdin"]) == 1

        capsys.readouterr()
        assert cli.main(["enroll-totp", "alice"]) == 0
        new = _secret_from(capsys.readouterr().out)
        assert new != secret and store.get_coordinator("alice")["totp_secret"] == new
        assert cli.main(["enroll-totp", "nobody"]) == 1

        assert cli.main(["deactivate-coordinator", "alice"]) == 0
        assert store.get_coordinator("alice")["is_active"] is False
        assert cli.main(["list-coordinators"]) == 0
        assert "alice\tdeactivated\ttwo-factor on" in capsys.readouterr().out
        assert cli.main(["activate-coordinator", "alice"]) == 0
        assert store.get_coordinator("alice")["is_active"] is True

        monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
        assert cli.main(["add-coordinator", "bob", "--password-stdin", "--no-totp"]) == 0
        assert "cannot log in while INBOX_REQUIRE_TOTP is on" in capsys.readouterr().out
        actions = [(e["actor"], e["action"], e["detail"]) for e in store.audit_log()]
        for action in ("add_coordinator", "password_reset", "totp_enrolled", "deactivated", "activated"):
            assert ("cli", action, "alice") in actions, action
    finally:
        store.close()
    out = capsys.readouterr()
    assert "long enough password" not in out.out + out.err and "another long" not in out.out + out.err


def test_cli_purge_removes_expired_sessions_and_drafts(tmp_path, monkeypatch, capsys):
    from datetime import timedelta

    from bot.leads.models import contact_drafts, utcnow

    db, key = _cli_env(tmp_path, monkeypatch)
    store = LeadStore(db, key)
    try:
        cid = store.add_coordinator("alice", "scrypt$x")
        store.create_session("gone", cid, "alice", "c", utcnow() - timedelta(seconds=5))
        store.create_session("kept", cid, "alice", "c", utcnow() + timedelta(minutes=5))
        store.save_contact_draft("conv-x", "name", "Old")
        with store.engine.begin() as conn:
            conn.execute(contact_drafts.update().values(updated_at=utcnow() - timedelta(hours=30)))
        capsys.readouterr()
        assert cli.main(["purge"]) == 0
        assert "Purged 1 expired session(s) and 1 expired contact draft(s)." in capsys.readouterr().out
        assert store.count_sessions() == 1 and store.get_session("kept") is not None
    finally:
        store.close()
