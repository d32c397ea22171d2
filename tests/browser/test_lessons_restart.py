"""Janus restarting mid-lesson, in the browser (issue 13, docs/lessons.md "Janus restarting
mid-lesson"): the teacher publishes the fake camera, a student on a phone-sized page decodes
frames; the demo's Janus is killed (SIGKILL) and its supervisor starts it again. With no click
and no reload, the teacher's page publishes again and the student's page decodes frames on a
new connection; attendance shows the student's two visits (the gap).

It ends with Janus answering again and the media status `available`, so the browser tests after
it (meetings, calls) find the demo's Janus as they would have."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import psutil
import pytest
from playwright.sync_api import expect

from bellwork.media import local
from tests.browser.conftest import Server, login, shot
from tests.browser.lesson_media import feed_of, media_up, settle_password

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        local.find_binary("janus") is None,
        reason="janus is not installed (apt-get install janus; scripts/test.sh installs it)",
    ),
]

STUDENT = "202698821"  # not one of the other browser tests' students
NAME = "重连同学"

# Frames on connections made after the kill: the page's PeerConnections are marked `bwOld`
# before it. Watching: framesDecoded of the (new) PeerConnection of each feed; publishing:
# framesEncoded of the teacher's new sending connection.
NEW_FRAMES_IN = """async () => {
  const out = {};
  for (const [feed, pc] of window.bwFeedPcs) {
    if (pc.bwOld) continue;
    let n = 0;
    (await pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") n += r.framesDecoded || 0;
    });
    out[feed] = n;
  }
  return out;
}"""
NEW_FRAMES_OUT = """async () => {
  let n = 0;
  for (const pc of window.bwPcs) {
    if (pc.bwOld || pc.connectionState !== "connected") continue;
    (await pc.getStats()).forEach((r) => {
      if (r.type === "outbound-rtp" && r.kind === "video") n += r.framesEncoded || 0;
    });
  }
  return n;
}"""
MARK_OLD = """() => {
  for (const pc of window.bwPcs) pc.bwOld = true;
  for (const pc of window.bwFeedPcs.values()) pc.bwOld = true;
}"""


def janus_of(server: Server) -> psutil.Process | None:
    """The demo's Janus: a child of the demo server's process."""
    for p in psutil.Process(server.pid).children(recursive=True):
        try:
            if p.name() == "janus" and p.status() != psutil.STATUS_ZOMBIE:
                return p
        except psutil.NoSuchProcess:
            continue
    return None


def rising(read: Any, page: Any, what: str, wait_s: float) -> Any:
    """Polls `read()` (a number, from the page) until it is positive and has grown over a
    second; returns the last value. Waits up to `wait_s` in all."""
    deadline = time.monotonic() + wait_s
    first = 0
    while time.monotonic() < deadline:
        first = read()
        if first > 0:
            page.wait_for_timeout(1500)
            later = read()
            if later > first:
                return later
        page.wait_for_timeout(1000)
    raise AssertionError(f"{what}: nothing rising within {wait_s:.0f} s (last {first})")


def test_janus_restarting_mid_lesson_clients_rejoin_by_themselves(
    server: Server, new_page: Any
) -> None:
    status = media_up(server)
    assert status["available"], status
    old_janus = janus_of(server)
    assert old_janus is not None, "the demo runs no Janus of its own"

    klass = server.api("/api/v1/auth/me", login="teacher")["memberships"][0]["unit"]["id"]
    server.api(
        "/api/v1/people",
        method="POST",
        body={
            "name": NAME,
            "username": f"s{STUDENT}",
            "password": "first-password-2026",
            "memberships": [{"unit_id": klass, "role": "student"}],
        },
    )
    settle_password(server, f"s{STUDENT}")
    teacher_name = server.api("/api/v1/auth/me", login="teacher")["name"]
    lesson = server.api(
        "/api/v1/lessons",
        login="teacher",
        method="POST",
        body={
            "title": "重启 · 测试",
            "unit_ids": [klass],
            "client_id": f"restart-{time.time()}",
            "start_now": True,
        },
    )
    lid = lesson["id"]
    try:
        teacher = new_page()
        login(teacher, "teacher", then=f"/lessons/{lid}")
        expect(teacher.get_by_test_id("lesson-state")).to_have_text("直播中")
        teacher.get_by_test_id("lesson-publish").click()
        expect(teacher.get_by_test_id("lesson-self").locator("video")).to_be_visible()

        student = new_page(390, 844)
        login(student, f"s{STUDENT}", then=f"/lessons/{lid}")
        old_feed = feed_of(student, teacher_name)
        rising(
            lambda: student.evaluate(NEW_FRAMES_IN).get(str(old_feed), 0),
            student,
            "frames decoded before the restart",
            30,
        )
        rising(lambda: teacher.evaluate(NEW_FRAMES_OUT), teacher, "frames sent before", 30)
        for page in (teacher, student):
            page.evaluate(MARK_OLD)

        # Janus dies (no goodbye to anyone); the supervisor starts it again after a second.
        os.kill(old_janus.pid, signal.SIGKILL)
        killed = time.monotonic()
        deadline = time.monotonic() + 60
        while True:
            again = janus_of(server)
            if again is not None and again.pid != old_janus.pid:
                break
            assert time.monotonic() < deadline, "the supervisor did not start Janus again"
            time.sleep(0.5)
        assert media_up(server, 60)["available"]

        # No click, no reload: both pages notice, the lesson gets a new room, the teacher
        # publishes again and the student watches the new feed on a new connection.
        sent = rising(
            lambda: teacher.evaluate(NEW_FRAMES_OUT), teacher, "teacher publishing again", 120
        )
        new_feed = feed_of(student, teacher_name, timeout=60_000)
        decoded = rising(
            lambda: student.evaluate(NEW_FRAMES_IN).get(str(new_feed), 0),
            student,
            "student decoding again",
            90,
        )
        assert student.evaluate("(feed) => !window.bwFeedPcs.get(feed).bwOld", new_feed), (
            "frames on the old connection"
        )
        expect(teacher.get_by_test_id("lesson-self").locator("video")).to_be_visible()
        print(
            f"{time.monotonic() - killed:.1f} s after the kill: teacher sent {sent} frames, "
            f"student decoded {decoded} on feed {new_feed} (was {old_feed})"
        )
        shot(student, "phone-lesson-after-janus-restart")

        # Attendance: the student's visit before the restart closed, a new one opened (2 joins)
        att = server.api(f"/api/v1/lessons/{lid}/attendance", login="teacher")
        rows = {a["name"]: a for c in att["classes"] for a in c["attended"]}
        assert rows[NAME]["joins"] >= 2, rows[NAME]
        page = new_page()
        login(page, "teacher", then=f"/lessons/{lid}/attendance")
        row = page.locator(f'[data-testid="lesson-att-row"][data-name="{NAME}"]')
        expect(row).to_be_visible()
        assert int(row.locator("td").nth(4).inner_text()) >= 2
    finally:
        server.api(f"/api/v1/lessons/{lid}/end", login="teacher", method="POST")
        # The tests after this one share the demo's Janus: it must answer again.
        assert media_up(server, 60)["available"]
