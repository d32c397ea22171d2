"""voice messages: a recording's length on its stored file

Revision ID: 0015
Revises: 0014

`message.kind` is a string: the new kind "voice" needs no change to it. Existing files get
NULL (none of them is a voice message).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duration_ms", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_column("duration_ms")
