"""The installable web app in Chromium (docs/push.md): the manifest and its icons, the service
worker controlling the page, the offline page when the server cannot be reached, a Web Push
(delivered to the worker through DevTools, as headless Chromium has no push service to
reach) shown as a notification and closed by the close push, and the settings under 我 → 通知.
"""

from __future__ import annotations

import base64
import io
import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from bellwork.push.messages import ding_close, ding_push, notice_push
from bellwork.push.service import render
from tests.browser.conftest import Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
WHO = "principal"  # no other browser test DINGs the principal or changes their push settings


def controlled(page: Any) -> None:
    """Waits until the service worker is active and controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # (evaluate awaits it)
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller", timeout=20_000)


def test_the_manifest_and_icons_make_an_installable_app(new_page: NewPage, server: Server) -> None:
    page = new_page()
    page.goto("/login")
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    assert href == "/manifest.webmanifest"
    r = page.request.get(href)
    assert r.ok and r.headers["content-type"].startswith("application/manifest+json")
    m = json.loads(r.text())
    assert m["name"].startswith("Bellwork") and m["short_name"] == "Bellwork"
    assert (m["display"], m["start_url"], m["scope"]) == ("standalone", "/chat?source=pwa", "/")
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in m["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in m["icons"]:
        got = page.request.get(icon["src"])
        assert got.ok and got.headers["content-type"] == "image/png"
        w, h = Image.open(io.BytesIO(got.body())).size
        assert f"{w}x{h}" == icon["sizes"]
    sw = page.request.get("/sw.js")
    assert sw.ok and "javascript" in sw.headers["content-type"]
    assert sw.headers["cache-control"] == "no-cache"
    assert "__SHELL__" not in sw.text() and "/assets/" in sw.text()


def test_the_worker_controls_the_page_and_offline_shows_the_offline_page(
    new_page: NewPage, server: Server
) -> None:
    page = new_page()
    login(page, WHO, then="/chat")
    controlled(page)
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == server.url + "/"
    page.context.set_offline(True)
    try:
        page.reload()
        expect(page.get_by_test_id("offline-page")).to_be_visible()
        expect(page.get_by_text("暂时无法连接 Bellwork")).to_be_visible()
        shot(page, "push-offline")
    finally:
        page.context.set_offline(False)
    # Back online, the offline page goes back to the app ("online" reloads it).
    expect(page.get_by_test_id("nav-chat").first).to_be_visible()
    assert page.url.endswith("/chat")


class Pusher:
    """Delivers push messages to the service worker through DevTools (ServiceWorker domain)."""

    def __init__(self, page: Any) -> None:
        self.cdp = page.context.new_cdp_session(page)
        found: list[dict[str, Any]] = []
        self.cdp.on(
            "ServiceWorker.workerRegistrationUpdated", lambda e: found.extend(e["registrations"])
        )
        self.cdp.send("ServiceWorker.enable")
        for _ in range(50):
            if any(not r.get("isDeleted") for r in found):
                break
            page.wait_for_timeout(100)
        (self.reg,) = [r for r in found if not r.get("isDeleted")]

    def push(self, data: bytes) -> None:
        self.cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": self.reg["scopeURL"].rstrip("/"),
                "registrationId": self.reg["registrationId"],
                "data": data.decode(),
            },
        )


NOTIFICATIONS = """async (tag) => {
  const reg = await navigator.serviceWorker.ready;
  const shown = await reg.getNotifications(tag ? { tag } : {});
  return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag,
    requireInteraction: n.requireInteraction, silent: n.silent, url: n.data && n.data.url }));
}"""


def shown(page: Any, tag: str, done: Callable[[list[dict[str, Any]]], bool]) -> Any:
    """The worker's notifications with `tag` once `done` holds for them (10 s at most)."""
    found: list[dict[str, Any]] = []
    for _ in range(50):
        found = page.evaluate(NOTIFICATIONS, tag)
        if done(found):
            return found
        page.wait_for_timeout(200)
    raise AssertionError(f"notifications with tag {tag}: {found}")


def test_a_ding_push_shows_a_notification_and_the_close_push_replaces_it(
    new_page: NewPage, server: Server
) -> None:
    page = new_page()
    page.context.grant_permissions(["notifications"], origin=server.url)
    login(page, WHO, then="/chat")
    controlled(page)
    pusher = Pusher(page)
    sender = type("Ref", (), {"name": "王老师"})()
    payload = render(ding_push(9001, sender, "明天停课，请确认收到"), "zh-CN")  # type: ignore[arg-type]
    # A Bellwork page in front: it shows its own card, the worker shows nothing.
    pusher.push(payload)
    page.wait_for_timeout(1000)
    assert page.evaluate(NOTIFICATIONS, "bw-ding-9001") == []
    # No Bellwork page open (a phone in a pocket): the worker shows it.
    page.goto("about:blank")
    pusher.push(payload)
    page.wait_for_timeout(500)
    page.goto("/offline.html")  # a page of the site without the app, to look
    (n,) = shown(page, "bw-ding-9001", lambda n: len(n) == 1)
    assert (n["title"], n["body"], n["requireInteraction"], n["url"]) == (
        "王老师发来 DING",
        "明天停课，请确认收到",
        True,
        "/chat",
    )
    page.goto("about:blank")
    # Confirmed on another device: the close push takes its place, quietly.
    pusher.push(render(ding_close(9001, "confirmed"), "zh-CN"))
    page.wait_for_timeout(500)
    page.goto("/offline.html")
    (n,) = shown(page, "bw-ding-9001", lambda n: len(n) == 1 and n[0]["title"] == "已确认收到")
    assert (n["body"], n["silent"], n["requireInteraction"]) == (
        "您已在其他设备上确认收到。",
        True,
        False,
    )


def test_the_notification_settings_toggle_push_categories_and_list_devices(
    new_page: NewPage, server: Server
) -> None:
    # A device of the principal's, as a phone would have subscribed it (an FCM endpoint).
    key = base64.urlsafe_b64encode(b"\x04" + os.urandom(64)).rstrip(b"=").decode()
    auth = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()
    server.api(
        "/api/v1/push/subscriptions",
        login=WHO,
        method="POST",
        body={
            "endpoint": f"https://fcm.googleapis.com/fcm/send/test-{os.urandom(6).hex()}",
            "keys": {"p256dh": key, "auth": auth},
            "label": "Chrome on Android",
        },
    )
    page = new_page(390, 844)
    page.context.grant_permissions(["notifications"], origin=server.url)
    login(page, WHO, then="/me")
    page.get_by_test_id("me-notifications").click()
    card = page.get_by_test_id("push-settings")
    expect(card).to_be_visible()
    expect(card).to_contain_text("推送到手机和电脑")
    # Turning it on for this device: headless Chromium has no push service to register
    # with, which the page says, leaving the switch off.
    controlled(page)
    this = page.get_by_test_id("push-this-device")
    expect(this).to_have_attribute("aria-checked", "false")
    this.click()
    expect(page.get_by_test_id("push-error")).to_contain_text("无法开启推送")
    expect(this).to_have_attribute("aria-checked", "false")
    mention = page.get_by_test_id("push-push_mention")
    expect(mention).to_have_attribute("aria-checked", "true")
    mention.click()
    expect(mention).to_have_attribute("aria-checked", "false")
    devices = page.get_by_test_id("push-device")
    expect(devices).to_have_count(1)
    expect(devices.first).to_contain_text("Chrome on Android")
    expect(devices.first).to_contain_text("fcm.googleapis.com")
    shot(page, "push-settings-phone")
    page.reload()
    expect(page.get_by_test_id("push-push_mention")).to_have_attribute("aria-checked", "false")
    assert server.api("/api/v1/me/preferences", login=WHO)["push_mention"] is False
    # Removing the device.
    page.get_by_test_id("push-device-remove").click()
    page.locator(".ant-popconfirm .ant-btn-primary").click()  # 移除
    expect(page.get_by_test_id("push-device")).to_have_count(0)
    assert server.api("/api/v1/push/devices", login=WHO)["items"] == []
    # Back as it was for whoever runs after.
    page.get_by_test_id("push-push_mention").click()
    expect(page.get_by_test_id("push-push_mention")).to_have_attribute("aria-checked", "true")


# The do-not-disturb window where the worker reads it (web/src/features/push/quiet.ts).
QUIET = """async () => {
  const r = await (await caches.open("bw-quiet-hours")).match("/__bw/quiet-hours");
  return r ? await r.json() : null;
}"""


def test_pushes_within_do_not_disturb_hours_come_quietly_but_a_ding_still_rings(
    new_page: NewPage, server: Server
) -> None:
    page = new_page()
    page.context.grant_permissions(["notifications"], origin=server.url)
    login(page, WHO, then="/chat")
    controlled(page)
    # Do not disturb from an hour ago to an hour from now, on the browser's clock.
    start, end = page.evaluate(
        """() => [-60, 60].map((m) => {
             const d = new Date(Date.now() + m * 60000);
             const two = (n) => String(n).padStart(2, "0");
             return `${two(d.getHours())}:${two(d.getMinutes())}`;
           })"""
    )
    body = {"dnd": True, "dnd_start": start, "dnd_end": end}
    server.api("/api/v1/me/preferences", login=WHO, method="PATCH", body=body)
    try:
        page.reload()  # the page hands the window to the worker once it has the preferences
        # (polled from here: wait_for_function takes the promise an async predicate returns
        # for a true answer, which let this test race the page's write)
        for _ in range(100):
            if (page.evaluate(QUIET) or {}).get("dnd") is True:
                break
            page.wait_for_timeout(200)
        else:
            raise AssertionError(
                f"the page never kept the window for the worker: {page.evaluate(QUIET)}"
            )
        pusher = Pusher(page)
        page.goto("about:blank")  # no Bellwork page in front: the worker shows them
        pusher.push(render(notice_push(9101, "期末考试安排", "王老师"), "zh-CN"))
        sender = type("Ref", (), {"name": "王老师"})()
        pusher.push(render(ding_push(9102, sender, "今晚停电，请确认"), "zh-CN"))  # type: ignore[arg-type]
        page.wait_for_timeout(500)
        page.goto("/offline.html")
        (notice,) = shown(page, "bw-notice-9101", lambda n: len(n) == 1)
        assert notice["silent"] is True
        (ding,) = shown(page, "bw-ding-9102", lambda n: len(n) == 1)
        assert (ding["silent"], ding["requireInteraction"]) == (False, True)
    finally:
        server.api("/api/v1/me/preferences", login=WHO, method="PATCH", body={"dnd": False})
        page.evaluate("() => caches.delete('bw-quiet-hours')")
