"""Alembic environment for the lead store.

The URL comes from the caller (``config.attributes["database_url"]``, set by ``bot.cli
db-upgrade`` and the tests) or else from ``bot.settings``, so there is one source of truth and
no credentials in ``alembic.ini``.
"""

from logging.config import fileConfig

from alembic import context

from bot.leads.models import metadata
from bot.leads.store import make_engine

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return url
    from bot.settings import Settings

    return Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection) -> None:
    # Batch mode lets later revisions alter tables on SQLite, which has little ALTER TABLE. It
    # recreates a table by copy, drop and rename; with foreign keys on, dropping ``leads`` would
    # cascade to its notes, so they are off while migrating (a pragma only works outside a
    # transaction, hence the commit).
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
