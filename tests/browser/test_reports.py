"""Work reports in the browser (issue 14, "Done when"): an engineer of the demo company writes
the daily report from a phone-sized page — told under the question what is missing first —
and it goes to their department's head, who sees it in the reports inbox (its badge) and as a
card in the direct chat, opens it, comments, sees the engineer read the comment, and sees the
team's day (who submitted, who has not, the customers summed) with its chart.

Counts come from the API, never literals: other tests share the demo server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, shot, until

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
SHANGHAI = "Asia/Shanghai"


def _template(server: Server) -> dict[str, Any]:
    mine = server.api("/api/v1/reports/templates", login="engineer")
    found: dict[str, Any] = next(t for t in mine if t["name"] == "工作日报")
    return found


def test_an_engineer_writes_the_daily_report_and_the_manager_reads_comments_and_sums(
    new_page: NewPage, server: Server
) -> None:
    tpl = _template(server)
    write = server.api(f"/api/v1/reports/templates/{tpl['id']}/write", login="engineer")
    manager_id = write["to"][0]["id"]
    manager_phone = server.api(f"/api/v1/people/{manager_id}")["phone"]
    me = server.api("/api/v1/auth/me", login="engineer")

    # The engineer, on a phone, from the workbench tile.
    phone = new_page(width=390, height=844, timezone_id=SHANGHAI, has_touch=True, is_mobile=True)
    login(phone, "engineer", then="/workbench")
    phone.get_by_test_id("tile-reports.inbox").click()
    expect(phone).to_have_url(re.compile(r"/reports$"))
    phone.get_by_test_id("reports-write").click()
    phone.get_by_test_id(f"reports-pick-{tpl['id']}").click()
    if write["report_id"] is None:
        expect(phone.get_by_test_id("reports-to")).to_contain_text(write["to"][0]["name"])
        phone.get_by_test_id("field-plan_tomorrow").locator("textarea").fill("联调接口")
        phone.get_by_test_id("reports-submit").click()
        # What is missing is said under its question; what was typed stays.
        expect(phone.get_by_test_id("field-done_today")).to_contain_text("必填")
        expect(phone.get_by_test_id("field-plan_tomorrow").locator("textarea")).to_have_value(
            "联调接口"
        )
        phone.get_by_test_id("field-done_today").locator("textarea").fill("完成登录页改版")
        phone.get_by_test_id("field-customers").locator("input").fill("2")
        shot(phone, "phone-reports-write")
        phone.get_by_test_id("reports-submit").click()
        expect(phone).to_have_url(re.compile(r"/reports/\d+$"))
        report_id = int(phone.url.rsplit("/", 1)[1])
    else:  # written by an earlier run against this server today
        report_id = write["report_id"]
        phone.goto(f"/reports/{report_id}")
    expect(phone.get_by_test_id("reports-answers")).to_contain_text("完成登录页改版")

    # The manager: the inbox and its badge, then the card in the direct chat.
    desk = new_page(timezone_id=SHANGHAI)
    login(desk, manager_phone, then="/reports")
    unread = server.api("/api/v1/reports", login=manager_phone)["unread"]
    item = desk.get_by_test_id(f"reports-item-{report_id}")
    expect(item).to_contain_text(me["name"])
    if unread:
        expect(desk.get_by_test_id("reports-unread")).to_contain_text(str(unread))
    convs = server.api("/api/v1/conversations?limit=200", login=manager_phone)["items"]
    direct = next(
        c["id"]
        for c in convs
        if c["kind"] == "direct"
        and any(
            m["kind"] == "report" and m["report"]["report_id"] == report_id
            for m in server.api(
                f"/api/v1/conversations/{c['id']}/messages?limit=200", login=manager_phone
            )["items"]
        )
    )
    desk.goto(f"/chat/{direct}")
    card = desk.get_by_test_id(f"report-card-{report_id}")
    expect(card).to_contain_text("工作日报")
    card.click()
    expect(desk).to_have_url(re.compile(rf"/reports/{report_id}$"))
    expect(desk.get_by_test_id("reports-answers")).to_contain_text("完成登录页改版")

    # A comment; the engineer reads it and the manager sees who read it.
    text = f"收到，辛苦了 {report_id}"
    desk.get_by_test_id("reports-comment-input").fill(text)
    desk.get_by_test_id("reports-comment-send").click()
    mine = desk.locator("[data-testid^='reports-comment-']", has_text=text).first
    expect(mine).to_be_visible()
    phone.reload()
    expect(phone.locator("[data-testid^='reports-comment-']", has_text=text).first).to_be_visible()
    seq = next(
        c["seq"]
        for c in server.api(f"/api/v1/reports/{report_id}/comments", login=manager_phone)
        if c["body"] == text
    )
    until(
        lambda: desk.reload(),
        lambda timeout: expect(desk.get_by_test_id(f"reports-comment-{seq}-read")).to_contain_text(
            me["name"], timeout=timeout
        ),
    )
    shot(desk, "desktop-reports-detail")

    # The team's day: the figures as the API counts them, the engineer among the submitted.
    team = server.api(f"/api/v1/reports/templates/{tpl['id']}/team", login=manager_phone)
    desk.goto(f"/reports/team?template={tpl['id']}")
    expect(desk.get_by_test_id("reports-team-missing")).to_contain_text(
        str(len(team["unreported"]))
    )
    done = desk.get_by_test_id(
        "reports-team-late-list"
        if any(p["id"] == me["id"] for p in team["late"])
        else "reports-team-submitted"
    )
    expect(done).to_contain_text(me["name"])
    total = next(s["total"] for s in team["sums"] if s["key"] == "customers")
    expect(desk.get_by_test_id("reports-team-sums")).to_contain_text(str(int(total)))
    expect(desk.get_by_test_id("reports-team-chart")).to_be_visible()
    shot(desk, "desktop-reports-team")
