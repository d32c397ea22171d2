"""What a day was for a person under a rule (pure: no database): rest, normal, late, early
leave, late and early, missing the check-out, absent or on leave — and the geofence and
address-range checks a punch passes through.

A day's punches are read as DingTalk reads them: the first is the arrival, the last (if there
are two or more) the departure. Leave comes from outside (`leave.py`): a day on approved leave
is `leave` whatever was punched."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bellwork.attendance.models import FLEXIBLE, SCHOOL

REST = "rest"
NORMAL = "normal"
LATE = "late"
EARLY = "early"
LATE_EARLY = "late_early"
NO_OUT = "no_out"  # arrived, never checked out (the day is over)
ABSENT = "absent"
LEAVE = "leave"
PENDING = "pending"  # the day is not over: not arrived yet, or not checked out yet
STATUSES = (REST, NORMAL, LATE, EARLY, LATE_EARLY, NO_OUT, ABSENT, LEAVE, PENDING)
EXCEPTIONS = (LATE, EARLY, LATE_EARLY, NO_OUT, ABSENT)

EARTH_RADIUS = 6_371_000.0  # metres


@dataclass(frozen=True)
class Shift:
    """What a rule says about a day (a plain copy of `AttendanceRule`'s fields)."""

    kind: str
    weekdays: Sequence[int]
    start: str
    end: str
    late_grace: int = 0
    work_minutes: int = 480


@dataclass(frozen=True)
class Day:
    day: date
    status: str
    first: datetime | None = None  # local times
    last: datetime | None = None
    late_minutes: int = 0
    early_minutes: int = 0
    field: bool = False


def _at(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(h, m), tz)


def _minutes(delta: timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds() / 60))


def working(shift: Shift, day: date) -> bool:
    return day.isoweekday() in shift.weekdays


def compute_day(
    shift: Shift,
    day: date,
    punches: Sequence[datetime],
    tz: ZoneInfo,
    now: datetime,
    *,
    on_leave: bool = False,
    field: bool = False,
) -> Day:
    """`punches` are UTC or aware moments of that day; `now` decides whether the day is over.
    A leave covers working days only: a rest day inside it (the weekend of a Friday-to-Monday
    leave) stays a rest day, not a day of leave."""
    local = sorted(p.astimezone(tz) for p in punches)
    first = local[0] if local else None
    last = local[-1] if len(local) > 1 else None
    if not working(shift, day):
        return Day(day, REST, first, last, field=field)
    if on_leave:
        return Day(day, LEAVE)
    now_l = now.astimezone(tz)
    start = _at(day, shift.start, tz)
    end = _at(day, shift.end, tz)
    day_over = now_l >= datetime.combine(day + timedelta(days=1), time(0), tz)
    if first is None:
        # Absent once the shift has ended (a school day: once school started and the grace).
        cutoff = start + timedelta(minutes=shift.late_grace) if shift.kind == SCHOOL else end
        if shift.kind == FLEXIBLE:
            cutoff = datetime.combine(day + timedelta(days=1), time(0), tz)
        return Day(day, ABSENT if now_l >= cutoff else PENDING)
    late = 0
    if shift.kind != FLEXIBLE:
        late = _minutes(first - (start + timedelta(minutes=shift.late_grace)))
    if shift.kind == SCHOOL:
        return Day(day, LATE if late else NORMAL, first, last, late_minutes=late, field=field)
    if last is None:
        if day_over:
            return Day(day, NO_OUT, first, None, late_minutes=late, field=field)
        return Day(day, LATE if late else PENDING, first, None, late_minutes=late, field=field)
    if shift.kind == FLEXIBLE:
        early = _minutes(timedelta(minutes=shift.work_minutes) - (last - first))
    else:
        early = _minutes(end - last)
    if early and not day_over:  # a later check-out may still come
        return Day(day, LATE if late else PENDING, first, last, late_minutes=late, field=field)
    status = LATE_EARLY if late and early else LATE if late else EARLY if early else NORMAL
    return Day(day, status, first, last, late, early, field)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(a))


def nearest_place(
    places: Sequence[dict[str, Any]], lat: float, lng: float
) -> tuple[dict[str, Any], float] | None:
    """The allowed place whose edge is nearest to (lat, lng), and how far its centre is."""
    best: tuple[dict[str, Any], float] | None = None
    for p in places:
        d = distance_m(float(p["lat"]), float(p["lng"]), lat, lng)
        if best is None or d - float(p["radius"]) < best[1] - float(best[0]["radius"]):
            best = (p, d)
    return best


def in_networks(networks: Sequence[str], address: str | None) -> bool:
    if not address or not networks:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)
