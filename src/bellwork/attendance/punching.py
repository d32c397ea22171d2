"""Checking in and out from the phone page, and one's day so far.

Where from, in this order: an allowed network address range (the office Wi-Fi: no location
needed); the browser's location inside an allowed place's circle; elsewhere, if the rule
allows field work, with a note (a field punch). Otherwise the punch is refused with how far
the nearest place is (422 `attendance_out_of_range`) or, with no location at all, 422
`attendance_no_location`. A retry with the same `client_id` answers the first punch."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.attendance import days
from bellwork.attendance.leave import leave_days
from bellwork.attendance.models import FIELD, GEO, NETWORK, AttendancePunch
from bellwork.attendance.rules import Applied, out, rule_for
from bellwork.attendance.schemas import PunchIn, PunchOut, TodayOut
from bellwork.core.errors import Conflict, Invalid
from bellwork.db.dialect import built, insert_for
from bellwork.org.models import Unit


def punch_out(p: Any, first_id: int | None) -> PunchOut:
    """A stored punch as answered: an `AttendancePunch`, or the columns `_SEEN` reads."""
    return PunchOut(
        id=p.id,
        at=p.at,
        day=p.day,
        source=p.source,
        distance=p.distance,
        place=p.place,
        note=p.note,
        kind="in" if first_id in (None, p.id) else "out",
    )


async def _first_of_day(db: AsyncSession, person_id: int, day: date) -> int | None:
    found = await db.execute(
        select(AttendancePunch.id)
        .where(AttendancePunch.person_id == person_id, AttendancePunch.day == day)
        .order_by(AttendancePunch.at, AttendancePunch.id)
        .limit(1)
    )
    return found.scalar()


def _where(applied: Applied, data: PunchIn, address: str | None) -> dict[str, object]:
    """How this punch is taken (its source, place, distance), or the refusal."""
    rule = applied.rule
    if days.in_networks(rule.networks, address):
        return {"source": NETWORK}
    if data.lat is None or data.lng is None:
        if rule.field_work and data.note:
            return {"source": FIELD}
        raise Invalid("attendance_no_location", errors=[{"field": "lat", "type": "missing"}])
    found = days.nearest_place(rule.places, data.lat, data.lng)
    where: dict[str, object] = {"lat": data.lat, "lng": data.lng}
    if found is not None:
        place, d = found
        where |= {"distance": round(d), "place": place["name"]}
        if d <= float(place["radius"]):
            return where | {"source": GEO}
    if rule.field_work:
        if not data.note:
            raise Invalid(
                "attendance_field_note",
                distance=where.get("distance", "?"),
                place=where.get("place", "—"),
                errors=[{"field": "note", "type": "attendance_field_note", **_refusal(where)}],
            )
        return where | {"source": FIELD}
    if found is None:
        raise Invalid("attendance_no_places")
    raise Invalid(
        "attendance_out_of_range",
        distance=where["distance"],
        place=where["place"],
        radius=found[0]["radius"],
        errors=[{"field": "location", "type": "attendance_out_of_range", **_refusal(where)}],
    )


def _refusal(where: dict[str, object]) -> dict[str, object]:
    return {"distance": where.get("distance"), "place": where.get("place")}


# The person's punches that a new one is checked against: the one of this `client_id` (a
# retry) and today's, in order (the first is the arrival).
_SEEN = (
    select(
        AttendancePunch.id,
        AttendancePunch.client_id,
        AttendancePunch.day,
        AttendancePunch.at,
        AttendancePunch.source,
        AttendancePunch.distance,
        AttendancePunch.place,
        AttendancePunch.note,
    )
    .where(
        AttendancePunch.person_id == bindparam("person"),
        or_(
            AttendancePunch.client_id == bindparam("client_id"),
            AttendancePunch.day == bindparam("day"),
        ),
    )
    .order_by(AttendancePunch.at, AttendancePunch.id)
)


def _insert_stmt(dialect: str) -> Any:
    # Turned away (nothing returned) by the unique (person, client_id): a retry racing this one.
    return (
        insert_for(dialect, AttendancePunch).on_conflict_do_nothing().returning(AttendancePunch.id)
    )


async def punch(
    db: AsyncSession,
    person_id: int,
    data: PunchIn,
    address: str | None,
    now: datetime,
) -> tuple[PunchOut, bool]:
    """Records a check-in or check-out; (punch, created). Three statements, none built per
    request: the rule that applies (`rules.rule_for`), the punch of this `client_id` or
    today's, the insert."""
    applied = await rule_for(db, person_id)
    if applied is None:
        raise Conflict("attendance_no_rule")
    day = now.astimezone(applied.tz).date()
    params = {"person": person_id, "client_id": data.client_id, "day": day}
    seen = (await db.execute(_SEEN, params)).all()
    done = next((p for p in seen if p.client_id == data.client_id), None)
    if done is not None:  # a retry
        first = await _first_of_day(db, person_id, done.day) if done.day != day else seen[0].id
        return punch_out(done, first), False
    where: dict[str, object] = {"lat": None, "lng": None, "distance": None, "place": None}
    where |= _where(applied, data, address)
    values = {
        "person_id": person_id,
        "unit_id": applied.rule.unit_id,
        "day": day,
        "at": now,
        "address": address[:64] if address else None,
        "note": data.note or None,
        "recorded_by": None,
        "client_id": data.client_id,
        **where,
    }
    new_id = (await db.execute(built(db, "attendance.punch", _insert_stmt), values)).scalar()
    if new_id is None:  # the same client_id stored by a request running beside this one
        seen = (await db.execute(_SEEN, params)).all()
        done = next(p for p in seen if p.client_id == data.client_id)
        return punch_out(done, seen[0].id), False
    return (
        PunchOut(
            id=new_id,
            at=now,
            day=day,
            source=str(where["source"]),
            distance=cast(int | None, where["distance"]),
            place=cast(str | None, where["place"]),
            note=data.note or None,
            kind="out" if seen else "in",
        ),
        True,
    )


async def today(db: AsyncSession, person_id: int, now: datetime) -> TodayOut:
    """One's rule, today's punches and what today is so far."""
    applied = await rule_for(db, person_id)
    if applied is None:
        return TodayOut(
            rule=None,
            day=now.date(),
            working=False,
            status="rest",
            late_minutes=0,
            early_minutes=0,
            punches=[],
        )
    day = now.astimezone(applied.tz).date()
    rows = list(
        (
            await db.execute(
                select(AttendancePunch)
                .where(AttendancePunch.person_id == person_id, AttendancePunch.day == day)
                .order_by(AttendancePunch.at, AttendancePunch.id)
            )
        ).scalars()
    )
    on_leave = bool(await leave_days(db, [person_id], day, day))
    result = days.compute_day(
        applied.shift,
        day,
        [p.at for p in rows],
        applied.tz,
        now,
        on_leave=on_leave,
        field=any(p.source == FIELD for p in rows),
    )
    unit = await db.get(Unit, applied.rule.unit_id)
    first = rows[0].id if rows else None
    return TodayOut(
        rule=out(applied.rule, unit.name if unit else ""),
        day=day,
        working=days.working(applied.shift, day),
        status=result.status,
        late_minutes=result.late_minutes,
        early_minutes=result.early_minutes,
        punches=[punch_out(p, first) for p in rows],
    )
