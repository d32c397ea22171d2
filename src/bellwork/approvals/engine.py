"""The state of a request and its steps (docs/approvals.md, "How a request moves").

Every action on a request first takes its row (`lock`: `UPDATE … SET revision = revision + 1`),
which PostgreSQL holds until commit and SQLite's single writer holds anyway: two approvers
pressing at once are put in a line, and the second reads what the first wrote. So in an "any
one" step the first decision ends the step, the others' tasks are closed, and the second
press is refused (409 `approval_step_decided`) — one decision, recorded once. The same person
pressing again is answered with the request as it is, nothing recorded twice.

A round: the steps planned at submission (or resubmission) from the request's flow version.
The first step with approvers is `pending`, its approvers' tasks too (handed to a delegate
when the approver delegated that day); an approved step starts the next; the last approved
approves the request. Steps with nobody to approve are `skipped`, said in the timeline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals import cards, outcomes
from bellwork.approvals.flow import PlannedStep
from bellwork.approvals.models import (
    ALL,
    APPROVED,
    CANCELLED,
    PENDING,
    SKIPPED,
    WAITING,
    ApprovalCopy,
    ApprovalDelegation,
    ApprovalEvent,
    ApprovalRequest,
    ApprovalStep,
    ApprovalTask,
    ApprovalTemplate,
)
from bellwork.core.errors import NotFound


async def lock(db: AsyncSession, request_id: int) -> ApprovalRequest:
    """The request, its row taken for this transaction, read fresh."""
    await db.execute(
        update(ApprovalRequest)
        .where(ApprovalRequest.id == request_id)
        .values(revision=ApprovalRequest.revision + 1)
        .execution_options(synchronize_session=False)
    )
    req = (
        await db.execute(
            select(ApprovalRequest)
            .where(ApprovalRequest.id == request_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if req is None:
        raise NotFound("approval")
    return req


async def note(
    db: AsyncSession,
    req: ApprovalRequest,
    actor_id: int | None,
    action: str,
    now: datetime,
    *,
    target_id: int | None = None,
    step: int | None = None,
    body: str | None = None,
) -> ApprovalEvent:
    """An entry of the timeline (the request is locked: its numbers are in a line)."""
    req.event_count += 1
    req.updated_at = now
    event = ApprovalEvent(
        request_id=req.id,
        seq=req.event_count,
        actor_id=actor_id,
        action=action,
        target_id=target_id,
        step=step,
        body=body or None,
        created_at=now,
    )
    db.add(event)
    await db.flush()
    return event


async def steps_of(db: AsyncSession, req: ApprovalRequest) -> list[ApprovalStep]:
    return list(
        (
            await db.execute(
                select(ApprovalStep)
                .where(ApprovalStep.request_id == req.id, ApprovalStep.round == req.round)
                .order_by(ApprovalStep.position)
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )


async def tasks_of(db: AsyncSession, step_ids: list[int]) -> list[ApprovalTask]:
    if not step_ids:
        return []
    return list(
        (
            await db.execute(
                select(ApprovalTask)
                .where(ApprovalTask.step_id.in_(step_ids))
                .order_by(ApprovalTask.id)
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )


async def delegate_of(db: AsyncSession, person_id: int, day: date) -> int | None:
    """Whom the person handed their approvals to on `day`, if anyone."""
    found = (
        await db.execute(
            select(ApprovalDelegation.delegate_id)
            .where(
                ApprovalDelegation.person_id == person_id,
                ApprovalDelegation.cancelled_at.is_(None),
                ApprovalDelegation.starts_on <= day,
                ApprovalDelegation.ends_on >= day,
            )
            .order_by(ApprovalDelegation.id.desc())
            .limit(1)
        )
    ).scalar()
    return int(found) if found is not None else None


async def start_round(
    db: AsyncSession,
    req: ApprovalRequest,
    planned: list[PlannedStep],
    now: datetime,
    today: date,
) -> None:
    """Writes the round's steps and their approvers' tasks, then starts the first."""
    for p in planned:
        step = ApprovalStep(
            request_id=req.id,
            round=req.round,
            position=p.position,
            name=dict(p.name) if isinstance(p.name, dict) else {"zh-CN": p.name, "en": p.name},
            mode=p.mode,
            status=WAITING,
        )
        db.add(step)
        await db.flush()
        for person in p.approvers:
            db.add(
                ApprovalTask(step_id=step.id, request_id=req.id, approver_id=person, status=WAITING)
            )
    await db.flush()
    await advance(db, req, now, today)


async def _activate(
    db: AsyncSession, req: ApprovalRequest, step: ApprovalStep, now: datetime, today: date
) -> bool:
    """Starts a step: its tasks pending (a delegate's when the approver delegated today);
    False when it has nobody (skipped)."""
    tasks = await tasks_of(db, [step.id])
    if not tasks:
        step.status = SKIPPED
        step.decided_at = now
        await note(db, req, None, "skip", now, step=step.position)
        return False
    step.status = PENDING
    step.started_at = now
    holders = {t.approver_id for t in tasks}
    for t in tasks:
        delegate = await delegate_of(db, t.approver_id, today)
        if delegate is not None and delegate not in holders and delegate != req.submitter_id:
            t.on_behalf_of = t.approver_id
            t.approver_id = delegate
            holders.add(delegate)
        t.status = PENDING
        t.started_at = now
    await db.flush()
    await cards.post_cards(db, req, [(t.id, t.approver_id) for t in tasks])
    return True


async def advance(db: AsyncSession, req: ApprovalRequest, now: datetime, today: date) -> None:
    """Starts the next waiting step of the round; approves the request when none is left."""
    for step in await steps_of(db, req):
        if step.status == WAITING and await _activate(db, req, step, now, today):
            return
    req.status = APPROVED
    req.finished_at = now
    await note(db, req, None, "approved", now)
    template = await db.get(ApprovalTemplate, req.template_id)
    await outcomes.approved(db, req, template.kind if template is not None else None)


def step_done(step: ApprovalStep, tasks: list[ApprovalTask]) -> bool:
    """Whether an approved task ends its step: "any" at once, "all" when none is pending."""
    if step.mode != ALL:
        return True
    return not any(t.status == PENDING for t in tasks)


async def close_open(db: AsyncSession, req: ApprovalRequest, now: datetime) -> None:
    """Every step and task of the round still open is cancelled (the request ended)."""
    steps = await steps_of(db, req)
    for step in steps:
        if step.status in (WAITING, PENDING):
            step.status = CANCELLED
            step.decided_at = now
    for t in await tasks_of(db, [s.id for s in steps]):
        if t.status in (WAITING, PENDING):
            t.status = CANCELLED
            t.decided_at = now
    await db.flush()


async def involved(db: AsyncSession, req: ApprovalRequest) -> set[int]:
    """Everyone told of a change: the submitter, the subject, every approver (and whom they
    act for) of any round, and the copies."""
    people = {req.submitter_id, req.subject_id}
    rows = await db.execute(
        select(ApprovalTask.approver_id, ApprovalTask.on_behalf_of).where(
            ApprovalTask.request_id == req.id
        )
    )
    for a, b in rows.all():
        people.add(int(a))
        if b is not None:
            people.add(int(b))
    copies = await db.execute(
        select(ApprovalCopy.person_id).where(ApprovalCopy.request_id == req.id)
    )
    people |= {int(p) for p in copies.scalars()}
    return people
