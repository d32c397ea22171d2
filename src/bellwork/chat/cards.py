"""Cards another domain posts into unit groups (docs/chat.md, "Cards in unit groups"): a
notice's (notices/cards.py) and a form's (forms/cards.py) — one message by the system into the
group of each unit it concerns, its title as `body` and what it opens in `Message.card`.

`post_unit_cards` is the one way: the caller decides which units, the title and the card, and
runs it inside a job keyed by what it announces, so the posts commit once with the job (a
retried or reclaimed job posts nothing twice). A unit without a group (fewer than two people
belong in it) or with a dissolved one is passed over."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat.groups import unit_conversation
from bellwork.chat.messages import post_message
from bellwork.chat.models import UNIT_CARDS, MessageKind


async def post_unit_cards(
    db: AsyncSession,
    unit_ids: Iterable[int],
    body: str,
    *,
    kind: MessageKind,
    card: dict[str, Any] | Callable[[int], dict[str, Any]],
) -> int:
    """Posts the card into the group of each unit (in id order); how many were posted. `card`
    is the same for every unit, or made for each unit from its id."""
    if kind not in UNIT_CARDS:
        raise ValueError(f"{kind} is not a unit card")
    posted = 0
    for unit_id in sorted(set(unit_ids)):
        conv = await unit_conversation(db, unit_id)
        if conv is None:
            continue
        content = card(unit_id) if callable(card) else card
        await post_message(db, conv, None, body, kind=kind, card=content)
        posted += 1
    return posted
