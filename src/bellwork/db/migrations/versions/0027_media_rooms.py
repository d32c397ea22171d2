"""media: the VideoRoom rooms Bellwork placed on Janus servers (media/)

Revision ID: 0027
Revises: 0026
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_room",
        sa.Column("id", BigId, nullable=False),
        sa.Column("server", sa.String(length=40), nullable=False),
        sa.Column("janus_room", sa.BigInteger(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("pin", sa.String(length=64), nullable=True),
        sa.Column("owner_kind", sa.String(length=32), nullable=False),
        sa.Column("owner_id", BigId, nullable=False),
        sa.Column("publishers", sa.Integer(), nullable=False),
        sa.Column("recording", sa.Boolean(), nullable=False),
        sa.Column("rec_dir", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_room")),
        sa.UniqueConstraint("server", "janus_room", name=op.f("uq_media_room_server_janus_room")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_media_room_owner", "media_room", ["owner_kind", "owner_id"], unique=False)
    op.create_index("ix_media_room_open", "media_room", ["server", "closed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_media_room_open", table_name="media_room")
    op.drop_index("ix_media_room_owner", table_name="media_room")
    op.drop_table("media_room")
