"""The `bellwork` command as an operator uses it, each run in its own process and data folder."""

from __future__ import annotations

import base64
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

BIN = [sys.executable, "-m", "bellwork"]


def run(args: list[str], data: Path, input_: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELLWORK_")}
    env["BELLWORK_DATA_DIR"] = str(data)
    env["LANG"] = "en_US.UTF-8"
    env["BELLWORK_ARGON2_TIME_COST"] = "1"
    env["BELLWORK_ARGON2_MEMORY_KIB"] = "1024"
    return subprocess.run(
        BIN + args, env=env, capture_output=True, text=True, input=input_, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


def test_serve_help_explains_settings(data: Path) -> None:
    r = run(["serve", "--help"], data)
    assert r.returncode == 0
    for word in ("BELLWORK_DATA_DIR", "BELLWORK_DATABASE_URL", "--demo", "--port"):
        assert word in r.stdout


def test_admin_create_and_import(data: Path, tmp_path: Path) -> None:
    r = run(
        ["admin", "create", "--name", "张老师", "--username", "boss", "--password", "short"], data
    )
    assert r.returncode != 0 and "at least 8" in r.stderr
    r = run(
        [
            "admin",
            "create",
            "--name",
            "张老师",
            "--username",
            "boss",
            "--password",
            "long-enough-1",
        ],
        data,
    )
    assert r.returncode == 0, r.stderr
    assert "Administrator 张老师 created" in r.stdout
    r = run(
        ["admin", "create", "--name", "again", "--username", "boss", "--password", "long-enough-1"],
        data,
    )
    assert r.returncode != 0 and "Username" in r.stderr
    # No unit exists yet: a clear error.
    roster = tmp_path / "roster.csv"
    roster.write_text("班级,学生姓名,学号\n一年级/1班,韩梅梅,2026200\n", encoding="utf-8")
    r = run(["import", str(roster), "--kind", "roster", "--unit", "1"], data)
    assert r.returncode == 1 and "not found" in r.stderr.lower()


def test_demo_prints_logins_and_is_idempotent(tmp_path: Path) -> None:
    r = run(["demo"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "admin" in r.stdout and "bellwork-demo" in r.stdout and "teacher" in r.stdout
    r2 = run(["demo"], tmp_path)
    assert r2.returncode == 0 and r2.stdout == r.stdout
    # The demo's class teacher finds the class's home-school group waiting in their list.
    with sqlite3.connect(tmp_path / "bellwork.sqlite3") as db:
        groups = db.execute(
            "SELECT c.name, c.member_count FROM conversation c"
            " JOIN conversation_member m ON m.conversation_id = c.id"
            " JOIN person p ON p.id = m.person_id"
            " WHERE p.username = 'teacher' AND c.kind = 'unit'"
        ).fetchall()
    assert len(groups) == 1 and groups[0][0] == "一年级1班" and groups[0][1] > 10, groups
    roster = tmp_path / "more.csv"
    roster.write_text("班级,学生姓名,学号\n一年级/1班,韩梅梅,2026200\n", encoding="utf-8")
    r = run(["import", str(roster), "--kind", "roster", "--unit", "3"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Dry run" in r.stdout and "people_created=1" in r.stdout
    r = run(["import", str(roster), "--kind", "roster", "--unit", "3", "--apply"], tmp_path)
    assert "Imported." in r.stdout and "people_created=1" in r.stdout
    r = run(["import", str(roster), "--kind", "roster", "--unit", "3", "--apply"], tmp_path)
    assert "people_created=0" in r.stdout and "people_unchanged=1" in r.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _frame(sock: socket.socket) -> tuple[int, bytes]:
    """One server frame (servers do not mask): (opcode, payload)."""
    head = sock.recv(2, socket.MSG_WAITALL)
    opcode, size = head[0] & 0x0F, head[1] & 0x7F
    if size == 126:
        size = struct.unpack("!H", sock.recv(2, socket.MSG_WAITALL))[0]
    elif size == 127:
        size = struct.unpack("!Q", sock.recv(8, socket.MSG_WAITALL))[0]
    return opcode, sock.recv(size, socket.MSG_WAITALL) if size else b""


def test_serve_pings_sockets_at_the_configured_interval(tmp_path: Path) -> None:
    """`serve` pings idle WebSockets every BELLWORK_WS_PING_SECONDS (read off the wire)."""
    data = tmp_path / "data"
    made = run(
        ["admin", "create", "--name", "Ops", "--username", "ops", "--password", "long-enough-1"],
        data,
    )
    assert made.returncode == 0, made.stderr
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELLWORK_")}
    env.update(BELLWORK_DATA_DIR=str(data), BELLWORK_WS_PING_SECONDS="5", BELLWORK_PORT=str(port))
    server = subprocess.Popen(
        [*BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
            time.sleep(0.1)
        login = httpx.post(
            f"{base}/api/v1/auth/login", json={"login": "ops", "password": "long-enough-1"}
        )
        assert login.status_code == 200, login.text
        with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
            key = base64.b64encode(os.urandom(16)).decode()
            sock.sendall(
                (
                    f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                    f"Cookie: bw_session={login.cookies['bw_session']}\r\n\r\n"
                ).encode()
            )
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += sock.recv(1)
            assert answer.startswith(b"HTTP/1.1 101")
            opcode, payload = _frame(sock)
            assert opcode == 0x1 and b'"hello"' in payload
            hello_at = time.monotonic()
            opcode, payload = _frame(sock)
            assert opcode == 0x9  # a ping, and nothing else on an idle socket
            assert 3.5 < time.monotonic() - hello_at < 7, "not the configured 5 s"
    finally:
        server.terminate()
        server.wait(15)
