"""Calls on the socket (docs/calls.md): `call.changed` goes to both people's `person:<id>`
topics (every device of theirs), whenever the call moves: ringing (the callee's devices
ring), answered on one device (the others stop), a feed sent, ended (for both)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.calls.schemas import CallOut
from bellwork.realtime.outbox import publish
from bellwork.realtime.protocol import Part, person_topic


class CallChanged(BaseModel):
    type: Literal["call.changed"] = "call.changed"
    call: CallOut


def tell(db: AsyncSession, call: CallOut) -> None:
    """Queue `call.changed` for after commit to both people's devices."""
    topics = [person_topic(p) for p in sorted({call.caller.id, call.callee.id})]
    publish(db, CallChanged(call=call), topics)


PART = Part(name="calls", events=(CallChanged,))
