"""Rosters and staff lists with the headings schools really export (issue 9, item 6): known
synonyms, two columns for one field, columns mapped by hand (`columns`), mappings remembered per
unit and kind and offered again, and parsing that leaves the event loop free."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from bellwork.config import Settings
from bellwork.org.importer import HEADERS, reading
from bellwork.org.importer.headings import SYNONYMS, heading_key, synonym_field
from bellwork.org.models import GuardianLink, ImportMapping, Membership, Person, Unit
from tests.conftest import World


async def post(
    c: httpx.AsyncClient,
    unit: Unit,
    content: bytes | str,
    *,
    kind: str = "roster",
    dry_run: bool = True,
    columns: dict[str, str | None] | str | None = None,
    filename: str = "export.csv",
    lang: str = "en",
    path: str = "/api/v1/imports",
) -> httpx.Response:
    data = content.encode() if isinstance(content, str) else content
    form = {"kind": kind, "unit_id": str(unit.id)}
    if path == "/api/v1/imports":
        form["dry_run"] = str(dry_run).lower()
    if columns is not None:
        form["columns"] = columns if isinstance(columns, str) else json.dumps(columns)
    return await c.post(
        path,
        data=form,
        files={"file": (filename, data, "text/csv")},
        headers={"accept-language": lang},
    )


async def offered(c: httpx.AsyncClient, unit: Unit, content: bytes | str, **kw: Any) -> Any:
    r = await post(c, unit, content, path="/api/v1/imports/columns", **kw)
    assert r.status_code == 200, r.text
    return r.json()


async def counts(world: World) -> dict[str, int]:
    out = {}
    for model in (Person, Unit, Membership, GuardianLink, ImportMapping):
        q = select(func.count()).select_from(model)
        out[model.__tablename__] = (await world.db.execute(q)).scalar_one()
    await world.db.commit()
    return out


async def setup(world: World) -> tuple[httpx.AsyncClient, Unit]:
    admin = await world.person("管理员", username="admin", is_admin=True)
    school = await world.unit("实验小学", "school")
    return await world.login(admin), school


async def card(c: httpx.AsyncClient, q: str) -> Any:
    found = (await c.get("/api/v1/people", params={"q": q})).json()["items"]
    assert len(found) == 1, found
    return (await c.get(f"/api/v1/people/{found[0]['id']}")).json()


# A roster as a school's student information system exports it: a running number, sex and
# remarks nobody asked for, and none of the template's headings.
EXPORT = """序号,所在班级,姓名,性别,学籍号,家长姓名,家长手机号（必填）,与学生关系,备注
1,一年级/1班,张小明,男,G2026001,张建国,100 0000 0001,父亲,
2,一年级/1班,张小明,男,G2026001,李秀英,10000000002,妈妈,
3,一年级/2班,王小红,女,G2026002,王大山,10000000003,爸爸,花粉过敏
"""


async def test_a_school_export_imports_by_its_own_headings(world: World) -> None:
    c, school = await setup(world)
    r = await post(c, school, EXPORT, dry_run=False)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["columns"] == {
        "class_path": "所在班级",
        "student_name": "姓名",
        "student_number": "学籍号",
        "guardian_name": "家长姓名",
        "guardian_phone": "家长手机号（必填）",
        "relation": "与学生关系",
    }
    assert body["summary"]["people_created"] == 5
    assert body["summary"]["guardian_links_added"] == 3
    student = await card(c, "G2026001")
    assert student["name"] == "张小明"
    assert student["memberships"][0]["unit"]["path_names"] == ["实验小学", "一年级", "1班"]
    assert sorted((g["name"], g["relation"]) for g in student["guardians"]) == [
        ("张建国", "父亲"),
        ("李秀英", "母亲"),
    ]
    assert (await card(c, "10000000003"))["name"] == "王大山"


async def test_other_spellings_of_the_headings(world: World) -> None:
    """联系电话, 监护人, markers for required columns, English headings, an XLSX, a staff list."""
    c, school = await setup(world)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["班级名称", "学生姓名 *", "学生编号", "监护人", "联系电话", "家长关系"])
    ws.append(["二年级/1班", "刘小刚", "S-3", "刘强", "10000000004", "外婆"])
    buf = io.BytesIO()
    wb.save(buf)
    r = await post(c, school, buf.getvalue(), filename="导出.xlsx", dry_run=False)
    assert r.status_code == 200, r.text
    assert r.json()["columns"]["guardian_phone"] == "联系电话"
    assert [(g["name"], g["relation"]) for g in (await card(c, "刘小刚"))["guardians"]] == [
        ("刘强", "外婆")
    ]

    english = (
        "Class,Name,Student ID,Parent,Mobile Phone,Relationship\n"
        "三年级/1班,Li Lei,S-4,Li Ming,10000000005,Dad\n"
    )
    r = await post(c, school, english, dry_run=False)
    assert r.status_code == 200, r.text
    assert (await card(c, "Li Lei"))["guardians"][0]["relation"] == "father"

    staff = (
        "所在部门,教职工姓名,手机号码,电子邮件,岗位\n"
        "教务处,周老师,10000000006,zhou@example.edu,主任\n"
    )
    r = await post(c, school, staff, kind="staff", dry_run=False)
    assert r.status_code == 200, r.text
    assert r.json()["columns"] == {
        "department_path": "所在部门",
        "name": "教职工姓名",
        "phone": "手机号码",
        "email": "电子邮件",
        "title": "岗位",
    }
    assert (await card(c, "10000000006"))["title"] == "主任"


def test_headings_compare_without_width_case_space_or_markers() -> None:
    same = [
        "家长手机",
        "家长手机 ",
        "＊家长手机",
        "家长手机（必填）",
        "家长手机(必填)",
        "家长 手机*",
    ]
    assert {heading_key(h) for h in same} == {"家长手机"}
    assert heading_key("Student_Name") == heading_key("STUDENT NAME") == "studentname"
    assert synonym_field("roster", "手机号码（11位）") == "guardian_phone"
    assert synonym_field("staff", "手机号码（11位）") == "phone"
    assert synonym_field("roster", "姓名") == "student_name"
    assert synonym_field("staff", "姓名") == "name"
    assert synonym_field("roster", "性别") is None
    # One table: every field's own name is its first synonym.
    for kind, fields in SYNONYMS.items():
        for field, names in fields.items():
            assert names[0] == field and synonym_field(kind, field) == field  # type: ignore[arg-type]


async def test_two_columns_for_one_field_is_an_error_naming_both(world: World) -> None:
    c, school = await setup(world)
    before = await counts(world)
    both = (
        "班级,姓名,学号,家长姓名,家长手机号,联系电话\n"
        "一年级/1班,张小明,2026001,张建国,10000000001,10000000009\n"
    )
    r = await post(c, school, both, dry_run=False, lang="zh-CN")
    assert r.status_code == 422 and r.json()["code"] == "import_ambiguous_columns"
    assert r.json()["title"] == (
        "“家长手机号”和“联系电话”两列都对应“家长手机”：请将其中一列对应到其他字段，或忽略它。"
    )
    assert r.json()["errors"] == [
        {"field": "file", "target": "guardian_phone", "columns": ["家长手机号", "联系电话"]}
    ]
    r = await post(c, school, both, dry_run=False)
    assert r.json()["title"] == (
        "The columns “家长手机号” and “联系电话” both mean guardian_phone: map one of them to "
        "another field, or ignore it."
    )
    # Mapping one of them to the same field by hand does not settle it either.
    r = await post(c, school, both, columns={"联系电话": "guardian_phone"})
    assert r.json()["code"] == "import_ambiguous_columns"
    assert await counts(world) == before
    # Ignoring one does.
    r = await post(c, school, both, dry_run=False, columns={"联系电话": None})
    assert r.status_code == 200, r.text
    assert (await card(c, "2026001"))["guardians"][0]["phone"] == "10000000001"


UNKNOWN = """班号,学生全名,学号,紧急联络人,紧急联络号
一年级/1班,陈小花,2026011,陈大海,10000000011
"""


async def test_columns_mapped_by_hand(world: World) -> None:
    c, school = await setup(world)
    r = await post(c, school, UNKNOWN, lang="zh-CN")
    assert r.status_code == 422 and r.json()["code"] == "import_missing_columns"
    assert r.json()["title"] == (
        "缺少列：班级, 学生姓名。未识别的列：班号, 学生全名, 紧急联络人, 紧急联络号——请手动将其对应"
        "到字段（在导入页面，或用 `columns`、--map）。"
    )
    mapping = {
        "班号": "class_path",
        "学生全名": "学生姓名",  # any heading that means the field will do
        "紧急联络人": "guardian_name",
        "紧急联络号": "guardian_phone",
    }
    r = await post(c, school, UNKNOWN, columns=mapping)
    assert r.status_code == 200, r.text
    assert r.json()["columns"]["guardian_phone"] == "紧急联络号"
    assert r.json()["summary"]["people_created"] == 2
    r = await post(c, school, UNKNOWN, columns=mapping, dry_run=False)
    assert r.status_code == 200, r.text
    assert (await card(c, "2026011"))["guardians"][0]["name"] == "陈大海"

    # Mistakes in the mapping are named.
    r = await post(c, school, UNKNOWN, columns={**mapping, "电话": "guardian_phone"})
    assert r.status_code == 422 and r.json()["code"] == "import_mapping_heading"
    assert r.json()["title"] == "The file has no column “电话” to map."
    r = await post(c, school, UNKNOWN, columns={**mapping, "紧急联络号": "wechat"})
    assert r.json()["code"] == "import_mapping_field"
    assert r.json()["title"].startswith("“wechat” is not a field of this import; the fields are: ")
    for bad in ("[1]", "{", '{"班号": 3}'):
        r = await post(c, school, UNKNOWN, columns=bad)
        assert r.status_code == 422 and r.json()["code"] == "import_mapping_invalid", bad


async def test_mapping_is_remembered_per_unit_and_offered_again(world: World) -> None:
    c, school = await setup(world)
    other = await world.unit("第二小学", "school")
    head = await world.person("校长", (school, "head"), username="head")
    await world.commit()
    # What the columns would be taken as, before anything is mapped.
    first = await offered(c, school, UNKNOWN)
    assert first["remembered"] is False
    assert first["required"] == ["class_path", "student_name", "student_number"]
    assert [(col["heading"], col["field"], col["source"]) for col in first["columns"]] == [
        ("班号", None, None),
        ("学生全名", None, None),
        ("学号", "student_number", "synonym"),
        ("紧急联络人", None, None),
        ("紧急联络号", None, None),
    ]
    mapping: dict[str, str | None] = {
        "班号": "class_path",
        "学生全名": "student_name",
        "学号": "student_number",
        "紧急联络人": "guardian_name",
        "紧急联络号": "guardian_phone",
    }
    # A dry run teaches nothing; an applied import remembers.
    assert (await post(c, school, UNKNOWN, columns=mapping)).status_code == 200
    assert (await offered(c, school, UNKNOWN))["remembered"] is False
    assert (await post(c, school, UNKNOWN, columns=mapping, dry_run=False)).status_code == 200
    (row,) = (await world.db.execute(select(ImportMapping))).scalars()
    # Only what the synonyms would not have done is kept.
    assert row.columns == {
        "班号": "class_path",
        "学生全名": "student_name",
        "紧急联络人": "guardian_name",
        "紧急联络号": "guardian_phone",
    }
    await world.db.commit()

    # Another person of the unit gets it, for a file with the same headings in another order.
    reordered = (
        "学号,紧急联络号,学生全名,班号,紧急联络人\n2026012,10000000012,陈小草,一年级/1班,陈大河\n"
    )
    hc = await world.login(head)
    again = await offered(hc, school, reordered)
    assert again["remembered"] is True
    assert {col["heading"]: (col["field"], col["source"]) for col in again["columns"]} == {
        "学号": ("student_number", "synonym"),
        "紧急联络号": ("guardian_phone", "remembered"),
        "学生全名": ("student_name", "remembered"),
        "班号": ("class_path", "remembered"),
        "紧急联络人": ("guardian_name", "remembered"),
    }
    # ... and sends it with the import, as the web page does.
    chosen = {col["heading"]: col["field"] for col in again["columns"]}
    r = await post(hc, school, reordered, columns=chosen, dry_run=False)
    assert r.status_code == 200, r.text
    assert (await card(c, "2026012"))["guardians"][0]["name"] == "陈大河"

    # Another unit, or another kind, is not offered it.
    assert (await offered(c, other, UNKNOWN))["columns"][0]["field"] is None
    assert (await offered(c, school, UNKNOWN, kind="staff"))["columns"][0]["field"] is None
    # A file with other headings gets the remembered fields of the columns nothing else knows.
    wider = "班号,学生全名,学号,紧急联络人,紧急联络号,性别\n"
    partly = await offered(c, school, wider)
    assert partly["remembered"] is False
    assert [col["field"] for col in partly["columns"]] == [
        "class_path",
        "student_name",
        "student_number",
        "guardian_name",
        "guardian_phone",
        None,
    ]
    # A column ignored by hand is ignored again for the same headings, never for others.
    both = (
        "班级,姓名,学号,家长姓名,家长手机号,联系电话\n"
        "一年级/1班,张小明,2026001,张建国,10000000001,10000000009\n"
    )
    r = await post(c, school, both, columns={"联系电话": None}, dry_run=False)
    assert r.status_code == 200, r.text
    cols = (await offered(c, school, both))["columns"]
    assert (cols[5]["field"], cols[5]["source"]) == (None, "remembered")
    alone = "班级,姓名,学号,家长姓名,联系电话\n"
    assert (await offered(c, school, alone))["columns"][4]["field"] == "guardian_phone"
    # Going back to what the synonyms say forgets the choice; another choice replaces it.
    synonyms_only = {h: synonym_field("roster", h) for h in both.splitlines()[0].split(",")}
    synonyms_only["家长手机号"] = None
    r = await post(c, school, both, columns=synonyms_only, dry_run=False)
    assert r.status_code == 200, r.text
    cols = (await offered(c, school, both))["columns"]
    assert (cols[4]["field"], cols[4]["source"]) == (None, "remembered")
    assert (cols[5]["field"], cols[5]["source"]) == ("guardian_phone", "synonym")
    notes = "班级,学生姓名,学号,备注\n一年级/1班,张小明,2026001,父亲\n"
    r = await post(c, school, notes, columns={"备注": "relation"}, dry_run=False)
    assert r.status_code == 200, r.text
    assert (await offered(c, school, notes))["columns"][3]["field"] == "relation"
    r = await post(c, school, notes, columns={"备注": None}, dry_run=False)
    assert r.status_code == 200, r.text
    again = await offered(c, school, notes)
    assert again["remembered"] is False
    assert (again["columns"][3]["field"], again["columns"][3]["source"]) == (None, None)


async def test_columns_need_the_right_to_import_into_the_unit(world: World) -> None:
    school = await world.unit("实验小学", "school")
    other = await world.unit("第二小学", "school")
    teacher = await world.person("老师", (school, "teacher"), username="teacher")
    head = await world.person("校长", (other, "head"), username="head")
    for person in (teacher, head):
        c = await world.login(person)
        r = await post(c, school, UNKNOWN, path="/api/v1/imports/columns")
        assert r.status_code in (403, 404), r.text
        assert "columns" not in r.json()


async def test_the_cli_maps_columns_too(world: World, settings: Settings, tmp_path: Path) -> None:
    _, school = await setup(world)
    await world.commit()
    path = tmp_path / "export.csv"
    path.write_text(UNKNOWN, encoding="utf-8")

    async def cli(*args: str) -> tuple[int, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BELLWORK_")}
        env["BELLWORK_DATA_DIR"] = str(tmp_path)
        env["BELLWORK_DATABASE_URL"] = settings.effective_database_url
        env["LANG"] = "en_US.UTF-8"
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "bellwork", "import", str(path), "--kind", "roster"),
            *("--unit", str(school.id), *args),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        return proc.returncode or 0, out.decode()

    maps = ["班号=class_path", "学生全名=学生姓名"]
    ignored = ["紧急联络人=", "紧急联络号="]
    code, out = await cli(*(a for m in maps + ignored for a in ("--map", m)))
    assert code == 0, out
    assert "学生全名 → student_name" in out and "people_created=1" in out
    maps += ["紧急联络人=guardian_name", "紧急联络号=guardian_phone"]
    code, out = await cli(*(a for m in maps for a in ("--map", m)), "--apply")
    assert code == 0 and "people_created=2" in out, out
    remembered = (await world.db.execute(select(ImportMapping.columns))).scalar_one()
    assert remembered["紧急联络号"] == "guardian_phone"
    code, out = await cli("--map", "no equals sign")
    assert code == 2 and "HEADING=FIELD" in out


# ---------------------------------------------------------------- off the event loop


def big_roster(rows: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["班级", "学生姓名", "学号", "家长姓名", "家长手机", "关系"])
    for i in range(rows):
        ws.append([f"初一/{i % 20 + 1}班", f"学生{i}", f"S{i:06d}", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def test_parsing_a_big_workbook_leaves_the_event_loop_serving(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the middle of reading a big workbook's cells, parsing waits until a request made
    meanwhile has been answered. Were the workbook parsed on the event loop, that request could
    never be served and the wait would end unanswered."""
    c, school = await setup(world)
    content = big_roster(3000)
    loop_thread = threading.get_ident()
    answered = threading.Event()
    seen: dict[str, Any] = {"cells": 0}
    real = reading.cell_text

    loop = asyncio.get_running_loop()
    waiting = asyncio.Event()

    def cell_text(v: Any) -> str:
        seen["cells"] += 1
        if seen["cells"] == 6000:  # a thousand rows in
            seen["thread"] = threading.get_ident()
            loop.call_soon_threadsafe(waiting.set)
            seen["answered_meanwhile"] = answered.wait(timeout=20)
        return real(v)

    monkeypatch.setattr(reading, "cell_text", cell_text)
    task = asyncio.create_task(post(c, school, content, filename="big.xlsx"))
    parsing = asyncio.create_task(waiting.wait())
    await asyncio.wait([task, parsing], timeout=60, return_when=asyncio.FIRST_COMPLETED)
    assert parsing.done() and not task.done()
    r = await c.get("/healthz")
    assert r.status_code == 200
    answered.set()
    result = await task
    assert result.status_code == 200, result.text
    assert result.json()["summary"]["people_created"] == 3000
    assert seen["thread"] != loop_thread
    assert seen["answered_meanwhile"] is True
    assert seen["cells"] > 6000 * 3  # every cell was read, after the request was answered

    # The header of a file offered for mapping is read off the loop as well.
    threads: list[int] = []
    real_header = reading.read_header

    def read_header(filename: str, content: bytes) -> list[str]:
        threads.append(threading.get_ident())
        return real_header(filename, content)

    from bellwork.org.importer import run

    monkeypatch.setattr(run, "read_header", read_header)
    cols = await offered(c, school, content, filename="big.xlsx")
    assert [col["field"] for col in cols["columns"]][:3] == [
        "class_path",
        "student_name",
        "student_number",
    ]
    assert threads and loop_thread not in threads


def test_docs_list_every_synonym() -> None:
    """docs/import.md shows the synonym table as it is (one table, documented)."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text("utf-8")
    for kind, fields in SYNONYMS.items():
        for i, (field, names) in enumerate(fields.items()):
            label = HEADERS[kind]["zh-CN"][i]
            line = next(x for x in docs.splitlines() if x.startswith(f"| {label} `{field}` |"))
            listed = {n.strip() for n in line.split("|")[2].split(",")}
            assert listed == set(names) - {field, label}, (kind, field)


FULL_WIDTH = {c: chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {0x20: "\u3000"}
KNOWN = [(k, f, name) for k, fs in SYNONYMS.items() for f, names in fs.items() for name in names]
MARKERS = ["", "*", "（必填）", "(必填)", "【必填】", " (required)", "[optional]", "（选填）", " "]


@settings(deadline=None, derandomize=True, database=None, max_examples=300)
@given(
    known=st.sampled_from(KNOWN),
    upper=st.booleans(),
    wide=st.booleans(),
    spaces=st.lists(st.integers(0, 40), max_size=3),
    before=st.sampled_from(["", "*", "＊", " "]),
    after=st.sampled_from(MARKERS),
)
def test_any_spelling_of_a_known_heading_means_its_field(
    known: tuple[Any, str, str],
    upper: bool,
    wide: bool,
    spaces: list[int],
    before: str,
    after: str,
) -> None:
    kind, field, name = known
    heading = name.upper() if upper else name
    for at in sorted(spaces, reverse=True):
        heading = heading[:at] + " " + heading[at:]
    heading = before + heading + after
    if wide:
        heading = heading.translate(FULL_WIDTH)
    assert synonym_field(kind, heading) == field, heading
