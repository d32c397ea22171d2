"""Shared helpers for the benchmarks: the machine, fresh databases, timing, names and phones."""

from __future__ import annotations

import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

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
