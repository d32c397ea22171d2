"""Submitting a request, reading it, and the lists (docs/approvals.md, "Requests").

A request is filled on the form version its submitter opened (`ApprovalIn.version`) and checked
with forms' own `check_answers` (every invalid answer named at once: 422
`form_answers_invalid`); it is planned on the template's newest flow version and keeps both.
A leave's last day may not come before its first (`answers.end`), nor its days pass the
balance (`answers.days`, `approval_leave_balance`). A retry of the same `client_id` answers the
first request.

Who may read a request: its submitter, whom it is for, its approvers (of any round, and whom a
delegate acts for) and its copies; anyone else gets 404, as for one that does not exist."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals import engine, leave, live, search
from bellwork.approvals.builtin import LEAVE_KINDS, STUDENT_LEAVE
from bellwork.approvals.flow import plan
from bellwork.approvals.models import (
    PENDING,
    RETURNED,
    ApprovalCopy,
    ApprovalEvent,
    ApprovalRequest,
    ApprovalTask,
    ApprovalTemplate,
)
from bellwork.approvals.schemas import (
    ApprovalIn,
    ApprovalItem,
    ApprovalListOut,
    ApprovalSubmitPage,
    Box,
)
from bellwork.approvals.templates import (
    access_template,
    children_in,
    flow_of,
    form_version,
    may_submit,
    shape,
)
from bellwork.approvals.views import items, request_out
from bellwork.auth.service import Actor
from bellwork.chat.schemas import PersonRef
from bellwork.core.errors import Invalid, NotFound, Problem
from bellwork.forms.fields import check_answers
from bellwork.forms.models import FormTemplate
from bellwork.forms.rules import FormDefinition
from bellwork.org.access import Scope
from bellwork.org.models import Person, Unit
from bellwork.org.settings import unit_time_zone

MAX_LISTED = 100
DECIDED = ("approve", "reject", "return", "transfer")


async def today_at(db: AsyncSession, at: ApprovalTemplate, now: datetime) -> date:
    return now.astimezone(await unit_time_zone(db, at.unit_id)).date()


async def _subjects(db: AsyncSession, scope: Scope, at: ApprovalTemplate) -> list[Person]:
    if at.kind != STUDENT_LEAVE:
        me = await db.get(Person, scope.person_id)
        assert me is not None
        return [me]
    unit = await db.get(Unit, at.unit_id)
    assert unit is not None
    return await children_in(db, scope.person_id, unit.path)


async def submit_page(
    db: AsyncSession, scope: Scope, template_id: int, subject_id: int | None, now: datetime
) -> ApprovalSubmitPage:
    at = await access_template(db, scope, template_id)
    if not await may_submit(db, scope.person_id, at):
        raise NotFound("approval_template")
    subjects = await _subjects(db, scope, at)
    subject = next((s for s in subjects if s.id == subject_id), subjects[0])
    flow = await flow_of(db, at.id, at.flow_version)
    year = (await today_at(db, at, now)).year
    return ApprovalSubmitPage(
        template=await shape(db, scope, at),
        subjects=[PersonRef(id=s.id, name=s.name) for s in subjects],
        balance=await leave.balances(db, subject.id, at.id, flow, year),
    )


async def _check(
    db: AsyncSession,
    at: ApprovalTemplate,
    version: int,
    answers: dict[str, Any],
    subject_id: int,
    leave_out: int = 0,
) -> tuple[dict[str, Any], tuple[date, date] | None]:
    """The clean answers and, for a leave, its days; 422 naming every problem."""
    row = await form_version(db, at, version)
    definition = FormDefinition.model_validate(row.definition)
    clean, errors = check_answers(definition.fields, answers)
    if errors:
        raise Problem("form_answers_invalid", 422, errors=errors, count=len(errors))
    row.used = True
    if at.kind not in LEAVE_KINDS:
        return clean, None
    days = leave.days_of(clean)
    if days is None:
        return clean, None
    if days[1] < days[0]:
        raise Invalid("approval_leave_dates", errors=[{"field": "answers.end"}])
    flow = await flow_of(db, at.id, at.flow_version)
    kind = str(clean.get("leave_type"))
    for b in await leave.balances(db, subject_id, at.id, flow, days[0].year, leave_out):
        if b.leave_type == kind and float(clean.get("days") or 0) > b.remaining:
            raise Invalid(
                "approval_leave_balance",
                errors=[{"field": "answers.days"}],
                remaining=f"{b.remaining:g}",
            )
    return clean, days


async def submit(
    db: AsyncSession, actor: Actor, scope: Scope, data: ApprovalIn, now: datetime
) -> tuple[ApprovalRequest, bool]:
    """Stores the request and starts its first step; whether it is new."""
    earlier = (
        await db.execute(
            select(ApprovalRequest).where(
                ApprovalRequest.submitter_id == actor.id,
                ApprovalRequest.client_id == data.client_id,
            )
        )
    ).scalar_one_or_none()
    if earlier is not None:
        return earlier, False
    at = await access_template(db, scope, data.template_id)
    if not await may_submit(db, actor.id, at):
        raise NotFound("approval_template")
    subjects = await _subjects(db, scope, at)
    wanted = data.subject_id if data.subject_id is not None else subjects[0].id
    subject = next((s for s in subjects if s.id == wanted), None)
    if subject is None:
        raise Invalid("approval_subject_unknown", errors=[{"field": "subject_id"}])
    clean, days = await _check(db, at, data.version, data.answers, subject.id)
    flow = await flow_of(db, at.id, at.flow_version)
    ft = await db.get(FormTemplate, at.form_template_id)
    assert ft is not None
    steps, cc = await plan(db, flow, clean, actor.id, subject.id)
    req = ApprovalRequest(
        template_id=at.id,
        form_version=data.version,
        flow_version=at.flow_version,
        submitter_id=actor.id,
        subject_id=subject.id,
        client_id=data.client_id,
        title=f"{subject.name} · {ft.name}"[:200],
        answers=clean,
        status=PENDING,
        starts_on=days[0] if days else None,
        ends_on=days[1] if days else None,
        created_at=now,
        updated_at=now,
    )
    db.add(req)
    await db.flush()
    db.add_all(ApprovalCopy(request_id=req.id, person_id=p, created_at=now) for p in cc)
    await engine.note(db, req, actor.id, "submit", now)
    await engine.start_round(db, req, steps, now, await today_at(db, at, now))
    await tell(db, req, "submit")
    return req, True


async def resubmit(
    db: AsyncSession, actor: Actor, request_id: int, answers: dict[str, Any], now: datetime
) -> ApprovalRequest:
    """A request returned for changes, submitted again with changed answers: a new round of
    the same flow version (its steps planned on the new answers)."""
    req = await engine.lock(db, request_id)
    if req.submitter_id != actor.id:
        raise NotFound("approval")
    if req.status != RETURNED:
        raise Problem("approval_not_returned", 409)
    at = await db.get(ApprovalTemplate, req.template_id)
    assert at is not None
    clean, days = await _check(db, at, req.form_version, answers, req.subject_id, req.id)
    flow = await flow_of(db, at.id, req.flow_version)
    steps, _ = await plan(db, flow, clean, actor.id, req.subject_id)
    req.answers = clean
    req.starts_on, req.ends_on = (days[0], days[1]) if days else (None, None)
    req.round += 1
    req.status = PENDING
    await engine.note(db, req, actor.id, "resubmit", now)
    await engine.start_round(db, req, steps, now, await today_at(db, at, now))
    await tell(db, req, "resubmit")
    return req


async def tell(db: AsyncSession, req: ApprovalRequest, action: str) -> None:
    live.to_people(
        db,
        live.ApprovalChanged(
            request_id=req.id, status=req.status, seq=req.event_count, action=action
        ),
        await engine.involved(db, req),
    )


def _reader(person_id: int) -> Any:
    """Whether a person may read the request: submitter, subject, approver, copy."""
    return or_(
        ApprovalRequest.submitter_id == person_id,
        ApprovalRequest.subject_id == person_id,
        exists().where(
            ApprovalTask.request_id == ApprovalRequest.id,
            or_(ApprovalTask.approver_id == person_id, ApprovalTask.on_behalf_of == person_id),
        ),
        exists().where(
            ApprovalCopy.request_id == ApprovalRequest.id, ApprovalCopy.person_id == person_id
        ),
    )


async def access_request(db: AsyncSession, scope: Scope, request_id: int) -> ApprovalRequest:
    found = (
        await db.execute(
            select(ApprovalRequest).where(
                ApprovalRequest.id == request_id, _reader(scope.person_id)
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("approval")
    return found


async def read(db: AsyncSession, scope: Scope, request_id: int) -> Any:
    return await request_out(db, scope, await access_request(db, scope, request_id))


def waiting_clause(person_id: int) -> Any:
    return exists().where(
        ApprovalTask.request_id == ApprovalRequest.id,
        ApprovalTask.approver_id == person_id,
        ApprovalTask.status == PENDING,
    )


def box_query(person_id: int, box: Box) -> Any:
    q = select(ApprovalRequest)
    if box == "mine":
        return q.where(ApprovalRequest.submitter_id == person_id)
    if box == "waiting":
        return q.where(ApprovalRequest.status == PENDING, waiting_clause(person_id))
    if box == "done":
        return q.where(
            exists().where(
                ApprovalEvent.request_id == ApprovalRequest.id,
                ApprovalEvent.actor_id == person_id,
                ApprovalEvent.action.in_(DECIDED),
            )
        )
    return q.where(
        exists().where(
            ApprovalCopy.request_id == ApprovalRequest.id, ApprovalCopy.person_id == person_id
        )
    )


async def filtered(
    db: AsyncSession,
    q: Any,
    status: str | None,
    template_id: int | None,
    text: str | None,
    since: date | None,
) -> Any:
    """The list narrowed by state, template, day and words (search.py: the title, the
    submitter's name, the answers to short text questions)."""
    if status is not None:
        q = q.where(ApprovalRequest.status == status)
    if template_id is not None:
        q = q.where(ApprovalRequest.template_id == template_id)
    if since is not None:
        q = q.where(
            ApprovalRequest.created_at >= datetime(since.year, since.month, since.day, tzinfo=UTC)
        )
    if text and text.strip():
        q = q.where(await search.matching(db, q, text))
    return q


async def count_waiting(db: AsyncSession, person_id: int) -> int:
    return int(
        (
            await db.execute(
                select(func.count(func.distinct(ApprovalTask.request_id)))
                .join(ApprovalRequest, ApprovalRequest.id == ApprovalTask.request_id)
                .where(
                    and_(
                        ApprovalTask.approver_id == person_id,
                        ApprovalTask.status == PENDING,
                        ApprovalRequest.status == PENDING,
                    )
                )
            )
        ).scalar_one()
    )


async def listing(
    db: AsyncSession,
    scope: Scope,
    box: Box,
    *,
    status: str | None = None,
    template_id: int | None = None,
    text: str | None = None,
    since: date | None = None,
    before: int | None = None,
    limit: int = MAX_LISTED,
) -> ApprovalListOut:
    """One of the four lists, newest first, filtered; and how many wait for the viewer."""
    q = await filtered(db, box_query(scope.person_id, box), status, template_id, text, since)
    if before is not None:
        q = q.where(ApprovalRequest.id < before)
    rows: list[ApprovalRequest] = list(
        (await db.execute(q.order_by(ApprovalRequest.id.desc()).limit(limit))).scalars()
    )
    return ApprovalListOut(
        items=await items(db, rows), waiting=await count_waiting(db, scope.person_id)
    )


async def listed_all(
    db: AsyncSession,
    scope: Scope,
    box: Box,
    status: str | None,
    template_id: int | None,
    text: str | None,
    since: date | None,
    cap: int,
) -> list[ApprovalItem]:
    q = await filtered(db, box_query(scope.person_id, box), status, template_id, text, since)
    rows: list[ApprovalRequest] = list(
        (await db.execute(q.order_by(ApprovalRequest.id.desc()).limit(cap))).scalars()
    )
    return await items(db, rows)
