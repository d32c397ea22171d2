"""What a person sees in the web client, in Chromium, against the real server with demo data."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Server, expand, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]


def search(page: Any, text: str) -> None:
    page.get_by_test_id("directory-search").fill(text)


def test_admin_sees_tree_searches_by_initials_and_opens_a_card(new_page: NewPage) -> None:
    page = new_page()
    login(page, "admin")
    tree = page.get_by_test_id("unit-tree")
    expect(tree).to_contain_text("滨江区教育局")
    expect(tree).to_contain_text("云帆科技有限公司")
    expect(page.get_by_role("menuitem", name=re.compile("通讯录"))).to_be_visible()

    # Lazy children: expanding the bureau shows its schools.
    expand(tree, "滨江区教育局")
    expect(tree).to_contain_text("滨江实验小学")
    tree.get_by_text("滨江实验小学").click()
    expect(page.get_by_test_id("unit-breadcrumb")).to_contain_text("滨江区教育局")
    expect(page.get_by_test_id("unit-breadcrumb")).to_contain_text("滨江实验小学")
    expect(page.get_by_test_id("person-row").first).to_be_visible()
    shot(page, "desktop-directory")

    # Pinyin initials of 王建华 (the bureau head) — searched across everything.
    page.get_by_test_id("unit-breadcrumb").get_by_text("全部组织").click()
    search(page, "wjh")
    row = page.get_by_test_id("person-row").filter(has_text="王建华")
    expect(row).to_be_visible()
    search(page, "wangjianhua")
    expect(row).to_be_visible()
    row.click()
    card = page.get_by_test_id("person-card")
    expect(card.get_by_test_id("person-card-name")).to_have_text("王建华")
    expect(card).to_contain_text("局长")
    expect(card.get_by_test_id("person-memberships")).to_contain_text("滨江区教育局")
    expect(card.get_by_test_id("person-memberships")).to_contain_text("负责人")
    expect(card.get_by_test_id("person-phone")).to_contain_text("100")
    expect(card.get_by_test_id("person-edit")).to_be_visible()
    shot(page, "desktop-person-card")


def _unit_id(server: Server, *path: str) -> int:
    units = server.api("/api/v1/units")
    unit: dict[str, Any] | None = None
    for name in path:
        unit = next(u for u in units if u["name"] == name)
        units = server.api(f"/api/v1/units/{unit['id']}/children")
    assert unit is not None
    return int(unit["id"])


ROSTER_HEADER = "班级,学生姓名,学号,家长姓名,家长手机,关系\n"


def test_import_roster_dry_run_then_confirm(
    new_page: NewPage, server: Server, tmp_path: Any
) -> None:
    school = _unit_id(server, "滨江区教育局", "滨江实验小学")
    csv = tmp_path / "roster.csv"
    csv.write_text(
        ROSTER_HEADER + "一年级/1班,欧阳新生,202699001,欧阳妈妈,10000099001,母亲\n", "utf-8"
    )
    page = new_page()
    login(page, "admin")
    page.goto(f"/import?unit={school}")
    expect(page.get_by_test_id("import-unit")).to_contain_text("滨江实验小学")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("下载模板")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.get_by_test_id("import-page").locator("input[type=file]").set_input_files(str(csv))
    page.get_by_test_id("import-dry-run").click()
    preview = page.get_by_test_id("import-preview")
    expect(preview.get_by_test_id("import-summary")).to_contain_text("新建人员")
    changes = preview.get_by_test_id("import-changes")
    expect(changes).to_contain_text("欧阳新生")
    expect(changes).to_contain_text("欧阳妈妈")
    expect(changes).to_contain_text("新建")
    shot(page, "desktop-import-dry-run")
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-done")).to_contain_text("导入完成")

    page.goto(f"/directory?unit={school}")
    search(page, "202699001")
    expect(page.get_by_test_id("person-row").filter(has_text="欧阳新生")).to_be_visible()
    search(page, "oyxs")
    expect(page.get_by_test_id("person-row").filter(has_text="欧阳新生")).to_be_visible()


def test_import_notes_and_leading_zero_choice(
    new_page: NewPage, server: Server, tmp_path: Any
) -> None:
    """The dry run's notes are shown (paths repeating the school were stripped), and a number
    that lost its leading zeros is offered the existing one, re-running the dry run."""
    school = _unit_id(server, "滨江区教育局", "滨江实验小学")
    csv = tmp_path / "notes.csv"
    csv.write_text(
        ROSTER_HEADER + "滨江实验小学/一年级/1班,注释新生,202699201,注释妈妈,10000099201,母亲\n",
        "utf-8",
    )
    page = new_page()
    login(page, "admin")
    page.goto(f"/import?unit={school}")
    page.get_by_test_id("import-page").locator("input[type=file]").set_input_files(str(csv))
    page.get_by_test_id("import-dry-run").click()
    notes = page.get_by_test_id("import-preview").get_by_test_id("import-notes")
    expect(notes).to_contain_text("预检提示")
    expect(notes).to_contain_text("1 行的路径以“滨江实验小学”开头")
    expect(page.get_by_test_id("import-restore-zeros")).to_have_count(0)
    shot(page, "desktop-import-notes")


def test_invalid_roster_shows_error_table_with_rows(
    new_page: NewPage, server: Server, tmp_path: Any
) -> None:
    school = _unit_id(server, "滨江区教育局", "滨江实验小学")
    csv = tmp_path / "bad.csv"
    csv.write_text(
        ROSTER_HEADER
        + "一年级/1班,好学生,202699101,家长甲,10000099101,父亲\n"
        + "一年级/1班,,202699102,家长乙,10000099102,母亲\n"
        + "一年级/1班,坏号码,202699103,家长丙,not-a-phone,母亲\n",
        "utf-8",
    )
    page = new_page()
    login(page, "admin")
    page.goto(f"/import?unit={school}")
    page.get_by_test_id("import-page").locator("input[type=file]").set_input_files(str(csv))
    page.get_by_test_id("import-dry-run").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("请修改以下行后重新上传")
    table = errors.get_by_test_id("import-error-table")
    rows = table.locator("tbody tr")
    expect(rows.first).to_be_visible()
    text = table.inner_text()
    assert re.search(r"\b3\b", text) and re.search(r"\b4\b", text), text
    expect(page.get_by_test_id("import-preview")).to_have_count(0)
    shot(page, "desktop-import-errors")


def test_language_switch_before_and_after_login(new_page: NewPage) -> None:
    page = new_page()
    page.goto("/login")
    expect(page.get_by_test_id("login-submit")).to_contain_text(re.compile("登\\s*录"))
    page.get_by_test_id("lang-switch").click()
    page.get_by_role("menuitem", name="English").click()
    expect(page.get_by_test_id("login-submit")).to_contain_text("Log in")

    # The server's problem titles follow the switch too (cookie bw_lang).
    page.locator("#login").fill("admin")
    page.locator("#password").fill("wrong password")
    page.get_by_test_id("login-submit").click()
    err = page.get_by_test_id("login-error")
    expect(err).to_be_visible()
    assert not re.search(r"[\u4e00-\u9fff]", err.inner_text()), err.inner_text()

    login(page, "admin")
    expect(page.get_by_role("menuitem", name=re.compile("Directory"))).to_be_visible()
    expect(page.get_by_test_id("unit-tree")).to_contain_text("Organisation")
    expect(page.get_by_test_id("directory-search")).to_have_attribute(
        "placeholder", re.compile("Search")
    )
    shot(page, "desktop-directory-en")
    page.get_by_test_id("lang-switch").click()
    page.get_by_role("menuitem", name="简体中文").click()
    expect(page.get_by_role("menuitem", name=re.compile("通讯录"))).to_be_visible()


def test_english_browser_starts_in_english_until_switched(new_page: NewPage) -> None:
    page = new_page(locale="en-GB")
    page.goto("/login")
    expect(page.get_by_test_id("login-submit")).to_contain_text("Log in")
    page.get_by_test_id("lang-switch").click()
    page.get_by_role("menuitem", name="简体中文").click()
    page.reload()  # the choice is kept over the browser's language
    expect(page.get_by_test_id("login-submit")).to_contain_text(re.compile("登\\s*录"))


def test_teacher_sees_guardian_phone_and_guardian_sees_only_own_link(
    new_page: NewPage, server: Server
) -> None:
    # A student of the teacher's class with two guardians (the demo gives every third student two).
    klass = server.api("/api/v1/auth/me", login="teacher")["memberships"][0]["unit"]["id"]
    students = server.api(f"/api/v1/people?unit_id={klass}&limit=200", login="teacher")["items"]
    two = None
    for s in students:
        if any(m["role"] == "student" for m in s["memberships"]):
            detail = server.api(f"/api/v1/people/{s['id']}", login="teacher")
            if len(detail["guardians"]) >= 2:
                two = detail
                break
    assert two is not None
    g1, g2 = two["guardians"][0], two["guardians"][1]

    page = new_page()
    login(page, "teacher")
    search(page, two["student_number"])
    page.get_by_test_id("person-row").filter(has_text=two["name"]).click()
    guardians = page.get_by_test_id("person-guardians")
    expect(guardians).to_contain_text(g1["name"])
    expect(guardians).to_contain_text(g2["name"])
    expect(guardians).to_contain_text(g1["phone"])
    shot(page, "desktop-teacher-student-card")

    other = new_page()
    login(other, g1["phone"])
    search(other, two["student_number"])
    other.get_by_test_id("person-row").filter(has_text=two["name"]).click()
    card = other.get_by_test_id("person-card")
    expect(card.get_by_test_id("person-card-name")).to_have_text(two["name"])
    expect(card).not_to_contain_text(g2["name"])
    shot(other, "desktop-guardian-child-card")


def test_phone_sized_directory(new_page: NewPage) -> None:
    page = new_page(width=375, height=812, is_mobile=True, has_touch=True)
    login(page, "principal")
    expect(page.get_by_test_id("unit-tree")).to_have_count(0)  # no sider on a phone
    expect(page.get_by_test_id("person-row").first).to_be_visible()
    # Nothing is wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    page.get_by_test_id("unit-picker").click()
    drawer_tree = page.get_by_test_id("unit-tree")
    expect(drawer_tree).to_be_visible()
    expect(drawer_tree).to_contain_text("滨江区教育局")
    shot(page, "phone-unit-picker")
    expand(drawer_tree, "滨江区教育局")
    drawer_tree.get_by_text("滨江实验小学").click()
    expect(page.get_by_test_id("unit-breadcrumb")).to_contain_text("滨江实验小学")
    expect(page.get_by_test_id("person-row").first).to_be_visible()
    shot(page, "phone-directory")
    page.get_by_test_id("person-row").first.click()
    expect(page.get_by_test_id("person-card")).to_be_visible()
    shot(page, "phone-person-card")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_page_fits_a_phone(new_page: NewPage, lang: str) -> None:
    page = new_page(width=375, height=812, is_mobile=True, has_touch=True, lang=lang)
    login(page, "admin")
    heading = {"en": "Directory", "zh-CN": "通讯录"}[lang]
    for path, marker in [
        ("/directory", "directory"),
        ("/units", "units-page"),
        ("/import", "import-page"),
        ("/tokens", "token-create"),
        ("/audit", "audit-table"),
        ("/workbench", "workbench"),
        ("/me", "me-page"),
        ("/settings/notifications", "notify-settings"),
        ("/chat", "chat-list"),
    ]:
        page.goto(path)
        expect(page.get_by_test_id(marker)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
        shot(page, f"phone-{lang}-{path.strip('/')}")
    page.goto("/directory")
    expect(page.get_by_test_id("tab-directory")).to_contain_text(heading)


def test_ended_session_sends_user_to_login(new_page: NewPage, server: Server) -> None:
    page = new_page()
    login(page, "engineer")
    expect(page.get_by_test_id("person-row").first).to_be_visible()
    # Logged out everywhere from another device: the next request answers 401.
    server.api("/api/v1/auth/logout-all", login="engineer", method="POST")
    search(page, "zhou")
    page.wait_for_url(re.compile(r"/login\?next="))
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    page.locator("#login").fill("engineer")
    page.locator("#password").fill("bellwork-demo")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r"/directory"))
    expect(page.get_by_test_id("directory")).to_be_visible()


def test_classmate_sees_hidden_phone_and_wrong_password_message(
    new_page: NewPage, server: Server
) -> None:
    page = new_page()
    page.goto("/login")
    page.locator("#login").fill("admin")
    page.locator("#password").fill("not the password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("账号或密码错误")

    klass = server.api("/api/v1/auth/me", login="teacher")["memberships"][0]["unit"]["id"]
    people = server.api(f"/api/v1/people?unit_id={klass}&limit=200", login="teacher")["items"]
    students = [p for p in people if any(m["role"] == "student" for m in p["memberships"])]
    # The demo's own students (the first made): they have the demo password; students imported
    # by other tests have none.
    one, two = sorted(students, key=lambda p: p["id"])[:2]
    server.api(f"/api/v1/people/{one['id']}", method="PATCH", body={"phone": "10000099333"})
    server.api(f"/api/v1/people/{two['id']}", method="PATCH", body={"username": "classmate2"})

    login(page, "classmate2")
    search(page, one["student_number"])
    row = page.get_by_test_id("person-row").filter(has_text=one["name"])
    expect(row.get_by_test_id("phone-hidden")).to_have_text("已隐藏")
    expect(row).not_to_contain_text("10000099333")
    row.click()
    expect(page.get_by_test_id("person-phone")).to_have_text("已隐藏")
    shot(page, "desktop-hidden-phone")
