"""qr_login: a desktop logged in by scanning a QR code with a signed-in phone (auth/qr.py)

Revision ID: 0011
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "qr_login",
        sa.Column("id", BigId, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("person_id", BigId, nullable=True),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_qr_login_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qr_login")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_qr_login_code_hash")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_qr_login_secret_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_qr_login_expires_at"), "qr_login", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_qr_login_expires_at"), table_name="qr_login")
    op.drop_table("qr_login")
