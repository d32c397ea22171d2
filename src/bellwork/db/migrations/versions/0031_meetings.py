"""meetings: meetings and their conversation, who is in them (the roster and what the host did),
every presence interval (attendance) (meetings/)

Revision ID: 0031
Revises: 0030
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", BigId, nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("created_by", BigId, nullable=False),
        sa.Column("host_id", BigId, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("room_id", BigId, nullable=True),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("waiting_room", sa.Boolean(), nullable=False),
        sa.Column("all_muted", sa.Boolean(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("meeting", "created_by", "person", "CASCADE"),
        _fk("meeting", "host_id", "person", "CASCADE"),
        _fk("meeting", "conversation_id", "conversation", "CASCADE"),
        _fk("meeting", "unit_id", "unit", "SET NULL"),
        _fk("meeting", "room_id", "media_room", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint(
            "created_by", "client_id", name=op.f("uq_meeting_created_by_client_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_meeting_conversation", "meeting", ["conversation_id", "id"], unique=False
    )
    op.create_table(
        "meeting_participant",
        sa.Column("id", BigId, nullable=False),
        sa.Column("meeting_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("feed", BigId, nullable=True),
        sa.Column("audio_mid", sa.String(length=16), nullable=True),
        sa.Column("screen_feed", BigId, nullable=True),
        sa.Column("mic", sa.Boolean(), nullable=False),
        sa.Column("camera", sa.Boolean(), nullable=False),
        sa.Column("hard_muted", sa.Boolean(), nullable=False),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        _fk("meeting_participant", "meeting_id", "meeting", "CASCADE"),
        _fk("meeting_participant", "person_id", "person", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_participant")),
        sa.UniqueConstraint(
            "meeting_id", "person_id", name=op.f("uq_meeting_participant_meeting_id_person_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_meeting_participant_state",
        "meeting_participant",
        ["meeting_id", "state"],
        unique=False,
    )
    op.create_table(
        "meeting_presence",
        sa.Column("id", BigId, nullable=False),
        sa.Column("meeting_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        _fk("meeting_presence", "meeting_id", "meeting", "CASCADE"),
        _fk("meeting_presence", "person_id", "person", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_presence")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_meeting_presence_meeting", "meeting_presence", ["meeting_id", "person_id"], unique=False
    )
    op.create_index(
        "ix_meeting_presence_open", "meeting_presence", ["meeting_id", "left_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_meeting_presence_open", table_name="meeting_presence")
    op.drop_index("ix_meeting_presence_meeting", table_name="meeting_presence")
    op.drop_table("meeting_presence")
    op.drop_index("ix_meeting_participant_state", table_name="meeting_participant")
    op.drop_table("meeting_participant")
    op.drop_index("ix_meeting_conversation", table_name="meeting")
    op.drop_table("meeting")
