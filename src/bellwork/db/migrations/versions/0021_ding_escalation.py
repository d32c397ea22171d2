"""ding escalation: a delivery names the DING it carries and the escalation step that sent it
(for the DING's delivery report) and when the provider reported it delivered; a DING keeps the escalation policy it was sent under

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Rebuilt on SQLite with AUTOINCREMENT kept (ids never come again: migration 0006).
KEEP = {"sqlite_autoincrement": True}


def _seq(table: str) -> int | None:
    """The table's SQLite sequence: a batch rebuild would start it again from its highest id."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    seq = bind.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)
    ).scalar()
    return int(seq) if seq is not None else None


def _restore(table: str, seq: int | None) -> None:
    if seq is not None:
        op.get_bind().exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (seq, table)
        )


def upgrade() -> None:
    op.add_column("ding_message", sa.Column("escalation", sa.JSON(), nullable=True))
    seq = _seq("delivery")
    with op.batch_alter_table("delivery", table_kwargs=KEEP) as batch:
        batch.add_column(sa.Column("ding_id", BigId, nullable=True))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ding_step", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_delivery_ding_id_ding_message"),
            "ding_message",
            ["ding_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_delivery_ding"), ["ding_id", "person_id"], unique=False)
    _restore("delivery", seq)


def downgrade() -> None:
    seq = _seq("delivery")
    with op.batch_alter_table("delivery", table_kwargs=KEEP) as batch:
        batch.drop_index("ix_delivery_ding")
        batch.drop_constraint("fk_delivery_ding_id_ding_message", type_="foreignkey")
        batch.drop_column("ding_step")
        batch.drop_column("delivered_at")
        batch.drop_column("ding_id")
    _restore("delivery", seq)
    with op.batch_alter_table("ding_message", table_kwargs=KEEP) as batch:
        batch.drop_column("escalation")
