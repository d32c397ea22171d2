"""lessons: live lessons, their classes, every presence interval (attendance), the stage,
comments and muted people (lessons/)

Revision ID: 0029
Revises: 0028
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lesson",
        sa.Column("id", BigId, nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("teacher_id", BigId, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("room_id", BigId, nullable=True),
        sa.Column("teacher_feed", BigId, nullable=True),
        sa.Column("teacher_tracks", sa.String(length=32), nullable=True),
        sa.Column("recorded_feeds", sa.JSON(), nullable=False),
        sa.Column("replay_state", sa.String(length=16), nullable=True),
        sa.Column("comments_muted", sa.Boolean(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["media_room.id"],
            name=op.f("fk_lesson_room_id_media_room"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"],
            ["person.id"],
            name=op.f("fk_lesson_teacher_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson")),
        sa.UniqueConstraint("teacher_id", "client_id", name=op.f("uq_lesson_teacher_id_client_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_lesson_teacher", "lesson", ["teacher_id", "id"], unique=False)
    op.create_table(
        "lesson_class",
        sa.Column("id", BigId, nullable=False),
        sa.Column("lesson_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
            name=op.f("fk_lesson_class_lesson_id_lesson"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_lesson_class_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_class")),
        sa.UniqueConstraint("lesson_id", "unit_id", name=op.f("uq_lesson_class_lesson_id_unit_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_lesson_class_unit", "lesson_class", ["unit_id"], unique=False)
    op.create_table(
        "lesson_comment",
        sa.Column("id", BigId, nullable=False),
        sa.Column("lesson_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("body", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
            name=op.f("fk_lesson_comment_lesson_id_lesson"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_lesson_comment_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_comment")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_lesson_comment_lesson", "lesson_comment", ["lesson_id", "id"], unique=False)
    op.create_table(
        "lesson_mute",
        sa.Column("id", BigId, nullable=False),
        sa.Column("lesson_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
            name=op.f("fk_lesson_mute_lesson_id_lesson"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_lesson_mute_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_mute")),
        sa.UniqueConstraint(
            "lesson_id", "person_id", name=op.f("uq_lesson_mute_lesson_id_person_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "lesson_presence",
        sa.Column("id", BigId, nullable=False),
        sa.Column("lesson_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
            name=op.f("fk_lesson_presence_lesson_id_lesson"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_lesson_presence_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_presence")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_lesson_presence_lesson", "lesson_presence", ["lesson_id", "person_id"], unique=False
    )
    op.create_index(
        "ix_lesson_presence_open", "lesson_presence", ["lesson_id", "left_at"], unique=False
    )
    op.create_table(
        "lesson_seat",
        sa.Column("id", BigId, nullable=False),
        sa.Column("lesson_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("feed", BigId, nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
            name=op.f("fk_lesson_seat_lesson_id_lesson"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_lesson_seat_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_seat")),
        sa.UniqueConstraint(
            "lesson_id", "person_id", name=op.f("uq_lesson_seat_lesson_id_person_id")
        ),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("lesson_seat")
    op.drop_index("ix_lesson_presence_open", table_name="lesson_presence")
    op.drop_index("ix_lesson_presence_lesson", table_name="lesson_presence")
    op.drop_table("lesson_presence")
    op.drop_table("lesson_mute")
    op.drop_index("ix_lesson_comment_lesson", table_name="lesson_comment")
    op.drop_table("lesson_comment")
    op.drop_index("ix_lesson_class_unit", table_name="lesson_class")
    op.drop_table("lesson_class")
    op.drop_index("ix_lesson_teacher", table_name="lesson")
    op.drop_table("lesson")
