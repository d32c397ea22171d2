"""What a domain does with an upload it keeps in its own rows (notices' files, a DING's voice
note and attachment, a form's photos): the bytes checked (`sniff.inspect`) and put with their
thumbnail into the store before the row is written (`receive`, then `add`), the bytes taken
out again when the row is not, a row's description for the API (`describe`), stored objects
deleted only once the transaction that drops their rows has committed (`drop`), and the sweep
of uploads nothing took within a day (`delete_loose`).

The rows, who may read them and when they go stay the domain's (DESIGN.md, "Files"); this is
the part that is the same for every domain whose files are plain (chat seals private
conversations' files and shares forwarded ones: chat/files.py). A domain's file row has the
columns of `Received.columns()` plus its own (owner, what took it), and `created_at`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.db.session import on_commit
from bellwork.files.sniff import Sniffed, clean_name, inspect
from bellwork.files.storage import Storage, new_key

__all__ = [
    "LOOSE_FOR",
    "Kept",
    "Received",
    "StoredRow",
    "add",
    "delete_after_commit",
    "delete_loose",
    "describe",
    "drop",
    "flush_or_discard",
    "keep",
    "keys_of",
    "receive",
]

LOOSE_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Kept:
    """Where an upload's bytes (and an image's thumbnail) went in the store."""

    key: str
    thumb_key: str | None

    @property
    def keys(self) -> list[str]:
        return [k for k in (self.key, self.thumb_key) if k is not None]


async def keep(store: Storage, data: bytes, sniffed: Sniffed) -> Kept:
    """Puts checked bytes (`sniff.inspect`) and their thumbnail, if any, under a fresh key."""
    key = new_key()
    thumb = f"{key}.thumb" if sniffed.thumbnail is not None else None
    await store.put(key, data)
    try:
        if thumb is not None and sniffed.thumbnail is not None:
            await store.put(thumb, sniffed.thumbnail)
    except BaseException:
        with contextlib.suppress(Exception):
            await store.delete(key)
        raise
    return Kept(key, thumb)


async def flush_or_discard(db: AsyncSession, store: Storage, kept: Kept) -> None:
    """Flushes the row the domain added for `kept`; if that fails the bytes are deleted, so a
    refused upload leaves nothing in the store."""
    try:
        await db.flush()
    except BaseException:
        with contextlib.suppress(Exception):
            await store.delete_many(kept.keys)
        raise


def delete_after_commit(db: AsyncSession, store: Storage, keys: Iterable[str]) -> None:
    """Deletes the objects once the session's transaction commits (never if it rolls back: a
    row still naming them must still find them)."""
    doomed = [k for k in keys if k]
    if not doomed:
        return

    async def forget() -> None:
        await store.delete_many(doomed)

    on_commit(db, forget)


class StoredRow(Protocol):
    """A domain's row for a stored file (DingFile, NoticeFile, FormFile)."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def storage_key(self) -> str: ...
    @property
    def thumb_key(self) -> str | None: ...
    @property
    def width(self) -> int | None: ...
    @property
    def height(self) -> int | None: ...


R = TypeVar("R", bound=StoredRow)
Out = TypeVar("Out", bound=BaseModel)


@dataclass(frozen=True)
class Received:
    """A checked upload whose bytes are in the store: what its row records."""

    name: str
    content_type: str
    size: int
    storage_key: str
    thumb_key: str | None
    width: int | None
    height: int | None
    duration_ms: int | None  # a recording's length, when its container says

    def columns(self) -> dict[str, Any]:
        """The columns every domain's file row has (not `duration_ms`: only DING keeps it)."""
        return {
            "name": self.name,
            "content_type": self.content_type,
            "size": self.size,
            "storage_key": self.storage_key,
            "thumb_key": self.thumb_key,
            "width": self.width,
            "height": self.height,
        }


async def receive(
    store: Storage,
    name: str,
    claimed_type: str | None,
    data: bytes,
    *,
    max_bytes: int,
    max_image: int,
    accept: Callable[[Sniffed], None] | None = None,
) -> Received:
    """Checks an upload (`sniff.inspect`, then the domain's own `accept`, which raises to
    refuse) and puts it and its thumbnail in the store. The file name is checked before any
    byte is stored."""
    shown = clean_name(name)
    sniffed = await inspect(data, claimed_type, max_bytes, max_image)
    if accept is not None:
        accept(sniffed)
    kept = await keep(store, data, sniffed)
    return Received(
        name=shown,
        content_type=sniffed.content_type,
        size=len(data),
        storage_key=kept.key,
        thumb_key=kept.thumb_key,
        width=sniffed.width,
        height=sniffed.height,
        duration_ms=sniffed.duration_ms,
    )


async def add(db: AsyncSession, store: Storage, row: R) -> R:
    """Adds and flushes the domain's row for a received upload; if that fails the bytes are
    deleted, so a refused upload leaves nothing in the store."""
    db.add(row)
    await flush_or_discard(db, store, Kept(row.storage_key, row.thumb_key))
    return row


def describe(row: StoredRow, schema: type[Out], url: str, **extra: Any) -> Out:
    """The API's description of a stored file (`schema`: the domain's `…FileOut`)."""
    return schema(
        id=row.id,
        name=row.name,
        content_type=row.content_type,
        size=row.size,
        width=row.width,
        height=row.height,
        has_thumbnail=row.thumb_key is not None,
        url=url,
        **extra,
    )


def keys_of(rows: Iterable[StoredRow]) -> list[str]:
    """Every stored object of the rows: the bytes and any thumbnail."""
    return [k for f in rows for k in (f.storage_key, f.thumb_key) if k is not None]


async def drop(db: AsyncSession, store: Storage, rows: Iterable[StoredRow]) -> int:
    """Deletes the rows now and their bytes once the transaction commits; how many."""
    doomed = list(rows)
    for f in doomed:
        await db.delete(f)
    delete_after_commit(db, store, keys_of(doomed))
    return len(doomed)


async def delete_loose(
    db: AsyncSession,
    store: Storage,
    model: type[Any],
    taken_by: Any,
    now: datetime,
    *,
    older_than: timedelta = LOOSE_FOR,
    limit: int = 500,
) -> int:
    """Deletes the uploads of `model` that nothing took (`taken_by` still null) within
    `older_than` — an author who uploaded and never sent: the rows now, the bytes after the
    commit. Returns how many."""
    found: list[StoredRow] = list(
        (
            await db.execute(
                select(model)
                .where(taken_by.is_(None), model.created_at < now - older_than)
                .order_by(model.id)
                .limit(limit)
            )
        ).scalars()
    )
    return await drop(db, store, found)
