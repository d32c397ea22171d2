"""DING over HTTP (docs/ding.md): sending, one's sent DINGs, reminding and recalling; one's own
pending DINGs and confirming them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.schemas import Page
from bellwork.core.types import PathId
from bellwork.ding import service
from bellwork.ding.schemas import DingAlert, DingCreate, DingDetail, DingOut

router = APIRouter(prefix="/api/v1/dings", tags=["ding"])


@router.post(
    "",
    response_model=DingOut,
    status_code=201,
    responses={
        200: {"description": "A retry (same `client_id`): the first DING"},
        409: {"description": "Over the monthly SMS quota (`ding_sms_quota`)"},
    },
)
async def send_ding(
    data: DingCreate, db: DB, actor: CurrentActor, scope: CurrentScope, response: Response
) -> DingOut:
    """Sends a DING to people and units × roles, now or at a minute (`send_at`). Heads,
    teachers and staff of a unit and admins may (403 `ding_not_allowed`). People picked by name
    must all be ones the sender may see (403 `ding_people_unreachable`); a unit gives its
    members with the roles asked whom the sender may see; nobody at all is 422
    `ding_audience_empty`, a time that is not ahead 422 `ding_time_past`; text messages
    beyond the organisation's monthly SMS quota 409 `ding_sms_quota`."""
    out, created = await service.send(db, actor, scope, data)
    if not created:
        response.status_code = 200
    return out


@router.get("", response_model=Page[DingOut])
async def sent_dings(
    db: DB,
    actor: CurrentActor,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> Page[DingOut]:
    """One's own DINGs, newest first, with how many of the recipients confirmed."""
    return await service.list_sent(db, actor, cursor, limit)


@router.get("/pending", response_model=list[DingAlert])
async def pending_dings(db: DB, actor: CurrentActor) -> list[DingAlert]:
    """The DINGs for oneself not confirmed yet, oldest first: the cards to show (on load and
    after every `hello` of the socket)."""
    return await service.pending(db, actor)


@router.get("/{ding_id}", response_model=DingDetail)
async def ding_detail(ding_id: PathId, db: DB, actor: CurrentActor) -> DingDetail:
    """One's own DING with its recipients, confirmed and not, grouped by unit."""
    return await service.detail(db, actor, ding_id)


@router.post(
    "/{ding_id}/remind",
    response_model=DingOut,
    responses={
        409: {"description": "Recalled, not sent yet, everyone confirmed, or over the SMS quota"},
        429: {"description": "Reminded less than 5 minutes ago (`Retry-After`)"},
    },
)
async def remind_ding(ding_id: PathId, db: DB, actor: CurrentActor) -> DingOut:
    """Alerts the recipients who have not confirmed again (every channel the DING used), at
    most once per 5 minutes after the last alert."""
    return await service.remind(db, actor, ding_id)


@router.post(
    "/{ding_id}/recall",
    response_model=DingOut,
    responses={409: {"description": "Everyone confirmed already (`ding_all_confirmed`)"}},
)
async def recall_ding(ding_id: PathId, db: DB, actor: CurrentActor) -> DingOut:
    """Takes one's DING back: the recipients' cards go away. Refused once everyone confirmed
    (409 `ding_all_confirmed`)."""
    return await service.recall(db, actor, ding_id)


@router.post(
    "/{ding_id}/confirm",
    response_model=DingAlert,
    responses={409: {"description": "Recalled (`ding_recalled`)"}},
)
async def confirm_ding(ding_id: PathId, db: DB, actor: CurrentActor) -> DingAlert:
    """确认收到: confirms a DING for oneself; one's other devices stop alerting. Again is the
    same."""
    return await service.confirm(db, actor, ding_id)
