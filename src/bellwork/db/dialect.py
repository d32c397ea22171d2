"""What differs between the two databases and has one answer for both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.db.base import Base


def dialect_insert(db: AsyncSession, model: type[Base]) -> Any:
    """INSERT with ON CONFLICT for this session's database (PostgreSQL or SQLite)."""
    return insert_for(db.get_bind().dialect.name, model)


def insert_for(dialect: str, model: type[Base]) -> Any:
    """INSERT with ON CONFLICT for the database named `dialect` (PostgreSQL or SQLite)."""
    table: Table = model.__table__  # type: ignore[assignment]
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


_BUILT: dict[tuple[str, str], Any] = {}


def built(db: AsyncSession, key: str, build: Callable[[str], Any]) -> Any:
    """The statement `build(dialect name)` makes, built once per kind of database and kept
    under `key`: on a path that runs a thousand times a second, putting an upsert together
    (its `excluded` columns above all) costs more CPU than running it. Such a statement takes
    its values as parameters at execution (`db.execute(stmt, params)`)."""
    dialect = db.get_bind().dialect.name
    stmt = _BUILT.get((dialect, key))
    if stmt is None:
        stmt = _BUILT[(dialect, key)] = build(dialect)
    return stmt
