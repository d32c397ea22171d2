"""Where "on approved leave" comes from: attendance asks every registered leave source which
(person, day) pairs are on approved leave, and counts those days as `leave`.

Attendance does not know approvals; approvals (or anything else that grants leave) plugs in
with one call at start-up:

    from bellwork.attendance.leave import register_leave_source
    register_leave_source(approvals_leave_days)

where `approvals_leave_days(db, person_ids, first, last)` answers the set of (person id, day)
within [first, last] covered by an approved leave request. With no source registered nobody is
on leave."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

LeaveSource = Callable[[AsyncSession, Sequence[int], date, date], Awaitable[set[tuple[int, date]]]]

_SOURCES: list[LeaveSource] = []


def register_leave_source(source: LeaveSource) -> None:
    """Adds a source (once; registering the same function again does nothing)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def unregister_leave_source(source: LeaveSource) -> None:
    if source in _SOURCES:
        _SOURCES.remove(source)


async def leave_days(
    db: AsyncSession, person_ids: Sequence[int], first: date, last: date
) -> set[tuple[int, date]]:
    """Every (person, day) from `first` to `last` (inclusive) on approved leave."""
    out: set[tuple[int, date]] = set()
    if not person_ids:
        return out
    for source in _SOURCES:
        out |= await source(db, person_ids, first, last)
    return out
