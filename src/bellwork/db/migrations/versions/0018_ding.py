"""ding: urgent messages that must be confirmed (ding/): the DING and a row per recipient

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ding_message",
        sa.Column("id", BigId, nullable=False),
        sa.Column("sender_id", BigId, nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("recalled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["person.id"],
            name=op.f("fk_ding_message_sender_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ding_message")),
        sa.UniqueConstraint(
            "sender_id", "client_id", name=op.f("uq_ding_message_sender_id_client_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_ding_message_sender", "ding_message", ["sender_id", "id"], unique=False)
    op.create_table(
        "ding",
        sa.Column("id", BigId, nullable=False),
        sa.Column("message_id", BigId, nullable=False),
        sa.Column("recipient_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalation_step", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["ding_message.id"],
            name=op.f("fk_ding_message_id_ding_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["person.id"],
            name=op.f("fk_ding_recipient_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_ding_unit_id_unit"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ding")),
        sa.UniqueConstraint(
            "message_id", "recipient_id", name=op.f("uq_ding_message_id_recipient_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_ding_recipient_pending", "ding", ["recipient_id", "confirmed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_ding_recipient_pending", table_name="ding")
    op.drop_table("ding")
    op.drop_index("ix_ding_message_sender", table_name="ding_message")
    op.drop_table("ding_message")
