"""The delivery log (发送记录) over HTTP, for admins."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from bellwork.core.deps import DB, CurrentScope
from bellwork.core.routing import Router
from bellwork.core.schemas import Page
from bellwork.delivery.schemas import DeliveryOut
from bellwork.delivery.service import list_deliveries
from bellwork.org.access import require_admin

router = Router(prefix="/api/v1", tags=["delivery"])


@router.get("/deliveries", response_model=Page[DeliveryOut])
async def deliveries(
    db: DB,
    scope: CurrentScope,
    channel: Literal["email", "sms", "voice"] | None = None,
    status: Literal["queued", "sent", "delivered", "outbox", "failed"] | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[DeliveryOut]:
    """Email and text messages Bellwork sent or kept in the outbox (no provider configured
    for the channel), newest first, with each failure's reason. Admins only."""
    require_admin(scope)
    return await list_deliveries(db, channel, status, cursor, limit)
