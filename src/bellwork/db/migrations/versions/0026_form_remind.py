"""form_remind: a "remind everyone missing" of a form campaign's day at a unit, so the next one
waits 5 minutes (forms/reminders.py)

Revision ID: 0026
Revises: 0025
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_remind",
        sa.Column("id", BigId, nullable=False),
        sa.Column("campaign_id", BigId, nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("sent_by", BigId, nullable=True),
        sa.Column("by", sa.String(length=8), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("ding_id", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["form_campaign.id"],
            name=op.f("fk_form_remind_campaign_id_form_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_form_remind_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["sent_by"],
            ["person.id"],
            name=op.f("fk_form_remind_sent_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ding_id"],
            ["ding_message.id"],
            name=op.f("fk_form_remind_ding_id_ding_message"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_remind")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_form_remind_unit",
        "form_remind",
        ["campaign_id", "period", "unit_id", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_form_remind_unit", table_name="form_remind")
    op.drop_table("form_remind")
