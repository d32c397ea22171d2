"""DING on the socket: its events, all to person topics (`person:<id>`, which every socket of a
person follows), so it declares no topic of its own (docs/realtime.md, docs/ding.md).

- `ding.alert`: a DING for you (sent, or a reminder): show the card until you confirm.
- `ding.confirmed`: a recipient confirmed: to their own devices (stop alerting) and the sender's.
- `ding.recalled`: the sender took it back: to the recipients who had not confirmed (the card
  goes) and the sender's devices.
- `ding.changed`: one's own DING changed (sent at its time, reminded): to the sender's devices,
  which fetch it again.

One event for all the recipients is one payload with a topic per recipient (`publish` with
their topics), not one payload per recipient.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.ding.schemas import DingAlert
from bellwork.realtime.outbox import publish
from bellwork.realtime.protocol import Part, person_topic


class DingAlerted(BaseModel):
    """A DING for this person, sent now or reminded: show its card until confirmed."""

    type: Literal["ding.alert"] = "ding.alert"
    ding: DingAlert


class DingConfirmed(BaseModel):
    """`person_id` confirmed DING `ding_id` (`confirmed` of `total` have now)."""

    type: Literal["ding.confirmed"] = "ding.confirmed"
    ding_id: int
    person_id: int
    confirmed_at: datetime
    confirmed: int
    total: int


class DingRecalled(BaseModel):
    """The sender recalled DING `ding_id`: its card goes away."""

    type: Literal["ding.recalled"] = "ding.recalled"
    ding_id: int


class DingChanged(BaseModel):
    """One's own DING `ding_id` changed (it went out at its time, or was reminded): fetch it."""

    type: Literal["ding.changed"] = "ding.changed"
    ding_id: int


PART = Part(name="ding", events=(DingAlerted, DingConfirmed, DingRecalled, DingChanged))


def tell(db: AsyncSession, event: BaseModel, people: Iterable[int]) -> None:
    """Queue `event` for after commit to these people's devices (one payload)."""
    topics = [person_topic(p) for p in sorted(set(people))]
    if topics:
        publish(db, event, topics)
