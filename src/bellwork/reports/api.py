"""Work reports over HTTP (docs/reports.md): templates, writing, the inbox, comments and a
manager's view of the team."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import Query, Response

from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.routing import Router
from bellwork.core.types import MAX_ID, PathId
from bellwork.db.base import utcnow
from bellwork.reports import comments, team, templates, writing
from bellwork.reports.schemas import (
    ReportBuiltinOut,
    ReportCommentIn,
    ReportCommentOut,
    ReportIn,
    ReportInboxOut,
    ReportOut,
    ReportTeamOut,
    ReportTemplateCreate,
    ReportTemplateOut,
    ReportTemplateUpdate,
    ReportWriteOut,
)

router = Router(prefix="/api/v1/reports", tags=["reports"])
UnitQuery = Annotated[int | None, Query(ge=0, le=MAX_ID)]


@router.get("/builtins", response_model=list[ReportBuiltinOut])
async def builtin_templates(actor: CurrentActor) -> list[ReportBuiltinOut]:
    """The built-in report templates (daily progress, daily sales), in the reader's language."""
    return templates.builtins()


@router.get("/templates", response_model=list[ReportTemplateOut])
async def list_templates(
    db: DB, scope: CurrentScope, unit_id: UnitQuery = None
) -> list[ReportTemplateOut]:
    """Without `unit_id`: the templates one writes with (of the units one works in and
    above). With it: the unit's and those above it, for its designers (403
    `form_not_allowed`)."""
    if unit_id is None:
        return await templates.mine(db, scope)
    return await templates.of_unit(db, scope, unit_id)


@router.post("/templates", response_model=ReportTemplateOut, status_code=201)
async def create_template(
    data: ReportTemplateCreate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> ReportTemplateOut:
    """A report template for a unit, from a built-in one or from questions; its questions are
    then edited as a forms template (`form_template_id`)."""
    return await templates.create(db, actor, scope, data)


@router.patch("/templates/{template_id}", response_model=ReportTemplateOut)
async def update_template(
    template_id: PathId,
    data: ReportTemplateUpdate,
    db: DB,
    actor: CurrentActor,
    scope: CurrentScope,
) -> ReportTemplateOut:
    """Its period, deadline and reminders."""
    return await templates.update(db, actor, scope, template_id, data)


@router.delete("/templates/{template_id}", status_code=204)
async def archive_template(
    template_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> Response:
    await templates.archive(db, actor, scope, template_id, utcnow())
    return Response(status_code=204)


@router.get("/templates/{template_id}/write", response_model=ReportWriteOut)
async def write_page(template_id: PathId, db: DB, scope: CurrentScope) -> ReportWriteOut:
    """The questions to write the current period's report on, its deadline and default
    recipients (one's managers), and the report already written, if any."""
    return await writing.write_page(db, scope, template_id, utcnow())


@router.get("/templates/{template_id}/team", response_model=ReportTeamOut)
async def team_view(
    template_id: PathId,
    db: DB,
    scope: CurrentScope,
    unit_id: UnitQuery = None,
    day: date | None = None,
) -> ReportTeamOut:
    """A manager's view of a period (the one `day` falls in; the current one by default):
    who submitted, who late, who has not (`unreported`), and the numbers summed."""
    return await team.team_view(db, scope, template_id, unit_id, day, utcnow())


@router.get("/templates/{template_id}/team/export")
async def team_export(
    template_id: PathId,
    db: DB,
    scope: CurrentScope,
    unit_id: UnitQuery = None,
    day: date | None = None,
) -> Response:
    """The same as an XLSX file (audited)."""
    name, data = await team.export(db, scope, template_id, unit_id, day, utcnow())
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.post("", response_model=ReportOut, status_code=201)
async def submit(
    data: ReportIn, response: Response, db: DB, actor: CurrentActor, scope: CurrentScope
) -> ReportOut:
    """Writes a report and sends it to one's managers (or those chosen) and copies. 201
    stored, 200 a retry of the same `client_id`. Invalid answers: 422
    `form_answers_invalid`, each under `answers.<key>`."""
    out, created = await writing.submit(db, actor, scope, data, utcnow())
    if not created:
        response.status_code = 200
    return out


@router.get("", response_model=ReportInboxOut)
async def inbox(
    db: DB,
    scope: CurrentScope,
    box: Literal["received", "sent"] = "received",
    before: UnitQuery = None,
) -> ReportInboxOut:
    """Received (as a recipient or a copy) or sent reports, newest first; `unread`: the
    received ones not read yet."""
    return await writing.inbox(db, scope, box, before)


@router.get("/{report_id}", response_model=ReportOut)
async def report(report_id: PathId, db: DB, scope: CurrentScope) -> ReportOut:
    """A report, for its author, recipients and copies (404 for anyone else); marks it
    read."""
    return await writing.read(db, scope, report_id, utcnow())


@router.get("/{report_id}/comments", response_model=list[ReportCommentOut])
async def thread(report_id: PathId, db: DB, scope: CurrentScope) -> list[ReportCommentOut]:
    """Its comments, oldest first; one's own with who has read them (`read_by`). Reading
    them moves one's read position to the end."""
    return await comments.thread(db, scope, report_id, utcnow())


@router.post("/{report_id}/comments", response_model=ReportCommentOut, status_code=201)
async def comment(
    report_id: PathId, data: ReportCommentIn, db: DB, scope: CurrentScope
) -> ReportCommentOut:
    return await comments.add(db, scope, report_id, data.body, utcnow())
