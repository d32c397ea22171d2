"""A campaign's days and windows in its time zone: weekdays, opening, deadline, late, the end."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bellwork.forms.periods import (
    CLOSED,
    LATE,
    OPEN,
    UPCOMING,
    Schedule,
    asks_on,
    current,
    next_window,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weekdays_from_start_to_end() -> None:
    s = Schedule(kind="daily", start=date(2026, 11, 30), end=date(2026, 12, 11))
    assert asks_on(s, date(2026, 11, 30))  # a Monday
    assert not asks_on(s, date(2026, 12, 5))  # Saturday
    assert not asks_on(s, date(2026, 11, 27))  # before the start
    assert not asks_on(s, date(2026, 12, 14))  # after the end
    once = Schedule(kind="once", start=date(2026, 12, 1))
    assert asks_on(once, date(2026, 12, 1)) and not asks_on(once, date(2026, 12, 2))


def test_a_morning_in_shanghai() -> None:
    s = Schedule(kind="daily", start=date(2026, 11, 30))
    # 05:59, 06:00, 08:59, 09:00 and 23:59 Beijing time on Monday 30 November.
    w = current(s, SHANGHAI, utc(2026, 11, 29, 21, 59), late_allowed=True)
    assert w is not None and w.day == date(2026, 11, 30)
    assert w.opens_at == utc(2026, 11, 29, 22, 0) and w.deadline_at == utc(2026, 11, 30, 1, 0)
    assert w.state(utc(2026, 11, 29, 21, 59)) == UPCOMING
    assert w.state(utc(2026, 11, 29, 22, 0)) == OPEN
    assert w.state(utc(2026, 11, 30, 0, 59)) == OPEN
    assert w.state(utc(2026, 11, 30, 1, 0)) == LATE
    assert w.state(utc(2026, 11, 30, 15, 59)) == LATE
    assert w.state(utc(2026, 11, 30, 16, 0)) == CLOSED
    strict = current(s, SHANGHAI, utc(2026, 11, 30, 1, 0), late_allowed=False)
    assert strict is not None and strict.state(utc(2026, 11, 30, 1, 0)) == CLOSED
    # Saturday: no window at all.
    assert current(s, SHANGHAI, utc(2026, 12, 5, 2, 0), late_allowed=True) is None


def test_the_next_day_skips_the_weekend_and_stops_at_the_end() -> None:
    s = Schedule(kind="daily", start=date(2026, 11, 30), end=date(2026, 12, 7))
    w = next_window(s, SHANGHAI, date(2026, 12, 4), late_allowed=True)  # after Friday
    assert w is not None and w.day == date(2026, 12, 7)  # Monday
    assert next_window(s, SHANGHAI, date(2026, 12, 7), late_allowed=True) is None
    before = next_window(s, SHANGHAI, date(2026, 11, 1), late_allowed=True)
    assert before is not None and before.day == date(2026, 11, 30)
    once = Schedule(kind="once", start=date(2026, 12, 1))
    first = next_window(once, SHANGHAI, date(2026, 11, 28), late_allowed=False)
    assert first is not None and first.day == date(2026, 12, 1)
    assert next_window(once, SHANGHAI, date(2026, 12, 1), late_allowed=False) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "daily", "start": "2026-11-30", "opens": "09:00", "deadline": "06:00"},
        {"kind": "daily", "start": "2026-11-30", "end": "2026-11-29"},
        {"kind": "daily", "start": "2026-11-30", "weekdays": []},
        {"kind": "daily", "start": "2026-11-30", "weekdays": [8]},
        {"kind": "daily", "start": "2026-11-30", "opens": "6:00"},
        {"kind": "daily", "start": "2026-01-01", "end": "2027-06-01"},
    ],
)
def test_schedules_that_cannot_work(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Schedule.model_validate(bad)
