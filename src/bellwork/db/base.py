"""Declarative base shared by every domain's models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def CText(length: int) -> String:
    """A string compared byte by byte on every backend (COLLATE "C" on PostgreSQL), so that
    prefix ranges like `path >= '/1/' AND path < '/1/\U0010ffff'` work under any locale."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


# BIGINT on PostgreSQL, INTEGER on SQLite (so it stays the rowid alias and autoincrements).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores timezone-aware UTC datetimes; SQLite gives back naive ones, which we mark UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("__table__")
        if isinstance(table, Table):
            never_reuse_ids(table)


def never_reuse_ids(table: Table) -> None:
    """An id is never given twice, on SQLite as on PostgreSQL (whose sequences never go back):
    a table with one integer primary key gets AUTOINCREMENT on SQLite, which otherwise hands
    the highest id out again once its row is deleted (a burned message, a recalled file), so
    a link, cursor or key file naming the old id would name the new row. Every model gets it
    from `Base`; migration 0006 rebuilt the tables made before."""
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and isinstance(pk[0].type, Integer):
        table.dialect_options["sqlite"]["autoincrement"] = True


def utcnow() -> datetime:
    return datetime.now(UTC)
