"""群公告 over HTTP: the group's announcement, confirming it, who has and who has not."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from bellwork.chat import announcements
from bellwork.chat.schemas import (
    AnnouncementIn,
    AnnouncementOut,
    AnnouncementState,
    ConfirmationOut,
)
from bellwork.core.deps import DB, CurrentActor
from bellwork.core.routing import Router
from bellwork.core.schemas import Page
from bellwork.core.types import PathId

router = Router(prefix="/api/v1", tags=["chat"])


@router.get("/conversations/{conversation_id}/announcement", response_model=AnnouncementState)
async def get_announcement(
    conversation_id: PathId, db: DB, actor: CurrentActor
) -> AnnouncementState:
    """The group's announcement (群公告) as oneself sees it, or null; `can_edit`: oneself may
    post one (the group's owner and admins)."""
    return await announcements.get_state(db, actor, conversation_id)


@router.put("/conversations/{conversation_id}/announcement", response_model=AnnouncementOut)
async def put_announcement(
    conversation_id: PathId, data: AnnouncementIn, db: DB, actor: CurrentActor
) -> AnnouncementOut:
    """Post the group's announcement, replacing the current one: it is pinned at the top of the
    conversation and announced in the chat (a message of kind `announcement` mentioning
    everyone). `confirm`: members are asked to confirm having read it. Owner and admins."""
    return await announcements.publish(db, actor, conversation_id, data)


@router.delete("/conversations/{conversation_id}/announcement", status_code=204)
async def delete_announcement(conversation_id: PathId, db: DB, actor: CurrentActor) -> Response:
    """Take the announcement down (the chat message that announced it stays). Owner and
    admins."""
    await announcements.remove(db, actor, conversation_id)
    return Response(status_code=204)


@router.post(
    "/conversations/{conversation_id}/announcements/{announcement_id}/confirm",
    response_model=AnnouncementOut,
)
async def confirm_announcement(
    conversation_id: PathId, announcement_id: PathId, db: DB, actor: CurrentActor
) -> AnnouncementOut:
    """Confirm having read the current announcement (确认已读); again is the same."""
    return await announcements.confirm(db, actor, conversation_id, announcement_id)


@router.get(
    "/conversations/{conversation_id}/announcements/{announcement_id}/confirmations",
    response_model=Page[ConfirmationOut],
)
async def list_confirmations(
    conversation_id: PathId,
    announcement_id: PathId,
    db: DB,
    actor: CurrentActor,
    confirmed: Annotated[bool, Query(description="true: who confirmed; false: who has not")],
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[ConfirmationOut]:
    """Who confirmed, or who has not, among the current members (its author apart), a page at
    a time. For the announcement's author and the group's admins."""
    return await announcements.confirmations(
        db, actor, conversation_id, announcement_id, confirmed, cursor, limit
    )
