"""The migrations build what the models declare: after `upgrade`, Alembic's autogenerate finds
nothing to add, drop or change (a column missing from a migration, an index only in a model,
a type or nullability that differs), on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bellwork.db.base import Base
from bellwork.db.engine import make_engine
from bellwork.db.models import Base as _AllModels  # noqa: F401  (every model registered)


def _differences(sync_conn: Any) -> list[Any]:
    context = MigrationContext.configure(
        sync_conn, opts={"compare_type": True, "render_as_batch": True}
    )
    found = compare_metadata(context, Base.metadata)
    # SQLite keeps no separate record of some server defaults and type details: compare what
    # both backends keep (tables, columns, nullability, indexes, foreign keys).
    # Tables some tests make for themselves (`test_…`, e.g. tests/jobs) are not the schema's.
    return [
        d
        for d in found
        if not (isinstance(d, list) and d and d[0][0] == "modify_default")
        and not (isinstance(d, tuple) and d[0] == "remove_table" and d[1].name.startswith("test_"))
    ]


async def test_the_migrated_schema_is_the_models(migrated: str) -> None:
    engine = make_engine(migrated)
    try:
        async with engine.connect() as conn:
            diffs = await conn.run_sync(_differences)
    finally:
        await engine.dispose()
    assert diffs == []
