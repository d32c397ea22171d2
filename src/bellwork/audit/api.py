from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from bellwork.audit import service
from bellwork.core.deps import DB, CurrentScope
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.core.types import QueryId
from bellwork.org.access import require_admin
from bellwork.org.models import Person

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class ActorRef(BaseModel):
    id: int
    name: str


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: ActorRef | None
    action: str
    target_type: str
    target_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    address: str | None


@router.get("", response_model=Page[AuditOut])
async def list_audit(
    db: DB,
    scope: CurrentScope,
    target_type: str | None = None,
    target_id: QueryId = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[AuditOut]:
    """Administrative actions, newest first (installation admins only)."""
    require_admin(scope)
    after = decode_cursor(cursor, int)
    before_id: int | None = after[0] if after else None
    entries = await service.list_entries(db, before_id, limit + 1, target_type, target_id)
    more = len(entries) > limit
    entries = entries[:limit]
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    names: dict[int, str] = {}
    if ids:
        names = dict(
            (await db.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))).all()
        )
    items = [
        AuditOut(
            id=e.id,
            at=e.at,
            actor=ActorRef(id=e.actor_id, name=names.get(e.actor_id, "?"))
            if e.actor_id is not None
            else None,
            action=e.action,
            target_type=e.target_type,
            target_id=e.target_id,
            before=e.before,
            after=e.after,
            address=e.address,
        )
        for e in entries
    ]
    return Page[AuditOut](
        items=items, next_cursor=encode_cursor([entries[-1].id]) if more else None
    )
