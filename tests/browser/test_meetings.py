"""A meeting in the browser (issue 13, docs/meetings.md): the teacher starts an instant meeting
from a group chat's header; two students join on phone-sized pages (one in English) with
the microphone and camera off; one turns the microphone on and the others hear it (audio
packets and energy rising in getStats, not assumed). The host hard-mutes that student: even
with their client sending again on its own (the page forced to put a live microphone back on
the same PeerConnection, its packets still going out), nothing of their audio reaches the
others, measured the same way, until the host allows them to unmute. The host ends the
meeting; attendance shows both; the minutes go into the group chat."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from bellwork.media import local
from tests.browser.conftest import Server, login, pick, shot
from tests.browser.test_lessons import settle_password

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        local.find_binary("janus") is None,
        reason="janus is not installed (apt-get install janus; scripts/test.sh installs it)",
    ),
]

# Two students the test adds to the teacher's class (they log in by student number).
STUDENTS = ("202698811", "202698812")

HEARD = """async (feed) => {
  const pc = window.bwFeedPcs.get(feed);
  if (!pc) return null;
  let out = null;
  (await pc.getStats()).forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "audio")
      out = { packets: r.packetsReceived || 0, energy: r.totalAudioEnergy || 0 };
  });
  return out;
}"""

SENT = """async () => {
  let n = 0;
  for (const pc of window.bwOwnPcs)
    (await pc.getStats()).forEach((r) => {
      if (r.type === "outbound-rtp" && r.kind === "audio") n += r.packetsSent || 0;
    });
  return n;
}"""

# What a modified client would do: put a live microphone back on its publisher by itself.
FORCE_SEND = """async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const mic = stream.getAudioTracks()[0];
  for (const pc of window.bwOwnPcs)
    for (const t of pc.getTransceivers())
      if (t.receiver.track.kind === "audio") await t.sender.replaceTrack(mic);
}"""


# Chromium's fake microphone beeps 20 ms every 500 ms: too little for Janus's talking events
# (an average level over a second). The speaker's page gets a microphone that holds a tone.
TONE_MIC = """(() => {
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => {
    if (!c || !c.audio || c.video) return real(c);
    const ctx = new AudioContext();
    void ctx.resume();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    gain.gain.value = 0.5;
    const out = ctx.createMediaStreamDestination();
    osc.connect(gain).connect(out);
    osc.start();
    return out.stream;
  };
})();"""


def heard(page: Any, feed: int) -> dict[str, float]:
    found = None
    for _ in range(40):
        found = page.evaluate(HEARD, feed)
        if found is not None:
            return dict(found)
        page.wait_for_timeout(500)
    pcs = page.evaluate("() => [...window.bwFeedPcs.keys()].map(String)")
    tiles = page.locator('[data-testid="meeting-feed"]').evaluate_all(
        "(els) => els.map((e) => e.dataset.feed + ':' + e.dataset.name)"
    )
    raise AssertionError(f"no audio receiver for feed {feed} (watching {pcs}; tiles {tiles})")


def audio_arrives(page: Any, feed: int) -> None:
    """Packets and audio energy of the feed grow (waits up to 20 s for them to start)."""
    before = heard(page, feed)
    for _ in range(40):
        page.wait_for_timeout(500)
        now = heard(page, feed)
        if now["packets"] > before["packets"] + 20 and now["energy"] > before["energy"]:
            return
    raise AssertionError(f"no audio from feed {feed}: {before} -> {now}")


def audio_silent(page: Any, feed: int) -> None:
    """Over 2.5 s, no packet and no energy of the feed arrives."""
    page.wait_for_timeout(1000)  # what was on its way
    before = heard(page, feed)
    page.wait_for_timeout(2500)
    now = heard(page, feed)
    assert now["packets"] - before["packets"] <= 2, (before, now)
    assert now["energy"] - before["energy"] < 1e-6, (before, now)


def feed_of(page: Any, name: str) -> int:
    el = page.locator(f'[data-testid="meeting-feed"][data-name="{name}"]')
    expect(el).to_have_count(1)
    return int(el.get_attribute("data-feed"))


def _media_up(server: Server) -> None:
    for _ in range(30):
        if server.api("/api/v1/media/status", login="teacher")["available"]:
            return
        time.sleep(1)
    raise AssertionError("the demo's Janus did not come up")


def test_meeting_with_a_hard_mute_proved_by_audio_levels(server: Server, new_page: Any) -> None:
    _media_up(server)
    klass = server.api("/api/v1/auth/me", login="teacher")["memberships"][0]["unit"]["id"]
    names = {STUDENTS[0]: "发言同学", STUDENTS[1]: "旁听同学"}
    ids = {}
    for number, name in names.items():
        ids[name] = server.api(
            "/api/v1/people",
            method="POST",
            body={
                "name": name,
                "username": f"s{number}",
                "password": "first-password-2026",
                "memberships": [{"unit_id": klass, "role": "student"}],
            },
        )["id"]
        settle_password(server, f"s{number}")
    speaker_name, listener_name = names[STUDENTS[0]], names[STUDENTS[1]]

    # From a group chat's header: an instant meeting for its members
    group = server.api(
        "/api/v1/conversations/groups",
        login="teacher",
        method="POST",
        body={"name": "课题小组", "member_ids": [ids[n] for n in names.values()]},
    )
    host = new_page()
    login(host, "teacher", then=f"/chat/{group['id']}")
    host.get_by_test_id("chat-meeting-new").click()
    host.wait_for_url("**/meetings/*")
    expect(host.get_by_test_id("meeting-state")).to_have_text("进行中")
    meeting_id = int(host.url.rstrip("/").split("/")[-1])

    a, b = new_page(390, 844), new_page(390, 844, lang="en")
    a.add_init_script(TONE_MIC)
    login(a, f"s{STUDENTS[0]}", then=f"/meetings/{meeting_id}")
    login(b, f"s{STUDENTS[1]}", then=f"/meetings/{meeting_id}")
    for page in (a, b):
        expect(page.get_by_test_id("meeting-page")).to_have_attribute("data-me", "in")
    # Everyone joins muted, camera off
    expect(a.get_by_test_id("meeting-mic")).to_have_attribute("data-on", "0")
    expect(b.get_by_test_id("meeting-mic")).to_have_text("Unmute")
    expect(host.locator('[data-testid="meeting-person"]')).to_have_count(3)

    # The speaker unmutes: the others hear them, and Janus names them the active speaker
    a.get_by_test_id("meeting-mic").click()
    expect(a.get_by_test_id("meeting-mic")).to_have_attribute("data-on", "1")
    speaker_on_b, speaker_on_host = feed_of(b, speaker_name), feed_of(host, speaker_name)
    audio_arrives(b, speaker_on_b)
    audio_arrives(host, speaker_on_host)
    tile = b.locator(f'[data-testid="meeting-feed"][data-name="{speaker_name}"]')
    expect(tile).to_have_attribute("data-talking", "1", timeout=20_000)
    expect(tile).to_have_class(re.compile("bw-meeting-big"))
    shot(b, "phone-meeting-speaker-en")

    # The host hard-mutes the speaker
    row = host.locator(f'[data-testid="meeting-person"][data-name="{speaker_name}"]')
    row.get_by_test_id("meeting-mute").click()
    expect(row).to_have_attribute("data-muted", "1")
    expect(a.get_by_test_id("meeting-mic")).to_have_text("已被主持人静音")
    shot(host, "desktop-meeting-host")
    shot(a, "phone-meeting-muted")
    # Their client sends again anyway: its packets go out, none reach the others
    a.evaluate(FORCE_SEND)
    sent = a.evaluate(SENT)
    a.wait_for_timeout(2000)
    assert a.evaluate(SENT) > sent + 20, "the muted client is not sending"
    audio_silent(b, speaker_on_b)
    audio_silent(host, speaker_on_host)
    # Unmuting from the page is refused while muted
    a.get_by_test_id("meeting-mic").click()
    expect(a.get_by_test_id("meeting-mic")).to_have_attribute("data-on", "0")

    # The host allows unmuting: the speaker unmutes and is heard again
    row.get_by_test_id("meeting-allow").click()
    expect(row).to_have_attribute("data-muted", "0")
    expect(a.get_by_test_id("meeting-mic")).to_have_text("开麦")
    a.get_by_test_id("meeting-mic").click()
    expect(a.get_by_test_id("meeting-mic")).to_have_attribute("data-on", "1")
    audio_arrives(b, speaker_on_b)

    # The host ends it for everyone
    host.get_by_test_id("meeting-end").click()
    host.get_by_role("button", name="OK").or_(host.get_by_role("button", name="确 定")).click()
    for page in (a, b, host):
        expect(page.get_by_test_id("meeting-ended")).to_be_visible()

    # Attendance: both students, with time
    host.get_by_test_id("meeting-attendance-link").click()
    for name in (speaker_name, listener_name):
        r = host.locator(f'[data-testid="meeting-att-row"][data-name="{name}"]')
        expect(r).to_be_visible()
        assert float(r.get_by_test_id("meeting-att-minutes").inner_text()) > 0
    shot(host, "desktop-meeting-attendance")

    # The minutes, into the class group
    host.go_back()
    host.get_by_test_id("meeting-minutes-text").fill("下周一前交作业")
    host.get_by_test_id("meeting-minutes-post").click()
    login_chat = new_page(390, 844)
    login(login_chat, f"s{STUDENTS[1]}", then=f"/chat/{group['id']}")
    expect(login_chat.get_by_text("下周一前交作业")).to_be_visible()
    expect(login_chat.get_by_test_id("chat-meeting").last).to_be_visible()
    shot(login_chat, "phone-meeting-minutes")


def test_clear_message_without_camera_or_microphone(server: Server, new_page: Any) -> None:
    """A browser that may not use the microphone is told what to do."""
    _media_up(server)
    klass = server.api("/api/v1/auth/me", login="teacher")["memberships"][0]["unit"]["id"]
    meeting = server.api(
        "/api/v1/meetings",
        login="teacher",
        method="POST",
        body={"title": "无麦克风", "unit_id": klass, "client_id": f"mic-{time.time()}"},
    )
    page = new_page(390, 844)
    page.add_init_script(
        """navigator.mediaDevices.getUserMedia = () =>
             Promise.reject(new DOMException("denied", "NotAllowedError"));"""
    )
    login(page, "teacher", then=f"/meetings/{meeting['id']}")
    page.get_by_test_id("meeting-start").click()
    expect(page.get_by_test_id("meeting-page")).to_have_attribute("data-me", "in")
    page.get_by_test_id("meeting-mic").click()
    expect(page.get_by_test_id("meeting-problem")).to_contain_text("允许本网站访问摄像头和麦克风")
    shot(page, "phone-meeting-no-microphone")
    server.api(f"/api/v1/meetings/{meeting['id']}/end", login="teacher", method="POST")


def test_new_meeting_for_invited_people_and_its_reminder(server: Server, new_page: Any) -> None:
    """The form on /meetings (phone-sized): invited people — none is refused with the server's
    message, then one invited person; a unit's choice in English. The invited person then gets
    a scheduled meeting's reminder (the server's own job runner, 5 minutes before its start)
    as a card whose button opens the meeting."""
    klass = server.api("/api/v1/auth/me", login="teacher")["memberships"][0]["unit"]["id"]
    number = "202698813"
    guest = server.api(
        "/api/v1/people",
        method="POST",
        body={
            "name": "受邀同学",
            "username": f"s{number}",
            "password": "first-password-2026",
            "memberships": [{"unit_id": klass, "role": "student"}],
        },
    )["id"]
    settle_password(server, f"s{number}")

    host = new_page(390, 844)
    login(host, "teacher", then="/meetings")
    host.get_by_test_id("meeting-title").fill("家访安排")
    host.get_by_test_id("meeting-audience-kind").get_by_text("邀请人员").click()
    # Nobody invited: the server's 422 `meeting_nobody_invited`, in words
    host.get_by_test_id("meeting-start-now").click()
    expect(host.get_by_test_id("meeting-error")).to_have_text("请至少邀请一位其他成员。")
    pick(host, host.get_by_test_id("meeting-person-select"), "受邀同学")
    expect(host.get_by_test_id("meeting-invitee")).to_have_text("受邀同学")
    when = host.locator('[data-testid="meeting-when"] input, input[data-testid="meeting-when"]')
    when.fill("2030-09-01 09:00")
    when.press("Enter")
    expect(host.get_by_test_id("meeting-error")).to_have_count(0)
    shot(host, "phone-meeting-new-invited")
    host.get_by_test_id("meeting-schedule").click()
    host.wait_for_url(re.compile(r".*/meetings/\d+$"))
    expect(host.get_by_test_id("meeting-state")).to_have_text("未开始")
    meeting_id = int(host.url.rstrip("/").split("/")[-1])
    made = server.api(f"/api/v1/meetings/{meeting_id}", login="teacher")
    assert made["title"] == "家访安排" and made["starts_at"].startswith("2030-09-01")

    # The invited person sees it; a reminder of another meeting, due now, opens it
    guest_page = new_page(390, 844)
    login(guest_page, f"s{number}", then="/meetings")
    expect(guest_page.get_by_test_id("meeting-row").filter(has_text="家访安排")).to_be_visible()
    soon = time.time() + 5 * 60 + 3
    starts = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(soon))
    reminded = server.api(
        "/api/v1/meetings",
        login="teacher",
        method="POST",
        body={
            "title": "临时班会",
            "person_ids": [guest],
            "starts_at": starts,
            "client_id": f"remind-{time.time()}",
        },
    )
    card = guest_page.get_by_test_id("meeting-reminder")
    expect(card).to_contain_text("会议将在 5 分钟后开始", timeout=30_000)
    expect(card).to_contain_text("临时班会")
    shot(guest_page, "phone-meeting-reminder")
    card.get_by_test_id("meeting-reminder-open").click()
    guest_page.wait_for_url(f"**/meetings/{reminded['id']}")
    expect(guest_page.get_by_test_id("meeting-state")).to_have_text("未开始")

    # In English: the three kinds, and the unit picker
    en = new_page(390, 844, lang="en")
    login(en, "teacher", then="/meetings")
    en.get_by_test_id("meeting-audience-kind").get_by_text("Unit").click()
    expect(en.get_by_test_id("meeting-unit")).to_contain_text("Pick a unit you belong to")
    shot(en, "phone-meeting-new-unit-en")
    for mid in (meeting_id, reminded["id"]):
        server.api(f"/api/v1/meetings/{mid}/end", login="teacher", method="POST")
