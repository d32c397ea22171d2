"""Notices in the browser (issue 11, "Notices", "Done when"): a teacher publishes a notice with
Markdown to the guardians of their class, asking them to confirm; a guardian on a phone (in
English) sees the unread badge, opens the notice from the workbench, reads it rendered and
confirms; the teacher's statistics page shows the read and the confirmation without a reload,
by class, and drills down to the guardian named as their child's parent."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, expand, login, node, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]


def _read_all(server: Server, who: str) -> None:
    """Start from no unread notice: mark whatever an earlier run left read."""
    while True:
        page = server.api("/api/v1/notices/inbox?unread=true&limit=100", login=who)
        if not page["items"]:
            return
        for n in page["items"]:
            server.api(f"/api/v1/notices/{n['id']}/read", login=who, method="POST")


def test_a_teacher_publishes_and_a_guardian_confirms_live(
    new_page: NewPage, server: Server
) -> None:
    guardian_phone = server.guardian_phone or "10000000009"
    _read_all(server, guardian_phone)

    guardian = new_page(width=390, height=844, lang="en")
    login(guardian, guardian_phone, then="/workbench")
    tile = guardian.get_by_test_id("tile-notices.inbox")
    expect(tile).to_be_visible()
    expect(guardian.get_by_test_id("tab-notices-badge").locator(".ant-badge-count")).to_have_count(
        0
    )

    teacher = new_page()
    login(teacher, "teacher", then="/workbench")
    teacher.get_by_test_id("tile-notices.sent").click()
    expect(teacher.get_by_test_id("notices-sent")).to_be_visible()
    teacher.get_by_test_id("notices-new").click()
    compose = teacher.get_by_test_id("notice-compose")
    title = f"期中家长会通知 {time.time_ns() % 100_000}"
    compose.get_by_test_id("notice-title-input").fill(title)
    compose.get_by_test_id("notice-body-input").fill(
        "周五下午 **三点** 在教室开家长会。\n\n- 带好笔记本\n- 请准时\n\n<script>alert(1)</script>"
    )
    compose.get_by_test_id("notice-mode").get_by_text("预览").click()
    expect(compose.get_by_test_id("notice-preview").locator("strong")).to_have_text("三点")
    expect(compose.get_by_test_id("notice-preview").locator("script")).to_have_count(0)
    compose.get_by_test_id("notice-confirm-input").check()
    compose.get_by_test_id("notice-importance-input").get_by_text("重要").click()
    compose.get_by_test_id("notice-add-unit").click()
    compose.get_by_test_id("notice-unit-row").locator(".ant-select").first.click()
    tree = teacher.locator(".ant-select-tree")
    expand(tree, "滨江区教育局")
    expand(tree, "滨江实验小学")
    expand(tree, "一年级")
    node(tree, "1班", "title").click()
    expect(compose.get_by_test_id("notice-unit-row")).to_contain_text("家长")
    shot(teacher, "desktop-notice-compose")
    compose.get_by_test_id("notice-publish").click()

    detail = teacher.get_by_test_id("notice-detail")
    expect(detail.get_by_test_id("notice-title")).to_have_text(title)
    detail.get_by_test_id("notice-stats-link").click()
    stats = teacher.get_by_test_id("notice-stats")
    expect(stats.get_by_test_id("notice-stats-read")).to_contain_text("已读 0/")
    total = int(stats.get_by_test_id("notice-stats-read").inner_text().split("/")[-1])
    expect(stats.get_by_test_id("notice-unit")).to_contain_text("一年级 / 1班")

    # The guardian's phone, in English: the badge, the tile's count, the inbox, the notice.
    expect(guardian.get_by_test_id("tab-notices-badge")).to_contain_text("1")
    expect(tile).to_have_attribute("data-count", "1", timeout=70_000)
    tile.click()
    row = guardian.get_by_test_id("notice-row").filter(has_text=title)
    expect(row).to_contain_text("Important")
    expect(row.get_by_test_id("notice-unread-tag")).to_have_text("Unread")
    shot(guardian, "phone-notice-inbox-en")
    # The class group: the notice's card, and the bar pinned while it is unread; the bar opens it.
    nid = int(row.get_attribute("data-notice") or 0)
    klass = server.api(f"/api/v1/notices/{nid}", login="teacher")["audience"]["units"][0]
    conv = server.api(f"/api/v1/units/{klass['unit_id']}/group", login=guardian_phone)["id"]
    guardian.goto(f"/chat/{conv}")
    expect(guardian.get_by_test_id("chat-notice").filter(has_text=title)).to_be_visible()
    bar = guardian.get_by_test_id("notice-bar")
    expect(bar).to_contain_text(title)
    shot(guardian, "phone-notice-in-class-group-en")
    bar.click()
    page = guardian.get_by_test_id("notice-detail")
    expect(page.get_by_test_id("notice-title")).to_have_text(title)
    expect(page.get_by_test_id("notice-body").locator("strong")).to_have_text("三点")
    expect(page.get_by_test_id("notice-body").locator("li")).to_have_count(2)
    expect(page.get_by_test_id("notice-body").locator("script")).to_have_count(0)
    # Opening it read it: the teacher's page moves without a reload.
    expect(stats.get_by_test_id("notice-stats-read")).to_have_text(f"已读 1/{total}")
    expect(guardian.get_by_test_id("tab-notices-badge").locator(".ant-badge-count")).to_have_count(
        0
    )
    page.get_by_test_id("notice-confirm").click()
    expect(page.get_by_test_id("notice-confirmed")).to_contain_text("Confirmed")
    shot(guardian, "phone-notice-confirmed-en")
    expect(stats.get_by_test_id("notice-stats-confirmed")).to_have_text(f"已确认 1/{total}")

    # Drill down: the class's confirmed list names the guardian as their child's parent.
    stats.get_by_test_id("notice-unit").first.click()
    stats.get_by_test_id("notice-people-filter").get_by_text("已确认").click()
    people = stats.get_by_test_id("notice-person")
    expect(people).to_have_count(1)
    guardian_name = server.api("/api/v1/auth/me", login=guardian_phone)["name"]
    expect(people.first).not_to_have_text(guardian_name)  # 某某妈妈, not the bare name
    shot(teacher, "desktop-notice-stats")

    # The teacher on a phone: the stats page fits, and the notice is recalled (cleanup).
    phone = new_page(width=390, height=844)
    login(phone, "teacher", then="/notices/sent")
    row = phone.get_by_test_id("notice-sent-row").filter(has_text=title)
    expect(row).to_contain_text(f"1/{total}")
    row.click()
    expect(phone.get_by_test_id("notice-stats")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "phone-notice-stats")
    server.api(f"/api/v1/notices/{nid}/recall", login="teacher", method="POST")
