"""Stored files in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Garage, SeaweedFS, Cloudflare
R2, Aliyun OSS and Tencent COS in S3 mode, ...), so that app nodes on different machines share
them without a shared folder.

The client is obstore (the Python binding of the Rust `object_store` crate that Apache Arrow and
DataFusion maintain): natively async (no thread per request, unlike boto3 in a thread pool), fully
typed, one self-contained wheel with no Python dependencies, and it streams downloads in chunks
and answers ranged reads. aioboto3 was the alternative; it wraps aiobotocore, which pins exact
botocore versions (a frequent source of resolver conflicts), and carries boto's whole service
model to use four calls of one service.

Objects are named `<prefix>/<2 characters>/<key>`, as in the local folder (storage.py), so
`aws s3 sync <data dir>/files s3://bucket/prefix` moves an installation's files over.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import obstore
from obstore.exceptions import BaseError, NotFoundError
from obstore.store import S3Store

from bellwork.files.location import S3Location
from bellwork.files.storage import CHUNK, Storage, Stream, check_key, object_name

if TYPE_CHECKING:
    from obstore.store import ClientConfig, RetryConfig, S3Config

_NOT_FOUND = (FileNotFoundError, NotFoundError)


class StoreUnavailable(RuntimeError):
    """The bucket is not there (or not ours): every file would read as missing otherwise."""


def _missing(exc: BaseException, store: str) -> bool:
    """Whether a not-found error means "no such object" (True) rather than "no such bucket",
    which raises StoreUnavailable."""
    if "NoSuchBucket" in str(exc):
        raise StoreUnavailable(f"no such bucket: {store}") from exc
    return True


class S3Storage(Storage):
    kind = "s3"

    def __init__(self, location: S3Location) -> None:
        self.location = location
        config: S3Config = {}
        if location.endpoint:
            config["endpoint"] = location.endpoint
        if location.region:
            config["region"] = location.region
        if location.virtual_hosted:
            config["virtual_hosted_style_request"] = True
        if location.access_key_id:
            config["access_key_id"] = location.access_key_id
        if location.secret_access_key:
            config["secret_access_key"] = location.secret_access_key
        client: ClientConfig = {
            "allow_http": bool(location.endpoint and location.endpoint.startswith("http://")),
            "connect_timeout": timedelta(seconds=5),
            "timeout": timedelta(seconds=120),  # a whole 50 MB upload
        }
        # A request is answered or refused within about half a minute, not obstore's default of
        # ten retries over three minutes.
        retry: RetryConfig = {"max_retries": 3, "retry_timeout": timedelta(seconds=20)}
        self.store = S3Store(
            location.bucket,
            prefix=location.prefix or None,
            config=config,
            client_options=client,
            retry_config=retry,
        )

    def describe(self) -> str:
        return self.location.url()

    async def put(self, key: str, data: bytes) -> None:
        try:
            await obstore.put_async(self.store, object_name(key), data)
        except _NOT_FOUND as exc:  # a put finds no object missing: the bucket is
            raise StoreUnavailable(f"no such bucket: {self.describe()}") from exc

    async def get(self, key: str) -> bytes | None:
        try:
            got = await obstore.get_async(self.store, object_name(key))
            return bytes(await got.bytes_async())
        except _NOT_FOUND as exc:
            _missing(exc, self.describe())
            return None

    async def size(self, key: str) -> int | None:
        try:
            meta = await obstore.head_async(self.store, object_name(key))
        except _NOT_FOUND as exc:
            _missing(exc, self.describe())
            return None
        return int(meta["size"])

    async def stream(self, key: str, start: int = 0, end: int | None = None) -> Stream | None:
        name = object_name(key)
        options: Any = None
        if start > 0 or end is not None:
            # A ranged GET of nothing, or past the end, is an error: clamp to the size first.
            size = await self.size(key)
            if size is None:
                return None
            stop = size if end is None else min(end, size)
            first = min(max(start, 0), stop)
            if first == stop:
                return Stream(size=size, start=first, end=stop, chunks=_empty())
            options = {"range": (first, stop)}
        try:
            got = await obstore.get_async(self.store, name, options=options)
        except _NOT_FOUND as exc:
            _missing(exc, self.describe())
            return None
        meta = got.meta
        first, stop = got.range
        chunks = got.stream(min_chunk_size=CHUNK)

        async def read() -> AsyncIterator[bytes]:
            async for chunk in chunks:
                yield bytes(chunk)

        return Stream(
            size=int(meta["size"]),
            start=first,
            end=stop,
            chunks=read(),
            etag=meta.get("e_tag"),
            modified=meta.get("last_modified"),
        )

    async def delete(self, key: str) -> None:
        # One request per key (the base class's delete_many): not every S3-compatible store
        # has bulk delete, and chat deletes a file and its thumbnail at most.
        try:
            await obstore.delete_async(self.store, object_name(key))
        except _NOT_FOUND as exc:
            _missing(exc, self.describe())

    async def check(self) -> None:
        """Lists one object: an unknown bucket, wrong credentials or no route raise."""
        try:
            async for _batch in obstore.list(self.store, chunk_size=1):
                break
        except (*_NOT_FOUND, BaseError) as exc:
            raise StoreUnavailable(f"{self.describe()}: {type(exc).__name__}") from exc

    async def all_keys(self) -> AsyncIterator[str]:
        async for batch in obstore.list(self.store, chunk_size=1000):
            for meta in batch:
                name = meta["path"].rsplit("/", 1)[-1]
                try:
                    yield check_key(name)
                except ValueError:
                    continue  # not one of ours


async def _empty() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover - makes this an async generator
