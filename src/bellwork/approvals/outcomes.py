"""What an approved request does elsewhere: another package registers a handler for a kind
of template (bellwork/wiring.py), and it runs in the transaction that approves the request
(an error there refuses the approval, so nothing is half done). Approvals knows no other
package; without a handler an approved request only records the decision."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals.models import ApprovalRequest

Outcome = Callable[[AsyncSession, ApprovalRequest], Awaitable[None]]

_OUTCOMES: dict[str, Outcome] = {}


def on_approved(kind: str, handler: Outcome) -> None:
    """`handler(db, request)` runs when a request of a template of `kind` is approved."""
    _OUTCOMES[kind] = handler


async def approved(db: AsyncSession, req: ApprovalRequest, kind: str | None) -> None:
    handler = _OUTCOMES.get(kind or "")
    if handler is not None:
        await handler(db, req)
