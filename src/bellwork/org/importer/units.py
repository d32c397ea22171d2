"""The units a file's paths name: found under the chosen unit, or created at the levels the
import may create.

- Paths are relative to the chosen unit. A path that starts with the chosen unit's own name (or
  with the names of the units above it, then its own) repeats it: the repetition is left out and
  the dry run says so (`PathContext.strip`), unless the chosen unit really has a child of that
  name.
- Existing units are matched by name (NFKC-folded, as the file's cells are).
- A roster's last path part is a class and the parts before it grades; a staff list's parts are
  departments (teams under a team). Directly under a **bureau** a new unit is a school, and an
  import creates schools only when asked to (`ImportOptions.create_schools`): otherwise a path
  naming a school that does not exist is a row error, so a typo never founds a school.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.i18n import t
from bellwork.core.text import fold_width
from bellwork.org.importer.model import PATH_COLUMN, Change, ImportOptions, Kind, Row, RowError
from bellwork.org.models import Unit, UnitKind
from bellwork.org.settings import chain
from bellwork.org.units import subtree_clause


def _key(name: str) -> str:
    return " ".join(fold_width(name).split())


@dataclass
class PathContext:
    """What path stripping needs to know: the names from the top of the tree down to the chosen
    unit, and the names of the chosen unit's own children."""

    chain: list[str]
    children: set[str] = field(default_factory=set)

    def strip(self, parts: list[str]) -> list[str] | None:
        """The repeated head of `parts` (to leave out), or None."""
        if parts and parts[0] in self.children:
            return None  # the chosen unit has a child of that name: the path means it
        for k in range(len(self.chain), 0, -1):
            if len(parts) > k and parts[:k] == self.chain[-k:]:
                return parts[:k]
        return None


async def path_context(db: AsyncSession, root: Unit) -> PathContext:
    ids = chain(root.path)
    names = dict((await db.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))).all())
    keys = [_key(names[i]) for i in ids if i in names]
    children = await db.execute(
        select(Unit.name).where(Unit.parent_id == root.id, Unit.archived_at.is_(None))
    )
    return PathContext(chain=keys, children={_key(n) for n in children.scalars()})


class UnitTree:
    """The units under the chosen one, and those the import creates (fake negative ids in a
    dry run)."""

    def __init__(
        self,
        db: AsyncSession,
        root: Unit,
        kind: Kind,
        options: ImportOptions,
        dry_run: bool,
        on_create: Callable[[Change], None],
    ) -> None:
        self.db = db
        self.root = root
        self.kind = kind
        self.options = options
        self.dry_run = dry_run
        self.on_create = on_create
        self.units: dict[tuple[int, str], Unit] = {}  # (parent id, folded name) → unit
        self.by_id: dict[int, Unit] = {root.id: root}
        self.fake_id = -1

    async def load(self) -> None:
        stmt = select(Unit).where(subtree_clause(self.root.path), Unit.archived_at.is_(None))
        for u in (await self.db.execute(stmt)).scalars():
            self.by_id[u.id] = u
            if u.parent_id is not None:
                self.units.setdefault((u.parent_id, _key(u.name)), u)

    def next_fake_id(self) -> int:
        self.fake_id -= 1
        return self.fake_id

    def check(self, rows: Sequence[Row], labels: dict[str, str]) -> list[RowError]:
        """Rows whose path would create a unit the import may not create."""
        col = PATH_COLUMN[self.kind]
        errors: list[RowError] = []
        for r in rows:
            if col in r.bad or not r.path:
                continue
            parent = self.root
            for name in r.path:
                unit = self.units.get((parent.id, name))
                if unit is None:
                    if parent.kind == UnitKind.bureau and not self.options.create_schools:
                        r.bad.add(col)
                        message = t("row_unit_missing", name=name, parent=parent.name)
                        errors.append(
                            RowError(row=r.number, column=labels.get(col, col), message=message)
                        )
                    break  # everything below a missing unit is new
                parent = unit
        return errors

    def _new_kind(self, parent: Unit, last: bool) -> str:
        if parent.kind == UnitKind.bureau:
            return UnitKind.school.value
        if self.kind == "staff":
            return UnitKind.team.value if parent.kind == UnitKind.team else "department"
        return UnitKind.klass.value if last else UnitKind.grade.value

    async def resolve(self, parts: list[str], row: int) -> Unit:
        """The unit at `parts` under the chosen unit, creating what is missing."""
        parent = self.root
        for depth, name in enumerate(parts):
            key = (parent.id, name)
            unit = self.units.get(key)
            if unit is None:
                kind = self._new_kind(parent, depth == len(parts) - 1)
                unit = Unit(
                    parent_id=parent.id, kind=kind, name=name, depth=parent.depth + 1, path=""
                )
                if self.dry_run:
                    unit.id = self.next_fake_id()
                    unit.path = f"{parent.path}{unit.id}/"
                else:
                    unit.path = f"/pending/{id(unit)}/"
                    self.db.add(unit)
                    await self.db.flush()
                    unit.path = f"{parent.path}{unit.id}/"
                self.units[key] = unit
                self.by_id[unit.id] = unit
                self.on_create(
                    Change(
                        row=row,
                        action="create",
                        entity="unit",
                        name="/".join(parts[: depth + 1]),
                        detail={"kind": kind},
                    )
                )
            parent = unit
        return parent

    def names(self, unit: Unit) -> list[str]:
        """Names from just below the chosen unit down to `unit`."""
        names = [unit.name]
        cur = unit
        while cur.parent_id in self.by_id and cur.parent_id != self.root.id:
            cur = self.by_id[cur.parent_id]
            names.append(cur.name)
        return list(reversed(names))

    def paths(self) -> dict[int, str]:
        return {u.id: u.path for u in self.by_id.values()}
