"""audit log filters: the unit an entry was about, indexes for the action and target filters

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_id", BigId, nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_entry_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            "ix_audit_entry_target_type_target_id", ["target_type", "target_id"], unique=False
        )
        batch_op.create_index("ix_audit_entry_action_id", ["action", "id"], unique=False)
    # Memberships added and removed before this recorded their unit in the entry's JSON only.
    if op.get_bind().dialect.name == "postgresql":
        unit = "CAST(COALESCE(after, before)->>'unit_id' AS BIGINT)"
    else:
        unit = "CAST(json_extract(COALESCE(after, before), '$.unit_id') AS INTEGER)"
    op.execute(
        f"UPDATE audit_entry SET unit_id = {unit} "
        "WHERE action IN ('membership.create', 'membership.delete')"
    )


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_action_id")
        batch_op.drop_index("ix_audit_entry_target_type_target_id")
        batch_op.drop_index(batch_op.f("ix_audit_entry_unit_id"))
        batch_op.drop_column("unit_id")
