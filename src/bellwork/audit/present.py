"""Audit entries in the reader's words: actions and fields by their labels, values formatted
(yes/no, roles and unit kinds in words, counts, moments in the reader's time zone, "—" for
empty), people and units by name, and only the fields an update changed.

`resolve` looks up the names a batch of entries needs — one query per kind of thing (people,
units, tokens, jobs), never one per row; `present` is pure and runs in a thread for an export.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.actions import (
    JOB_STATES,
    ROLES,
    TARGET_TYPES,
    UNIT_KINDS,
    Field,
    action_label,
    field_of,
    humanise,
    words,
)
from bellwork.audit.models import AuditEntry
from bellwork.audit.schemas import AuditOut, ChangeOut, Ref, Shown
from bellwork.auth.models import ApiToken
from bellwork.jobs.models import Job
from bellwork.org.models import Person, Unit
from bellwork.org.settings import chain

EMPTY = "—"
BATCH = 500
# The kinds of value that name a thing, and the thing.
REF_KINDS = {"person": "person", "unit": "unit"}


@dataclass
class Names:
    """Current names by type and id; an id asked for and missing here no longer exists.
    `labels` is what to show where it says more than the name: a unit with the two units
    above it ("滨江实验小学 / 一年级 / 2班"), as many a school has a 2班."""

    found: dict[str, dict[int, str]] = field(default_factory=dict)
    asked: dict[str, set[int]] = field(default_factory=dict)
    labels: dict[str, dict[int, str]] = field(default_factory=dict)

    def name(self, type_: str, id_: int) -> str | None:
        return self.found.get(type_, {}).get(id_)

    def label(self, type_: str, id_: int) -> str | None:
        return self.labels.get(type_, {}).get(id_) or self.name(type_, id_)


def _ids_named(entry: AuditEntry) -> Iterable[tuple[str, int]]:
    if entry.actor_id is not None:
        yield "person", entry.actor_id
    if entry.target_id is not None:
        yield entry.target_type, entry.target_id
    for values in (entry.before, entry.after):
        for name, value in (values or {}).items():
            f = field_of(entry.target_type, name)
            if f is not None and f.kind in REF_KINDS and _is_id(value):
                yield REF_KINDS[f.kind], value
            elif f is not None and f.kind == "memberships" and isinstance(value, list):
                for m in value:
                    if isinstance(m, dict) and _is_id(m.get("unit_id")):
                        yield "unit", m["unit_id"]


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


UNIT_DEPTH_SHOWN = 3  # a unit and the two above it
_LOOKUPS: dict[str, tuple[Any, Any]] = {
    "person": (Person.id, Person.name),
    "unit": (Unit.id, Unit.name),
    "token": (ApiToken.id, ApiToken.name),
    "job": (Job.id, Job.kind),
}


async def _rows(db: AsyncSession, col_id: Any, ids: Iterable[int], *cols: Any) -> dict[int, Any]:
    """`cols` of the rows with these ids, by id (in batches of BATCH ids)."""
    ordered = sorted(set(ids))
    found: dict[int, Any] = {}
    for i in range(0, len(ordered), BATCH):
        rows = await db.execute(select(col_id, *cols).where(col_id.in_(ordered[i : i + BATCH])))
        found.update({row[0]: row[1] if len(cols) == 1 else tuple(row[1:]) for row in rows.all()})
    return found


async def resolve(db: AsyncSession, entries: Sequence[AuditEntry]) -> Names:
    names = Names()
    for type_, id_ in (pair for e in entries for pair in _ids_named(e)):
        names.asked.setdefault(type_, set()).add(id_)
    for type_, ids in names.asked.items():
        if type_ in _LOOKUPS and type_ != "unit":
            col_id, col_name = _LOOKUPS[type_]
            names.found[type_] = await _rows(db, col_id, ids, col_name)
    if names.asked.get("unit"):
        rows = await _rows(db, Unit.id, names.asked["unit"], Unit.name, Unit.path)
        units = names.found["unit"] = {uid: name for uid, (name, _) in rows.items()}
        shown = {uid: chain(path)[-UNIT_DEPTH_SHOWN:] for uid, (_, path) in rows.items()}
        above = {a for along in shown.values() for a in along} - set(units)
        known = units | (await _rows(db, Unit.id, above, Unit.name) if above else {})
        names.labels["unit"] = {
            uid: " / ".join(known.get(a, "?") for a in chain) for uid, chain in shown.items()
        }
    return names


@dataclass(frozen=True)
class Reader:
    """Whose words and clock: the locale ("zh-CN" or "en") and time zone."""

    locale: str
    tz: tzinfo

    def pick(self, zh: str, en: str) -> str:
        return en if self.locale == "en" else zh


def ref(type_: str, id_: int | None, names: Names, reader: Reader) -> Ref:
    thing = words(TARGET_TYPES, type_, reader.locale) or humanise(type_)
    if id_ is None:
        return Ref(type=type_, id=None, name=None, label=thing)
    if type_ not in _LOOKUPS:
        return Ref(type=type_, id=id_, name=None, label=f"{thing} #{id_}")
    name = names.name(type_, id_)
    if name is None:
        gone = reader.pick("(已删除)", "(deleted)")
        return Ref(type=type_, id=id_, name=None, deleted=True, label=f"{gone} #{id_}")
    if type_ == "job":
        # A job has no name; its kind says what it was.
        return Ref(type=type_, id=id_, name=name, label=f"#{id_} {name}")
    return Ref(type=type_, id=id_, name=name, label=names.label(type_, id_) or name)


def shown(f: Field | None, value: Any, names: Names, reader: Reader) -> Shown:
    """One value in the reader's words. `f` None: a field not (yet) in the registry."""
    if value is None or value == "":
        return Shown(text=EMPTY)
    kind = f.kind if f is not None else None
    if isinstance(value, bool):
        return Shown(text=reader.pick("是", "Yes") if value else reader.pick("否", "No"))
    if kind in REF_KINDS and _is_id(value):
        r = ref(REF_KINDS[kind], value, names, reader)
        return Shown(text=r.label, ref=r)
    if kind == "memberships" and isinstance(value, list):
        return Shown(text=_memberships(value, names, reader))
    if kind == "role" and isinstance(value, str):
        return Shown(text=words(ROLES, value, reader.locale) or value)
    if kind == "unit_kind" and isinstance(value, str):
        return Shown(text=words(UNIT_KINDS, value, reader.locale) or value)
    if kind == "job_state" and isinstance(value, str):
        return Shown(text=words(JOB_STATES, value, reader.locale) or value)
    if kind == "time" and isinstance(value, str):
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            return Shown(text=value)
        if at.tzinfo is not None:
            at = at.astimezone(reader.tz)
        return Shown(text=at.strftime("%Y-%m-%d %H:%M"))
    if _is_id(value):
        return Shown(text=f"{value:,}" if kind == "count" else str(value))
    if isinstance(value, str):
        return Shown(text=value)
    if isinstance(value, float):
        return Shown(text=f"{value:g}")
    return Shown(text=json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))


def _memberships(value: list[Any], names: Names, reader: Reader) -> str:
    """`一年级 / 2班 · 教师；…`: each membership's unit and role (and title) in words."""
    parts = []
    for m in value:
        if not isinstance(m, dict):
            continue
        unit = m.get("unit_id")
        where = ref("unit", unit, names, reader).label if _is_id(unit) else EMPTY
        role = m.get("role")
        what = (words(ROLES, role, reader.locale) or role) if isinstance(role, str) else None
        title = m.get("title")
        parts.append(" · ".join(str(x) for x in (where, what, title) if x))
    return reader.pick("；", "; ").join(parts) or EMPTY


def changes(entry: AuditEntry, names: Names, reader: Reader) -> list[ChangeOut]:
    """The fields to show: of an update only those that changed; of a creation (no before) or
    a removal (no after) the one side, empty values left out."""
    before, after = entry.before, entry.after
    keys = list(dict.fromkeys([*(before or {}), *(after or {})]))
    out: list[ChangeOut] = []
    for name in keys:
        f = field_of(entry.target_type, name)
        if f is not None and f.kind == "hidden":
            continue
        old = (before or {}).get(name)
        new = (after or {}).get(name)
        if before is not None and after is not None:
            if old == new:
                continue
        elif (new if after is not None else old) in (None, ""):
            continue
        out.append(
            ChangeOut(
                field=name,
                label=f.label(reader.locale) if f is not None else humanise(name),
                before=shown(f, old, names, reader) if before is not None else None,
                after=shown(f, new, names, reader) if after is not None else None,
            )
        )
    return out


def present(entries: Sequence[AuditEntry], names: Names, reader: Reader) -> list[AuditOut]:
    return [
        AuditOut(
            id=e.id,
            at=e.at,
            actor=ref("person", e.actor_id, names, reader) if e.actor_id is not None else None,
            action=e.action,
            action_label=action_label(e.action, reader.locale),
            target_type=e.target_type,
            target_id=e.target_id,
            target=ref(e.target_type, e.target_id, names, reader),
            changes=changes(e, names, reader),
            before=e.before,
            after=e.after,
            address=e.address,
        )
        for e in entries
    ]
