"""The admin Jobs page: a dead job with its last error, retried from the page (then run by
the server's own runner, and audited); a phone-sized view; hidden from teachers."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]


def dead_job(server: Server, error: str) -> int:
    """A burn whose provider kept failing, written as the runner leaves a dead job."""
    at = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S.%f")
    db = sqlite3.connect(server.output.parent / "bellwork.sqlite3", timeout=30)
    try:
        cur = db.execute(
            "INSERT INTO job (kind, payload, state, run_at, attempts, max_attempts,"
            " runner, last_error, created_at, finished_at)"
            " VALUES ('chat.burn', '{\"message\": 987654}', 'dead', ?, 20, 20, 'node-1:42', ?,"
            " ?, ?)",
            (at, error, at, at),
        )
        db.commit()
        return int(cur.lastrowid or 0)
    finally:
        db.close()


def test_an_admin_sees_a_dead_job_and_retries_it(new_page: NewPage, server: Server) -> None:
    job = dead_job(server, "OSError: [Errno 28] No space left on device")
    page = new_page()
    login(page, "admin")
    # From the workbench, where the tile counts the dead jobs waiting for an admin.
    page.get_by_test_id("nav-workbench").click()
    tile = page.get_by_test_id("tile-jobs.queue")
    expect(tile).not_to_have_attribute("data-count", "")
    tile.click()
    page.wait_for_url(re.compile(r"/jobs"))
    states = page.get_by_test_id("job-states")
    expect(states).to_contain_text(re.compile(r"已失败\s*1"))
    states.get_by_text(re.compile("已失败")).click()
    table = page.get_by_test_id("jobs-table")
    row = table.locator("tr", has_text="chat.burn")
    expect(row).to_contain_text("20/20")
    expect(row).to_contain_text("No space left on device")
    expect(row).to_contain_text("message: 987654")
    shot(page, "desktop-jobs-dead")

    page.get_by_test_id(f"job-retry-{job}").click()
    page.locator(".ant-popconfirm").get_by_role("button", name=re.compile("确\\s*认")).click()
    expect(page.get_by_text("任务已重新排队")).to_be_visible()
    # The server's runner takes it at once: nothing of that message is left to burn.
    expect(table.locator("tr", has_text="chat.burn")).to_have_count(0)
    states.get_by_text(re.compile("已完成")).click()
    # Other tests on this server burn private messages too: find this job by its message.
    expect(table.locator("tr", has_text="message: 987654")).to_contain_text("1/20")
    retried = server.api("/api/v1/audit?target_type=job")["items"]
    assert [(e["action"], e["target_id"]) for e in retried] == [("job.retry", job)]


def test_jobs_on_a_phone_in_english(new_page: NewPage, server: Server) -> None:
    dead_job(server, "TimeoutError: did not finish within 300 s")
    page = new_page(375, 740, lang="en")
    login(page, "admin")
    page.goto("/jobs")
    page.get_by_test_id("job-states").click()
    page.locator(".ant-select-dropdown").get_by_text(re.compile("Dead")).click()
    cards = page.get_by_test_id("jobs-table")
    expect(cards).to_contain_text("did not finish within 300 s")
    expect(cards.get_by_role("button", name=re.compile("Retry")).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "phone-jobs")


def test_jobs_hidden_from_teacher(new_page: NewPage) -> None:
    page = new_page()
    login(page, "teacher")
    expect(page.get_by_role("menuitem", name=re.compile("通讯录"))).to_be_visible()
    expect(page.get_by_role("menuitem", name=re.compile("后台任务"))).to_have_count(0)
    page.goto("/jobs")
    expect(page.get_by_text("你没有权限访问此页面")).to_be_visible()
