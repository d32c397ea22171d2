"""Smart forms reaching people, in the browser (issue 12): "remind everyone missing" from the
statistics page — by DING, then held back for 5 minutes with the time left — the day's export
downloaded at once, a large one prepared and then offered; abnormal cases followed up by the
class teacher (from the workbench badge) and seen by the principal on a phone, who sets who
the school alerts.

Every figure the page should show comes from the API (other tests add students and
submissions). DINGs the tests cause are confirmed by their recipients, so later tests are not
covered by their cards."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, login, pick, shot, until
from tests.browser.test_forms import confirm_dings, every_day

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
SHANGHAI = "Asia/Shanghai"


def _today() -> str:
    return datetime.now(ZoneInfo(SHANGHAI)).date().isoformat()


def _head_unit(server: Server, login_: str, role: str) -> dict[str, Any]:
    me = server.api("/api/v1/auth/me", login=login_)
    return next(m["unit"] for m in me["memberships"] if m["role"] == role)


def _campaign(server: Server, login_: str, unit_id: int, name: str, **extra: Any) -> dict[str, Any]:
    templates = server.api(f"/api/v1/forms/templates?unit_id={unit_id}", login=login_)
    template = next((t for t in templates if t["builtin"] == "student_health"), None)
    if template is None:
        template = server.api(
            "/api/v1/forms/templates",
            login=login_,
            method="POST",
            body={"unit_id": unit_id, "name": "晨检", "builtin": "student_health"},
        )
    body = {
        "client_id": name,
        "template_id": template["id"],
        "unit_id": unit_id,
        "name": name,
        "schedule": {
            "kind": "daily",
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "opens": "00:00",
            "deadline": "23:59",
            "start": _today(),
        },
        **extra,
    }
    campaign: dict[str, Any] = server.api(
        "/api/v1/forms/campaigns", login=login_, method="POST", body=body
    )
    # The day opens by a job, due at once: wait for its counts.
    url = f"/api/v1/forms/campaigns/{campaign['id']}/stats?day={_today()}"
    for _ in range(100):
        if server.api(url, login=login_)["figures"]["expected"]:
            break
        time.sleep(0.2)
    return campaign


def test_a_principal_reminds_the_missing_by_ding_and_exports_the_day_on_a_phone(
    new_page: NewPage, server: Server
) -> None:
    school = _head_unit(server, "principal", "head")
    name = f"校领导每日健康 {time.time_ns() % 100_000}"
    # The school's heads fill for themselves: the principal is among those missing, so the
    # DING reaches this very page (and is confirmed at the end).
    campaign = _campaign(
        server,
        "principal",
        school["id"],
        name,
        subject="self",
        units=[{"unit_id": school["id"], "roles": ["head"]}],
    )
    figures = server.api(
        f"/api/v1/forms/campaigns/{campaign['id']}/stats?day={_today()}", login="principal"
    )["figures"]
    assert figures["missing"] > 0

    page = new_page(width=390, height=844, timezone_id=SHANGHAI)
    login(page, "principal", then=f"/forms/campaigns/{campaign['id']}")
    stats = page.get_by_test_id("forms-stats")
    button = stats.get_by_test_id("stats-remind-button")
    expect(button).to_contain_text(f"（{figures['missing']}）")
    ok = page.get_by_test_id("stats-remind-ok")
    until(button.click, lambda ms: expect(ok).to_be_visible(timeout=ms))
    by = page.get_by_test_id("stats-remind-by")
    until(
        lambda: by.get_by_text("DING 提醒").click(),
        lambda ms: expect(by.locator("input[value=ding]")).to_be_checked(timeout=ms),
    )
    shot(page, "phone-forms-remind-confirm")
    ok.click()
    expect(stats.get_by_test_id("stats-remind-sent")).to_contain_text(
        f"{figures['missing']} 人未填写"
    )
    expect(stats.get_by_test_id("stats-remind-last")).to_contain_text("DING")
    # The DING rings here too: the principal has not filled it either.
    alert = page.get_by_test_id("ding-alert")
    expect(alert).to_contain_text(name)
    shot(page, "phone-forms-remind-ding")
    confirm_dings(server, "principal")
    expect(alert).to_have_count(0)

    # Again at once: the server holds it back, and the page says for how long.
    until(button.click, lambda ms: expect(ok).to_be_visible(timeout=ms))
    ok.click()
    expect(stats.get_by_test_id("stats-remind-error")).to_contain_text("距上次提醒不足 5 分钟")
    expect(stats.get_by_test_id("stats-remind-error")).to_contain_text(re.compile(r"\d+ 分 \d+ 秒"))
    shot(page, "phone-forms-remind-too-soon")

    # Export the day as CSV: small, so made at once and downloaded straight away.
    stats.get_by_test_id("stats-export").click()
    dialog = page.get_by_test_id("export-dialog")
    expect(dialog).to_contain_text(school["name"])
    dialog.get_by_test_id("export-format").get_by_text("CSV").click()
    with page.expect_download() as download:
        page.get_by_test_id("export-go").click()
    assert download.value.suggested_filename == f"{name}-{_today()}.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("日期,班级,姓名")
    expect(dialog.get_by_test_id("export-ready")).to_contain_text(
        f"导出完成：{figures['submitted']} 条"
    )
    shot(page, "phone-forms-export-done")


def test_a_large_export_is_prepared_and_then_offered(new_page: NewPage, server: Server) -> None:
    """An export too large to make at once answers "queued": the dialog says it is being
    prepared and offers the file once it is done (the page looks again until then, besides
    listening for `form.export_ready`). The server's answer is made to say "queued" here, for
    an export it did make: a demo school has too few students for a real one."""
    school = _head_unit(server, "principal", "head")
    campaign = _campaign(
        server,
        "principal",
        school["id"],
        f"全校晨检导出 {time.time_ns() % 100_000}",
        subject="student",
        units=[{"unit_id": school["id"], "roles": ["student"]}],
    )
    made = server.api(
        f"/api/v1/forms/campaigns/{campaign['id']}/exports",
        login="principal",
        method="POST",
        body={"start": _today(), "end": _today(), "format": "xlsx"},
    )
    assert made["state"] == "done"
    queued = {**made, "state": "queued", "download": None, "finished_at": None}

    page = new_page(timezone_id=SHANGHAI)
    login(page, "principal", then=f"/forms/campaigns/{campaign['id']}")
    page.route(
        "**/exports",
        lambda route: route.fulfill(status=201, json=queued),
        times=1,
    )
    page.get_by_test_id("stats-export").click()
    dialog = page.get_by_test_id("export-dialog")
    until(
        lambda: dialog.get_by_test_id("export-span").get_by_text("时间段").click(),
        lambda timeout: expect(dialog.get_by_test_id("export-start")).to_be_visible(
            timeout=timeout
        ),
    )
    page.get_by_test_id("export-go").click()
    expect(dialog.get_by_test_id("export-preparing")).to_contain_text("正在准备导出文件")
    expect(page.get_by_test_id("export-go")).to_be_disabled()
    shot(page, "desktop-forms-export-preparing")
    ready = dialog.get_by_test_id("export-download")
    expect(ready).to_be_visible(timeout=30_000)
    expect(ready).to_have_attribute("href", made["download"])


def test_a_fever_is_followed_up_from_the_badge_and_seen_by_the_principal_on_a_phone(
    new_page: NewPage, server: Server
) -> None:
    guardian = server.guardian_phone or "10000000009"
    klass = _head_unit(server, "teacher", "teacher")
    name = f"班级晨检跟进 {time.time_ns() % 100_000}"
    campaign = _campaign(
        server,
        "teacher",
        klass["id"],
        name,
        subject="student",
        units=[{"unit_id": klass["id"], "roles": ["student"]}],
    )
    item = next(i for i in server.api("/api/v1/forms/todo", login=guardian) if i["name"] == name)
    form = server.api(
        f"/api/v1/forms/campaigns/{campaign['id']}/fill?subject_id={item['subject_id']}",
        login=guardian,
    )
    answers = {"temperature": 38.6, "symptoms": ["none"], "travel": "no", "contact": "no"}
    sent = server.api(
        f"/api/v1/forms/campaigns/{campaign['id']}/submissions",
        login=guardian,
        method="POST",
        body={
            "client_id": name,
            "subject_id": item["subject_id"],
            "version": form["version"],
            "answers": answers,
        },
    )
    assert sent["abnormal"]
    child = item["subject_name"]
    confirm_dings(server, "teacher", "principal")
    tiles = {t["key"]: t for t in server.api("/api/v1/workbench", login="teacher")["tiles"]}
    badge = tiles["forms.cases"]["count"]
    assert badge >= 1

    # The class teacher, from the workbench badge to the case.
    teacher = new_page(timezone_id=SHANGHAI)
    login(teacher, "teacher", then="/workbench")
    tile = teacher.get_by_test_id("tile-forms.cases")
    expect(tile).to_have_attribute("data-count", str(badge))
    tile.click()
    cases = teacher.get_by_test_id("forms-cases")
    row = cases.get_by_test_id("case-row").filter(has_text=name).filter(has_text=child)
    expect(row).to_have_attribute("data-state", "open")
    expect(row).to_contain_text("体温 ≥ 37.3 °C")
    expect(row).to_contain_text(klass["name"])
    shot(teacher, "desktop-forms-cases")
    row.click()
    drawer = teacher.get_by_test_id("case-drawer")
    expect(drawer).to_contain_text(child)
    expect(drawer).to_contain_text("还没有跟进记录")
    expect(
        drawer.get_by_test_id("case-note-state").locator("input[value=contacted]")
    ).to_be_checked()
    drawer.get_by_test_id("case-note-body").fill("已电话联系家长，孩子在家休息")
    drawer.get_by_test_id("case-note-save").click()
    note = drawer.get_by_test_id("case-note")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("已电话联系家长")
    expect(note).to_contain_text("已联系")
    expect(drawer.get_by_test_id("case-state").first).to_have_text("已联系")
    shot(teacher, "desktop-forms-case-drawer")
    teacher.keyboard.press("Escape")
    expect(row).to_have_attribute("data-state", "contacted")
    # Only the open ones: this one has gone from that list.
    state = cases.get_by_test_id("cases-state")
    until(
        lambda: state.get_by_text("待处理").click(),
        lambda ms: expect(teacher).to_have_url(re.compile("state=open"), timeout=ms),
    )
    expect(cases.get_by_test_id("case-row").filter(has_text=name)).to_have_count(0)

    # The principal, on a phone, sees it at the school with its follow-up, in the drawer.
    school = _head_unit(server, "principal", "head")
    phone = new_page(width=390, height=844, timezone_id=SHANGHAI)
    login(phone, "principal", then="/forms")
    phone.goto(f"/forms/cases?unit={school['id']}&campaign={campaign['id']}")
    theirs = phone.get_by_test_id("case-row").filter(has_text=child)
    expect(theirs).to_have_count(1)
    expect(theirs).to_have_attribute("data-state", "contacted")
    theirs.click()
    expect(phone.get_by_test_id("case-note")).to_contain_text("已电话联系家长")
    shot(phone, "phone-forms-case-drawer")
    phone.get_by_test_id("case-drawer").locator(".ant-drawer-close").click()
    expect(phone.get_by_test_id("case-drawer")).to_have_count(0)

    # Who the school alerts: the principal adds the class teacher, and then takes it back.
    before = server.api(f"/api/v1/forms/units/{school['id']}/responders", login="principal")
    responders = phone.get_by_test_id("responders")
    expect(responders).to_be_visible()
    teacher_name = server.api("/api/v1/auth/me", login="teacher")["name"]
    pick(phone, responders.get_by_test_id("responders-add"), teacher_name)
    expect(responders.get_by_test_id("responder").filter(has_text=teacher_name)).to_have_count(1)
    responders.get_by_test_id("responders-save").click()
    expect(responders.get_by_test_id("responders-saved")).to_be_visible()
    shot(phone, "phone-forms-responders")
    after = server.api(f"/api/v1/forms/units/{school['id']}/responders", login="principal")
    assert teacher_name in [p["name"] for p in after["people"]]
    server.api(
        f"/api/v1/forms/units/{school['id']}/responders",
        login="principal",
        method="PUT",
        body={"people": [p["id"] for p in before["people"]]},
    )


def test_a_teacher_starts_a_collection_reminded_by_ding_on_a_phone(
    new_page: NewPage, server: Server
) -> None:
    klass = _head_unit(server, "teacher", "teacher")
    name = f"DING 提醒晨检 {time.time_ns() % 100_000}"
    page = new_page(width=390, height=844, timezone_id=SHANGHAI)
    login(page, "teacher", then="/forms/campaigns/new")
    page.goto(f"/forms/campaigns/new?unit={klass['id']}")
    form = page.get_by_test_id("forms-campaign-form")
    options = page.locator(".ant-select-dropdown:visible .ant-select-item-option")
    until(
        lambda: form.get_by_test_id("campaign-template").click(),
        lambda ms: expect(options.first).to_be_visible(timeout=ms),
    )
    options.filter(has_text=re.compile(r"^学生每日健康打卡$")).click()
    form.get_by_test_id("campaign-name").fill(name)
    every_day(form.get_by_test_id("campaign-weekdays"))
    form.get_by_test_id("campaign-opens").fill("00:00")
    form.get_by_test_id("campaign-deadline").fill("23:59")
    form.get_by_test_id("campaign-start").fill(_today())
    by = form.get_by_test_id("campaign-remind-by")
    by.get_by_text("DING 提醒").click()
    expect(form).to_contain_text("DING 会持续提醒直到对方确认")
    shot(page, "phone-forms-campaign-remind-by-ding")
    form.get_by_test_id("campaign-create").click()
    stats = page.get_by_test_id("forms-stats")
    expect(stats).to_contain_text(name)
    campaign_id = int(page.url.split("/forms/campaigns/")[1].split("?")[0])
    try:
        made = server.api(f"/api/v1/forms/campaigns/{campaign_id}", login="teacher")
        assert made["remind_by"] == "ding" and made["reminders"] == ["08:00"]
        # The page's "remind those missing" offers the collection's way first.
        ok = page.get_by_test_id("stats-remind-ok")
        # Enabled once the day has opened (its job) and someone is missing. The job's figures
        # reach the page live; on a loaded CI host that event has been seen to arrive before
        # the page listened, so a reload stands in for it (noted in the session's notes).
        unit = made["unit_id"]
        day = _today()
        for _ in range(60):
            got = server.api(
                f"/api/v1/forms/campaigns/{campaign_id}/stats?day={day}&unit_id={unit}",
                login="teacher",
            )
            if got["figures"]["expected"] > 0:
                break
            time.sleep(0.5)
        assert got["figures"]["expected"] > 0, got
        button = stats.get_by_test_id("stats-remind-button")
        until(page.reload, lambda ms: expect(button).to_be_enabled(timeout=ms), tries=2)
        until(
            stats.get_by_test_id("stats-remind-button").click,
            lambda ms: expect(ok).to_be_visible(timeout=ms),
        )
        picked = page.get_by_test_id("stats-remind-by").locator("input[value=ding]")
        expect(picked).to_be_checked()
    finally:
        # Ended, so its 08:00 reminder rings nobody's phone while other tests run.
        server.api(f"/api/v1/forms/campaigns/{campaign_id}/close", login="teacher", method="POST")
