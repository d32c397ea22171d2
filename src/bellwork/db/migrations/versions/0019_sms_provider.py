"""sms_provider: a delivery keeps its template params, the provider's reference (Aliyun's
BizId) and the unit whose monthly SMS quota it counts against (delivery/)

Revision ID: 0019
Revises: 0018 (DING's, merged before it)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _seq() -> int | None:
    """The table's SQLite sequence: a batch rebuild would start it again from its highest id."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    seq = bind.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'delivery'").scalar()
    return int(seq) if seq is not None else None


def _restore(seq: int | None) -> None:
    if seq is not None:
        op.get_bind().exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'delivery'", (seq,)
        )


# Rebuilt on SQLite with AUTOINCREMENT kept (ids never come again: migration 0006).
KEEP = {"sqlite_autoincrement": True}


def upgrade() -> None:
    seq = _seq()
    with op.batch_alter_table("delivery", table_kwargs=KEEP) as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("reference", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("quota_unit_id", BigId, nullable=True))
        batch.create_foreign_key(
            op.f("fk_delivery_quota_unit_id_unit"),
            "unit",
            ["quota_unit_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_delivery_quota"), ["quota_unit_id", "created_at"], unique=False)
    _restore(seq)


def downgrade() -> None:
    seq = _seq()
    with op.batch_alter_table("delivery", table_kwargs=KEEP) as batch:
        batch.drop_index("ix_delivery_quota")
        batch.drop_constraint("fk_delivery_quota_unit_id_unit", type_="foreignkey")
        batch.drop_column("quota_unit_id")
        batch.drop_column("reference")
        batch.drop_column("params")
    _restore(seq)
