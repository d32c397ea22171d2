"""DING over HTTP (docs/ding.md): sending, one's sent DINGs, reminding and recalling; one's own
pending DINGs and confirming them; a DING's voice note and attachment."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.i18n import current_locale
from bellwork.core.routing import Router
from bellwork.core.schemas import Page
from bellwork.core.types import PathId
from bellwork.ding import media, report, service
from bellwork.ding.audience import require_sender
from bellwork.ding.schemas import (
    DingAlert,
    DingCreate,
    DingDetail,
    DingFileOut,
    DingOut,
    DingReport,
)
from bellwork.files import responses as stored
from bellwork.runtime import runtime_of

router = Router(prefix="/api/v1/dings", tags=["ding"])


@router.post(
    "/files",
    response_model=DingFileOut,
    status_code=201,
    responses={403: {"description": "Only those who may DING (`ding_not_allowed`)"}},
)
async def upload_ding_file(
    db: DB, actor: CurrentActor, scope: CurrentScope, file: Annotated[UploadFile, File()]
) -> DingFileOut:
    """Upload a voice note (a recording: WebM, Ogg or MP4 audio, up to 60 s) or an attachment
    (an image up to 20 MB, another file 50 MB) for a DING one is writing, then name it in the
    DING as `voice_id` or `attachment_id`. The type is taken from the bytes, a recording's
    length from its container. A file no DING takes within a day is deleted."""
    await require_sender(db, scope)
    data = await file.read(media.MAX_FILE + 1)
    return await media.upload(db, actor, file.filename or "file", file.content_type, data)


@router.get("/files/{file_id}")
async def download_ding_file(
    file_id: PathId, request: Request, db: DB, actor: CurrentActor
) -> Response:
    """A DING's voice note or attachment: for its sender, and for the DING's recipients once it
    went out and until it is recalled; 404 alike for everyone else."""
    f = await media.readable(db, actor, file_id)
    inline = f.content_type.startswith(("image/", "audio/"))
    return await stored.send_file(request, runtime_of(db).files, f, inline=inline)


@router.get("/files/{file_id}/thumbnail")
async def ding_file_thumbnail(
    file_id: PathId, request: Request, db: DB, actor: CurrentActor
) -> Response:
    """An image attachment's thumbnail (JPEG), for whoever may read the image."""
    f = await media.readable(db, actor, file_id)
    return await stored.send_thumbnail(request, runtime_of(db).files, f)


@router.post(
    "",
    response_model=DingOut,
    status_code=201,
    responses={
        200: {"description": "A retry (same `client_id`): the first DING"},
        409: {"description": "Over the monthly SMS or voice quota (`ding_sms_quota`, …)"},
    },
)
async def send_ding(
    data: DingCreate, db: DB, actor: CurrentActor, scope: CurrentScope, response: Response
) -> DingOut:
    """Sends a DING to people and units × roles, now or at a minute (`send_at`). Heads,
    teachers and staff of a unit and admins may (403 `ding_not_allowed`). People picked by name
    must all be ones the sender may see (403 `ding_people_unreachable`); a unit gives its
    members with the roles asked whom the sender may see; nobody at all is 422
    `ding_audience_empty`, a time that is not ahead 422 `ding_time_past`; text messages
    beyond the organisation's monthly SMS quota 409 `ding_sms_quota`. A voice note
    (`voice_id` with `voice_duration_ms`) and an attachment (`attachment_id`) are uploads of
    one's own no DING took yet (422 `ding_file_unknown` on the field); the voice note follows
    chat's voice-message rules (1–60 s; 422 `voice_duration_invalid` …)."""
    out, created = await service.send(db, actor, scope, data)
    if not created:
        response.status_code = 200
    return out


@router.get("", response_model=Page[DingOut])
async def sent_dings(
    db: DB,
    actor: CurrentActor,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> Page[DingOut]:
    """One's own DINGs, newest first, with how many of the recipients confirmed."""
    return await service.list_sent(db, actor, cursor, limit)


@router.get("/pending", response_model=list[DingAlert])
async def pending_dings(db: DB, actor: CurrentActor) -> list[DingAlert]:
    """The DINGs for oneself not confirmed yet, oldest first: the cards to show (on load and
    after every `hello` of the socket)."""
    return await service.pending(db, actor)


@router.get("/{ding_id}", response_model=DingDetail)
async def ding_detail(ding_id: PathId, db: DB, actor: CurrentActor) -> DingDetail:
    """One's own DING with its recipients, confirmed and not, grouped by unit."""
    return await service.detail(db, actor, ding_id)


@router.get("/{ding_id}/report", response_model=DingReport)
async def ding_report(ding_id: PathId, db: DB, actor: CurrentActor) -> DingReport:
    """One's own DING's delivery report: per recipient and channel (in-app, text message,
    email, voice call) its status — queued, sent, delivered, in the outbox, failed with the
    provider's reason, confirmed — the escalation step that sent it and the times."""
    return await report.build(db, actor, ding_id)


@router.get(
    "/{ding_id}/report.xlsx",
    response_class=StreamingResponse,
    responses={200: {"content": {report.XLSX: {}}, "description": "The workbook"}},
)
async def ding_report_xlsx(ding_id: PathId, db: DB, actor: CurrentActor) -> StreamingResponse:
    """The delivery report as an XLSX workbook (one line per recipient and channel), in the
    reader's language, times in the sender's organisation's time zone."""
    data = await report.build(db, actor, ding_id)
    tz = await report.sender_zone(db, actor.id)
    return StreamingResponse(
        report.export(data, current_locale.get(), tz),
        media_type=report.XLSX,
        headers={"Content-Disposition": f'attachment; filename="ding-{ding_id}-report.xlsx"'},
    )


@router.post(
    "/{ding_id}/remind",
    response_model=DingOut,
    responses={
        409: {"description": "Recalled, not sent yet, everyone confirmed, or over the SMS quota"},
        429: {"description": "Reminded less than 5 minutes ago (`Retry-After`)"},
    },
)
async def remind_ding(ding_id: PathId, db: DB, actor: CurrentActor) -> DingOut:
    """Alerts the recipients who have not confirmed again (every channel the DING used), at
    most once per 5 minutes after the last alert."""
    return await service.remind(db, actor, ding_id)


@router.post(
    "/{ding_id}/recall",
    response_model=DingOut,
    responses={409: {"description": "Everyone confirmed already (`ding_all_confirmed`)"}},
)
async def recall_ding(ding_id: PathId, db: DB, actor: CurrentActor) -> DingOut:
    """Takes one's DING back: the recipients' cards go away. Refused once everyone confirmed
    (409 `ding_all_confirmed`)."""
    return await service.recall(db, actor, ding_id)


@router.post(
    "/{ding_id}/confirm",
    response_model=DingAlert,
    responses={409: {"description": "Recalled (`ding_recalled`)"}},
)
async def confirm_ding(ding_id: PathId, db: DB, actor: CurrentActor) -> DingAlert:
    """确认收到: confirms a DING for oneself; one's other devices stop alerting. Again is the
    same."""
    return await service.confirm(db, actor, ding_id)
