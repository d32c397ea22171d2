"""What approvers and submitters do to a request (docs/approvals.md, "Actions"): approve,
reject, return for changes, transfer, add an approver, comment (with attachments), withdraw.
Each takes the request's row first (`engine.lock`), so actions on one request happen one after
another; each adds an entry to the timeline and tells everyone involved (`approval.changed`).

- Approve / reject / return / transfer / add: only an approver with a pending task in the
  current step (a delegate acts in the approver's place). Pressing again what one already did
  answers the request as it is (idempotent); a step another approver already decided answers
  409 `approval_step_decided`; a request no longer pending answers 409 `approval_closed`.
- Withdraw: the submitter, while pending or returned.
- Comment: anyone who may read the request, with up to 9 files uploaded to it first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals import cards, engine
from bellwork.approvals.models import (
    APPROVED,
    CANCELLED,
    PENDING,
    REJECTED,
    RETURNED,
    TRANSFERRED,
    WITHDRAWN,
    ApprovalFile,
    ApprovalRequest,
    ApprovalStep,
    ApprovalTask,
    ApprovalTemplate,
)
from bellwork.approvals.requests import access_request, tell, today_at
from bellwork.approvals.schemas import ApprovalFileOut
from bellwork.approvals.views import file_url
from bellwork.core.errors import Invalid, NotFound, Problem
from bellwork.files import uploads
from bellwork.org.access import Scope
from bellwork.org.models import Person
from bellwork.runtime import runtime_of

Decision = str  # "approve" | "reject" | "return"
MAX_FILE = 50 * 1024 * 1024
MAX_IMAGE = 20 * 1024 * 1024
DONE_AS = {"approve": APPROVED, "reject": REJECTED, "return": RETURNED}


async def _current(
    db: AsyncSession, req: ApprovalRequest, person_id: int
) -> tuple[ApprovalStep, list[ApprovalTask], ApprovalTask | None]:
    """The pending step, its tasks and the person's task in it (None if they have none)."""
    steps = await engine.steps_of(db, req)
    step = next((s for s in steps if s.status == PENDING), None)
    if step is None:
        raise Problem("approval_closed", 409)
    tasks = await engine.tasks_of(db, [step.id])
    mine = next((t for t in tasks if t.approver_id == person_id), None)
    return step, tasks, mine


async def _locked_for(db: AsyncSession, scope: Scope, request_id: int) -> ApprovalRequest:
    await access_request(db, scope, request_id)  # 404 for those who may not read it
    return await engine.lock(db, request_id)


async def _already(db: AsyncSession, req: ApprovalRequest, person_id: int, status: str) -> bool:
    """Whether the person's latest task in this round already has `status` (a repeat)."""
    steps = await engine.steps_of(db, req)
    tasks = await engine.tasks_of(db, [s.id for s in steps])
    own = [t for t in tasks if t.approver_id == person_id and t.decided_at is not None]
    return bool(own) and own[-1].status == status


async def decide(
    db: AsyncSession, scope: Scope, request_id: int, decision: Decision, comment: str, now: datetime
) -> ApprovalRequest:
    req = await _locked_for(db, scope, request_id)
    me = scope.person_id
    if req.status != PENDING:
        if await _already(db, req, me, DONE_AS[decision]):
            return req
        steps = await engine.steps_of(db, req)
        had = any(t.approver_id == me for t in await engine.tasks_of(db, [s.id for s in steps]))
        decided = had and req.status != WITHDRAWN
        raise Problem("approval_step_decided" if decided else "approval_closed", 409)
    step, tasks, mine = await _current(db, req, me)
    if mine is None:
        if await _already(db, req, me, DONE_AS[decision]):
            return req  # one's own step was decided by oneself: a repeat
        raise Problem("approval_not_your_turn", 403)
    if mine.status != PENDING:
        if mine.status == DONE_AS[decision]:
            return req
        if mine.status == TRANSFERRED:
            raise Problem("approval_not_your_turn", 403)
        raise Problem("approval_step_decided", 409)
    at = await db.get(ApprovalTemplate, req.template_id)
    assert at is not None
    mine.status = DONE_AS[decision]
    mine.decided_at = now
    await engine.note(db, req, me, decision, now, step=step.position, body=comment)
    if decision == "approve":
        if engine.step_done(step, tasks):
            step.status = APPROVED
            step.decided_at = now
            for t in tasks:
                if t.status == PENDING:
                    t.status = CANCELLED
                    t.decided_at = now
            await db.flush()
            await engine.advance(db, req, now, await today_at(db, at, now))
    else:
        step.status = REJECTED if decision == "reject" else CANCELLED
        step.decided_at = now
        req.status = REJECTED if decision == "reject" else RETURNED
        if decision == "reject":
            req.finished_at = now
        await engine.close_open(db, req, now)
    await db.flush()
    await tell(db, req, decision)
    return req


async def _person(db: AsyncSession, pid: int, field: str) -> Person:
    person = await db.get(Person, pid)
    if person is None or person.deactivated_at is not None:
        raise Invalid("approval_person_unknown", errors=[{"field": field}])
    return person


async def transfer(
    db: AsyncSession, scope: Scope, request_id: int, to: int, comment: str, now: datetime
) -> ApprovalRequest:
    """Hands one's pending task in the current step to another person."""
    req = await _locked_for(db, scope, request_id)
    if req.status != PENDING:
        raise Problem("approval_closed", 409)
    step, tasks, mine = await _current(db, req, scope.person_id)
    if mine is None or mine.status != PENDING:
        raise Problem("approval_not_your_turn", 403)
    await _person(db, to, "to")
    if to == req.submitter_id or any(t.approver_id == to for t in tasks):
        raise Invalid("approval_already_approver", errors=[{"field": "to"}])
    mine.status = TRANSFERRED
    mine.decided_at = now
    new = ApprovalTask(
        step_id=step.id, request_id=req.id, approver_id=to, status=PENDING, started_at=now
    )
    db.add(new)
    await db.flush()
    await cards.post_cards(db, req, [(new.id, to)])
    await engine.note(
        db, req, scope.person_id, "transfer", now, target_id=to, step=step.position, body=comment
    )
    await tell(db, req, "transfer")
    return req


async def add_approver(
    db: AsyncSession, scope: Scope, request_id: int, person_id: int, comment: str, now: datetime
) -> ApprovalRequest:
    """Adds a person to the current step (加签): in an "all" step they must approve too."""
    req = await _locked_for(db, scope, request_id)
    if req.status != PENDING:
        raise Problem("approval_closed", 409)
    step, tasks, mine = await _current(db, req, scope.person_id)
    if mine is None or mine.status != PENDING:
        raise Problem("approval_not_your_turn", 403)
    await _person(db, person_id, "person_id")
    if person_id == req.submitter_id or any(t.approver_id == person_id for t in tasks):
        raise Invalid("approval_already_approver", errors=[{"field": "person_id"}])
    new = ApprovalTask(
        step_id=step.id, request_id=req.id, approver_id=person_id, status=PENDING, started_at=now
    )
    db.add(new)
    await db.flush()
    await cards.post_cards(db, req, [(new.id, person_id)])
    await engine.note(
        db,
        req,
        scope.person_id,
        "add_approver",
        now,
        target_id=person_id,
        step=step.position,
        body=comment,
    )
    await tell(db, req, "add_approver")
    return req


async def withdraw(
    db: AsyncSession, scope: Scope, request_id: int, now: datetime
) -> ApprovalRequest:
    req = await _locked_for(db, scope, request_id)
    if req.submitter_id != scope.person_id:
        raise Problem("approval_not_submitter", 403)
    if req.status == WITHDRAWN:
        return req
    if req.status not in (PENDING, RETURNED):
        raise Problem("approval_closed", 409)
    req.status = WITHDRAWN
    req.finished_at = now
    await engine.close_open(db, req, now)
    await engine.note(db, req, scope.person_id, "withdraw", now)
    await tell(db, req, "withdraw")
    return req


async def comment(
    db: AsyncSession, scope: Scope, request_id: int, body: str, file_ids: list[int], now: datetime
) -> ApprovalRequest:
    if not body and not file_ids:
        raise Invalid("approval_comment_empty", errors=[{"field": "body"}])
    req = await _locked_for(db, scope, request_id)
    files = []
    for i, fid in enumerate(dict.fromkeys(file_ids)):
        f = await db.get(ApprovalFile, fid)
        if (
            f is None
            or f.request_id != req.id
            or f.uploader_id != scope.person_id
            or f.event_id is not None
        ):
            raise Invalid("approval_file_unknown", errors=[{"field": f"file_ids.{i}"}])
        files.append(f)
    event = await engine.note(db, req, scope.person_id, "comment", now, body=body)
    for f in files:
        f.event_id = event.id
    await db.flush()
    await tell(db, req, "comment")
    return req


async def upload(
    db: AsyncSession, scope: Scope, request_id: int, name: str, claimed: str | None, data: bytes
) -> ApprovalFileOut:
    """A file for a comment one is writing on a request (images 20 MB, others 50 MB)."""
    await access_request(db, scope, request_id)
    store = runtime_of(db).files
    got = await uploads.receive(store, name, claimed, data, max_bytes=MAX_FILE, max_image=MAX_IMAGE)
    row = ApprovalFile(request_id=request_id, uploader_id=scope.person_id, **got.columns())
    row = await uploads.add(db, store, row)
    return uploads.describe(row, ApprovalFileOut, file_url(request_id, row.id))


async def readable_file(
    db: AsyncSession, scope: Scope, request_id: int, file_id: int
) -> ApprovalFile:
    """A file of a request one may read: a comment's, or one's own loose upload."""
    await access_request(db, scope, request_id)
    f = (
        await db.execute(
            select(ApprovalFile).where(
                ApprovalFile.id == file_id, ApprovalFile.request_id == request_id
            )
        )
    ).scalar_one_or_none()
    if f is None or (f.event_id is None and f.uploader_id != scope.person_id):
        raise NotFound("file")
    return f
