"""Column mappings remembered per unit and kind, and the mapping offered for a file.

Why stored when an import is applied, not by a separate "save mapping" call: a mapping is
worth remembering once it produced an import somebody confirmed, and storing it in the same
transaction as that import means a failed or abandoned dry run teaches nothing and nothing is
remembered without its import. It is stored on the server, per unit and kind, so another
administrator of the unit, or the same one on another device, is offered it too. The command
line and the API remember the same way (`columns` with an applied import).

What is kept: for the set of headings of the file (its `signature`), the choices that differ
from the synonyms (a column mapped to a field no synonym gives it, or ignored although a
synonym would take it), at most `KEEP` sets per unit and kind, the newest first. What is
offered (`offer`): for a file with the same headings, all those choices; for any other file,
the columns that nothing else recognises get the newest field remembered for their heading
(an ignored column is never carried to a different file, where that column may be the only
one of its kind).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.db.base import utcnow
from bellwork.org.importer.headings import COLUMNS, heading_key, match_headings, synonym_field
from bellwork.org.importer.model import REQUIRED, ColumnChoice, ImportColumns, Kind
from bellwork.org.models import ImportMapping

KEEP = 20  # sets of headings remembered per unit and kind


def signature(header: Sequence[str]) -> str:
    """The file's headings as a set (order and spelling variants aside)."""
    keys = sorted({k for k in (heading_key(h) for h in header) if k})
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()


def by_hand(
    kind: Kind, header: Sequence[str], explicit: Mapping[str, str | None]
) -> dict[str, str | None]:
    """The choices in `explicit` that the synonyms would not have made: heading key → field."""
    out: dict[str, str | None] = {}
    for m in match_headings(kind, header, explicit):
        if m.source == "explicit" and m.field != synonym_field(kind, m.heading):
            out[heading_key(m.heading)] = m.field
    return out


async def remember(
    db: AsyncSession,
    unit_id: int,
    kind: Kind,
    header: Sequence[str],
    explicit: Mapping[str, str | None],
    person_id: int | None,
) -> None:
    """Keeps the hand-made part of `explicit` for files with these headings (forgets it when
    the mapping is the synonyms' own)."""
    sig = signature(header)
    choices = by_hand(kind, header, explicit)
    same = (
        (ImportMapping.unit_id == unit_id)
        & (ImportMapping.kind == kind)
        & (ImportMapping.signature == sig)
    )
    if not choices:
        await db.execute(delete(ImportMapping).where(same))
        return
    values: dict[str, Any] = {
        "unit_id": unit_id,
        "kind": kind,
        "signature": sig,
        "headings": [h for h in header if h.strip()][:200],
        "columns": choices,
        "updated_by": person_id,
        "updated_at": utcnow(),
    }
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(ImportMapping).values(**values)
    await db.execute(
        stmt.on_conflict_do_update(
            index_elements=["unit_id", "kind", "signature"],
            set_={k: values[k] for k in ("headings", "columns", "updated_by", "updated_at")},
        )
    )
    older = (
        select(ImportMapping.id)
        .where(ImportMapping.unit_id == unit_id, ImportMapping.kind == kind)
        .order_by(ImportMapping.updated_at.desc(), ImportMapping.id.desc())
        .offset(KEEP)
    )
    stale = list((await db.execute(older)).scalars())
    if stale:
        await db.execute(delete(ImportMapping).where(ImportMapping.id.in_(stale)))


async def offer(db: AsyncSession, unit_id: int, kind: Kind, header: Sequence[str]) -> ImportColumns:
    """Each column of the file with the field it will be taken as: remembered for this unit,
    else by the synonyms, else nothing (to be mapped by hand)."""
    rows = (
        await db.execute(
            select(ImportMapping.signature, ImportMapping.columns)
            .where(ImportMapping.unit_id == unit_id, ImportMapping.kind == kind)
            .order_by(ImportMapping.updated_at.desc(), ImportMapping.id.desc())
            .limit(KEEP)
        )
    ).all()
    sig = signature(header)
    remembered: list[tuple[str, dict[str, Any]]] = [(r[0], r[1]) for r in rows]
    exact = next((c for s, c in remembered if s == sig), {})
    elsewhere: dict[str, str] = {}
    for _, columns in reversed(remembered):  # the newest last, so it wins
        elsewhere.update({k: v for k, v in columns.items() if v in COLUMNS[kind]})
    out: list[ColumnChoice] = []
    for m in match_headings(kind, header):
        key = heading_key(m.heading)
        if key in exact and (exact[key] is None or exact[key] in COLUMNS[kind]):
            out.append(ColumnChoice(**_as(m, exact[key], "remembered")))
        elif m.field is None and key in elsewhere:
            out.append(ColumnChoice(**_as(m, elsewhere[key], "remembered")))
        else:
            out.append(ColumnChoice(**_as(m, m.field, m.source)))
    return ImportColumns(
        kind=kind,
        columns=out,
        fields=list(COLUMNS[kind]),
        required=list(REQUIRED[kind]),
        remembered=bool(exact),
    )


def _as(m: Any, field: str | None, source: str | None) -> dict[str, Any]:
    return {"index": m.index, "heading": m.heading, "field": field, "source": source}
