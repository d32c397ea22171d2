"""Import a 10,000-row school roster through the real import path and time it.

    .venv/bin/python bench/import_10k.py --db sqlite|postgres|both [--rows 10000]

Generates a roster CSV (grade/class paths, Chinese names, unique student numbers, guardians with
phones in the 100xxxxxxxx block; about 30 % of students have two guardians, i.e. two rows), then
in a fresh migrated database with one school unit runs `bellwork.org.importer.run_import` as an
installation admin, each call in its own `unit_of_work` (as the HTTP endpoint does):
dry run, apply, and a re-import of the same file, which must change nothing.
Prints times, rows/s and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import sys
import time

from benchlib import (
    RELATIONS,
    Phones,
    chinese_name,
    db_version,
    fresh_database,
    machine,
    peak_rss_mib,
    quiet_argon2,
    run_per_backend,
)

GRADES = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级")
HEADER = ["班级", "学生姓名", "学号", "家长姓名", "家长手机", "关系"]


def roster_csv(rows: int, seed: int = 2026) -> tuple[bytes, int, int]:
    """A roster with `rows` data rows; returns (CSV bytes, students, guardians)."""
    rng = random.Random(seed)
    phones = Phones()
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    n = students = guardians = 0
    classes = [f"{g}/{c}班" for g in GRADES for c in range(1, 41)]
    while n < rows:
        students += 1
        klass = classes[(students - 1) % len(classes)]
        name = chinese_name(rng)
        number = f"2026{students:06d}"
        surname = name[0]
        two = rng.random() < 0.3 and n + 2 <= rows
        relations = rng.sample(RELATIONS[:2], 2) if two else [rng.choice(RELATIONS)]
        for rel in relations:
            guardians += 1
            g_surname = surname if rel in ("父亲", "爷爷") else None
            g_name = chinese_name(rng) if g_surname is None else g_surname + chinese_name(rng)[1:]
            w.writerow([klass, name, number, g_name, phones.next(), rel])
            n += 1
    return out.getvalue().encode("utf-8-sig"), students, guardians


async def bench(backend: str, rows: int) -> None:
    quiet_argon2()
    from sqlalchemy import func, select, text

    from bellwork.auth.service import Actor
    from bellwork.db.engine import make_engine, make_sessionmaker
    from bellwork.db.session import unit_of_work
    from bellwork.org.access import load_scope
    from bellwork.org.importer import ImportResult, run_import
    from bellwork.org.models import GuardianLink, Membership, Person, PersonSearchKey, Unit

    t0 = time.perf_counter()
    content, n_students, n_guardians = roster_csv(rows)
    gen_s = time.perf_counter() - t0

    async with fresh_database(backend) as url:
        print(machine([await db_version(url)]))
        print(
            f"file:    {rows:,} rows, {n_students:,} students, {n_guardians:,} guardians, "
            f"{len(content) / 1024:.0f} KiB CSV (generated in {gen_s:.2f}s)"
        )
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        async with unit_of_work(factory) as db:
            admin = Person(name="管理员", username="admin", is_admin=True)
            school = Unit(name="实验小学", kind="school", path="/pending/", depth=0)
            db.add_all([admin, school])
            await db.flush()
            school.path = f"/{school.id}/"
            admin_id, school_id = admin.id, school.id

        async def once(dry_run: bool) -> tuple[float, ImportResult]:
            started = time.perf_counter()
            async with unit_of_work(factory) as db:
                person = await db.get(Person, admin_id)
                assert person is not None
                actor = Actor(person=person)
                scope = await load_scope(db, actor)
                result = await run_import(
                    db, actor, scope, school_id, "roster", "roster.csv", content, dry_run
                )
            return time.perf_counter() - started, result

        async def counts() -> dict[str, int]:
            async with factory() as db:
                out = {}
                for label, model in (
                    ("people", Person),
                    ("units", Unit),
                    ("memberships", Membership),
                    ("guardian_links", GuardianLink),
                    ("search_keys", PersonSearchKey),
                ):
                    q = select(func.count()).select_from(model)
                    out[label] = (await db.execute(q)).scalar_one()
                return out

        before = await counts()
        dry_s, dry = await once(True)
        assert await counts() == before, "the dry run wrote something"
        assert dry.summary.people_created == n_students + n_guardians, dry.summary
        apply_s, applied = await once(False)
        after = await counts()
        reimport_s, again = await once(False)
        assert await counts() == after, "the re-import changed row counts"
        s = again.summary
        changed = (
            s.units_created
            + s.people_created
            + s.people_updated
            + s.memberships_added
            + s.memberships_removed
            + s.guardian_links_added
            + s.guardian_links_updated
        )
        assert changed == 0 and again.changes_total == 0, f"re-import changed things: {s}"
        # The planner's statistics are those of the empty tables until ANALYZE (autovacuum runs it
        # on PostgreSQL within a minute or so; nothing runs it on SQLite). Measure both.
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
        analyzed_s, third = await once(False)
        assert third.changes_total == 0 and await counts() == after
        assert applied.summary.people_created == n_students + n_guardians, applied.summary
        await engine.dispose()

    print(f"summary: {applied.summary.model_dump()}")
    print(f"rows:    {', '.join(f'{k}={v:,}' for k, v in after.items())}")
    print(f"{'step':<22}{'seconds':>9}{'rows/s':>10}")
    for label, secs in (
        ("dry run", dry_s),
        ("apply", apply_s),
        ("re-import (no change)", reimport_s),
        ("same, after ANALYZE", analyzed_s),
    ):
        print(f"{label:<22}{secs:>9.2f}{rows / secs:>10,.0f}")
    print(f"peak RSS: {peak_rss_mib():.0f} MiB")
    print(
        "re-import verified: 0 created / 0 updated / 0 changes "
        f"({again.summary.people_unchanged:,} people unchanged)"
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--rows", type=int, default=10_000)
    args = p.parse_args()
    if args.db == "both":
        return run_per_backend(__file__, ["--rows", str(args.rows)], "both")
    print(f"== import {args.rows:,} roster rows on {args.db}")
    asyncio.run(bench(args.db, args.rows))
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
