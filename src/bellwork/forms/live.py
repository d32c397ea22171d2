"""Forms on the socket (docs/realtime.md, docs/forms.md):

- `form.counted`: a submission moved the day's counters of a unit: to `unit:<id>` of that unit
  and of every unit above it, one payload, so each level's statistics page (a class teacher's,
  a school's, a bureau's) fetches its figures again. Only ids travel: the page asks for what
  its reader may see.
- `form.reminder`: a form is still missing for oneself or a student one fills for: to the
  fillers' person topics.
- `form.export_ready`: a large export one asked for is ready to download."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.org.live import unit_topic
from bellwork.org.settings import chain
from bellwork.realtime.outbox import publish
from bellwork.realtime.protocol import Part, person_topic


class FormCounted(BaseModel):
    type: Literal["form.counted"] = "form.counted"
    campaign_id: int
    period: date
    unit_id: int


class FormReminder(BaseModel):
    type: Literal["form.reminder"] = "form.reminder"
    campaign_id: int
    name: str
    period: date
    deadline_at: datetime


def counted(db: AsyncSession, campaign_id: int, period: date, unit_id: int, path: str) -> None:
    above = chain(path)
    publish(
        db,
        FormCounted(campaign_id=campaign_id, period=period, unit_id=unit_id),
        [unit_topic(u) for u in above],
    )


def remind(db: AsyncSession, event: FormReminder, people: Iterable[int]) -> None:
    topics = [person_topic(p) for p in sorted(set(people))]
    if topics:
        publish(db, event, topics)


class FormExportReady(BaseModel):
    """One's export `export_id` is ready to download."""

    type: Literal["form.export_ready"] = "form.export_ready"
    export_id: int


def export_ready(db: AsyncSession, export_id: int, person_id: int) -> None:
    publish(db, FormExportReady(export_id=export_id), [person_topic(person_id)])


PART = Part(name="forms", events=(FormCounted, FormReminder, FormExportReady))
