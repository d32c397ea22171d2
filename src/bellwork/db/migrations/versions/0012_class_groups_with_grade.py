"""a class's group is named with its grade ("一年级1班"): a bare "1班" is ambiguous

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CLASSES_IN_GRADES = (
    "SELECT u.id FROM unit u JOIN unit g ON g.id = u.parent_id"
    " WHERE u.kind = 'class' AND g.kind = 'grade' AND u.archived_at IS NULL"
)


def upgrade() -> None:
    op.execute(
        "UPDATE conversation SET name = (SELECT substr(g.name || u.name, 1, 200)"
        " FROM unit u JOIN unit g ON g.id = u.parent_id WHERE u.id = conversation.unit_id)"
        f" WHERE kind = 'unit' AND unit_id IN ({_CLASSES_IN_GRADES})"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE conversation SET name = (SELECT u.name FROM unit u"
        " WHERE u.id = conversation.unit_id)"
        f" WHERE kind = 'unit' AND unit_id IN ({_CLASSES_IN_GRADES})"
    )
