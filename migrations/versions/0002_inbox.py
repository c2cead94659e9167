"""Coordinator inbox: the whole lead encrypted, question leads, update history, contact drafts,
two-factor sign-in.

- leads: the outcome, respondent, language, criteria, packet and contact columns become one
  Fernet-encrypted JSON ``payload`` (existing rows are converted: this needs ``LEADS_KEY``);
  ``kind`` ("screening" | "question"), one lead per conversation and kind.
- lead_notes: ``kind`` ("status" | "note" | "updated").
- contact_drafts: encrypted contact details typed but not yet confirmed.
- coordinators: ``totp_secret`` (encrypted), ``totp_last_step``; coordinator_sessions:
  ``mfa_pending``. Every existing session is ended, so everyone signs in again with a code.

Revision ID: 0002_inbox
Revises: 0001_initial
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0002_inbox"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

CONTACT_FIELDS = ("name", "phone", "email", "wechat", "time")
DOCUMENT_FIELDS = ("outcome", "respondent", "language", "failed_criteria", "unknown_criteria", "packet")

old_leads = sa.table(
    "leads",
    sa.column("id", sa.Integer),
    sa.column("outcome", sa.String),
    sa.column("respondent", sa.String),
    sa.column("language", sa.String),
    sa.column("failed_criteria", sa.JSON),
    sa.column("unknown_criteria", sa.JSON),
    sa.column("packet", sa.JSON),
    sa.column("kind", sa.String),
    sa.column("payload", sa.Text),
    *(sa.column(f"contact_{f}", sa.Text) for f in CONTACT_FIELDS),
)


def _cipher():
    """The lead key: from the caller (bot.cli db-upgrade, tests) or the environment."""
    from bot.leads.crypto import LeadCipher

    key = context.config.attributes.get("leads_key")
    if not key:
        from bot.settings import Settings

        key = Settings.from_env().leads_key
    return LeadCipher(key)


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="screening"))
        batch.add_column(sa.Column("payload", sa.Text(), nullable=True))

    rows = conn.execute(sa.select(old_leads)).all()
    if rows:
        cipher = _cipher()
        for row in rows:
            document = {f: getattr(row, f) for f in DOCUMENT_FIELDS}
            document["contact"] = {f: cipher.decrypt(getattr(row, f"contact_{f}")) for f in CONTACT_FIELDS}
            conn.execute(old_leads.update().where(old_leads.c.id == row.id)
                         .values(payload=cipher.encrypt_json(document)))

    with op.batch_alter_table("leads") as batch:
        batch.drop_constraint("uq_leads_conversation_id", type_="unique")
        for name in (*DOCUMENT_FIELDS, *(f"contact_{f}" for f in CONTACT_FIELDS)):
            batch.drop_column(name)
        batch.alter_column("payload", existing_type=sa.Text(), nullable=False)
        batch.create_unique_constraint("uq_leads_conversation_id_kind", ["conversation_id", "kind"])

    with op.batch_alter_table("lead_notes") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="status"))
    notes = sa.table("lead_notes", sa.column("kind", sa.String), sa.column("from_status", sa.String),
                     sa.column("to_status", sa.String))
    conn.execute(notes.update().where(notes.c.from_status == notes.c.to_status).values(kind="note"))

    op.create_table(
        "contact_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_key", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contact_drafts"),
        sa.UniqueConstraint("conversation_key", "field", name="uq_contact_drafts_conversation_key_field"),
    )
    op.create_index("ix_contact_drafts_updated_at", "contact_drafts", ["updated_at"])

    with op.batch_alter_table("coordinators") as batch:
        batch.add_column(sa.Column("totp_secret", sa.Text(), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.execute(sa.text("DELETE FROM coordinator_sessions"))
    with op.batch_alter_table("coordinator_sessions") as batch:
        batch.add_column(sa.Column("mfa_pending", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    conn = op.get_bind()
    leads = sa.table("leads", sa.column("kind", sa.String))
    if conn.execute(sa.select(sa.func.count()).select_from(leads).where(leads.c.kind != "screening")).scalar():
        raise RuntimeError("question leads exist and have no place before revision 0002: export them first")

    with op.batch_alter_table("coordinator_sessions") as batch:
        batch.drop_column("mfa_pending")
    with op.batch_alter_table("coordinators") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
    op.drop_index("ix_contact_drafts_updated_at", table_name="contact_drafts")
    op.drop_table("contact_drafts")

    op.execute(sa.text("DELETE FROM lead_notes WHERE kind = 'updated'"))
    with op.batch_alter_table("lead_notes") as batch:
        batch.drop_column("kind")

    with op.batch_alter_table("leads") as batch:
        batch.drop_constraint("uq_leads_conversation_id_kind", type_="unique")
        batch.add_column(sa.Column("outcome", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("respondent", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        for name in ("failed_criteria", "unknown_criteria", "packet"):
            batch.add_column(sa.Column(name, sa.JSON(), nullable=True))
        for f in CONTACT_FIELDS:
            batch.add_column(sa.Column(f"contact_{f}", sa.Text(), nullable=True))

    rows = conn.execute(sa.select(old_leads.c.id, old_leads.c.payload)).all()
    if rows:
        cipher = _cipher()
        for row in rows:
            document = cipher.decrypt_json(row.payload)
            contact = document.get("contact") or {}
            values = {f: document.get(f) for f in DOCUMENT_FIELDS}
            values.update({f"contact_{f}": cipher.encrypt(contact.get(f)) for f in CONTACT_FIELDS})
            conn.execute(old_leads.update().where(old_leads.c.id == row.id).values(**values))

    with op.batch_alter_table("leads") as batch:
        for name, type_ in (("outcome", sa.String(length=32)), ("respondent", sa.String(length=16)),
                            ("language", sa.String(length=8)), ("failed_criteria", sa.JSON()),
                            ("unknown_criteria", sa.JSON()), ("packet", sa.JSON())):
            batch.alter_column(name, existing_type=type_, nullable=False)
        batch.drop_column("payload")
        batch.drop_column("kind")
        batch.create_unique_constraint("uq_leads_conversation_id", ["conversation_id"])
