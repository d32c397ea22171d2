"""A report's period and deadline: a day, a week due on its Friday, a month due on its last
day, in the unit's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bellwork.reports import periods

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_weeks_start_on_monday_and_are_due_on_friday() -> None:
    sunday = date(2026, 12, 6)
    assert periods.start_of("weekly", sunday) == date(2026, 11, 30)
    due = periods.deadline_at("weekly", date(2026, 11, 30), "17:30", SHANGHAI)
    assert due == datetime(2026, 12, 4, 17, 30, tzinfo=SHANGHAI)


def test_months_are_due_on_their_last_day() -> None:
    assert periods.start_of("monthly", date(2027, 2, 14)) == date(2027, 2, 1)
    assert periods.due_day("monthly", date(2027, 2, 1)) == date(2027, 2, 28)
    assert periods.due_day("monthly", date(2026, 12, 1)) == date(2026, 12, 31)


def test_the_day_is_the_unit_s_day() -> None:
    late_evening_utc = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 01:00 on 2 December there
    assert periods.current("daily", late_evening_utc, SHANGHAI) == date(2026, 12, 2)
