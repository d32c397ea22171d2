"""The one WebSocket per client session: /api/v1/events. Protocol in docs/realtime.md."""

from __future__ import annotations

import asyncio
import secrets
from urllib.parse import urlsplit

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from bellwork.auth import service as auth
from bellwork.auth.service import Actor
from bellwork.chat import events as ev
from bellwork.chat import service as chat
from bellwork.core.errors import Problem
from bellwork.core.i18n import current_locale, pick_locale, t
from bellwork.db.session import unit_of_work, writing
from bellwork.realtime.hub import Connection, Hub

router = APIRouter()
MAX_FRAME = 64 * 1024
CLOSE_UNAUTHORISED = 4401
CLOSE_FORBIDDEN = 4403


def _origin_ok(ws: WebSocket) -> bool:
    """Cookie-authenticated sockets must come from our own pages (no cross-site hijacking)."""
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser
    host = ws.headers.get("host", "")
    return urlsplit(origin).netloc == host


async def _authenticate(ws: WebSocket) -> Actor | None:
    factory = ws.app.state.sessionmaker
    header = ws.headers.get("authorization", "")
    token = (
        header[7:].strip() if header.lower().startswith("bearer ") else ws.query_params.get("token")
    )
    async with unit_of_work(factory) as db:
        if token:
            found = await auth.resolve_token(db, token)
            if found is not None:
                return Actor(person=found[1], token=found[0])
            return None
        cookie = ws.cookies.get(auth.SESSION_COOKIE)
        if not cookie or not _origin_ok(ws):
            return None
        found_s = await auth.resolve_session(db, cookie)
        if found_s is None:
            return None
        return Actor(person=found_s[1], session=found_s[0])


def _error(code: str, **params: int | str) -> str:
    return ev.ErrorFrame(code=code, title=t(code, None, **params)).model_dump_json()


@router.websocket("/api/v1/events")
async def events(ws: WebSocket) -> None:
    lang = ws.cookies.get("bw_lang") or ws.headers.get("accept-language")
    current_locale.set(pick_locale(lang))
    await ws.accept()
    actor = await _authenticate(ws)
    if actor is None:
        await ws.close(code=CLOSE_UNAUTHORISED, reason="not authenticated")
        return
    if actor.person.must_change_password:
        await ws.close(code=CLOSE_FORBIDDEN, reason="password change required")
        return
    hub: Hub = ws.app.state.hub
    conn = Connection(ws, actor.id)
    hub.register(conn)
    try:
        async with unit_of_work(ws.app.state.sessionmaker) as db:
            conv_ids = await chat.member_conversation_ids(db, actor.id)
        hub.subscribe(conn, conv_ids)
        conn.push(
            ev.Hello(person_id=actor.id, connection_id=secrets.token_hex(6)).model_dump_json()
        )
        person_id = actor.id
        del actor  # keep only the id for the socket's lifetime
        await _read_loop(ws, conn, person_id)
    except WebSocketDisconnect:
        pass
    finally:
        await hub.unregister(conn)


async def _read_loop(ws: WebSocket, conn: Connection, person_id: int) -> None:
    factory = ws.app.state.sessionmaker
    bus = ws.app.state.bus
    while True:
        text = await ws.receive_text()
        if len(text) > MAX_FRAME:
            conn.push(_error("frame_too_large", limit=MAX_FRAME))
            await asyncio.sleep(0)
            await ws.close(code=1009, reason="frame too large")
            return
        try:
            frame = ev.ClientAdapter.validate_python(orjson.loads(text))
        except orjson.JSONDecodeError:
            conn.push(_error("bad_frame"))
            continue
        except ValidationError as exc:
            kinds = {e["type"] for e in exc.errors()}
            conn.push(
                _error(
                    "unknown_type"
                    if "union_tag_invalid" in kinds or "union_tag_not_found" in kinds
                    else "bad_frame"
                )
            )
            continue
        if isinstance(frame, ev.ClientPing):
            conn.push(ev.Pong().model_dump_json())
            continue
        try:
            async with writing(factory, ws.app.state.write_gate) as db:
                db.info["bus"] = bus
                await chat.mark_read(db, person_id, frame.conversation_id, frame.seq)
        except Problem as exc:
            conn.push(ev.ErrorFrame(code=exc.code, title=exc.to_dict()["title"]).model_dump_json())
