"""Rosters as schools really export them (issue 8): every rule on every row, full-width digits,
paths that repeat the chosen unit, lost leading zeros, people out of the importer's reach, the
template's example row, and what a bureau-level import may create."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select, text

from bellwork.org.models import GuardianLink, Membership, Person, Unit
from tests.conftest import World

HEADER = "班级,学生姓名,学号,家长姓名,家长手机,关系\n"


async def upload(
    c: httpx.AsyncClient,
    unit: Unit,
    content: bytes | str,
    dry_run: bool = True,
    lang: str = "en",
    filename: str = "roster.csv",
    **options: bool,
) -> httpx.Response:
    data = content.encode() if isinstance(content, str) else content
    form = {"kind": "roster", "unit_id": str(unit.id), "dry_run": str(dry_run).lower()}
    form.update({k: str(v).lower() for k, v in options.items()})
    return await c.post(
        "/api/v1/imports",
        data=form,
        files={"file": (filename, data, "text/csv")},
        headers={"accept-language": lang},
    )


async def counts(world: World) -> dict[str, int]:
    out = {}
    for model in (Person, Unit, Membership, GuardianLink):
        q = select(func.count()).select_from(model)
        out[model.__tablename__] = (await world.db.execute(q)).scalar_one()
    await world.db.commit()
    return out


async def admin_client(world: World) -> httpx.AsyncClient:
    admin = await world.person("管理员", username="admin", is_admin=True, phone="10000000001")
    return await world.login(admin)


def errors_by_row(body: dict[str, Any]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {}
    for e in body["errors"]:
        out.setdefault(e["row"], {})[e["column"]] = e["message"]
    return out


# ---------------------------------------------------------------- every row, every rule


async def test_every_bad_row_is_listed_at_once_and_nothing_is_written(world: World) -> None:
    """22 rows, 7 of them bad in different ways (one in two columns): all 7 are named."""
    bureau = await world.unit("滨江区教育局", "bureau")
    school = await world.unit("实验小学", "school", bureau)
    await world.unit("一年级", "grade", school)
    c = await admin_client(world)
    good = [
        f"实验小学/一年级/{k % 3 + 1}班,学生{k},2026{k:04d},家长{k},139{k:08d},母亲"
        for k in range(15)
    ]
    bad = [
        "实验小学/一年级/1班,学生A,20269001,家长A,1391234,父亲",  # 7-digit phone
        "第九中学/初一/1班,学生B,20269002,家长B,13900009002,父亲",  # no such school
        "实验小学/一年级/1班,学生C,20269003,家长C,13900009003,邻居",  # unknown relation
        "实验小学/一年级/1班,学生D,'; DROP TABLE person;--,家长D,13900009004,母亲",  # SQL
        "实验小学/一年级/1班,<b>x</b>,20269005,家长E,13900009005,母亲",  # markup
        "实验小学/一年级/1班,学生F,20269006,<script>,123,母亲",  # two bad columns
        "实验小学/一年级/1班,学生\u202eG,20269007,家长G,13900009007,母亲",  # bidi override
    ]
    rows = good[:5] + bad + good[5:]
    assert len(rows) == 22
    before = await counts(world)
    r = await upload(c, bureau, HEADER + "\n".join(rows) + "\n", dry_run=False)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "import_invalid"
    assert body["title"] == "Rows with problems: 7; nothing was imported."
    errs = errors_by_row(body)
    assert sorted(errs) == list(range(7, 14))
    assert errs[7]["家长手机"].startswith("is not a valid phone number")
    assert errs[8]["班级"].startswith("“第九中学” does not exist in 滨江区教育局")
    assert "create schools" in errs[8]["班级"]
    assert errs[9]["关系"].startswith("must be one of: father, mother, grandfather")
    assert "父亲, 母亲, 爷爷, 奶奶, 外公, 外婆" in errs[9]["关系"]  # either language is accepted
    assert errs[10]["学号"].startswith("may hold only letters, digits and - _ .")
    assert errs[11]["学生姓名"] == "must not contain < or > (markup)"
    assert errs[12] == {
        "家长姓名": "must not contain < or > (markup)",
        "家长手机": errs[7]["家长手机"],
    }
    assert errs[13]["学生姓名"].startswith("contains text-direction override characters")
    assert await counts(world) == before
    # The same in Chinese.
    r = await upload(c, bureau, HEADER + "\n".join(rows) + "\n", lang="zh-CN")
    body = r.json()
    assert body["title"] == "文件中有 7 行无效，未导入任何数据。"
    errs = errors_by_row(body)
    assert errs[7]["家长手机"].startswith("不是有效的手机号")
    assert errs[8]["班级"].startswith("滨江区教育局下没有“第九中学”")
    assert errs[9]["关系"].startswith("应为以下之一：父亲、母亲、爷爷、奶奶、外公、外婆")
    assert "father, mother" in errs[9]["关系"]
    assert errs[11]["学生姓名"] == "不能包含 < 或 >（网页标记）"
    assert errs[13]["学生姓名"].startswith("包含改变文字方向的控制字符")


async def test_full_width_digits_and_separators_are_normalised(world: World) -> None:
    school = await world.unit("实验小学", "school")
    c = await admin_client(world)
    roster = (
        HEADER + "一年级／1班,张小明,２０２６００１,张建国,＋８６ １３９－１２３４－５６７８,爸爸\n"
    )
    r = await upload(c, school, roster, dry_run=False)
    assert r.status_code == 200, r.text
    student = (await c.get("/api/v1/people", params={"q": "2026001"})).json()["items"]
    card = (await c.get(f"/api/v1/people/{student[0]['id']}")).json()
    assert card["student_number"] == "2026001"
    assert card["memberships"][0]["unit"]["path_names"] == ["实验小学", "一年级", "1班"]
    assert [(g["name"], g["phone"], g["relation"]) for g in card["guardians"]] == [
        ("张建国", "13912345678", "父亲")  # stored as the people API stores phones; 爸爸 → 父亲
    ]
    # The same file again (now in ordinary digits) changes nothing.
    plain = HEADER + "一年级/1班,张小明,2026001,张建国,13912345678,父亲\n"
    r = await upload(c, school, plain)
    assert r.json()["changes_total"] == 0


async def test_relations_in_english_and_synonyms(world: World) -> None:
    school = await world.unit("Greenfield Primary", "school")
    c = await admin_client(world)
    roster = (
        "class_path,student_name,student_number,guardian_name,guardian_phone,relation\n"
        "Grade 1/Class A,Li Lei,S-001,Li Ming,+852 9123 4567,Dad\n"
        "Grade 1/Class A,Li Lei,S-001,Han Mei,13912345678,grandmother\n"
    )
    r = await upload(c, school, roster, dry_run=False)
    assert r.status_code == 200, r.text
    links = [ch for ch in r.json()["changes"] if ch["entity"] == "guardian_link"]
    assert sorted(ch["detail"]["relation"] for ch in links) == ["father", "grandmother"]
    person = next(ch for ch in r.json()["changes"] if ch["name"] == "Li Ming")
    assert person["detail"]["phone"] == "+85291234567"  # other regions in E.164


# ---------------------------------------------------------------- bureau-level imports


async def test_bureau_import_creates_schools_only_when_asked(world: World) -> None:
    bureau = await world.unit("滨江区教育局", "bureau")
    school = await world.unit("实验小学", "school", bureau)
    c = await admin_client(world)
    roster = HEADER + "实验小学/一年级/1班,张小明,2026001,,,\n新学校/初一/1班,李小红,2026002,,,\n"
    r = await upload(c, bureau, roster)
    assert r.status_code == 422
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(3, "班级")]
    r = await upload(c, bureau, roster, dry_run=False, create_schools=True)
    assert r.status_code == 200, r.text
    tree = (await c.get(f"/api/v1/units/{bureau.id}/subtree")).json()
    kinds = {u["name"]: u["kind"] for u in tree}
    assert kinds["新学校"] == "school" and kinds["初一"] == "grade"
    assert [u["name"] for u in tree if u["parent_id"] == school.id] == ["一年级"]


# ---------------------------------------------------------------- paths that repeat the unit


async def test_paths_repeating_the_chosen_unit_are_stripped_and_said(world: World) -> None:
    bureau = await world.unit("滨江区教育局", "bureau")
    school = await world.unit("实验小学", "school", bureau)
    c = await admin_client(world)
    roster = (
        HEADER + "实验小学/一年级/1班,张小明,2026001,,,\n"
        "滨江区教育局/实验小学/一年级/2班,李小红,2026002,,,\n"
        "实验小学 / 一年级/1班,王小刚,2026003,,,\n"
        "一年级/1班,赵小燕,2026004,,,\n"
    )
    r = await upload(c, school, roster, dry_run=True)
    assert r.status_code == 200, r.text
    notes = [n for n in r.json()["notes"] if n["code"] == "path_stripped"]
    assert [(n["detail"]["prefix"], n["detail"]["rows"]) for n in notes] == [
        ("实验小学", [2, 4]),
        ("滨江区教育局/实验小学", [3]),
    ]
    assert notes[0]["level"] == "info" and notes[0]["column"] == "班级"
    assert notes[0]["message"].startswith("2 rows: the path began with “实验小学”")
    units = [ch["name"] for ch in r.json()["changes"] if ch["entity"] == "unit"]
    assert units == ["一年级", "一年级/1班", "一年级/2班"]  # no grade named after the school
    r = await upload(c, school, roster, lang="zh-CN")
    assert r.json()["notes"][0]["message"].startswith("2 行的路径以“实验小学”开头")


async def test_a_child_named_like_its_parent_is_not_stripped(world: World) -> None:
    school = await world.unit("实验小学", "school")
    await world.unit("实验小学", "grade", school)  # odd, but real: the path means it
    c = await admin_client(world)
    r = await upload(c, school, HEADER + "实验小学/1班,张小明,2026001,,,\n")
    assert r.json()["notes"] == []
    assert [ch["name"] for ch in r.json()["changes"] if ch["entity"] == "unit"] == ["实验小学/1班"]


# ---------------------------------------------------------------- lost leading zeros


async def test_lost_leading_zeros_are_offered_and_used_only_when_asked(world: World) -> None:
    school = await world.unit("实验小学", "school")
    grade = await world.unit("一年级", "grade", school)
    klass = await world.unit("1班", "class", grade)
    await world.person("张小明", (klass, "student"), student_number="001234")
    c = await admin_client(world)
    roster = HEADER + "一年级/1班,张小明,1234,,,\n一年级/1班,李小红,5678,,,\n"
    r = await upload(c, school, roster)
    assert r.status_code == 200, r.text
    [note] = r.json()["notes"]
    assert note["level"] == "warning" and note["code"] == "leading_zeros"
    assert (note["row"], note["column"]) == (2, "学号")
    assert note["detail"] == {"value": "1234", "suggested": "001234", "name": "张小明"}
    assert "Excel may have dropped the leading zeros" in note["message"]
    assert r.json()["summary"]["people_created"] == 2  # as the file says, until confirmed
    r = await upload(c, school, roster, restore_leading_zeros=True)
    assert r.json()["summary"]["people_created"] == 1
    assert r.json()["notes"][0]["code"] == "leading_zeros_restored"
    before = await counts(world)
    r = await upload(c, school, roster, dry_run=False, restore_leading_zeros=True)
    assert r.status_code == 200, r.text
    assert (await counts(world))["person"] == before["person"] + 1
    found = (await c.get("/api/v1/people", params={"q": "001234"})).json()["items"]
    assert [p["name"] for p in found] == ["张小明"]


# ---------------------------------------------------------------- who an import may touch


async def test_template_unchanged_touches_nobody(world: World) -> None:
    school = await world.unit("实验小学", "school")
    # Someone who holds what the old template's example used to hold.
    await world.person("真人", phone="10000000002", student_number="20260101")
    c = await admin_client(world)
    template = await c.get("/api/v1/imports/template", params={"kind": "roster"})
    before = await counts(world)
    r = await upload(c, school, template.content, dry_run=False, filename="t.xlsx")
    assert r.status_code == 422
    assert r.json()["code"] == "import_only_example"
    assert r.json()["title"].startswith("The file holds only the template's example row")
    assert await counts(world) == before
    # With a real row under the example, the example is skipped and said to be.
    wb = load_workbook(io.BytesIO(template.content))
    wb.worksheets[0].append(["一年级/1班", "李小红", "2026002", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    r = await upload(c, school, buf.getvalue(), filename="t.xlsx")
    assert r.status_code == 200, r.text
    assert [(n["code"], n["row"]) for n in r.json()["notes"]] == [("example_skipped", 2)]
    assert r.json()["summary"]["rows"] == 1
    admin = (await c.get("/api/v1/people", params={"q": "10000000001"})).json()["items"][0]
    assert admin["name"] == "管理员" and admin["memberships"] == []


async def test_rows_matching_an_administrator_are_refused(world: World) -> None:
    school = await world.unit("实验小学", "school")
    c = await admin_client(world)
    roster = HEADER + "一年级/1班,张伟,2026001,张建国,10000000001,父亲\n"
    r = await upload(c, school, roster)
    assert r.status_code == 422
    [e] = r.json()["errors"]
    assert (e["row"], e["column"]) == (2, "家长手机")
    assert e["message"] == (
        "10000000001 belongs to an installation administrator; imports never change administrators"
    )


async def test_a_head_cannot_reach_people_outside_their_units(world: World) -> None:
    a = await world.unit("实验小学", "school")
    b = await world.unit("第二小学", "school")
    b_class = await world.unit("1班", "class", b)
    other_student = await world.person("外校学生", (b_class, "student"), student_number="B001")
    await world.guardian("外校家长", other_student, b_class, phone="13900000001")
    head = await world.person("校长", (a, "head"), username="head")
    c = await world.login(head)
    roster = (
        HEADER + "一年级/1班,张小明,A001,改名家长,13900000001,父亲\n"  # another name: refused
        "一年级/1班,李小红,B001,李家长,13900000002,母亲\n"  # a student of another school
    )
    r = await upload(c, a, roster)
    assert r.status_code == 422
    errs = errors_by_row(r.json())
    outside = "belongs to a person outside the units you manage; an import cannot change them"
    assert errs[2] == {"家长手机": f"13900000001 {outside}"}
    assert errs[3] == {"学号": f"B001 {outside}"}
    assert "外校" not in r.text  # nothing about them is shown
    # A parent with children in two schools, named as they are: linked unchanged, and said so.
    same = HEADER + "一年级/1班,张小明,A001,外校家长,13900000001,父亲\n"
    r = await upload(c, a, same, dry_run=False)
    assert r.status_code == 200, r.text
    [note] = r.json()["notes"]
    assert note["code"] == "match_outside" and note["level"] == "warning"
    assert r.json()["summary"]["people_updated"] == 0
    assert r.json()["summary"]["guardian_links_added"] == 1


async def test_a_roster_does_not_rename_staff(world: World) -> None:
    school = await world.unit("实验小学", "school")
    await world.person("王老师", (school, "teacher"), phone="13900000009")
    c = await admin_client(world)
    r = await upload(c, school, HEADER + "一年级/1班,王小明,2026001,王爸爸,13900000009,父亲\n")
    assert r.status_code == 422
    [e] = r.json()["errors"]
    assert e["message"].startswith("13900000009 belongs to the staff member 王老师;")
    # Under their own name a teacher is a guardian like any other.
    r = await upload(c, school, HEADER + "一年级/1班,王小明,2026001,王老师,13900000009,父亲\n")
    assert r.status_code == 200, r.text


# ---------------------------------------------------------------- the template


async def test_template_keeps_identifiers_as_text_and_its_example_is_reserved(
    world: World,
) -> None:
    c = await admin_client(world)
    r = await c.get("/api/v1/imports/template", params={"kind": "roster"})
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    header = [cell.value for cell in ws[1]]
    example = {h: cell for h, cell in zip(header, ws[2], strict=False)}
    assert example["student_number"].value == "EXAMPLE-001"
    assert example["guardian_phone"].value == "10000000000"
    for col in ("student_number", "guardian_phone"):
        assert example[col].number_format == "@"
        assert ws.cell(row=500, column=header.index(col) + 1).number_format == "@"
    r = await c.get("/api/v1/imports/template", params={"kind": "staff"})
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert [cell.value for cell in ws[2]][2:4] == ["10000000000", "example@example.invalid"]


async def test_xlsx_numbers_keep_their_digits(world: World) -> None:
    """A phone Excel stored as a number (13912345678.0) is still the phone."""
    school = await world.unit("实验小学", "school")
    c = await admin_client(world)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["班级", "学生姓名", "学号", "家长姓名", "家长手机", "关系"])
    ws.append(["一年级/1班", "张小明", 2026001, "张建国", 13912345678.0, "父亲"])
    buf = io.BytesIO()
    wb.save(buf)
    r = await upload(c, school, buf.getvalue(), filename="r.xlsx")
    assert r.status_code == 200, r.text
    people = {ch["name"]: ch["detail"] for ch in r.json()["changes"] if ch["entity"] == "person"}
    assert people["张建国"]["phone"] == "13912345678"
    assert people["张小明"]["student_number"] == "2026001"


async def test_unreadable_files_are_explained_in_the_users_language(world: World) -> None:
    school = await world.unit("实验小学", "school")
    c = await admin_client(world)
    r = await upload(c, school, b"\xff\xfe\x00\x00\x00", lang="zh-CN")
    assert r.json()["title"] == "无法按 CSV 读取文件：文本既不是 UTF-8 也不是 GB18030 编码"
    r = await upload(c, school, b"PK\x03\x04junk", filename="x.xlsx", lang="zh-CN")
    assert r.json()["title"] == "无法按 XLSX 读取文件：不是有效的 XLSX 工作簿"


# ---------------------------------------------------------------- statistics after an import


async def test_an_applied_import_analyses_what_it_wrote(world: World) -> None:
    """On PostgreSQL the tables an import loaded are analysed before it answers, so the first
    queries after it (searches, a class group's unread lists) are planned on real figures."""
    if world.app.state.settings.is_sqlite:
        pytest.skip("planner statistics after a bulk load are PostgreSQL's concern")
    from bellwork.org.importer.apply import ANALYZED_TABLES

    school = await world.unit("实验小学", "school")
    c = await admin_client(world)

    async def analysed() -> dict[str, int]:
        async with world.app.state.engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT relname, analyze_count FROM pg_stat_user_tables")
            )
            return {name: n for name, n in rows}

    before = await analysed()
    r = await upload(c, school, HEADER + "一年级/1班,张小明,2026001,张建国,13912345678,父亲\n")
    assert r.status_code == 200
    assert await analysed() == before  # a dry run analyses nothing
    r = await upload(
        c, school, HEADER + "一年级/1班,张小明,2026001,张建国,13912345678,父亲\n", False
    )
    assert r.status_code == 200, r.text
    after = await analysed()
    assert {"person", "membership", "conversation_member"} <= set(ANALYZED_TABLES)
    for table in ANALYZED_TABLES:
        assert after[table] == before.get(table, 0) + 1, table
