"""Chat fan-out: one big group, every member connected, a sender posting at a steady rate.

    .venv/bin/python bench/chat_fanout.py [--backend sqlite|postgres|both] [--rates 20,30,40,60]
        [--duration 30] [--clients 1000] [--client-procs 2] [--nodes N] [--quick] [--bare]

Seeds a group of `--clients` members plus the sender (bulk inserts, sessions with known
secrets), starts the app node(s) as `bellwork serve` runs them (uvicorn, websockets-sansio, no
compression; SQLite: one node; PostgreSQL: two nodes sharing events over Redis, clients split
between them, the sender posting to the first), connects every member over the real WebSocket
(`bw_session` cookie) from `--client-procs` load-generator processes (picows), then for each
rate posts messages through `POST /api/v1/conversations/{id}/messages` (client_msg_id, stored,
sequenced, authorised) for `--duration` seconds. Each body carries the sender's monotonic clock
just before the POST; every client records receipt − send for every `message.new`.

Prints, per rate: delivered/expected, latency p50/p99/max, the POST's own latency, the CPU of
each app node and of the load generators (% of one core, µs per delivery), and the highest
rate whose p99 stays under 100 ms with everything delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from typing import Any

import httpx
import psutil
from benchlib import fresh_database
from chatlib import (
    REDIS_URL,
    Clients,
    Node,
    cpu_seconds,
    data_dir,
    machine_report,
    new_channel,
    pct,
    raise_nofile,
    rss,
    seed_group,
)

P99_BAR_MS = 100.0


async def send_phase(
    client: httpx.AsyncClient, conv: int, rate: float, duration: float, tag: str
) -> tuple[int, int, list[float]]:
    """Posts rate × duration messages on a fixed schedule (open loop: a slow answer does not
    delay the next send). Returns (accepted, failed, POST latencies in ms)."""
    n = int(rate * duration)
    mono = time.monotonic
    post_ms: list[float] = []
    result = {"ok": 0, "bad": 0}

    async def post(i: int) -> None:
        t = mono()
        try:
            r = await client.post(
                f"/api/v1/conversations/{conv}/messages",
                json={"client_msg_id": uuid.uuid4().hex, "body": f"bench {tag} {t:.6f} {i}"},
            )
            result["ok" if r.status_code == 201 else "bad"] += 1
        except httpx.HTTPError:
            result["bad"] += 1
        post_ms.append((mono() - t) * 1000)

    tasks = []
    t0 = mono() + 0.05
    for i in range(n):
        delay = t0 + i / rate - mono()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post(i)))
    await asyncio.gather(*tasks)
    return result["ok"], result["bad"], post_ms


async def measure(
    nodes: list[Node],
    clients: Clients,
    conv: int,
    sender: Any,
    args: argparse.Namespace,
    backend: str,
    label: str,
) -> list[dict[str, Any]]:
    """Posts at each rate through the first node and collects what the clients received."""
    rows: list[dict[str, Any]] = []
    async with httpx.AsyncClient(
        base_url=nodes[0].url,
        cookies={"bw_session": sender.secret},
        headers={"x-csrf-token": sender.csrf},
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        timeout=30,
    ) as http:
        clients.tag("warm")
        await send_phase(http, conv, 10, 1, "warm")
        await asyncio.sleep(1)
        me = psutil.Process()
        for rate in args.rates:
            tag = f"r{rate:g}"
            clients.tag(tag)
            server0 = [cpu_seconds([n.ps]) for n in nodes]
            gen0 = cpu_seconds(clients.ps)
            self0 = cpu_seconds([me])
            w0 = time.monotonic()
            ok, bad, post_ms = await send_phase(http, conv, rate, args.duration, tag)
            wall = time.monotonic() - w0
            server1 = [cpu_seconds([n.ps]) for n in nodes]
            gen1 = cpu_seconds(clients.ps)
            self1 = cpu_seconds([me])
            await asyncio.sleep(args.drain)
            lat, _frames, _pings, dropped = clients.collect()
            expected = ok * clients.connected
            server_cpu = [(b - a) / wall * 100 for a, b in zip(server0, server1, strict=True)]
            row = {
                "backend": backend,
                "label": label,
                "nodes": len(nodes),
                "rate": rate,
                "sent": ok,
                "failed": bad,
                "expected": expected,
                "delivered": len(lat),
                "p50": pct(lat, 0.50),
                "p99": pct(lat, 0.99),
                "max": max(lat) if lat else float("nan"),
                "post_p50": pct(post_ms, 0.5),
                "post_p99": pct(post_ms, 0.99),
                "server_cpu": server_cpu,
                "us_per_delivery": sum(b - a for a, b in zip(server0, server1, strict=True))
                / max(1, len(lat))
                * 1e6,
                "gen_cpu": (gen1 - gen0) / wall * 100,
                "sender_cpu": (self1 - self0) / wall * 100,
                "deliveries_s": len(lat) / wall,
                "dropped": dropped,
            }
            rows.append(row)
            print_row(row)
            await asyncio.sleep(1)
    return rows


async def run_backend(backend: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    nodes_n = args.nodes or (1 if backend == "sqlite" else 2)
    if nodes_n > 1 and backend == "sqlite":
        sys.exit("several nodes need PostgreSQL and Redis (--backend postgres)")
    rows: list[dict[str, Any]] = []
    async with fresh_database(backend) as url:
        t = time.perf_counter()
        seeded = await seed_group(url, args.clients)
        print(
            f"\n== {backend}: {nodes_n} app node(s), group of {args.clients} members + sender, "
            f"seeded in {time.perf_counter() - t:.1f}s"
        )
        print(await machine_report([url], with_redis=nodes_n > 1))
        tmp = tempfile.mkdtemp(prefix="bellwork-fanout-")
        channel = new_channel()
        runs = [("bellwork", "bellwork.app:create_app", nodes_n)]
        if args.bare:
            runs.append(("bare", "bare_socket:app", 1))
        for label, app, count in runs:
            nodes: list[Node] = []
            clients: Clients | None = None
            try:
                for i in range(count):
                    nodes.append(
                        Node(
                            url,
                            data_dir(tmp, f"{label}{i}"),
                            REDIS_URL if count > 1 else None,
                            channel,
                            app=app,
                        )
                    )
                targets = [(nodes[i % count].ws, m.secret) for i, m in enumerate(seeded.members)]
                t = time.perf_counter()
                clients = Clients(targets, args.client_procs)
                clients.wait_ready()
                print(
                    f"-- {label}: connected {clients.connected}/{len(targets)} sockets "
                    f"({clients.failed} failed, {clients.hellos} hello) in "
                    f"{time.perf_counter() - t:.1f}s over {args.client_procs} load-generator "
                    f"process(es); server RSS "
                    + ", ".join(f"{rss(n.ps) / 2**20:.0f} MiB" for n in nodes)
                )
                rows += await measure(
                    nodes, clients, seeded.conversation_ids[0], seeded.sender, args, backend, label
                )
            finally:
                if clients is not None:
                    clients.close()
                for n in nodes:
                    n.stop()
    return rows


def print_row(r: dict[str, Any]) -> None:
    share = r["delivered"] / r["expected"] * 100 if r["expected"] else 0.0
    print(
        f"  {r['label']} {r['rate']:>4g} msg/s: delivered {r['delivered']}/{r['expected']} "
        f"({share:.2f} %), "
        f"latency p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms; "
        f"POST p50 {r['post_p50']:.1f} ms, p99 {r['post_p99']:.1f} ms; "
        f"{r['deliveries_s']:,.0f} deliveries/s; server CPU "
        + " + ".join(f"{c:.0f} %" for c in r["server_cpu"])
        + f" ({r['us_per_delivery']:.1f} µs/delivery); load generators {r['gen_cpu']:.0f} %, "
        f"sender {r['sender_cpu']:.0f} %; sockets dropped {r['dropped']}"
        + (f"; {r['failed']} sends failed" if r["failed"] else "")
    )


def summary(rows: list[dict[str, Any]]) -> None:
    print("\n== summary (p99 bar 100 ms, everything delivered)")
    bare = {(r["backend"], r["rate"]): r for r in rows if r["label"] == "bare"}
    for r in rows:
        floor = bare.get((r["backend"], r["rate"]))
        if r["label"] == "bellwork" and floor is not None:
            print(
                f"  {r['backend']} {r['rate']:g} msg/s: server CPU per delivery "
                f"{r['us_per_delivery']:.1f} µs vs bare broadcast {floor['us_per_delivery']:.1f} µs"
                f" = {r['us_per_delivery'] / floor['us_per_delivery']:.2f}× the floor"
            )
    for backend in dict.fromkeys(r["backend"] for r in rows):
        mine = [r for r in rows if r["backend"] == backend and r["label"] == "bellwork"]
        good = [
            r["rate"]
            for r in mine
            if r["p99"] < P99_BAR_MS and r["delivered"] >= r["expected"] and not r["failed"]
        ]
        best = max(good) if good else None
        print(
            f"  {backend} ({mine[0]['nodes']} node(s)): highest rate meeting the bar: "
            + (f"{best:g} msg/s" if best is not None else "none of those tried")
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--rates", default="20", help="messages per second, comma-separated")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds per rate")
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--client-procs", type=int, default=2)
    ap.add_argument("--nodes", type=int, default=0, help="default: 1 (SQLite), 2 (PostgreSQL)")
    ap.add_argument("--drain", type=float, default=3.0, help="seconds to wait after sending")
    ap.add_argument("--quick", action="store_true", help="smoke run: 200 clients, 5 s")
    ap.add_argument(
        "--bare",
        action="store_true",
        help="then the same clients and rates against bench/bare_socket.py (a bare uvicorn "
        "broadcast) and print Bellwork's server CPU per delivery as a multiple of that floor",
    )
    args = ap.parse_args()
    if args.quick:
        args.clients, args.duration = 200, 5.0
    args.rates = [float(x) for x in str(args.rates).split(",") if x.strip()]
    os.environ.setdefault("BELLWORK_ARGON2_TIME_COST", "1")
    os.environ.setdefault("BELLWORK_ARGON2_MEMORY_KIB", "1024")
    raise_nofile()
    rows: list[dict[str, Any]] = []
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        rows += asyncio.run(run_backend(backend, args))
    summary(rows)


if __name__ == "__main__":
    main()
