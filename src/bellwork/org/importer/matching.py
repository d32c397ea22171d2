"""The people a file's rows name, and whether the import may touch them.

People are matched by student number (students), phone (guardians and staff) or email (staff
without a phone). A match is refused, as a row error that says why, when the person is
- an installation administrator (imports never change administrators: the template's example
  once renamed one);
- outside the units the importer manages (a head imports only within their subtree), except a
  guardian whose name in the file is the name they already have: a parent with children in two
  schools is linked as they are, unchanged, and the dry run says so;
- on a roster, a member of staff (head, staff, teacher, member of some unit) whose name the row
  would change: a roster never renames a colleague.

Student numbers that lost their leading zeros (Excel turns 001234 into 1234) are recognised:
a number of digits that would create a new student while a student of the chosen unit has the
same number with leading zeros gets a warning offering that number, and is taken as it when the
importer asked for it (`ImportOptions.restore_leading_zeros`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.i18n import t
from bellwork.org.access import Scope
from bellwork.org.importer.model import CHUNK, ImportOptions, Kind, Note, Row, RowError
from bellwork.org.models import Membership, Person, Role, Unit
from bellwork.org.units import subtree_clause

STAFF_ROLES = {Role.head.value, Role.staff.value, Role.teacher.value, Role.member.value}


class People:
    """Existing people named by the file's keys, looked up in batches."""

    def __init__(
        self, db: AsyncSession, scope: Scope, root: Unit, kind: Kind, options: ImportOptions
    ) -> None:
        self.db = db
        self.scope = scope
        self.root = root
        self.kind = kind
        self.options = options
        self.by_number: dict[str, Person] = {}
        self.by_phone: dict[str, Person] = {}
        self.by_email: dict[str, Person] = {}
        self.manageable: dict[int, bool] = {}
        self.staff: set[int] = set()

    async def _existing(self, col: Any, values: Iterable[str]) -> dict[str, Person]:
        found: dict[str, Person] = {}
        vals = sorted(set(values))
        for i in range(0, len(vals), CHUNK):
            stmt = select(Person).where(col.in_(vals[i : i + CHUNK]))
            for p in (await self.db.execute(stmt)).scalars():
                found[str(getattr(p, col.key))] = p
        return found

    @staticmethod
    def _values(rows: Sequence[Row], col: str) -> list[str]:
        return [r.values[col] for r in rows if r.values.get(col) and col not in r.bad]

    async def load(self, rows: Sequence[Row]) -> None:
        if self.kind == "roster":
            self.by_number = await self._existing(
                Person.student_number, self._values(rows, "student_number")
            )
            self.by_phone = await self._existing(Person.phone, self._values(rows, "guardian_phone"))
        else:
            self.by_phone = await self._existing(Person.phone, self._values(rows, "phone"))
            self.by_email = await self._existing(Person.email, self._values(rows, "email"))
        people = {
            p.id: p for d in (self.by_number, self.by_phone, self.by_email) for p in d.values()
        }
        await self._load_reach(list(people.values()))

    async def _load_reach(self, people: list[Person]) -> None:
        for p in people:
            self.manageable[p.id] = self.scope.admin
        ids = [p.id for p in people]
        for i in range(0, len(ids), CHUNK):
            stmt = (
                select(Membership.person_id, Membership.role, Unit.path)
                .join(Unit, Unit.id == Membership.unit_id)
                .where(Membership.person_id.in_(ids[i : i + CHUNK]))
            )
            for pid, role, path in await self.db.execute(stmt):
                if role in STAFF_ROLES:
                    self.staff.add(pid)
                if self.scope.manages_path(path):
                    self.manageable[pid] = True

    # leading zeros ------------------------------------------------------

    async def leading_zeros(self, rows: Sequence[Row], labels: dict[str, str]) -> list[Note]:
        """Warn about (or, if asked, restore) student numbers that lost their leading zeros.
        Call before `load`."""
        if self.kind != "roster":
            return []
        in_file = set(self._values(rows, "student_number"))
        digits = {n for n in in_file if n.isdigit() and not n.startswith("0")}
        if not digits:
            return []
        known = await self._existing(Person.student_number, digits)
        digits -= known.keys()
        if not digits:
            return []
        padded: dict[str, list[tuple[str, str]]] = defaultdict(list)
        stmt = (
            select(Person.student_number, Person.name)
            .join(Membership, Membership.person_id == Person.id)
            .join(Unit, Unit.id == Membership.unit_id)
            .where(
                Membership.role == Role.student.value,
                subtree_clause(self.root.path),
                Person.student_number.like("0%"),
            )
            .distinct()
        )
        for number, name in await self.db.execute(stmt):
            if number is not None and number.lstrip("0") in digits:
                padded[number.lstrip("0")].append((number, name))
        notes: list[Note] = []
        col = "student_number"
        for r in rows:
            value = r.values.get(col, "")
            found = padded.get(value) if col not in r.bad else None
            if not found or len(found) != 1 or found[0][0] in in_file:
                continue
            suggested, name = found[0]
            detail = {"value": value, "suggested": suggested, "name": name}
            if self.options.restore_leading_zeros:
                r.values[col] = suggested
                message = t("note_leading_zeros_used", **detail)
                notes.append(
                    Note(
                        level="info",
                        code="leading_zeros_restored",
                        row=r.number,
                        column=labels.get(col, col),
                        message=message,
                        detail=detail,
                    )
                )
            else:
                notes.append(
                    Note(
                        level="warning",
                        code="leading_zeros",
                        row=r.number,
                        column=labels.get(col, col),
                        message=t("note_leading_zeros", **detail),
                        detail=detail,
                    )
                )
        return notes

    # matching and reach -------------------------------------------------

    def staff_match(self, values: dict[str, str]) -> Person | None:
        found = None
        if values.get("phone"):
            found = self.by_phone.get(values["phone"])
        if found is None and values.get("email"):
            found = self.by_email.get(values["email"])
        return found

    def check(
        self, rows: Sequence[Row], labels: dict[str, str]
    ) -> tuple[list[RowError], list[Note]]:
        """Row errors for matches the import may not touch; notes for those it links as they
        are."""
        errors: list[RowError] = []
        notes: list[Note] = []
        noted: set[int] = set()

        def refuse(r: Row, col: str, key: str, **kw: Any) -> None:
            r.bad.add(col)
            errors.append(RowError(row=r.number, column=labels.get(col, col), message=t(key, **kw)))

        for r in rows:
            v = r.values
            if self.kind == "roster":
                checks = [("student_number", "student_name", self.by_number, False)]
                checks.append(("guardian_phone", "guardian_name", self.by_phone, True))
            else:
                p = self.staff_match(v) if not r.bad & {"phone", "email"} else None
                key_col = "phone" if v.get("phone") else "email"
                if p is not None:
                    if p.is_admin:
                        refuse(r, key_col, "row_match_admin", value=v[key_col])
                    elif not self.manageable.get(p.id):
                        refuse(r, key_col, "row_match_outside", value=v[key_col])
                continue
            for key_col, name_col, found, may_link in checks:
                value = v.get(key_col)
                if not value or key_col in r.bad or name_col in r.bad:
                    continue
                person = found.get(value)
                if person is None:
                    continue
                same_name = person.name == v[name_col]
                if person.is_admin:
                    refuse(r, key_col, "row_match_admin", value=value)
                elif not self.manageable.get(person.id):
                    if not (may_link and same_name):
                        refuse(r, key_col, "row_match_outside", value=value)
                    elif person.id not in noted:
                        noted.add(person.id)
                        notes.append(
                            Note(
                                level="warning",
                                code="match_outside",
                                row=r.number,
                                column=labels.get(key_col, key_col),
                                message=t("note_match_outside", value=value),
                                detail={"value": value},
                            )
                        )
                elif person.id in self.staff and not same_name:
                    refuse(r, key_col, "row_rename_staff", value=value, name=person.name)
        return errors, notes

    def frozen(self) -> set[int]:
        """People the import links but never changes: matched outside the importer's reach."""
        return {pid for pid, ok in self.manageable.items() if not ok}
