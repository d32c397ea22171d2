"""A day under a rule, without a database: fixed hours, flexible hours, school days, leave, and
the geofence and address-range checks."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bellwork.attendance import days
from bellwork.attendance.days import Shift, compute_day

TZ = ZoneInfo("Asia/Shanghai")
MON = date(2026, 11, 30)
FIXED = Shift("fixed", [1, 2, 3, 4, 5], "09:00", "18:00", late_grace=5)
FLEX = Shift("flexible", [1, 2, 3, 4, 5], "09:00", "18:00", work_minutes=480)
SCHOOL = Shift("school", [1, 2, 3, 4, 5], "07:50", "16:30")


def at(h: int, m: int, day: date = MON) -> datetime:
    return datetime(day.year, day.month, day.day, h, m, tzinfo=TZ)


NEXT_DAY = at(0, 1, date(2026, 12, 1))


def test_fixed_hours_on_time_late_early_and_both() -> None:
    assert compute_day(FIXED, MON, [at(8, 55), at(18, 2)], TZ, NEXT_DAY).status == "normal"
    late = compute_day(FIXED, MON, [at(9, 20), at(18, 0)], TZ, NEXT_DAY)
    assert (late.status, late.late_minutes) == ("late", 15)  # after the 5 minutes' grace
    early = compute_day(FIXED, MON, [at(8, 50), at(17, 30)], TZ, NEXT_DAY)
    assert (early.status, early.early_minutes) == ("early", 30)
    both = compute_day(FIXED, MON, [at(9, 30), at(17, 0)], TZ, NEXT_DAY)
    assert both.status == "late_early" and both.first == at(9, 30) and both.last == at(17, 0)
    # Arrived, never checked out, the day over.
    assert compute_day(FIXED, MON, [at(8, 50)], TZ, NEXT_DAY).status == "no_out"


def test_a_day_not_over_is_pending_until_it_is_decided() -> None:
    assert compute_day(FIXED, MON, [], TZ, at(10, 0)).status == "pending"
    assert compute_day(FIXED, MON, [], TZ, at(18, 0)).status == "absent"
    assert compute_day(FIXED, MON, [at(8, 50)], TZ, at(12, 0)).status == "pending"
    assert compute_day(FIXED, MON, [at(9, 40)], TZ, at(12, 0)).status == "late"
    # Checked out at noon for lunch: a later check-out may still come.
    assert compute_day(FIXED, MON, [at(8, 50), at(12, 0)], TZ, at(13, 0)).status == "pending"


def test_rest_days_and_leave() -> None:
    sat = date(2026, 12, 5)
    assert compute_day(FIXED, sat, [], TZ, NEXT_DAY).status == "rest"
    assert compute_day(FIXED, MON, [], TZ, NEXT_DAY, on_leave=True).status == "leave"


def test_flexible_hours_count_the_time_between_first_and_last() -> None:
    assert compute_day(FLEX, MON, [at(10, 30), at(18, 30)], TZ, NEXT_DAY).status == "normal"
    short = compute_day(FLEX, MON, [at(10, 30), at(17, 30)], TZ, NEXT_DAY)
    assert (short.status, short.early_minutes) == ("early", 60)
    assert compute_day(FLEX, MON, [], TZ, at(20, 0)).status == "pending"
    assert compute_day(FLEX, MON, [], TZ, NEXT_DAY).status == "absent"


def test_school_days_check_arrival_only() -> None:
    assert compute_day(SCHOOL, MON, [at(7, 40)], TZ, NEXT_DAY).status == "normal"
    late = compute_day(SCHOOL, MON, [at(8, 1)], TZ, NEXT_DAY)
    assert (late.status, late.late_minutes) == ("late", 11)
    assert compute_day(SCHOOL, MON, [], TZ, at(7, 30)).status == "pending"
    assert compute_day(SCHOOL, MON, [], TZ, at(8, 0)).status == "absent"


def test_geofence_distance_and_network_ranges() -> None:
    # Tiananmen to the Forbidden City's north gate: about 1.6 km.
    d = days.distance_m(39.9087, 116.3975, 39.9230, 116.3970)
    assert 1_550 < d < 1_650
    places = [
        {"name": "A", "lat": 39.9087, "lng": 116.3975, "radius": 300},
        {"name": "B", "lat": 31.2304, "lng": 121.4737, "radius": 300},
    ]
    found = days.nearest_place(places, 39.9100, 116.3975)
    assert found is not None and found[0]["name"] == "A" and found[1] < 300
    assert days.nearest_place([], 0, 0) is None
    assert days.in_networks(["10.1.0.0/16", "2001:db8::/32"], "10.1.200.3")
    assert days.in_networks(["2001:db8::/32"], "2001:db8::1")
    assert not days.in_networks(["10.1.0.0/16"], "10.2.0.1")
    assert not days.in_networks(["10.1.0.0/16"], "not-an-address")
    assert not days.in_networks([], "10.1.0.1")
