"""unit groups are named after their unit (clients add "家校群" / "home–school group")

Revision ID: 0005
Revises: 0004


"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE conversation SET name = (SELECT unit.name FROM unit WHERE unit.id ="
        " conversation.unit_id) WHERE kind = 'unit' AND unit_id IS NOT NULL"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE conversation SET name = substr(name, 1, 196) || ' 家校群' WHERE kind = 'unit'"
        " AND unit_id IN"
        " (SELECT id FROM unit WHERE kind = 'class')"
    )
