"""The rules every row is checked against before anything is looked up or written.

Every cell is NFKC-normalised first (full-width digits and slashes as typed by Chinese input
methods mean what they show). Then every row is checked against every rule and every broken rule
is reported: a row can be wrong in several columns at once, and the answer names them all. The
columns that broke a rule are remembered on the row (`Row.bad`) so that the later checks against
the directory (org/importer/matching.py) skip exactly those and still check the rest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bellwork.core.i18n import current_locale, t
from bellwork.core.text import fold_width, text_problem
from bellwork.org.importer.headings import resolve_columns
from bellwork.org.importer.model import (
    EXAMPLE_EMAIL,
    EXAMPLE_NUMBER,
    EXAMPLES,
    LIMITS,
    NAME_COLUMNS,
    PATH_COLUMN,
    PHONE_COLUMN,
    REQUIRED,
    Kind,
    Note,
    Row,
    RowError,
)
from bellwork.org.importer.relations import allowed_relations, canonical_relation
from bellwork.org.importer.units import PathContext
from bellwork.org.phones import EXAMPLE_PHONE
from bellwork.org.schemas import STUDENT_NUMBER_RE, clean_email, clean_phone

TEXT_MESSAGES = {
    "text_control": "row_text_control",
    "text_bidi": "row_text_bidi",
    "text_markup": "row_text_markup",
}


@dataclass
class Validated:
    rows: list[Row]  # every non-empty row but the template's example, good or not
    errors: list[RowError] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # canonical column → header as in file

    @property
    def good_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.bad]


def split_path(value: str) -> list[str] | None:
    parts = [" ".join(p.split()) for p in re.split(r"[/／>＞\\]", value)]
    if not parts or any(not p or len(p) > 200 for p in parts) or len(parts) > 8:
        return None
    return parts


def _visible(value: str) -> bool:
    return any(unicodedata.category(ch)[0] not in "CZ" for ch in value)


def _is_example(kind: Kind, values: dict[str, str]) -> bool:
    if values.get("student_number", "").upper() == EXAMPLE_NUMBER:
        return True
    if values.get("email", "").lower() == EXAMPLE_EMAIL:
        return True
    phone = values.get(PHONE_COLUMN[kind], "")
    try:
        return bool(phone) and clean_phone(phone) == EXAMPLE_PHONE
    except ValueError:
        return False


class _RowCheck:
    """Checks one row against every rule, recording each broken one (once per column)."""

    def __init__(
        self, kind: Kind, row: Row, labels: dict[str, str], unfolded: dict[str, str]
    ) -> None:
        self.kind = kind
        self.row = row
        self.labels = labels
        self.unfolded = unfolded  # before white space was folded: control characters show
        self.errors: list[RowError] = []

    def bad(self, col: str, key: str, **kw: Any) -> None:
        if col in self.row.bad:
            return
        self.row.bad.add(col)
        label = self.labels.get(col, col)
        self.errors.append(RowError(row=self.row.number, column=label, message=t(key, **kw)))

    def run(self) -> list[RowError]:
        kind, v = self.kind, self.row.values
        for col, value in self.unfolded.items():
            problem = text_problem(value, markup=col in NAME_COLUMNS[kind])
            if problem is not None:
                self.bad(col, TEXT_MESSAGES[problem])
        for col in REQUIRED[kind]:
            if not _visible(v.get(col, "")):
                self.bad(col, "row_required")
        for col, limit in LIMITS.items():
            if len(v.get(col, "")) > limit:
                self.bad(col, "row_too_long", max=limit)
        self._path()
        self._phone()
        if kind == "roster":
            self._roster()
        else:
            self._staff()
        return self.errors

    def _path(self) -> None:
        col = PATH_COLUMN[self.kind]
        if self.row.values.get(col) and col not in self.row.bad:
            parts = split_path(self.row.values[col])
            if parts is None:
                self.bad(col, "row_bad_path", example=EXAMPLES[self.kind][0])
            else:
                self.row.path = parts

    def _phone(self) -> None:
        col = PHONE_COLUMN[self.kind]
        v = self.row.values
        if v.get(col) and col not in self.row.bad:
            try:
                v[col] = clean_phone(v[col]) or ""
            except ValueError:
                self.bad(col, "row_bad_phone")

    def _roster(self) -> None:
        v = self.row.values
        number = v.get("student_number", "")
        if number and "student_number" not in self.row.bad and not STUDENT_NUMBER_RE.match(number):
            self.bad("student_number", "row_bad_student_number")
        if v.get("guardian_phone") and not _visible(v.get("guardian_name", "")):
            self.bad("guardian_name", "row_required")
        if _visible(v.get("guardian_name", "")) and not v.get("guardian_phone"):
            self.bad("guardian_phone", "row_required")
        relation = v.get("relation", "")
        if relation and "relation" not in self.row.bad:
            canonical = canonical_relation(relation)
            if canonical is None:
                allowed = allowed_relations(current_locale.get())
                self.bad("relation", "row_bad_relation", allowed=allowed)
            else:
                v["relation"] = canonical

    def _staff(self) -> None:
        v = self.row.values
        if v.get("email") and "email" not in self.row.bad:
            try:
                v["email"] = clean_email(v["email"]) or ""
            except ValueError:
                self.bad("email", "row_bad_email")
        if not v.get("phone") and not v.get("email"):
            self.bad("phone", "row_required")


def validate_rows(
    kind: Kind,
    header: Sequence[str],
    raw_rows: Sequence[Sequence[str]],
    context: PathContext | None = None,
    columns: Mapping[str, str | None] | None = None,
) -> Validated:
    """Every row checked against every rule that needs no directory look-up. With `context`
    (the chosen unit's place in the tree), paths that repeat the chosen unit are stripped.
    `columns` maps headings to fields by hand (org/importer/headings.py)."""
    cols = resolve_columns(kind, header, columns)
    out = Validated(rows=[], labels={c: header[i] for c, i in cols.items()})
    stripped: dict[str, list[int]] = {}
    for n, raw in enumerate(raw_rows, start=2):
        if not any(c.strip() for c in raw):
            continue
        unfolded = {c: fold_width(raw[i]) if i < len(raw) else "" for c, i in cols.items()}
        values = {c: " ".join(v.split()) for c, v in unfolded.items()}
        if _is_example(kind, values):
            out.notes.append(
                Note(
                    level="info",
                    code="example_skipped",
                    row=n,
                    column=None,
                    message=t("note_example_skipped", number=EXAMPLE_NUMBER, phone=EXAMPLE_PHONE),
                )
            )
            continue
        row = Row(number=n, values=values)
        out.errors.extend(_RowCheck(kind, row, out.labels, unfolded).run())
        head = context.strip(row.path) if context is not None else None
        if head:
            row.path = row.path[len(head) :]
            stripped.setdefault("/".join(head), []).append(n)
        out.rows.append(row)
    for prefix, numbers in stripped.items():
        out.notes.append(
            Note(
                level="info",
                code="path_stripped",
                row=numbers[0],
                column=out.labels.get(PATH_COLUMN[kind]),
                message=t("note_path_stripped", count=len(numbers), prefix=prefix),
                detail={"prefix": prefix, "rows": numbers[:100], "count": len(numbers)},
            )
        )
    out.errors.extend(cross_row_errors(kind, out.rows, out.labels))
    out.errors.sort(key=lambda e: e.row)
    return out


def cross_row_errors(kind: Kind, rows: Sequence[Row], labels: dict[str, str]) -> list[RowError]:
    """The same key must mean the same person in every row that uses it."""
    errors: list[RowError] = []

    def err(r: Row, col: str, key: str, **kw: Any) -> None:
        r.bad.add(col)
        errors.append(RowError(row=r.number, column=labels.get(col, col), message=t(key, **kw)))

    if kind == "roster":
        students: dict[str, Row] = {}
        guardians: dict[str, Row] = {}
        for r in rows:
            v = r.values
            if not r.bad & {"student_number", "student_name", "class_path"}:
                first = students.setdefault(v["student_number"], r)
                if first is not r and (
                    first.values["student_name"] != v["student_name"] or first.path != r.path
                ):
                    err(
                        r,
                        "student_number",
                        "row_number_conflict",
                        value=v["student_number"],
                        name=first.values["student_name"],
                        row=first.number,
                    )
            if v.get("guardian_phone") and not r.bad & {"guardian_phone", "guardian_name"}:
                g = guardians.setdefault(v["guardian_phone"], r)
                if g is not r and g.values["guardian_name"] != v["guardian_name"]:
                    err(
                        r,
                        "guardian_phone",
                        "row_guardian_conflict",
                        value=v["guardian_phone"],
                        other=g.values["guardian_name"],
                        row=g.number,
                    )
    else:
        seen: dict[tuple[str, str], Row] = {}
        for r in rows:
            for col in ("phone", "email"):
                val = r.values.get(col)
                if not val or col in r.bad or "name" in r.bad:
                    continue
                first = seen.setdefault((col, val), r)
                if first is not r and first.values["name"] != r.values["name"]:
                    err(r, col, "row_duplicate", other=first.number, value=val)
    return errors
