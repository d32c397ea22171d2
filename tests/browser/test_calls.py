"""1:1 calls in the browser (issue 13, docs/calls.md): the principal video-calls a teacher
from their direct chat; it rings on both of the teacher's pages (one phone-sized, in
English), is answered on one and stops ringing on the other; both sides receive frames
(framesDecoded from getStats rising, not assumed); the teacher hangs up, it ends for both,
and the chat shows the call time. A call nobody answers (one page has no microphone
permission and says so) is missed after the ringing time and noted in the chat."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from bellwork.media import local
from tests.browser.conftest import Server, login, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        local.find_binary("janus") is None,
        reason="janus is not installed (apt-get install janus; scripts/test.sh installs it)",
    ),
]

# Video frames this page's PeerConnections decoded (what it receives from the other side).
FRAMES = """async () => {
  let n = 0;
  for (const pc of window.bwPcs) {
    (await pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") n += r.framesDecoded || 0;
    });
  }
  return n;
}"""


def frames_rise(page: Any) -> None:
    first = 0
    for _ in range(40):
        first = page.evaluate(FRAMES)
        if first > 0:
            break
        page.wait_for_timeout(500)
    assert first > 0, "no frames decoded"
    page.wait_for_timeout(1500)
    assert page.evaluate(FRAMES) > first


def media_up(server: Server) -> None:
    for _ in range(30):
        if server.api("/api/v1/media/status", login="principal")["available"]:
            return
        time.sleep(1)
    raise AssertionError("no media server")


def chat_with(server: Server, who: str, other: str) -> int:
    person = server.api("/api/v1/auth/me", login=other)["id"]
    conv = server.api(
        "/api/v1/conversations/direct", login=who, method="POST", body={"person_id": person}
    )
    return int(conv["id"])


def test_video_call_rings_is_answered_and_shows_its_time(server: Server, new_page: Any) -> None:
    media_up(server)
    conv = chat_with(server, "principal", "teacher")
    caller_name = server.api("/api/v1/auth/me", login="principal")["name"]

    phone = new_page(390, 844, lang="en")
    other_device = new_page()
    login(phone, "teacher", then="/workbench")
    login(other_device, "teacher", then="/directory")
    caller = new_page()
    login(caller, "principal", then=f"/chat/{conv}")

    caller.get_by_test_id("call-video").click()
    expect(caller.get_by_test_id("call-status")).to_have_text("正在等待对方接听…")
    for page in (phone, other_device):
        expect(page.get_by_test_id("call-incoming")).to_be_visible()
        expect(page.get_by_test_id("call-incoming-name")).to_have_text(caller_name)
    expect(phone.get_by_test_id("call-incoming")).to_contain_text("is calling you (video)")
    shot(phone, "phone-call-incoming-en")

    # Answered on the phone: the other device stops ringing
    phone.get_by_test_id("call-accept").click()
    expect(other_device.get_by_test_id("call-incoming")).to_have_count(0)
    expect(phone.get_by_test_id("call-screen")).to_have_attribute("data-state", "active")
    expect(caller.get_by_test_id("call-screen")).to_have_attribute("data-state", "active")
    expect(other_device.get_by_test_id("call-screen")).to_have_count(0)

    # Both sides receive the other's video
    frames_rise(phone)
    frames_rise(caller)
    expect(phone.get_by_test_id("call-remote-video")).to_be_visible()
    expect(caller.get_by_test_id("call-remote-video")).to_be_visible()
    shot(phone, "phone-call-active-en")
    shot(caller, "desktop-call-active-caller")

    # The teacher hangs up: over for both; the chat says how long it took
    phone.wait_for_timeout(1200)
    phone.get_by_test_id("call-hangup").click()
    expect(phone.get_by_test_id("call-screen")).to_have_count(0)
    expect(caller.get_by_test_id("call-screen")).to_have_count(0)
    note = caller.get_by_test_id("chat-call-text").last
    expect(note).to_contain_text("通话时长 00:0")
    assert caller.evaluate("() => window.bwPcs.size") == 0
    phone.goto(f"/chat/{conv}")
    expect(phone.get_by_test_id("chat-call-text").last).to_contain_text("Call time 00:0")
    shot(phone, "phone-call-note-en")


def test_missed_call_and_no_microphone(server: Server, new_page: Any) -> None:
    media_up(server)
    conv = chat_with(server, "principal", "teacher")

    denied = new_page(390, 844)
    denied.add_init_script(
        """navigator.mediaDevices.getUserMedia = () =>
             Promise.reject(new DOMException("denied", "NotAllowedError"));"""
    )
    login(denied, "teacher", then="/workbench")
    caller = new_page()
    login(caller, "principal", then=f"/chat/{conv}")

    caller.get_by_test_id("call-voice").click()
    expect(denied.get_by_test_id("call-incoming")).to_contain_text("邀请你语音通话")
    denied.get_by_test_id("call-accept").click()
    expect(denied.get_by_test_id("call-problem")).to_contain_text("允许本网站访问麦克风")
    shot(denied, "phone-call-no-microphone")

    # Nobody answers: missed after the ringing time (10 s on the test server), for both
    expect(denied.get_by_test_id("call-incoming")).to_have_count(0, timeout=30_000)
    expect(caller.get_by_test_id("call-screen")).to_have_count(0, timeout=10_000)
    expect(caller.get_by_test_id("chat-call-text").last).to_have_text("对方无人接听")
    denied.goto(f"/chat/{conv}")
    last = denied.get_by_test_id("chat-call").last
    expect(last).to_have_attribute("data-outcome", "missed")
    expect(last.get_by_test_id("chat-call-text")).to_have_text("未接来电")
    shot(denied, "phone-call-missed")


def test_a_reloaded_page_rejoins_its_call(server: Server, new_page: Any) -> None:
    """The callee's page reloads mid-call: it finds the call, joins it again by itself, and
    both sides receive each other's video again; the call then ends normally, noted once."""
    media_up(server)
    conv = chat_with(server, "principal", "teacher")
    phone = new_page(390, 844, lang="en")
    login(phone, "teacher", then="/workbench")
    caller = new_page()
    login(caller, "principal", then=f"/chat/{conv}")

    caller.get_by_test_id("call-video").click()
    phone.get_by_test_id("call-accept").click()
    expect(phone.get_by_test_id("call-screen")).to_have_attribute("data-state", "active")
    frames_rise(phone)
    frames_rise(caller)

    phone.reload()
    expect(phone.get_by_test_id("call-screen")).to_have_attribute("data-state", "active")
    expect(phone.get_by_test_id("call-local-video")).to_be_visible()
    expect(phone.get_by_test_id("call-rejoin")).to_have_count(0)
    frames_rise(phone)
    frames_rise(caller)
    expect(caller.get_by_test_id("call-remote-video")).to_be_visible()
    shot(phone, "phone-call-after-reload-en")

    caller.get_by_test_id("call-hangup").click()
    expect(phone.get_by_test_id("call-screen")).to_have_count(0)
    expect(caller.get_by_test_id("call-screen")).to_have_count(0)
    notes = caller.get_by_test_id("chat-call-text")
    expect(notes.last).to_contain_text("通话时长")
