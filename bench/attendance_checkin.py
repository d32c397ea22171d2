"""Check-in at 08:00 for a school through the HTTP API, sustained (issue 14: a 3,000-person
school, 300 check-ins/s, on PostgreSQL on this 2-core machine).

    .venv/bin/python bench/attendance_checkin.py [--people 3000] [--seconds 10] [--nodes 1]
                                                 [--concurrency 32] [--clients 1] [--floor]
    .venv/bin/python bench/attendance_checkin.py --in-process 3000 [--rounds 3]

Seeds a school of `--people` people in units of 40, each with a web session (the rows
`create_session` writes, as bench/chatlib.py does), and the school's attendance rule around
its gate. Starts `--nodes` app processes (`uvicorn bellwork.app:create_app`, as `bellwork
serve` runs them) and `--clients` load processes, each keeping `--concurrency` check-ins in
flight — every person's real POST /attendance/punches with their cookie, CSRF token and a
location inside the gate's circle (a few metres of GPS noise). Prints the sustained rate over
`--seconds`, latencies, errors, CPU per check-in (app, PostgreSQL, load) and checks that every
answered check-in was stored once. `--floor`: GET /auth/csrf instead, the CPU any signed-in
request costs, to compare against.

`--in-process N`: no server and no sockets — N check-ins (N people, then as many check-outs
per further round) through the ASGI app in this one process with httpx's ASGI transport, and
the process's own CPU per check-in, client included. That figure barely moves on a busy
host where the rate does, so it is the one to compare two versions of the code by, run
alternately (`PYTHONPATH=<other tree>/src:bench`).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from benchlib import (
    FLOOR_PATH,
    Login,
    add_floor_option,
    chinese_name,
    db_version,
    fresh_database,
    http_load,
    machine,
    session_headers,
)
from chatlib import Node, _insert, _reset_sequences, data_dir

UNIT_SIZE = 40
GATE = (30.2084, 120.2107)


async def seed(url: str, people: int) -> list[tuple[int, str, str]]:
    """The school, its people's sessions and its rule: [(person, session secret, csrf)]."""
    from sqlalchemy import insert

    from bellwork.attendance.models import AttendanceRule
    from bellwork.auth.models import WebSession
    from bellwork.auth.service import sha256
    from bellwork.db.engine import make_engine
    from bellwork.org.models import Membership, Person, Unit
    from bellwork.org.search import sort_key

    rng = random.Random(14)
    now = datetime.now(UTC)
    units: list[dict[str, Any]] = [
        {
            "id": 1,
            "parent_id": None,
            "kind": "school",
            "name": "实验小学",
            "path": "/1/",
            "depth": 0,
            "settings": {},
            "created_at": now,
        }
    ]
    for c in range((people + UNIT_SIZE - 1) // UNIT_SIZE):
        uid = c + 2
        units.append(
            {
                "id": uid,
                "parent_id": 1,
                "kind": "class",
                "name": f"{c + 1}班",
                "path": f"/1/{uid}/",
                "depth": 1,
                "settings": {},
                "created_at": now,
            }
        )
    rows, members, sessions, logins = [], [], [], []
    expires = now + timedelta(days=30)
    for i in range(people):
        pid = i + 1
        name = chinese_name(rng)
        rows.append(
            {
                "id": pid,
                "name": name,
                "sort_key": sort_key(name),
                "username": f"p{pid}",
                "created_at": now,
                "updated_at": now,
            }
        )
        members.append(
            {"id": pid, "person_id": pid, "unit_id": i // UNIT_SIZE + 2, "role": "staff"}
        )
        secret, csrf = secrets.token_urlsafe(24), secrets.token_urlsafe(18)
        sessions.append(
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
        logins.append((pid, secret, csrf))
    engine = make_engine(url)
    async with engine.begin() as conn:
        await _insert(conn, Unit.__table__, units)
        await _insert(conn, Person.__table__, rows)
        await _insert(conn, Membership.__table__, members)
        await _insert(conn, WebSession.__table__, sessions)
        await conn.execute(
            insert(AttendanceRule),
            [
                {
                    "id": 1,
                    "unit_id": 1,
                    "name": "作息",
                    "kind": "fixed",
                    "weekdays": [1, 2, 3, 4, 5, 6, 7],
                    "start": "08:00",
                    "end": "17:00",
                    "late_grace": 0,
                    "work_minutes": 480,
                    "places": [{"name": "大门", "lat": GATE[0], "lng": GATE[1], "radius": 300}],
                    "networks": [],
                    "field_work": False,
                    "updated_at": now,
                }
            ],
        )
        await _reset_sequences(
            conn, ["unit", "person", "membership", "web_session", "attendance_rule"]
        )
    async with engine.connect() as conn:
        await conn.exec_driver_sql("COMMIT")
        await conn.exec_driver_sql("ANALYZE")
    await engine.dispose()
    return logins


def _punch(login: Login, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """A check-in (or out) a few metres of GPS noise from the gate."""
    body = {
        "client_id": uuid.uuid4().hex,
        "lat": GATE[0] + rng.uniform(-0.0005, 0.0005),
        "lng": GATE[1] + rng.uniform(-0.0005, 0.0005),
        "accuracy": 15,
    }
    return "/api/v1/attendance/punches", body


async def bench(
    people: int, seconds: float, nodes: int, concurrency: int, clients: int, floor: bool
) -> None:
    async with fresh_database("postgres") as url:
        print(machine([await db_version(url)]))
        t0 = time.perf_counter()
        logins = await seed(url, people)
        print(f"\nseeded {people:,} people with sessions in {time.perf_counter() - t0:.1f} s")
        with tempfile.TemporaryDirectory(prefix="bellwork-attendance-bench-") as tmp:
            apps = [Node(url, data_dir(tmp, f"n{i}")) for i in range(nodes)]
            try:
                # Everyone checks in, then (a second round) checks out, and so on.
                load = await http_load(
                    url,
                    apps,
                    logins,
                    _punch,
                    seconds=seconds,
                    concurrency=concurrency,
                    clients=clients,
                    once=False,
                    floor=floor,
                )
            finally:
                for a in apps:
                    a.stop()
        what = "signed-in requests (floor)" if floor else "check-ins stored"
        print("\n" + load.rate_line(what, goal=" (goal 300/s)"))
        from sqlalchemy import func, select

        from bellwork.attendance.models import AttendancePunch
        from bellwork.db.engine import make_engine

        engine = make_engine(url)
        async with engine.connect() as conn:
            stored = (
                await conn.execute(select(func.count()).select_from(AttendancePunch))
            ).scalar()
        await engine.dispose()
        print(f"stored {stored:,}")
        print(load.cpu_line("check-in"))
        assert floor or stored == load.done


async def in_process(count: int, rounds: int, floor: bool) -> None:
    """`count` people check in (then out, `rounds` - 1 times) through the ASGI app in this
    process; prints the process's CPU per check-in for each round."""
    import httpx

    from bellwork.app import create_app
    from bellwork.config import Settings

    rng = random.Random(7)
    async with fresh_database("postgres") as url:
        print(machine([await db_version(url)]))
        logins = await seed(url, count)
        with tempfile.TemporaryDirectory(prefix="bellwork-attendance-bench-") as tmp:
            settings = Settings(database_url=url, data_dir=data_dir(tmp, "app"))
            app = create_app(settings)
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app, client=("10.9.8.7", 1234))
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                    for r in range(rounds):
                        t0, w0 = time.process_time(), time.perf_counter()
                        for login in logins:
                            headers = session_headers(login[1], login[2])
                            if floor:
                                got = await http.get(FLOOR_PATH, headers=headers)
                                assert got.status_code == 200, got.text
                                continue
                            path, body = _punch(login, rng)
                            got = await http.post(path, json=body, headers=headers)
                            assert got.status_code == 201, got.text
                            assert got.json()["kind"] == ("in" if r == 0 else "out")
                        cpu = (time.process_time() - t0) * 1000 / len(logins)
                        wall = (time.perf_counter() - w0) * 1000 / len(logins)
                        what = (
                            "floor requests" if floor else "check-ins" if r == 0 else "check-outs"
                        )
                        print(
                            f"round {r + 1}: {len(logins):,} {what} in one process,"
                            f" CPU {cpu:.2f} ms each (client included), wall {wall:.2f} ms"
                        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--people", type=int, default=3_000)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--nodes", type=int, default=1)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--clients", type=int, default=1)
    add_floor_option(p, instead_of="checking in")
    p.add_argument(
        "--in-process",
        type=int,
        default=0,
        metavar="N",
        help="N check-ins through the ASGI app in this process: its CPU per check-in",
    )
    p.add_argument("--rounds", type=int, default=3, help="with --in-process")
    args = p.parse_args()
    if args.in_process:
        asyncio.run(in_process(args.in_process, args.rounds, args.floor))
        return 0
    asyncio.run(
        bench(args.people, args.seconds, args.nodes, args.concurrency, args.clients, args.floor)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
