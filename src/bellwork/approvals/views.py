"""What the API shows of requests: list items and a request's full detail (steps with their
approvers, the timeline with attachments, what the viewer may do now)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals import engine
from bellwork.approvals.models import (
    PENDING,
    RETURNED,
    ApprovalCopy,
    ApprovalEvent,
    ApprovalFile,
    ApprovalRequest,
    ApprovalTemplate,
)
from bellwork.approvals.schemas import (
    ApprovalFileOut,
    ApprovalItem,
    ApprovalOut,
    EventOut,
    StepOut,
    TaskOut,
)
from bellwork.approvals.templates import form_version
from bellwork.chat.schemas import PersonRef
from bellwork.chat.shaping import person_refs
from bellwork.files.uploads import describe
from bellwork.forms.fields import label_text
from bellwork.forms.models import FormTemplate
from bellwork.org.access import Scope

MAX_TIMELINE = 500


def file_url(request_id: int, file_id: int) -> str:
    return f"/api/v1/approvals/{request_id}/files/{file_id}"


def _label(name: dict[str, Any]) -> str:
    """A step's name in the reader's language."""
    label: dict[Literal["zh-CN", "en"], str] = {}
    for key in ("zh-CN", "en"):
        if key in name:
            label[key] = str(name[key])
    return label_text(label)


def _ref(people: dict[int, PersonRef], pid: int | None) -> PersonRef | None:
    if pid is None:
        return None
    return people.get(pid) or PersonRef(id=pid, name="")


async def items(db: AsyncSession, rows: list[ApprovalRequest]) -> list[ApprovalItem]:
    if not rows:
        return []
    tids = {r.template_id for r in rows}
    named = await db.execute(
        select(ApprovalTemplate.id, FormTemplate.name, ApprovalTemplate.kind)
        .join(FormTemplate, FormTemplate.id == ApprovalTemplate.form_template_id)
        .where(ApprovalTemplate.id.in_(tids))
    )
    templates = {int(i): (n, k) for i, n, k in named.all()}
    current: dict[int, tuple[str, list[int]]] = {}
    for r in rows:
        if r.status != PENDING:
            continue
        steps = await engine.steps_of(db, r)
        step = next((s for s in steps if s.status == PENDING), None)
        if step is None:
            continue
        tasks = await engine.tasks_of(db, [step.id])
        current[r.id] = (
            _label(step.name),
            [t.approver_id for t in tasks if t.status == PENDING],
        )
    people = await person_refs(
        db,
        {r.submitter_id for r in rows}
        | {r.subject_id for r in rows}
        | {p for _, ps in current.values() for p in ps},
    )
    out = []
    for r in rows:
        step_name, waiting = current.get(r.id, (None, []))
        sub = _ref(people, r.submitter_id)
        subj = _ref(people, r.subject_id)
        assert sub is not None and subj is not None
        out.append(
            ApprovalItem(
                id=r.id,
                template_id=r.template_id,
                template_name=templates[r.template_id][0],
                kind=templates[r.template_id][1],
                title=r.title,
                submitter=sub,
                subject=subj,
                status=r.status,
                current_step=step_name,
                waiting_on=[p for p in (_ref(people, x) for x in waiting) if p is not None],
                created_at=r.created_at,
                updated_at=r.updated_at,
            )
        )
    return out


def _files(req_id: int, rows: Iterable[ApprovalFile]) -> list[ApprovalFileOut]:
    return [describe(f, ApprovalFileOut, file_url(req_id, f.id)) for f in rows]


async def request_out(db: AsyncSession, scope: Scope, req: ApprovalRequest) -> ApprovalOut:
    (item,) = await items(db, [req])
    at = await db.get(ApprovalTemplate, req.template_id)
    assert at is not None
    version = await form_version(db, at, req.form_version)
    steps = await engine.steps_of(db, req)
    tasks = await engine.tasks_of(db, [s.id for s in steps])
    events = list(
        (
            await db.execute(
                select(ApprovalEvent)
                .where(ApprovalEvent.request_id == req.id)
                .order_by(ApprovalEvent.seq)
                .limit(MAX_TIMELINE)
            )
        ).scalars()
    )
    files = list(
        (
            await db.execute(
                select(ApprovalFile)
                .where(ApprovalFile.request_id == req.id, ApprovalFile.event_id.is_not(None))
                .order_by(ApprovalFile.id)
            )
        ).scalars()
    )
    copies = [
        int(p)
        for p in (
            await db.execute(
                select(ApprovalCopy.person_id)
                .where(ApprovalCopy.request_id == req.id)
                .order_by(ApprovalCopy.id)
            )
        ).scalars()
    ]
    ids: set[int] = set(copies)
    ids |= {t.approver_id for t in tasks} | {t.on_behalf_of for t in tasks if t.on_behalf_of}
    ids |= {e.actor_id for e in events if e.actor_id} | {e.target_id for e in events if e.target_id}
    people = await person_refs(db, ids)
    by_event: dict[int, list[ApprovalFile]] = {}
    for f in files:
        assert f.event_id is not None
        by_event.setdefault(f.event_id, []).append(f)
    step_out = []
    for s in steps:
        mine = [t for t in tasks if t.step_id == s.id]
        step_out.append(
            StepOut(
                position=s.position,
                name=_label(s.name),
                mode=s.mode,
                status=s.status,
                tasks=[
                    TaskOut(
                        approver=_ref(people, t.approver_id) or PersonRef(id=0, name=""),
                        on_behalf_of=_ref(people, t.on_behalf_of),
                        status=t.status,
                        decided_at=t.decided_at,
                    )
                    for t in mine
                ],
            )
        )
    me = scope.person_id
    return ApprovalOut(
        **item.model_dump(),
        form_version=req.form_version,
        flow_version=req.flow_version,
        round=req.round,
        definition=version.definition,
        answers=req.answers,
        starts_on=req.starts_on,
        ends_on=req.ends_on,
        steps=step_out,
        cc=[p for p in (_ref(people, c) for c in copies) if p is not None],
        timeline=[
            EventOut(
                seq=e.seq,
                actor=_ref(people, e.actor_id),
                action=e.action,
                target=_ref(people, e.target_id),
                step=e.step,
                body=e.body,
                files=_files(req.id, by_event.get(e.id, [])),
                created_at=e.created_at,
            )
            for e in events
        ],
        may_decide=req.status == PENDING
        and any(t.approver_id == me and t.status == PENDING for t in tasks),
        may_withdraw=req.submitter_id == me and req.status in (PENDING, RETURNED),
        may_resubmit=req.submitter_id == me and req.status == RETURNED,
    )
