"""The author's side of notices (docs/notices.md): who may publish, the audience, publishing now
or at a minute, editing and recalling. Reading is `notices/reading.py`, the statistics and
"DING everyone who has not read" `notices/stats.py`, files `notices/files.py`, the cards in the
unit groups `notices/cards.py`.

- The recipients are resolved like every audience (`org.audience.resolve`: people and units ×
  roles the author may reach, each person once, with the unit they were reached in) and written when
  the author publishes — one `NoticeReceipt` each, a scheduled notice included — so the author
  learns at once that an audience is empty, and the statistics stay what they were when people
  move. 8,000 receipts are one statement on PostgreSQL (`unnest` of two arrays).
- Going out (`go_out`, at once or by the `notices.publish` job at its minute): one `notice.new`
  to every recipient's devices and a `notices.cards` job that posts a card into each unit group
  the notice reached — both in the transaction that publishes, so a rollback tells nobody and a
  node killed after the commit loses nothing (the job is a row; clients resync on reconnect).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.shaping import person_refs
from bellwork.core.errors import Conflict, Forbidden, Invalid, NotFound
from bellwork.db.base import utcnow
from bellwork.ding.audience import may_send
from bellwork.ding.live import tell
from bellwork.jobs import enqueue
from bellwork.notices import files as noticefiles
from bellwork.notices.live import NoticeChanged, NoticeNew, NoticeRecalled
from bellwork.notices.models import Importance, Notice, NoticeReceipt
from bellwork.notices.schemas import (
    NoticeCreate,
    NoticeEdit,
    NoticeOut,
    NoticeSummary,
    ReceiptState,
    Totals,
)
from bellwork.org import audience
from bellwork.org.access import Scope
from bellwork.push import service as push
from bellwork.push.messages import notice_close, notice_push

PUBLISH = "notices.publish"
CARDS = "notices.cards"
BATCH = 500

MAX_RECIPIENTS = 20_000


async def may_publish(db: AsyncSession, scope: Scope) -> bool:
    """Who may publish a notice: whoever may DING (`ding.audience.may_send`: admins, and the
    roles the unit setting `ding_senders` lists — heads, teachers and staff by default): one
    rule for both."""
    return await may_send(db, scope)


async def require_author(db: AsyncSession, scope: Scope) -> None:
    if not await may_publish(db, scope):
        raise Forbidden("notice_not_allowed")


async def resolve(
    db: AsyncSession, scope: Scope, data: NoticeCreate
) -> list[tuple[int, int | None]]:
    """(person, unit reached in) for everyone the notice reaches (422 `notice_audience_empty`,
    403 `notice_people_unreachable`, 422 `notice_too_many`)."""
    return await audience.resolve(
        db, scope, people=data.people, units=data.units, prefix="notice", limit=MAX_RECIPIENTS
    )


async def write_receipts(
    db: AsyncSession, notice_id: int, recipients: Sequence[tuple[int, int | None]]
) -> None:
    """The snapshot: a receipt per recipient. On PostgreSQL one INSERT … SELECT from `unnest`
    of two arrays (8,000 rows in one round trip); elsewhere inserts of 500 rows at a time."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(
            text(
                "INSERT INTO notice_receipt (notice_id, person_id, unit_id) "
                "SELECT :n, p, u FROM unnest(CAST(:p AS bigint[]), CAST(:u AS bigint[])) "
                "AS r(p, u)"
            ),
            {"n": notice_id, "p": [p for p, _ in recipients], "u": [u for _, u in recipients]},
        )
        return
    rows = [{"notice_id": notice_id, "person_id": p, "unit_id": u} for p, u in recipients]
    for i in range(0, len(rows), BATCH):
        await db.execute(insert(NoticeReceipt), rows[i : i + BATCH])


def _minute(at: datetime) -> datetime:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).replace(second=0, microsecond=0)


async def publish(
    db: AsyncSession, actor: Actor, scope: Scope, data: NoticeCreate
) -> tuple[NoticeOut, bool]:
    """Publishes a notice now or schedules it for its minute; (the notice, whether it is new).
    A retry with the same `client_id` answers the first one and publishes nothing again."""
    await require_author(db, scope)
    earlier = (
        await db.execute(
            select(Notice).where(Notice.author_id == actor.id, Notice.client_id == data.client_id)
        )
    ).scalar()
    if earlier is not None:
        return await notice_out(db, actor, earlier), False
    now = utcnow()
    publish_at = _minute(data.publish_at) if data.publish_at is not None else None
    if publish_at is not None and publish_at <= now:
        raise Invalid("notice_time_past", errors=[{"field": "publish_at"}])
    recipients = await resolve(db, scope, data)
    notice = Notice(
        author_id=actor.id,
        client_id=data.client_id,
        title=data.title,
        body=data.body,
        importance=data.importance.value,
        confirm=data.confirm,
        audience={
            "people": list(dict.fromkeys(data.people)),
            "units": [u.model_dump() for u in data.units],
        },
        recipient_count=len(recipients),
        publish_at=publish_at,
        created_at=now,
    )
    db.add(notice)
    await db.flush()
    # Files last of the checks: a refusal above leaves the uploads loose, not half-attached.
    await noticefiles.attach(db, actor, notice, data.body, data.attachments)
    await write_receipts(db, notice.id, recipients)
    if publish_at is None:
        await go_out(db, notice, now)
    else:
        await enqueue(
            db, PUBLISH, {"notice": notice.id}, run_at=publish_at, key=f"{PUBLISH}:{notice.id}"
        )
    return await notice_out(db, actor, notice), True


async def go_out(db: AsyncSession, notice: Notice, now: datetime) -> None:
    """The notice reaches its recipients now (at once, or at its minute): `notice.new` to each
    recipient's devices (one payload, a topic each), the cards into the unit groups as a job,
    and `notice.changed` to the author's devices."""
    notice.published_at = now
    await db.flush()
    people = list(
        (
            await db.execute(
                select(NoticeReceipt.person_id).where(NoticeReceipt.notice_id == notice.id)
            )
        ).scalars()
    )
    summary = (await summaries(db, [notice]))[0]
    summary.mine = ReceiptState(unit_id=None, read_at=None, confirmed_at=None)
    tell(db, NoticeNew(notice=summary), people)
    author = summary.author.name if summary.author is not None else None
    await push.notify(db, people, "notice", notice_push(notice.id, notice.title, author))
    await enqueue(db, CARDS, {"notice": notice.id}, key=f"{CARDS}:{notice.id}")
    if notice.author_id is not None:
        tell(db, NoticeChanged(notice_id=notice.id, edited_at=None), [notice.author_id])


async def publish_scheduled(db: AsyncSession, notice_id: int, now: datetime) -> None:
    """The `notices.publish` job: a scheduled notice goes out, unless it was recalled (or
    already went: a job that runs again does nothing twice)."""
    notice = await db.get(Notice, notice_id)
    if notice is None or notice.published_at is not None or notice.recalled_at is not None:
        return
    await go_out(db, notice, now)


# --- shaping ---------------------------------------------------------------------------------


async def totals(db: AsyncSession, ids: Sequence[int]) -> dict[int, Totals]:
    """Recipients, read and confirmed per notice (one grouped query over the receipts)."""
    if not ids:
        return {}
    rows = await db.execute(
        select(
            NoticeReceipt.notice_id,
            func.count(NoticeReceipt.id),
            func.count(NoticeReceipt.read_at),
            func.count(NoticeReceipt.confirmed_at),
        )
        .where(NoticeReceipt.notice_id.in_(ids))
        .group_by(NoticeReceipt.notice_id)
    )
    return {n: Totals(total=int(a), read=int(b), confirmed=int(c)) for n, a, b, c in rows}


async def summaries(
    db: AsyncSession, notices: Sequence[Notice], with_totals: bool = False
) -> list[NoticeSummary]:
    refs = await person_refs(db, {n.author_id for n in notices if n.author_id})
    counts = await totals(db, [n.id for n in notices]) if with_totals else {}
    return [
        NoticeSummary(
            id=n.id,
            title=n.title,
            importance=Importance(n.importance),
            confirm=n.confirm,
            author=refs.get(n.author_id) if n.author_id else None,
            publish_at=n.publish_at,
            published_at=n.published_at,
            edited_at=n.edited_at,
            recalled_at=n.recalled_at,
            created_at=n.created_at,
            totals=counts.get(n.id, Totals(total=0, read=0, confirmed=0)) if with_totals else None,
        )
        for n in notices
    ]


async def notice_out(
    db: AsyncSession, actor: Actor, notice: Notice, mine: ReceiptState | None = None
) -> NoticeOut:
    """The notice as `actor` reads it: the author with totals and the audience chosen; a
    recipient with their receipt. A recalled notice shows a recipient its title only."""
    author = notice.author_id == actor.id
    summary = (await summaries(db, [notice], with_totals=author))[0]
    hidden = notice.recalled_at is not None and not author
    files = [] if hidden else await noticefiles.files_of(db, notice.id)
    data: dict[str, Any] = summary.model_dump()
    data["mine"] = mine
    return NoticeOut(
        **data,
        body="" if hidden else notice.body,
        attachments=[f for f, inline in files if not inline],
        images=[f for f, inline in files if inline],
        audience=notice.audience if author else None,
        is_author=author,
    )


# --- the author's own ------------------------------------------------------------------------


async def own(db: AsyncSession, actor: Actor, notice_id: int) -> Notice:
    """One's own notice, or 404 alike for missing and someone else's."""
    notice = await db.get(Notice, notice_id)
    if notice is None or notice.author_id != actor.id:
        raise NotFound("notice")
    return notice


async def list_own(
    db: AsyncSession, actor: Actor, before: int | None, limit: int
) -> tuple[list[NoticeSummary], int | None]:
    """One's own notices, newest first, with their totals; (page, id to continue before)."""
    stmt = (
        select(Notice)
        .where(Notice.author_id == actor.id)
        .order_by(Notice.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        stmt = stmt.where(Notice.id < before)
    found = list((await db.execute(stmt)).scalars())
    more = len(found) > limit
    found = found[:limit]
    return await summaries(db, found, with_totals=True), found[-1].id if more and found else None


async def edit(db: AsyncSession, actor: Actor, notice_id: int, data: NoticeEdit) -> NoticeOut:
    """Changes one's notice. After it went out, recipients see it was edited (`edited_at`, and
    `notice.changed` to their devices); a recalled notice cannot change (409
    `notice_recalled`). The audience is the snapshot and stays."""
    notice = await own(db, actor, notice_id)
    if notice.recalled_at is not None:
        raise Conflict("notice_recalled")
    body = data.body if data.body is not None else notice.body
    if data.body is not None or data.attachments is not None:
        attachments = data.attachments
        if attachments is None:
            attachments = [
                f.id for f, inline in await noticefiles.files_of(db, notice.id) if not inline
            ]
        await noticefiles.attach(db, actor, notice, body, attachments)
    changed = False
    for field in ("title", "body", "confirm"):
        value = getattr(data, field)
        if value is not None and value != getattr(notice, field):
            setattr(notice, field, value)
            changed = True
    if data.importance is not None and data.importance.value != notice.importance:
        notice.importance = data.importance.value
        changed = True
    if data.attachments is not None:
        changed = True
    if changed and notice.published_at is not None:
        notice.edited_at = utcnow()
        await db.flush()
        people = await recipient_ids(db, notice.id)
        tell(
            db,
            NoticeChanged(notice_id=notice.id, edited_at=notice.edited_at),
            [*people, actor.id],
        )
    await db.flush()
    return await notice_out(db, actor, notice)


async def recipient_ids(db: AsyncSession, notice_id: int) -> list[int]:
    rows = await db.execute(
        select(NoticeReceipt.person_id).where(NoticeReceipt.notice_id == notice_id)
    )
    return list(rows.scalars())


async def recall(db: AsyncSession, actor: Actor, notice_id: int) -> NoticeOut:
    """Takes one's notice back: it leaves the inbox of those who had not read it; those who had
    keep its title marked recalled, without its text and files. A scheduled notice never goes
    out. Again is the same."""
    notice = await own(db, actor, notice_id)
    if notice.recalled_at is None:
        notice.recalled_at = utcnow()
        await db.flush()
        people = await recipient_ids(db, notice.id) if notice.published_at else []
        tell(db, NoticeRecalled(notice_id=notice.id), [*people, actor.id])
        if people:
            await push.notify(db, people, "notice", notice_close(notice.id))
    return await notice_out(db, actor, notice)
