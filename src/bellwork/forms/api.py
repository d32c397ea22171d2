"""Forms over HTTP (docs/forms.md): templates and their versions, campaigns, filling."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import File, Form, Path, Query, Request, Response, UploadFile

from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.errors import Conflict, NotFound
from bellwork.core.i18n import current_locale
from bellwork.core.routing import Router
from bellwork.core.types import MAX_ID, PathId
from bellwork.db.base import utcnow
from bellwork.files import responses as stored
from bellwork.forms import (
    campaigns,
    cards,
    cases,
    export,
    files,
    filling,
    handdown,
    reminders,
    stats,
    templates,
)
from bellwork.forms.models import FormCampaign
from bellwork.forms.schemas import (
    BuiltinOut,
    CampaignCreate,
    CampaignOut,
    CampaignTemplate,
    CaseNoteIn,
    CaseNoteOut,
    CaseOut,
    EntryOut,
    ExportIn,
    ExportOut,
    FillOut,
    FormFileOut,
    PersonStatus,
    QuestionCounts,
    RemindIn,
    RemindOut,
    Responders,
    RespondersOut,
    StatsOut,
    SubmissionIn,
    SubmissionOut,
    TemplateCreate,
    TemplateOut,
    TemplateUpdate,
    TodoItem,
    TrendDay,
    VersionOut,
)
from bellwork.runtime import runtime_of

router = Router(prefix="/api/v1/forms", tags=["forms"])


@router.get("/builtins", response_model=list[BuiltinOut])
async def builtin_templates(actor: CurrentActor) -> list[BuiltinOut]:
    """The built-in templates (daily student health check-in, daily staff health, head count,
    return-to-school survey), in the reader's language."""
    return templates.builtins()


@router.get("/templates", response_model=list[TemplateOut])
async def unit_templates(
    db: DB, scope: CurrentScope, unit_id: Annotated[int, Query(ge=0, le=MAX_ID)]
) -> list[TemplateOut]:
    """The templates a unit may use — its own and those of the units above it, nearest
    first — for the unit's heads and teachers (403 `form_not_allowed`)."""
    return await templates.list_templates(db, scope, unit_id)


@router.post("/templates", response_model=TemplateOut, status_code=201)
async def create_template(
    data: TemplateCreate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> TemplateOut:
    """A new template for a unit, from a built-in one, from a template above the unit (its
    questions and rules kept as they are, yours added), or from your own questions."""
    return await templates.create(db, actor, scope, data)


@router.get("/templates/{template_id}", response_model=TemplateOut)
async def template(template_id: PathId, db: DB, scope: CurrentScope) -> TemplateOut:
    return await templates.get(db, scope, template_id)


@router.put("/templates/{template_id}", response_model=TemplateOut)
async def update_template(
    template_id: PathId, data: TemplateUpdate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> TemplateOut:
    """Renames it and/or saves its questions. Saving over a version someone has filled makes
    the next version (`version` + 1); their submissions keep the one they filled."""
    return await templates.update(db, actor, scope, template_id, data)


@router.delete("/templates/{template_id}", status_code=204)
async def archive_template(
    template_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> Response:
    """Archives it: no new campaign can use it; those running go on."""
    await templates.archive(db, actor, scope, template_id, utcnow())
    return Response(status_code=204)


@router.get("/templates/{template_id}/versions/{number}", response_model=VersionOut)
async def template_version(
    template_id: PathId,
    number: Annotated[int, Path(ge=1, le=2**31 - 1)],
    db: DB,
    scope: CurrentScope,
) -> VersionOut:
    return await templates.version(db, scope, template_id, number)


@router.post(
    "/campaigns",
    response_model=CampaignOut,
    status_code=201,
    responses={200: {"description": "A retry (same `client_id`): the first campaign"}},
)
async def create_campaign(
    data: CampaignCreate, db: DB, actor: CurrentActor, scope: CurrentScope, response: Response
) -> CampaignOut:
    """Runs a template for an audience (units × roles below the campaign's unit) on a
    schedule. The subjects are written now; each asked day opens at its time. With
    `hand_down` (a bureau's or district's), every school below gets its own copy, made by a
    job each (`copies` counts them); the bureau's figures sum the schools'."""
    out, created = await campaigns.create(db, actor, scope, data, utcnow())
    if not created:
        response.status_code = 200
    return out


@router.get("/campaigns", response_model=list[CampaignOut])
async def unit_campaigns(
    db: DB, scope: CurrentScope, unit_id: Annotated[int, Query(ge=0, le=MAX_ID)]
) -> list[CampaignOut]:
    """The campaigns a unit runs, newest first (its heads and teachers)."""
    return await campaigns.list_for_unit(db, scope, unit_id)


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut)
async def campaign(campaign_id: PathId, db: DB, scope: CurrentScope) -> CampaignOut:
    return await campaigns.get(db, scope, campaign_id)


@router.post(
    "/campaigns/{campaign_id}/close",
    response_model=CampaignOut,
    responses={409: {"description": "Closed already (`form_campaign_closed`)"}},
)
async def close_campaign(
    campaign_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> CampaignOut:
    """Ends it: no more days open; what was submitted stays."""
    return await campaigns.close(db, actor, scope, campaign_id, utcnow())


@router.put(
    "/campaigns/{campaign_id}/template",
    response_model=CampaignOut,
    responses={
        409: {"description": "Not a school's copy of a bureau's campaign, or ended"},
        422: {"description": "Not the bureau's template or one made from it, unchanged"},
    },
)
async def switch_campaign_template(
    campaign_id: PathId,
    data: CampaignTemplate,
    db: DB,
    actor: CurrentActor,
    scope: CurrentScope,
) -> CampaignOut:
    """A school's copy of a bureau's campaign asks from now on with the bureau's template or
    one the school made from it (增加本组织题目: the bureau's questions and rules unchanged,
    `form_base_changed` otherwise), so the bureau's figures keep adding up; any other template
    is refused (`form_template_not_derived`). Audited."""
    await handdown.switch_template(db, actor, scope, campaign_id, data.template_id)
    return await campaigns.get(db, scope, campaign_id)


@router.get("/campaigns/{campaign_id}/entry", response_model=EntryOut)
async def campaign_entry(
    campaign_id: PathId,
    db: DB,
    actor: CurrentActor,
    scope: CurrentScope,
    unit_id: Annotated[int, Query(ge=0, le=MAX_ID)],
) -> EntryOut:
    """What the form's card in a unit's group opens for the reader: whom they fill it for
    there (themself, their children there) and whether they may see the unit's figures. 404
    when neither."""
    return await cards.entry(db, actor, scope, campaign_id, unit_id, utcnow())


@router.get("/todo", response_model=list[TodoItem])
async def todo(db: DB, actor: CurrentActor) -> list[TodoItem]:
    """The forms asked today of oneself and of the students one fills for (a guardian's
    children), open or late, each with whether it is submitted."""
    return await filling.todo(db, actor, utcnow())


@router.get("/campaigns/{campaign_id}/fill", response_model=FillOut)
async def fill(
    campaign_id: PathId,
    db: DB,
    actor: CurrentActor,
    subject_id: Annotated[int, Query(ge=0, le=MAX_ID)],
) -> FillOut:
    """The form to fill today for a subject (oneself, or a student one is a guardian of):
    its questions (the version to send back), today's submission if any, and the last day's
    answers as a starting point."""
    return await filling.open_form(db, actor, campaign_id, subject_id, utcnow())


@router.post(
    "/campaigns/{campaign_id}/submissions",
    response_model=SubmissionOut,
    status_code=201,
    responses={
        200: {"description": "A retry (same `client_id`): the first submission"},
        409: {"description": "Not open yet, closed, or past the deadline for a change"},
    },
)
async def submit(
    campaign_id: PathId,
    data: SubmissionIn,
    db: DB,
    actor: CurrentActor,
    response: Response,
) -> SubmissionOut:
    """Submits today's form for a subject, or changes it before the deadline. Every invalid
    answer is named at once (422 `form_answers_invalid`, `errors[].field` =
    `answers.<key>`)."""
    out, created = await filling.submit(db, actor, campaign_id, data, utcnow())
    if not created:
        response.status_code = 200
    return out


@router.post(
    "/campaigns/{campaign_id}/files",
    response_model=FormFileOut,
    status_code=201,
    responses={
        403: {"description": "Someone else's child (`form_not_guardian`)"},
        409: {"description": "Closed, or too many uploads waiting (`form_file_uploads_waiting`)"},
        413: {"description": "Larger than 20 MB (`file_too_large`)"},
        415: {"description": "Not a photo where the question takes photos only, or refused"},
    },
)
async def upload_form_file(
    campaign_id: PathId,
    db: DB,
    actor: CurrentActor,
    file: Annotated[UploadFile, File()],
    subject_id: Annotated[int, Form(ge=0, le=MAX_ID)],
    field: Annotated[str, Form(max_length=64)],
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
) -> FormFileOut:
    """Upload a photo or file for the file question `field` of the form one is filling for
    `subject_id` (oneself, or a student one is a guardian of), then name it in that answer by
    `id` when submitting. Images and other files up to 20 MB; the type from the bytes; photos
    only where the question says so. An upload no submission takes within a day is deleted."""
    data = await file.read(files.MAX_FILE + 1)
    return await files.upload(
        db,
        actor,
        campaign_id,
        subject_id,
        field,
        version,
        file.filename or "file",
        file.content_type,
        data,
    )


@router.get("/files/{file_id}")
async def download_form_file(
    file_id: PathId, request: Request, db: DB, actor: CurrentActor, scope: CurrentScope
) -> Response:
    """A form's photo or file: for its uploader; once submitted, for the subject and their
    guardians and for those who may see names of the subject's class (each look audited);
    404 alike for everyone else."""
    f = await files.readable(db, actor, scope, file_id)
    inline = f.content_type.startswith("image/")
    return await stored.send_file(request, runtime_of(db).files, f, inline=inline)


@router.get("/files/{file_id}/thumbnail")
async def form_file_thumbnail(
    file_id: PathId, request: Request, db: DB, actor: CurrentActor, scope: CurrentScope
) -> Response:
    """A photo's thumbnail (JPEG), for whoever may read the photo."""
    f = await files.readable(db, actor, scope, file_id)
    return await stored.send_thumbnail(request, runtime_of(db).files, f)


UnitQuery = Annotated[int | None, Query(ge=0, le=MAX_ID)]


@router.get("/campaigns/{campaign_id}/stats", response_model=StatsOut)
async def campaign_stats(
    campaign_id: PathId, db: DB, scope: CurrentScope, day: date, unit_id: UnitQuery = None
) -> StatsOut:
    """The day's expected / submitted / missing / late / abnormal for a unit (the campaign's
    own by default, or one below it) and for each unit just below it, the lagging first. For
    a bureau's campaign, summed over every school's copy. From per-class counters, never a
    scan of submissions."""
    return await stats.summary(db, scope, campaign_id, unit_id, day)


@router.get("/campaigns/{campaign_id}/answers", response_model=list[QuestionCounts])
async def campaign_answers(
    campaign_id: PathId, db: DB, scope: CurrentScope, day: date, unit_id: UnitQuery = None
) -> list[QuestionCounts]:
    """How a unit's submissions of the day answered each choice, temperature (to 0.1 °C) and
    rating question."""
    return await stats.answers(db, scope, campaign_id, unit_id, day)


@router.get("/campaigns/{campaign_id}/trend", response_model=list[TrendDay])
async def campaign_trend(
    campaign_id: PathId,
    db: DB,
    scope: CurrentScope,
    start: date,
    end: date,
    unit_id: UnitQuery = None,
) -> list[TrendDay]:
    """A unit's figures day by day (at most 62 days)."""
    return await stats.trend(db, scope, campaign_id, unit_id, start, end)


@router.get(
    "/campaigns/{campaign_id}/people",
    response_model=list[PersonStatus],
    responses={403: {"description": "Names are not shown at this level (`form_names_hidden`)"}},
)
async def campaign_people(
    campaign_id: PathId,
    db: DB,
    actor: CurrentActor,
    scope: CurrentScope,
    day: date,
    unit_id: UnitQuery = None,
) -> list[PersonStatus]:
    """Each subject below a unit with the day's status, those missing first. Names are shown
    to the unit's teachers and to heads at or below the school (above it only where the
    organisation allows: unit setting `form_names_above_school`); each look is audited."""
    return await stats.people(db, actor, scope, campaign_id, unit_id, day)


@router.post(
    "/campaigns/{campaign_id}/reminders",
    response_model=RemindOut,
    status_code=201,
    responses={
        409: {"description": "Closed, not open that day, or nobody is missing"},
        429: {"description": "Reminded here less than 5 minutes ago (`Retry-After`)"},
    },
)
async def remind_missing(
    campaign_id: PathId, data: RemindIn, db: DB, actor: CurrentActor, scope: CurrentScope
) -> RemindOut:
    """Reminds everyone still missing on the day below a unit (the campaign's own by default):
    each subject and a student's guardians, in the app or by DING (`by`, the campaign's
    `remind_by` by default). At most once per 5 minutes at a unit for a day."""
    return await reminders.remind_now(db, actor, scope, campaign_id, data, utcnow())


@router.get("/campaigns/{campaign_id}/reminders", response_model=list[RemindOut])
async def campaign_reminders(
    campaign_id: PathId, db: DB, scope: CurrentScope, day: date, unit_id: UnitQuery = None
) -> list[RemindOut]:
    """The manual reminders of a day at a unit, newest first (at most 20)."""
    return await reminders.list_reminders(db, scope, campaign_id, unit_id, day)


@router.post(
    "/campaigns/{campaign_id}/exports",
    response_model=ExportOut,
    status_code=201,
    responses={403: {"description": "Names are not shown at this level (`form_names_hidden`)"}},
)
async def export_campaign(
    campaign_id: PathId, data: ExportIn, db: DB, actor: CurrentActor, scope: CurrentScope
) -> ExportOut:
    """Exports a unit's submissions of a day or a range (at most 62 days) to XLSX or CSV,
    in the reader's language. Up to 2,000 submissions the file is made at once (`state`
    "done", `download` set); a larger export is made by a job (`state` "queued") and
    `form.export_ready` tells when it is done. Audited."""
    return await export.request(db, actor, scope, campaign_id, data, current_locale.get())


@router.get("/exports/{export_id}", response_model=ExportOut)
async def export_state(export_id: PathId, db: DB, actor: CurrentActor) -> ExportOut:
    """One's own export: queued, done (with its download), or failed."""
    return await export.out(db, actor, export_id)


@router.get(
    "/exports/{export_id}/download",
    response_class=Response,
    responses={
        200: {"content": {export.XLSX: {}, export.CSV: {}}},
        409: {"description": "Not made yet"},
    },
)
async def download_export(
    export_id: PathId, request: Request, db: DB, actor: CurrentActor
) -> Response:
    """The file of one's own export, for a day after it was made."""
    row = await export.get(db, actor, export_id)
    if row.state != "done" or row.file_key is None:
        raise Conflict("form_export_not_ready")
    campaign = await db.get(FormCampaign, row.campaign_id)
    name = export.filename(row, campaign.name if campaign else "export")
    media = export.XLSX if row.format == "xlsx" else export.CSV
    sent = await stored.send(
        request,
        runtime_of(db).files,
        row.file_key,
        media_type=media,
        headers={"cache-control": "private, no-store"},
        filename=name,
    )
    if sent is None:
        raise NotFound("form_export")
    return sent


@router.get(
    "/cases",
    response_model=list[CaseOut],
    responses={403: {"description": "Names are not shown at this level (`form_names_hidden`)"}},
)
async def form_cases(
    db: DB,
    actor: CurrentActor,
    scope: CurrentScope,
    unit_id: Annotated[int, Query(ge=0, le=MAX_ID)],
    state: Annotated[str | None, Query(max_length=16)] = None,
    campaign_id: UnitQuery = None,
) -> list[CaseOut]:
    """Abnormal check-ins below a unit and their follow-up state, open ones first; of one
    campaign when `campaign_id` is given. Audited."""
    return await cases.list_cases(db, actor, scope, unit_id, state, campaign_id)


@router.get("/cases/{case_id}/notes", response_model=list[CaseNoteOut])
async def case_notes(case_id: PathId, db: DB, scope: CurrentScope) -> list[CaseNoteOut]:
    """A case's follow-up, oldest first."""
    return await cases.notes(db, scope, case_id)


@router.post("/cases/{case_id}/notes", response_model=CaseOut, status_code=201)
async def add_case_note(
    case_id: PathId, data: CaseNoteIn, db: DB, actor: CurrentActor, scope: CurrentScope
) -> CaseOut:
    """Follows a case up: a note, and/or its new state (open → contacted → resolved)."""
    return await cases.add_note(db, actor, scope, case_id, data, utcnow())


@router.get("/units/{unit_id}/responders", response_model=RespondersOut)
async def unit_responders(unit_id: PathId, db: DB, scope: CurrentScope) -> RespondersOut:
    """Who this unit tells of abnormal check-ins below it (besides the class teachers):
    a school's health officer, a bureau's contacts. Its heads and admins."""
    return await cases.get_responders(db, scope, unit_id)


@router.put("/units/{unit_id}/responders", response_model=RespondersOut)
async def set_unit_responders(
    unit_id: PathId, data: Responders, db: DB, actor: CurrentActor, scope: CurrentScope
) -> RespondersOut:
    """Sets who this unit tells of abnormal check-ins below it (at most 20 people its heads
    may see). Audited."""
    return await cases.set_responders(db, actor, scope, unit_id, data)
