"""The conversation list: what a person in many conversations waits for when opening chat.

    .venv/bin/python bench/chat_list.py [--backend postgres|sqlite|both] [--conversations 1000]
        [--pinned 5] [--runs 200]

Seeds one person (a teacher) in `--conversations` groups (bulk inserts), each with its last
message (every fifth mentioning the teacher, every tenth mentioning everyone), activity spread
over time, `--pinned` of them pinned when the code has pins. Then, through the HTTP API of the
app in process, times over `--runs` runs after a warm-up:
  - GET /api/v1/conversations (the first page of 50, what the list shows first);
  - GET /api/v1/conversations?cursor=... (a page from the middle);
  - GET /api/v1/conversations/unread?cursor=... (the total of the pages not loaded);
  - POST a message to a group, plain and with a mention (the send path that sets markers).
Prints p50/p95 per request. Run it on two checkouts to compare (PYTHONPATH picks the code):
docs/benchmarks-chat.md has the figures before and after the chat habits (置顶, @ markers).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import timedelta
from typing import Any

from benchlib import fresh_database, percentiles, quiet_argon2
from chatlib import _insert, machine_report, seed_group


async def seed_messages(url: str, conv_ids: list[int], members: list[int], pinned: int) -> bool:
    """One message per conversation (the member's), activity one minute apart; returns whether
    the code has pins (and pinned the `pinned` oldest ones)."""
    from sqlalchemy import update

    from bellwork.chat.models import Conversation, ConversationMember, Message
    from bellwork.db.base import utcnow
    from bellwork.db.engine import make_engine

    now = utcnow()
    rows = []
    for i, (cid, pid) in enumerate(zip(conv_ids, members, strict=True)):
        mentions: list[Any] | None = [1] if i % 5 == 0 else (["all"] if i % 10 == 1 else None)
        rows.append(
            {
                "conversation_id": cid,
                "seq": 1,
                "sender_id": pid,
                "kind": "text",
                "body": f"家长消息 {i}",
                "mentions": mentions,
                "created_at": now - timedelta(minutes=i),
            }
        )
    has_pins = hasattr(ConversationMember, "pinned_at")
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await _insert(conn, Message.__table__, rows)
            for r in rows:
                values: dict[str, Any] = {"last_seq": 1, "last_message_at": r["created_at"]}
                if has_pins and r["mentions"] == ["all"]:
                    values["mention_all_seq"] = 1
                await conn.execute(
                    update(Conversation)
                    .where(Conversation.id == r["conversation_id"])
                    .values(**values)
                )
            if has_pins:
                await conn.execute(
                    update(ConversationMember)
                    .where(
                        ConversationMember.person_id == 1,
                        ConversationMember.conversation_id.in_(conv_ids[-pinned:]),
                    )
                    .values(pinned_at=now)
                )
                marked = [r["conversation_id"] for r in rows if r["mentions"] == [1]]
                await conn.execute(
                    update(ConversationMember)
                    .where(
                        ConversationMember.person_id == 1,
                        ConversationMember.conversation_id.in_(marked),
                    )
                    .values(mention_seq=1)
                )
            if engine.dialect.name == "postgresql":
                await conn.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
    return has_pins


async def run_backend(backend: str, args: argparse.Namespace) -> None:
    import httpx

    from bellwork.app import create_app
    from bellwork.config import Settings

    async with fresh_database(backend) as url:
        seeded = await seed_group(url, args.conversations, group_size=1)
        members = [m.person_id for m in seeded.members]
        has_pins = await seed_messages(url, seeded.conversation_ids, members, args.pinned)
        print(
            f"\n== {backend}: one teacher in {args.conversations:,} groups"
            + (f", {args.pinned} pinned" if has_pins else " (code without pins)")
        )
        print(await machine_report([url]))
        settings = Settings(database_url=url, data_dir=tempfile.mkdtemp(prefix="bellwork-lst-"))
        app = create_app(settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://bench",
                cookies={"bw_session": seeded.sender.secret},
                headers={"x-csrf-token": seeded.sender.csrf},
                timeout=600,
            ) as http,
        ):

            async def get(path: str, **params: Any) -> Any:
                resp = await http.get(path, params=params)
                assert resp.status_code == 200, resp.text
                return resp.json()

            first = await get("/api/v1/conversations", limit=50)
            assert len(first["items"]) == 50
            # A cursor from the middle of the list: page through to it once.
            cursor = first["next_cursor"]
            for _ in range(args.conversations // 100 - 1):
                cursor = (await get("/api/v1/conversations", limit=50, cursor=cursor))[
                    "next_cursor"
                ]
            sent = iter(range(10**9))
            target = seeded.conversation_ids[0]

            async def post(mention: bool) -> None:
                body = {
                    "body": "收到",
                    "client_msg_id": f"b-{next(sent)}",
                    "mentions": [members[0]] if mention else [],
                }
                resp = await http.post(f"/api/v1/conversations/{target}/messages", json=body)
                assert resp.status_code == 201, resp.text

            cases: list[tuple[str, Any]] = [
                ("list, first page of 50", lambda: get("/api/v1/conversations", limit=50)),
                (
                    "list, a page from the middle",
                    lambda: get("/api/v1/conversations", limit=50, cursor=cursor),
                ),
                (
                    "unread total after the middle",
                    lambda: get("/api/v1/conversations/unread", cursor=cursor),
                ),
                ("send a message", lambda: post(False)),
                ("send a message mentioning someone", lambda: post(True)),
            ]
            print(f"{'request':<40} {'p50':>9} {'p95':>9}   ({args.runs} runs)")
            for name, fn in cases:
                for _ in range(10):
                    await fn()
                lat = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    await fn()
                    lat.append((time.perf_counter() - t) * 1000)
                p50, p95, _most = percentiles(lat)
                print(f"{name:<40} {p50:>7.2f}ms {p95:>7.2f}ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--conversations", type=int, default=1000)
    ap.add_argument("--pinned", type=int, default=5)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    if args.conversations < 200:
        raise SystemExit("--conversations must be at least 200")
    quiet_argon2()
    for backend in ["postgres", "sqlite"] if args.backend == "both" else [args.backend]:
        asyncio.run(run_backend(backend, args))


if __name__ == "__main__":
    main()
