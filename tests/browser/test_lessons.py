"""A live lesson in the browser (issue 13, docs/lessons.md): the teacher goes live from the
lessons page with the fake camera; two students on phone-sized pages see frames arriving
(framesDecoded from getStats rising, not assumed); one raises a hand and is brought on stage,
and the other sees that student's video; the teacher ends; the replay plays and its time
counts; attendance shows both with times."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from bellwork.media import local
from tests.browser.conftest import Server, login, shot, until
from tests.browser.lesson_media import feed_of, frames_rise, media_up, settle_password

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        local.find_binary("janus") is None,
        reason="janus is not installed (apt-get install janus; scripts/test.sh installs it)",
    ),
]

# Two students the test adds to the teacher's class (they log in by student number).
STUDENTS = ("202698801", "202698802")


def test_live_lesson_with_stage_and_attendance(server: Server, new_page: Any) -> None:
    status = media_up(server)
    assert status["available"], status
    klass = server.api("/api/v1/auth/me", login="teacher")["memberships"][0]["unit"]["id"]
    names = {STUDENTS[0]: "连麦同学", STUDENTS[1]: "观看同学"}
    for number, name in names.items():
        server.api(
            "/api/v1/people",
            method="POST",
            body={
                "name": name,
                "username": f"s{number}",
                "password": "first-password-2026",
                "memberships": [{"unit_id": klass, "role": "student"}],
            },
        )
        settle_password(server, f"s{number}")
    teacher_name = server.api("/api/v1/auth/me", login="teacher")["name"]

    # From the class group: its header starts a lesson for that class
    group = server.api(f"/api/v1/units/{klass}/group", login="teacher")
    teacher = new_page()
    login(teacher, "teacher", then=f"/chat/{group['id']}")
    teacher.get_by_test_id("chat-lesson-new").click()
    teacher.get_by_test_id("lesson-title").fill("数学 · 分数")
    expect(
        teacher.get_by_test_id("lesson-classes").locator("input[type=checkbox]:checked")
    ).to_have_count(1)
    teacher.get_by_test_id("lesson-go-live").click()
    expect(teacher.get_by_test_id("lesson-state")).to_have_text("直播中")
    lesson_id = int(teacher.url.rstrip("/").split("/")[-1])
    teacher.get_by_test_id("lesson-publish").click()
    expect(teacher.get_by_test_id("lesson-self").locator("video")).to_be_visible()

    a, b = new_page(390, 844), new_page(390, 844, lang="en")
    for page, number in ((a, STUDENTS[0]), (b, STUDENTS[1])):
        login(page, f"s{number}", then=f"/lessons/{lesson_id}")
    t_feed = feed_of(a, teacher_name)
    frames_rise(a, t_feed)
    frames_rise(b, feed_of(b, teacher_name))
    shot(b, "phone-lesson-student-en")

    # 连麦: A raises a hand, the teacher brings A on stage, B sees A's video
    a.get_by_test_id("lesson-hand").click()
    seat = teacher.locator(f'[data-testid="lesson-seat"][data-name="{names[STUDENTS[0]]}"]')
    until(
        lambda: seat.get_by_test_id("lesson-accept").click(),
        lambda ms: expect(seat.get_by_test_id("lesson-off")).to_be_visible(timeout=ms),
    )
    expect(a.get_by_test_id("lesson-self").locator("video")).to_be_visible()
    frames_rise(b, feed_of(b, names[STUDENTS[0]]))
    frames_rise(teacher, feed_of(teacher, names[STUDENTS[0]]))
    shot(b, "phone-lesson-stage")
    shot(teacher, "desktop-lesson-teacher")

    # Slides with a small camera: the teacher switches to screen + camera; watchers get both
    teacher.get_by_text("屏幕+摄像头").click()
    teacher.get_by_test_id("lesson-publish").click()
    both = b.locator(f'[data-testid="lesson-feed"][data-name="{teacher_name}"]')
    expect(both.locator("video")).to_have_count(2)
    expect(both.locator("video.bw-lesson-pip")).to_have_count(1)
    frames_rise(b, int(both.get_attribute("data-feed")))
    shot(b, "phone-lesson-screen-and-camera")

    # Comments beside the video
    b.get_by_test_id("lesson-comment-input").fill("Hello teacher")
    b.get_by_role("button", name="Send").click()
    expect(teacher.get_by_test_id("lesson-comments")).to_contain_text("Hello teacher")

    teacher.get_by_test_id("lesson-end").click()
    for page in (a, b, teacher):
        expect(page.get_by_test_id("lesson-ended")).to_be_visible()

    # The replay: made by a job from Janus's recordings; playing it counts as replay time
    video = b.get_by_test_id("lesson-replay")
    expect(video).to_be_visible(timeout=60_000)
    b.evaluate(
        """async () => {
      const v = document.querySelector('[data-testid="lesson-replay"]');
      v.muted = true;
      await v.play();
    }"""
    )
    b.wait_for_function(
        """() => document.querySelector('[data-testid="lesson-replay"]').currentTime > 1.5""",
        timeout=20_000,
    )
    assert (
        b.evaluate("""() => document.querySelector('[data-testid="lesson-replay"]').videoWidth""")
        > 0
    )
    b.evaluate("""() => document.querySelector('[data-testid="lesson-replay"]').pause()""")
    shot(b, "phone-lesson-replay-en")
    b.wait_for_timeout(500)
    watched = server.api(f"/api/v1/lessons/{lesson_id}/attendance", login="teacher")
    replay = {a["name"]: a["replay_seconds"] for c in watched["classes"] for a in c["attended"]}
    assert replay[names[STUDENTS[1]]] >= 1, replay

    teacher.get_by_test_id("lesson-attendance-link").click()
    for number in STUDENTS:
        row = teacher.locator(f'[data-testid="lesson-att-row"][data-name="{names[number]}"]')
        expect(row).to_be_visible()
        live = float(row.get_by_test_id("lesson-att-live").inner_text())
        assert live > 0
        expect(row.locator("td").nth(4)).to_have_text("1")  # one visit, one interval
    shot(teacher, "desktop-lesson-attendance")


def test_clear_messages_without_camera_or_media_server(server: Server, new_page: Any) -> None:
    """A browser without camera permission is told what to do; a lesson page while no media
    server answers says so and offers nothing that would fail."""
    klass = server.api("/api/v1/auth/me", login="teacher")["memberships"][0]["unit"]["id"]
    lesson = server.api(
        "/api/v1/lessons",
        login="teacher",
        method="POST",
        body={"title": "无摄像头", "unit_ids": [klass], "client_id": f"cam-{time.time()}"},
    )
    path = f"/lessons/{lesson['id']}"

    down = new_page()
    down.route(
        "**/api/v1/media/status",
        lambda route: route.fulfill(
            json={
                "available": False,
                "reason": "down",
                "message": "媒体服务器无响应，暂时无法开始直播课堂、视频会议和通话。",
                "turn": False,
                "servers": [],
            }
        ),
    )
    login(down, "teacher", then=path)
    expect(down.get_by_test_id("lesson-no-media")).to_contain_text("媒体服务器无响应")
    expect(down.get_by_test_id("lesson-start")).to_be_disabled()

    page = new_page()
    page.add_init_script(
        """navigator.mediaDevices.getUserMedia = () =>
             Promise.reject(new DOMException("denied", "NotAllowedError"));"""
    )
    login(page, "teacher", then=path)
    page.get_by_test_id("lesson-start").click()
    expect(page.get_by_test_id("lesson-state")).to_have_text("直播中")
    page.get_by_test_id("lesson-publish").click()
    expect(page.get_by_test_id("lesson-problem")).to_contain_text("允许本网站访问摄像头和麦克风")
    shot(page, "desktop-lesson-no-camera")
    server.api(f"/api/v1/lessons/{lesson['id']}/end", login="teacher", method="POST")
