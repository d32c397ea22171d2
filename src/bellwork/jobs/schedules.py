"""Recurring jobs: a `JobSchedule` row enqueues one job per occurrence of its rule.

    await schedule(db, f"forms.remind:{campaign.id}", "forms.remind",
                   Daily(time(7, 0), weekdays=WEEKDAYS), {"campaign": campaign.id},
                   unit_id=campaign.unit_id)   # 07:00 Monday to Friday in the unit's time zone

Written in the caller's transaction like `enqueue`. A runner that finds a schedule due enqueues
the job of that occurrence (keyed by schedule and time: enqueued once, however many runners see
it) and moves the schedule to the next occurrence after now: occurrences missed while nothing
ran collapse into one instead of arriving in a burst.

Times are computed in the schedule's time zone with `zoneinfo`, day by day, so a daily time
stays at that wall-clock time across daylight-saving changes: a time that does not exist that
day (the clocks jump over it) runs as much later as they jumped; a time that occurs twice runs
once, at the first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.db.base import utcnow
from bellwork.db.dialect import dialect_insert
from bellwork.jobs.models import JobSchedule
from bellwork.jobs.queue import enqueue
from bellwork.jobs.registry import UnknownJob, declared_schedules, kind_of
from bellwork.org.settings import unit_time_zone, zone

log = logging.getLogger("bellwork.jobs")

ALL_DAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO weekdays: 1 is Monday
WEEKDAYS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Every:
    """Every `seconds` seconds."""

    seconds: float

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError("a schedule's interval must be positive")

    def to_json(self) -> dict[str, Any]:
        return {"every": self.seconds}

    def after(self, last: datetime, now: datetime, tz: ZoneInfo) -> datetime:
        """The first occurrence after `now`, on the grid of `last`."""
        step = timedelta(seconds=self.seconds)
        if last > now:
            return last
        return last + step * (int((now - last) / step) + 1)


@dataclass(frozen=True)
class Daily:
    """At `at` (wall-clock time) on the given ISO weekdays, in time zone `tz` (None: the
    schedule's unit's, inherited; Asia/Shanghai without a unit)."""

    at: time
    weekdays: tuple[int, ...] = ALL_DAYS
    tz: str | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is not None:
            raise ValueError("a daily time is a wall-clock time, without a time zone")
        if not self.weekdays or not set(self.weekdays) <= set(ALL_DAYS):
            raise ValueError("weekdays are ISO day numbers, 1 (Monday) to 7 (Sunday)")
        object.__setattr__(self, "weekdays", tuple(sorted(set(self.weekdays))))

    def to_json(self) -> dict[str, Any]:
        return {"daily": self.at.isoformat(), "weekdays": list(self.weekdays), "tz": self.tz}

    def after(self, last: datetime, now: datetime, tz: ZoneInfo) -> datetime:
        """The first occurrence after both `last` and `now`."""
        since = max(last, now)
        day = since.astimezone(tz).date()
        for _ in range(9):  # a week, and the day that may have passed already
            if day.isoweekday() in self.weekdays:
                at = datetime.combine(day, self.at, tzinfo=tz).astimezone(UTC)  # fold=0
                if at > since:
                    return at
            day += timedelta(days=1)
        raise AssertionError("no occurrence within a week")  # unreachable: weekdays not empty


Rule = Every | Daily


def rule_from_json(data: dict[str, Any]) -> Rule:
    if "every" in data:
        return Every(float(data["every"]))
    return Daily(
        time.fromisoformat(str(data["daily"])),
        tuple(int(d) for d in data.get("weekdays") or ALL_DAYS),
        data.get("tz"),
    )


async def zone_of(db: AsyncSession, rule: Rule, unit_id: int | None) -> ZoneInfo:
    if isinstance(rule, Daily) and rule.tz:
        return zone(rule.tz)
    if unit_id is not None:
        return await unit_time_zone(db, unit_id)
    return zone(None)


async def first_at(db: AsyncSession, rule: Rule, unit_id: int | None, now: datetime) -> datetime:
    tz = await zone_of(db, rule, unit_id)
    if isinstance(rule, Every):
        return now + timedelta(seconds=rule.seconds)
    return rule.after(now, now, tz)


async def schedule(
    db: AsyncSession,
    name: str,
    kind: str,
    rule: Rule,
    payload: dict[str, Any] | None = None,
    *,
    unit_id: int | None = None,
    now: datetime | None = None,
) -> datetime:
    """Creates or replaces the schedule `name` in the caller's transaction; returns its first
    occurrence."""
    kind_of(kind)  # UnknownJob now rather than at every occurrence
    now = now or utcnow()
    nxt = await first_at(db, rule, unit_id, now)
    values = {
        "name": name,
        "kind": kind,
        "payload": payload or {},
        "rule": rule.to_json(),
        "unit_id": unit_id,
        "next_at": nxt,
        "created_at": now,
    }
    stmt = dialect_insert(db, JobSchedule).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"], set_={k: v for k, v in values.items() if k != "created_at"}
    )
    await db.execute(stmt)
    return nxt


async def unschedule(db: AsyncSession, name: str) -> bool:
    """Removes the schedule `name` (jobs it already enqueued stay); whether it existed."""
    gone = await db.execute(delete(JobSchedule).where(JobSchedule.name == name))
    return bool(getattr(gone, "rowcount", 0))


async def sync_declared(db: AsyncSession, now: datetime) -> None:
    """Makes the schedules the code declares (`registry.recurring`) exist as declared."""
    declared = declared_schedules()
    if not declared:
        return
    names = [d.name for d in declared]
    rows = await db.execute(select(JobSchedule).where(JobSchedule.name.in_(names)))
    found = {s.name: s for s in rows.scalars()}
    for d in declared:
        s = found.get(d.name)
        if s is not None and (s.kind, s.rule, s.payload) == (d.kind, d.rule.to_json(), d.payload):
            continue
        await schedule(db, d.name, d.kind, d.rule, d.payload, now=now)


async def enqueue_due(db: AsyncSession, now: datetime, limit: int = 100) -> int:
    """Enqueues the occurrence of every schedule due at `now` and moves each to its next one;
    returns how many were due."""
    rows = (
        (
            await db.execute(
                select(JobSchedule)
                .where(JobSchedule.next_at <= now)
                .order_by(JobSchedule.next_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    for s in rows:
        try:
            rule = rule_from_json(s.rule)
        except (KeyError, TypeError, ValueError):
            log.error(
                "schedule %s has an unreadable rule %r; it is skipped for a day", s.name, s.rule
            )
            s.next_at = now + timedelta(days=1)
            continue
        key = f"s{s.id}@{s.next_at.astimezone(UTC):%Y-%m-%dT%H:%M:%S}"
        try:
            await enqueue(db, s.kind, s.payload, run_at=s.next_at, key=key)
        except UnknownJob:
            log.error(
                "schedule %s names job kind %r, which has no handler: skipped", s.name, s.kind
            )
        s.next_at = rule.after(s.next_at, now, await zone_of(db, rule, s.unit_id))
    return len(rows)
