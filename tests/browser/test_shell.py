"""The app shell as a person on a phone and at a desk meets it: landing on the messages, the tab
bar with the unread count, the workbench with what waits for them, "Me", the back arrow on the
pages below the tabs, the connection line, and a conversation opened while offline."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}


def test_phone_lands_on_messages_with_tabs_and_unread_badge(
    new_page: NewPage, server: Server
) -> None:
    name = f"外壳测试群 {time.time_ns()}"
    member = int(server.api("/api/v1/auth/me", login="teacher")["id"])
    conv = server.api(
        "/api/v1/conversations/groups",
        login="admin",
        method="POST",
        body={"name": name, "member_ids": [member]},
    )
    server.read_everything("teacher")  # what other tests sent is not this test's badge
    page = new_page(**PHONE)
    login(page, "teacher", then=None)
    expect(page).to_have_url(re.compile(r"/chat$"))
    tabs = page.get_by_test_id("tabbar")
    expect(tabs).to_be_visible()
    expect(tabs.locator(".bw-tab-label")).to_have_text(["消息", "工作台", "通讯录", "我的"])
    bar = tabs.bounding_box()
    assert bar is not None and abs(bar["y"] + bar["height"] - 844) <= 1
    expect(page.get_by_test_id(f"chat-item-{conv['id']}")).to_be_visible()

    # A message arrives while the person looks at the workbench: the count is on 消息.
    page.get_by_test_id("tab-workbench").click()
    expect(page.get_by_test_id("workbench")).to_be_visible()
    server.api(
        f"/api/v1/conversations/{conv['id']}/messages",
        login="admin",
        method="POST",
        body={"kind": "text", "body": "请查看", "client_msg_id": f"shell-{time.time_ns()}"},
    )
    badge = page.get_by_test_id("tab-chat-badge").locator(".ant-badge-count")
    expect(badge).to_be_visible()
    shot(page, "phone-workbench-teacher")

    # The tiles a teacher may use; a tool opens below the tabs with a back arrow.
    expect(page.get_by_test_id("tile-org.units")).to_be_visible()
    expect(page.get_by_test_id("tile-jobs.queue")).to_have_count(0)
    page.get_by_test_id("tile-org.units").click()
    expect(page.get_by_test_id("units-page")).to_be_visible()
    expect(page.get_by_test_id("tabbar")).to_have_count(0)
    expect(page.get_by_text("点击组织名称，查看其成员与下级组织")).to_be_visible()
    page.get_by_test_id("nav-back").click()
    expect(page.get_by_test_id("workbench")).to_be_visible()

    # An open conversation has the whole screen; back returns to the list and the tabs.
    page.get_by_test_id("tab-chat").click()
    page.get_by_test_id(f"chat-item-{conv['id']}").click()
    expect(page.get_by_test_id("chat-view")).to_contain_text("请查看")
    expect(page.get_by_test_id("tabbar")).to_have_count(0)
    shot(page, "phone-conversation-fullscreen")
    page.get_by_test_id("chat-back").click()
    expect(page.get_by_test_id("tabbar")).to_be_visible()
    expect(badge).to_have_count(0)  # read now


def test_admin_workbench_counts_dead_jobs_and_holds_the_admin_tools(
    new_page: NewPage, server: Server
) -> None:
    dead = server.api("/api/v1/jobs/counts")["dead"]
    page = new_page()
    login(page, "admin", then=None)
    expect(page).to_have_url(re.compile(r"/chat$"))
    menu = page.locator(".bw-header .ant-menu")
    expect(menu.get_by_role("menuitem")).to_have_text(["消息", "工作台", "公告", "通讯录"])
    page.get_by_test_id("nav-workbench").click()
    expect(page.get_by_test_id("workbench-admin")).to_be_visible()
    for key in ("org.import", "audit.log", "jobs.queue"):
        expect(page.get_by_test_id("workbench-admin").get_by_test_id(f"tile-{key}")).to_be_visible()
    jobs = page.get_by_test_id("tile-jobs.queue")
    expect(jobs).to_have_attribute("data-count", str(dead))
    shot(page, "desktop-workbench-admin")
    jobs.click()
    expect(page).to_have_url(re.compile(r"/jobs$"))


def test_me_page_switches_language_and_signs_out(new_page: NewPage, server: Server) -> None:
    page = new_page(**PHONE)
    login(page, "teacher")
    page.get_by_test_id("tab-me").click()
    expect(page.get_by_test_id("me-page")).to_be_visible()
    expect(page.get_by_test_id("me-units")).not_to_be_empty()
    page.get_by_test_id("me-language").get_by_text("English").click()
    expect(page.get_by_test_id("tabbar").locator(".bw-tab-label")).to_have_text(
        ["Messages", "Workbench", "Directory", "Me"]
    )
    shot(page, "phone-me-en")
    page.get_by_test_id("me-password").click()
    expect(page.get_by_test_id("nav-back")).to_be_visible()
    page.get_by_test_id("nav-back").click()
    page.get_by_test_id("me-logout").click()
    page.wait_for_url(re.compile(r"/login"))
    # The language switch is on the phone's login page, in view.
    switch = page.get_by_test_id("lang-switch")
    expect(switch).to_be_in_viewport()
    expect(page.get_by_test_id("login-submit")).to_have_text("Log in")


def test_conversation_opened_offline_says_so_and_loads_when_back(
    new_page: NewPage, server: Server
) -> None:
    name = f"离线测试群 {time.time_ns()}"
    member = int(server.api("/api/v1/auth/me", login="teacher")["id"])
    conv = server.api(
        "/api/v1/conversations/groups",
        login="admin",
        method="POST",
        body={"name": name, "member_ids": [member]},
    )
    server.api(
        f"/api/v1/conversations/{conv['id']}/messages",
        login="admin",
        method="POST",
        body={"kind": "text", "body": "离线前的消息", "client_msg_id": f"off-{time.time_ns()}"},
    )
    page = new_page(**PHONE)
    login(page, "teacher", then="/chat")
    expect(page.get_by_test_id(f"chat-item-{conv['id']}")).to_be_visible()
    page.context.set_offline(True)
    expect(page.get_by_test_id("chat-offline")).to_have_attribute("data-state", "offline")
    page.get_by_test_id(f"chat-item-{conv['id']}").click()
    expect(page.get_by_test_id("chat-unreachable")).to_contain_text("离线中，无法加载此会话")
    shot(page, "phone-conversation-offline")
    page.context.set_offline(False)
    expect(page.get_by_test_id("chat-view")).to_contain_text("离线前的消息", timeout=30_000)


def test_qr_login_from_a_signed_in_phone(new_page: NewPage, server: Server) -> None:
    phone = new_page(**PHONE)
    login(phone, "teacher")
    desk = new_page()
    desk.goto("/login")
    desk.get_by_role("tab", name="扫码登录").click()
    qr = desk.get_by_test_id("qr-login")
    expect(qr.locator("canvas")).to_be_visible()
    expect(qr).to_have_attribute("data-url", re.compile(r"/qr/[A-Za-z0-9_-]{20,}$"))
    url = qr.get_attribute("data-url")
    assert url is not None
    shot(desk, "desktop-login-qr")

    # What the phone's camera would open.
    phone.goto(url.replace(server.url, ""))
    expect(phone.get_by_test_id("qr-device")).to_have_text("Chrome · Linux")
    expect(desk.get_by_test_id("qr-status")).to_have_text("已扫描，请在手机上确认登录")
    shot(phone, "phone-qr-approve")
    phone.get_by_test_id("qr-approve").click()
    expect(phone.get_by_test_id("qr-approved")).to_be_visible()

    expect(desk.get_by_test_id("chat-page")).to_be_visible(timeout=20_000)
    expect(desk.get_by_test_id("user-menu")).to_contain_text("武佑强")
    # The code is spent: opening it again says so.
    phone.goto(url.replace(server.url, ""))
    expect(phone.get_by_test_id("qr-ended")).to_be_visible()
