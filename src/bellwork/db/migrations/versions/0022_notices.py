"""notices: a notice, its recipients snapshotted at publish time (one receipt each, with the
unit they were reached in) and its files (notices/)

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "notice",
        sa.Column("id", BigId, nullable=False),
        sa.Column("author_id", BigId, nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("importance", sa.String(length=16), nullable=False),
        sa.Column("confirm", sa.Boolean(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("publish_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recalled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_notice_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        sa.UniqueConstraint("author_id", "client_id", name=op.f("uq_notice_author_id_client_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_notice_author", "notice", ["author_id", "id"], unique=False)
    op.create_table(
        "notice_file",
        sa.Column("id", BigId, nullable=False),
        sa.Column("owner_id", BigId, nullable=True),
        sa.Column("notice_id", BigId, nullable=True),
        sa.Column("inline", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("thumb_key", sa.String(length=100), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notice.id"],
            name=op.f("fk_notice_file_notice_id_notice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
            name=op.f("fk_notice_file_owner_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_file")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_notice_file_loose", "notice_file", ["owner_id", "created_at"], unique=False)
    op.create_index("ix_notice_file_notice", "notice_file", ["notice_id"], unique=False)
    op.create_table(
        "notice_receipt",
        sa.Column("id", BigId, nullable=False),
        sa.Column("notice_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notice.id"],
            name=op.f("fk_notice_receipt_notice_id_notice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_notice_receipt_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_notice_receipt_unit_id_unit"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_receipt")),
        sa.UniqueConstraint(
            "notice_id", "person_id", name=op.f("uq_notice_receipt_notice_id_person_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_notice_receipt_person", "notice_receipt", ["person_id", "notice_id"], unique=False
    )
    op.create_index(
        "ix_notice_receipt_unit", "notice_receipt", ["notice_id", "unit_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_notice_receipt_unit", table_name="notice_receipt")
    op.drop_index("ix_notice_receipt_person", table_name="notice_receipt")
    op.drop_table("notice_receipt")
    op.drop_index("ix_notice_file_notice", table_name="notice_file")
    op.drop_index("ix_notice_file_loose", table_name="notice_file")
    op.drop_table("notice_file")
    op.drop_index("ix_notice_author", table_name="notice")
    op.drop_table("notice")
