"""audit log filters: the unit an entry was about, indexes for the action and target filters;
search keys ranked (the name's common reading before rare readings), recomputed for everyone

Revision ID: 0010
Revises: 0009

The search keys of every person are computed again (org/search.py as it is when this runs):
their rank is new, surnames read as surnames (曾 zeng) add keys, and sort keys follow the
common reading. In batches of 500 people: on a 100,000-person directory it took 1.5 minutes on
SQLite and 2 on PostgreSQL (a busy 2-core machine); about as long again per 100,000 more.
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


    with op.batch_alter_table("person_search_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rank", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.drop_index("ix_person_search_key_key")
        batch_op.drop_index("ix_person_search_key_person_id_key")
        batch_op.create_index(
            "ix_person_search_key_key", ["key", "person_id", "rank"], unique=False
        )
        batch_op.create_index(
            "ix_person_search_key_person_id_key", ["person_id", "key", "rank"], unique=False
        )
    _rekey()


BATCH = 500


def _rekey() -> None:
    from bellwork.org.search import search_keys, sort_key

    conn = op.get_bind()
    person = sa.table(
        "person",
        *(
            sa.column(c)
            for c in ("id", "name", "sort_key", "phone", "student_number", "username", "email")
        ),
    )
    key = sa.table(
        "person_search_key", sa.column("person_id"), sa.column("key"), sa.column("rank")
    )
    # Names repeat (张伟 …): their keys and sort key are worked out once (up to a bound).
    by_name: dict[str, tuple[dict[str, int], str]] = {}
    last = 0
    while True:
        people = conn.execute(
            sa.select(person).where(person.c.id > last).order_by(person.c.id).limit(BATCH)
        ).all()
        if not people:
            break
        last = people[-1].id
        rows = []
        moved = []
        if len(by_name) > 50_000:
            by_name.clear()
        for p in people:
            if p.name not in by_name:
                by_name[p.name] = (search_keys(p.name), sort_key(p.name))
            keys, sk = by_name[p.name]
            keys = dict(keys)
            for k, r in search_keys("", p.phone, p.student_number, p.username, p.email).items():
                keys[k] = min(r, keys.get(k, r))
            rows += [{"person_id": p.id, "key": k, "rank": r} for k, r in keys.items()]
            if sk != p.sort_key:
                moved.append({"pid": p.id, "sk": sk})
        conn.execute(sa.delete(key).where(key.c.person_id.in_([p.id for p in people])))
        if rows:
            conn.execute(sa.insert(key), rows)
        if moved:
            conn.execute(
                sa.update(person)
                .where(person.c.id == sa.bindparam("pid"))
                .values(sort_key=sa.bindparam("sk")),
                moved,
            )


def downgrade() -> None:
    with op.batch_alter_table("person_search_key", schema=None) as batch_op:
        batch_op.drop_index("ix_person_search_key_person_id_key")
        batch_op.drop_index("ix_person_search_key_key")
        batch_op.create_index("ix_person_search_key_key", ["key", "person_id"], unique=False)
        batch_op.create_index(
            "ix_person_search_key_person_id_key", ["person_id", "key"], unique=False
        )
        batch_op.drop_column("rank")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_action_id")
        batch_op.drop_index("ix_audit_entry_target_type_target_id")
        batch_op.drop_index(batch_op.f("ix_audit_entry_unit_id"))
        batch_op.drop_column("unit_id")
