"""attendance: shifts and allowed places per unit, punches, the health pass key
(attendance/)

Revision ID: 0033
Revises: 0032
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0033"
down_revision: str | Sequence[str] | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendance_rule",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("start", sa.String(length=5), nullable=False),
        sa.Column("end", sa.String(length=5), nullable=False),
        sa.Column("late_grace", sa.Integer(), nullable=False),
        sa.Column("work_minutes", sa.Integer(), nullable=False),
        sa.Column("places", sa.JSON(), nullable=False),
        sa.Column("networks", sa.JSON(), nullable=False),
        sa.Column("field_work", sa.Boolean(), nullable=False),
        sa.Column("updated_by", BigId, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_attendance_rule_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["person.id"],
            name=op.f("fk_attendance_rule_updated_by_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_rule")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_attendance_rule_unit_id")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "attendance_punch",
        sa.Column("id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lng", sa.Float(), nullable=True),
        sa.Column("distance", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=100), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", BigId, nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_attendance_punch_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_attendance_punch_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["person.id"],
            name=op.f("fk_attendance_punch_recorded_by_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_punch")),
        sa.UniqueConstraint(
            "person_id", "client_id", name=op.f("uq_attendance_punch_person_id_client_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_attendance_punch_person_day", "attendance_punch", ["person_id", "day"], unique=False
    )
    op.create_index(
        "ix_attendance_punch_unit_day", "attendance_punch", ["unit_id", "day"], unique=False
    )
    op.create_table(
        "attendance_secret",
        sa.Column("id", BigId, nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_secret")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("attendance_secret")
    op.drop_index("ix_attendance_punch_unit_day", table_name="attendance_punch")
    op.drop_index("ix_attendance_punch_person_day", table_name="attendance_punch")
    op.drop_table("attendance_punch")
    op.drop_table("attendance_rule")
