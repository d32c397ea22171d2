"""Helpers of the live-lesson browser tests (test_lessons.py, test_lessons_restart.py): frames
decoded from getStats, a feed's tile, a new student's first password, the media server up."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, Server

# framesDecoded of the PeerConnection watching `feed` (-1: none watches it).
FRAMES = """async (feed) => {
  const pc = window.bwFeedPcs.get(feed);
  if (!pc) return -1;
  let n = 0;
  (await pc.getStats()).forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "video") n += r.framesDecoded || 0;
  });
  return n;
}"""


def settle_password(server: Server, username: str) -> None:
    """A password an administrator set must be changed at first login: done here, to the
    demo's password, so the page logs in straight to the lesson."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def post(path: str, body: Any, csrf: str = "") -> Any:
        req = urllib.request.Request(
            server.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
        )
        return json.loads(opener.open(req, timeout=10).read())

    csrf = post("/api/v1/auth/login", {"login": username, "password": "first-password-2026"})
    post(
        "/api/v1/auth/password",
        {"current_password": "first-password-2026", "new_password": PASSWORD},
        csrf["csrf_token"],
    )


def frames_rise(page: Any, feed: int, wait_s: float = 20) -> None:
    """framesDecoded of the feed's PeerConnection grows over a second (waits up to `wait_s`)."""
    first = -1
    deadline = time.monotonic() + wait_s
    while True:
        first = page.evaluate(FRAMES, feed)
        if first > 0 or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    assert first > 0, f"no frames decoded for feed {feed}"
    page.wait_for_timeout(1500)
    assert page.evaluate(FRAMES, feed) > first


def feed_of(page: Any, name: str, timeout: float = 15_000) -> int:
    el = page.locator(f'[data-testid="lesson-feed"][data-name="{name}"]')
    expect(el).to_be_visible(timeout=timeout)
    return int(el.get_attribute("data-feed"))


def media_up(server: Server, wait_s: float = 30) -> dict[str, Any]:
    """The media status once it says available (the demo's Janus answers), waiting up to
    `wait_s`; the last status otherwise."""
    deadline = time.monotonic() + wait_s
    while True:
        status: dict[str, Any] = server.api("/api/v1/media/status", login="teacher")
        if status["available"] or time.monotonic() > deadline:
            return status
        time.sleep(1)
