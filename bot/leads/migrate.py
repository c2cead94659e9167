"""Run the Alembic migrations from Python, for ``bot.cli db-upgrade`` and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.settings import REPO_ROOT, normalise_database_url


def alembic_config(database_url: str, *, configure_logging: bool = False, leads_key: str | None = None) -> Config:
    cfg = Config(str(Path(REPO_ROOT) / "alembic.ini"))
    cfg.set_main_option("script_location", str(Path(REPO_ROOT) / "migrations"))
    # Passed as an attribute, not set_main_option: ConfigParser would treat '%' in passwords.
    cfg.attributes["database_url"] = normalise_database_url(database_url)
    cfg.attributes["configure_logging"] = configure_logging
    # Revisions that convert rows (0002 encrypts whole leads) need the lead key; without it they
    # read LEADS_KEY from the environment, and only when there are rows to convert.
    cfg.attributes["leads_key"] = leads_key
    return cfg


def upgrade(database_url: str, revision: str = "head", *, configure_logging: bool = False,
            leads_key: str | None = None) -> None:
    command.upgrade(alembic_config(database_url, configure_logging=configure_logging, leads_key=leads_key), revision)


def downgrade(database_url: str, revision: str, *, configure_logging: bool = False,
              leads_key: str | None = None) -> None:
    command.downgrade(alembic_config(database_url, configure_logging=configure_logging, leads_key=leads_key), revision)
