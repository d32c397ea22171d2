"""Approvals on the socket (docs/approvals.md, docs/realtime.md), to person topics:

- `approval.changed`: a request one takes part in moved (submitted, decided, transferred,
  commented, withdrawn): its detail page and lists refetch, the "waiting for me" badge
  moves. `status` is the request's state after the change, `seq` its timeline's last entry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.realtime.outbox import publish
from bellwork.realtime.protocol import Part, person_topic


class ApprovalChanged(BaseModel):
    type: Literal["approval.changed"] = "approval.changed"
    request_id: int
    status: str
    seq: int
    action: str


def to_people(db: AsyncSession, event: BaseModel, people: Iterable[int]) -> None:
    topics = [person_topic(p) for p in sorted(set(people))]
    if topics:
        publish(db, event, topics)


PART = Part(name="approvals", events=(ApprovalChanged,))
