"""扫码入群 over HTTP: a group's QR code / link, joining by it, and the requests to decide."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response

from bellwork.chat import invites
from bellwork.chat.schemas import InviteOut, InvitePreview, JoinOut, JoinRequestOut
from bellwork.core.deps import DB, CurrentActor
from bellwork.core.routing import Router
from bellwork.core.types import PathId

router = Router(prefix="/api/v1", tags=["chat"])

Code = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/conversations/{conversation_id}/invite", response_model=InviteOut)
async def get_invite(conversation_id: PathId, db: DB, actor: CurrentActor) -> InviteOut:
    """The group's QR code / link (`/join/{code}`), valid 7 days; made on first ask. Any
    member while the group takes people by code (`join_mode` not off); owners and admins
    always."""
    return await invites.get_invite(db, actor, conversation_id)


@router.post("/conversations/{conversation_id}/invite/reset", response_model=InviteOut)
async def reset_invite(conversation_id: PathId, db: DB, actor: CurrentActor) -> InviteOut:
    """A new code; the old one stops working. Owners and admins."""
    return await invites.reset_invite(db, actor, conversation_id)


@router.get("/invites/{code}", response_model=InvitePreview)
async def preview_invite(code: Code, db: DB, actor: CurrentActor) -> InvitePreview:
    """The group behind a code, before joining. 404 `invite_invalid` for an expired or
    replaced code."""
    return await invites.preview(db, actor, code)


@router.post("/invites/{code}/join", response_model=JoinOut)
async def join_by_invite(code: Code, db: DB, actor: CurrentActor) -> JoinOut:
    """Join by the code: at once where the group is open, else a request that an owner or
    admin approves (`status: requested`)."""
    return await invites.join(db, actor, code)


@router.get("/conversations/{conversation_id}/join-requests", response_model=list[JoinRequestOut])
async def list_join_requests(
    conversation_id: PathId, db: DB, actor: CurrentActor
) -> list[JoinRequestOut]:
    """Requests to join waiting for a decision, oldest first. Owners and admins."""
    return await invites.requests(db, actor, conversation_id)


@router.post("/conversations/{conversation_id}/join-requests/{request_id}/approve", status_code=204)
async def approve_join(
    conversation_id: PathId, request_id: PathId, db: DB, actor: CurrentActor
) -> Response:
    """Approve: the person joins (announced in the chat)."""
    await invites.decide(db, actor, conversation_id, request_id, True)
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/join-requests/{request_id}/refuse", status_code=204)
async def refuse_join(
    conversation_id: PathId, request_id: PathId, db: DB, actor: CurrentActor
) -> Response:
    """Refuse: the person is told; they may ask again."""
    await invites.decide(db, actor, conversation_id, request_id, False)
    return Response(status_code=204)
