"""A report's period and its deadline, in the template unit's time zone.

- daily: the day; due that day at the deadline time.
- weekly: the week (its Monday); due on its Friday at the deadline time.
- monthly: the month (its first day); due on its last day at the deadline time.

A report written after its period's deadline is late."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bellwork.reports.models import DAILY, WEEKLY


def start_of(kind: str, day: date) -> date:
    """The first day of the period `day` falls in."""
    if kind == DAILY:
        return day
    if kind == WEEKLY:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def due_day(kind: str, start: date) -> date:
    if kind == DAILY:
        return start
    if kind == WEEKLY:
        return start + timedelta(days=4)
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def deadline_at(kind: str, start: date, deadline: str, tz: ZoneInfo) -> datetime:
    hh, mm = (int(x) for x in deadline.split(":"))
    return datetime.combine(due_day(kind, start), time(hh, mm), tzinfo=tz)


def current(kind: str, now: datetime, tz: ZoneInfo) -> date:
    return start_of(kind, now.astimezone(tz).date())
