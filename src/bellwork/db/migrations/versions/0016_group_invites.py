"""group_invites: a group's QR code / link, its admission setting and join requests
(chat/invites.py)

Revision ID: 0016
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "join_mode", sa.String(length=16), server_default="approval", nullable=False
            )
        )
    op.create_table(
        "group_invite",
        sa.Column("id", BigId, nullable=False),
        sa.Column("conversation_id", BigId, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_group_invite_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_group_invite_created_by_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_invite")),
        sa.UniqueConstraint("code", name=op.f("uq_group_invite_code")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_group_invite_conversation", "group_invite", ["conversation_id", "id"], unique=False
    )
    op.create_table(
        "join_request",
        sa.Column("id", BigId, nullable=False),
        sa.Column("conversation_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("invited_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", BigId, nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_join_request_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["person.id"],
            name=op.f("fk_join_request_invited_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_join_request_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_request")),
        sa.UniqueConstraint(
            "conversation_id",
            "person_id",
            name=op.f("uq_join_request_conversation_id_person_id"),
        ),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("join_request")
    op.drop_index("ix_group_invite_conversation", table_name="group_invite")
    op.drop_table("group_invite")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("join_mode")
