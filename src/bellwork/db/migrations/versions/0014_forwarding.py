"""forwarding: chat-history cards, forwarded files sharing their bytes

Revision ID: 0014
Revises: 0010

- message.card: the content of a chat-history card (kind "history", chat/forwarding.py);
- stored_file.card_seq: a file inside such a card, carried by the card's message (seq) in the
  file's conversation, with an index on (conversation_id, card_seq);
- stored_file.storage_key is no longer unique: a forwarded file is a row of its own that
  shares the bytes of the row it was forwarded from (the bytes go with the last row naming
  them); an index keeps finding the rows of one key cheap.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # 0009's backfill streamed `message` through a server-side cursor that asyncpg keeps
        # open to the end of the transaction (all migrations run in one), and PostgreSQL
        # refuses to alter a table an open cursor reads: close it (it was read to the end).
        op.execute("CLOSE ALL")
    op.add_column("message", sa.Column("card", sa.JSON(), nullable=True))
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_seq", sa.Integer(), nullable=True))
        batch_op.drop_constraint(op.f("uq_stored_file_storage_key"), type_="unique")
        batch_op.create_index(
            batch_op.f("ix_stored_file_storage_key"), ["storage_key"], unique=False
        )
        batch_op.create_index("ix_stored_file_card", ["conversation_id", "card_seq"], unique=False)


def downgrade() -> None:
    # Only possible while no two rows share a key (nothing forwarded with files).
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_index("ix_stored_file_card")
        batch_op.drop_index(batch_op.f("ix_stored_file_storage_key"))
        batch_op.create_unique_constraint(op.f("uq_stored_file_storage_key"), ["storage_key"])
        batch_op.drop_column("card_seq")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_column("card")
