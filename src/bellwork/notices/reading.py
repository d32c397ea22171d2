"""The recipient's side of notices (docs/notices.md): the inbox, reading one, marking it read,
confirming, and the unread count on the badge and the workbench tile.

- The inbox holds the notices published to oneself, newest first. A recalled notice leaves the
  inbox of whoever had not opened it; whoever had keeps its title marked recalled.
- Opening a notice (`POST .../read`) marks it read once; confirming marks it read too. Each
  first time is told to one's own devices and to the author's (`notice.read`): their statistics
  move live.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.core.errors import Conflict, NotFound
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.db.base import utcnow
from bellwork.ding.live import tell
from bellwork.notices.live import NoticeRead
from bellwork.notices.models import Notice, NoticeReceipt
from bellwork.notices.schemas import NoticeOut, NoticeSummary, ReceiptState, UnreadCount
from bellwork.notices.service import notice_out, summaries


def _in_inbox() -> list[Any]:
    """A receipt whose notice is in the inbox: published, and not recalled unless opened."""
    return [
        Notice.published_at.is_not(None),
        or_(Notice.recalled_at.is_(None), NoticeReceipt.read_at.is_not(None)),
    ]


def _state(r: NoticeReceipt) -> ReceiptState:
    return ReceiptState(unit_id=r.unit_id, read_at=r.read_at, confirmed_at=r.confirmed_at)


async def inbox(
    db: AsyncSession,
    actor: Actor,
    *,
    unread: bool,
    unit_id: int | None,
    cursor: str | None,
    limit: int,
) -> Page[NoticeSummary]:
    """One's notices, newest first. `unread`: only those not read yet (recalled ones never);
    `unit_id`: only those that reached one through that unit (its group's pinned notices)."""
    stmt = (
        select(Notice, NoticeReceipt)
        .join(NoticeReceipt, NoticeReceipt.notice_id == Notice.id)
        .where(NoticeReceipt.person_id == actor.id, *_in_inbox())
        .order_by(Notice.published_at.desc(), Notice.id.desc())
        .limit(limit + 1)
    )
    if unread:
        stmt = stmt.where(NoticeReceipt.read_at.is_(None), Notice.recalled_at.is_(None))
    if unit_id is not None:
        stmt = stmt.where(NoticeReceipt.unit_id == unit_id)
    after = decode_cursor(cursor, datetime, int)
    if after is not None:
        at = after[0]
        stmt = stmt.where(
            or_(
                Notice.published_at < at,
                and_(Notice.published_at == at, Notice.id < after[1]),
            )
        )
    rows = [(n, r) for n, r in await db.execute(stmt)]
    more = len(rows) > limit
    rows = rows[:limit]
    items = await summaries(db, [n for n, _ in rows])
    for item, (_, r) in zip(items, rows, strict=True):
        item.mine = _state(r)
    last = rows[-1][0] if rows else None
    return Page(
        items=items,
        next_cursor=encode_cursor([last.published_at.isoformat(), last.id])
        if more and last is not None and last.published_at is not None
        else None,
    )


async def unread_count(db: AsyncSession, person_id: int) -> UnreadCount:
    """Published notices for oneself not read yet, and read but not confirmed where asked
    (recalled ones not): one indexed count over one's own receipts."""
    row = (
        await db.execute(
            select(
                func.count(NoticeReceipt.id).filter(NoticeReceipt.read_at.is_(None)),
                func.count(NoticeReceipt.id).filter(
                    NoticeReceipt.read_at.is_not(None),
                    NoticeReceipt.confirmed_at.is_(None),
                    Notice.confirm.is_(True),
                ),
            )
            .select_from(NoticeReceipt)
            .join(Notice, Notice.id == NoticeReceipt.notice_id)
            .where(
                NoticeReceipt.person_id == person_id,
                Notice.published_at.is_not(None),
                Notice.recalled_at.is_(None),
            )
        )
    ).one()
    return UnreadCount(unread=int(row[0]), to_confirm=int(row[1]))


async def _receipt(db: AsyncSession, person_id: int, notice_id: int) -> NoticeReceipt | None:
    return (
        await db.execute(
            select(NoticeReceipt).where(
                NoticeReceipt.notice_id == notice_id, NoticeReceipt.person_id == person_id
            )
        )
    ).scalar()


async def visible(
    db: AsyncSession, actor: Actor, notice_id: int
) -> tuple[Notice, NoticeReceipt | None]:
    """The notice and one's receipt, for its author or a recipient once it went out (a
    recalled one only for those who had opened it); 404 alike for everyone else."""
    notice = await db.get(Notice, notice_id)
    if notice is None:
        raise NotFound("notice")
    receipt = await _receipt(db, actor.id, notice_id)
    if notice.author_id == actor.id:
        return notice, receipt
    if receipt is None or notice.published_at is None:
        raise NotFound("notice")
    if notice.recalled_at is not None and receipt.read_at is None:
        raise NotFound("notice")
    return notice, receipt


async def get(db: AsyncSession, actor: Actor, notice_id: int) -> NoticeOut:
    notice, receipt = await visible(db, actor, notice_id)
    return await notice_out(db, actor, notice, _state(receipt) if receipt else None)


async def mark(db: AsyncSession, actor: Actor, notice_id: int, confirm: bool) -> NoticeOut:
    """Marks the notice read (`confirm`: and confirmed) for oneself; again is the same, and
    nobody is told twice. Confirming one that does not ask: 409 `notice_no_confirm`; a
    recalled one: 409 `notice_recalled`."""
    notice, receipt = await visible(db, actor, notice_id)
    if receipt is None:  # the author, who is no recipient of their own notice
        raise NotFound("notice")
    if confirm and not notice.confirm:
        raise Conflict("notice_no_confirm")
    if notice.recalled_at is not None and (confirm or receipt.read_at is None):
        raise Conflict("notice_recalled")
    now = utcnow()
    changed = False
    if receipt.read_at is None:
        done = await db.execute(
            update(NoticeReceipt)
            .where(NoticeReceipt.id == receipt.id, NoticeReceipt.read_at.is_(None))
            .values(read_at=now)
            .execution_options(synchronize_session=False)
        )
        changed = getattr(done, "rowcount", 0) == 1
    if confirm and receipt.confirmed_at is None:
        done = await db.execute(
            update(NoticeReceipt)
            .where(NoticeReceipt.id == receipt.id, NoticeReceipt.confirmed_at.is_(None))
            .values(confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        changed = changed or getattr(done, "rowcount", 0) == 1
    await db.refresh(receipt)
    if changed:
        assert receipt.read_at is not None
        event = NoticeRead(
            notice_id=notice.id,
            person_id=actor.id,
            unit_id=receipt.unit_id,
            read_at=receipt.read_at,
            confirmed_at=receipt.confirmed_at,
        )
        tell(db, event, [actor.id, *([notice.author_id] if notice.author_id else [])])
    return await notice_out(db, actor, notice, _state(receipt))
