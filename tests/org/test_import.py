"""Bulk import of rosters and staff lists: all-or-nothing, idempotent, updating, dry-run."""

from __future__ import annotations

import io
from typing import Any

import httpx
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bellwork.org.models import GuardianLink, Membership, Person, Unit
from tests.conftest import World

ROSTER = """班级,学生姓名,学号,家长姓名,家长手机,关系
一年级/1班,张小明,2026001,张建国,10000000001,父亲
一年级/1班,张小明,2026001,李秀英,10000000002,母亲
一年级/2班,王小红,2026002,王大山,10000000003,父亲
二年级/1班,刘小刚,2026003,,,
"""


async def setup(world: World) -> tuple[httpx.AsyncClient, Unit]:
    admin = await world.person("管理员", username="admin", is_admin=True)
    school = await world.unit("实验小学", "school")
    return await world.login(admin), school


async def upload(
    c: httpx.AsyncClient,
    unit: Unit,
    content: bytes | str,
    kind: str = "roster",
    dry_run: bool = False,
    filename: str = "roster.csv",
    lang: str = "en",
) -> httpx.Response:
    data = content.encode() if isinstance(content, str) else content
    return await c.post(
        "/api/v1/imports",
        data={"kind": kind, "unit_id": str(unit.id), "dry_run": "true" if dry_run else "false"},
        files={"file": (filename, data, "text/csv")},
        headers={"accept-language": lang},
    )


async def counts(world: World) -> dict[str, int]:
    out = {}
    for name, model in (
        ("people", Person),
        ("units", Unit),
        ("memberships", Membership),
        ("links", GuardianLink),
    ):
        out[name] = (await world.db.execute(select(func.count()).select_from(model))).scalar_one()
    await world.db.commit()
    return out


async def test_roster_import_creates_tree_people_and_links(world: World) -> None:
    c, school = await setup(world)
    r = await upload(c, school, ROSTER)
    assert r.status_code == 200, r.text
    s = r.json()["summary"]
    assert s == {
        "rows": 4,
        "units_created": 5,
        "people_created": 6,
        "people_updated": 0,
        "people_unchanged": 0,
        "memberships_added": 3,
        "memberships_removed": 0,
        "guardian_links_added": 3,
        "guardian_links_updated": 0,
    }
    tree = (await c.get(f"/api/v1/units/{school.id}/subtree")).json()
    assert [(u["name"], u["kind"]) for u in tree] == [
        ("实验小学", "school"),
        ("一年级", "grade"),
        ("二年级", "grade"),
        ("1班", "class"),
        ("1班", "class"),
        ("2班", "class"),
    ]
    found = (await c.get("/api/v1/people", params={"q": "2026001"})).json()["items"]
    card = (await c.get(f"/api/v1/people/{found[0]['id']}")).json()
    assert card["name"] == "张小明"
    assert sorted((g["name"], g["relation"]) for g in card["guardians"]) == [
        ("张建国", "父亲"),
        ("李秀英", "母亲"),
    ]
    assert card["memberships"][0]["unit"]["path_names"] == ["实验小学", "一年级", "1班"]
    dad = (await c.get("/api/v1/people", params={"q": "zhangjianguo"})).json()["items"][0]
    assert [(m["unit_name"], m["role"]) for m in dad["memberships"]] == [("1班", "guardian")]


async def test_reimport_changes_nothing(world: World) -> None:
    c, school = await setup(world)
    await upload(c, school, ROSTER)
    before = await counts(world)
    r = await upload(c, school, ROSTER)
    s = r.json()["summary"]
    assert s["people_created"] == s["people_updated"] == s["units_created"] == 0
    assert s["memberships_added"] == s["memberships_removed"] == s["guardian_links_added"] == 0
    assert s["people_unchanged"] == 6
    assert r.json()["changes"] == []
    assert await counts(world) == before


async def test_edited_file_updates_without_duplicates(world: World) -> None:
    c, school = await setup(world)
    await upload(c, school, ROSTER)
    before = await counts(world)
    edited = ROSTER.replace("王小红", "王晓红").replace("一年级/2班,王晓红", "一年级/1班,王晓红")
    edited = edited.replace("李秀英,10000000002,母亲", "李秀英,10000000002,外婆")
    r = await upload(c, school, edited)
    s = r.json()["summary"]
    assert s["people_created"] == 0 and s["people_updated"] == 1
    assert s["memberships_added"] == 1 and s["memberships_removed"] == 1
    assert s["guardian_links_updated"] == 1
    after = await counts(world)
    assert after["people"] == before["people"]
    hong = (await c.get("/api/v1/people", params={"q": "2026002"})).json()["items"][0]
    assert hong["name"] == "王晓红"
    assert [(m["unit_name"], m["role"]) for m in hong["memberships"]] == [("1班", "student")]
    # Her guardian moved with her.
    dad = (await c.get("/api/v1/people", params={"q": "10000000003"})).json()["items"][0]
    assert [(m["unit_name"], m["role"]) for m in dad["memberships"]] == [("1班", "guardian")]
    diff = next(ch for ch in r.json()["changes"] if ch["entity"] == "person")
    assert diff["detail"] == {"name": ["王小红", "王晓红"]}


async def test_dry_run_shows_changes_and_writes_nothing(world: World) -> None:
    c, school = await setup(world)
    before = await counts(world)
    r = await upload(c, school, ROSTER, dry_run=True)
    assert r.status_code == 200
    body = r.json()
    assert body["dry_run"] is True and body["applied"] is False
    assert body["summary"]["people_created"] == 6
    assert {ch["entity"] for ch in body["changes"]} == {
        "unit",
        "person",
        "membership",
        "guardian_link",
    }
    assert await counts(world) == before
    audit = (await c.get("/api/v1/audit")).json()["items"]
    assert not any(e["action"].startswith("import") for e in audit)


async def test_invalid_rows_abort_everything_and_list_every_error(world: World) -> None:
    c, school = await setup(world)
    before = await counts(world)
    bad = """班级,学生姓名,学号,家长姓名,家长手机,关系
一年级/1班,张小明,2026001,张建国,10000000001,父亲
一年级/1班,,2026004,,,
//,王小红,2026002,王大山,12ab,父亲
一年级/2班,刘小刚,2026001,,,
一年级/1班,赵小,2026009,赵大,10000000001,父亲
"""
    r = await upload(c, school, bad)
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "import_invalid"
    assert body["title"] == "Rows with problems: 4; nothing was imported."
    errs = [(e["row"], e["column"]) for e in body["errors"]]
    assert (3, "学生姓名") in errs
    assert (4, "班级") in errs and (4, "家长手机") in errs
    assert (5, "学号") in errs
    assert (6, "家长手机") in errs
    msgs = {(e["row"], e["column"]): e["message"] for e in body["errors"]}
    assert msgs[(4, "家长手机")].startswith("is not a valid phone number")
    assert "row 2" in msgs[(5, "学号")]
    assert await counts(world) == before
    r = await upload(c, school, bad, lang="zh-CN")
    assert r.json()["title"] == "文件中有 4 行无效，未导入任何数据。"
    msgs = {(e["row"], e["column"]): e["message"] for e in r.json()["errors"]}
    assert msgs[(4, "家长手机")].startswith("不是有效的手机号")


async def test_missing_columns_and_unreadable_files(world: World) -> None:
    c, school = await setup(world)
    r = await upload(c, school, "name,phone,notes\nA,1,x\n")
    assert r.status_code == 422 and r.json()["code"] == "import_missing_columns"
    # `name` and `phone` are a roster's student name and guardian phone (synonyms); the title
    # names what is missing and the column nothing recognised, which may be it.
    assert r.json()["title"] == (
        "Missing columns: class_path, student_number. Columns not recognised: notes — map "
        "them to fields by hand (on the import page, with `columns` or --map)."
    )
    assert r.json()["errors"] == [
        {"field": "file", "columns": ["class_path", "student_number"], "unrecognised": ["notes"]}
    ]
    r = await upload(c, school, b"PK\x03\x04garbage", filename="x.xlsx")
    assert r.status_code == 422 and r.json()["code"] == "import_unreadable"
    r = await upload(c, school, b"\xff\xfe\x00\x00\x00", filename="x.csv")
    assert r.status_code == 422 and r.json()["code"] == "import_unreadable"
    r = await upload(c, school, "班级,学生姓名,学号\n")
    assert r.status_code == 422 and r.json()["code"] == "import_empty"
    r = await upload(c, school, b"%PDF-1.4", filename="x.pdf")
    assert r.status_code == 422 and r.json()["code"] == "import_unknown_format"


async def test_a_file_over_the_row_limit_is_refused_whole(world: World, monkeypatch: Any) -> None:
    """Past the limit nothing is imported (not the first rows of it); blank rows do not count
    and do not shift the row numbers errors name."""
    from bellwork.org.importer import reading

    monkeypatch.setattr(reading.read_table, "__defaults__", (3,))
    c, school = await setup(world)
    before = await counts(world)
    four = "班级,学生姓名,学号\n" + "".join(f"一年级/1班,学生{i},20269{i}\n" for i in range(4))
    r = await upload(c, school, four)
    assert r.status_code == 422 and r.json()["code"] == "import_too_many_rows", r.text
    assert r.json()["title"] == (
        "The file has more than 3 rows; nothing was imported. Split it into files of at most"
        " 3 rows."
    )
    assert await counts(world) == before
    # Three rows with blank lines between and after them: within the limit; an error in the
    # last names its row in the file (6), blank lines included.
    spaced = (
        "班级,学生姓名,学号\n一年级/1班,甲,2026901\n\n,,\n"
        "一年级/1班,乙,2026902\n一年级/1班,丙,\n\n\n"
    )
    r = await upload(c, school, spaced)
    assert r.status_code == 422 and r.json()["code"] != "import_too_many_rows", r.text
    assert {e.get("row") for e in r.json()["errors"]} == {6}, r.json()["errors"]


async def test_xlsx_and_gb18030_csv(world: World) -> None:
    c, school = await setup(world)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(
        [
            "class_path",
            "student_name",
            "student_number",
            "guardian_name",
            "guardian_phone",
            "relation",
        ]
    )
    ws.append(["Grade 1/Class A", "Li Lei", 2026100, "Li Ming", 10000000050, "father"])
    buf = io.BytesIO()
    wb.save(buf)
    r = await upload(c, school, buf.getvalue(), filename="roster.xlsx")
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["people_created"] == 2
    lei = (await c.get("/api/v1/people", params={"q": "2026100"})).json()["items"]
    assert lei[0]["name"] == "Li Lei"  # the number cell 2026100 became "2026100", not 2026100.0
    gbk = "班级,学生姓名,学号\n一年级/3班,韩梅梅,2026200\n".encode("gb18030")
    r = await upload(c, school, gbk)
    assert r.status_code == 200, r.text
    assert (await c.get("/api/v1/people", params={"q": "hanmeimei"})).json()["items"]


async def test_staff_import(world: World) -> None:
    c, _ = await setup(world)
    company = await world.unit("云帆科技", "company")
    await world.commit()
    staff = """部门,姓名,手机,邮箱,职务
研发部/前端组,李娜,10000000201,lina@example.com,工程师
研发部/前端组,王强,10000000202,,组长
市场部,陈静,,chenjing@example.com,专员
"""
    r = await upload(c, company, staff, kind="staff")
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["people_created"] == 3
    assert r.json()["summary"]["units_created"] == 3
    tree = (await c.get(f"/api/v1/units/{company.id}/subtree")).json()
    assert {(u["name"], u["kind"]) for u in tree} == {
        ("云帆科技", "company"),
        ("研发部", "department"),
        ("市场部", "department"),
        ("前端组", "department"),
    }
    r = await upload(c, company, staff.replace("组长", "技术组长"), kind="staff")
    s = r.json()["summary"]
    assert s["people_updated"] == 1 and s["people_created"] == 0
    wang = (await c.get("/api/v1/people", params={"q": "wangqiang"})).json()["items"][0]
    assert wang["title"] == "技术组长"


async def test_import_needs_head_of_target(world: World) -> None:
    school = await world.unit("实验小学", "school")
    other = await world.unit("二中", "school")
    head = await world.person("校长", (school, "head"), username="head")
    c = await world.login(head)
    r = await upload(c, other, ROSTER)
    assert r.status_code == 403 and r.json()["code"] == "not_head_of_unit"
    r = await upload(c, school, ROSTER)
    assert r.status_code == 200
    audit_entries: list[Any] = []
    assert audit_entries == []


async def test_template_download(world: World) -> None:
    c, _ = await setup(world)
    r = await c.get(
        "/api/v1/imports/template", params={"kind": "roster"}, headers={"accept-language": "zh-CN"}
    )
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["班级", "学生姓名", "学号", "家长姓名", "家长手机", "关系"]
