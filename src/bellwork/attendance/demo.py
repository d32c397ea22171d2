"""The demo's attendance (docs/attendance.md, "Demo"): 滨江实验小学 gets its school days
(Monday to Friday, in by 07:50) with the school's gate as the allowed place, and 云帆科技 its
09:00–18:00 office hours around the office, field work allowed with a note. Added once, also to
a demo database made before attendance existed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.attendance.models import AttendanceRule
from bellwork.attendance.rules import put_rule
from bellwork.attendance.schemas import Place, RuleIn
from bellwork.db.base import utcnow
from bellwork.org.access import Scope
from bellwork.org.models import Unit

DEMO_SCHOOL = ("滨江实验小学", "school")
DEMO_COMPANY = ("云帆科技有限公司", "company")
# 滨江实验小学's gate and 云帆科技's office (points in Hangzhou's Binjiang district).
SCHOOL_GATE = (30.2084, 120.2107)
OFFICE = (30.1925, 120.1890)

RULES = {
    DEMO_SCHOOL: RuleIn(
        name="滨江实验小学作息",
        kind="school",
        start="07:50",
        end="16:30",
        late_grace=0,
        places=[Place(name="学校大门", lat=SCHOOL_GATE[0], lng=SCHOOL_GATE[1], radius=300)],
    ),
    DEMO_COMPANY: RuleIn(
        name="云帆科技工作时间",
        kind="fixed",
        start="09:00",
        end="18:00",
        late_grace=5,
        places=[Place(name="云帆科技大厦", lat=OFFICE[0], lng=OFFICE[1], radius=300)],
        field_work=True,
    ),
}


async def demo_attendance(db: AsyncSession) -> None:
    for (name, kind), rule in RULES.items():
        unit = (
            await db.execute(select(Unit).where(Unit.name == name, Unit.kind == kind))
        ).scalar_one_or_none()
        if unit is None:
            continue
        done = await db.execute(select(AttendanceRule.id).where(AttendanceRule.unit_id == unit.id))
        if done.first() is not None:
            continue
        await put_rule(db, Scope(person_id=0, admin=True), unit.id, rule, utcnow())
