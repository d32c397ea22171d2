"""Notices on the socket: their events, all to person topics (`person:<id>`, which every socket
of a person follows), so notices declare no topic of their own (docs/notices.md).

- `notice.new`: a notice for you went out (at once or at its minute): to every recipient, one
  payload naming each recipient's topic (the snapshot is per person: a unit topic would reach
  whoever follows the unit now, not the people it was published to); and `notice.changed` to
  the author's devices.
- `notice.changed`: the notice was edited (recipients show "edited"), or the author's own
  notice changed (went out at its minute): fetch it again.
- `notice.recalled`: the author took it back: to every recipient and the author.
- `notice.read`: a recipient read or confirmed: to their own devices (the badge) and the
  author's (the statistics move; the page coalesces its refetches).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.notices.schemas import NoticeSummary
from bellwork.realtime.outbox import publish
from bellwork.realtime.protocol import Part, person_topic


class NoticeNew(BaseModel):
    """A notice for this person went out: show it in the inbox, count it unread."""

    type: Literal["notice.new"] = "notice.new"
    notice: NoticeSummary


class NoticeChanged(BaseModel):
    """Notice `notice_id` changed: edited after publishing (`edited_at` set), or, for its
    author, went out at its minute. Fetch it again."""

    type: Literal["notice.changed"] = "notice.changed"
    notice_id: int
    edited_at: datetime | None


class NoticeRecalled(BaseModel):
    """The author recalled notice `notice_id`: it leaves the inbox of those who had not read
    it; those who had keep its title, marked recalled."""

    type: Literal["notice.recalled"] = "notice.recalled"
    notice_id: int


class NoticeRead(BaseModel):
    """`person_id`, reached in `unit_id`, read (and perhaps confirmed) notice `notice_id`."""

    type: Literal["notice.read"] = "notice.read"
    notice_id: int
    person_id: int
    unit_id: int | None
    read_at: datetime
    confirmed_at: datetime | None


PART = Part(name="notices", events=(NoticeNew, NoticeChanged, NoticeRecalled, NoticeRead))


def tell(db: AsyncSession, event: BaseModel, people: Iterable[int]) -> None:
    """Queue `event` for after commit to these people's devices (one payload)."""
    topics = [person_topic(p) for p in sorted(set(people))]
    if topics:
        publish(db, event, topics)
