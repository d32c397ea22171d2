"""Who sees names in a campaign's figures (docs/forms.md, "Who sees what"): the unit's
teachers, heads at or below the school, and a district's or bureau's heads only where the unit
setting `form_names_above_school` (inherited) is true. Used by the people list, cases, exports
and the reading of a form's photos."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.org.access import Scope
from bellwork.org.models import Unit
from bellwork.org.settings import unit_setting

ABOVE_SCHOOL = ("bureau",)
NAMES_ABOVE_SCHOOL = "form_names_above_school"


async def may_see_names(db: AsyncSession, scope: Scope, unit: Unit) -> bool:
    if scope.admin or unit.id in scope.teacher_units:
        return True
    heads = [p for p in scope.head_paths if unit.path.startswith(p)]
    if not heads:
        return False
    kinds = dict((await db.execute(select(Unit.path, Unit.kind).where(Unit.path.in_(heads)))).all())
    if any(kind not in ABOVE_SCHOOL for kind in kinds.values()):
        return True
    return bool(await unit_setting(db, unit.id, NAMES_ABOVE_SCHOOL))
