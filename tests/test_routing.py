"""core/routing.Router: a router steps aside for paths its routes cannot match, and routing
answers as FastAPI's does (found, 405 for another method, 404, a router whose routes begin
with a parameter)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from bellwork.core.routing import Router


async def test_routers_step_aside_and_routing_is_unchanged() -> None:
    chat = Router(prefix="/api/v1")

    @chat.get("/conversations/{cid}")
    async def conversation(cid: int) -> dict[str, int]:
        return {"conversation": cid}

    @chat.post("/messages")
    async def message() -> dict[str, str]:
        return {"message": "sent"}

    forms = Router(prefix="/api/v1/forms")

    @forms.get("")
    async def all_forms() -> dict[str, str]:
        return {"forms": "all"}

    @forms.get("/todo")
    async def todo() -> dict[str, str]:
        return {"forms": "todo"}

    loose = Router()

    @loose.get("/{anything}/x")
    async def anything(anything: str) -> dict[str, str]:
        return {"anything": anything}

    app = FastAPI()
    for r in (chat, forms, loose):
        app.include_router(r)
    assert chat._known_heads() == {"/api/v1/conversations", "/api/v1/messages"}
    assert loose._known_heads() is None  # a parameter up front: FastAPI's own matching

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/api/v1/conversations/7")).json() == {"conversation": 7}
        assert (await c.get("/api/v1/forms")).json() == {"forms": "all"}
        assert (await c.get("/api/v1/forms/todo")).json() == {"forms": "todo"}
        assert (await c.get("/a/x")).json() == {"anything": "a"}
        assert (await c.get("/api/v1/messages")).status_code == 405
        assert (await c.get("/api/v1/nothing")).status_code == 404
        assert (await c.get("/api")).status_code == 404
