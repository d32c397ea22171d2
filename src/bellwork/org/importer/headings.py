"""Which column of a file is which field: headings as schools export them, and mappings by hand.

A school's export seldom carries the template's headings: 家长手机号, 联系电话 or 监护人电话 where
the template says 家长手机, 姓名 for 学生姓名, 学籍号 for 学号. `SYNONYMS` is the one table of
the headings recognised for each field (docs/import.md lists it). A heading is compared by its
`heading_key`: NFKC (full-width brackets and letters become ordinary ones), lower case, without
white space, `_ - . · : '` or invisible format characters, and without the markers templates add
to required columns (`*`, `（必填）`, `(required)`, …). When that does not find it, a bracketed
explanation is left out too (`手机号码（11位）` is 手机号码).

A column that still matches nothing, or matches wrongly, is mapped by hand: `explicit` maps a
heading to a field or to None (ignore the column) and wins over the synonyms. Two columns that
come to mean one field are an error naming both — an import never picks one silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bellwork.core.errors import Invalid
from bellwork.core.i18n import current_locale, t
from bellwork.core.text import fold_width
from bellwork.org.importer.model import HEADERS, REQUIRED, Kind

# Field → the headings that mean it (compared by `heading_key`; the first is the field's name).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "roster": {
        "class_path": (
            "class_path", "class", "class name", "class path", "homeroom",
            "班级", "班级路径", "班级名称", "所在班级", "所属班级", "班别", "行政班", "行政班级",
        ),
        "student_name": (
            "student_name", "student", "student name", "name", "full name", "pupil",
            "学生姓名", "学生", "姓名", "学生名字", "名字",
        ),
        "student_number": (
            "student_number", "student number", "student no", "student id", "student code",
            "学号", "学籍号", "学生编号", "学生学号", "学籍编号", "全国学籍号", "学生号",
        ),
        "guardian_name": (
            "guardian_name", "guardian", "guardian name", "parent", "parent name",
            "家长姓名", "家长", "家长名字", "监护人", "监护人姓名", "联系人", "联系人姓名",
        ),
        "guardian_phone": (
            "guardian_phone", "guardian phone", "guardian mobile", "parent phone",
            "parent mobile", "phone", "phone number", "mobile", "mobile phone", "cell phone",
            "telephone", "tel", "contact phone", "contact number",
            "家长手机", "家长电话", "家长手机号", "家长手机号码", "家长联系电话", "家长联系方式",
            "监护人电话", "监护人手机", "监护人手机号", "监护人手机号码", "监护人联系电话",
            "联系人电话", "联系人手机", "联系电话", "联系方式", "手机", "手机号", "手机号码",
            "电话", "电话号码", "移动电话",
        ),
        "relation": (
            "relation", "relationship", "relation to student", "relationship to student",
            "关系", "与学生关系", "与学生的关系", "家长关系", "亲属关系", "监护人关系",
            "与本人关系", "家长身份",
        ),
    },
    "staff": {
        "department_path": (
            "department_path", "department", "department path", "dept",
            "部门", "部门路径", "部门名称", "所在部门", "所属部门", "科室", "处室",
        ),
        "name": (
            "name", "full name", "staff name", "employee name", "teacher name",
            "姓名", "名字", "教职工姓名", "员工姓名", "教师姓名", "职工姓名",
        ),
        "phone": (
            "phone", "phone number", "mobile", "mobile phone", "cell phone", "telephone", "tel",
            "contact phone", "contact number",
            "手机", "手机号", "手机号码", "电话", "电话号码", "联系电话", "联系方式", "移动电话",
        ),
        "email": (
            "email", "e-mail", "mail", "email address",
            "邮箱", "电子邮箱", "电子邮件", "邮件", "邮箱地址", "电子邮箱地址",
        ),
        "title": ("title", "job title", "position", "post", "职务", "职位", "岗位"),
    },
}  # fmt: skip
# The template's own order of the fields.
COLUMNS: dict[str, tuple[str, ...]] = {kind: tuple(f) for kind, f in SYNONYMS.items()}

_MARKER = re.compile(r"[(\[【〔<](?:非?必填项?|必须|选填项?|可选|required|optional)[)\]】〕>]")
_BRACKETED = re.compile(r"[(\[【〔<][^)\]】〕>]*[)\]】〕>]")
_DROPPED = re.compile(r"[\s_\-.·:'’*＊()\[\]【】〔〕<>]+")
IGNORE_WORDS = ("", "ignore", "-", "忽略", "不导入")

Source = Literal["synonym", "explicit"]


def heading_key(heading: str) -> str:
    """A heading as compared: width, case, white space, punctuation and required-markers aside."""
    s = "".join(ch for ch in fold_width(heading) if unicodedata.category(ch) != "Cf").lower()
    return _DROPPED.sub("", _MARKER.sub("", s))


def _loose_key(heading: str) -> str:
    s = "".join(ch for ch in fold_width(heading) if unicodedata.category(ch) != "Cf").lower()
    return _DROPPED.sub("", _BRACKETED.sub("", s))


def _table(kind: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for field, names in SYNONYMS[kind].items():
        for name in names:
            key = heading_key(name)
            assert out.setdefault(key, field) == field, (kind, name)
    return out


_KEYS: dict[str, dict[str, str]] = {kind: _table(kind) for kind in SYNONYMS}


def synonym_field(kind: Kind, heading: str) -> str | None:
    """The field a heading means by the synonym table, or None."""
    table = _KEYS[kind]
    return table.get(heading_key(heading)) or table.get(_loose_key(heading))


def field_label(kind: Kind, field: str) -> str:
    """A field as the template heads it in the user's language."""
    loc = current_locale.get()
    names = HEADERS[kind][loc if loc in HEADERS[kind] else "en"]
    return names[COLUMNS[kind].index(field)]


def parse_field(kind: Kind, value: str | None) -> str | None:
    """A mapping's target: a field name, any heading that means one (`家长手机`), or a word for
    "ignore this column" (None). 422 `import_mapping_field` for anything else."""
    if value is None or value.strip().lower() in IGNORE_WORDS:
        return None
    if value in COLUMNS[kind]:
        return value
    field = synonym_field(kind, value)
    if field is None:
        raise Invalid(
            "import_mapping_field",
            errors=[{"field": "columns", "value": value}],
            value=value,
            fields=", ".join(COLUMNS[kind]),
        )
    return field


@dataclass(frozen=True)
class Matched:
    """One column of the file: its heading and the field it was taken as (None: ignored)."""

    index: int
    heading: str
    field: str | None
    source: Source | None  # None: not recognised (or empty)


def match_headings(
    kind: Kind, header: Sequence[str], explicit: Mapping[str, str | None] | None = None
) -> list[Matched]:
    """Each column's field: by hand (`explicit`, heading → field or None) first, else by the
    synonyms. A heading in `explicit` that the file lacks is 422 `import_mapping_heading`."""
    chosen = {heading_key(h): parse_field(kind, f) for h, f in (explicit or {}).items()}
    keys = [heading_key(h) for h in header]
    unknown = [h for h in (explicit or {}) if heading_key(h) not in keys]
    if unknown:
        raise Invalid(
            "import_mapping_heading",
            errors=[{"field": "columns", "heading": h} for h in unknown],
            heading=unknown[0],
        )
    out: list[Matched] = []
    for i, (h, key) in enumerate(zip(header, keys, strict=True)):
        if key in chosen:
            out.append(Matched(i, h, chosen[key], "explicit"))
        elif key:
            field = synonym_field(kind, h)
            out.append(Matched(i, h, field, "synonym" if field else None))
        else:
            out.append(Matched(i, h, None, None))
    return out


def resolve_columns(
    kind: Kind, header: Sequence[str], explicit: Mapping[str, str | None] | None = None
) -> dict[str, int]:
    """Field → its column's index. 422 `import_ambiguous_columns` naming both columns when two
    mean one field; 422 `import_missing_columns` naming the required fields no column means
    (and the columns nothing recognised, which may be them)."""
    matched = match_headings(kind, header, explicit)
    found: dict[str, int] = {}
    clashes: list[tuple[str, str, str]] = []  # field, first column, second column
    for m in matched:
        if m.field is None:
            continue
        if m.field in found:
            clashes.append((m.field, header[found[m.field]], m.heading))
        else:
            found[m.field] = m.index
    if clashes:
        target, first, second = clashes[0]
        raise Invalid(
            "import_ambiguous_columns",
            errors=[{"field": "file", "target": f, "columns": [a, b]} for f, a, b in clashes],
            first=first,
            second=second,
            name=field_label(kind, target),
        )
    missing = [f for f in REQUIRED[kind] if f not in found]
    if missing:
        unknown = [m.heading for m in matched if m.source is None and m.heading.strip()]
        raise Invalid(
            "import_missing_columns",
            errors=[{"field": "file", "columns": missing, "unrecognised": unknown}],
            columns=", ".join(field_label(kind, f) for f in missing),
            unrecognised=t("import_unrecognised", columns=", ".join(unknown[:10]))
            if unknown
            else "",
        )
    return found
