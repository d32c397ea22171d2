"""forwarding: chat-history cards, forwarded files sharing their bytes

Revision ID: 0014
Revises: 0016

- message.card: the content of a chat-history card (kind "history", chat/forwarding.py);
- stored_file.card_seq: a file inside such a card, carried by the card's message (seq) in the
  file's conversation, with an index on (conversation_id, card_seq);
- stored_file.storage_key is no longer unique: a forwarded file is a row of its own that
  shares the bytes of the row it was forwarded from (the bytes go with the last row naming
  them); an index keeps finding the rows of one key cheap.
"""

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


@contextlib.contextmanager
def _rebuilt(table: str) -> Iterator[Any]:
    """`op.batch_alter_table` that keeps a SQLite table's AUTOINCREMENT and sequence."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    seq = None
    if sqlite:
        seq = bind.exec_driver_sql(
            "SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)
        ).scalar()
    with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        yield batch_op
    if sqlite and seq is not None:
        bind.exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (seq, table)
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # 0009's backfill streamed `message` through a server-side cursor that asyncpg keeps
        # open to the end of the transaction (all migrations run in one), and PostgreSQL
        # refuses to alter a table an open cursor reads: close it (it was read to the end).
        op.execute("CLOSE ALL")
    op.add_column("message", sa.Column("card", sa.JSON(), nullable=True))
    # SQLite drops the unique constraint by rebuilding the table: keep it AUTOINCREMENT (ids are
    # never given twice, 0006) and its sequence where it was (the copy would restart it at the
    # highest id left, handing out again the ids of files deleted since).
    with _rebuilt("stored_file") as batch_op:
        batch_op.add_column(sa.Column("card_seq", sa.Integer(), nullable=True))
        batch_op.drop_constraint(op.f("uq_stored_file_storage_key"), type_="unique")
        batch_op.create_index(
            batch_op.f("ix_stored_file_storage_key"), ["storage_key"], unique=False
        )
        batch_op.create_index("ix_stored_file_card", ["conversation_id", "card_seq"], unique=False)


def downgrade() -> None:
    # Only possible while no two rows share a key (nothing forwarded with files).
    with _rebuilt("stored_file") as batch_op:
        batch_op.drop_index("ix_stored_file_card")
        batch_op.drop_index(batch_op.f("ix_stored_file_storage_key"))
        batch_op.create_unique_constraint(op.f("uq_stored_file_storage_key"), ["storage_key"])
        batch_op.drop_column("card_seq")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_column("card")
