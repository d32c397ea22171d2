"""A report's card in chat: a message of kind "report" from its author in the direct chat of
the author and each recipient and copy (chat's own `direct_between` and `post_message`, as any
message the author sends), the template's name as `body` and what it opens in
`Message.card`. Someone the author may not message (a deactivated account) gets no card; the
report is in their inbox all the same."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.membership import direct_between
from bellwork.chat.messages import post_message
from bellwork.chat.models import MessageKind
from bellwork.org.access import Scope, message_refusal
from bellwork.org.models import Person
from bellwork.reports.models import Report


async def post_cards(
    db: AsyncSession,
    actor: Actor,
    scope: Scope,
    report: Report,
    name: str,
    period_kind: str,
    people: Iterable[int],
) -> int:
    """Posts the card to each person; how many got one."""
    posted = 0
    card = {
        "report_id": report.id,
        "period": report.period.isoformat(),
        "period_kind": period_kind,
    }
    for person_id in sorted(set(people)):
        person = await db.get(Person, person_id)
        if person is None or message_refusal(scope, person) is not None:
            continue
        # Readers of the report were checked by `writing.submit` (people one may see, or
        # heads above one): they may be told of it in a direct chat.
        conv = await direct_between(db, actor.id, person_id)
        await post_message(
            db,
            conv,
            actor.person,
            name,
            kind=MessageKind.report,
            card=card,
            client_msg_id=f"report:{report.id}:{person_id}",
        )
        posted += 1
    return posted
