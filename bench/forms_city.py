"""A city's morning check-in: roll-ups and export (issue 12's speed targets).

    .venv/bin/python bench/forms_city.py --db sqlite|postgres|both [--runs 30] [--export 100000]

Seeds a bureau over 10 districts of 100 schools each (1,000 schools, 6 grades × 5 classes:
30,000 classes, about 1,000,000 students as counts) and one daily check-in campaign whose day
has a counter row per class (`FormDayCount`, as the submissions of the morning leave them).
Then:

1. **Roll-ups**: `bellwork.forms.stats.summary` (the API's query) for the bureau, a district,
   a school and a class, `--runs` times each in fresh sessions: p50 / p95 / max. The bar is
   50 ms for the bureau's top level and any school's drill-down.
2. **Export**: `--export` submissions (subjects, classes and answers of the built-in health
   check-in) written with bulk inserts, then `bellwork.forms.export.make` of the bureau's
   day to XLSX in a separate process, which reports its time and its own peak memory
   (bars: 15 s and 200 MB for 100,000).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from benchlib import (
    chinese_name,
    db_version,
    fresh_database,
    machine,
    peak_rss_mib,
    percentiles,
    run_per_backend,
)

BAR_MS = 50.0
DISTRICTS = 10
SCHOOLS_PER_DISTRICT = 100
GRADES = 6
CLASSES_PER_GRADE = 5
DAY = date(2026, 12, 1)
BATCH = 5000


def tree() -> tuple[list[dict[str, Any]], list[int]]:
    """The units with explicit ids; the class ids."""
    units: list[dict[str, Any]] = []
    classes: list[int] = []
    now = datetime.now(UTC)

    def add(parent: dict[str, Any] | None, kind: str, name: str) -> dict[str, Any]:
        uid = len(units) + 1
        u = {
            "id": uid,
            "parent_id": parent["id"] if parent else None,
            "kind": kind,
            "name": name,
            "path": f"{parent['path'] if parent else '/'}{uid}/",
            "depth": (parent["depth"] + 1) if parent else 0,
            "settings": {},
            "created_at": now,
        }
        units.append(u)
        return u

    bureau = add(None, "bureau", "市教育局")
    for d in range(DISTRICTS):
        district = add(bureau, "bureau", f"第{d + 1}区教育局")
        for s in range(SCHOOLS_PER_DISTRICT):
            school = add(district, "school", f"第{d + 1}区第{s + 1}小学")
            for g in range(GRADES):
                grade = add(school, "grade", f"{g + 1}年级")
                for c in range(CLASSES_PER_GRADE):
                    classes.append(add(grade, "class", f"{c + 1}班")["id"])
    return units, classes


async def seed(url: str, export_rows: int) -> dict[str, Any]:
    from sqlalchemy import insert

    from bellwork.db.engine import make_engine
    from bellwork.forms.builtin import builtin
    from bellwork.forms.models import (
        FormCampaign,
        FormDayCount,
        FormSubmission,
        FormTemplate,
        FormVersion,
    )
    from bellwork.org.models import Person, Unit

    rng = random.Random(11)
    started = time.perf_counter()
    units, classes = tree()
    by_id = {u["id"]: u for u in units}
    engine = make_engine(url)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        for i in range(0, len(units), BATCH):
            await conn.execute(insert(Unit), units[i : i + BATCH])
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
        definition = builtin("student_health").model_dump(mode="json", exclude_none=True)
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
                    "name": "全市学生晨检",
                    "client_id": "b",
                    "audience": {},
                    "subject": "student",
                    "schedule": {
                        "kind": "daily",
                        "start": DAY.isoformat(),
                        "weekdays": [1, 2, 3, 4, 5],
                        "opens": "06:00",
                        "deadline": "09:00",
                        "end": None,
                    },
                    "time_zone": "Asia/Shanghai",
                    "reminders": [],
                    "remind_by": "app",
                    "late_allowed": True,
                    "root_id": 1,
                    "target_count": 0,
                    "created_at": now,
                }
            ],
        )
        counters = []
        for cid in classes:
            expected = rng.randint(28, 38)
            submitted = rng.randint(expected // 2, expected)
            counters.append(
                {
                    "campaign_id": 1,
                    "root_id": 1,
                    "period": DAY,
                    "unit_id": cid,
                    "unit_path": by_id[cid]["path"],
                    "expected": expected,
                    "submitted": submitted,
                    "late": rng.randint(0, 2),
                    "abnormal": rng.randint(0, 1),
                }
            )
        for i in range(0, len(counters), BATCH):
            await conn.execute(insert(FormDayCount), counters[i : i + BATCH])
        # The export's submissions: in the first classes, 35 a class.
        people, subs = [], []
        for n in range(export_rows):
            pid = n + 1
            cid = classes[n // 35]
            people.append(
                {
                    "id": pid,
                    "name": chinese_name(rng),
                    "sort_key": f"{pid:08d}",
                    "student_number": f"S{pid:08d}",
                    "created_at": now,
                }
            )
            fever = rng.random() < 0.02
            answers = {
                "temperature": 37.8 if fever else round(rng.uniform(36.0, 37.1), 1),
                "symptoms": ["fever", "cough"] if fever else ["none"],
                "travel": "no",
                "contact": "no",
                "location": {"lat": 31.23, "lng": 121.47, "address": "上海市黄浦区"},
            }
            subs.append(
                {
                    "campaign_id": 1,
                    "period": DAY,
                    "subject_id": pid,
                    "filler_id": pid,
                    "unit_id": cid,
                    "version_id": 1,
                    "client_id": f"c{pid}",
                    "answers": answers,
                    "abnormal": fever,
                    "reasons": [{"zh-CN": "体温 ≥ 37.3 °C", "en": "Fever"}] if fever else [],
                    "late": False,
                    "submitted_at": now,
                }
            )
        for i in range(0, len(people), BATCH):
            await conn.execute(insert(Person), people[i : i + BATCH])
            await conn.execute(insert(FormSubmission), subs[i : i + BATCH])
    if url.startswith("postgresql"):
        async with engine.connect() as conn:
            await conn.exec_driver_sql("COMMIT")
            await conn.exec_driver_sql("ANALYZE")
    await engine.dispose()
    district = by_id[2]
    school = by_id[3]
    return {
        "seconds": time.perf_counter() - started,
        "units": len(units),
        "classes": len(classes),
        "levels": {
            "bureau (1,000 schools)": 1,
            "district (100 schools)": district["id"],
            "school (30 classes)": school["id"],
            "class": classes[0],
        },
    }


async def rollups(url: str, levels: dict[str, int], runs: int) -> dict[str, tuple[float, ...]]:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from bellwork.db.engine import make_engine
    from bellwork.forms import stats
    from bellwork.org.access import Scope

    engine = make_engine(url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    scope = Scope(person_id=0, admin=True)
    out: dict[str, tuple[float, ...]] = {}
    for label, unit_id in levels.items():
        samples = []
        for i in range(runs + 3):
            async with maker() as db:
                t0 = time.perf_counter()
                result = await stats.summary(db, scope, 1, unit_id, DAY)
                ms = (time.perf_counter() - t0) * 1000
            if i >= 3:  # warm-up: the first sessions pay for connections and statement caches
                samples.append(ms)
        p50, p95, worst = percentiles(samples)
        out[label] = (p50, p95, worst, result.figures.expected, len(result.children))
    await engine.dispose()
    return out


def high_water_mib() -> float:
    """This process's peak resident memory since it started (VmHWM): unlike getrusage's
    ru_maxrss, not inherited from the parent that forked it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return peak_rss_mib()


async def export_only(url: str, data_dir: str) -> None:
    """In its own process: the bureau's day to XLSX, its time and this process's peak RSS."""
    from bellwork.config import Settings
    from bellwork.forms.export import make
    from bellwork.forms.models import FormExport
    from bellwork.runtime import opened

    settings = Settings(database_url=url, data_dir=Path(data_dir))
    async with opened(settings) as rt:
        async with rt.sessionmaker() as db:
            db.add(
                FormExport(
                    id=1,
                    campaign_id=1,
                    unit_id=1,
                    requested_by=None,
                    start=DAY,
                    end=DAY,
                    format="xlsx",
                    locale="zh-CN",
                )
            )
            await db.commit()
        before = high_water_mib()
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        async with rt.sessionmaker() as db:
            await make(db, 1, rt.files, datetime.now(UTC))
            await db.commit()
            export = await db.get(FormExport, 1)
            assert export is not None and export.file_key
            size = await rt.files.size(export.file_key)
            rows = export.rows
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "rows": rows,
                "bytes": size,
                "rss_before_mib": before,
                "peak_rss_mib": high_water_mib(),
            }
        )
    )


async def bench(backend: str, runs: int, export_rows: int) -> None:
    async with fresh_database(backend) as url:
        print(machine([await db_version(url)]))
        seeded = await seed(url, export_rows)
        print(
            f"\n{backend}: seeded {seeded['units']:,} units ({seeded['classes']:,} classes, one"
            f" counter row each) and {export_rows:,} submissions in {seeded['seconds']:.1f} s"
        )
        print(f"\nroll-ups (stats.summary, {runs} runs each, fresh session each)")
        for label, (p50, p95, worst, expected, children) in (
            await rollups(url, seeded["levels"], runs)
        ).items():
            bar = "ok" if p95 <= BAR_MS else f"OVER {BAR_MS:.0f} ms"
            print(
                f"  {label:26} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {worst:6.1f} ms"
                f"  ({expected:,} expected, {children} units below)  {bar}"
            )
        if export_rows:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="bellwork-export-bench-") as tmp:
                child = await asyncio.create_subprocess_exec(
                    sys.executable,
                    __file__,
                    "--export-only",
                    url,
                    "--data",
                    tmp,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )
                stdout, stderr = await child.communicate()
            if child.returncode != 0 or os.environ.get("BELLWORK_BENCH_PROFILE"):
                print(stderr.decode(), file=sys.stderr)
            if child.returncode != 0:
                raise SystemExit(1)
            r = json.loads(stdout.decode().strip().splitlines()[-1])
            print(
                f"\nexport (forms.export.make, own process): {r['rows']:,} submissions to XLSX"
                f" in {r['seconds']:.1f} s ({r['cpu_seconds']:.1f} s of CPU in the app process),"
                f" {r['bytes'] / 1e6:.1f} MB file, peak RSS"
                f" {r['peak_rss_mib']:.0f} MiB (before: {r['rss_before_mib']:.0f} MiB)"
            )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--db", default="both", choices=("sqlite", "postgres", "both"))
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--export", type=int, default=100_000)
    p.add_argument("--export-only", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.export_only:
        if os.environ.get("BELLWORK_BENCH_PROFILE"):  # where the export's time goes
            import cProfile
            import pstats

            with cProfile.Profile() as prof:
                asyncio.run(export_only(args.export_only, args.data))
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
            return 0
        asyncio.run(export_only(args.export_only, args.data))
        return 0
    if args.db == "both":
        return run_per_backend(__file__, sys.argv[1:], "both")
    asyncio.run(bench(args.db, args.runs, args.export))
    return 0


if __name__ == "__main__":
    sys.exit(main())
