"""ding_file: a DING's voice note and attachment, uploaded by the sender before sending
(ding/media.py)

Revision ID: 0024
Revises: 0023
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ding_file",
        sa.Column("id", BigId, nullable=False),
        sa.Column("owner_id", BigId, nullable=True),
        sa.Column("message_id", BigId, nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("thumb_key", sa.String(length=100), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["ding_message.id"],
            name=op.f("fk_ding_file_message_id_ding_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
            name=op.f("fk_ding_file_owner_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ding_file")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_ding_file_message", "ding_file", ["message_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_ding_file_message", table_name="ding_file")
    op.drop_table("ding_file")
