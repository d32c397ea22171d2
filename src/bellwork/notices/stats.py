"""The author's statistics (docs/notices.md): read and confirmed by the unit each recipient was
reached in, lagging units first; the people behind a number; and one click that DINGs everyone
who has not read the notice (through DING's own `ding.service.send`).

The receipts are the snapshot taken at publish time, so the numbers stay true after people
move. One notice's statistics are one GROUP BY over its receipts (the index on
`(notice_id, unit_id)`), plus the names of the units along their paths.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.shaping import person_refs
from bellwork.core.errors import Conflict
from bellwork.core.i18n import t
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.ding.models import DingMessage
from bellwork.ding.schemas import DingCreate, DingOut
from bellwork.ding.service import send as send_ding
from bellwork.notices.models import NoticeReceipt
from bellwork.notices.schemas import NoticeRecipient, NoticeStats, RecipientState, Totals, UnitStats
from bellwork.notices.service import own
from bellwork.org.access import Scope, visible_people_clause
from bellwork.org.models import Person
from bellwork.org.units import unit_labels

BATCH = 500


async def stats(db: AsyncSession, actor: Actor, notice_id: int) -> NoticeStats:
    """Totals, and per unit reached: recipients, read, confirmed. Sorted so that the unit
    lagging most comes first (the lowest share read — confirmed, when the notice asks for
    it), then by name; people picked by name (no unit) last."""
    notice = await own(db, actor, notice_id)
    rows = list(
        await db.execute(
            select(
                NoticeReceipt.unit_id,
                func.count(NoticeReceipt.id),
                func.count(NoticeReceipt.read_at),
                func.count(NoticeReceipt.confirmed_at),
            )
            .where(NoticeReceipt.notice_id == notice.id)
            .group_by(NoticeReceipt.unit_id)
        )
    )
    names = await unit_labels(db, {r[0] for r in rows if r[0] is not None})
    units = [
        UnitStats(
            unit_id=uid,
            unit_name=names.get(uid) if uid is not None else None,
            total=int(n),
            read=int(r),
            confirmed=int(c),
        )
        for uid, n, r, c in rows
    ]

    def lag(u: UnitStats) -> tuple[bool, float, str]:
        done = u.confirmed if notice.confirm else u.read
        return (u.unit_id is None, done / u.total if u.total else 1.0, u.unit_name or "")

    units.sort(key=lag)
    return NoticeStats(
        notice_id=notice.id,
        totals=Totals(
            total=sum(u.total for u in units),
            read=sum(u.read for u in units),
            confirmed=sum(u.confirmed for u in units),
        ),
        units=units,
    )


async def recipients(
    db: AsyncSession,
    actor: Actor,
    notice_id: int,
    *,
    unit_id: int | None,
    by_name: bool,
    state: RecipientState | None,
    cursor: str | None,
    limit: int,
) -> Page[NoticeRecipient]:
    """The people behind the numbers, a page at a time in the order they were reached: of one
    unit (`unit_id`), or those picked by name (`by_name`), or all; in one state (`unread`,
    `read`, `unconfirmed`: read but not confirmed, `confirmed`). Guardians come as their
    child's parent (王军杰妈妈), as DING and receipts name them."""
    notice = await own(db, actor, notice_id)
    stmt = (
        select(NoticeReceipt)
        .where(NoticeReceipt.notice_id == notice.id)
        .order_by(NoticeReceipt.id)
        .limit(limit + 1)
    )
    if by_name:
        stmt = stmt.where(NoticeReceipt.unit_id.is_(None))
    elif unit_id is not None:
        stmt = stmt.where(NoticeReceipt.unit_id == unit_id)
    if state == "unread":
        stmt = stmt.where(NoticeReceipt.read_at.is_(None))
    elif state == "read":
        stmt = stmt.where(NoticeReceipt.read_at.is_not(None))
    elif state == "unconfirmed":
        stmt = stmt.where(NoticeReceipt.confirmed_at.is_(None))
    elif state == "confirmed":
        stmt = stmt.where(NoticeReceipt.confirmed_at.is_not(None))
    after = decode_cursor(cursor, int)
    if after is not None:
        stmt = stmt.where(NoticeReceipt.id > after[0])
    found = list((await db.execute(stmt)).scalars())
    more = len(found) > limit
    found = found[:limit]
    refs = await person_refs(db, {r.person_id for r in found})
    return Page(
        items=[
            NoticeRecipient(
                person=refs[r.person_id],
                unit_id=r.unit_id,
                read_at=r.read_at,
                confirmed_at=r.confirmed_at,
            )
            for r in found
            if r.person_id in refs
        ],
        next_cursor=encode_cursor([found[-1].id]) if more and found else None,
    )


async def ding_unread(
    db: AsyncSession, actor: Actor, scope: Scope, notice_id: int, client_id: str
) -> tuple[DingOut, bool]:
    """DINGs every recipient who has not read the notice yet (and whom the author may still
    reach: a deactivated account or someone out of sight since is left out), with the notice's
    title and a link to it, through DING's own send — its rules, its idempotency (the
    `client_id`), its card. 409 when the notice is recalled (`notice_recalled`), has not gone
    out (`notice_not_published`) or everyone read it (`notice_all_read`)."""
    notice = await own(db, actor, notice_id)
    key = f"notice-{notice.id}-{client_id}"
    known = await db.scalar(
        select(DingMessage.id).where(
            DingMessage.sender_id == actor.id, DingMessage.client_id == key
        )
    )
    if known is not None:  # a retry: DING answers its first DING and sends nothing
        return await send_ding(db, actor, scope, _ask(key, notice.title, []))
    if notice.recalled_at is not None:
        raise Conflict("notice_recalled")
    if notice.published_at is None:
        raise Conflict("notice_not_published")
    unread = list(
        (
            await db.execute(
                select(NoticeReceipt.person_id)
                .where(NoticeReceipt.notice_id == notice.id, NoticeReceipt.read_at.is_(None))
                .order_by(NoticeReceipt.id)
            )
        ).scalars()
    )
    reachable: set[int] = set()
    for i in range(0, len(unread), BATCH):
        rows = await db.execute(
            select(Person.id).where(
                Person.id.in_(unread[i : i + BATCH]),
                Person.deactivated_at.is_(None),
                visible_people_clause(scope),
            )
        )
        reachable.update(rows.scalars())
    people = [p for p in unread if p in reachable]
    if not people:
        raise Conflict("notice_all_read")
    body = t("notice_ding_text", title=notice.title, link=f"/notices/{notice.id}")
    # DING's people list is capped for a list a person picks by hand; these were resolved and
    # checked above, so the request is built as it is (DING checks each person's reach again).
    return await send_ding(db, actor, scope, _ask(key, body[:500], people))


def _ask(key: str, body: str, people: list[int]) -> DingCreate:
    return DingCreate.to_people(key, body, people)
