"""Signalling of a live lesson: 500 students join one lesson within 10 s (issue 13).

    .venv/bin/python bench/lessons_join.py [--students 500] [--concurrency 500]
        [--backend sqlite|postgres|both]

Seeds a class of `--students` students and their teacher (sessions with known secrets, as
bench/chatlib.py does), starts one app node as `bellwork serve` runs it, with the Janus it runs
and supervises (BELLWORK_JANUS_RUN=always: Debian's `janus` must be installed). The teacher
starts the lesson and publishes a real camera feed from aiortc (640x480, ICE and DTLS to Janus
on this machine), so Janus offers the feed to watchers. Then every student, `--concurrency` at
a time (default: all at once, as a class opening the lesson card at 08:00), does what the
lesson page does: `POST /lessons/{id}/join` (authorised, attendance opened), `POST .../watch`
(a Janus subscriber handle; Janus's SDP offer back) and `POST .../watch/answer` (the answer
relayed to Janus, which starts sending). The answers are written here from the offers (the
page's browser would answer the same way); ICE to them never completes, which is not what is
measured.

Prints the time for the whole class, per-step latencies (p50/p95/max), failures, the CPU
of the app node and of Janus (and its own, and the host's load average: on a shared host the
wall time says more about the neighbours than the code), and checks that each student's join
was recorded exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from typing import Any

import aiohttp
import psutil
from benchlib import backends, fresh_database, machine, percentiles
from chatlib import Node, cpu_seconds, data_dir, seed_group
from lessonlib import Client, Failed, headers, make_a_class, publish, start_lesson, wait_for_feed

GOAL_SECONDS = 10.0


def answer_for(offer: str) -> str:
    """An answer to Janus's subscriber offer: every offered section received with its first
    codec, one ICE/DTLS identity, bundled like a browser's."""
    lines = offer.replace("\r\n", "\n").split("\n")
    sections: list[list[str]] = []
    for line in lines:
        if line.startswith("m="):
            sections.append([line])
        elif sections:
            sections[-1].append(line)
    ufrag, pwd = secrets.token_hex(4), secrets.token_hex(12)
    fingerprint = ":".join(f"{b:02X}" for b in secrets.token_bytes(32))
    out = ["v=0", f"o=- {secrets.randbelow(10**15)} 2 IN IP4 127.0.0.1", "s=-", "t=0 0"]
    mids: list[str] = []
    body: list[str] = []
    for sec in sections:
        kind, _port, proto, *pts = sec[0][2:].split()
        mid = next((x[6:] for x in sec if x.startswith("a=mid:")), str(len(mids)))
        if kind == "application" or not pts:
            body += [f"m={kind} 0 {proto} {' '.join(pts)}", "c=IN IP4 0.0.0.0", f"a=mid:{mid}"]
            continue
        pt = pts[0]
        mids.append(mid)
        body += [
            f"m={kind} 9 {proto} {pt}",
            "c=IN IP4 127.0.0.1",
            f"a=ice-ufrag:{ufrag}",
            f"a=ice-pwd:{pwd}",
            f"a=fingerprint:sha-256 {fingerprint}",
            "a=setup:active",
            f"a=mid:{mid}",
            "a=recvonly",
            "a=rtcp-mux",
            *[x for x in sec if x.startswith((f"a=rtpmap:{pt} ", f"a=fmtp:{pt} "))],
        ]
    if mids:
        out.append("a=group:BUNDLE " + " ".join(mids))
    return "\r\n".join(out + body + [""])


async def run(backend: str, students: int, concurrency: int) -> bool:
    async with fresh_database(backend) as url:
        seeded = await seed_group(url, students, units=1)
        await make_a_class(url)
        tmp = tempfile.mkdtemp(prefix="bellwork-lessons-")
        node = Node(url, data_dir(tmp, "node"), settings={"BELLWORK_JANUS_RUN": "always"})
        pc = None
        try:
            teacher = seeded.sender
            async with Client(node.url, concurrency + 10) as client:
                lid = await start_lesson(client, seeded)
                pc, feed = await publish(client, lid, teacher)
                await wait_for_feed(client, lid, feed, seeded.members[0])
                await asyncio.sleep(1)
                janus = [c for c in node.ps.children(recursive=True) if "janus" in c.name()]
                procs = [node.ps, *janus]
                me = psutil.Process()
                cpu0, app0, gen0 = cpu_seconds(procs), cpu_seconds([node.ps]), cpu_seconds([me])
                load0 = os.getloadavg()[0]
                steps: dict[str, list[float]] = {"join": [], "watch": [], "answer": []}
                failures: list[str] = []
                gate = asyncio.Semaphore(concurrency)

                async def student(login: Any) -> None:
                    h = headers(login)
                    async with gate:
                        try:
                            t = time.perf_counter()
                            r = await client.post(f"/api/v1/lessons/{lid}/join", headers=h)
                            r.raise_for_status()
                            t1 = time.perf_counter()
                            r = await client.post(
                                f"/api/v1/lessons/{lid}/watch", json={"feed": feed}, headers=h
                            )
                            r.raise_for_status()
                            offer = r.json()["jsep"]["sdp"]
                            t2 = time.perf_counter()
                            r = await client.post(
                                f"/api/v1/lessons/{lid}/watch/answer",
                                json={
                                    "feed": feed,
                                    "jsep": {"type": "answer", "sdp": answer_for(offer)},
                                },
                                headers=h,
                            )
                            r.raise_for_status()
                            t3 = time.perf_counter()
                        except (aiohttp.ClientError, TimeoutError, Failed) as exc:
                            failures.append(repr(exc))
                            return
                    steps["join"].append((t1 - t) * 1000)
                    steps["watch"].append((t2 - t1) * 1000)
                    steps["answer"].append((t3 - t2) * 1000)

                print(f"-- the teacher is live; {students} students join", flush=True)
                t = time.perf_counter()
                await asyncio.gather(*(student(m) for m in seeded.members))
                took = time.perf_counter() - t
                cpu, app = cpu_seconds(procs) - cpu0, cpu_seconds([node.ps]) - app0
                gen, load1 = cpu_seconds([me]) - gen0, os.getloadavg()[0]
                joins = await _joins(url, lid)
        finally:
            if pc is not None:
                await pc.close()
            node.stop()
    ok = not failures and took <= GOAL_SECONDS
    once = all(joins.get(m.person_id) == 1 for m in seeded.members)
    n = max(1, students)
    print(f"\n== {backend}: {students} students join one live lesson, {concurrency} at a time")
    print(f"   all in {took:.2f} s (goal {GOAL_SECONDS:.0f} s); failures {len(failures)}")
    for name, xs in steps.items():
        if xs:
            p50, p95, top = percentiles(xs)
            print(f"   {name:7s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {top:7.1f} ms")
    print(
        f"   CPU: {cpu:.2f} s in all, {cpu / n * 1000:.1f} ms per student (app node "
        f"{app / n * 1000:.1f} ms, Janus {(cpu - app) / n * 1000:.1f} ms)"
    )
    print(
        f"   this load generator (aiohttp, aiortc): {gen:.2f} s of CPU; host load average "
        f"{load0:.1f} before, {load1:.1f} after ({os.cpu_count()} cores)"
    )
    print(f"   every join recorded once: {'yes' if once else 'NO'} ({sum(joins.values())} rows)")
    for f in failures[:5]:
        print("   failed:", f)
    return ok and once


async def _joins(url: str, lesson_id: int) -> dict[int, int]:
    from sqlalchemy import func, select

    from bellwork.db.engine import make_engine
    from bellwork.lessons.models import LessonPresence

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(LessonPresence.person_id, func.count())
                .where(LessonPresence.lesson_id == lesson_id)
                .group_by(LessonPresence.person_id)
            )
            return {int(p): int(n) for p, n in rows.all()}
    finally:
        await engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--students", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=0, help="default: every student at once")
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    args = ap.parse_args()
    print(machine())
    print(f"psutil {psutil.__version__}; pid {os.getpid()}")
    ok = True
    for backend in backends(args.backend):
        ok = asyncio.run(run(backend, args.students, args.concurrency or args.students)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
