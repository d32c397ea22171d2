"""DING escalation and reports in the browser (issue 11): an admin sets a unit's escalation
policy on its settings screen (and a unit below shows it inherited, with where from); a
teacher DINGs those who have not read their message in the class group from its unread list
(DING 未读的人), by text message too, and the DING's delivery report shows each person's
in-app card and text message with their statuses, and offers the Excel export."""

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


def choose(page: Any, select: Any, text: str) -> None:
    """Picks `text` in an antd Select, once its list has opened and settled."""
    expect(page.locator(".ant-select-dropdown:visible")).to_have_count(0)
    select.click()
    option = page.locator(".ant-select-dropdown:visible .ant-select-item-option", has_text=text)
    expect(option).to_have_count(1)
    page.wait_for_timeout(300)  # the opening animation
    option.click()
    expect(select).to_contain_text(text)


def test_set_an_escalation_policy_on_the_settings_screen(new_page: NewPage, server: Server) -> None:
    stamp = time.time_ns() % 100_000
    school = server.api(
        "/api/v1/units", method="POST", body={"name": f"设置测试学校{stamp}", "kind": "school"}
    )
    klass = server.api(
        "/api/v1/units",
        method="POST",
        body={"name": "一班", "kind": "class", "parent_id": school["id"]},
    )
    page = new_page(width=390, height=844)
    login(page, "admin", then="/units")
    page.goto(f"/units?unit={school['id']}")
    page.get_by_test_id("unit-settings-open").click()
    screen = page.get_by_test_id("unit-settings")
    expect(screen).to_be_visible()
    escalation = screen.get_by_test_id("settings-ding_escalation")
    expect(escalation.get_by_test_id("settings-effective-ding_escalation")).to_contain_text(
        "不升级"
    )
    escalation.get_by_test_id("settings-own-ding_escalation").click()
    editor = escalation.get_by_test_id("settings-escalation-editor")
    minutes = editor.get_by_test_id("settings-after-minutes").locator("input")
    minutes.fill("7")
    # Two steps preset (text message, then a call): make it in-app, text, call.
    editor.get_by_test_id("settings-add-step").click()
    steps = editor.get_by_test_id("settings-step-channel")
    expect(steps).to_have_count(3)
    choose(page, steps.nth(0), "应用内再响铃")
    choose(page, steps.nth(1), "短信")
    # Who may DING: heads only here.
    senders = screen.get_by_test_id("settings-ding_senders")
    senders.get_by_test_id("settings-own-ding_senders").click()
    senders.get_by_role("checkbox", name="老师").uncheck()
    senders.get_by_role("checkbox", name="职员").uncheck()
    shot(page, "phone-unit-settings")
    screen.get_by_test_id("settings-save").click()
    expect(page.get_by_text("设置已保存")).to_be_visible()
    expect(escalation.get_by_test_id("settings-effective-ding_escalation")).to_have_text(
        "当前生效: 7 分钟未确认：应用内再响铃 → 短信 → 语音电话"
    )
    saved = server.api(f"/api/v1/units/{school['id']}/settings")
    assert saved["own"]["ding_escalation"] == {
        "after_minutes": 7,
        "channels": ["app", "sms", "voice"],
    }
    assert saved["own"]["ding_senders"] == ["head"]

    # The class below inherits it, and says from where.
    page.goto(f"/units/{klass['id']}/settings")
    below = page.get_by_test_id("settings-ding_escalation")
    expect(below.get_by_test_id("settings-source-ding_escalation")).to_have_text(
        f"沿用 设置测试学校{stamp}"
    )
    expect(below.get_by_test_id("settings-effective-ding_escalation")).to_contain_text("7 分钟")


def test_ding_the_unread_from_a_message_and_read_the_report(
    new_page: NewPage, server: Server
) -> None:
    klass = int(server.api("/api/v1/units/5/group", login="teacher")["id"])
    try:
        text = f"请家长今晚查看作业 {time.time_ns() % 100_000}"
        server.api(
            f"/api/v1/conversations/{klass}/messages",
            login="teacher",
            method="POST",
            body={"body": text, "client_msg_id": f"esc-{time.time_ns()}"},
        )
        teacher = new_page()
        login(teacher, "teacher", then=f"/chat/{klass}")
        mine = teacher.locator("[data-testid=chat-message][data-mine='1']", has_text=text)
        receipt = mine.get_by_test_id("chat-receipt")
        expect(receipt).to_contain_text(re.compile(r"\d+人未读"))
        unread = int(re.search(r"(\d+)人未读", receipt.inner_text()).group(1))  # type: ignore[union-attr]
        receipt.click()
        panel = teacher.get_by_test_id("chat-receipt-panel")
        panel.get_by_test_id("receipt-ding-unread").click()

        compose = teacher.get_by_test_id("ding-compose")
        expect(compose.get_by_test_id("ding-unread-of")).to_contain_text("未读这条消息的人")
        compose.get_by_test_id("ding-text").fill("作业今晚必须完成，请确认")
        compose.get_by_role("checkbox", name="短信").check()
        compose.get_by_test_id("ding-send").click()

        detail = teacher.get_by_test_id("ding-detail")
        expect(detail.get_by_test_id("ding-detail-count")).to_have_text(f"已确认 0/{unread}")
        report = detail.get_by_test_id("ding-report")
        expect(report.get_by_test_id("ding-report-row")).to_have_count(min(unread, 50))
        first = report.get_by_test_id("ding-report-row").first
        expect(first.locator("[data-channel=app][data-status=sent]")).to_have_count(1)
        # The text messages go out from a job (no SMS provider here: the outbox); the report
        # follows when the DING's page is refreshed by its live events or reloaded.
        for _ in range(20):
            if first.locator("[data-channel=sms][data-status=outbox]").count():
                break
            time.sleep(0.5)
            teacher.reload()
            report = teacher.get_by_test_id("ding-report")
            first = report.get_by_test_id("ding-report-row").first
        expect(first.locator("[data-channel=sms][data-status=outbox]")).to_have_count(1)
        expect(first).to_contain_text("短信 · 发件箱")
        expect(report.get_by_test_id("ding-report-export")).to_have_attribute(
            "href", re.compile(r"/api/v1/dings/\d+/report\.xlsx$")
        )
        shot(teacher, "desktop-ding-report")
        with teacher.expect_download() as download:
            report.get_by_test_id("ding-report-export").click()
        assert download.value.suggested_filename.endswith("-report.xlsx")
    finally:
        server.recall_dings("teacher")  # the demo guardians' cards must not stay up
