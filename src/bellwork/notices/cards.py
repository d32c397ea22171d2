"""A notice in the group chats (docs/notices.md, "In the group chat"): when a notice goes out,
a card (a message of kind `notice`: its title, and the notice's id and importance) is posted by
the system into the group of each unit it reached people in — a class's home–school group for
"the guardians of class 3-2", every class's for "the guardians of the school". Tapping it opens
the notice. Each group also shows, pinned at its top, the notices that reached oneself through
its unit and are still unread (the web client asks the inbox with `unit_id`).

Posting is the `notices.cards` job (`notices/jobs.py`), enqueued in the transaction that
publishes: 8,000 recipients across 30 classes do not wait for 30 posts, and the job's posts
commit with the job marked done — once, however often a killed worker's job is claimed again.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat.cards import post_unit_cards
from bellwork.chat.models import MessageKind
from bellwork.notices.models import Notice, NoticeReceipt


async def post_cards(db: AsyncSession, notice_id: int) -> int:
    """Posts the notice's card into the group of every unit it reached people in (those that
    have a group); none for a notice recalled meanwhile. Returns how many."""
    notice = await db.get(Notice, notice_id)
    if notice is None or notice.published_at is None or notice.recalled_at is not None:
        return 0
    units = (
        await db.execute(
            select(NoticeReceipt.unit_id)
            .where(NoticeReceipt.notice_id == notice.id, NoticeReceipt.unit_id.is_not(None))
            .distinct()
        )
    ).scalars()
    return await post_unit_cards(
        db,
        (u for u in units if u is not None),
        notice.title,
        kind=MessageKind.notice,
        card={"notice_id": notice.id, "importance": notice.importance},
    )
