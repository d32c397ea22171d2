"""Read receipts (已读未读) in a 3,000-member group: the unread list and the counts.

    .venv/bin/python bench/chat_receipts.py [--backend postgres|sqlite|both] [--members 3000]
        [--messages 3000] [--runs 200] [--quick] [--explain]

Seeds one school with 60 classes, a teacher and `--members` guardians (each in a class), one
group of all of them and `--messages` messages: one in three from the teacher, the rest from
random members, and the last 50 all the teacher's (a teacher posting notices: the worst case
for the counts). Members' read cursors are spread as in a real group a few hours after the last
notice: 45 % have read everything, 30 % are a few messages behind, 15 % up to 500 behind, 10 %
have not opened the group since they joined; 5 % joined late (joined_seq in the second half)
and 1 % have left. Times each operation twice, each call in a fresh session: first with tables
never analysed (a freshly imported school before autovacuum got to it: on PostgreSQL autovacuum
is off for every table from before the seeding until the first pass is done), then after
ANALYZE:
  (a) the unread list of one message: `bellwork.chat.receipts.receipt` (the latest notice and
      one 1,000 messages back), and `GET .../messages/{seq}/receipt` through the ASGI app;
  (b) the counts of the 50 latest messages: `bellwork.chat.receipts.receipt_counts`, and
      `GET .../messages?limit=50` as the teacher (which computes unread_count for each own
      message).
Prints p50/p95/max per operation, never analysed beside after ANALYZE. Goal: < 20 ms each on
PostgreSQL, either way. `--explain` prints the unread list's plan (EXPLAIN ANALYZE) in each state.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from benchlib import fresh_database, percentiles, quiet_argon2
from chatlib import machine_report, seed_group

GOAL_MS = 20.0
CLASSES = 60
STATES = ("never analysed", "after ANALYZE")


async def autovacuum(url: str, enabled: bool) -> None:
    """Turns PostgreSQL's autovacuum (and with it auto-analyze) off or back on for every table."""
    from sqlalchemy import text

    from bellwork.db.base import Base
    from bellwork.db.engine import make_engine

    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            setting = "RESET (autovacuum_enabled)" if enabled else "SET (autovacuum_enabled = off)"
            for table in Base.metadata.sorted_tables:
                await conn.execute(text(f"ALTER TABLE {table.name} {setting}"))
    finally:
        await engine.dispose()


async def analyze(url: str) -> None:
    from sqlalchemy import text

    from bellwork.db.engine import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("ANALYZE"))
            else:
                await conn.execute(text("ANALYZE"))
                await conn.commit()
    finally:
        await engine.dispose()
    if url.startswith("postgresql"):
        await autovacuum(url, True)


async def seed(url: str, members: int, messages: int) -> dict[str, Any]:
    """Seeds the group without analysing anything (PostgreSQL: autovacuum off first)."""
    from sqlalchemy import bindparam, update

    from bellwork.chat.models import Conversation, ConversationMember, Message
    from bellwork.db.base import utcnow
    from bellwork.db.engine import make_engine

    if url.startswith("postgresql"):
        await autovacuum(url, False)
    seeded = await seed_group(url, members, units=CLASSES)
    rng = random.Random(11)
    ids = [m.person_id for m in seeded.members]
    teacher = seeded.sender.person_id
    start = utcnow() - timedelta(days=30)
    rows = []
    for seq in range(1, messages + 1):
        own = seq > messages - 50 or rng.random() < 1 / 3
        rows.append(
            {
                "id": seq,
                "conversation_id": 1,
                "seq": seq,
                "sender_id": teacher if own else rng.choice(ids),
                "kind": "text",
                "body": f"通知 {seq}：明天上午八点前提交健康打卡。" if own else f"收到 {seq}",
                "client_msg_id": f"seed-{seq}",
                "created_at": start + timedelta(seconds=seq * 600),
            }
        )
    cursors = []
    for i, _pid in enumerate(ids, start=2):
        joined = rng.randint(messages // 2, messages - 1) if rng.random() < 0.05 else 0
        left = rng.randint(joined + 1, messages) if rng.random() < 0.01 else None
        top = left if left is not None else messages
        u = rng.random()
        if u < 0.45:
            read = top
        elif u < 0.75:
            read = top - min(int(rng.expovariate(1 / 8)), top)
        elif u < 0.90:
            read = top - rng.randint(0, min(500, top))
        else:
            read = joined
        cursors.append({"mid": i, "j": joined, "l": left, "r": max(read, joined)})
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for k in range(0, len(rows), 2000):
                await conn.execute(Message.__table__.insert(), rows[k : k + 2000])
            cm = ConversationMember.__table__
            await conn.execute(
                update(cm)
                .where(cm.c.id == bindparam("mid"))
                .values(
                    joined_seq=bindparam("j"), left_seq=bindparam("l"), last_read_seq=bindparam("r")
                ),
                cursors,
            )
            await conn.execute(
                update(cm).where(cm.c.person_id == teacher).values(last_read_seq=messages)
            )
            ct = Conversation.__table__
            await conn.execute(
                update(ct)
                .where(ct.c.id == 1)
                .values(
                    last_seq=messages,
                    member_count=members + 1 - sum(1 for c in cursors if c["l"] is not None),
                )
            )
            if conn.dialect.name == "postgresql":
                from sqlalchemy import text

                await conn.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence('message', 'id'), "
                        "(SELECT max(id) + 1 FROM message), false)"
                    )
                )
    finally:
        await engine.dispose()
    own = [r["seq"] for r in rows if r["sender_id"] == teacher]
    return {"seeded": seeded, "own": own, "teacher": teacher}


async def explain(engine: Any, phase: str, teacher: int, seq: int) -> None:
    """EXPLAIN ANALYZE of the statement behind the unread list of message `seq`."""
    from sqlalchemy import text

    from bellwork.chat.receipts import receipt_members_statement

    stmt = receipt_members_statement().params(conv=1, sender=teacher, seq=seq)
    async with engine.connect() as conn:
        sql = str(stmt.compile(conn.sync_connection, compile_kwargs={"literal_binds": True}))
        plan = (await conn.execute(text("EXPLAIN (ANALYZE, COSTS OFF) " + sql))).scalars().all()
    print(f"-- plan with tables {phase}:")
    print("\n".join(plan))


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    for _ in range(3):  # warm caches and prepared statements
        await fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


async def run_backend(backend: str, args: argparse.Namespace) -> list[tuple[str, str, float]]:
    import httpx
    from sqlalchemy import select

    from bellwork.app import create_app
    from bellwork.auth.service import Actor
    from bellwork.chat import receipts
    from bellwork.chat.models import Conversation, Message
    from bellwork.config import Settings
    from bellwork.org.models import Person

    results: list[tuple[str, str, float]] = []
    async with fresh_database(backend) as url:
        t = time.perf_counter()
        info = await seed(url, args.members, args.messages)
        print(
            f"\n== {backend}: group of {args.members:,} guardians + teacher in {CLASSES} classes, "
            f"{args.messages:,} messages ({len(info['own']):,} the teacher's), seeded in "
            f"{time.perf_counter() - t:.1f}s"
        )
        print(await machine_report([url]))
        settings = Settings(database_url=url, data_dir=tempfile.mkdtemp(prefix="bellwork-rcpt-"))
        app = create_app(settings)
        secret = info["seeded"].sender.secret
        async with app.router.lifespan_context(app):
            maker = app.state.sessionmaker
            async with maker() as db:
                teacher = await db.get(Person, info["teacher"])
            actor = Actor(person=teacher)
            latest = info["own"][-1]
            older = max(s for s in info["own"] if s <= args.messages - 1000)
            last50 = info["own"][-50:]

            async def receipt(seq: int) -> Any:
                async with maker() as db:
                    return await receipts.receipt(db, actor, 1, seq)

            async def counts() -> Any:
                async with maker() as db:
                    conv = await db.get(Conversation, 1)
                    msgs = (
                        (
                            await db.execute(
                                select(Message).where(
                                    Message.conversation_id == 1, Message.seq.in_(last50)
                                )
                            )
                        )
                        .scalars()
                        .all()
                    )
                    return await receipts.receipt_counts(db, conv, msgs)

            r = await receipt(latest)
            print(
                f"message {latest}: {r['read_count']} read, {r['unread_count']} unread, "
                f"{len(r['read']) + len(r['unread'])} class groups; message {older}: "
                + "{0[read_count]} read, {0[unread_count]} unread".format(await receipt(older))
            )
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", cookies={"bw_session": secret}
            ) as http:

                async def get(path: str) -> Any:
                    resp = await http.get(path)
                    assert resp.status_code == 200, resp.text
                    return resp

                page = (await get("/api/v1/conversations/1/messages?limit=50")).json()
                own_items = sum(1 for m in page["items"] if m["unread_count"] is not None)
                cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
                    (f"(a) receipts.receipt(seq={latest}, latest)", lambda: receipt(latest)),
                    (f"(a) receipts.receipt(seq={older}, 1,000 back)", lambda: receipt(older)),
                    (
                        f"(a) GET .../messages/{latest}/receipt",
                        lambda: get(f"/api/v1/conversations/1/messages/{latest}/receipt"),
                    ),
                    ("(b) receipts.receipt_counts(50 latest)", counts),
                    (
                        f"(b) GET .../messages?limit=50 ({own_items} own)",
                        lambda: get("/api/v1/conversations/1/messages?limit=50"),
                    ),
                    (
                        "(b) GET .../receipts?seqs=<50 latest>",
                        lambda: get(
                            "/api/v1/conversations/1/receipts?seqs=" + ",".join(map(str, last50))
                        ),
                    ),
                ]
                figures: dict[str, list[tuple[float, float, float]]] = {n: [] for n, _ in cases}
                for phase in STATES:
                    if phase == STATES[1]:
                        t = time.perf_counter()
                        await analyze(url)
                        print(f"ANALYZE took {time.perf_counter() - t:.1f}s")
                    if args.explain and backend == "postgres":
                        await explain(app.state.engine, phase, info["teacher"], latest)
                    print(f"timing with tables {phase} ...")
                    for name, fn in cases:
                        figures[name].append(percentiles(await timed(fn, args.runs)))
                head = "".join(f"{p:>28}" for p in STATES)
                print(f"\n{'p50 / p95 / max, ms':<48}{head}   ({args.runs} runs)")
                for name, _ in cases:
                    cells = "".join(
                        f"{f'{a:.1f} / {b:.1f} / {c:.1f}':>28}" for a, b, c in figures[name]
                    )
                    worst = max(p95 for _, p95, _ in figures[name])
                    verdict = (
                        ""
                        if backend != "postgres"
                        else ("  goal met" if worst < GOAL_MS else "  goal NOT met")
                    )
                    print(f"{name:<48}{cells}{verdict}")
                    results.append((backend, name, worst))
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--members", type=int, default=3000)
    ap.add_argument("--messages", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--quick", action="store_true", help="smoke run: 30 runs")
    ap.add_argument("--explain", action="store_true", help="print the unread list's plans")
    args = ap.parse_args()
    if args.quick:
        args.runs = 30
    if args.messages < 1100:
        sys.exit("--messages must be at least 1100")
    quiet_argon2()
    for backend in ["postgres", "sqlite"] if args.backend == "both" else [args.backend]:
        asyncio.run(run_backend(backend, args))


if __name__ == "__main__":
    main()
