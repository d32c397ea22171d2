"""The workbench (工作台): the tools a person may use, each with a count of what waits for them.

A domain declares its tiles (`Tile`) and `bellwork/tiles.py` lists them in the order they appear.
A tile says who sees it (`visible`, from the person's `Scope`: an admin, a head of some unit ...)
and, optionally, how many things wait for the person there (`count`: notices to confirm, forms
to fill, dead jobs for an admin). The web client draws the grid from `GET /api/v1/workbench`,
one request for every tile's count; it knows each tile's icon and label by its `key`, and
opens its `path`.

Counts run in the one read transaction of the request, one after another: each must be a cheap
indexed query (a count over the person's own rows), never a scan of a domain's table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.org.access import Scope


class Section(StrEnum):
    """Where a tile appears: everyday tools, or the administration group below them."""

    tools = "tools"
    admin = "admin"


def everyone(scope: Scope) -> bool:
    return True


def admins(scope: Scope) -> bool:
    return scope.admin


def managers(scope: Scope) -> bool:
    """Installation admins and heads of some unit (who may create people, import, manage units)."""
    return scope.admin or bool(scope.head_paths)


Count = Callable[[AsyncSession, Scope], Awaitable[int]]
# Who sees a tile when that depends on more than the scope (a unit setting: who may DING).
Allowed = Callable[[AsyncSession, Scope], Awaitable[bool]]


@dataclass(frozen=True)
class Tile:
    key: str  # stable, `<domain>.<tool>`; the web client's label is `workbench.tile.<key>`
    section: Section
    path: str  # the web client's route
    visible: Callable[[Scope], bool] = everyone
    count: Count | None = None
    allowed: Allowed | None = None  # asked after `visible`, for the tiles that have one


@dataclass(frozen=True)
class Shown:
    tile: Tile
    count: int | None


class Workbench:
    def __init__(self, tiles: Sequence[Tile]) -> None:
        keys = [t.key for t in tiles]
        if len(set(keys)) != len(keys):
            raise ValueError(f"workbench tile declared twice: {keys}")
        self.tiles = tuple(tiles)

    async def for_person(self, db: AsyncSession, scope: Scope) -> list[Shown]:
        shown: list[Shown] = []
        for tile in self.tiles:
            if not tile.visible(scope):
                continue
            if tile.allowed is not None and not await tile.allowed(db, scope):
                continue
            n = await tile.count(db, scope) if tile.count is not None else None
            shown.append(Shown(tile, n))
        return shown
