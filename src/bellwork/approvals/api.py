"""Approvals over HTTP (docs/approvals.md): templates and their flows, submitting, the
actions, the four lists, attachments, delegation and export."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import File, Query, Request, Response, UploadFile

from bellwork.approvals import actions, delegation, export, requests, templates
from bellwork.approvals.schemas import (
    ActionIn,
    AddApproverIn,
    ApprovalBuiltinOut,
    ApprovalCommentIn,
    ApprovalFileOut,
    ApprovalFlowUpdate,
    ApprovalIn,
    ApprovalListOut,
    ApprovalOut,
    ApprovalResubmit,
    ApprovalSubmitPage,
    ApprovalTemplateCreate,
    ApprovalTemplateOut,
    Box,
    DelegationIn,
    DelegationOut,
    Status,
    TransferIn,
)
from bellwork.approvals.views import request_out
from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.routing import Router
from bellwork.core.types import MAX_ID, PathId
from bellwork.db.base import utcnow
from bellwork.files import responses as stored
from bellwork.runtime import runtime_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = Router(prefix="/api/v1/approvals", tags=["approvals"])
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
TextQuery = Annotated[str | None, Query(max_length=100)]


@router.get("/builtins", response_model=list[ApprovalBuiltinOut])
async def builtin_templates(actor: CurrentActor) -> list[ApprovalBuiltinOut]:
    """The built-in approval templates (leave, expense claim, purchase, student leave)."""
    return templates.builtins()


@router.get("/templates", response_model=list[ApprovalTemplateOut])
async def list_templates(
    db: DB, scope: CurrentScope, unit_id: IdQuery = None
) -> list[ApprovalTemplateOut]:
    """Without `unit_id`: the templates one submits with. With it: the unit's and those above
    it, for its designers (403 `form_not_allowed`)."""
    if unit_id is None:
        return await templates.mine(db, scope)
    return await templates.of_unit(db, scope, unit_id)


@router.post("/templates", response_model=ApprovalTemplateOut, status_code=201)
async def create_template(
    data: ApprovalTemplateCreate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> ApprovalTemplateOut:
    """A template for a unit, from a built-in one or from questions and a flow."""
    return await templates.create(db, actor, scope, data)


@router.put("/templates/{template_id}/flow", response_model=ApprovalTemplateOut)
async def update_flow(
    template_id: PathId, data: ApprovalFlowUpdate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> ApprovalTemplateOut:
    """A new version of the flow; requests already submitted keep the version they started
    with."""
    return await templates.update_flow(db, actor, scope, template_id, data.flow)


@router.delete("/templates/{template_id}", status_code=204)
async def archive_template(
    template_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> Response:
    await templates.archive(db, actor, scope, template_id, utcnow())
    return Response(status_code=204)


@router.get("/templates/{template_id}/submit", response_model=ApprovalSubmitPage)
async def submit_page(
    template_id: PathId, db: DB, scope: CurrentScope, subject_id: IdQuery = None
) -> ApprovalSubmitPage:
    """The form to fill, whom it may be for (a guardian's children) and the leave balance."""
    return await requests.submit_page(db, scope, template_id, subject_id, utcnow())


@router.post("", response_model=ApprovalOut, status_code=201)
async def submit(
    data: ApprovalIn, response: Response, db: DB, actor: CurrentActor, scope: CurrentScope
) -> ApprovalOut:
    """Submits a request: 201 stored, 200 a retry of the same `client_id`. Invalid answers:
    422 `form_answers_invalid`, each under `answers.<key>`."""
    req, created = await requests.submit(db, actor, scope, data, utcnow())
    if not created:
        response.status_code = 200
    return await request_out(db, scope, req)


@router.get("", response_model=ApprovalListOut)
async def listing(
    db: DB,
    scope: CurrentScope,
    box: Box = "waiting",
    status: Status | None = None,
    template_id: IdQuery = None,
    q: TextQuery = None,
    since: date | None = None,
    before: IdQuery = None,
) -> ApprovalListOut:
    """My requests (`mine`), waiting for me, done by me, copied to me; newest first, filtered
    by state, template, words of the title and the day submitted from."""
    return await requests.listing(
        db, scope, box, status=status, template_id=template_id, text=q, since=since, before=before
    )


@router.get("/export", response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def export_list(
    db: DB,
    scope: CurrentScope,
    box: Box = "mine",
    status: Status | None = None,
    template_id: IdQuery = None,
    q: TextQuery = None,
    since: date | None = None,
) -> Response:
    """The same list as an XLSX file (audited)."""
    name, data = await export.export(db, scope, box, status, template_id, q, since, utcnow())
    return Response(
        data,
        media_type=XLSX,
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get("/delegations", response_model=list[DelegationOut])
async def my_delegations(db: DB, scope: CurrentScope) -> list[DelegationOut]:
    """One's delegations that have not ended."""
    return await delegation.mine(db, scope, utcnow())


@router.post("/delegations", response_model=DelegationOut, status_code=201)
async def delegate(data: DelegationIn, db: DB, scope: CurrentScope) -> DelegationOut:
    """While on leave: one's approvals from `starts_on` to `ends_on` go to `delegate_id`."""
    return await delegation.create(db, scope, data, utcnow())


@router.delete("/delegations/{delegation_id}", status_code=204)
async def cancel_delegation(delegation_id: PathId, db: DB, scope: CurrentScope) -> Response:
    await delegation.cancel(db, scope, delegation_id, utcnow())
    return Response(status_code=204)


@router.get("/{request_id}", response_model=ApprovalOut)
async def read(request_id: PathId, db: DB, scope: CurrentScope) -> ApprovalOut:
    """A request with its steps and timeline, for its submitter, subject, approvers and
    copies (404 for anyone else)."""
    out: ApprovalOut = await requests.read(db, scope, request_id)
    return out


@router.post("/{request_id}/approve", response_model=ApprovalOut)
async def approve(request_id: PathId, data: ActionIn, db: DB, scope: CurrentScope) -> ApprovalOut:
    req = await actions.decide(db, scope, request_id, "approve", data.comment, utcnow())
    return await request_out(db, scope, req)


@router.post("/{request_id}/reject", response_model=ApprovalOut)
async def reject(request_id: PathId, data: ActionIn, db: DB, scope: CurrentScope) -> ApprovalOut:
    req = await actions.decide(db, scope, request_id, "reject", data.comment, utcnow())
    return await request_out(db, scope, req)


@router.post("/{request_id}/return", response_model=ApprovalOut)
async def send_back(request_id: PathId, data: ActionIn, db: DB, scope: CurrentScope) -> ApprovalOut:
    """Returns it to the submitter for changes (they resubmit it, or withdraw it)."""
    req = await actions.decide(db, scope, request_id, "return", data.comment, utcnow())
    return await request_out(db, scope, req)


@router.post("/{request_id}/transfer", response_model=ApprovalOut)
async def transfer(
    request_id: PathId, data: TransferIn, db: DB, scope: CurrentScope
) -> ApprovalOut:
    req = await actions.transfer(db, scope, request_id, data.to, data.comment, utcnow())
    return await request_out(db, scope, req)


@router.post("/{request_id}/approvers", response_model=ApprovalOut)
async def add_approver(
    request_id: PathId, data: AddApproverIn, db: DB, scope: CurrentScope
) -> ApprovalOut:
    req = await actions.add_approver(db, scope, request_id, data.person_id, data.comment, utcnow())
    return await request_out(db, scope, req)


@router.post("/{request_id}/withdraw", response_model=ApprovalOut)
async def withdraw(request_id: PathId, db: DB, scope: CurrentScope) -> ApprovalOut:
    req = await actions.withdraw(db, scope, request_id, utcnow())
    return await request_out(db, scope, req)


@router.post("/{request_id}/resubmit", response_model=ApprovalOut)
async def resubmit(
    request_id: PathId, data: ApprovalResubmit, db: DB, actor: CurrentActor, scope: CurrentScope
) -> ApprovalOut:
    req = await requests.resubmit(db, actor, request_id, data.answers, utcnow())
    return await request_out(db, scope, req)


@router.post("/{request_id}/comments", response_model=ApprovalOut, status_code=201)
async def comment(
    request_id: PathId, data: ApprovalCommentIn, db: DB, scope: CurrentScope
) -> ApprovalOut:
    req = await actions.comment(db, scope, request_id, data.body, data.file_ids, utcnow())
    return await request_out(db, scope, req)


@router.post("/{request_id}/files", response_model=ApprovalFileOut, status_code=201)
async def upload(
    request_id: PathId, db: DB, scope: CurrentScope, file: Annotated[UploadFile, File()]
) -> ApprovalFileOut:
    """A file for a comment one is writing (images 20 MB, others 50 MB)."""
    data = await file.read(actions.MAX_FILE + 1)
    return await actions.upload(
        db, scope, request_id, file.filename or "file", file.content_type, data
    )


@router.get("/{request_id}/files/{file_id}")
async def download(
    request_id: PathId, file_id: PathId, request: Request, db: DB, scope: CurrentScope
) -> Response:
    f = await actions.readable_file(db, scope, request_id, file_id)
    return await stored.send_file(
        request, runtime_of(db).files, f, inline=f.content_type.startswith("image/")
    )
