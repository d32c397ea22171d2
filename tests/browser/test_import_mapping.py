"""The import page's column step: a school's own headings, a column mapped by hand before the
dry run, the mapping offered again to another person of the unit, two columns for one field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Server, login, shot
from .test_web_client import _unit_id

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]

EXPORT = "所在班级,姓名,学籍号,紧急联络人,紧急联络号,备注\n"


def choose(page: Any, column: int, option: str) -> None:
    """Picks `option` in the field list of the file's column number `column` (from 0)."""
    page.get_by_test_id(f"import-map-{column}").locator(".ant-select").click()
    dropdown = page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden)")
    dropdown.locator(f'.ant-select-item-option[title="{option}"]').click()
    expect(dropdown).to_be_hidden()


def test_import_maps_an_unknown_column_by_hand_and_offers_it_again(
    new_page: NewPage, server: Server, tmp_path: Any
) -> None:
    school = _unit_id(server, "滨江区教育局", "滨江实验小学")
    csv = tmp_path / "export.csv"
    csv.write_text(EXPORT + "一年级/1班,映射新生,202699301,映射妈妈,10000099301,午睡\n", "utf-8")
    page = new_page()
    login(page, "admin")
    page.goto(f"/import?unit={school}")
    page.get_by_test_id("import-page").locator("input[type=file]").set_input_files(str(csv))
    mapping = page.get_by_test_id("import-mapping")
    rows = mapping.get_by_test_id("import-map-row")
    expect(rows).to_have_count(6)
    for i, (heading, tag, field) in enumerate(
        [
            ("所在班级", "已识别", "班级"),
            ("姓名", "已识别", "学生姓名"),
            ("学籍号", "已识别", "学号"),
            ("紧急联络人", "未识别", "不导入"),
            ("紧急联络号", "未识别", "不导入"),
            ("备注", "未识别", "不导入"),
        ]
    ):
        expect(rows.nth(i)).to_contain_text(heading)
        expect(rows.nth(i)).to_contain_text(tag)
        expect(rows.nth(i).locator(".ant-select")).to_contain_text(field)
    # The required fields are recognised: a dry run could go now, but would drop the guardian.
    expect(page.get_by_test_id("import-dry-run")).to_be_enabled()
    choose(page, 3, "家长姓名")
    expect(rows.nth(3)).to_contain_text("已选择")
    # A guardian's name needs their phone: the step says so and the dry run waits.
    expect(mapping.get_by_test_id("import-mapping-missing")).to_contain_text("家长手机")
    expect(page.get_by_test_id("import-dry-run")).to_be_disabled()
    choose(page, 4, "家长手机")
    expect(mapping.get_by_test_id("import-mapping-missing")).to_have_count(0)
    shot(page, "desktop-import-mapping")
    page.get_by_test_id("import-dry-run").click()
    preview = page.get_by_test_id("import-preview")
    changes = preview.get_by_test_id("import-changes")
    expect(changes).to_contain_text("映射新生")
    expect(changes).to_contain_text("映射妈妈")
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-done")).to_contain_text("导入完成")

    # The head of the school, on a phone and in English, is offered the same columns for a
    # file with the same headings.
    phone = new_page(width=375, height=812, is_mobile=True, has_touch=True, lang="en")
    login(phone, "principal")
    phone.goto(f"/import?unit={school}")
    csv.write_text(EXPORT + "一年级/1班,映射二号,202699302,映射爸爸,10000099302,\n", "utf-8")
    phone.get_by_test_id("import-page").locator("input[type=file]").set_input_files(str(csv))
    mapping = phone.get_by_test_id("import-mapping")
    expect(mapping.get_by_test_id("import-mapping-remembered")).to_contain_text(
        "The columns confirmed last time for this unit have been applied."
    )
    rows = mapping.get_by_test_id("import-map-row")
    expect(rows.nth(3)).to_contain_text("As last time")
    expect(rows.nth(3).locator(".ant-select")).to_contain_text("Guardian name")
    expect(rows.nth(4).locator(".ant-select")).to_contain_text("Guardian phone")
    expect(rows.nth(5).locator(".ant-select")).to_contain_text("Do not import")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    rows.nth(2).scroll_into_view_if_needed()
    shot(phone, "phone-en-import-mapping")
    phone.get_by_test_id("import-dry-run").click()
    expect(phone.get_by_test_id("import-preview").get_by_test_id("import-changes")).to_contain_text(
        "映射爸爸"
    )


def test_two_columns_for_one_field_are_settled_before_the_dry_run(
    new_page: NewPage, server: Server, tmp_path: Any
) -> None:
    school = _unit_id(server, "滨江区教育局", "滨江实验小学")
    csv = tmp_path / "both.csv"
    csv.write_text(
        "班级,学生姓名,学号,家长姓名,家长手机号,联系电话\n"
        "一年级/2班,两列新生,202699311,两列妈妈,10000099311,10000099312\n",
        "utf-8",
    )
    page = new_page(lang="en")
    login(page, "admin")
    page.goto(f"/import?unit={school}")
    page.get_by_test_id("import-page").locator("input[type=file]").set_input_files(str(csv))
    conflict = page.get_by_test_id("import-mapping-conflict")
    expect(conflict).to_contain_text(
        "“家长手机号” and “联系电话” are both mapped to Guardian phone; keep one of them."
    )
    expect(page.get_by_test_id("import-dry-run")).to_be_disabled()
    choose(page, 5, "Do not import")
    expect(conflict).to_have_count(0)
    page.get_by_test_id("import-dry-run").click()
    changes = page.get_by_test_id("import-preview").get_by_test_id("import-changes")
    expect(changes).to_contain_text("10000099311")
    expect(changes).not_to_contain_text("10000099312")
