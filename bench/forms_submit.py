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
import random
import secrets
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from benchlib import (
    Login,
    add_floor_option,
    chinese_name,
    db_version,
    fresh_database,
    http_load,
    machine,
)
from chatlib import Node, _insert, _reset_sequences, data_dir

CLASS_SIZE = 40
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


def _submission(login: Login, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """A student's check-in, 2 % of them with a fever."""
    answers = dict(GOOD)
    if rng.random() < 0.02:
        answers["temperature"] = 38.2
    body = {"client_id": uuid.uuid4().hex, "subject_id": login[0], "version": 1, "answers": answers}
    return "/api/v1/forms/campaigns/1/submissions", body


async def bench(
    students: int, seconds: float, nodes: int, concurrency: int, clients: int, floor: bool
) -> None:
    async with fresh_database("postgres") as url:
        print(machine([await db_version(url)]))
        t0 = time.perf_counter()
        _, logins = await seed(url, students)
        print(f"\nseeded {students:,} students with sessions in {time.perf_counter() - t0:.1f} s")
        with tempfile.TemporaryDirectory(prefix="bellwork-forms-bench-") as tmp:
            apps = [Node(url, data_dir(tmp, f"n{i}")) for i in range(nodes)]
            try:
                load = await http_load(
                    url,
                    apps,
                    logins,
                    _submission,
                    seconds=seconds,
                    concurrency=concurrency,
                    clients=clients,
                    once=True,
                    floor=floor,
                )
            finally:
                for a in apps:
                    a.stop()
        what = "signed-in requests (floor)" if floor else "submissions stored"
        print("\n" + load.rate_line(what))
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
        print(load.cpu_line("submission"))
        assert floor or (stored == counted == load.done and abnormal == cases)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--students", type=int, default=20_000)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--nodes", type=int, default=1)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--clients", type=int, default=1)
    add_floor_option(p, instead_of="submitting")
    args = p.parse_args()
    asyncio.run(
        bench(args.students, args.seconds, args.nodes, args.concurrency, args.clients, args.floor)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
