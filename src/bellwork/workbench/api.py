"""`GET /api/v1/workbench`: the tiles the signed-in person may use, with their counts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bellwork.core.deps import DB, CurrentScope
from bellwork.core.routing import Router
from bellwork.tiles import WORKBENCH

router = Router(prefix="/api/v1/workbench", tags=["workbench"])


class TileOut(BaseModel):
    key: str = Field(description="`<domain>.<tool>`; the client's label is workbench.tile.<key>")
    section: Literal["tools", "admin"]
    path: str = Field(description="Where the web client opens the tool.")
    count: int | None = Field(description="What waits for the person there; null: not counted.")


class WorkbenchOut(BaseModel):
    tiles: list[TileOut]


@router.get("", response_model=WorkbenchOut)
async def workbench(db: DB, scope: CurrentScope) -> WorkbenchOut:
    """The tools the person may use in their units, in order, each with what waits for them."""
    shown = await WORKBENCH.for_person(db, scope)
    return WorkbenchOut(
        tiles=[
            TileOut(key=s.tile.key, section=s.tile.section.value, path=s.tile.path, count=s.count)
            for s in shown
        ]
    )
