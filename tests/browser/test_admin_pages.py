"""Admin screens: units, people, password reset, API tokens, audit log."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Server, expand, login, node, shot
from .test_web_client import _unit_id

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]


def test_unit_admin_create_rename_move_refused_archive_restore(
    new_page: NewPage, server: Server
) -> None:
    school = _unit_id(server, "滨江区教育局", "滨江第一中学")
    page = new_page()
    login(page, "admin")
    page.goto(f"/units?unit={school}")
    units = page.get_by_test_id("units-page")
    expect(units).to_contain_text("滨江第一中学")

    page.get_by_test_id("unit-add-child").click()
    page.get_by_test_id("unit-name-input").fill("初二")
    page.get_by_role("dialog").get_by_role("button", name=re.compile("保\\s*存")).click()
    expect(units.locator("table").get_by_text("初二", exact=True)).to_be_visible()
    units.locator("table").get_by_text("初二", exact=True).click()
    expect(page.get_by_test_id("unit-breadcrumb")).to_contain_text("初二")

    page.get_by_test_id("unit-edit").click()
    page.get_by_test_id("unit-name-input").fill("初二年级")
    page.get_by_role("dialog").get_by_role("button", name=re.compile("保\\s*存")).click()
    expect(page.get_by_test_id("unit-breadcrumb")).to_contain_text("初二年级")
    # The sider tree follows (lazy children re-read after the change).
    expect(page.get_by_test_id("unit-tree")).to_contain_text("初二年级")

    # Moving the school into its own grade: the server refuses and says why.
    page.goto(f"/units?unit={school}")
    page.get_by_test_id("unit-move").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_test_id("unit-move-target").click()
    tree = page.locator(".ant-select-tree")
    expand(tree, "滨江区教育局")
    expand(tree, "滨江第一中学")
    node(tree, "初一", "title").click()
    dialog.get_by_role("button", name=re.compile("移\\s*动")).click()
    expect(dialog.get_by_test_id("unit-move-error")).to_contain_text(
        "不能把组织移动到它自己或它的下级组织中"
    )
    shot(page, "desktop-unit-move-refused")
    dialog.get_by_role("button", name=re.compile("取\\s*消")).click()

    # Archive the new grade, then restore it from the archived list.
    page.locator("table").get_by_text("初二年级", exact=True).click()
    page.get_by_test_id("unit-archive").first.click()
    page.locator(".ant-popconfirm").get_by_role("button", name=re.compile("确\\s*认")).click()
    expect(page.get_by_test_id("units-page").locator(".ant-card-head").first).to_contain_text(
        "已归档"
    )
    page.get_by_role("button", name=re.compile("恢\\s*复")).first.click()
    page.locator(".ant-popconfirm").get_by_role("button", name=re.compile("确\\s*认")).click()
    expect(page.get_by_test_id("units-page").locator(".ant-card-head").first).not_to_contain_text(
        "已归档"
    )


def test_create_person_reset_password_forced_change(new_page: NewPage, server: Server) -> None:
    office = _unit_id(server, "滨江区教育局", "基础教育科")
    page = new_page()
    login(page, "admin")
    page.goto(f"/directory?unit={office}")
    page.get_by_test_id("new-person").click()
    dialog = page.get_by_test_id("create-person")
    dialog.locator("#name").fill("司马测试")
    dialog.locator("#phone").fill("10000099555")
    dialog.locator("#username").fill("simatest")
    dialog.get_by_role("button", name=re.compile("新\\s*建")).click()
    card = page.get_by_test_id("person-card")
    expect(card.get_by_test_id("person-card-name")).to_have_text("司马测试")
    expect(card.get_by_test_id("person-memberships")).to_contain_text("基础教育科")

    card.get_by_test_id("person-reset-password").click()
    page.locator(".ant-popconfirm").get_by_role("button", name=re.compile("确\\s*认")).click()
    temp = page.get_by_test_id("temp-password").locator("code")
    expect(temp).to_be_visible()
    password = temp.inner_text().strip()
    assert len(password) >= 8
    shot(page, "desktop-temp-password")

    other = new_page()
    other.goto("/login")
    other.locator("#login").fill("simatest")
    other.locator("#password").fill(password)
    other.get_by_test_id("login-submit").click()
    forced = other.get_by_test_id("password-page")
    expect(forced).to_contain_text("请先设置新密码")
    shot(other, "desktop-forced-password")
    forced.locator("#current_password").fill(password)
    forced.locator("#new_password").fill("a-new-long-password-2026")
    forced.locator("#repeat").fill("a-new-long-password-2026")
    forced.get_by_role("button", name=re.compile("修改密码")).click()
    expect(other.get_by_test_id("chat-page")).to_be_visible()  # where everyone lands

    # Log out everywhere from the user menu.
    other.get_by_test_id("user-menu").click()
    other.get_by_role("menuitem", name="在所有设备上退出").click()
    other.get_by_role("dialog").get_by_role("button", name=re.compile("确\\s*认")).click()
    other.wait_for_url(re.compile("/login"))
    expect(other.get_by_test_id("login-submit")).to_be_visible()


def test_tokens_and_audit(new_page: NewPage) -> None:
    page = new_page()
    login(page, "admin")
    page.goto("/tokens")
    page.get_by_test_id("token-create").click()
    page.get_by_role("dialog").locator("#name").fill("同步脚本")
    page.get_by_role("dialog").get_by_role("button", name=re.compile("新\\s*建")).click()
    secret = page.get_by_test_id("token-secret").locator("code")
    expect(secret).to_be_visible()
    assert len(secret.inner_text().strip()) > 20
    page.get_by_role("button", name="关 闭").click()
    row = page.locator("tr", has_text="同步脚本")
    expect(row).to_be_visible()
    row.get_by_role("button", name=re.compile("吊\\s*销")).click()
    page.locator(".ant-popconfirm").get_by_role("button", name=re.compile("确\\s*认")).click()
    expect(page.locator("tr", has_text="同步脚本")).to_have_count(0)

    page.goto("/audit")
    table = page.get_by_test_id("audit-table")
    expect(table.locator("tbody tr.ant-table-row").first).to_be_visible()
    expect(table).to_contain_text("系统管理员")
    shot(page, "desktop-audit")


def test_audit_hidden_from_teacher(new_page: NewPage) -> None:
    page = new_page()
    login(page, "teacher")
    expect(page.get_by_role("menuitem", name=re.compile("通讯录"))).to_be_visible()
    expect(page.get_by_role("menuitem", name=re.compile("审计日志"))).to_have_count(0)
    page.goto("/audit")
    expect(page.get_by_text("你没有权限访问此页面")).to_be_visible()


def test_membership_and_guardian_editing_on_the_card(new_page: NewPage, server: Server) -> None:
    page = new_page()
    login(page, "admin")
    # A fresh student, so the demo's other tests are not disturbed.
    klass = _unit_id(server, "滨江区教育局", "滨江第一中学", "初一", "2班")
    student = server.api(
        "/api/v1/people",
        method="POST",
        body={
            "name": "上官学生",
            "student_number": "202699777",
            "memberships": [{"unit_id": klass, "role": "student"}],
        },
    )
    page.goto(f"/directory?person={student['id']}")
    card = page.get_by_test_id("person-card")
    expect(card.get_by_test_id("person-memberships")).to_contain_text("滨江第一中学 / 初一 / 2班")

    # Add a membership: choose the unit in the lazy tree select.
    card.get_by_test_id("add-membership").click()
    dialog = page.get_by_role("dialog", name="添加所属组织")
    dialog.locator(".ant-select").first.click()
    tree = page.locator(".ant-select-tree")
    expand(tree, "滨江区教育局")
    node(tree, "基础教育科", "title").click()
    dialog.get_by_role("button", name=re.compile("保\\s*存")).click()
    expect(dialog).to_have_count(0)
    expect(card.get_by_test_id("person-memberships")).to_contain_text("滨江区教育局 / 基础教育科")

    # Link a guardian found by pinyin initials (王建华 → wjh), then unlink.
    card.get_by_test_id("link-guardian").click()
    dialog = page.get_by_role("dialog", name="关联家长")
    dialog.locator(".ant-select").first.click()
    page.keyboard.type("wjh")
    page.locator(".ant-select-item-option", has_text="王建华").click()
    dialog.locator("#relation").fill("舅舅")
    dialog.get_by_role("button", name=re.compile("保\\s*存")).click()
    guardians = card.get_by_test_id("person-guardians")
    expect(guardians).to_contain_text("王建华")
    expect(guardians).to_contain_text("舅舅")
    shot(page, "desktop-card-editing")
    guardians.get_by_role("button", name="移除").click()
    page.locator(".ant-popconfirm").get_by_role("button", name=re.compile("确\\s*认")).click()
    expect(card).not_to_contain_text("王建华")

    # Remove the added membership again.
    card.get_by_test_id("person-memberships").get_by_role("button", name="移除").last.click()
    confirm = page.locator(".ant-popconfirm:visible").get_by_role(
        "button", name=re.compile("确\\s*认")
    )
    confirm.click()
    expect(page.locator(".ant-popconfirm:visible")).to_have_count(0)
    expect(card.get_by_test_id("person-memberships")).not_to_contain_text("基础教育科")
