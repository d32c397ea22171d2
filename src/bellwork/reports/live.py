"""Reports on the socket (docs/reports.md, docs/realtime.md), each to person topics:

- `report.received`: a report came to one as a recipient or a copy (the inbox refetches, the
  badge moves).
- `report.commented`: a comment on a report one may read (its detail page refetches its
  thread; "read by" of one's own comments moves with `report.read`).
- `report.read`: someone read a report or its comments up to `seen_seq`: to its author and
  commenters, whose "read by" it moves.
- `report.reminder`: one's report for a period is still missing and due at `deadline_at`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.realtime.outbox import publish
from bellwork.realtime.protocol import Part, person_topic


class ReportReceived(BaseModel):
    type: Literal["report.received"] = "report.received"
    report_id: int
    author_id: int
    role: str


class ReportCommented(BaseModel):
    type: Literal["report.commented"] = "report.commented"
    report_id: int
    seq: int


class ReportRead(BaseModel):
    type: Literal["report.read"] = "report.read"
    report_id: int
    person_id: int
    seen_seq: int


class ReportReminder(BaseModel):
    type: Literal["report.reminder"] = "report.reminder"
    template_id: int
    name: str
    period: date
    deadline_at: datetime


def to_people(db: AsyncSession, event: BaseModel, people: Iterable[int]) -> None:
    topics = [person_topic(p) for p in sorted(set(people))]
    if topics:
        publish(db, event, topics)


PART = Part(name="reports", events=(ReportReceived, ReportCommented, ReportRead, ReportReminder))
