"""Forwarding (issue 10 item 9): a teacher forwards one message from the class group to a
parent, then several merged into a chat-history card; the parent opens the card and sees the
messages (an image among them) — on a desktop in Chinese and on a phone in English."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Server, login, shot
from .test_chat import _guardian, _guardian_id, _png

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}


def _say(server: Server, conv: int, body: str, who: str) -> None:
    server.api(
        f"/api/v1/conversations/{conv}/messages",
        login=who,
        method="POST",
        body={"body": body, "client_msg_id": f"fwd-{time.time_ns()}"},
    )


def _row(page: Any, text: str) -> Any:
    return page.locator("[data-testid=chat-message]", has_text=text).last


def test_forward_one_then_merged_and_open_the_card(
    new_page: NewPage, server: Server, tmp_path: Path
) -> None:
    klass = int(server.api("/api/v1/units/5/group", login="teacher")["id"])
    parent = server.api("/api/v1/auth/me", login=_guardian(server))
    direct = int(
        server.api(
            "/api/v1/conversations/direct",
            login="teacher",
            method="POST",
            body={"person_id": _guardian_id(server)},
        )["id"]
    )
    _say(server, klass, "本周五下午三点开家长会", "teacher")
    _say(server, klass, "收到，准时参加", _guardian(server))

    teacher = new_page()
    login(teacher, "teacher", then=f"/chat/{klass}")
    expect(teacher.get_by_test_id("chat-messages")).to_contain_text("收到，准时参加")
    teacher.get_by_test_id("chat-image-input").set_input_files(str(_png(tmp_path / "座位表.png")))
    expect(
        teacher.locator("[data-testid=chat-message] [data-testid=chat-image]").last
    ).to_be_visible()

    # One message: 转发 from its menu, to the parent's chat, with a note.
    _row(teacher, "本周五下午三点开家长会").get_by_test_id("chat-message-actions").click()
    teacher.get_by_role("menuitem", name="转发").click()
    picker = teacher.get_by_test_id("forward-picker")
    expect(picker.get_by_test_id("forward-summary")).to_contain_text("本周五下午三点开家长会")
    picker.get_by_test_id("forward-search").locator("input").fill(parent["name"][:2])
    picker.locator(f"[data-testid=forward-target][data-id='{direct}']").click()
    expect(picker.get_by_test_id("forward-chosen")).to_contain_text(parent["name"])
    picker.get_by_test_id("forward-note").fill("请各位家长留意")
    shot(teacher, "desktop-zh-forward-picker")
    teacher.get_by_test_id("forward-send").click()
    expect(teacher.get_by_test_id("forward-modal")).to_have_count(0)

    # Several: 多选, then 合并转发 as one chat-history card.
    _row(teacher, "收到，准时参加").get_by_test_id("chat-message-actions").click()
    teacher.get_by_role("menuitem", name="多选").click()
    bar = teacher.get_by_test_id("chat-selectbar")
    expect(bar).to_contain_text("已选择 1 条")
    _row(teacher, "本周五下午三点开家长会").click()
    teacher.locator(
        "[data-testid=chat-message]", has=teacher.get_by_test_id("chat-image")
    ).last.click()
    expect(bar).to_contain_text("已选择 3 条")
    shot(teacher, "desktop-zh-forward-select")
    bar.get_by_test_id("chat-forward-merged").click()
    picker = teacher.get_by_test_id("forward-picker")
    expect(picker.get_by_test_id("forward-summary")).to_contain_text("的聊天记录")
    picker.locator(f"[data-testid=forward-target][data-id='{direct}']").click()
    teacher.get_by_test_id("forward-send").click()
    expect(teacher.get_by_test_id("chat-selectbar")).to_have_count(0)

    # The teacher's own view of the card, in the chat with the parent (desktop).
    teacher.goto(f"/chat/{direct}")
    card = teacher.get_by_test_id("chat-history-card").last
    expect(card).to_contain_text("的聊天记录")
    expect(card).to_contain_text("共 3 条消息")
    card.click()
    drawer = teacher.get_by_test_id("chat-history-drawer")
    expect(drawer.get_by_test_id("chat-history-item")).to_have_count(3)
    expect(drawer.get_by_test_id("chat-image")).to_be_visible()
    shot(teacher, "desktop-zh-forward-card-open")

    # The parent, on a phone in English: the forwarded message, the note, the card.
    phone = new_page(**PHONE, lang="en")
    login(phone, _guardian(server), then=f"/chat/{direct}")
    messages = phone.get_by_test_id("chat-messages")
    expect(messages).to_contain_text("本周五下午三点开家长会")
    expect(messages).to_contain_text("请各位家长留意")
    card = phone.get_by_test_id("chat-history-card").last
    expect(card.get_by_test_id("chat-history-title")).to_contain_text("Chat history of group")
    expect(card).to_contain_text("3 messages")
    shot(phone, "phone-en-forward-card")
    card.click()
    drawer = phone.get_by_test_id("chat-history-drawer")
    items = drawer.get_by_test_id("chat-history-item")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("本周五下午三点开家长会")
    expect(items.nth(1)).to_contain_text("收到，准时参加")
    image = items.nth(2).get_by_test_id("chat-image").locator("img")
    expect(image).to_be_visible()
    # The image inside the card is the parent's to open (its copy in this chat).
    phone.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    shot(phone, "phone-en-forward-card-open")


def test_select_and_forward_one_by_one_on_a_phone(new_page: NewPage, server: Server) -> None:
    klass = int(server.api("/api/v1/units/5/group", login="teacher")["id"])
    devices = int(server.api("/api/v1/conversations/devices", login="teacher", method="POST")["id"])
    _say(server, klass, "下周一交春游回执", "teacher")
    _say(server, klass, "好的，已签字", _guardian(server))
    page = new_page(**PHONE, lang="en")
    login(page, "teacher", then=f"/chat/{klass}")
    _row(page, "下周一交春游回执").get_by_test_id("chat-message-actions").click()
    page.get_by_role("menuitem", name="Select").click()
    _row(page, "好的，已签字").click()
    bar = page.get_by_test_id("chat-selectbar")
    expect(bar).to_contain_text("2 selected")
    shot(page, "phone-en-forward-select")
    bar.get_by_test_id("chat-forward-one-by-one").click()
    picker = page.get_by_test_id("forward-picker")
    expect(picker.get_by_test_id("forward-summary")).to_contain_text("[One by one] 2 messages")
    # Private (burn-after-reading) chats are not offered.
    expect(picker.locator("[data-testid=forward-target]").first).to_be_visible()
    picker.locator(f"[data-testid=forward-target][data-id='{devices}']").click()
    shot(page, "phone-en-forward-picker")
    page.get_by_test_id("forward-send").click()
    expect(page.get_by_test_id("chat-selectbar")).to_have_count(0)
    page.goto(f"/chat/{devices}")
    messages = page.get_by_test_id("chat-messages")
    expect(messages).to_contain_text("下周一交春游回执")
    expect(messages).to_contain_text("好的，已签字")
