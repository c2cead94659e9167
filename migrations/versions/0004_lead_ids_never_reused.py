"""Lead ids are never reused on SQLite.

A lead's id is the reference the person is told ("reference #12"). Without AUTOINCREMENT SQLite
gives the newest deleted lead's id to the next lead, so one family's reference could later name
another family's lead. PostgreSQL's sequence never reuses an id: nothing to do there.

Revision ID: 0004_lead_ids_never_reused
Revises: 0003_resume_codes
Create Date: 2026-12-01
"""

from alembic import op

revision = "0004_lead_ids_never_reused"
down_revision = "0003_resume_codes"
branch_labels = None
depends_on = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # Batch mode copies the table into a new one made with (or without) AUTOINCREMENT, rows,
    # ids, indexes and constraints included.
    with op.batch_alter_table("leads", recreate="always",
                              table_kwargs={"sqlite_autoincrement": autoincrement}) as batch:
        batch.alter_column("id", autoincrement=True)


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
