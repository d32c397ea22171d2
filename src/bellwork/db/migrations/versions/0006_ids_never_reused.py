"""ids are never given twice: AUTOINCREMENT on SQLite; message.file_id indexed

Revision ID: 0006
Revises: 0005

SQLite hands the highest rowid out again once its row is deleted (a burned message, a recalled
file), unless the table is AUTOINCREMENT, which only a table's CREATE statement can say. So on
SQLite every table with one integer primary key is rebuilt the way SQLite's documentation
describes (https://sqlite.org/lang_altertable.html#otheralter): its own CREATE statement with
the primary key made `INTEGER PRIMARY KEY AUTOINCREMENT`, rows copied, old table dropped, new
one renamed, its indexes made again; nothing else changes, and the copy seeds sqlite_sequence
with the highest id. Foreign keys must be off meanwhile (env.py turns them off before the first
migration), or dropping a table would first delete its rows and cascade. PostgreSQL's
sequences never go back: nothing to do there. Downgrading keeps AUTOINCREMENT (harmless).
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_autoincrement(bind)
    op.create_index("ix_message_file_id", "message", ["file_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_message_file_id", table_name="message")


def _sqlite_autoincrement(bind: sa.Connection) -> None:
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "migration 0006 rebuilds tables and must run with foreign keys off "
            "(PRAGMA foreign_keys=OFF before the migration's transaction)"
        )
    tables = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
        " AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version' ORDER BY name"
    ).all()
    for name, sql in tables:
        _rebuild(bind, name, sql)
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"foreign keys broken after rebuilding tables: {broken[:10]}")


def _rebuild(bind: sa.Connection, table: str, sql: str) -> None:
    if re.search(r"\bAUTOINCREMENT\b", sql, re.IGNORECASE):
        return
    columns = bind.exec_driver_sql(f'PRAGMA table_info("{table}")').all()
    pk = [c for c in columns if c[5]]
    if len(pk) != 1 or pk[0][2].upper() != "INTEGER":
        return  # not a rowid table with an integer id
    col = re.escape(pk[0][1])
    temp = f"_autoincrement_{table}"
    new, n_head = re.subn(
        r'^\s*CREATE TABLE\s+("?)\w+\1\s*\(', f'CREATE TABLE "{temp}" (', sql, count=1
    )
    # The primary key as a table constraint goes (`CONSTRAINT pk_x PRIMARY KEY (id)`) ...
    new, n_pk = re.subn(
        rf',\s*(?:CONSTRAINT\s+"?\w+"?\s+)?PRIMARY KEY\s*\(\s*"?{col}"?\s*\)',
        "",
        new,
        count=1,
        flags=re.IGNORECASE,
    )
    # ... and comes back on the column, as SQLAlchemy writes it for a new table.
    new, n_col = re.subn(
        rf'([(,]\s*"?{col}"?\s+INTEGER)(\s+NOT NULL)?(?=\s*,)',
        r"\1 NOT NULL PRIMARY KEY AUTOINCREMENT",
        new,
        count=1,
        flags=re.IGNORECASE,
    )
    if (n_head, n_pk, n_col) != (1, 1, 1):
        raise RuntimeError(f"migration 0006: unexpected CREATE TABLE for {table}: {sql}")
    indexes = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).all()
    bind.exec_driver_sql(new)
    bind.exec_driver_sql(f'INSERT INTO "{temp}" SELECT * FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{temp}" RENAME TO "{table}"')
    for (index_sql,) in indexes:
        bind.exec_driver_sql(index_sql)
    after = bind.exec_driver_sql(f'PRAGMA table_info("{table}")').all()
    if [tuple(c) for c in after] != [tuple(c) for c in columns]:
        raise RuntimeError(f"migration 0006: {table} changed shape: {columns} -> {after}")
