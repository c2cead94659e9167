"""Alembic migrations create exactly the store's tables (the leads' and the resume codes'), on an
empty SQLite file and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.leads.migrate import downgrade, upgrade
from bot.leads.models import ALL_TABLES, metadata
from bot.leads.store import LeadStore, make_engine
from bot.resume_store import ALL_TABLES as RESUME_TABLES
from bot.resume_store import metadata as resume_metadata
from tests.leads_fixtures import database_url_fixture, lead_kwargs, leads_key_fixture  # noqa: F401 - fixtures

EXPECTED = {t.name for t in ALL_TABLES + RESUME_TABLES}


def test_upgrade_head_creates_all_tables_matching_the_models(database_url, leads_key):
    engine = make_engine(database_url)
    try:
        assert not set(inspect(engine).get_table_names()) & EXPECTED
        upgrade(database_url)
        assert set(inspect(engine).get_table_names()) >= EXPECTED | {"alembic_version"}
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), [metadata, resume_metadata])
        assert diff == [], diff

        # The migrated schema is usable by the store, including the one-lead-per-conversation rule.
        store = LeadStore(database_url, leads_key)
        store.upsert_lead("conv-m", **lead_kwargs())
        store.upsert_lead("conv-m", **lead_kwargs())
        assert store.count_leads() == 1
        store.close()

        upgrade(database_url)  # idempotent
        downgrade(database_url, "base")
        assert not set(inspect(engine).get_table_names()) & EXPECTED
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
