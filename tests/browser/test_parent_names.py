"""A guardian is shown as their child's parent in a class group (王军杰妈妈 / "Wang Junjie's
mother"), and the group is named with its grade (一年级1班 家校群)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, shot, until

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]


def _open_class_group(page: Any) -> None:
    login(page, page.who, then="/chat")
    page.get_by_test_id("chat-new").click()
    page.get_by_role("menuitem", name=re.compile("班级|class", re.I)).click()
    dialog = page.get_by_role("dialog")
    until(
        lambda: dialog.count() == 0 or dialog.get_by_role("button", name=re.compile("1班")).click(),
        lambda ms: expect(page.get_by_test_id("chat-title")).to_contain_text("1班", timeout=ms),
    )
    expect(page.get_by_test_id("chat-messages")).to_be_visible()


def test_guardian_appears_as_childs_mother_in_the_class_group(
    new_page: NewPage, server: Server
) -> None:
    guardian_phone = server.guardian_phone or "10000000009"
    guardian_name = server.api("/api/v1/auth/me", login=guardian_phone)["name"]
    teacher = new_page()
    teacher.who = "teacher"
    _open_class_group(teacher)
    expect(teacher.get_by_test_id("chat-title")).to_have_text(re.compile(r"^\S+年级1班 家校群$"))

    guardian = new_page(lang="en")
    guardian.who = guardian_phone
    _open_class_group(guardian)
    # The teacher speaks first: the guardian's message starts a run of its own, under a name
    # (the run of another test's guardian messages would carry it otherwise).
    teacher.get_by_test_id("chat-composer").locator("textarea").fill("请各位家长回复")
    teacher.get_by_test_id("chat-send").click()
    expect(guardian.get_by_test_id("chat-messages")).to_contain_text("请各位家长回复")
    text = f"收到，谢谢老师 {time.time_ns()}"
    box = guardian.get_by_test_id("chat-composer").locator("textarea")
    box.fill(text)
    guardian.get_by_test_id("chat-send").click()

    row = teacher.get_by_test_id("chat-message").filter(has_text=text)
    sender = row.locator(".bw-chat-sender bdi")
    expect(sender).to_have_text(re.compile(r"^\S+妈妈$"))
    expect(sender).to_have_attribute("title", guardian_name)
    shot(teacher, "desktop-class-group-parent-name")

    # In English, for the guardian's own view of the teacher's settings panel: the members.
    guardian.get_by_test_id("chat-settings-open").click()
    me_row = guardian.get_by_test_id("chat-member").filter(has_text=guardian_name)
    expect(me_row).to_contain_text(re.compile(r"'s mother"))
