"""Shared helpers for the benchmarks: the machine, fresh databases, timing, names and phones,
and a signed-in HTTP load with its `--floor` (`http_load`, `HttpLoad`, `add_floor_option`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psutil

PG_ADMIN_DSN = os.environ.get("BELLWORK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")

# Surnames weighted roughly by frequency in China (王, 李, 张 each about 7 %), then a long tail.
SURNAMES = (
    "王" * 7
    + "李" * 7
    + "张" * 7
    + "刘" * 5
    + "陈" * 5
    + "杨" * 3
    + "黄" * 2
    + "赵" * 2
    + "吴" * 2
    + "周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志文博子涵梓萱浩然欣怡宇轩雨桐思远"
    "一诺俊熙语嫣佳天佑若汐晨阳诗琪墨梦皓可馨梓睿铭泽瑞嘉乐安宁晓婷玉梅海燕红波辉鹏飞"
)
RELATIONS = ("母亲", "父亲", "母亲", "父亲", "奶奶", "爷爷", "外婆", "外公")


def chinese_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
    return rng.choice(SURNAMES) + given


class Phones:
    """Numbers in the 100xxxxxxxx block, which no operator assigns: never a real person's."""

    def __init__(self, start: int = 0) -> None:
        self.n = start

    def next(self) -> str:
        self.n += 1
        return f"100{self.n:08d}"


# ---------------------------------------------------------------- the machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 0


async def db_version(url: str) -> str:
    from sqlalchemy import text

    from bellwork.db.engine import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            if url.startswith("sqlite"):
                v = (await conn.execute(text("select sqlite_version()"))).scalar_one()
                return f"SQLite {v}"
            v = (await conn.execute(text("show server_version"))).scalar_one()
            return f"PostgreSQL {v}"
    finally:
        await engine.dispose()


def machine(db_versions: Sequence[str] = ()) -> str:
    lines = [
        f"machine: {_cpu_model()}, {_cores()} cores, {_ram_gib():.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}",
        f"python:  {sys.version.split()[0]} ({platform.python_implementation()})",
    ]
    if db_versions:
        lines.append("db:      " + "; ".join(db_versions))
    return "\n".join(lines)


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- fresh databases


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def fresh_database(backend: str) -> AsyncIterator[str]:
    """A migrated, empty database; yields its SQLAlchemy URL and drops it afterwards."""
    from bellwork.db.migrate import upgrade

    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bellwork-bench-") as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bellwork.sqlite3"
            await upgrade(url)
            yield url
        return
    name = f"bellwork_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    host = PG_ADMIN_DSN.split("://", 1)[1].rsplit("/", 1)[0]
    url = f"postgresql+asyncpg://{host}/{name}"
    try:
        await upgrade(url)
        yield url
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def quiet_argon2() -> None:
    """Cheap password hashing: the benchmarks measure other things."""
    os.environ.setdefault("BELLWORK_ARGON2_TIME_COST", "1")
    os.environ.setdefault("BELLWORK_ARGON2_MEMORY_KIB", "1024")


# ---------------------------------------------------------------- running and reporting


def backends(choice: str) -> list[str]:
    return ["sqlite", "postgres"] if choice == "both" else [choice]


def run_per_backend(script: str, argv: Sequence[str], choice: str) -> int:
    """`--db both`: one child process per backend, so each one's peak RSS is its own."""
    code = 0
    for b in backends(choice):
        args = [sys.executable, script, *argv, "--db", b]
        code = subprocess.call(args) or code
    return code


def percentiles(samples_ms: Sequence[float]) -> tuple[float, float, float]:
    s = sorted(samples_ms)
    p50 = statistics.median(s)
    p95 = s[min(len(s) - 1, max(0, round(0.95 * len(s)) - 1))]
    return p50, p95, s[-1]


# ---------------------------------------------------------------- signed-in HTTP load

# A signed-in request that does nothing but look up its session: `--floor` sends it instead of
# the benchmark's own request, to show what the framework and the session cost alone.
FLOOR_PATH = "/api/v1/auth/csrf"

# (person id, session secret, CSRF token), as the benchmarks' seeds write web sessions.
Login = tuple[int, str, str]
# What one load worker POSTs for a login: (path, JSON body). A module-level function, so that
# it reaches the load processes.
MakeRequest = Callable[[Login, random.Random], tuple[str, dict[str, Any]]]


def add_floor_option(parser: argparse.ArgumentParser, instead_of: str) -> None:
    """`--floor`: e.g. `instead_of="checking in"`."""
    parser.add_argument(
        "--floor",
        action="store_true",
        help=f"GET /auth/csrf instead of {instead_of}: the CPU any signed-in request costs",
    )


def session_headers(secret: str, csrf: str) -> dict[str, str]:
    """A signed-in browser's headers: its session cookie and CSRF token."""
    return {"cookie": f"bw_session={secret}", "x-csrf-token": csrf, "accept-language": "zh-CN"}


def cpu_seconds(procs: Sequence[psutil.Process]) -> float:
    """User plus system CPU time of these processes so far (ones that are gone count 0)."""
    import psutil

    total = 0.0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system
    return total


async def _pg_processes(url: str) -> list[psutil.Process]:
    """The PostgreSQL backends serving this database, and the WAL writer every commit waits on."""
    import asyncpg
    import psutil

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
    import psutil

    out = {}
    for p in psutil.process_iter(["name"]):
        if p.info["name"] == "postgres":
            out[p.pid] = cpu_seconds([p])
    return out


@dataclass
class HttpLoad:
    """What `http_load` measured."""

    nodes: int
    clients: int
    concurrency: int
    seconds: float
    done: int  # requests answered as expected
    latencies_ms: list[float]  # of those
    errors: dict[str, int]  # other answers, by status
    cpu: tuple[float, float, float]  # CPU seconds over the run: app nodes, PostgreSQL, load

    def rate_line(self, what: str, goal: str = "") -> str:
        """E.g. `rate_line("check-ins stored", " (goal 300/s)")`."""
        lat = self.latencies_ms
        p50, p95, worst = percentiles(lat) if lat else (0.0, 0.0, 0.0)
        return (
            f"{self.nodes} node(s), {self.clients} load process(es) × {self.concurrency} in"
            f" flight, {self.seconds:.0f} s: {self.done:,} {what},"
            f" {self.done / self.seconds:,.0f}/s{goal};"
            f" latency p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms;"
            f" errors {self.errors}"
        )

    def cpu_line(self, each: str) -> str:
        """CPU per answered request by part, and the rate it allows; e.g. `each="check-in"`."""
        import psutil

        parts = [s * 1000 / max(self.done, 1) for s in self.cpu]
        cores = psutil.cpu_count() or 1
        return (
            f"CPU per {each}: app {parts[0]:.2f} ms, PostgreSQL {parts[1]:.2f} ms,"
            f" load {parts[2]:.2f} ms; total {sum(parts):.2f} ms. On {cores} cores that"
            f" allows at most {cores * 1000 / sum(parts):,.0f}/s with the load on the same"
            f" machine, {cores * 1000 / sum(parts[:2]):,.0f}/s without."
        )


async def http_load(
    database_url: str,
    nodes: Sequence[Any],
    logins: list[Login],
    make_request: MakeRequest,
    *,
    seconds: float,
    concurrency: int,
    clients: int,
    once: bool,
    floor: bool = False,
) -> HttpLoad:
    """`clients` load processes (each with `concurrency` requests in flight, all starting
    together) POST `make_request(login, rng)` with each login's session for `seconds`, to the
    app `nodes` (chatlib.Node: `.url`, `.ps`) in turn; logins are shuffled and shared out
    between the processes. `once`: each login is used once, and a process stops when its share
    runs out; otherwise a process cycles through its share. `floor`: GET FLOOR_PATH instead.
    Counts CPU over the run: the nodes, this database's PostgreSQL backends and WAL writer, and
    the load processes (a figure that holds on a busy machine, where the rate does not)."""
    import multiprocessing as mp

    import psutil

    random.shuffle(logins)
    share = len(logins) // clients
    start_at = time.time() + 2
    pipes, procs = [], []
    for c in range(clients):
        parent, child = mp.Pipe(duplex=False)
        p = mp.Process(
            target=_load_process,
            args=(
                nodes[c % len(nodes)].url,
                logins[c * share : (c + 1) * share],
                make_request,
                once,
                floor,
                concurrency,
                seconds,
                start_at,
                child,
            ),
        )
        p.start()
        pipes.append(parent)
        procs.append(p)
    await asyncio.sleep(max(0.0, start_at - time.time() - 0.5))
    pg_before = _pg_cpu()
    loaders = [psutil.Process(p.pid) for p in procs]
    nodes_ps = [n.ps for n in nodes]
    app0, load0 = cpu_seconds(nodes_ps), cpu_seconds(loaders)
    results = [pipe.recv() for pipe in pipes]
    pg_backends = await _pg_processes(database_url)  # the pools' connections, opened by now
    pg = sum(cpu_seconds([b]) - pg_before.get(b.pid, 0.0) for b in pg_backends)
    cpu = (cpu_seconds(nodes_ps) - app0, pg, cpu_seconds(loaders) - load0)
    for p in procs:
        p.join()
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r[2].items():
            errors[k] = errors.get(k, 0) + v
    return HttpLoad(
        nodes=len(nodes),
        clients=clients,
        concurrency=concurrency,
        seconds=seconds,
        done=sum(r[0] for r in results),
        latencies_ms=[x for r in results for x in r[1]],
        errors=errors,
        cpu=cpu,
    )


def _load_process(
    url: str,
    logins: list[Login],
    make_request: MakeRequest,
    once: bool,
    floor: bool,
    concurrency: int,
    seconds: float,
    start_at: float,
    out: Any,
) -> None:
    out.send(
        asyncio.run(_load(url, logins, make_request, once, floor, concurrency, seconds, start_at))
    )


async def _load(
    url: str,
    logins: list[Login],
    make_request: MakeRequest,
    once: bool,
    floor: bool,
    concurrency: int,
    seconds: float,
    start_at: float,
) -> tuple[int, list[float], dict[str, int]]:
    import aiohttp

    rng = random.Random()
    todo = list(logins)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    done = 0
    turn = 0
    expect = 200 if floor else 201
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.sleep(max(0.0, start_at - time.time()))  # every load process at once
        end = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal done, turn
            while (todo or not once) and time.monotonic() < end:
                if once:
                    login = todo.pop()
                else:
                    login = logins[turn % len(logins)]
                    turn += 1
                path, body = make_request(login, rng)
                headers = session_headers(login[1], login[2])
                t0 = time.perf_counter()
                if floor:
                    sent = http.get(url + FLOOR_PATH, headers=headers)
                else:
                    sent = http.post(url + path, json=body, headers=headers)
                async with sent as r:
                    await r.read()
                    if r.status == expect:
                        latencies.append((time.perf_counter() - t0) * 1000)
                        done += 1
                    else:
                        errors[str(r.status)] = errors.get(str(r.status), 0) + 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, latencies, errors
