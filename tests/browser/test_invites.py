"""扫码入群 in the browser (issue 10, item 12): a teacher shows the group's QR code; a guardian
on a phone opens its link, asks to join and is approved live; with joining at once, another
person is in with one tap; a replaced code says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}


def _show_code(page: Any) -> str:
    page.get_by_test_id("chat-invite-open").click()
    modal = page.get_by_test_id("invite-modal")
    expect(modal.get_by_test_id("invite-qr")).to_be_visible()
    link = str(modal.get_by_test_id("invite-link").input_value())
    assert re.search(r"/join/[A-Za-z0-9_-]{16,}$", link), link
    return link


def test_join_a_group_by_its_qr_code(new_page: NewPage, server: Server) -> None:
    group = server.api(
        "/api/v1/conversations/groups",
        login="teacher",
        method="POST",
        body={"name": "书法兴趣小组", "member_ids": []},
    )
    conv = int(group["id"])
    desk = new_page()
    login(desk, "teacher", then=None)
    desk.goto(f"/chat/{conv}")
    desk.get_by_test_id("chat-settings-open").click()
    settings = desk.get_by_test_id("chat-settings")
    mode = settings.get_by_test_id("join-mode")
    expect(mode).to_contain_text("扫码入群需群主或管理员确认")  # the default
    link = _show_code(desk)
    expect(desk.get_by_test_id("invite-modal")).to_contain_text("需群主或管理员同意")
    shot(desk, "desktop-group-qr")
    desk.keyboard.press("Escape")
    expect(desk.get_by_test_id("invite-qr")).to_have_count(0)

    # A guardian scans it on a phone (in English): the group, who shared it, ask to join.
    phone = new_page(**PHONE, lang="en")
    login(phone, server.guardian_phone or "10000000009", then=None)
    phone.goto(link)
    page = phone.get_by_test_id("join-page")
    expect(page.get_by_test_id("join-name")).to_have_text("书法兴趣小组")
    expect(page).to_contain_text("invites you to the group")
    shot(phone, "phone-en-join-page")
    page.get_by_test_id("join-submit").click()
    expect(page.get_by_test_id("join-waiting")).to_contain_text("Request sent")

    # The teacher sees the request arrive and approves it; the group reaches the guardian.
    request = settings.get_by_test_id("join-request")
    expect(request).to_have_count(1)
    shot(desk, "desktop-join-request")
    request.get_by_test_id("join-approve").click()
    expect(settings.get_by_test_id("join-requests")).to_have_count(0)
    expect(desk.get_by_test_id("chat-messages")).to_contain_text("扫描你分享的二维码加入了群聊")
    phone.goto("/chat")
    expect(phone.get_by_test_id(f"chat-item-{conv}")).to_be_visible()

    # Join at once: another person is in with one tap, and opens the chat.
    mode.click()
    desk.locator(".ant-select-item-option", has_text="扫码直接入群").click()
    expect(mode).to_contain_text("扫码直接入群")
    other = new_page()
    login(other, "principal", then=None)
    other.goto(link)
    other.get_by_test_id("join-submit").click()
    expect(other.get_by_test_id("join-done")).to_have_text("你已加入群聊")
    other.get_by_test_id("join-open").click()
    expect(other.get_by_test_id("chat-title")).to_contain_text("书法兴趣小组")

    # A new code: the old link says it no longer works, with what to do.
    _show_code(desk)
    desk.get_by_test_id("invite-reset").click()
    expect(desk.get_by_test_id("invite-link")).not_to_have_value(link)
    phone.goto(link)
    expect(phone.get_by_test_id("join-invalid")).to_contain_text("expired or been replaced")
    shot(phone, "phone-en-join-invalid")
