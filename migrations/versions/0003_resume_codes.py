"""Resume codes (kept as keyed hashes) and recent failed guesses, for bot.resume.

Revision ID: 0003_resume_codes
Revises: 0002_inbox
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_resume_codes"
down_revision = "0002_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resume_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code_hash", name="pk_resume_codes"),
    )
    op.create_index("ix_resume_codes_conversation_id", "resume_codes", ["conversation_id"])
    op.create_index("ix_resume_codes_expires_at", "resume_codes", ["expires_at"])

    op.create_table(
        "resume_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_resume_attempts"),
    )
    op.create_index("ix_resume_attempts_client_key", "resume_attempts", ["client_key"])
    op.create_index("ix_resume_attempts_created_at", "resume_attempts", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_resume_attempts_created_at", table_name="resume_attempts")
    op.drop_index("ix_resume_attempts_client_key", table_name="resume_attempts")
    op.drop_table("resume_attempts")
    op.drop_index("ix_resume_codes_expires_at", table_name="resume_codes")
    op.drop_index("ix_resume_codes_conversation_id", table_name="resume_codes")
    op.drop_table("resume_codes")
