"""announcements: a group's announcement (群公告) and who confirmed reading it (chat/announcements.py)

Revision ID: 0013
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "announcement",
        sa.Column("id", BigId, nullable=False),
        sa.Column("conversation_id", BigId, nullable=False),
        sa.Column("author_id", BigId, nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("confirm", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_announcement_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_announcement_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_announcement_conversation", "announcement", ["conversation_id", "id"], unique=False
    )
    op.create_table(
        "announcement_confirm",
        sa.Column("id", BigId, nullable=False),
        sa.Column("announcement_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name=op.f("fk_announcement_confirm_announcement_id_announcement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_announcement_confirm_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_confirm")),
        sa.UniqueConstraint(
            "announcement_id",
            "person_id",
            name=op.f("uq_announcement_confirm_announcement_id_person_id"),
        ),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("announcement_confirm")
    op.drop_index("ix_announcement_conversation", table_name="announcement")
    op.drop_table("announcement")
