from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Response

from bellwork.audit import export as xlsx
from bellwork.audit import query
from bellwork.audit.actions import ACTIONS
from bellwork.audit.present import Reader, present, resolve
from bellwork.audit.schemas import ActionOut, AuditOut
from bellwork.core.deps import DB, CurrentScope
from bellwork.core.i18n import current_locale
from bellwork.core.routing import Router
from bellwork.core.schemas import Page, decode_cursor, encode_cursor
from bellwork.core.types import QueryId
from bellwork.db.base import utcnow
from bellwork.org.access import require_admin

router = Router(prefix="/api/v1/audit", tags=["audit"])

ActionsQuery = Annotated[
    list[Annotated[str, Query(max_length=64)]] | None,
    Query(description="Any of these actions (repeat the parameter); see /api/v1/audit/actions"),
]
TimeQuery = Annotated[datetime | None, Query(description="With a time zone offset")]
ZoneQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        description="The reader's IANA time zone, for moments shown as text (default "
        "Asia/Shanghai)",
    ),
]


async def _filter(
    db: DB,
    scope: CurrentScope,
    actor_id: QueryId = None,
    action: ActionsQuery = None,
    since: TimeQuery = None,
    until: TimeQuery = None,
    unit_id: QueryId = None,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    target_id: QueryId = None,
) -> query.AuditFilter:
    """The filters, checked only for an admin (whether a person exists is not for others)."""
    require_admin(scope)
    return await query.parse_filter(
        db,
        actor_id=actor_id,
        actions=action,
        since=since,
        until=until,
        unit_id=unit_id,
        target_type=target_type,
        target_id=target_id,
    )


Filter = Annotated[query.AuditFilter, Depends(_filter)]


@router.get("", response_model=Page[AuditOut])
async def list_audit(
    db: DB,
    scope: CurrentScope,
    f: Filter,
    tz: ZoneQuery = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[AuditOut]:
    """Administrative actions, newest first, in the reader's words (installation admins only).

    Filters (combined): `actor_id` (who), `action` (what; repeatable), `since`/`until` (when:
    `since <= at < until`, with offsets), `unit_id` (the unit or anything under it: units,
    memberships, and people who are members there), `target_type` + `target_id` (one thing).
    Bad values: 422 naming the field."""
    require_admin(scope)
    reader = Reader(current_locale.get(), query.parse_zone(tz))
    after = decode_cursor(cursor, int)
    before_id: int | None = after[0] if after else None
    entries = await query.page(db, f, before_id, limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    items = present(entries, await resolve(db, entries), reader)
    return Page[AuditOut](
        items=items, next_cursor=encode_cursor([entries[-1].id]) if more else None
    )


@router.get("/actions", response_model=list[ActionOut])
async def list_actions(scope: CurrentScope) -> list[ActionOut]:
    """Every action the log records, in the reader's words (for the action filter)."""
    require_admin(scope)
    loc = current_locale.get()
    return [
        ActionOut(action=name, label=a.label(loc), target_type=a.target_type)
        for name, a in ACTIONS.items()
    ]


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {xlsx.XLSX: {}}, "description": "The workbook"}},
)
async def export_audit(db: DB, scope: CurrentScope, f: Filter, tz: ZoneQuery = None) -> Response:
    """The entries matching the filters (as for the list) as an XLSX workbook in the reader's
    language, times in `tz`. At most 10,000 entries: 422 `audit_export_too_large` beyond."""
    require_admin(scope)
    reader = Reader(current_locale.get(), query.parse_zone(tz))
    data = await xlsx.export(db, f, reader)
    stamp = utcnow().astimezone(reader.tz).strftime("%Y%m%d-%H%M")
    return Response(
        data,
        media_type=xlsx.XLSX,
        headers={"Content-Disposition": f'attachment; filename="bellwork-audit-{stamp}.xlsx"'},
    )
