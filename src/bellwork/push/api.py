"""`/api/v1/push`: the server's VAPID key, one's devices that receive Web Push (docs/push.md).
Which categories push is one's preferences (`/api/v1/me/preferences`, `push_*`)."""

from __future__ import annotations

from fastapi import Request, Response

from bellwork.core.deps import DB, CurrentActor
from bellwork.core.routing import Router
from bellwork.core.types import PathId
from bellwork.push import service
from bellwork.push.schemas import DeviceOut, DevicesOut, EndpointIn, PushKeyOut, SubscriptionIn
from bellwork.runtime import Runtime

router = Router(prefix="/api/v1/push", tags=["push"])


@router.get("/key", response_model=PushKeyOut)
async def push_key(request: Request, actor: CurrentActor) -> PushKeyOut:
    """The server's VAPID public key, to subscribe a browser with."""
    runtime: Runtime = request.app.state.runtime
    return PushKeyOut(public_key=await service.public_key(runtime))


@router.post(
    "/subscriptions",
    response_model=DeviceOut,
    status_code=201,
    responses={200: {"model": DeviceOut, "description": "This endpoint was subscribed already"}},
)
async def subscribe(
    data: SubscriptionIn, response: Response, db: DB, actor: CurrentActor
) -> DeviceOut:
    """This browser receives one's pushes (its `PushSubscription.toJSON()` and a label). The
    same endpoint again: 200 with the device, its keys and label updated. Pushes to it are
    written in the language of this request."""
    device, created = await service.subscribe(db, actor.id, data)
    if not created:
        response.status_code = 200
    return device


@router.post("/subscriptions/remove", status_code=204)
async def unsubscribe(data: EndpointIn, db: DB, actor: CurrentActor) -> Response:
    """This browser stops receiving one's pushes (by its endpoint); nothing if it did not."""
    await service.unsubscribe(db, actor.id, data.endpoint)
    return Response(status_code=204)


@router.get("/devices", response_model=DevicesOut)
async def devices(db: DB, actor: CurrentActor) -> DevicesOut:
    """One's devices that receive pushes, newest first, each with its last push or error."""
    return DevicesOut(items=await service.devices(db, actor.id))


@router.delete("/devices/{device_id}", status_code=204)
async def remove_device(device_id: PathId, db: DB, actor: CurrentActor) -> Response:
    """One of one's devices stops receiving pushes (404 for one that is not one's)."""
    await service.remove_device(db, actor.id, device_id)
    return Response(status_code=204)
