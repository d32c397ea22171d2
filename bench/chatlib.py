"""Shared helpers for the chat benchmarks: fast seeding, app-node processes, WebSocket load.

- `seed_group(...)`: people, web sessions with known secrets, one or more groups, written with
  bulk inserts (the rows the application itself writes; sessions as `create_session` stores them:
  SHA-256 of the secret, a CSRF token, 30 days).
- `Node`: one app process, `uvicorn bellwork.app:create_app --factory --ws websockets-sansio`
  with per-message compression off, as `bellwork serve` runs it.
- `Clients`: WebSocket clients (picows, one asyncio loop per process, many connections each) in
  separate processes; they log in with the `bw_session` cookie, wait for `hello`, and time every
  `message.new` whose body carries the sender's clock.
- `cpu_seconds` (from benchlib), `rss`: a process's CPU time and resident memory (psutil).
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import multiprocessing as mp
import os
import resource
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
from benchlib import PG_ADMIN_DSN, cpu_seconds, db_version, machine

from bellwork.config import Settings

REDIS_URL = os.environ.get("BELLWORK_TEST_REDIS", "redis://127.0.0.1:6379/0")
BODY_TAG = "bench"


# ---------------------------------------------------------------- the machine


def redis_version() -> str:
    try:
        import redis

        r = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
        v = r.info("server")["redis_version"]
        r.close()
        return f"Redis {v}"
    except Exception as exc:
        return f"Redis unavailable ({type(exc).__name__})"


async def machine_report(urls: Sequence[str], with_redis: bool = False) -> str:
    versions = [await db_version(u) for u in urls]
    if with_redis:
        versions.append(redis_version())
    import picows
    import uvicorn
    import websockets

    lines = [
        machine(versions),
        f"stack:   uvicorn {uvicorn.__version__} (--ws websockets-sansio, websockets "
        f"{websockets.__version__}), load generator picows {picows.__version__}",
    ]
    return "\n".join(lines)


def raise_nofile(want: int = 20_000) -> int:
    """Raises this process's open-file limit (children inherit it) as far as the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ---------------------------------------------------------------- seeding


@dataclass
class Login:
    person_id: int
    secret: str
    csrf: str


@dataclass
class Seeded:
    sender: Login
    members: list[Login]
    conversation_ids: list[int]
    unit_ids: list[int] = field(default_factory=list)


async def _reset_sequences(conn: Any, tables: Sequence[str]) -> None:
    from sqlalchemy import text

    if conn.dialect.name != "postgresql":
        return
    for t in tables:
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {t}), false)"
            )
        )


async def _insert(conn: Any, table: Any, rows: list[dict[str, Any]], chunk: int = 2000) -> None:
    for i in range(0, len(rows), chunk):
        await conn.execute(table.insert(), rows[i : i + chunk])


async def seed_group(
    url: str,
    people: int,
    group_size: int | None = None,
    units: int = 0,
) -> Seeded:
    """Person 1 is the sender (owner of every group); people 2..people+1 are members, each
    with a web session. Members are split into groups of `group_size` (default: one group of
    all). With `units` > 0 a school (unit 1) with that many classes is made and every member
    belongs to one class (so receipts can group by class)."""
    import random

    from benchlib import chinese_name

    from bellwork.auth.models import WebSession
    from bellwork.auth.service import sha256
    from bellwork.chat.models import Conversation, ConversationMember
    from bellwork.db.base import utcnow
    from bellwork.db.engine import make_engine
    from bellwork.org.models import Membership, Person, Unit
    from bellwork.org.search import sort_key

    rng = random.Random(7)
    now = utcnow()
    expires = now + timedelta(days=30)
    group_size = group_size or people
    logins: list[Login] = []
    person_rows = []
    session_rows = []
    for pid in range(1, people + 2):
        name = "王老师" if pid == 1 else chinese_name(rng)
        person_rows.append(
            {
                "id": pid,
                "name": name,
                "sort_key": sort_key(name),
                "username": f"bench{pid}",
                "created_at": now,
                "updated_at": now,
            }
        )
        secret = secrets.token_urlsafe(24)
        csrf = secrets.token_urlsafe(18)
        logins.append(Login(pid, secret, csrf))
        session_rows.append(
            {
                "id": pid,
                "token_hash": sha256(secret),
                "csrf_token": csrf,
                "person_id": pid,
                "created_at": now,
                "last_seen_at": now,
                "expires_at": expires,
            }
        )
    conv_rows = []
    member_rows = []
    conv_ids = []
    mid = 0
    members = logins[1:]
    for g, start in enumerate(range(0, len(members), group_size), start=1):
        chunk = members[start : start + group_size]
        conv_ids.append(g)
        conv_rows.append(
            {
                "id": g,
                "kind": "group",
                "name": f"家校群 {g}",
                "owner_id": 1,
                "private": False,
                "last_seq": 0,
                "member_count": len(chunk) + 1,
                "last_message_at": now,
                "created_at": now,
            }
        )
        for pid, role in [(1, "owner")] + [(m.person_id, "member") for m in chunk]:
            mid += 1
            member_rows.append(
                {
                    "id": mid,
                    "conversation_id": g,
                    "person_id": pid,
                    "role": role,
                    "joined_seq": 0,
                    "last_read_seq": 0,
                    "muted": False,
                    "created_at": now,
                }
            )
    unit_rows: list[dict[str, Any]] = []
    membership_rows: list[dict[str, Any]] = []
    unit_ids: list[int] = []
    if units:
        unit_rows.append({"id": 1, "kind": "school", "name": "实验小学", "path": "/1/", "depth": 0})
        for u in range(units):
            uid = u + 2
            unit_ids.append(uid)
            unit_rows.append(
                {
                    "id": uid,
                    "parent_id": 1,
                    "kind": "class",
                    "name": f"{u // 8 + 1}年级{u % 8 + 1}班",
                    "path": f"/1/{uid}/",
                    "depth": 1,
                }
            )
        for i, m in enumerate(members):
            membership_rows.append(
                {
                    "id": i + 1,
                    "person_id": m.person_id,
                    "unit_id": unit_ids[i % units],
                    "role": "guardian",
                    "created_at": now,
                }
            )
        membership_rows.append(
            {
                "id": len(members) + 1,
                "person_id": 1,
                "unit_id": 1,
                "role": "teacher",
                "created_at": now,
            }
        )
        for r in unit_rows:
            r.setdefault("parent_id", None)
            r.update(settings={}, created_at=now)
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await _insert(conn, Person.__table__, person_rows)
            await _insert(conn, WebSession.__table__, session_rows)
            if unit_rows:
                await _insert(conn, Unit.__table__, unit_rows)
                await _insert(conn, Membership.__table__, membership_rows)
            await _insert(conn, Conversation.__table__, conv_rows)
            await _insert(conn, ConversationMember.__table__, member_rows)
            await _reset_sequences(
                conn,
                [
                    "person",
                    "web_session",
                    "unit",
                    "membership",
                    "conversation",
                    "conversation_member",
                ],
            )
    finally:
        await engine.dispose()
    return Seeded(logins[0], members, conv_ids, unit_ids)


# ---------------------------------------------------------------- app nodes


BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
# What `bellwork serve` pings at (BELLWORK_WS_PING_SECONDS), unless the bench environment says.
PING_SECONDS = float(
    os.environ.get("BELLWORK_WS_PING_SECONDS") or Settings.model_fields["ws_ping_seconds"].default
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Node:
    """One app process, as `bellwork serve` runs it (uvicorn, websockets-sansio, no deflate)."""

    def __init__(
        self,
        database_url: str,
        data_dir: str,
        redis_url: str | None = None,
        channel: str = "",
        app: str = "bellwork.app:create_app",
        settings: dict[str, str] | None = None,
    ) -> None:
        """`settings`: more BELLWORK_ variables for the node (e.g. BELLWORK_JANUS_RUN)."""
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BELLWORK_")}
        env.update(BELLWORK_DATABASE_URL=database_url, BELLWORK_DATA_DIR=data_dir)
        env.update(settings or {})
        if redis_url:
            env.update(BELLWORK_REDIS_URL=redis_url, BELLWORK_REDIS_CHANNEL=channel)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                *(["--factory"] if app.endswith("create_app") else ["--app-dir", BENCH_DIR]),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--ws",
                "websockets-sansio",
                "--ws-max-size",
                str(1 << 20),
                "--ws-per-message-deflate",
                "false",
                "--ws-ping-interval",
                str(PING_SECONDS),
                "--backlog",
                "4096",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        self.ps = psutil.Process(self.proc.pid)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("app node exited during start-up")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("app node did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/events"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def rss(p: psutil.Process) -> int:
    return int(p.memory_info().rss)


# ---------------------------------------------------------------- WebSocket clients


def _client_proc(targets: list[tuple[str, str]], conn: Any, concurrency: int) -> None:
    """Entry point of a load-generator process: connects every (ws url, session secret),
    reports, then obeys commands from the coordinator until told to close."""
    with contextlib.suppress(Exception):
        raise_nofile()
    try:
        import uvloop

        uvloop.run(_client_main(targets, conn, concurrency))
    except ImportError:
        asyncio.run(_client_main(targets, conn, concurrency))


async def _client_main(targets: list[tuple[str, str]], pipe: Any, concurrency: int) -> None:
    import orjson
    from picows import WSListener, WSMsgType, ws_connect

    state: dict[str, Any] = {
        "lat": array.array("d"),
        "hello": 0,
        "frames": 0,
        "pings": 0,
        "dropped": 0,
        "tag": "",
    }
    mono = time.monotonic
    loads = orjson.loads

    class Listener(WSListener):  # type: ignore[misc]
        def on_ws_frame(self, transport: Any, frame: Any) -> None:
            mt = frame.msg_type
            if mt == WSMsgType.PING:
                state["pings"] += 1
                transport.send_pong(frame.get_payload_as_bytes())
                return
            if mt != WSMsgType.TEXT:
                if mt == WSMsgType.CLOSE:
                    transport.disconnect()
                return
            now = mono()
            state["frames"] += 1
            data = frame.get_payload_as_bytes()
            body = None
            if b'"message.new"' in data:
                body = loads(data)["message"]["body"] or ""
            elif b'"ding.alert"' in data:  # bench/ding_fanout.py
                body = loads(data)["ding"]["body"]
            elif b'"notice.new"' in data:  # bench/notice_publish.py
                body = loads(data)["notice"]["title"]
            if body is not None:
                parts = body.split(" ")
                if len(parts) >= 3 and parts[0] == BODY_TAG and parts[1] == state["tag"]:
                    state["lat"].append((now - float(parts[2])) * 1000.0)
            elif b'"hello"' in data:
                state["hello"] += 1

        def on_ws_disconnected(self, transport: Any) -> None:
            state["dropped"] += 1

    transports: list[Any] = []
    failed = 0
    sem = asyncio.Semaphore(concurrency)

    async def one(url: str, secret: str) -> None:
        nonlocal failed
        async with sem:
            for attempt in range(5):
                try:
                    t, _ = await ws_connect(
                        Listener,
                        url,
                        extra_headers={"cookie": f"bw_session={secret}"},
                        enable_auto_pong=False,
                        websocket_handshake_timeout=30,
                    )
                    transports.append(t)
                    return
                except Exception:
                    await asyncio.sleep(0.2 * (attempt + 1))
            failed += 1

    await asyncio.gather(*(one(u, s) for u, s in targets))
    deadline = mono() + 30
    while state["hello"] < len(transports) and mono() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    pipe.send(("ready", len(transports), failed, state["hello"]))
    while True:
        cmd, arg = await loop.run_in_executor(None, pipe.recv)
        if cmd == "tag":
            state["tag"] = arg
            state["lat"] = array.array("d")
            pipe.send(("ok",))
        elif cmd == "collect":
            pipe.send(
                (
                    "data",
                    state["lat"].tobytes(),
                    state["frames"],
                    state["pings"],
                    state["dropped"],
                )
            )
        elif cmd == "close":
            for t in transports:
                with contextlib.suppress(Exception):
                    t.send_close()
                    t.disconnect()
            await asyncio.sleep(0.5)
            pipe.send(("closed",))
            return


class Clients:
    """Load-generator processes holding WebSocket connections."""

    def __init__(self, targets: list[tuple[str, str]], procs: int, concurrency: int = 100) -> None:
        ctx = mp.get_context("spawn")
        self.pipes: list[Any] = []
        self.procs: list[Any] = []
        n = max(1, procs)
        for i in range(n):
            part = targets[i::n]
            a, b = ctx.Pipe()
            p = ctx.Process(target=_client_proc, args=(part, b, concurrency), daemon=True)
            p.start()
            self.pipes.append(a)
            self.procs.append(p)
        self.ps = [psutil.Process(p.pid) for p in self.procs]
        self.connected = 0
        self.failed = 0
        self.hellos = 0

    def wait_ready(self, timeout: float = 600) -> None:
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise RuntimeError("a load-generator process did not get ready")
            _, ok, failed, hellos = pipe.recv()
            self.connected += ok
            self.failed += failed
            self.hellos += hellos

    def tag(self, tag: str) -> None:
        for pipe in self.pipes:
            pipe.send(("tag", tag))
        for pipe in self.pipes:
            pipe.recv()

    def collect(self) -> tuple[list[float], int, int, int]:
        lat: list[float] = []
        frames = pings = dropped = 0
        for pipe in self.pipes:
            pipe.send(("collect", None))
        for pipe in self.pipes:
            _, raw, f, p, d = pipe.recv()
            a = array.array("d")
            a.frombytes(raw)
            lat.extend(a)
            frames += f
            pings += p
            dropped += d
        return lat, frames, pings, dropped

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(Exception):
                pipe.send(("close", None))
        for pipe in self.pipes:
            with contextlib.suppress(Exception):
                if pipe.poll(20):
                    pipe.recv()
        for p in self.procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
                p.join(5)


# ---------------------------------------------------------------- figures


def pct(samples: Sequence[float], q: float) -> float:
    if not samples:
        return float("nan")
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, round(q * len(s)) - 1))]


def new_channel() -> str:
    return f"bellwork:bench:{uuid.uuid4().hex[:10]}"


def data_dir(base: str, name: str) -> str:
    p = Path(base) / name
    p.mkdir(parents=True, exist_ok=True)
    return str(p)


__all__ = [
    "PG_ADMIN_DSN",
    "REDIS_URL",
    "Clients",
    "Login",
    "Node",
    "Seeded",
    "cpu_seconds",
    "data_dir",
    "machine_report",
    "new_channel",
    "pct",
    "raise_nofile",
    "redis_version",
    "rss",
    "seed_group",
]
