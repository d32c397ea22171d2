"""The storage interface, the same tests against both backends: the local folder and an
S3-compatible server (moto's, on 127.0.0.1: real HTTP requests with signatures)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bellwork.config import Settings
from bellwork.files import BadKey, LocalStorage, Storage, new_key, open_storage
from bellwork.files.s3 import S3Storage, StoreUnavailable
from bellwork.files.storage import CHUNK


@pytest.fixture(params=["local", "s3"])
async def storage(
    request: pytest.FixtureRequest, tmp_path: Path, s3_server: Any
) -> AsyncIterator[Storage]:
    if request.param == "local":
        store: Storage = LocalStorage(tmp_path / "files")
    else:
        env = s3_server.env(s3_server.url())
        settings = Settings(
            data_dir=tmp_path,
            files_url=env["BELLWORK_FILES_URL"],
            files_access_key_id=env["BELLWORK_FILES_ACCESS_KEY_ID"],
            files_secret_access_key=env["BELLWORK_FILES_SECRET_ACCESS_KEY"],
        )
        store = open_storage(settings)
        assert isinstance(store, S3Storage)
    yield store
    await store.close()


async def keys_of(storage: Storage) -> set[str]:
    return {k async for k in storage.all_keys()}


async def test_put_get_exists_delete(storage: Storage) -> None:
    key = new_key()
    assert await storage.get(key) is None
    assert await storage.exists(key) is False and await storage.size(key) is None
    await storage.put(key, b"hello")
    assert await storage.get(key) == b"hello"
    assert await storage.exists(key) and await storage.size(key) == 5
    await storage.put(key, b"replaced")  # a put replaces
    assert await storage.get(key) == b"replaced"
    await storage.delete(key)
    assert await storage.get(key) is None and not await storage.exists(key)
    await storage.delete(key)  # deleting what is not there is fine


async def test_empty_and_binary_objects(storage: Storage) -> None:
    empty, binary = new_key(), f"{new_key()}.thumb"
    data = bytes(range(256)) * 7
    await storage.put(empty, b"")
    await storage.put(binary, data)
    assert await storage.get(empty) == b"" and await storage.size(empty) == 0
    assert await storage.get(binary) == data
    stream = await storage.stream(empty)
    assert stream is not None and await stream.read() == b""


async def test_stream_in_chunks_and_ranges(storage: Storage) -> None:
    key = new_key()
    data = os.urandom(CHUNK * 2 + 1234)  # several chunks
    await storage.put(key, data)
    stream = await storage.stream(key)
    assert stream is not None
    assert (stream.size, stream.start, stream.end) == (len(data), 0, len(data))
    chunks = [c async for c in stream]
    assert b"".join(chunks) == data and all(len(c) <= len(data) for c in chunks)
    part = await storage.stream(key, 10, 20)
    assert part is not None and (part.start, part.end, part.size) == (10, 20, len(data))
    assert await part.read() == data[10:20]
    tail = await storage.stream(key, len(data) - 5)
    assert tail is not None and await tail.read() == data[-5:]
    past = await storage.stream(key, 100, len(data) + 50)  # cut to the object's end
    assert past is not None and await past.read() == data[100:]
    beyond = await storage.stream(key, len(data) + 10)
    assert beyond is not None and await beyond.read() == b""
    assert await storage.stream(new_key()) is None
    assert await storage.stream(new_key(), 5, 10) is None
    unread = await storage.stream(key)
    assert unread is not None
    await unread.aclose()  # released without reading


async def test_keys_lists_every_object(storage: Storage) -> None:
    assert await keys_of(storage) == set()
    made = {new_key() for _ in range(5)}
    made |= {f"{k}.thumb" for k in list(made)[:2]}
    await asyncio.gather(*(storage.put(k, k.encode()) for k in made))
    assert await keys_of(storage) == made
    gone = sorted(made)[:3]
    await storage.delete_many(gone)
    assert await keys_of(storage) == made - set(gone)
    for k in made - set(gone):
        assert await storage.get(k) == k.encode()


async def test_concurrent_writers_of_one_key(storage: Storage) -> None:
    """Readers see one whole version, never a mix (a put is atomic in both)."""
    key = new_key()
    versions = [bytes([i]) * 100_000 for i in range(8)]
    await asyncio.gather(*(storage.put(key, v) for v in versions))
    assert await storage.get(key) in versions
    assert await keys_of(storage) == {key}  # no temporary files left to list


@pytest.mark.parametrize("bad", ["", "a", "../etc", "ab/cd", ".hidden", "x" * 201, "a b", "é1"])
async def test_keys_are_checked(storage: Storage, bad: str) -> None:
    with pytest.raises(BadKey):
        await storage.put(bad, b"x")
    with pytest.raises(BadKey):
        await storage.get(bad)


async def test_local_layout_is_the_s3_layout(tmp_path: Path, s3_server: Any) -> None:
    """Both keep `<2 characters>/<key>`: a copy of the folder into the bucket is the store."""
    local = LocalStorage(tmp_path / "files")
    key = new_key()
    await local.put(key, b"moved")
    assert (tmp_path / "files" / key[:2] / key).read_bytes() == b"moved"
    assert local.local_path(key) == tmp_path / "files" / key[:2] / key
    url = s3_server.url()
    bucket, prefix = url.split("://", 1)[1].split("?", 1)[0].split("/", 1)
    s3 = s3_server.client()
    for path in (tmp_path / "files").rglob("*"):
        if path.is_file():
            rel = path.relative_to(tmp_path / "files").as_posix()
            s3.put_object(Bucket=bucket, Key=f"{prefix}/{rel}", Body=path.read_bytes())
    env = s3_server.env(url)
    remote = open_storage(
        Settings(
            data_dir=tmp_path,
            files_url=url,
            files_access_key_id=env["BELLWORK_FILES_ACCESS_KEY_ID"],
            files_secret_access_key=env["BELLWORK_FILES_SECRET_ACCESS_KEY"],
        )
    )
    assert await remote.get(key) == b"moved"
    assert remote.local_path(key) is None


async def test_a_missing_bucket_is_an_error_not_a_missing_file(
    tmp_path: Path, s3_server: Any
) -> None:
    """Otherwise a typo in the bucket's name would read as every file gone."""
    store = open_storage(
        Settings(
            data_dir=tmp_path,
            files_url=s3_server.url(bucket="no-such-bucket-here"),
            files_access_key_id="k",
            files_secret_access_key="s",
        )
    )
    with pytest.raises(StoreUnavailable):
        await store.get(new_key())
    with pytest.raises(StoreUnavailable):
        await store.put(new_key(), b"x")
    with pytest.raises(StoreUnavailable):
        await store.check()
    stream = store.stream(new_key())
    with pytest.raises(StoreUnavailable):
        await stream


async def test_check(storage: Storage) -> None:
    await storage.check()
