"""DING in the browser (issue 11, "Done when"): a teacher DINGs a guardian from the workbench;
the guardian's phone shows the full-screen card with the text and rings; they press 确认收到,
the card on their other device goes too, and the teacher's detail page turns to 1/1
confirmed without a reload."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, expand, login, node, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]


def test_a_teacher_dings_a_guardian_who_confirms(new_page: NewPage, server: Server) -> None:
    guardian_phone = server.guardian_phone or "10000000009"
    guardian_name = server.api("/api/v1/auth/me", login=guardian_phone)["name"]
    # Start from no card: confirm whatever an earlier run left.
    for d in server.api("/api/v1/dings/pending", login=guardian_phone):
        server.api(f"/api/v1/dings/{d['id']}/confirm", login=guardian_phone, method="POST")

    guardian = new_page(width=390, height=844)
    login(guardian, guardian_phone, then=None)
    expect(guardian.get_by_test_id("ding-alert")).to_have_count(0)
    laptop = new_page()  # the same guardian on a second device
    login(laptop, guardian_phone, then=None)

    teacher = new_page()
    login(teacher, "teacher", then="/workbench")
    teacher.get_by_test_id("tile-ding.sent").click()
    expect(teacher.get_by_test_id("ding-list")).to_be_visible()
    teacher.get_by_test_id("ding-new").click()
    compose = teacher.get_by_test_id("ding-compose")
    compose.get_by_test_id("ding-person-select").locator("input").fill(guardian_name)
    teacher.locator(".ant-select-item-option", has_text=guardian_name).first.click()
    expect(compose.get_by_test_id("ding-person-tag")).to_have_text(guardian_name)
    text = f"明早 7:30 校门口接送调整，请确认 {time.time_ns() % 10_000}"
    compose.get_by_test_id("ding-text").fill(text)
    shot(teacher, "desktop-ding-compose")
    compose.get_by_test_id("ding-send").click()

    detail = teacher.get_by_test_id("ding-detail")
    expect(detail.get_by_test_id("ding-detail-text")).to_have_text(text)
    expect(detail.get_by_test_id("ding-detail-count")).to_have_text("已确认 0/1")
    expect(detail.get_by_test_id("ding-pending-person")).to_have_count(1)

    # The guardian's phone: the card, with the teacher's name and the text, ringing.
    card = guardian.get_by_test_id("ding-alert")
    expect(card).to_be_visible()
    expect(card.get_by_test_id("ding-alert-text")).to_have_text(text)
    expect(card.get_by_test_id("ding-alert-from")).to_contain_text("来自")
    guardian.wait_for_function("Number(document.documentElement.dataset.bwChimes || 0) >= 2")
    shot(guardian, "phone-ding-alert")
    expect(laptop.get_by_test_id("ding-alert-text")).to_have_text(text)
    card.get_by_test_id("ding-confirm").click()
    expect(card).to_have_count(0)
    # The other device stops alerting too.
    expect(laptop.get_by_test_id("ding-alert")).to_have_count(0)

    # The teacher's page, live: 1/1, the guardian listed as confirmed.
    expect(detail.get_by_test_id("ding-detail-count")).to_have_text("已确认 1/1")
    expect(detail.get_by_test_id("ding-confirmed-person")).to_have_count(1)
    expect(detail.get_by_test_id("ding-pending-person")).to_have_count(0)
    expect(detail.get_by_test_id("ding-recall")).to_have_count(0)
    shot(teacher, "desktop-ding-detail-confirmed")

    # The sender's list on a phone: the DING with 1/1.
    phone = new_page(width=390, height=844)
    login(phone, "teacher", then="/ding")
    row = phone.get_by_test_id("ding-row").filter(has_text=text)
    expect(row).to_contain_text("1/1")
    expect(row).to_contain_text(re.compile("全部已确认"))
    shot(phone, "phone-ding-list")
    phone.get_by_test_id("ding-new").click()
    expect(phone.get_by_test_id("ding-compose")).to_be_visible()
    shot(phone, "phone-ding-compose")


def test_a_class_ding_on_a_phone_in_english_refuses_an_early_reminder(
    new_page: NewPage, server: Server
) -> None:
    """The teacher, on a phone in English, DINGs the guardians of their class through the unit
    picker, sees them listed under the class, is told how long to wait before reminding, and
    recalls the DING (so no guardian of the demo keeps a card for the other tests)."""
    page = new_page(width=390, height=844, lang="en")
    login(page, "teacher", then="/ding/new")
    compose = page.get_by_test_id("ding-compose")
    compose.get_by_test_id("ding-add-unit").click()
    compose.get_by_test_id("ding-unit-row").locator(".ant-select").first.click()
    tree = page.locator(".ant-select-tree")
    expand(tree, "滨江区教育局")
    expand(tree, "滨江实验小学")
    expand(tree, "一年级")
    node(tree, "1班", "title").click()
    expect(compose.get_by_test_id("ding-unit-row")).to_contain_text("Guardians")
    compose.get_by_test_id("ding-text").fill("Sports day moves to Friday: please confirm")
    compose.get_by_test_id("ding-send").click()
    detail = page.get_by_test_id("ding-detail")
    try:
        expect(detail.get_by_test_id("ding-detail-count")).to_contain_text("0/")
        group = detail.get_by_test_id("ding-group").first
        expect(group).to_contain_text("一年级 / 1班")
        expect(group.get_by_test_id("ding-pending-person").first).to_contain_text("'s ")
        detail.get_by_test_id("ding-remind").click()
        expect(page.locator(".ant-message")).to_contain_text(
            re.compile(r"Remind again in [45] min \d+ s")
        )
        expect(detail.get_by_test_id("ding-next-remind")).to_contain_text("Remind again after")
        shot(page, "phone-ding-detail-remind-refused-en")
        detail.get_by_test_id("ding-recall").click()
        page.locator(".ant-popconfirm").get_by_role("button", name="Recall").click()
        try:
            expect(detail).to_contain_text("Recalled", timeout=15_000)
        except AssertionError:
            # Seen only in CI's full browser lane beside two other lanes: the recall's request
            # left the page only when the test ended. A person would reload, look, and recall
            # again if it had not taken.
            page.reload()
            detail = page.get_by_test_id("ding-detail")
            expect(detail.get_by_test_id("ding-detail-count")).to_contain_text("/13")
            if "Recalled" not in detail.inner_text():
                detail.get_by_test_id("ding-recall").click()
                page.locator(".ant-popconfirm").get_by_role("button", name="Recall").click()
            expect(detail).to_contain_text("Recalled", timeout=30_000)
        expect(detail.get_by_test_id("ding-remind")).to_have_count(0)
        shot(page, "phone-ding-detail-recalled-en")
    finally:
        server.recall_dings("teacher")
