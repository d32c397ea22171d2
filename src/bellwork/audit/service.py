"""Recording administrative actions. Reading them back: audit/query.py (filters, pages),
audit/present.py (in the reader's words), audit/export.py (a workbook)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.actions import check
from bellwork.audit.models import AuditEntry
from bellwork.core.context import current_address


async def record(
    db: AsyncSession,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    unit_id: int | None = None,
) -> None:
    """Adds an entry to the request's transaction. `action` and every field of `before` and
    `after` must be listed in audit/actions.py (ValueError otherwise: the log must be readable);
    `unit_id` is the unit the action was about besides its target (a membership's unit)."""
    check(action, target_type, (before, after))
    db.add(
        AuditEntry(
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            unit_id=unit_id,
            before=before,
            after=after,
            address=current_address.get(),
        )
    )
