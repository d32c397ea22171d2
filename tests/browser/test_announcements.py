"""群公告 in the browser (issue 10, item 8): a teacher posts a group announcement asking for
confirmation; a guardian on a phone, in English, sees it pinned, opens it and confirms; the
teacher's count moves live and the confirmed list names the guardian as their child's parent."""

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


def _people(server: Server) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The teacher, the demo guardian and another guardian of the teacher's class."""
    teacher: dict[str, Any] = server.api("/api/v1/auth/me", login="teacher")
    klass = teacher["memberships"][0]["unit"]["id"]
    people = server.api(f"/api/v1/people?unit_id={klass}&limit=200", login="teacher")["items"]
    guardians = [p for p in people if any(m["role"] == "guardian" for m in p["memberships"])]
    mine = server.api("/api/v1/auth/me", login=server.guardian_phone or "10000000009")
    other = next(g for g in guardians if g["id"] != mine["id"])
    return teacher, [mine, other]


def _open(page: Any, conv: int) -> None:
    page.goto(f"/chat/{conv}")
    expect(page.get_by_test_id("chat-view")).to_be_visible()


def test_post_confirm_and_follow_an_announcement(new_page: NewPage, server: Server) -> None:
    teacher, (guardian, other) = _people(server)
    guardian_login = server.guardian_phone or "10000000009"
    group = server.api(
        "/api/v1/conversations/groups",
        login="teacher",
        method="POST",
        body={"name": "春游家长群", "member_ids": [guardian["id"], other["id"]]},
    )
    conv = int(group["id"])

    desk = new_page()
    login(desk, "teacher", then=None)
    _open(desk, conv)
    expect(desk.get_by_test_id("announcement-bar")).to_have_count(0)

    # Posted from the group's settings; a blank one is refused with a word, nothing sent.
    desk.get_by_test_id("chat-settings-open").click()
    settings = desk.get_by_test_id("chat-settings")
    expect(settings.get_by_test_id("chat-settings-announcement")).to_contain_text("未设置")
    settings.get_by_test_id("chat-announcement-new").click()
    editor = desk.get_by_role("dialog").filter(has=desk.get_by_test_id("announcement-input"))
    editor.get_by_test_id("announcement-input").fill("   ")
    editor.get_by_test_id("announcement-publish").click()
    expect(editor.get_by_test_id("announcement-editor-error")).to_have_text("请填写公告内容")
    text = "周五春游，早上 8:00 在校门口集合。\n请带好水和午餐，详见 https://example.org/trip"
    editor.get_by_test_id("announcement-input").fill(text)
    expect(editor.get_by_test_id("announcement-ask-confirm")).to_be_checked()
    editor.get_by_test_id("announcement-publish").click()
    expect(editor).to_have_count(0)

    bar = desk.get_by_test_id("announcement-bar")
    expect(bar).to_contain_text("周五春游，早上 8:00 在校门口集合。")
    expect(bar.get_by_test_id("announcement-count")).to_have_text("0/2 已确认")
    card = desk.get_by_test_id("chat-announcement")
    expect(card).to_contain_text("群公告")
    expect(card.get_by_test_id("chat-link")).to_have_attribute("href", "https://example.org/trip")
    shot(desk, "desktop-announcement-posted")

    # The guardian, on a phone in English: pinned, marked to confirm; confirm in the drawer.
    phone = new_page(**PHONE, lang="en")
    login(phone, guardian_login, then=None)
    phone.goto("/chat")
    expect(phone.get_by_test_id(f"chat-item-{conv}")).to_contain_text("[Announcement]")
    phone.get_by_test_id(f"chat-item-{conv}").click()
    pinned = phone.get_by_test_id("announcement-bar")
    expect(pinned.get_by_test_id("announcement-to-confirm")).to_have_text("To confirm")
    expect(pinned.get_by_test_id("announcement-count")).to_have_count(0)  # counts are the author's
    shot(phone, "phone-en-announcement-bar")
    pinned.click()
    drawer = phone.get_by_test_id("announcement-drawer")
    expect(drawer.get_by_test_id("announcement-body")).to_contain_text("请带好水和午餐")
    expect(drawer.get_by_test_id("announcement-edit")).to_have_count(0)
    shot(phone, "phone-en-announcement-drawer")
    drawer.get_by_test_id("announcement-confirm").click()
    expect(drawer.get_by_test_id("announcement-confirmed")).to_contain_text("You confirmed at")
    expect(drawer.get_by_test_id("announcement-confirm")).to_have_count(0)
    phone.keyboard.press("Escape")
    expect(pinned.get_by_test_id("announcement-to-confirm")).to_have_count(0)

    # The teacher's count moves by itself; the lists say who, guardians as parents.
    expect(bar.get_by_test_id("announcement-count")).to_have_text("1/2 已确认")
    bar.click()
    panel = desk.get_by_test_id("announcement-drawer")
    expect(panel.get_by_role("tab", name="未确认 1")).to_be_visible()
    pending = panel.get_by_test_id("announcement-pending-list")
    expect(pending.get_by_test_id("announcement-person")).to_have_count(1)
    expect(pending).to_contain_text(re.compile(r"(妈妈|爸爸|家长)"))
    panel.get_by_role("tab", name="已确认 1").click()
    done = panel.get_by_test_id("announcement-confirmed-list")
    expect(done.get_by_test_id("announcement-person")).to_have_count(1)
    shot(desk, "desktop-announcement-confirmations")

    # Taken down: the bar goes on both screens; the chat keeps the message.
    panel.get_by_test_id("announcement-remove").click()
    desk.locator(".ant-popconfirm").get_by_role("button", name=re.compile("删\\s*除")).click()
    expect(bar).to_have_count(0)
    expect(phone.get_by_test_id("announcement-bar")).to_have_count(0)
    expect(phone.get_by_test_id("chat-announcement")).to_have_count(1)
    assert teacher["name"]
