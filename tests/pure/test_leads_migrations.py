"""Alembic migrations create exactly the store's tables (the leads' and the resume codes'), on an
empty SQLite file and on PostgreSQL, and 0002 converts existing leads (plain packet, encrypted
contact columns) into encrypted ones."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.leads.crypto import LeadCipher
from bot.leads.migrate import downgrade, upgrade
from bot.leads.models import ALL_TABLES, metadata
from bot.leads.store import LeadStore, make_engine
from bot.resume_store import ALL_TABLES as RESUME_TABLES
from bot.resume_store import metadata as resume_metadata
from tests.fixtures.leads import lead_kwargs

EXPECTED = {t.name for t in ALL_TABLES + RESUME_TABLES}


def test_upgrade_head_creates_all_tables_matching_the_models(database_url, leads_key):
    engine = make_engine(database_url)
    try:
        assert not set(inspect(engine).get_table_names()) & EXPECTED
        upgrade(database_url, leads_key=leads_key)
        assert set(inspect(engine).get_table_names()) >= EXPECTED | {"alembic_version"}
        with engine.connect() as conn:
            # sqlite_sequence is SQLite's own bookkeeping for AUTOINCREMENT, not ours.
            ours = {"include_name": lambda name, kind, _parent: not (kind == "table" and name == "sqlite_sequence")}
            diff = compare_metadata(MigrationContext.configure(conn, opts=ours), [metadata, resume_metadata])
        assert diff == [], diff

        # The migrated schema is usable by the store, including the one-lead-per-conversation rule.
        store = LeadStore(database_url, leads_key)
        store.upsert_lead("conv-m", **lead_kwargs())
        store.upsert_lead("conv-m", **lead_kwargs())
        assert store.count_leads() == 1
        store.close()

        upgrade(database_url, leads_key=leads_key)  # idempotent
        downgrade(database_url, "base", leads_key=leads_key)
        assert not set(inspect(engine).get_table_names()) & EXPECTED
    finally:
        engine.dispose()


OLD_PACKET = [{"id": "I3", "criterion": "Age between 1 and 39 years old", "answers": {"patient_age": 7.0},
               "verdict": "pass"},
              {"id": "E16", "criterion": "Active or uncontrollable infectious diseases (HBV, HCV, HIV, syphilis)",
               "answers": {"active_infectious_disease": "unsure"}, "verdict": "unknown",
               "documents": "recent hepatitis, HIV and syphilis test results"}]


def _insert_0001_lead(engine, cipher: LeadCipher) -> None:
    now = datetime(2026, 11, 30, 8, 0)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO leads (conversation_id, trial_id, outcome, status, respondent, language, failed_criteria,"
            " unknown_criteria, packet, contact_name, contact_phone, contact_email, submissions, created_at, updated_at)"
            " VALUES ('conv-old', 'gobroad-cik-ball-2024', 'needs_review', 'contacted', 'guardian', 'zh', '[]',"
            " '[\"E16\"]', :packet, :name, :phone, NULL, 1, :now, :now)"),
            {"packet": json.dumps(OLD_PACKET), "name": cipher.encrypt("Zhang Wei"), "phone": cipher.encrypt("13800138000"),
             "now": now})
        lead_id = conn.execute(sa.text("SELECT id FROM leads")).scalar()
        for from_status, to_status, note in (("new", "new", "left a voicemail"), ("new", "contacted", "spoke to dad")):
            conn.execute(sa.text(
                "INSERT INTO lead_notes (lead_id, from_status, to_status, note, actor, created_at)"
                " VALUES (:lead, :f, :t, :note, 'alice', :now)"),
                {"lead": lead_id, "f": from_status, "t": to_status, "note": cipher.encrypt(note), "now": now})
        conn.execute(sa.text("INSERT INTO coordinators (username, password_hash, is_active, created_at)"
                             " VALUES ('alice', 'scrypt$x', true, :now)"), {"now": now})
        conn.execute(sa.text("INSERT INTO coordinator_sessions (token_hash, coordinator_id, username, csrf_token,"
                             " created_at, expires_at) VALUES ('h', 1, 'alice', 'c', :now, :later)"),
                     {"now": now, "later": datetime(2099, 1, 1)})


def test_0002_encrypts_existing_leads_keeps_their_history_and_goes_back(database_url, leads_key):
    engine = make_engine(database_url)
    cipher = LeadCipher(leads_key)
    try:
        upgrade(database_url, "0001_initial")
        _insert_0001_lead(engine, cipher)
        upgrade(database_url, leads_key=leads_key)

        with engine.connect() as conn:
            raw = " ".join(str(v) for table in ("leads", "lead_notes")
                           for row in conn.execute(sa.text(f"SELECT * FROM {table}")) for v in row)
            sessions = conn.execute(sa.text("SELECT count(*) FROM coordinator_sessions")).scalar()
        for plain in ("needs_review", "guardian", "patient_age", "HIV", "Age between", "voicemail", "Zhang"):
            assert plain not in raw, plain
        assert sessions == 0  # everyone signs in again, now with a code

        store = LeadStore(database_url, leads_key)
        lead = store.get_lead_by_conversation("conv-old")
        assert lead["kind"] == "screening" and lead["status"] == "contacted"
        assert lead["outcome"] == "needs_review" and lead["respondent"] == "guardian" and lead["language"] == "zh"
        assert lead["unknown_criteria"] == ["E16"] and lead["packet"] == OLD_PACKET
        assert lead["contact"]["name"] == "Zhang Wei" and lead["contact"]["phone"] == "+8613800138000"
        assert [(h["kind"], h["note"]) for h in lead["history"]] == [("note", "left a voicemail"),
                                                                       ("status", "spoke to dad")]
        store.close()

        downgrade(database_url, "0001_initial", leads_key=leads_key)
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT outcome, respondent, packet, contact_name FROM leads")).one()
            notes = conn.execute(sa.text("SELECT count(*) FROM lead_notes")).scalar()
        assert row.outcome == "needs_review" and row.respondent == "guardian"
        assert (json.loads(row.packet) if isinstance(row.packet, str) else row.packet) == OLD_PACKET
        assert cipher.decrypt(row.contact_name) == "Zhang Wei" and notes == 2
    finally:
        engine.dispose()


def test_0002_without_the_key_for_existing_rows_fails_and_changes_nothing(database_url, leads_key, monkeypatch):
    from cryptography.fernet import Fernet, InvalidToken

    engine = make_engine(database_url)
    try:
        upgrade(database_url, "0001_initial")
        _insert_0001_lead(engine, LeadCipher(leads_key))
        monkeypatch.setenv("LEADS_KEY", Fernet.generate_key().decode())  # not the key the rows were written with
        with pytest.raises(InvalidToken):
            upgrade(database_url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0001_initial"
            assert conn.execute(sa.text("SELECT outcome FROM leads")).scalar() == "needs_review"
    finally:
        engine.dispose()


def test_cli_db_upgrade_uses_database_url(tmp_path, monkeypatch):
    from bot import cli

    db = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("LEADS_KEY_FILE", str(tmp_path / "leads.key"))
    monkeypatch.delenv("LEADS_KEY", raising=False)
    assert cli.main(["db-upgrade"]) == 0
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert set(inspect(engine).get_table_names()) >= EXPECTED
    finally:
        engine.dispose()


def _told_references_never_name_another_lead(store: LeadStore) -> None:
    """The newest lead is deleted; the next person's reference must not be the deleted one's."""
    first = store.upsert_lead("conv-a", **lead_kwargs())
    told = store.upsert_lead("conv-b", **lead_kwargs())
    store.set_status(first, "new", "left a voicemail", "alice")
    store.delete_conversation("conv-b")
    after = store.upsert_lead("conv-c", **lead_kwargs())
    assert after > told, f"reference #{told} was told to conv-b and is now conv-c's"
    assert store.get_lead(told) is None
    assert [h["note"] for h in store.get_lead(first)["history"]] == ["left a voicemail"]


def test_a_deleted_leads_reference_is_never_given_to_the_next_person(store):
    _told_references_never_name_another_lead(store)


def test_0004_stops_id_reuse_on_an_existing_database_and_keeps_its_leads(database_url, leads_key):
    engine = make_engine(database_url)
    try:
        upgrade(database_url, "0003_resume_codes", leads_key=leads_key)
        store = LeadStore(database_url, leads_key)
        kept = store.upsert_lead("conv-old", **lead_kwargs())
        store.set_status(kept, "contacted", "spoke to dad", "alice")
        store.close()

        upgrade(database_url, leads_key=leads_key)
        store = LeadStore(database_url, leads_key)
        lead = store.get_lead(kept)
        assert lead["status"] == "contacted" and lead["contact"]["name"] == "Li Wei"
        assert [h["note"] for h in lead["history"]] == ["spoke to dad"]
        _told_references_never_name_another_lead(store)
        store.close()
        downgrade(database_url, "0003_resume_codes", leads_key=leads_key)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM leads")).scalar() == 3
    finally:
        engine.dispose()
