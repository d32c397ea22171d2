"""`/api/v1/media`: whether a media server is there, and the ICE servers for a browser
(docs/media.md)."""

from __future__ import annotations

from fastapi import Request, Response

from bellwork.core.deps import CurrentActor
from bellwork.core.routing import Router
from bellwork.media import service
from bellwork.media.schemas import IceOut, MediaStatusOut
from bellwork.runtime import Runtime

router = Router(prefix="/api/v1/media", tags=["media"])


@router.get("/status", response_model=MediaStatusOut)
async def media_status(request: Request, actor: CurrentActor) -> MediaStatusOut:
    """Whether lessons, meetings and calls can start (a Janus server answers), and if not,
    why, in words to show as they are. Administrators also see each server's state."""
    runtime: Runtime = request.app.state.runtime
    return await service.status(runtime, details=actor.is_admin)


@router.get("/ice", response_model=IceOut)
async def ice(request: Request, response: Response, actor: CurrentActor) -> IceOut:
    """The `iceServers` for this person's browser: STUN, and TURN with a short-lived
    credential (TURN REST API). Not cached by browsers or proxies."""
    runtime: Runtime = request.app.state.runtime
    response.headers["Cache-Control"] = "no-store"
    return service.ice(runtime.settings, actor.id)
