"""Leave in approvals, for the submit page and for other packages (attendance marks the days
of `approved_leave` as "on approved leave"): a leave request or a student leave covers its
`start`..`end` days, kept on the request (`starts_on`, `ends_on`) so a date range is one
indexed query. The balance: a leave type's days a year (`FlowSpec.leave_allowance`) less those of
this calendar year's approved and pending requests of that type."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals.builtin import LEAVE_KINDS
from bellwork.approvals.flow import FlowSpec
from bellwork.approvals.models import APPROVED, PENDING, ApprovalRequest, ApprovalTemplate
from bellwork.approvals.schemas import LeaveBalance, LeaveDay


async def approved_leave(
    db: AsyncSession, person_id: int, first: date, last: date
) -> list[LeaveDay]:
    """The approved leave of a person (their own, or a student's filed by a guardian) that
    overlaps `first`..`last` (both included), earliest first."""
    rows = await db.execute(
        select(ApprovalRequest)
        .join(ApprovalTemplate, ApprovalTemplate.id == ApprovalRequest.template_id)
        .where(
            ApprovalRequest.subject_id == person_id,
            ApprovalRequest.status == APPROVED,
            ApprovalTemplate.kind.in_(LEAVE_KINDS),
            ApprovalRequest.starts_on <= last,
            ApprovalRequest.ends_on >= first,
        )
        .order_by(ApprovalRequest.starts_on, ApprovalRequest.id)
    )
    out = []
    for r in rows.scalars():
        assert r.starts_on is not None and r.ends_on is not None
        kind = r.answers.get("leave_type")
        out.append(
            LeaveDay(
                request_id=r.id,
                starts_on=r.starts_on,
                ends_on=r.ends_on,
                leave_type=str(kind) if kind is not None else None,
            )
        )
    return out


def days_of(answers: dict[str, Any]) -> tuple[date, date] | None:
    """A leave's first and last day from its answers (None when they are not dates)."""
    try:
        return date.fromisoformat(str(answers["start"])), date.fromisoformat(str(answers["end"]))
    except (KeyError, ValueError):
        return None


async def balances(
    db: AsyncSession,
    subject_id: int,
    template_id: int,
    flow: FlowSpec,
    year: int,
    leave_out: int = 0,
) -> list[LeaveBalance]:
    """The balance of each leave type with an allowance, for `year`."""
    if not flow.leave_allowance:
        return []
    rows = await db.execute(
        select(ApprovalRequest.answers).where(
            ApprovalRequest.subject_id == subject_id,
            ApprovalRequest.template_id == template_id,
            ApprovalRequest.status.in_((APPROVED, PENDING)),
            ApprovalRequest.starts_on >= date(year, 1, 1),
            ApprovalRequest.starts_on <= date(year, 12, 31),
            ApprovalRequest.id != leave_out,
        )
    )
    used: dict[str, float] = {}
    found: list[dict[str, Any]] = list(rows.scalars())
    for answers in found:
        kind = str(answers.get("leave_type"))
        used[kind] = used.get(kind, 0.0) + float(answers.get("days") or 0)
    return [
        LeaveBalance(
            leave_type=kind,
            allowance=allowed,
            used=used.get(kind, 0.0),
            remaining=max(0.0, allowed - used.get(kind, 0.0)),
        )
        for kind, allowed in flow.leave_allowance.items()
    ]


async def leave_days(
    db: AsyncSession, person_ids: Sequence[int], first: date, last: date
) -> set[tuple[int, date]]:
    """Attendance's leave source (bellwork/wiring.py): every (person, day) from `first` to
    `last` covered by an approved leave request of theirs, in one query for all of them."""
    out: set[tuple[int, date]] = set()
    ids = sorted(set(person_ids))
    for i in range(0, len(ids), 500):
        rows = await db.execute(
            select(ApprovalRequest.subject_id, ApprovalRequest.starts_on, ApprovalRequest.ends_on)
            .join(ApprovalTemplate, ApprovalTemplate.id == ApprovalRequest.template_id)
            .where(
                ApprovalRequest.subject_id.in_(ids[i : i + 500]),
                ApprovalRequest.status == APPROVED,
                ApprovalTemplate.kind.in_(LEAVE_KINDS),
                ApprovalRequest.starts_on <= last,
                ApprovalRequest.ends_on >= first,
            )
        )
        for person, starts, ends in rows.all():
            if starts is None or ends is None:
                continue
            day: date = max(starts, first)
            while day <= min(ends, last):
                out.add((int(person), day))
                day = day + timedelta(days=1)
    return out
