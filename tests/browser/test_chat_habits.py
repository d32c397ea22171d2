"""A DingTalk user's first habits (issue 10, items 5 and 6): 发消息 from a person's card, the
"[有人@我]" / "[@所有人]" markers, 置顶 and 消息免打扰 in the conversation list, and the
notification settings — on a desktop and a phone, in Chinese and English."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Server, login, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}


def _me(server: Server, login_name: str) -> dict[str, Any]:
    me: dict[str, Any] = server.api("/api/v1/auth/me", login=login_name)
    return me


def _guardian(server: Server) -> str:
    return server.guardian_phone or "10000000009"


def _say(server: Server, conv: int, body: str, mentions: list[Any] | None = None) -> None:
    server.api(
        f"/api/v1/conversations/{conv}/messages",
        login="admin",
        method="POST",
        body={"body": body, "mentions": mentions or [], "client_msg_id": f"h-{time.time_ns()}"},
    )


def _open_card(page: Any, name: str) -> Any:
    page.get_by_test_id("directory-search").fill(name)
    page.get_by_test_id("person-row").filter(has_text=name).first.click()
    card = page.get_by_test_id("person-card")
    expect(card.get_by_test_id("person-card-name")).to_have_text(name)
    return card


def _pick(cell: Any) -> None:
    """Taps a picker cell until it is selected: the column scrolls after each tap, and a tap
    that lands while it does is lost (as a person would, tap again)."""
    for _ in range(3):
        cell.click()
        try:
            expect(cell.locator("xpath=..")).to_have_class(
                re.compile("cell-selected"), timeout=3000
            )
            return
        except AssertionError:
            continue
    expect(cell.locator("xpath=..")).to_have_class(re.compile("cell-selected"))


@pytest.mark.parametrize(("size", "lang"), [("desktop", "zh-CN"), ("phone", "en")])
def test_message_from_a_persons_card(
    new_page: NewPage, server: Server, size: str, lang: str
) -> None:
    guardian = _me(server, _guardian(server))
    teacher = _me(server, "teacher")
    page = new_page(**(PHONE if size == "phone" else {}), lang=lang)
    login(page, "teacher")

    # One's own card offers no 发消息 (that is "My devices").
    card = _open_card(page, teacher["name"])
    expect(card.get_by_test_id("person-card-name")).to_be_visible()
    expect(card.get_by_test_id("person-message")).to_have_count(0)
    page.keyboard.press("Escape")

    card = _open_card(page, guardian["name"])
    button = card.get_by_test_id("person-message")
    expect(button).to_have_text({"zh-CN": "发消息", "en": "Message"}[lang])
    shot(page, f"{size}-{lang}-person-card-message")
    button.click()
    expect(page).to_have_url(re.compile(r"/chat/\d+$"))
    expect(page.get_by_test_id("chat-title")).to_contain_text(guardian["name"])
    expect(page.get_by_test_id("person-drawer")).to_have_count(0)
    first = page.url
    shot(page, f"{size}-{lang}-message-from-card")

    # The same chat again, never a second one.
    page.goto("/directory")
    _open_card(page, guardian["name"]).get_by_test_id("person-message").click()
    expect(page.get_by_test_id("chat-title")).to_contain_text(guardian["name"])
    assert page.url == first
    conv = int(first.rsplit("/", 1)[1])
    direct = server.api(
        "/api/v1/conversations/direct",
        login="teacher",
        method="POST",
        body={"person_id": guardian["id"]},
    )
    assert direct["id"] == conv


def _group_with(server: Server, login_name: str, name: str) -> int:
    member = _me(server, login_name)["id"]
    conv = server.api(
        "/api/v1/conversations/groups",
        login="admin",
        method="POST",
        body={"name": name, "member_ids": [member]},
    )
    return int(conv["id"])


def _items(page: Any) -> Any:
    return page.get_by_test_id("chat-list").locator("[data-testid^=chat-item-][role=listitem]")


def test_mention_markers_pins_and_mutes_in_the_list(new_page: NewPage, server: Server) -> None:
    server.read_everything("teacher")
    name = f"家委会 {time.time_ns()}"
    conv = _group_with(server, "teacher", name)
    page = new_page()
    login(page, "teacher", then="/chat")
    other_tab = page.context.new_page()  # the same person in a second tab
    other_tab.errors = []
    other_tab.on("pageerror", lambda e: other_tab.errors.append(str(e)))
    other_tab.goto("/chat")
    item = page.get_by_test_id(f"chat-item-{conv}")
    expect(item).to_be_visible()
    me = _me(server, "teacher")["id"]

    # Someone mentions me: the red marker comes live, before the preview.
    _say(server, conv, "请确认明天的安排", [me])
    marker = item.get_by_test_id("chat-marker")
    expect(marker).to_have_text("[有人@我]")
    expect(marker).to_have_css("color", "rgb(245, 34, 45)")
    expect(item).to_contain_text("请确认明天的安排")
    # An @all after it: a mention of me still wins.
    _say(server, conv, "大家周五开会", ["all"])
    expect(marker).to_have_text("[有人@我]")
    shot(page, "desktop-chat-marker-me")

    # Reading the conversation clears the marker (here and in the other tab).
    item.click()
    expect(page.get_by_test_id("chat-messages")).to_contain_text("大家周五开会")
    expect(marker).to_have_count(0)
    expect(
        other_tab.get_by_test_id(f"chat-item-{conv}").get_by_test_id("chat-marker")
    ).to_have_count(0)
    page.goto("/chat")
    _say(server, conv, "通知：放假安排", ["all"])
    expect(marker).to_have_text("[@所有人]")

    # Right click → 置顶: first in the list with a pin mark, in the other tab too.
    item.click(button="right")
    page.get_by_test_id("chat-menu-pin").click()
    expect(item.get_by_test_id("chat-pin-mark")).to_be_visible()
    expect(_items(page).first).to_have_attribute("data-testid", f"chat-item-{conv}")
    other = other_tab.get_by_test_id(f"chat-item-{conv}")
    expect(other.get_by_test_id("chat-pin-mark")).to_be_visible()
    expect(_items(other_tab).first).to_have_attribute("data-testid", f"chat-item-{conv}")
    shot(page, "desktop-chat-pinned-and-marker")

    # The item's "…" → 消息免打扰: a bell struck through, a grey dot, nothing in the title.
    item.hover()
    item.get_by_test_id(f"chat-item-more-{conv}").click()
    page.get_by_test_id("chat-menu-mute").click()
    expect(item.get_by_test_id("chat-muted-mark")).to_be_visible()
    expect(item.get_by_test_id("chat-badge-muted")).to_be_visible()
    expect(item.locator(".ant-badge-count")).to_have_count(0)
    expect(page).not_to_have_title(re.compile(r"^\(\d+\+?\) .*"))
    expect(
        other_tab.get_by_test_id(f"chat-item-{conv}").get_by_test_id("chat-muted-mark")
    ).to_be_visible()
    shot(page, "desktop-chat-muted-pinned")

    # From the conversation's settings: unpin and unmute again.
    item.click()
    page.get_by_test_id("chat-settings-open").click()
    settings = page.get_by_test_id("chat-settings")
    expect(settings.get_by_test_id("chat-pin")).to_have_attribute("aria-checked", "true")
    settings.get_by_test_id("chat-pin").click()
    settings.get_by_test_id("chat-mute").click()
    expect(settings.get_by_test_id("chat-pin")).to_have_attribute("aria-checked", "false")
    expect(settings.get_by_test_id("chat-mute")).to_have_attribute("aria-checked", "false")
    expect(item.get_by_test_id("chat-pin-mark")).to_have_count(0)
    expect(item.get_by_test_id("chat-muted-mark")).to_have_count(0)
    expect(other.get_by_test_id("chat-pin-mark")).to_have_count(0)


def test_phone_long_press_pins_and_english_markers(new_page: NewPage, server: Server) -> None:
    who = _guardian(server)
    conv = _group_with(server, who, f"Class parents {time.time_ns()}")
    page = new_page(**PHONE, lang="en")
    login(page, who, then="/chat")
    item = page.get_by_test_id(f"chat-item-{conv}")
    expect(item).to_be_visible()
    _say(server, conv, "Please reply", [_me(server, who)["id"]])
    expect(item.get_by_test_id("chat-marker")).to_have_text("[Someone @ me]")
    # The "…" button is for a mouse; a finger presses and holds.
    expect(item.get_by_test_id(f"chat-item-more-{conv}")).to_be_hidden()
    box = item.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    touch = [{"identifier": 1, "clientX": x, "clientY": y}]
    item.dispatch_event("touchstart", {"touches": touch, "changedTouches": touch})
    page.wait_for_timeout(700)
    item.dispatch_event("touchend", {"touches": [], "changedTouches": touch})
    pin = page.get_by_test_id("chat-menu-pin")
    expect(pin).to_have_text("Pin to top")
    shot(page, "phone-en-chat-item-menu")
    expect(page).to_have_url(re.compile(r"/chat$"))  # the press opened no conversation
    pin.click()
    expect(item.get_by_test_id("chat-pin-mark")).to_be_visible()
    expect(_items(page).first).to_have_attribute("data-testid", f"chat-item-{conv}")
    _say(server, conv, "Everyone: no school on Friday", ["all"])
    expect(item).to_contain_text("no school on Friday")
    expect(item.get_by_test_id("chat-marker")).to_have_text("[Someone @ me]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    shot(page, "phone-en-chat-pinned-marker")
    # Tidy up for the other tests that use this person's list.
    server.api(f"/api/v1/conversations/{conv}/pin", login=who, method="PUT", body={"pinned": False})


def _cell(page: Any, column: int, text: str) -> Any:
    """A cell of the open time picker: column 0 the hours, 1 the minutes."""
    col = page.locator(".ant-picker-dropdown:visible .ant-picker-time-panel-column").nth(column)
    return col.locator(".ant-picker-time-panel-cell-inner", has_text=re.compile(f"^{text}$"))


@pytest.mark.parametrize(("size", "lang"), [("desktop", "zh-CN"), ("phone", "en")])
def test_notification_settings_follow_the_person(
    new_page: NewPage, server: Server, size: str, lang: str
) -> None:
    who = "principal" if size == "desktop" else "ceo"
    page = new_page(**(PHONE if size == "phone" else {}), lang=lang)
    login(page, who, then="/me")
    words = {
        "zh-CN": ("新消息通知", "免打扰的结束时间不能与开始时间相同", "次日 07:00"),
        "en": (
            "Message notifications",
            "Do not disturb must end at another time",
            "07:00 the next day",
        ),
    }[lang]
    # From 我的 (where the user menu leads), as from the chat list's bell.
    page.get_by_test_id("me-notifications").click()
    expect(page).to_have_url(re.compile(r"/settings/notifications$"))
    settings = page.get_by_test_id("notify-settings")
    expect(settings).to_contain_text(words[0])
    for switch, on in (
        ("notify-desktop", "true"),
        ("notify-sound", "true"),
        ("notify-dnd", "false"),
    ):
        expect(settings.get_by_test_id(switch)).to_have_attribute("aria-checked", on)

    settings.get_by_test_id("notify-sound").click()
    expect(settings.get_by_test_id("notify-sound")).to_have_attribute("aria-checked", "false")
    settings.get_by_test_id("notify-dnd").click()
    window = settings.get_by_test_id("notify-window")
    expect(window).to_be_visible()
    expect(settings.get_by_test_id("notify-next-day")).to_have_text(words[2])
    shot(page, f"{size}-{lang}-notification-settings")

    # An empty window is refused with the server's words; nothing changes.
    to = window.get_by_test_id("notify-to").locator("input")
    if size == "desktop":
        to.click()
        to.fill("22:00")
        to.press("Enter")
    else:  # a phone's picker takes no typing (no keyboard): pick in its columns, tap outside
        to.click()
        _pick(_cell(page, 0, "22"))
        settings.get_by_role("heading").click()
    expect(settings.get_by_test_id("notify-error")).to_contain_text(words[1])
    expect(to).to_have_value("07:00")
    shot(page, f"{size}-{lang}-notification-settings-error")
    if size == "desktop":
        to.click()
        to.fill("06:30")
        to.press("Enter")
    else:
        to.click()
        for column, value in ((0, "06"), (1, "30")):
            _pick(_cell(page, column, value))
        settings.get_by_role("heading").click()
    expect(settings.get_by_test_id("notify-next-day")).to_contain_text("06:30")

    # Kept on the server: a fresh page (another device) shows them.
    prefs = server.api("/api/v1/me/preferences", login=who)
    assert prefs == {
        "notifications": True,
        "sound": False,
        "dnd": True,
        "dnd_start": "22:00",
        "dnd_end": "06:30",
        # Web Push per category (docs/push.md): untouched here, all on.
        "push_ding": True,
        "push_notice": True,
        "push_mention": True,
        "push_direct": True,
    }
    again = new_page(**(PHONE if size == "phone" else {}), lang=lang)
    login(again, who, then="/settings/notifications")
    expect(again.get_by_test_id("notify-sound")).to_have_attribute("aria-checked", "false")
    expect(again.get_by_test_id("notify-dnd")).to_have_attribute("aria-checked", "true")
    # A change there reaches the first page live.
    again.get_by_test_id("notify-sound").click()
    expect(settings.get_by_test_id("notify-sound")).to_have_attribute("aria-checked", "true")
    if size == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
    # Back to the defaults for whoever runs next.
    server.api(
        "/api/v1/me/preferences",
        login=who,
        method="PATCH",
        body={"sound": True, "dnd": False, "dnd_start": "22:00", "dnd_end": "07:00"},
    )
