"""The composer's @-picker finds members by pinyin initials and full pinyin, as the directory
does (the server's search keys), common readings before rare ones; desktop and phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Server, login, shot
from .test_web_client import _unit_id

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]


def arrange(server: Server, names: list[str]) -> int:
    """The names as pupils of the demo teacher's class, and a group of the teacher's with them."""
    klass = _unit_id(server, "滨江区教育局", "滨江实验小学", "一年级", "1班")
    ids = [
        server.api(
            "/api/v1/people",
            method="POST",
            body={"name": n, "memberships": [{"unit_id": klass, "role": "student"}]},
        )["id"]
        for n in names
    ]
    conv = server.api(
        "/api/v1/conversations/groups",
        login="teacher",
        method="POST",
        body={"name": f"拼音测试{names[0]}", "member_ids": ids},
    )
    return int(conv["id"])


@pytest.mark.parametrize(
    ("lang", "phone", "names"),
    [
        # 郑爽 and 钟思远 read zheng/zhong: "zs" by their common reading; 董舒 only by the rare
        # reading zhong of 董.
        ("zh-CN", False, ["郑爽", "钟思远", "董舒"]),
        ("en", True, ["郑双", "钟思源", "董书"]),
    ],
)
def test_at_picker_matches_pinyin_initials(
    new_page: NewPage, server: Server, lang: str, phone: bool, names: list[str]
) -> None:
    conv = arrange(server, names)
    size = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True} if phone else {}
    page = new_page(lang=lang, **size)
    login(page, "teacher")
    page.goto(f"/chat/{conv}")
    box = page.get_by_test_id("chat-composer").locator("textarea")
    expect(box).to_be_visible()
    box.press_sequentially("@zs")
    # The members offered (the picker's "no data" line is a disabled item).
    options = page.locator(
        ".ant-mentions-dropdown-menu-item:not(.ant-mentions-dropdown-menu-item-disabled)"
    )
    # Common readings first (zheng < zhong), then the rare one.
    expect(options).to_have_text([names[0], names[1], names[2]])
    shot(page, f"{'phone' if phone else 'desktop'}-{lang}-mention-pinyin")
    # Full pinyin narrows it down.
    box.press_sequentially("iy")  # "@zsiy": no name starts so
    expect(options).to_have_count(0)
    for _ in range(4):  # back to "@"
        box.press("Backspace")
    box.press_sequentially("zhongsi")
    expect(options).to_have_text([names[1]])
    options.first.click()
    box.press_sequentially(" 你好")
    box.press("Enter")
    sent = page.locator("[data-testid=chat-message][data-mine='1']", has_text="你好")
    expect(sent.locator(".bw-chat-mention")).to_have_text(f"@{names[1]}")
    assert f"@{names[1]}" in sent.inner_text()
