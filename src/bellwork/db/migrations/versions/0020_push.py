"""push: Web Push subscriptions (one per browser), the installation's VAPID key, and per
category push settings in one's preferences (push/)

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PUSH_SETTINGS = ("push_ding", "push_notice", "push_mention", "push_direct")


def upgrade() -> None:
    op.create_table(
        "push_subscription",
        sa.Column("id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("p256dh", sa.String(length=200), nullable=False),
        sa.Column("auth", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_push_subscription_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscription")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_push_subscription_endpoint")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_push_subscription_person", "push_subscription", ["person_id"], unique=False
    )
    op.create_table(
        "push_vapid_key",
        sa.Column("id", BigId, nullable=False),
        sa.Column("private_key", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_vapid_key")),
        sqlite_autoincrement=True,
    )
    # Plain ADD COLUMN (with a default) on both databases: no table rebuild on SQLite.
    for name in PUSH_SETTINGS:
        op.add_column(
            "person_preferences",
            sa.Column(name, sa.Boolean(), server_default=sa.true(), nullable=False),
        )


def downgrade() -> None:
    for name in reversed(PUSH_SETTINGS):
        op.drop_column("person_preferences", name)
    op.drop_table("push_vapid_key")
    op.drop_index("ix_push_subscription_person", table_name="push_subscription")
    op.drop_table("push_subscription")
