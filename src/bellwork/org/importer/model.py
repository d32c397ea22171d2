"""What an import reads and answers: columns, options, row errors, notes, changes, summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from bellwork.org.phones import EXAMPLE_PHONE

Kind = Literal["roster", "staff"]
MAX_ROWS = 50_000
CHUNK = 500

REQUIRED: dict[str, tuple[str, ...]] = {
    "roster": ("class_path", "student_name", "student_number"),
    "staff": ("department_path", "name"),
}
HEADERS: dict[str, dict[str, list[str]]] = {
    "roster": {
        "zh-CN": ["班级", "学生姓名", "学号", "家长姓名", "家长手机", "关系"],
        "en": [
            "class_path",
            "student_name",
            "student_number",
            "guardian_name",
            "guardian_phone",
            "relation",
        ],
    },
    "staff": {
        "zh-CN": ["部门", "姓名", "手机", "邮箱", "职务"],
        "en": ["department_path", "name", "phone", "email", "title"],
    },
}
PATH_COLUMN: dict[str, str] = {"roster": "class_path", "staff": "department_path"}
PHONE_COLUMN: dict[str, str] = {"roster": "guardian_phone", "staff": "phone"}
NAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "roster": ("student_name", "guardian_name"),
    "staff": ("name",),
}
# The template's example row carries values reserved for it: a row with the example student
# number or phone is skipped (with a note), so importing the template unchanged, or with the
# example row left in, can never touch a real person.
EXAMPLE_NUMBER = "EXAMPLE-001"
EXAMPLE_EMAIL = "example@example.invalid"
EXAMPLES: dict[str, list[str]] = {
    "roster": ["初一/1班", "张伟", EXAMPLE_NUMBER, "张建国", EXAMPLE_PHONE, "父亲"],
    "staff": ["教务处", "李娜", EXAMPLE_PHONE, EXAMPLE_EMAIL, "主任"],
}
LIMITS = {
    "student_name": 100,
    "guardian_name": 100,
    "name": 100,
    "student_number": 32,
    "relation": 32,
    "title": 100,
    "email": 254,
}


NoteCode = Literal[
    "path_stripped",  # paths began with the chosen unit (or units above it): left out
    "example_skipped",  # the template's example row
    "leading_zeros",  # a number that may have lost its leading zeros: offers the existing one
    "leading_zeros_restored",  # ... taken as the existing one (restore_leading_zeros)
    "match_outside",  # a same-named guardian outside the importer's units, linked unchanged
]


@dataclass(frozen=True)
class ImportOptions:
    """What the person importing chose beyond the file.

    `create_schools`: an import into a bureau may create the schools its paths name (otherwise
    a missing school is a row error). `restore_leading_zeros`: a student number that lost its
    leading zeros (1234 where 001234 is a student of the unit) is taken as the existing one.
    `columns`: columns mapped by hand; an applied import remembers them for the unit.
    """

    create_schools: bool = False
    restore_leading_zeros: bool = False
    # Heading → field (or None: ignore the column), chosen by hand (org/importer/headings.py).
    columns: Mapping[str, str | None] = field(default_factory=dict)


@dataclass
class Row:
    number: int  # as the user sees it in a spreadsheet: header is row 1
    values: dict[str, str]
    path: list[str] = field(default_factory=list)
    bad: set[str] = field(default_factory=set)  # columns that broke a rule


class RowError(BaseModel):
    row: int
    column: str | None
    message: str


class Note(BaseModel):
    """Something the dry run wants the importer to know before applying: a warning (look at
    this, maybe act) or information (what the import did with the file)."""

    level: Literal["warning", "info"]
    code: NoteCode
    row: int | None
    column: str | None
    message: str = Field(description="In the user's language")
    detail: dict[str, Any] = {}


class Change(BaseModel):
    row: int | None
    action: Literal["create", "update", "add", "remove"]
    entity: Literal["unit", "person", "membership", "guardian_link"]
    name: str
    detail: dict[str, Any] = {}


class Summary(BaseModel):
    rows: int = 0
    units_created: int = 0
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    memberships_added: int = 0
    memberships_removed: int = 0
    guardian_links_added: int = 0
    guardian_links_updated: int = 0


class ImportResult(BaseModel):
    kind: Kind
    dry_run: bool
    applied: bool
    summary: Summary
    notes: list[Note]
    changes: list[Change]
    changes_total: int
    columns: dict[str, str] = Field(
        default_factory=dict, description="The columns read: field → heading as in the file"
    )


class ColumnChoice(BaseModel):
    """One column of a file and the field it will be taken as."""

    index: int = Field(description="Position in the file, from 0")
    heading: str = Field(description="As in the file")
    field: str | None = Field(description="The field, or null: not imported")
    source: Literal["synonym", "remembered"] | None = Field(
        description="synonym: a known heading; remembered: mapped by hand in an earlier import "
        "into this unit; null: not recognised"
    )


class ImportColumns(BaseModel):
    """What the import would take each column of a file as, before anything is checked."""

    kind: Kind
    columns: list[ColumnChoice]
    fields: list[str] = Field(description="This kind's fields, in the template's order")
    required: list[str] = Field(description="Fields a column must be mapped to")
    remembered: bool = Field(
        description="A mapping remembered for a file with these headings was applied"
    )
