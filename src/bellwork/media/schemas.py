from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Sdp(BaseModel):
    """A browser's SDP (ICE gathering complete: non-trickle), as the domains relay it to Janus
    through media/signalling.py (lessons, meetings, calls)."""

    type: Literal["offer", "answer"]
    sdp: str = Field(max_length=200_000)


Reason = Literal["not_configured", "not_installed", "starting", "down"]


class ServerOut(BaseModel):
    name: str = Field(description="`local` for the Janus Bellwork runs; else its configured name")
    state: Literal["up", "down", "starting"]
    rooms: int | None = Field(default=None, description="Rooms on it, by its own count")
    participants: int | None = None
    error: str | None = Field(default=None, description="Why it is down (administrators only)")


class MediaStatusOut(BaseModel):
    available: bool = Field(
        description="Whether lessons, meetings and calls can start now (a media server answers)"
    )
    reason: Reason | None = Field(
        default=None,
        description="Why not: `not_configured` (no media server is set up), `not_installed` "
        "(Janus is not installed on this server), `starting` (Bellwork is starting its Janus), "
        "`down` (no configured server answers)",
    )
    message: str | None = Field(default=None, description="`reason` in the request's language")
    turn: bool = Field(description="Whether browsers get TURN credentials (GET /api/v1/media/ice)")
    servers: list[ServerOut] = Field(
        default_factory=list, description="Each media server (administrators only)"
    )


class IceServerOut(BaseModel):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class IceOut(BaseModel):
    ice_servers: list[IceServerOut] = Field(
        description="Pass as RTCPeerConnection's `iceServers` (empty: no STUN/TURN needed)"
    )
    expires_in: int | None = Field(
        default=None, description="Seconds the TURN credential stays valid; fetch a new one after"
    )
