"""Overdue steps (docs/approvals.md, "Overdue"): a pending task older than its flow's
`overdue_hours` gets one DING from the installation (`ding.service.send_system`, keyed by the
task: once), and the timeline says so. `approvals.overdue` runs every 5 minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals import engine
from bellwork.approvals.models import PENDING, ApprovalRequest, ApprovalTask, ApprovalTemplate
from bellwork.approvals.templates import flow_of
from bellwork.core.i18n import t
from bellwork.ding.service import send_system

OVERDUE = "approvals.overdue"
BATCH = 200
MIN_HOURS = 1


async def sweep(db: AsyncSession, now: datetime) -> int:
    """DINGs the approvers of overdue tasks; how many were DINGed."""
    rows = (
        await db.execute(
            select(ApprovalTask, ApprovalRequest)
            .join(ApprovalRequest, ApprovalRequest.id == ApprovalTask.request_id)
            .where(
                ApprovalTask.status == PENDING,
                ApprovalTask.overdue_at.is_(None),
                ApprovalTask.started_at <= now - timedelta(hours=MIN_HOURS),
                ApprovalRequest.status == PENDING,
            )
            .order_by(ApprovalTask.id)
            .limit(BATCH)
        )
    ).all()
    sent = 0
    for task, req in rows:
        flow = await flow_of(db, req.template_id, req.flow_version)
        if flow.overdue_hours == 0 or task.started_at is None:
            continue
        if task.started_at > now - timedelta(hours=flow.overdue_hours):
            continue
        at = await db.get(ApprovalTemplate, req.template_id)
        assert at is not None
        task.overdue_at = now
        await send_system(
            db,
            client_id=f"approval-overdue:{task.id}",
            body=t("approval_overdue_ding", title=req.title),
            recipients=[(task.approver_id, at.unit_id)],
        )
        locked = await engine.lock(db, req.id)
        await engine.note(db, locked, None, "overdue", now, target_id=task.approver_id)
        sent += 1
    await db.flush()
    return sent
