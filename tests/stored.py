"""What the test's app has in its files store (the data folder's files/ or the S3 server)."""

from __future__ import annotations

from typing import Any


async def stored_keys(app: Any) -> set[str]:
    return {key async for key in app.state.runtime.files.all_keys()}


async def stored(app: Any, key: str) -> bytes | None:
    data: bytes | None = await app.state.runtime.files.get(key)
    return data
