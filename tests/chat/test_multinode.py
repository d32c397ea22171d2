"""Two app processes on PostgreSQL and Redis: a message sent through node A reaches a client on
node B; a node killed with SIGKILL loses nothing for clients that move to the other node; files
uploaded through one node are read and deleted through the other, by a shared data folder or by
an S3 bucket with no folder shared.

Runs in the PostgreSQL pass (`--db=postgres`), against this machine's Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
import websockets

from bellwork.config import Settings
from tests.chat.conftest import cmid, free_port
from tests.conftest import PASSWORD, World

REDIS = os.environ.get("BELLWORK_TEST_REDIS", "redis://127.0.0.1:6379/0")


class Node:
    def __init__(
        self,
        database_url: str,
        channel: str,
        data_dir: str,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BELLWORK_")}
        env.update(
            BELLWORK_DATABASE_URL=database_url,
            BELLWORK_REDIS_URL=REDIS,
            BELLWORK_REDIS_CHANNEL=channel,
            BELLWORK_DATA_DIR=data_dir,
            BELLWORK_ARGON2_TIME_COST="1",
            BELLWORK_ARGON2_MEMORY_KIB="1024",
        )
        env.update(extra_env or {})
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bellwork.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--ws",
                "websockets-sansio",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("node did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/events"

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    """The test process's own app runs no jobs here: the nodes do, with their data folder and
    their bus. (A burn claimed by this process would shred keys in another folder and tell
    only this process's sockets: node B would wait for a message.deleted that never comes.)"""
    return settings.model_copy(update={"jobs_embedded": False})


@pytest.fixture
def nodes(backend: str, migrated: str, tmp_path: Any) -> Iterator[tuple[Node, Node]]:
    if backend != "postgres":
        pytest.skip("several app nodes need PostgreSQL and Redis (run with --db=postgres)")
    channel = f"bellwork:test:{uuid.uuid4().hex}"
    a = Node(migrated, channel, str(tmp_path / "a"))
    b = Node(migrated, channel, str(tmp_path / "b"))
    yield a, b
    for n in (a, b):
        if n.proc.poll() is None:
            n.proc.terminate()
            n.proc.wait(10)


async def login(base: str, username: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(base_url=base)
    r = await c.post("/api/v1/auth/login", json={"login": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    c.headers["x-csrf-token"] = r.json()["csrf_token"]
    return c


async def socket(url: str, c: httpx.AsyncClient) -> Any:
    cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    ws = await websockets.connect(url, additional_headers={"cookie": cookie})
    assert orjson.loads(await ws.recv())["type"] == "hello"
    return ws


async def next_message(ws: Any) -> dict[str, Any]:
    while True:
        frame = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] == "message.new":
            return frame["message"]  # type: ignore[no-any-return]


async def test_message_crosses_nodes_and_survives_a_killed_node(
    world: World, school: dict[str, Any], nodes: tuple[Node, Node]
) -> None:
    a, b = nodes
    teacher_a = await login(a.url, "teacher")
    guardian_a = await login(a.url, "p1")
    guardian_b = await login(b.url, "p1")
    conv = (
        await teacher_a.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    on_b = await socket(b.ws, guardian_b)
    on_a = await socket(a.ws, guardian_a)
    r = await teacher_a.post(
        f"/api/v1/conversations/{conv}/messages",
        json={"client_msg_id": cmid(), "body": "from node A"},
    )
    assert r.status_code == 201
    assert (await next_message(on_b))["body"] == "from node A"
    assert (await next_message(on_a))["body"] == "from node A"
    seen = [1]
    # Node A dies while the guardian's phone is connected to it.
    a.kill()
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(on_a.recv(), 10)
    teacher_b = await login(b.url, "teacher")
    for i in range(3):  # sent while the phone is reconnecting
        await teacher_b.post(
            f"/api/v1/conversations/{conv}/messages",
            json={"client_msg_id": cmid(), "body": f"during {i}"},
        )
    # The phone reconnects to node B and resyncs from its last seq.
    phone = await login(b.url, "p1")
    on_b2 = await socket(b.ws, phone)
    page = (
        await phone.get(f"/api/v1/conversations/{conv}/messages", params={"after_seq": seen[-1]})
    ).json()
    seen += [m["seq"] for m in page["items"]]
    await teacher_b.post(
        f"/api/v1/conversations/{conv}/messages", json={"client_msg_id": cmid(), "body": "after"}
    )
    seen.append((await next_message(on_b2))["seq"])
    assert seen == [1, 2, 3, 4, 5]
    for ws in (on_b, on_b2):
        await ws.close()
    for c in (teacher_a, guardian_a, guardian_b, teacher_b, phone):
        await c.aclose()


@pytest.fixture
def shared_nodes(backend: str, migrated: str, tmp_path: Any) -> Iterator[tuple[Node, Node]]:
    """Two nodes sharing one data folder (files and keys), as a real installation does."""
    if backend != "postgres":
        pytest.skip("several app nodes need PostgreSQL and Redis (run with --db=postgres)")
    channel = f"bellwork:test:{uuid.uuid4().hex}"
    a = Node(migrated, channel, str(tmp_path / "shared"))
    b = Node(migrated, channel, str(tmp_path / "shared"))
    yield a, b
    for n in (a, b):
        n.proc.terminate()
        n.proc.wait(10)


async def test_private_message_sealed_on_one_node_is_read_and_burned_on_another(
    world: World, school: dict[str, Any], shared_nodes: tuple[Node, Node], tmp_path: Any
) -> None:
    import io
    from pathlib import Path

    from PIL import Image

    a, b = shared_nodes
    keys = Path(tmp_path / "shared" / "keys")
    teacher_a = await login(a.url, "teacher")
    guardian_b = await login(b.url, "p1")
    conv = (
        await teacher_a.post(
            "/api/v1/conversations/direct",
            json={"person_id": school["p1"].id, "private": True, "burn_seconds": 10},
        )
    ).json()["id"]
    buf = io.BytesIO()
    Image.new("RGB", (30, 30), (1, 2, 3)).save(buf, "PNG")
    f = (
        await teacher_a.post(
            f"/api/v1/conversations/{conv}/files",
            files={"file": ("照片.png", buf.getvalue(), "image/png")},
        )
    ).json()
    text_ = f"sealed on A {uuid.uuid4().hex}"
    sent = []
    for body in ({"body": text_}, {"kind": "image", "file_id": f["id"]}):
        r = await teacher_a.post(
            f"/api/v1/conversations/{conv}/messages", json={"client_msg_id": cmid(), **body}
        )
        assert r.status_code == 201, r.text
        sent.append(r.json()["seq"])
    assert len([p for p in keys.rglob("*") if p.is_file()]) == 3  # two messages, one file
    on_b = await socket(b.ws, guardian_b)
    opened = [
        (await guardian_b.post(f"/api/v1/conversations/{conv}/messages/{s}/open")).json()
        for s in sent
    ]
    assert opened[0]["body"] == text_ and opened[1]["file"]["name"] == "照片.png"
    got = await guardian_b.get(f"/api/v1/files/{f['id']}")
    assert got.status_code == 200 and got.content == buf.getvalue()
    # Both nodes heard the deadline (10 s after opening) and sleep until it: whichever gets
    # there first burns them, once.
    deleted = set()
    while len(deleted) < 2:
        # Generous: a busy CI host (three test lanes on two cores) runs the burn job late.
        frame = orjson.loads(await asyncio.wait_for(on_b.recv(), 45))
        if frame["type"] == "message.deleted":
            deleted.add(frame["seq"])
    assert deleted == set(sent)
    assert [p for p in keys.rglob("*") if p.is_file()] == []
    page = (await guardian_b.get(f"/api/v1/conversations/{conv}/messages")).json()
    assert page["items"] == []
    await on_b.close()
    for c in (teacher_a, guardian_b):
        await c.aclose()


@pytest.fixture
def bucket_nodes(
    backend: str, migrated: str, tmp_path: Any, s3_server: Any
) -> Iterator[tuple[Node, Node, str]]:
    """Two nodes with data folders of their own, their files in one S3 bucket."""
    if backend != "postgres":
        pytest.skip("several app nodes need PostgreSQL and Redis (run with --db=postgres)")
    channel = f"bellwork:test:{uuid.uuid4().hex}"
    url = s3_server.url()
    env = s3_server.env(url)
    a = Node(migrated, channel, str(tmp_path / "a"), env)
    b = Node(migrated, channel, str(tmp_path / "b"), env)
    yield a, b, url
    for n in (a, b):
        n.proc.terminate()
        n.proc.wait(10)


async def test_files_are_shared_through_a_bucket_without_a_shared_folder(
    world: World,
    school: dict[str, Any],
    bucket_nodes: tuple[Node, Node, str],
    tmp_path: Any,
    s3_server: Any,
) -> None:
    import io

    from PIL import Image

    a, b, url = bucket_nodes
    teacher_a = await login(a.url, "teacher")
    guardian_b = await login(b.url, "p1")
    conv = (
        await teacher_a.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (9, 99, 199)).save(buf, "PNG")
    f = (
        await teacher_a.post(
            f"/api/v1/conversations/{conv}/files",
            files={"file": ("板书.png", buf.getvalue(), "image/png")},
        )
    ).json()
    m = (
        await teacher_a.post(
            f"/api/v1/conversations/{conv}/messages",
            json={"client_msg_id": cmid(), "kind": "image", "file_id": f["id"]},
        )
    ).json()
    # Node B has never seen the bytes on its disk; it reads them from the bucket.
    got = await guardian_b.get(f"/api/v1/files/{f['id']}")
    assert got.status_code == 200 and got.content == buf.getvalue()
    thumb = await guardian_b.get(f"/api/v1/files/{f['id']}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert not any(p.is_file() for p in (tmp_path / "a").rglob("files/**/*"))
    assert not any(p.is_file() for p in (tmp_path / "b").rglob("files/**/*"))
    # Recalled through node B, gone from the bucket for node A too.
    teacher_b = await login(b.url, "teacher")
    r = await teacher_b.post(f"/api/v1/conversations/{conv}/messages/{m['seq']}/recall")
    assert r.status_code == 204
    assert (await teacher_a.get(f"/api/v1/files/{f['id']}")).status_code == 404
    listed = s3_server.client().list_objects_v2(
        Bucket=url.split("://", 1)[1].split("/", 1)[0],
        Prefix=url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0] + "/",
    )
    assert listed.get("KeyCount", 0) == 0
    for c in (teacher_a, guardian_b, teacher_b):
        await c.aclose()
