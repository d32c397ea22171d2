"""Submissions of the morning check-in through the HTTP API, sustained (issue 12: 1,000/s on
PostgreSQL on this 2-core machine).

    .venv/bin/python bench/forms_submit.py [--students 20000] [--seconds 20] [--nodes 1]
                                           [--concurrency 64] [--clients 1] [--floor]

Seeds a school of `--students` students in classes of 40, each with a web session (the rows
`create_session` writes, as bench/chatlib.py does), the built-in daily health check-in run for
all of them and open all day today, and its counter rows. Starts `--nodes` app processes
(`uvicorn bellwork.app:create_app`, as `bellwork serve` runs them) and `--clients` load
processes, each keeping `--concurrency` submissions in flight — every student's real POST
/forms/campaigns/{id}/submissions, with their cookie and CSRF token, 2 % of them with a fever
(an abnormal case and its DING). Prints the sustained rate over `--seconds`, latencies, errors,
and checks that the counters add up to what was stored.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import random
import secrets
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psutil
from benchlib import chinese_name, db_version, fresh_database, machine, percentiles
from chatlib import Node, _insert, _reset_sequences, cpu_seconds, data_dir

CLASS_SIZE = 40
FLOOR = "--floor" in sys.argv
GOOD = {"temperature": 36.6, "symptoms": ["none"], "travel": "no", "contact": "no"}


async def seed(url: str, students: int) -> tuple[int, list[tuple[int, str, str]]]:
    """The school, its students' sessions, the campaign open all day today: (campaign id,
    [(student, session secret, csrf)])."""
    from sqlalchemy import insert

    from bellwork.auth.models import WebSession
    from bellwork.auth.service import sha256
    from bellwork.db.engine import make_engine
    from bellwork.forms.builtin import builtin
    from bellwork.forms.models import (
        FormCampaign,
        FormDayCount,
        FormTarget,
        FormTemplate,
        FormVersion,
    )
    from bellwork.org.models import Membership, Person, Unit
    from bellwork.org.search import sort_key

    rng = random.Random(5)
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    units = [
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
    classes = (students + CLASS_SIZE - 1) // CLASS_SIZE
    for c in range(classes):
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
    people, members, sessions, targets, logins = [], [], [], [], []
    expires = now + timedelta(days=30)
    for i in range(students):
        pid = i + 1
        uid = i // CLASS_SIZE + 2
        name = chinese_name(rng)
        people.append(
            {
                "id": pid,
                "name": name,
                "sort_key": sort_key(name),
                "username": f"s{pid}",
                "created_at": now,
                "updated_at": now,
            }
        )
        members.append({"id": pid, "person_id": pid, "unit_id": uid, "role": "student"})
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
        targets.append(
            {
                "id": pid,
                "campaign_id": 1,
                "subject_id": pid,
                "unit_id": uid,
                "unit_path": f"/1/{uid}/",
            }
        )
        logins.append((pid, secret, csrf))
    definition = builtin("student_health").model_dump(mode="json", exclude_none=True)
    engine = make_engine(url)
    async with engine.begin() as conn:
        await _insert(conn, Unit.__table__, units)
        await _insert(conn, Person.__table__, people)
        await _insert(conn, Membership.__table__, members)
        await _insert(conn, WebSession.__table__, sessions)
        await conn.execute(
            insert(FormTemplate),
            [
                {
                    "id": 1,
                    "unit_id": 1,
                    "name": "晨检",
                    "builtin": "student_health",
                    "version": 1,
                    "created_at": now,
                }
            ],
        )
        await conn.execute(
            insert(FormVersion),
            [
                {
                    "id": 1,
                    "template_id": 1,
                    "number": 1,
                    "definition": definition,
                    "created_at": now,
                    "used": True,
                }
            ],
        )
        await conn.execute(
            insert(FormCampaign),
            [
                {
                    "id": 1,
                    "template_id": 1,
                    "unit_id": 1,
                    "name": "每日健康打卡",
                    "client_id": "b",
                    "audience": {},
                    "subject": "student",
                    "schedule": {
                        "kind": "daily",
                        "start": today.isoformat(),
                        "end": None,
                        "weekdays": [1, 2, 3, 4, 5, 6, 7],
                        "opens": "00:00",
                        "deadline": "23:59",
                    },
                    "time_zone": "Asia/Shanghai",
                    "reminders": [],
                    "remind_by": "app",
                    "late_allowed": True,
                    "root_id": 1,
                    "target_count": students,
                    "created_at": now,
                }
            ],
        )
        await _insert(conn, FormTarget.__table__, targets)
        await _insert(
            conn,
            FormDayCount.__table__,
            [
                {
                    "campaign_id": 1,
                    "root_id": 1,
                    "period": today,
                    "unit_id": u["id"],
                    "unit_path": u["path"],
                    "expected": CLASS_SIZE,
                    "submitted": 0,
                    "late": 0,
                    "abnormal": 0,
                }
                for u in units[1:]
            ],
        )
        await _reset_sequences(
            conn,
            [
                "unit",
                "person",
                "membership",
                "web_session",
                "form_template",
                "form_version",
                "form_campaign",
                "form_target",
            ],
        )
    async with engine.connect() as conn:
        await conn.exec_driver_sql("COMMIT")
        await conn.exec_driver_sql("ANALYZE")
    await engine.dispose()
    return 1, logins


async def _pg_processes(url: str) -> list[psutil.Process]:
    """The PostgreSQL backends serving this database, and the WAL writer every commit waits on."""
    import asyncpg

    dsn = url.replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() OR backend_type = 'walwriter'"
        )
    finally:
        await conn.close()
    out = []
    for r in rows:
        with contextlib.suppress(psutil.Error):
            out.append(psutil.Process(r["pid"]))
    return out


def _pg_cpu() -> dict[int, float]:
    """CPU seconds so far of every PostgreSQL process, by pid."""
    out = {}
    for p in psutil.process_iter(["name"]):
        if p.info["name"] == "postgres":
            out[p.pid] = cpu_seconds([p])
    return out


def _client(
    url: str,
    logins: list[tuple[int, str, str]],
    concurrency: int,
    seconds: float,
    start_at: float,
    out: Any,
) -> None:
    asyncio.run(_client_main(url, logins, concurrency, seconds, start_at, out))


async def _client_main(
    url: str,
    logins: list[tuple[int, str, str]],
    concurrency: int,
    seconds: float,
    start_at: float,
    out: Any,
) -> None:
    import aiohttp

    rng = random.Random()
    todo = list(logins)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    done = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.sleep(max(0.0, start_at - time.time()))  # every load process at once
        end = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal done
            while todo and time.monotonic() < end:
                pid, secret, csrf = todo.pop()
                answers = dict(GOOD)
                if rng.random() < 0.02:
                    answers["temperature"] = 38.2
                body = {
                    "client_id": uuid.uuid4().hex,
                    "subject_id": pid,
                    "version": 1,
                    "answers": answers,
                }
                t0 = time.perf_counter()
                headers = {
                    "cookie": f"bw_session={secret}",
                    "x-csrf-token": csrf,
                    "accept-language": "zh-CN",
                }
                if FLOOR:
                    # What any signed-in request costs: its session looked up, nothing else.
                    sent = http.get(f"{url}/api/v1/auth/csrf", headers=headers)
                else:
                    sent = http.post(
                        f"{url}/api/v1/forms/campaigns/1/submissions", json=body, headers=headers
                    )
                async with sent as r:
                    await r.read()
                    if r.status == (200 if FLOOR else 201):
                        latencies.append((time.perf_counter() - t0) * 1000)
                        done += 1
                    else:
                        errors[str(r.status)] = errors.get(str(r.status), 0) + 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    out.send((done, latencies, errors))


async def bench(students: int, seconds: float, nodes: int, concurrency: int, clients: int) -> None:
    async with fresh_database("postgres") as url:
        print(machine([await db_version(url)]))
        t0 = time.perf_counter()
        _, logins = await seed(url, students)
        print(f"\nseeded {students:,} students with sessions in {time.perf_counter() - t0:.1f} s")
        import tempfile

        with tempfile.TemporaryDirectory(prefix="bellwork-forms-bench-") as tmp:
            apps = [Node(url, data_dir(tmp, f"n{i}")) for i in range(nodes)]
            try:
                random.shuffle(logins)
                share = len(logins) // clients
                start_at = time.time() + 2
                pipes, procs = [], []
                for c in range(clients):
                    parent, child = mp.Pipe(duplex=False)
                    node = apps[c % nodes]
                    p = mp.Process(
                        target=_client,
                        args=(
                            node.url,
                            logins[c * share : (c + 1) * share],
                            concurrency,
                            seconds,
                            start_at,
                            child,
                        ),
                    )
                    p.start()
                    pipes.append(parent)
                    procs.append(p)
                # CPU spent per submission, by part: the app nodes, this database's PostgreSQL
                # backends plus the WAL writer, and the load processes (a figure that holds on
                # a busy machine, where the rate does not).
                await asyncio.sleep(max(0.0, start_at - time.time() - 0.5))
                pg_before = _pg_cpu()
                loaders = [psutil.Process(p.pid) for p in procs]
                nodes_ps = [a.ps for a in apps]
                before = [cpu_seconds(nodes_ps), 0.0, cpu_seconds(loaders)]
                results = [pipe.recv() for pipe in pipes]
                backends = await _pg_processes(url)  # the pools' connections, opened by now
                pg = sum(cpu_seconds([b]) - pg_before.get(b.pid, 0.0) for b in backends)
                after = [cpu_seconds(nodes_ps), pg, cpu_seconds(loaders)]
                for p in procs:
                    p.join()
            finally:
                for a in apps:
                    a.stop()
        done = sum(r[0] for r in results)
        lat = [x for r in results for x in r[1]]
        errors: dict[str, int] = {}
        for r in results:
            for k, v in r[2].items():
                errors[k] = errors.get(k, 0) + v
        p50, p95, worst = percentiles(lat) if lat else (0.0, 0.0, 0.0)
        print(
            f"\n{nodes} node(s), {clients} load process(es) × {concurrency} in flight,"
            f" {seconds:.0f} s: {done:,} submissions stored, {done / seconds:,.0f}/s;"
            f" latency p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms; errors {errors}"
        )
        from sqlalchemy import func, select

        from bellwork.db.engine import make_engine
        from bellwork.forms.models import FormCase, FormDayCount, FormSubmission

        engine = make_engine(url)
        async with engine.connect() as conn:
            stored = (await conn.execute(select(func.count()).select_from(FormSubmission))).scalar()
            counted = (await conn.execute(select(func.sum(FormDayCount.submitted)))).scalar()
            abnormal = (await conn.execute(select(func.sum(FormDayCount.abnormal)))).scalar()
            cases = (await conn.execute(select(func.count()).select_from(FormCase))).scalar()
        await engine.dispose()
        print(f"stored {stored:,}, counted {counted:,}; abnormal {abnormal:,}, cases {cases:,}")
        parts = [(b - a) * 1000 / max(done, 1) for a, b in zip(before, after, strict=True)]
        cores = psutil.cpu_count() or 1
        print(
            f"CPU per submission: app {parts[0]:.2f} ms, PostgreSQL {parts[1]:.2f} ms,"
            f" load {parts[2]:.2f} ms; total {sum(parts):.2f} ms. On {cores} cores that"
            f" allows at most {cores * 1000 / sum(parts):,.0f}/s with the load on the same"
            f" machine, {cores * 1000 / sum(parts[:2]):,.0f}/s without."
        )
        assert FLOOR or (stored == counted == done and abnormal == cases)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--students", type=int, default=20_000)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--nodes", type=int, default=1)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--clients", type=int, default=1)
    p.add_argument(
        "--floor",
        action="store_true",
        help="GET /auth/csrf instead of submitting: the CPU any signed-in request costs",
    )
    args = p.parse_args()
    asyncio.run(bench(args.students, args.seconds, args.nodes, args.concurrency, args.clients))
    return 0


if __name__ == "__main__":
    sys.exit(main())
