"""Notices over HTTP (docs/notices.md): publishing, editing and recalling one's notices, their
statistics by unit and the people behind them, DINGing who has not read; the inbox, reading
and confirming; the notices' files."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Query, Request, Response, UploadFile

from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.routing import Router
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.core.types import PathId, QueryId
from bellwork.ding.schemas import DingOut
from bellwork.files import responses as stored
from bellwork.notices import files, reading, service, stats
from bellwork.notices.schemas import (
    DingUnread,
    NoticeCreate,
    NoticeEdit,
    NoticeFileOut,
    NoticeOut,
    NoticeRecipient,
    NoticeStats,
    NoticeSummary,
    RecipientState,
    UnreadCount,
)
from bellwork.runtime import runtime_of

router = Router(prefix="/api/v1/notices", tags=["notices"])


@router.post(
    "",
    response_model=NoticeOut,
    status_code=201,
    responses={200: {"description": "A retry (same `client_id`): the first notice"}},
)
async def publish_notice(
    data: NoticeCreate, db: DB, actor: CurrentActor, scope: CurrentScope, response: Response
) -> NoticeOut:
    """Publishes a notice to people and units × roles, now or at a minute (`publish_at`).
    Heads, teachers and staff of a unit and admins may (403 `notice_not_allowed`). People
    picked by name must all be ones the author may reach (403 `notice_people_unreachable`); a
    unit gives its members with the roles asked whom the author may see; nobody at all is 422
    `notice_audience_empty`, a time that is not ahead 422 `notice_time_past`, a file that is
    not one's own upload 422 `notice_file_unknown`. The recipients are snapshotted now."""
    out, created = await service.publish(db, actor, scope, data)
    if not created:
        response.status_code = 200
    return out


@router.get("", response_model=Page[NoticeSummary])
async def my_notices(
    db: DB,
    actor: CurrentActor,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> Page[NoticeSummary]:
    """One's own notices, newest first, with how many recipients read and confirmed."""
    after = decode_cursor(cursor, int)
    items, before = await service.list_own(db, actor, after[0] if after else None, limit)
    return Page(items=items, next_cursor=encode_cursor([before]) if before else None)


@router.get("/inbox", response_model=Page[NoticeSummary])
async def inbox(
    db: DB,
    actor: CurrentActor,
    unread: Annotated[bool, Query(description="Only those not read yet")] = False,
    unit_id: Annotated[
        QueryId, Query(description="Only those that reached one through this unit")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> Page[NoticeSummary]:
    """The notices for oneself, newest first, each with one's own receipt (`mine`). A recalled
    notice stays (marked recalled, title only) for those who had opened it."""
    return await reading.inbox(
        db, actor, unread=unread, unit_id=unit_id, cursor=cursor, limit=limit
    )


@router.get("/unread", response_model=UnreadCount)
async def unread(db: DB, actor: CurrentActor) -> UnreadCount:
    """How many notices for oneself are unread (the badge), and read but not confirmed yet."""
    return await reading.unread_count(db, actor.id)


@router.post(
    "/files",
    response_model=NoticeFileOut,
    status_code=201,
    responses={403: {"description": "Only those who may publish (`notice_not_allowed`)"}},
)
async def upload(
    db: DB, actor: CurrentActor, scope: CurrentScope, file: Annotated[UploadFile, File()]
) -> NoticeFileOut:
    """Upload an image (up to 20 MB) or a file (50 MB) for a notice one is writing; name it in
    the notice as an attachment or show an image in the Markdown body with its `url`. The
    type is taken from the bytes. A file no notice takes within a day is deleted."""
    await service.require_author(db, scope)
    data = await file.read(files.MAX_FILE + 1)
    return await files.upload(db, actor, file.filename or "file", file.content_type, data)


@router.get("/files/{file_id}")
async def download(file_id: PathId, request: Request, db: DB, actor: CurrentActor) -> Response:
    """A notice's image or attachment: for its author, and for the notice's recipients once it
    went out and until it is recalled; 404 alike for everyone else."""
    f = await files.readable(db, actor, file_id)
    return await stored.send_file(
        request, runtime_of(db).files, f, inline=f.content_type.startswith("image/")
    )


@router.get("/files/{file_id}/thumbnail")
async def thumbnail(file_id: PathId, request: Request, db: DB, actor: CurrentActor) -> Response:
    """An image's thumbnail (JPEG), for whoever may read the image."""
    f = await files.readable(db, actor, file_id)
    return await stored.send_thumbnail(request, runtime_of(db).files, f)


@router.get("/{notice_id}", response_model=NoticeOut)
async def get_notice(notice_id: PathId, db: DB, actor: CurrentActor) -> NoticeOut:
    """A notice for its author (with totals and the audience chosen) or a recipient (with
    `mine`); reading it does not mark it read (`POST .../read` does)."""
    return await reading.get(db, actor, notice_id)


@router.patch(
    "/{notice_id}",
    response_model=NoticeOut,
    responses={409: {"description": "Recalled (`notice_recalled`)"}},
)
async def edit_notice(
    notice_id: PathId, data: NoticeEdit, db: DB, actor: CurrentActor
) -> NoticeOut:
    """Edits one's notice; once it went out, recipients see it was edited (`edited_at`)."""
    return await service.edit(db, actor, notice_id, data)


@router.post("/{notice_id}/recall", response_model=NoticeOut)
async def recall_notice(notice_id: PathId, db: DB, actor: CurrentActor) -> NoticeOut:
    """Takes one's notice back: it leaves the inboxes of those who had not read it; those who
    had keep its title, marked recalled. A scheduled notice never goes out. Again is the
    same."""
    return await service.recall(db, actor, notice_id)


@router.post(
    "/{notice_id}/read",
    response_model=NoticeOut,
    responses={409: {"description": "Recalled (`notice_recalled`)"}},
)
async def read_notice(notice_id: PathId, db: DB, actor: CurrentActor) -> NoticeOut:
    """Marks a notice for oneself read (opening it); again is the same."""
    return await reading.mark(db, actor, notice_id, confirm=False)


@router.post(
    "/{notice_id}/confirm",
    response_model=NoticeOut,
    responses={409: {"description": "Not asked to confirm (`notice_no_confirm`), or recalled"}},
)
async def confirm_notice(notice_id: PathId, db: DB, actor: CurrentActor) -> NoticeOut:
    """确认已读: confirms having read a notice that asks for it; again is the same."""
    return await reading.mark(db, actor, notice_id, confirm=True)


@router.get("/{notice_id}/stats", response_model=NoticeStats)
async def notice_stats(notice_id: PathId, db: DB, actor: CurrentActor) -> NoticeStats:
    """One's notice read and confirmed, in total and by the unit each recipient was reached
    in, the unit lagging most first."""
    return await stats.stats(db, actor, notice_id)


@router.get("/{notice_id}/recipients", response_model=Page[NoticeRecipient])
async def notice_recipients(
    notice_id: PathId,
    db: DB,
    actor: CurrentActor,
    unit_id: Annotated[QueryId, Query(description="Those reached in this unit")] = None,
    by_name: Annotated[bool, Query(description="Those picked by name")] = False,
    state: RecipientState | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[NoticeRecipient]:
    """The recipients of one's notice, a page at a time: of one unit or picked by name, in one
    state (unread, read, unconfirmed, confirmed)."""
    return await stats.recipients(
        db,
        actor,
        notice_id,
        unit_id=unit_id,
        by_name=by_name,
        state=state,
        cursor=cursor,
        limit=limit,
    )


@router.post(
    "/{notice_id}/ding",
    response_model=DingOut,
    status_code=201,
    responses={
        200: {"description": "A retry (same `client_id`): the first DING"},
        409: {"description": "Recalled, not published yet, or everyone read it"},
    },
)
async def ding_unread(
    notice_id: PathId,
    data: DingUnread,
    db: DB,
    actor: CurrentActor,
    scope: CurrentScope,
    response: Response,
) -> DingOut:
    """DING 未读的人: a DING (docs/ding.md) with the notice's title and link to every recipient
    who has not read it yet."""
    out, created = await stats.ding_unread(db, actor, scope, notice_id, data.client_id)
    if not created:
        response.status_code = 200
    return out
