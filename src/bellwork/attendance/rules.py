"""A unit's attendance rule, and the rule that applies to a person: the nearest unit with a
rule at or above the units they belong to (the deepest membership first), as unit settings
are inherited down the tree."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bellwork.attendance.days import Shift
from bellwork.attendance.models import AttendanceRule
from bellwork.attendance.schemas import Place, RuleIn, RuleOut
from bellwork.audit import service as audit
from bellwork.core.errors import Forbidden
from bellwork.org.access import Scope, access_unit
from bellwork.org.models import Membership, Role, Unit
from bellwork.org.settings import chain, nearest, zone

# Whom a rule applies to: everyone in a unit but guardians (a student is checked at the gate).
ATTENDING = tuple(r.value for r in Role if r != Role.guardian)
# Who may scan passes at a gate and read a unit's statistics (with `may_manage`).
WORKING = (Role.head.value, Role.staff.value, Role.teacher.value, Role.member.value)


@dataclass(frozen=True, slots=True)
class RuleView:
    """A rule as read for a person (plain columns: the check-in path reads one per request)."""

    id: int
    unit_id: int
    name: str
    kind: str
    weekdays: list[int]
    start: str
    end: str
    late_grace: int
    work_minutes: int
    places: list[dict[str, Any]]
    networks: list[str]
    field_work: bool


RuleLike = AttendanceRule | RuleView
R = TypeVar("R", AttendanceRule, RuleView)
RULE_COLUMNS = tuple(getattr(AttendanceRule, f.name) for f in fields(RuleView))


@dataclass(frozen=True)
class Applied:
    rule: RuleView
    tz: ZoneInfo

    @property
    def shift(self) -> Shift:
        return shift_of(self.rule)


def shift_of(rule: RuleLike) -> Shift:
    return Shift(
        rule.kind,
        tuple(rule.weekdays),
        rule.start,
        rule.end,
        rule.late_grace,
        rule.work_minutes,
    )


def out(rule: RuleLike, unit_name: str) -> RuleOut:
    return RuleOut(
        id=rule.id,
        unit_id=rule.unit_id,
        unit_name=unit_name,
        name=rule.name,
        kind=rule.kind,
        weekdays=list(rule.weekdays),
        start=rule.start,
        end=rule.end,
        late_grace=rule.late_grace,
        work_minutes=rule.work_minutes,
        places=[Place(**p) for p in rule.places],
        networks=list(rule.networks),
        field_work=rule.field_work,
    )


async def rules_along(db: AsyncSession, paths: Iterable[str]) -> dict[int, AttendanceRule]:
    ids = {uid for p in paths for uid in chain(p)}
    if not ids:
        return {}
    rows = await db.execute(select(AttendanceRule).where(AttendanceRule.unit_id.in_(ids)))
    return {r.unit_id: r for r in rows.scalars()}


def nearest_rule(paths: Sequence[str], rules: dict[int, R]) -> R | None:
    for path in paths:
        for uid in reversed(chain(path)):
            if uid in rules:
                return rules[uid]
    return None


def _along() -> Any:
    """Every unit at or above the units the people attend (`member`: 1 for those units
    themselves), with its settings and its own rule if it has one: one statement, a
    recursive walk up `parent_id`, the same on both databases."""
    up = (
        select(
            Membership.person_id.label("person_id"),
            Unit.id.label("unit_id"),
            Unit.parent_id.label("parent_id"),
            literal_column("1").label("member"),
        )
        .join(Unit, Unit.id == Membership.unit_id)
        .where(
            Membership.person_id.in_(bindparam("people", expanding=True)),
            Membership.role.in_(ATTENDING),
            Unit.archived_at.is_(None),
        )
        .cte("up", recursive=True)
    )
    parent = aliased(Unit)
    up = up.union_all(
        select(up.c.person_id, parent.id, parent.parent_id, literal_column("0")).join(
            parent, parent.id == up.c.parent_id
        )
    )
    return (
        select(up.c.person_id, up.c.member, Unit.id, Unit.path, Unit.settings, *RULE_COLUMNS)
        .join(Unit, Unit.id == up.c.unit_id)
        .outerjoin(AttendanceRule, AttendanceRule.unit_id == Unit.id)
    )


_ALONG = _along()


async def rules_for(db: AsyncSession, person_ids: Sequence[int]) -> dict[int, Applied]:
    """The rule that applies to each of these people (those with none are missing), with its
    unit's time zone: one statement per 500 people."""
    paths: dict[int, list[str]] = {}
    rules: dict[int, RuleView] = {}
    unit_paths: dict[int, str] = {}
    settings: dict[int, dict[str, Any]] = {}
    ids = sorted(set(person_ids))
    n = len(RULE_COLUMNS)
    for i in range(0, len(ids), 500):
        rows = await db.execute(_ALONG, {"people": ids[i : i + 500]})
        for row in rows.all():
            pid, member, uid, path = int(row[0]), row[1], int(row[2]), str(row[3])
            unit_paths[uid] = path
            settings[uid] = dict(row[4] or {})
            if member:
                paths.setdefault(pid, []).append(path)
            own = row[5 : 5 + n]
            if own[0] is not None and uid not in rules:
                rules[uid] = RuleView(*own)
    zones: dict[int, ZoneInfo] = {}
    found: dict[int, Applied] = {}
    for pid, ps in paths.items():
        ps = sorted(set(ps), key=lambda p: (-p.count("/"), p))
        rule = nearest_rule(ps, rules)
        if rule is None:
            continue
        if rule.unit_id not in zones:
            named = nearest(unit_paths.get(rule.unit_id, ""), settings, "time_zone")
            zones[rule.unit_id] = zone(named[1] if named else None)
        found[pid] = Applied(rule, zones[rule.unit_id])
    return found


async def rule_for(db: AsyncSession, person_id: int) -> Applied | None:
    return (await rules_for(db, [person_id])).get(person_id)


def require_manage(scope: Scope, unit: Unit) -> None:
    if not scope.manages_path(unit.path):
        raise Forbidden("attendance_not_manager")


async def get_rule(db: AsyncSession, scope: Scope, unit_id: int) -> RuleOut | None:
    """The unit's own rule or, if it has none, the one it inherits (its `unit_id` says whose)."""
    unit = await access_unit(db, unit_id)
    require_manage(scope, unit)
    rule = nearest_rule([unit.path], await rules_along(db, [unit.path]))
    if rule is None:
        return None
    owner = unit if rule.unit_id == unit.id else await access_unit(db, rule.unit_id)
    return out(rule, owner.name)


async def put_rule(
    db: AsyncSession, scope: Scope, unit_id: int, data: RuleIn, now: datetime
) -> RuleOut:
    """Sets the unit's own rule (its heads and admins; audited)."""
    unit = await access_unit(db, unit_id)
    require_manage(scope, unit)
    rule = (
        await db.execute(select(AttendanceRule).where(AttendanceRule.unit_id == unit.id))
    ).scalar_one_or_none()
    before = None if rule is None else _summary(rule)
    if rule is None:
        rule = AttendanceRule(unit_id=unit.id)
        db.add(rule)
    rule.name = data.name
    rule.kind = data.kind
    rule.weekdays = data.weekdays
    rule.start = data.start
    rule.end = data.end
    rule.late_grace = data.late_grace
    rule.work_minutes = data.work_minutes
    rule.places = [p.model_dump() for p in data.places]
    rule.networks = data.networks
    rule.field_work = data.field_work
    rule.updated_by = scope.person_id or None  # 0: the command line (the demo loader)
    rule.updated_at = now
    await db.flush()
    await audit.record(
        db,
        scope.person_id or None,
        "attendance.rule.update",
        "unit",
        unit.id,
        before,
        _summary(rule),
    )
    return out(rule, unit.name)


def _summary(rule: AttendanceRule) -> dict[str, object]:
    return {
        "name": rule.name,
        "shift": f"{rule.kind} {rule.start}-{rule.end} {','.join(map(str, rule.weekdays))}",
        "places": len(rule.places),
        "networks": len(rule.networks),
        "field_work": rule.field_work,
    }
