"""chat habits: @-mention markers, pinned conversations, a person's notification preferences

Revision ID: 0009
Revises: 0012 (numbered when it was planned; it runs after the migrations merged before it)

- conversation.mention_all_seq: the newest message that mentions everyone (@所有人);
- conversation_member.mention_seq: the newest message that mentions the member by name;
  a marker is shown while its message is unread (chat/models.py);
- conversation_member.pinned_at: 置顶, when the member pinned the conversation;
- person_preferences: notifications, sound, do not disturb (preferences/models.py).

The markers are filled in from the messages already stored, so mentions still unread at the
upgrade show theirs (sealed private messages keep their mentions to themselves: none there).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_message = sa.table(
    "message",
    sa.column("conversation_id", BigId),
    sa.column("seq", sa.Integer()),
    sa.column("mentions", sa.JSON()),
    sa.column("recalled_at", sa.DateTime(timezone=True)),
)
_conversation = sa.table(
    "conversation", sa.column("id", BigId), sa.column("mention_all_seq", sa.Integer())
)
_member = sa.table(
    "conversation_member",
    sa.column("conversation_id", BigId),
    sa.column("person_id", BigId),
    sa.column("mention_seq", sa.Integer()),
)


def _backfill() -> None:
    """The newest mention of everyone per conversation and of each person named, from the
    messages that mention anyone (streamed: a message seen later is newer, seq ascending)."""
    conn = op.get_bind()
    everyone: dict[int, int] = {}
    named: dict[tuple[int, int], int] = {}
    # Streamed (the statement's option: on the connection it would stay for the rest of the
    # migration, and alembic's own update would not learn how many rows it changed).
    rows = conn.execute(
        sa.select(_message.c.conversation_id, _message.c.seq, _message.c.mentions)
        .where(
            _message.c.mentions.isnot(None),
            sa.cast(_message.c.mentions, sa.Text()) != "null",  # the ORM's "no mentions"
            _message.c.recalled_at.is_(None),
        )
        .order_by(_message.c.conversation_id, _message.c.seq)
        .execution_options(yield_per=2000)
    )
    for conv, seq, mentions in rows:
        for m in mentions if isinstance(mentions, list) else ():
            if m == "all":
                everyone[conv] = seq
            elif isinstance(m, int) and not isinstance(m, bool):
                named[(conv, m)] = seq
    rows.close()
    if everyone:
        conn.execute(
            _conversation.update()
            .where(_conversation.c.id == sa.bindparam("cid"))
            .values(mention_all_seq=sa.bindparam("seq")),
            [{"cid": c, "seq": s} for c, s in everyone.items()],
        )
    if named:
        params: list[dict[str, Any]] = [
            {"cid": c, "pid": p, "seq": s} for (c, p), s in named.items()
        ]
        conn.execute(
            _member.update()
            .where(
                _member.c.conversation_id == sa.bindparam("cid"),
                _member.c.person_id == sa.bindparam("pid"),
            )
            .values(mention_seq=sa.bindparam("seq")),
            params,
        )


def upgrade() -> None:
    op.add_column("conversation", sa.Column("mention_all_seq", sa.Integer(), nullable=True))
    op.add_column("conversation_member", sa.Column("mention_seq", sa.Integer(), nullable=True))
    op.add_column(
        "conversation_member",
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "person_preferences",
        sa.Column("id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("notifications", sa.Boolean(), nullable=False),
        sa.Column("sound", sa.Boolean(), nullable=False),
        sa.Column("dnd", sa.Boolean(), nullable=False),
        sa.Column("dnd_start", sa.String(length=5), nullable=False),
        sa.Column("dnd_end", sa.String(length=5), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_preferences_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_preferences")),
        sa.UniqueConstraint("person_id", name=op.f("uq_person_preferences_person_id")),
        sqlite_autoincrement=True,
    )
    _backfill()


def downgrade() -> None:
    op.drop_table("person_preferences")
    with op.batch_alter_table("conversation_member", schema=None) as batch_op:
        batch_op.drop_column("pinned_at")
        batch_op.drop_column("mention_seq")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("mention_all_seq")
