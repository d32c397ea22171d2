"""Idle WebSocket connections on one app process: memory per connection and idle CPU.

    .venv/bin/python bench/chat_idle.py [--connections 10000] [--idle 60] [--client-procs 4]
        [--backend sqlite|postgres] [--quick] [--bare]

Seeds `--connections` people with web sessions, in groups of 1,000 (so each connection is
subscribed to one conversation, as a member of a home-school group would be), starts one app
node as `bellwork serve` runs it, opens 50 warm-up connections (so code paths and caches touched
by the first connections are not counted), reads the server's RSS, opens the N connections in
two halves (`bw_session` cookie, each waits for `hello`) from `--client-procs` load-generator
processes (picows; they answer the server's 20 s WebSocket pings themselves), waits for RSS to
settle after each half and reports (RSS after - before) / N, and each half's share (the second
half shows the marginal cost once one-off growth such as database page caches is paid). Then
measures the server's CPU over `--idle` seconds with nothing happening but the heartbeat pings,
and counts the pings the clients answered.
Goals: < 25 KiB per connection, < 3 % of one core while idle.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time

from benchlib import fresh_database
from chatlib import (
    Clients,
    Node,
    cpu_seconds,
    data_dir,
    machine_report,
    raise_nofile,
    rss,
    seed_group,
)

WARM = 50
RSS_GOAL_KIB = 25.0
CPU_GOAL = 3.0


async def settled_rss(node: Node, seconds: float = 5.0) -> int:
    """The server's RSS once it stops moving (sampled every 0.5 s, at most `seconds`)."""
    last = rss(node.ps)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = rss(node.ps)
        if abs(now - last) < 64 * 1024:
            return now
        last = now
    return last


async def run(args: argparse.Namespace) -> None:
    n = args.connections
    async with fresh_database(args.backend) as url:
        t = time.perf_counter()
        seeded = await seed_group(url, n + WARM, group_size=1000)
        print(
            f"== {args.backend}: one app node, {n:,} idle connections (+{WARM} warm-up), "
            f"seeded {n + WARM:,} people in {time.perf_counter() - t:.1f}s"
        )
        print(await machine_report([url]))
        tmp = tempfile.mkdtemp(prefix="bellwork-idle-")
        node = (
            Node(url, data_dir(tmp, "node"), app="bare_socket:app")
            if args.bare
            else Node(url, data_dir(tmp, "node"))
        )
        warm = None
        halves: list[Clients] = []
        try:
            base_rss = rss(node.ps)
            warm = Clients([(node.ws, m.secret) for m in seeded.members[:WARM]], 1)
            warm.wait_ready()
            before = await settled_rss(node)
            t = time.perf_counter()
            rest = seeded.members[WARM:]
            marks = [before]
            for part in (rest[: len(rest) // 2], rest[len(rest) // 2 :]):
                c = Clients([(node.ws, m.secret) for m in part], args.client_procs)
                halves.append(c)
                c.wait_ready()
                await asyncio.sleep(2)
                marks.append(await settled_rss(node, 10))
            took = time.perf_counter() - t
            after = marks[-1]
            connected = sum(c.connected for c in halves)
            per_kib = (after - before) / max(1, connected) / 1024
            first, second = (
                (marks[i + 1] - marks[i]) / max(1, c.connected) / 1024 for i, c in enumerate(halves)
            )
            print(
                f"connected {connected:,}/{n:,} ({sum(c.failed for c in halves)} failed, "
                f"{sum(c.hellos for c in halves):,} hello) in {took:.1f}s "
                f"({connected / took:,.0f} connections/s, while opening them)"
            )
            print(
                f"server RSS: {base_rss / 2**20:.0f} MiB at start, {before / 2**20:.0f} MiB with "
                f"{WARM} warm-up connections, {marks[1] / 2**20:.0f} MiB after the first half, "
                f"{after / 2**20:.0f} MiB with {connected:,} more -> {per_kib:.1f} KiB per "
                f"connection (goal < {RSS_GOAL_KIB:.0f} KiB: "
                f"{'met' if per_kib < RSS_GOAL_KIB else 'NOT met'}); first half {first:.1f} KiB, "
                f"second half {second:.1f} KiB per connection"
            )
            pings0 = sum(c.collect()[2] for c in halves)
            s0 = cpu_seconds([node.ps])
            g0 = cpu_seconds([p for c in halves for p in c.ps])
            w0 = time.monotonic()
            await asyncio.sleep(args.idle)
            wall = time.monotonic() - w0
            s1 = cpu_seconds([node.ps])
            g1 = cpu_seconds([p for c in halves for p in c.ps])
            pings1 = dropped = 0
            for c in halves:
                _, _, pings, drops = c.collect()
                pings1 += pings
                dropped += drops
            cpu = (s1 - s0) / wall * 100
            print(
                f"idle {wall:.0f}s: server CPU {cpu:.2f} % of one core "
                f"(goal < {CPU_GOAL:.0f} %: {'met' if cpu < CPU_GOAL else 'NOT met'}); "
                f"{pings1 - pings0:,} pings answered by the clients "
                f"({(pings1 - pings0) / max(1, connected):.1f} per connection); "
                f"load generators {(g1 - g0) / wall * 100:.2f} %; sockets dropped {dropped}; "
                f"server RSS now {rss(node.ps) / 2**20:.0f} MiB"
            )
        finally:
            for c in [*halves, warm]:
                if c is not None:
                    c.close()
            node.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--connections", type=int, default=10_000)
    ap.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU measurement")
    ap.add_argument("--client-procs", type=int, default=4)
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--quick", action="store_true", help="smoke run: 1,000 connections, 25 s")
    ap.add_argument(
        "--bare",
        action="store_true",
        help="the floor: a bare ASGI socket app (bench/bare_socket.py) on the same uvicorn "
        "settings instead of Bellwork",
    )
    args = ap.parse_args()
    if args.quick:
        args.connections, args.idle = 1000, 25.0
    os.environ.setdefault("BELLWORK_ARGON2_TIME_COST", "1")
    os.environ.setdefault("BELLWORK_ARGON2_MEMORY_KIB", "1024")
    limit = raise_nofile(20_000)
    if limit < args.connections + 200:
        raise SystemExit(f"open-file limit {limit} is too low for {args.connections} sockets")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
