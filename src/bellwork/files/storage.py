"""The storage interface every domain's files go through, and its local-folder backend.

A stored file is bytes under a key the domain chose (`new_key()`: 32 random hex digits, or that
plus a suffix such as ".thumb"). Keys are flat; both backends keep an object under
`<first 2 characters>/<key>`, so a local folder copied into a bucket (or back) is the same
store. What a key means, who may read it and when it goes are the domain's business: it keeps
the key in its own rows and authorises reads itself (CONTRIBUTING.md, "Files").

All methods are coroutines; the local backend does its disk work in threads. A key that is not
there reads as None (`get`, `stream`, `size`); deleting one is not an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, ClassVar

CHUNK = 256 * 1024
_KEY = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{1,199}$")
_TMP = ".tmp-"


class BadKey(ValueError):
    """A key with characters a store may not keep (slashes, a leading dot, ...)."""


def new_key() -> str:
    """A fresh random key (128 bits): unguessable, and never the same twice."""
    return secrets.token_hex(16)


def check_key(key: str) -> str:
    if not _KEY.match(key) or _TMP in key:
        raise BadKey(key)
    return key


def object_name(key: str) -> str:
    """Where a key lives inside a store: `<2 characters>/<key>`."""
    return f"{key[:2]}/{check_key(key)}"


async def _noop() -> None:
    return None


@dataclass
class Stream:
    """Bytes `start` to `end` (exclusive) of a stored object of `size` bytes, read in chunks.
    Iterate it once; `aclose()` releases it early (iterating to the end releases it too)."""

    size: int
    start: int
    end: int
    chunks: AsyncIterator[bytes]
    etag: str | None = None
    modified: datetime | None = None
    close: Callable[[], Awaitable[None]] = _noop

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.chunks

    async def aclose(self) -> None:
        await self.close()

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self])


class Storage(ABC):
    """Where stored files' bytes are: a local folder, or an S3-compatible bucket."""

    kind: ClassVar[str]

    @abstractmethod
    async def put(self, key: str, data: bytes) -> None:
        """Stores `data` under `key`, replacing what was there. Readers see the old bytes or
        the new, never part of them."""

    @abstractmethod
    async def get(self, key: str) -> bytes | None:
        """The whole object, or None."""

    @abstractmethod
    async def stream(self, key: str, start: int = 0, end: int | None = None) -> Stream | None:
        """The object (or bytes `start`..`end` of it, end exclusive) in chunks, or None. A range
        past the object's end is cut to it."""

    @abstractmethod
    async def size(self, key: str) -> int | None:
        """The object's size in bytes, or None when there is no such object."""

    async def exists(self, key: str) -> bool:
        return await self.size(key) is not None

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Removes the object; a missing one is fine."""

    async def delete_many(self, keys: Iterable[str]) -> None:
        for key in keys:
            await self.delete(key)

    @abstractmethod
    def all_keys(self) -> AsyncIterator[str]:
        """Every key in the store, in no particular order (tests, sweeps, moving stores)."""

    def local_path(self, key: str) -> Path | None:
        """A path this process may send the object from (the local folder only), else None."""
        return None

    @abstractmethod
    def describe(self) -> str:
        """Where the files are, for logs and errors; never a secret."""

    @abstractmethod
    async def check(self) -> None:
        """Raises when the store cannot be used (readiness checks)."""

    async def close(self) -> None:
        return None


class LocalStorage(Storage):
    """A folder on this machine: `<data dir>/files` by default. Several app nodes may share
    it (NFS and the like); writes are atomic (a temporary file renamed into place)."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / object_name(key)

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def describe(self) -> str:
        return f"local folder {self.root}"

    async def check(self) -> None:
        def writable() -> None:
            self.root.mkdir(parents=True, exist_ok=True)
            if not os.access(self.root, os.W_OK | os.X_OK):
                raise PermissionError(f"cannot write to {self.root}")

        await asyncio.to_thread(writable)

    async def put(self, key: str, data: bytes) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}{_TMP}{secrets.token_hex(4)}")
            try:
                tmp.write_bytes(data)
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)

        def read() -> bytes | None:
            try:
                return path.read_bytes()
            except (FileNotFoundError, NotADirectoryError):
                return None

        return await asyncio.to_thread(read)

    async def size(self, key: str) -> int | None:
        path = self._path(key)

        def stat() -> int | None:
            try:
                return path.stat().st_size
            except (FileNotFoundError, NotADirectoryError):
                return None

        return await asyncio.to_thread(stat)

    async def stream(self, key: str, start: int = 0, end: int | None = None) -> Stream | None:
        path = self._path(key)

        def open_() -> tuple[BinaryIO, os.stat_result] | None:
            try:
                fh = path.open("rb")
            except (FileNotFoundError, NotADirectoryError):
                return None
            return fh, os.fstat(fh.fileno())

        opened = await asyncio.to_thread(open_)
        if opened is None:
            return None
        fh, st = opened
        stop = st.st_size if end is None else min(end, st.st_size)
        first = min(max(start, 0), stop)

        async def chunks() -> AsyncIterator[bytes]:
            try:
                await asyncio.to_thread(fh.seek, first)
                left = stop - first
                while left > 0:
                    chunk = await asyncio.to_thread(fh.read, min(CHUNK, left))
                    if not chunk:
                        break
                    left -= len(chunk)
                    yield chunk
            finally:
                fh.close()

        async def close() -> None:
            fh.close()

        return Stream(
            size=st.st_size,
            start=first,
            end=stop,
            chunks=chunks(),
            etag=f'"{st.st_mtime_ns:x}-{st.st_size:x}"',
            modified=datetime.fromtimestamp(st.st_mtime, UTC),
            close=close,
        )

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def delete_many(self, keys: Iterable[str]) -> None:
        paths = [self._path(k) for k in keys]

        def unlink() -> None:
            for p in paths:
                p.unlink(missing_ok=True)

        await asyncio.to_thread(unlink)

    async def all_keys(self) -> AsyncIterator[str]:
        def walk() -> list[str]:
            found: list[str] = []
            if not self.root.is_dir():
                return found
            for folder in self.root.iterdir():
                if not folder.is_dir():
                    continue
                with contextlib.suppress(FileNotFoundError):
                    found.extend(p.name for p in folder.iterdir() if _TMP not in p.name)
            return found

        for key in await asyncio.to_thread(walk):
            yield key
