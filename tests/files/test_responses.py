"""Downloads answered from a store (files/responses.py): whole, one byte range (how a browser
seeks in a video), unsatisfiable ranges, missing objects; the same answers from both backends."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bellwork.config import Settings
from bellwork.files import LocalStorage, Storage, new_key, open_storage
from bellwork.files.responses import send

DATA = os.urandom(300_000)


@pytest.fixture(params=["local", "s3"])
async def storage(
    request: pytest.FixtureRequest, tmp_path: Path, s3_server: Any
) -> AsyncIterator[Storage]:
    if request.param == "local":
        yield LocalStorage(tmp_path / "files")
        return
    env = s3_server.env(s3_server.url())
    yield open_storage(
        Settings(
            data_dir=tmp_path,
            files_url=env["BELLWORK_FILES_URL"],
            files_access_key_id=env["BELLWORK_FILES_ACCESS_KEY_ID"],
            files_secret_access_key=env["BELLWORK_FILES_SECRET_ACCESS_KEY"],
        )
    )


@pytest.fixture
async def client(storage: Storage) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    key = new_key()
    await storage.put(key, DATA)

    async def download(request: Request) -> Response:
        answer = await send(
            request,
            storage,
            request.path_params["key"],
            media_type="video/mp4",
            headers={"Cache-Control": "private, max-age=60"},
            filename="课堂 录像.mp4",
            inline=True,
        )
        return answer if answer is not None else Response(status_code=404)

    app = Starlette(routes=[Route("/f/{key}", download)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c, key


async def test_whole_file(client: tuple[httpx.AsyncClient, str]) -> None:
    c, key = client
    r = await c.get(f"/f/{key}")
    assert r.status_code == 200 and r.content == DATA
    assert r.headers["content-type"] == "video/mp4"
    assert r.headers["content-length"] == str(len(DATA))
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["cache-control"] == "private, max-age=60"
    assert r.headers["content-disposition"] == (
        "inline; filename*=utf-8''%E8%AF%BE%E5%A0%82%20%E5%BD%95%E5%83%8F.mp4"
    )
    assert (await c.get(f"/f/{new_key()}")).status_code == 404


@pytest.mark.parametrize(
    ("header", "first", "end"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=1000-", 1000, len(DATA)),
        ("bytes=-500", len(DATA) - 500, len(DATA)),
        ("bytes=299000-999999", 299_000, len(DATA)),
    ],
)
async def test_one_range(
    client: tuple[httpx.AsyncClient, str], header: str, first: int, end: int
) -> None:
    c, key = client
    r = await c.get(f"/f/{key}", headers={"range": header})
    assert r.status_code == 206, r.text
    assert r.content == DATA[first:end]
    assert r.headers["content-range"] == f"bytes {first}-{end - 1}/{len(DATA)}"
    assert r.headers["content-length"] == str(end - first)


async def test_range_past_the_end(client: tuple[httpx.AsyncClient, str]) -> None:
    c, key = client
    r = await c.get(f"/f/{key}", headers={"range": f"bytes={len(DATA)}-"})
    assert r.status_code == 416
    assert r.headers["content-range"] == f"bytes */{len(DATA)}"
    missing = await c.get(f"/f/{new_key()}", headers={"range": "bytes=0-1"})
    assert missing.status_code == 404
