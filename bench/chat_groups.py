"""Large groups: what a teacher waits for when creating, filling and changing a 3,000-member group.

    .venv/bin/python bench/chat_groups.py [--backend postgres|sqlite|both] [--members 3000]
        [--runs 5]   (--members: guardians besides the administrator; default 2,999)

Seeds one school with 60 classes, an administrator and `--members` guardians (bulk inserts), then
through the HTTP API of the app (in process, with its real event bus, so every change is also
announced to each member's devices), times each operation `--runs` times on fresh groups:
  - create a group with all members at once;
  - create a group of 10, post a message, then add all the others in one request;
  - rename the full group (a system message, and every member's conversation list updated);
  - remove one member from the full group.
Prints p50/max per operation. No goal is set by an issue; these are the figures a teacher waits.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchlib import fresh_database, percentiles, quiet_argon2
from chatlib import machine_report, seed_group

CLASSES = 60


async def run_backend(backend: str, args: argparse.Namespace) -> None:
    import httpx
    from sqlalchemy import update

    from bellwork.app import create_app
    from bellwork.config import Settings
    from bellwork.db.engine import make_engine
    from bellwork.org.models import Person

    async with fresh_database(backend) as url:
        seeded = await seed_group(url, args.members, units=CLASSES)
        engine = make_engine(url)
        async with engine.begin() as conn:  # the sender may add anyone
            await conn.execute(
                update(Person).where(Person.id == seeded.sender.person_id).values(is_admin=True)
            )
        await engine.dispose()
        print(f"\n== {backend}: {args.members:,} guardians in {CLASSES} classes, an administrator")
        print(await machine_report([url]))
        settings = Settings(database_url=url, data_dir=tempfile.mkdtemp(prefix="bellwork-grp-"))
        app = create_app(settings)
        ids = [m.person_id for m in seeded.members]
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

            async def call(method: str, path: str, body: Any, status: int) -> Any:
                resp = await http.request(method, path, json=body)
                assert resp.status_code == status, resp.text
                return resp.json() if resp.content else None

            async def create_full() -> int:
                body = {"name": "全体家长", "member_ids": ids}
                return int((await call("POST", "/api/v1/conversations/groups", body, 201))["id"])

            async def fill() -> None:
                body = {"name": "先建小群", "member_ids": ids[:10]}
                cid = (await call("POST", "/api/v1/conversations/groups", body, 201))["id"]
                msg = {"body": "欢迎", "client_msg_id": f"fill-{cid}"}
                await call("POST", f"/api/v1/conversations/{cid}/messages", msg, 201)
                add = {"person_ids": ids[10:]}
                await call("POST", f"/api/v1/conversations/{cid}/members", add, 200)

            full = await create_full()
            names = iter(range(1_000_000))

            async def rename() -> None:
                body = {"name": f"全体家长 {next(names)}"}
                await call("PATCH", f"/api/v1/conversations/{full}", body, 200)

            leavers = iter(ids)

            async def remove() -> None:
                path = f"/api/v1/conversations/{full}/members/{next(leavers)}"
                await call("DELETE", path, None, 204)

            cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
                (f"create a group of {len(ids) + 1:,}", create_full),
                (f"create a group of 11, add {len(ids) - 10:,}", fill),
                (f"rename a group of {len(ids) + 1:,}", rename),
                (f"remove a member from a group of {len(ids) + 1:,}", remove),
            ]
            print(f"{'operation':<44} {'p50':>9} {'max':>9}   ({args.runs} runs)")
            for name, fn in cases:
                lat = []
                for _ in range(args.runs):  # no warm-up runs: each run makes a group
                    t = time.perf_counter()
                    await fn()
                    lat.append((time.perf_counter() - t) * 1000)
                p50, _p95, most = percentiles(lat)
                print(f"{name:<44} {p50:>7.1f}ms {most:>7.1f}ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--members", type=int, default=2999)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if args.members < 20:
        raise SystemExit("--members must be at least 20")
    quiet_argon2()
    for backend in ["postgres", "sqlite"] if args.backend == "both" else [args.backend]:
        asyncio.run(run_backend(backend, args))


if __name__ == "__main__":
    main()
