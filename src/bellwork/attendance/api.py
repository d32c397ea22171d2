"""Attendance and the health pass over HTTP (docs/attendance.md)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Path, Query, Request, Response

from bellwork.attendance import month, passes, punching, rules
from bellwork.attendance.schemas import (
    GateIn,
    GateOut,
    MonthOut,
    MyMonthOut,
    PassOut,
    PassSubject,
    PunchIn,
    PunchOut,
    RuleIn,
    RuleOut,
    TodayOut,
)
from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.errors import NotFound
from bellwork.core.routing import Router
from bellwork.core.types import MAX_ID, PathId
from bellwork.db.base import utcnow
from bellwork.files import responses as stored
from bellwork.org import photos
from bellwork.runtime import runtime_of

router = Router(prefix="/api/v1/attendance", tags=["attendance"])
Month = Annotated[str, Query(alias="month", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


@router.get("/today", response_model=TodayOut)
async def today(db: DB, scope: CurrentScope) -> TodayOut:
    """The rule that applies to me, today's punches and what today is so far."""
    return await punching.today(db, scope.person_id, utcnow())


@router.post("/punches", response_model=PunchOut, status_code=201)
async def punch(data: PunchIn, response: Response, db: DB, actor: CurrentActor) -> PunchOut:
    """Checks in (the day's first punch) or out (a later one), from an allowed network or
    inside an allowed place; elsewhere 422 `attendance_out_of_range` (with `distance` in
    metres and the nearest `place` in its error), or field work with a `note` if the rule
    allows it (422 `attendance_field_note` without one). 200: a retry of the same
    `client_id`."""
    out, created = await punching.punch(db, actor.id, data, actor.address, utcnow())
    if not created:
        response.status_code = 200
    return out


@router.get("/me/month", response_model=MyMonthOut)
async def my_month(month_: Month, db: DB, scope: CurrentScope) -> MyMonthOut:
    """My own month (`month=2026-11`): each day up to today with its status and punches, and
    the later days on approved leave."""
    return await month.my_month(db, scope.person_id, month_, utcnow())


@router.get("/rules/{unit_id}", response_model=RuleOut | None)
async def get_rule(unit_id: PathId, db: DB, scope: CurrentScope) -> RuleOut | None:
    """The unit's rule, or the one it inherits (`unit_id` says whose); null: none."""
    return await rules.get_rule(db, scope, unit_id)


@router.put("/rules/{unit_id}", response_model=RuleOut)
async def put_rule(unit_id: PathId, data: RuleIn, db: DB, scope: CurrentScope) -> RuleOut:
    """Sets the unit's own shift and allowed places (its heads; 403 `attendance_not_manager`)."""
    return await rules.put_rule(db, scope, unit_id, data, utcnow())


@router.get("/pass/subjects", response_model=list[PassSubject])
async def pass_subjects(db: DB, scope: CurrentScope) -> list[PassSubject]:
    """Whose pass I may show: mine, and my children's."""
    return await passes.subjects(db, scope)


@router.get("/pass", response_model=PassOut)
async def health_pass(
    db: DB, scope: CurrentScope, subject_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> PassOut:
    """A fresh signed code (valid 60 s; fetch again every `refresh_seconds`) and the colour
    from the latest health check-in — mine, or my child's (`subject_id`)."""
    return await passes.health_pass(db, scope, subject_id, utcnow())


@router.post("/gate", response_model=GateOut)
async def gate(data: GateIn, db: DB, scope: CurrentScope) -> GateOut:
    """A guard scans a pass: who it is, their colour, and their attendance punch. 422
    `pass_malformed` / `pass_forged` / `pass_expired` (logged in the audit log), 403
    `attendance_gate_outside` for a person who is not at the guard's school."""
    return await passes.scan(db, scope, data.code, utcnow())


@router.get("/gate/photo/{subject_id}/{version}", response_class=Response)
async def gate_photo(
    subject_id: PathId,
    version: Annotated[str, Path(min_length=1, max_length=photos.VERSION, pattern="^[0-9a-f]+$")],
    request: Request,
    db: DB,
    scope: CurrentScope,
) -> Response:
    """The photo of a person the gate scanned (`GateOut.photo_url`): for a guard who may scan
    them; 404 otherwise. Cached for good: a new photo has a new URL."""
    key = await passes.gate_photo(db, scope, subject_id, version)
    answer = await stored.send(
        request, runtime_of(db).files, key, media_type="image/jpeg", headers=photos.HEADERS
    )
    if answer is None:
        raise NotFound("photo")
    return answer


@router.get("/units/{unit_id}/month", response_model=MonthOut)
async def month_view(unit_id: PathId, month_: Month, db: DB, scope: CurrentScope) -> MonthOut:
    """The unit's month (`month=2026-11`): per person and totals, and the exceptions."""
    return await month.month_view(db, scope, unit_id, month_, utcnow())


@router.get("/units/{unit_id}/month/export")
async def month_export(unit_id: PathId, month_: Month, db: DB, scope: CurrentScope) -> Response:
    """The same as an XLSX workbook (audited)."""
    name, data = await month.export(db, scope, unit_id, month_, utcnow())
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
