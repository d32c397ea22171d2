"""A correction of one's attendance (补卡): an approval request of the built-in kind
"correction" (approvals/builtin.py) names a day, a time and a reason; once it is approved, the
time is recorded as a punch of that day (`source` "correct") under the rule that applies to the
person, so the day is worked out again with it. Plugged in by bellwork/wiring.py."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals.models import ApprovalRequest
from bellwork.attendance.models import CORRECTION, AttendancePunch
from bellwork.attendance.rules import rule_for
from bellwork.core.errors import Conflict


async def corrected(db: AsyncSession, req: ApprovalRequest) -> None:
    """Records the approved request's time as the person's punch (once per request)."""
    person = req.subject_id
    applied = await rule_for(db, person)
    if applied is None:
        raise Conflict("attendance_no_rule")
    day = date.fromisoformat(str(req.answers["day"]))
    at = datetime.combine(day, time.fromisoformat(str(req.answers["time"])), applied.tz)
    client_id = f"approval:{req.id}"
    found = await db.execute(
        select(AttendancePunch.id).where(
            AttendancePunch.person_id == person, AttendancePunch.client_id == client_id
        )
    )
    if found.first() is not None:
        return
    reason = str(req.answers.get("reason") or "")
    db.add(
        AttendancePunch(
            person_id=person,
            unit_id=applied.rule.unit_id,
            day=day,
            at=at,
            source=CORRECTION,
            note=reason[:200] or None,
            client_id=client_id,
        )
    )
    await db.flush()
