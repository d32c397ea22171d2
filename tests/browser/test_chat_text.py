"""What a message's text does on screen: links open in a new tab, a long message folds with
"show more", and a message one recalls can be written again (重新编辑)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]


def test_links_folding_and_editing_a_recalled_message_again(
    new_page: NewPage, server: Server
) -> None:
    page = new_page()
    login(page, "engineer", then="/chat")
    page.get_by_test_id("chat-devices").click()  # one's own devices: a conversation to oneself
    box = page.get_by_test_id("chat-composer").locator("textarea")

    stamp = time.time_ns()
    box.fill(f"周报模板 https://example.org/report/{stamp}，请查收")
    page.get_by_test_id("chat-send").click()
    link = page.get_by_test_id("chat-link").filter(has_text=str(stamp))
    expect(link).to_have_attribute("href", f"https://example.org/report/{stamp}")
    expect(link).to_have_attribute("target", "_blank")

    lines = "\n".join(f"第{i}行 {stamp}" for i in range(1, 31))
    box.fill(lines)
    page.get_by_test_id("chat-send").click()
    row = page.get_by_test_id("chat-message").filter(has_text=f"第1行 {stamp}")
    fold = row.get_by_test_id("chat-fold")
    expect(fold).to_have_text("展开全文")
    text = row.get_by_test_id("chat-text")
    folded = text.bounding_box()
    fold.click()
    expect(fold).to_have_text("收起")
    opened = text.bounding_box()
    assert folded is not None and opened is not None and opened["height"] > folded["height"] * 1.5
    shot(page, "desktop-chat-long-message-open")

    said = f"发错了的话 {stamp}"
    box.fill(said)
    page.get_by_test_id("chat-send").click()
    mine = page.get_by_test_id("chat-message").filter(has_text=said)
    mine.get_by_test_id("chat-message-actions").click()
    page.get_by_role("menuitem", name="撤回").click()
    again = page.get_by_test_id("chat-reedit").last
    expect(again).to_be_visible()
    again.click()
    expect(box).to_have_value(said)
