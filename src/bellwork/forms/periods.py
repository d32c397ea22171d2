"""When a campaign is filled: its schedule in the campaign's time zone, as windows.

A campaign asks once (on `start`) or daily on chosen weekdays from `start` to `end`. Each
asked day is a period — the day itself, in the campaign's time zone — with a window: it opens
at `opens` ("06:00"), is due at `deadline` ("09:00"), and, when late submissions are allowed,
takes them, marked late, until the day ends. A submission may be changed until the deadline.
Times are kept in UTC (`Window`); a day that has no 06:00 (a DST gap) still opens at the first
moment after it, as `zoneinfo` resolves it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, model_validator

Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
MAX_DAYS = 366

UPCOMING = "upcoming"
OPEN = "open"
LATE = "late"
CLOSED = "closed"


class Schedule(BaseModel):
    kind: Literal["once", "daily"]
    # ISO weekdays (1 = Monday) a daily campaign asks on.
    weekdays: Annotated[list[Annotated[int, Field(ge=1, le=7)]], Field(min_length=1)] = [
        1,
        2,
        3,
        4,
        5,
    ]
    opens: Clock = "06:00"
    deadline: Clock = "09:00"
    start: date
    # The last day a daily campaign asks on (inclusive); none: until it is closed.
    end: date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Schedule:
        if self.opens >= self.deadline:
            raise ValueError("form_deadline_before_open")
        if self.end is not None and self.end < self.start:
            raise ValueError("form_end_before_start")
        if self.end is not None and (self.end - self.start).days > MAX_DAYS:
            raise ValueError("form_schedule_too_long")
        self.weekdays = sorted(set(self.weekdays))
        return self


@dataclass(frozen=True)
class Window:
    day: date
    opens_at: datetime
    deadline_at: datetime
    # When nothing more is taken: the end of the day with late submissions, else the deadline.
    closes_at: datetime

    def state(self, now: datetime) -> str:
        if now < self.opens_at:
            return UPCOMING
        if now < self.deadline_at:
            return OPEN
        if now < self.closes_at:
            return LATE
        return CLOSED


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def asks_on(schedule: Schedule, day: date) -> bool:
    if schedule.kind == "once":
        return day == schedule.start
    if day < schedule.start or (schedule.end is not None and day > schedule.end):
        return False
    return day.isoweekday() in schedule.weekdays


def moment(tz: ZoneInfo, day: date, clock: str) -> datetime:
    """`clock` ("08:00") on `day` in `tz`, in UTC."""
    return datetime.combine(day, _clock(clock), tzinfo=tz).astimezone(UTC)


def window(schedule: Schedule, tz: ZoneInfo, day: date, late_allowed: bool) -> Window:
    opens = moment(tz, day, schedule.opens)
    deadline = moment(tz, day, schedule.deadline)
    end_of_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return Window(day, opens, deadline, end_of_day if late_allowed else deadline)


def local_day(tz: ZoneInfo, now: datetime) -> date:
    return now.astimezone(tz).date()


def current(schedule: Schedule, tz: ZoneInfo, now: datetime, late_allowed: bool) -> Window | None:
    """Today's window (in the campaign's time zone) if the campaign asks today."""
    today = local_day(tz, now)
    if not asks_on(schedule, today):
        return None
    return window(schedule, tz, today, late_allowed)


def next_window(schedule: Schedule, tz: ZoneInfo, after: date, late_allowed: bool) -> Window | None:
    """The window of the first day after `after` that the campaign asks on; none when it has
    no more days."""
    day = max(after + timedelta(days=1), schedule.start)
    for _ in range(8 if schedule.kind == "daily" else 1):
        if schedule.end is not None and day > schedule.end:
            return None
        if asks_on(schedule, day):
            return window(schedule, tz, day, late_allowed)
        if schedule.kind == "once":
            return None
        day += timedelta(days=1)
    return None
