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


def upgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
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


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_index("ix_delivery_quota")
        batch.drop_constraint("fk_delivery_quota_unit_id_unit", type_="foreignkey")
        batch.drop_column("quota_unit_id")
        batch.drop_column("reference")
        batch.drop_column("params")
