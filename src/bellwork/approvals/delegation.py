"""Delegation while on leave (docs/approvals.md, "Delegation"): from `starts_on` to `ends_on`
(days in the template unit's time zone), a step that starts hands the person's task to their
delegate, who acts in their place (`ApprovalTask.on_behalf_of`); the timeline says so."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals.models import ApprovalDelegation
from bellwork.approvals.schemas import DelegationIn, DelegationOut
from bellwork.chat.schemas import PersonRef
from bellwork.core.errors import Invalid, NotFound
from bellwork.org.access import Scope, access_person


def _out(d: ApprovalDelegation, name: str) -> DelegationOut:
    return DelegationOut(
        id=d.id,
        delegate=PersonRef(id=d.delegate_id, name=name),
        starts_on=d.starts_on,
        ends_on=d.ends_on,
    )


async def mine(db: AsyncSession, scope: Scope, now: datetime) -> list[DelegationOut]:
    from bellwork.org.models import Person

    rows = await db.execute(
        select(ApprovalDelegation, Person.name)
        .join(Person, Person.id == ApprovalDelegation.delegate_id)
        .where(
            ApprovalDelegation.person_id == scope.person_id,
            ApprovalDelegation.cancelled_at.is_(None),
            ApprovalDelegation.ends_on >= now.date(),
        )
        .order_by(ApprovalDelegation.starts_on)
    )
    return [_out(d, n) for d, n in rows.all()]


async def create(
    db: AsyncSession, scope: Scope, data: DelegationIn, now: datetime
) -> DelegationOut:
    if data.ends_on < data.starts_on:
        raise Invalid("approval_leave_dates", errors=[{"field": "ends_on"}])
    if data.delegate_id == scope.person_id:
        raise Invalid("approval_person_unknown", errors=[{"field": "delegate_id"}])
    try:
        person = await access_person(db, scope, data.delegate_id)
    except NotFound:
        raise Invalid("approval_person_unknown", errors=[{"field": "delegate_id"}]) from None
    if person.deactivated_at is not None:
        raise Invalid("approval_person_unknown", errors=[{"field": "delegate_id"}])
    d = ApprovalDelegation(
        person_id=scope.person_id,
        delegate_id=person.id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        created_at=now,
    )
    db.add(d)
    await db.flush()
    return _out(d, person.name)


async def cancel(db: AsyncSession, scope: Scope, delegation_id: int, now: datetime) -> None:
    d = await db.get(ApprovalDelegation, delegation_id)
    if d is None or d.person_id != scope.person_id:
        raise NotFound("approval_delegation")
    d.cancelled_at = d.cancelled_at or now
