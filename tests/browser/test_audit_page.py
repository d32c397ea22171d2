"""The audit log as an administrator reads it: actions and changes in words, people and units by
name with links, filters (who, what, when, which unit), the Excel export; desktop and phone, in
Chinese and English."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from .conftest import Server, expand, login, shot, until
from .test_web_client import _unit_id

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]

WORDS = {
    "zh-CN": {
        "update": "修改人员信息",
        "create": "新建人员",
        "title": "职务",
        "memberships": "所属组织",
        "teacher": "教师",
        "admin": "系统管理员",
        "heading": "时间 (",
        "apply": "查看结果",
    },
    "en": {
        "update": "Changed a person's details",
        "create": "Created a person",
        "title": "Title",
        "memberships": "Memberships",
        "teacher": "Teacher",
        "admin": "系统管理员",
        "heading": "Time (",
        "apply": "Show results",
    },
}


def arrange(server: Server, name: str) -> tuple[int, int]:
    """A person created in class 2 of grade one and given a title, by the admin."""
    klass = _unit_id(server, "滨江区教育局", "滨江实验小学", "一年级", "2班")
    person = server.api(
        "/api/v1/people",
        method="POST",
        body={"name": name, "memberships": [{"unit_id": klass, "role": "teacher"}]},
    )
    server.api(f"/api/v1/people/{person['id']}", method="PATCH", body={"title": "组长"})
    return int(person["id"]), klass


def pick_action(page: Any, label: str) -> None:
    what = page.get_by_test_id("audit-what")
    chosen = what.locator(".ant-select-selection-item", has_text=label)

    def choose() -> None:
        if chosen.count():
            return
        what.click()
        page.keyboard.type(label)
        page.locator(".ant-select-item-option", has_text=label).first.click()

    until(choose, lambda timeout: expect(chosen).to_have_count(1, timeout=timeout))
    page.keyboard.press("Escape")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_desktop_words_links_filters_and_export(
    new_page: NewPage, server: Server, lang: str, tmp_path: Any
) -> None:
    w = WORDS[lang]
    name = f"审计{'甲' if lang == 'zh-CN' else '乙'}"
    person_id, _ = arrange(server, name)
    page = new_page(lang=lang)
    login(page, "admin")
    page.goto("/audit")
    table = page.get_by_test_id("audit-table")
    expect(table.locator("tbody tr.ant-table-row").first).to_be_visible()

    # What: only updates of a person's details; the row says who, what and what changed.
    pick_action(page, w["update"])
    row = table.locator("tr.ant-table-row", has_text=name).first
    expect(row).to_contain_text(w["update"])
    expect(row).to_contain_text(w["admin"])
    expect(row.get_by_test_id("audit-changes")).to_have_text(f"{w['title']}: — → 组长")
    expect(table).not_to_contain_text("null")
    expect(table).not_to_contain_text("person.update")
    # Which unit: the class (through its tree), and the creation too once "what" allows it.
    page.get_by_test_id("audit-unit").click()
    tree = page.locator(".ant-select-tree")
    expand(tree, "滨江区教育局")
    expand(tree, "滨江实验小学")
    expand(tree, "一年级")
    tree.locator(".ant-select-tree-treenode", has_text="2班").locator(
        ".ant-select-tree-title"
    ).first.click()
    pick_action(page, w["create"])
    expect(table.locator("tr.ant-table-row", has_text=name)).to_have_count(2)
    created = table.locator("tr.ant-table-row", has_text=w["create"]).filter(has_text=name)
    expect(created.get_by_test_id("audit-changes")).to_contain_text(
        f"{w['memberships']}: 滨江实验小学 / 一年级 / 2班 · {w['teacher']}"
    )
    # The people of other units are left out (the demo created them all the same way).
    expect(table).not_to_contain_text("滨江第一中学")
    expect(table).not_to_contain_text("云帆科技有限公司")
    # Who: the admin, found by pinyin initials.
    page.get_by_test_id("audit-who").click()
    page.keyboard.type("xtgly")
    page.locator(".ant-select-item-option", has_text="系统管理员").first.click()
    expect(table.locator("tr.ant-table-row", has_text=name)).to_have_count(2)
    shot(page, f"desktop-{lang}-audit-filtered")

    # Export what is shown, in the reader's language.
    with page.expect_download() as dl:
        page.get_by_test_id("audit-export").click()
    path = tmp_path / "audit.xlsx"
    dl.value.save_as(path)
    assert re.match(r"bellwork-audit-\d{8}-\d{4}\.xlsx", dl.value.suggested_filename)
    ws = load_workbook(io.BytesIO(path.read_bytes())).active
    assert ws is not None
    rows = [r for r in ws.iter_rows(values_only=True)]
    assert str(rows[0][0]).startswith(w["heading"])
    mine = [r for r in rows[1:] if r[3] == name]
    assert [r[2] for r in mine] == [w["update"], w["create"]]
    assert all(r[1] == "系统管理员" for r in rows[1:])

    # The target's link opens the person's card in the directory; the unit's its page.
    row = table.locator("tr.ant-table-row", has_text=w["update"]).filter(has_text=name)
    row.get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(rf"/directory\?person={person_id}"))
    expect(page.get_by_test_id("person-card")).to_contain_text(name)
    page.go_back()
    created = page.get_by_test_id("audit-table").locator("tr.ant-table-row", has_text=name)
    expect(created.first).to_be_visible()


def test_desktop_bad_range_reads_as_empty_and_reset(new_page: NewPage, server: Server) -> None:
    arrange(server, "审计丙")
    page = new_page(lang="zh-CN")
    login(page, "admin")
    page.goto("/audit")
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text("审计丙")
    # A day long ago: nothing.
    start, end = page.get_by_test_id("audit-when").all()
    start.click()
    page.keyboard.type("2020-01-01")
    page.keyboard.press("Enter")
    end.click()
    page.keyboard.type("2020-01-02")
    page.keyboard.press("Enter")
    expect(table).to_contain_text("没有符合条件的记录")
    page.get_by_test_id("audit-reset").click()
    expect(table).to_contain_text("审计丙")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_phone_cards_and_filters_in_a_drawer(new_page: NewPage, server: Server, lang: str) -> None:
    w = WORDS[lang]
    name = f"审计{'丁' if lang == 'zh-CN' else '戊'}"
    arrange(server, name)
    page = new_page(width=390, height=844, is_mobile=True, has_touch=True, lang=lang)
    login(page, "admin")
    page.goto("/audit")
    expect(page.get_by_test_id("audit-card").first).to_be_visible()
    shot(page, f"phone-{lang}-audit")
    page.get_by_test_id("audit-filter-open").click()
    drawer = page.get_by_test_id("audit-filter-drawer")
    expect(drawer).to_be_visible()
    pick_action(page, w["update"])
    shot(page, f"phone-{lang}-audit-filters")
    page.get_by_test_id("audit-apply").click()
    expect(drawer).to_be_hidden()
    # The filtered list has replaced the whole one: no other action is left.
    others = page.get_by_test_id("audit-action").filter(has_not_text=w["update"])
    expect(others).to_have_count(0)
    card = page.get_by_test_id("audit-card").filter(has_text=name).first
    expect(card.get_by_test_id("audit-action")).to_have_text(w["update"])
    expect(card.get_by_test_id("audit-changes")).to_have_text(f"{w['title']}: — → 组长")
    for action in page.get_by_test_id("audit-action").all_inner_texts():
        assert action == w["update"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    shot(page, f"phone-{lang}-audit-filtered")
