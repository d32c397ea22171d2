"""calls: 1:1 voice and video calls (calls/)

Revision ID: 0032
Revises: 0031
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0032"
down_revision: str | Sequence[str] | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call",
        sa.Column("id", BigId, nullable=False),
        sa.Column("caller_id", BigId, nullable=False),
        sa.Column("callee_id", BigId, nullable=False),
        sa.Column("conversation_id", BigId, nullable=False),
        sa.Column("video", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("room_id", BigId, nullable=True),
        sa.Column("caller_feed", BigId, nullable=True),
        sa.Column("callee_feed", BigId, nullable=True),
        sa.Column("device", sa.String(length=64), nullable=True),
        sa.Column("ended_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("caller_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callee_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["callee_id"],
            ["person.id"],
            name=op.f("fk_call_callee_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["caller_id"],
            ["person.id"],
            name=op.f("fk_call_caller_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_call_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["media_room.id"],
            name=op.f("fk_call_room_id_media_room"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_call_callee", "call", ["callee_id", "state"], unique=False)
    op.create_index("ix_call_caller", "call", ["caller_id", "state"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_call_caller", table_name="call")
    op.drop_index("ix_call_callee", table_name="call")
    op.drop_table("call")
