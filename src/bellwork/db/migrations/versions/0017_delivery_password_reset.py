"""delivery_password_reset: the delivery log (email, text messages; delivery/) and password
reset codes (auth/recovery.py)

Revision ID: 0017
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "delivery",
        sa.Column("id", BigId, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("person_id", BigId, nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_delivery_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_delivery_created", "delivery", ["created_at", "id"], unique=False)
    op.create_index(op.f("ix_delivery_person_id"), "delivery", ["person_id"], unique=False)
    op.create_table(
        "password_reset",
        sa.Column("id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_password_reset_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_password_reset_person_id"), "password_reset", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_password_reset_person_id"), table_name="password_reset")
    op.drop_table("password_reset")
    op.drop_index(op.f("ix_delivery_person_id"), table_name="delivery")
    op.drop_index("ix_delivery_created", table_name="delivery")
    op.drop_table("delivery")
