"""Chat screens: two people in two browser contexts, live over the WebSocket."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from .conftest import Server, login, pick, shot

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]


def _guardian(server: Server) -> str:
    return server.guardian_phone or "10000000009"


def _png(path: Path, width: int = 480, height: int = 320) -> Path:
    """A real PNG (a colour gradient), big enough to get a thumbnail."""
    rows = b"".join(
        b"\x00"
        + b"".join(bytes(((x * 255) // width, (y * 255) // height, 160)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(png)
    return path


def _open_chat(page: Any, who: str) -> None:
    login(page, who)
    page.goto("/chat")
    expect(page.get_by_test_id("chat-list")).to_be_visible()


def _send(page: Any, text: str) -> None:
    box = page.get_by_test_id("chat-composer").locator("textarea")
    box.fill(text)
    page.get_by_test_id("chat-send").click()


def _class_group(page: Any) -> None:
    """Opens the teacher's class group (home–school group) from the "+" menu."""
    page.get_by_test_id("chat-new").click()
    page.get_by_role("menuitem", name=re.compile("班级")).click()
    page.get_by_role("dialog").get_by_role("button", name=re.compile("1班")).click()
    expect(page.get_by_test_id("chat-title")).to_contain_text("1班")


def _direct_with(page: Any, name: str, private: bool = False) -> None:
    page.get_by_test_id("chat-new").click()
    label = "阅后即焚" if private else "发起单聊"
    page.get_by_role("menuitem", name=label).click()
    dialog = page.get_by_role("dialog")
    pick(page, dialog.get_by_test_id("new-chat-person"), name)
    dialog.get_by_test_id("new-chat-ok").click()
    expect(page.get_by_test_id("chat-title")).to_contain_text(name)


def _mine(page: Any, text: str) -> Any:
    return page.locator("[data-testid=chat-message][data-mine='1']", has_text=text)


def test_class_group_live_message_read_receipt(new_page: NewPage, server: Server) -> None:
    server.read_everything(_guardian(server))
    teacher = new_page()
    _open_chat(teacher, "teacher")
    guardian = new_page()
    _open_chat(guardian, _guardian(server))

    _class_group(teacher)
    _send(teacher, "各位家长好，明天春游")
    mine = _mine(teacher, "各位家长好，明天春游")
    expect(mine).to_be_visible()
    receipt = mine.get_by_test_id("chat-receipt")
    expect(receipt).to_contain_text(re.compile(r"\d+人未读"))
    before = int(re.search(r"(\d+)人未读", receipt.inner_text()).group(1))  # type: ignore[union-attr]

    # The guardian's list shows the group and the message live, with an unread badge.
    item = guardian.get_by_test_id("chat-list").locator("[data-kind=unit]")
    expect(item).to_contain_text("各位家长好，明天春游")
    expect(item.locator(".ant-badge-count")).to_have_text("1")
    expect(guardian).to_have_title(re.compile(r"^\(1\) "))
    item.click()
    expect(guardian.get_by_test_id("chat-messages")).to_contain_text("各位家长好，明天春游")

    # Opening the conversation reads it: the teacher's count drops live.
    expect(receipt).to_have_text(f"{before - 1}人未读")
    expect(item.locator(".ant-badge-count")).to_have_count(0)
    shot(teacher, "desktop-chat-class-group")

    # The receipt panel lists who has read it, grouped by class: the guardian as their child's
    # parent, their own name a hover away.
    receipt.click()
    panel = teacher.get_by_test_id("chat-receipt-panel")
    expect(panel.get_by_role("tab", name=re.compile("已读 1"))).to_be_visible()
    panel.get_by_role("tab", name=re.compile("已读 1")).click()
    reader = panel.get_by_test_id("receipt-person").locator("bdi[title='李琪怡']")
    expect(reader).to_have_text(re.compile(r"^\S+(妈妈|爸爸|家长)$"))
    shot(teacher, "desktop-chat-receipt-panel")

    # A guardian may not @all: the server says so, and the page shows its words.
    _send(guardian, "大家好")
    expect(guardian.get_by_test_id("chat-messages")).to_contain_text("大家好")
    expect(teacher.get_by_test_id("chat-messages")).to_contain_text("大家好")


def _guardian_id(server: Server) -> int:
    return int(server.api("/api/v1/auth/me", login=_guardian(server))["id"])


def _ensure_direct(server: Server) -> int:
    # The server does not tell the other person's open socket about a new direct chat (it only
    # subscribes connections at connect time): create it before the guardian's page connects.
    conv = server.api(
        "/api/v1/conversations/direct",
        login="teacher",
        method="POST",
        body={"person_id": _guardian_id(server)},
    )
    return int(conv["id"])


def test_direct_chat_read_and_recall(new_page: NewPage, server: Server) -> None:
    _ensure_direct(server)
    teacher = new_page()
    _open_chat(teacher, "teacher")
    guardian = new_page(lang="en")
    _open_chat(guardian, _guardian(server))

    _direct_with(teacher, "李琪怡")
    _send(teacher, "李女士您好")
    mine = _mine(teacher, "李女士您好")
    expect(mine.get_by_test_id("chat-receipt")).to_have_text("未读")

    item = guardian.get_by_test_id("chat-list").locator("[data-kind=direct]", has_text="武佑强")
    expect(item).to_contain_text("李女士您好")
    item.click()
    expect(guardian.get_by_test_id("chat-messages")).to_contain_text("李女士您好")
    expect(mine.get_by_test_id("chat-receipt")).to_have_text("已读")

    # A reply with a quote from the guardian (English UI), then the teacher recalls her message.
    theirs = guardian.locator("[data-testid=chat-message][data-mine='0']", has_text="李女士您好")
    theirs.get_by_test_id("chat-message-actions").click()
    guardian.get_by_role("menuitem", name="Reply").click()
    expect(guardian.get_by_test_id("chat-replying")).to_contain_text("李女士您好")
    _send(guardian, "Thank you!")
    answer = teacher.locator("[data-testid=chat-message]", has_text="Thank you!")
    expect(answer.locator(".bw-chat-quote")).to_contain_text("李女士您好")
    mine.get_by_test_id("chat-message-actions").click()
    teacher.get_by_role("menuitem", name="撤回").click()
    expect(teacher.get_by_test_id("chat-recalled")).to_contain_text("你撤回了一条消息")
    expect(guardian.get_by_test_id("chat-recalled")).to_contain_text("武佑强 recalled a message")
    # The quote in the guardian's reply no longer shows the recalled text either.
    expect(guardian.get_by_test_id("chat-messages")).not_to_contain_text("李女士您好")
    expect(guardian.locator(".bw-chat-quote")).to_have_text("The quoted message was recalled")
    shot(guardian, "desktop-chat-direct-en")


def test_image_upload_thumbnail_and_refused_file(
    new_page: NewPage, server: Server, tmp_path: Path
) -> None:
    _ensure_direct(server)
    teacher = new_page()
    _open_chat(teacher, "teacher")
    guardian = new_page()
    _open_chat(guardian, _guardian(server))
    _direct_with(teacher, "李琪怡")

    teacher.get_by_test_id("chat-image-input").set_input_files(str(_png(tmp_path / "trip.png")))
    img = _mine(teacher, "").get_by_test_id("chat-image").locator("img").last
    expect(img).to_have_attribute("src", re.compile(r"/api/v1/files/\d+/thumbnail$"))
    expect(img).to_have_js_property("complete", True)
    assert img.evaluate("i => i.naturalWidth") > 0

    item = guardian.get_by_test_id("chat-list").locator("[data-kind=direct]", has_text="武佑强")
    expect(item).to_contain_text("[图片]")
    item.click()
    other = guardian.locator(
        "[data-testid=chat-message][data-mine='0'] [data-testid=chat-image] img"
    )
    expect(other.last).to_have_attribute("src", re.compile(r"/thumbnail$"))

    # A file dropped onto the chat is sent as a card with its name, size and a download link.
    teacher.get_by_test_id("chat-view").evaluate(
        """el => {
            const dt = new DataTransfer();
            const text = "春游注意事项：带水、带帽子。";
            dt.items.add(new File([text], "春游须知.txt", {type: "text/plain"}));
            el.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true}));
            el.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true}));
        }"""
    )
    card = _mine(teacher, "春游须知.txt").get_by_test_id("chat-file")
    expect(card).to_contain_text(re.compile(r"\d+ B"))
    expect(card).to_have_attribute("href", re.compile(r"^/api/v1/files/\d+$"))
    expect(guardian.get_by_test_id("chat-file").last).to_contain_text("春游须知.txt")

    # A file whose bytes do not match its claimed type: the server's words are shown.
    fake = tmp_path / "report.png"
    fake.write_text("not an image at all")
    teacher.get_by_test_id("chat-image-input").set_input_files(str(fake))
    expect(teacher.get_by_test_id("chat-send-error")).to_be_visible()
    expect(teacher.locator(".ant-message")).to_contain_text(
        teacher.get_by_test_id("chat-send-error").inner_text()
    )
    shot(teacher, "desktop-chat-image")


def test_phone_layout_list_then_chat_with_back(new_page: NewPage, server: Server) -> None:
    server.api("/api/v1/units/5/group", login="teacher")
    page = new_page(width=375, height=812)
    _open_chat(page, "teacher")
    item = page.get_by_test_id("chat-list").locator("[data-kind=unit]")
    expect(item).to_be_visible()
    shot(page, "phone-chat-list")
    item.click()
    expect(page.get_by_test_id("chat-view")).to_be_visible()
    expect(page.get_by_test_id("chat-list")).to_have_count(0)
    _send(page, "手机上发的消息")
    expect(_mine(page, "手机上发的消息")).to_be_visible()
    box = page.get_by_test_id("chat-composer").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 812 + 1
    assert box["width"] <= 375
    shot(page, "phone-chat-view")
    page.get_by_test_id("chat-back").click()
    expect(page.get_by_test_id("chat-list")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/chat$"))


def test_private_chat_tap_to_view_then_burns(new_page: NewPage, server: Server) -> None:
    conv = server.api(
        "/api/v1/conversations/direct",
        login="teacher",
        method="POST",
        body={"person_id": _guardian_id(server), "private": True, "burn_seconds": 10},
    )
    teacher = new_page()
    _open_chat(teacher, "teacher")
    guardian = new_page()
    _open_chat(guardian, _guardian(server))

    teacher.get_by_test_id(f"chat-item-{conv['id']}").click()
    expect(teacher.get_by_test_id("chat-title")).to_contain_text("李琪怡")
    _send(teacher, "门禁密码 4821")
    expect(_mine(teacher, "门禁密码 4821")).to_be_visible()

    item = guardian.get_by_test_id(f"chat-item-{conv['id']}")
    expect(item).to_contain_text("[阅后即焚消息]")
    item.click()
    messages = guardian.get_by_test_id("chat-messages")
    expect(messages.get_by_test_id("chat-open-private")).to_have_text(re.compile("点击查看"))
    expect(messages).not_to_contain_text("4821")
    messages.get_by_test_id("chat-open-private").click()
    expect(messages).to_contain_text("门禁密码 4821")
    expect(messages.get_by_test_id("chat-countdown")).to_be_visible()
    # The sender sees the countdown start too.
    expect(teacher.get_by_test_id("chat-countdown")).to_be_visible()
    shot(guardian, "desktop-chat-private-opened")

    # It burns: gone from both pages without a reload.
    expect(messages).not_to_contain_text("4821", timeout=25_000)
    expect(teacher.get_by_test_id("chat-messages")).not_to_contain_text("4821", timeout=10_000)


def test_group_create_mention_history_paging_and_settings(
    new_page: NewPage, server: Server
) -> None:
    page = new_page()
    _open_chat(page, "teacher")
    page.get_by_test_id("chat-new").click()
    page.get_by_role("menuitem", name="创建群聊").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_test_id("new-group-name").fill("春游筹备组")
    pick(page, dialog.locator(".ant-select").first, "李琪怡")
    expect(dialog.locator(".ant-tag")).to_contain_text("李琪怡")
    dialog.get_by_test_id("new-chat-ok").click()
    expect(page.get_by_test_id("chat-title")).to_contain_text("春游筹备组")
    conv_id = int(page.url.rsplit("/", 1)[1])

    # @ opens the member picker; the owner is offered @所有人.
    box = page.get_by_test_id("chat-composer").locator("textarea")
    box.press_sequentially("请 @")
    options = page.locator(".ant-mentions-dropdown-menu-item")
    expect(options.first).to_contain_text("所有人")
    # A guardian is offered, and mentioned, as their child's parent (docs/chat.md).
    options.filter(has_text="妈妈").first.click()
    box.press_sequentially("确认名单")
    box.press("Enter")
    sent = _mine(page, "确认名单")
    expect(sent.locator(".bw-chat-mention")).to_have_text(re.compile(r"^@\S+妈妈$"))

    # 150 more messages: only a page is loaded and only what is in view is in the DOM;
    # scrolling up loads older pages until the first one.
    for i in range(150):
        server.api(
            f"/api/v1/conversations/{conv_id}/messages",
            login="teacher",
            method="POST",
            body={"client_msg_id": f"bulk-{i}", "body": f"第{i}条"},
        )
    page.reload()
    expect(page.get_by_test_id("chat-messages")).to_contain_text("第149条")
    assert page.get_by_test_id("chat-message").count() < 60
    scroller = page.get_by_test_id("chat-messages")
    for _ in range(40):
        if "第0条" in scroller.inner_text():
            break
        scroller.evaluate("el => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); }")
        page.wait_for_timeout(250)
    expect(scroller).to_contain_text("第0条")
    expect(scroller).to_contain_text("没有更早的消息了")

    # Settings: rename, then dissolve (with a confirmation).
    page.get_by_test_id("chat-settings-open").click()
    drawer = page.get_by_test_id("chat-settings")
    expect(drawer.get_by_test_id("chat-member")).to_have_count(2)
    drawer.get_by_test_id("chat-rename-input").fill("春游小组")
    drawer.get_by_role("button", name=re.compile("保\\s*存")).click()
    expect(page.get_by_test_id("chat-title")).to_contain_text("春游小组")
    shot(page, "desktop-chat-group-settings")
    drawer.get_by_test_id("chat-dissolve").click()
    page.locator(".ant-modal-confirm").get_by_role("button", name=re.compile("确\\s*认")).click()
    expect(page).to_have_url(re.compile(r"/chat$"))
    expect(page.get_by_test_id(f"chat-item-{conv_id}")).to_have_count(0)


def test_lost_event_fills_the_gap_and_reconnect_resyncs(new_page: NewPage, server: Server) -> None:
    conv_id = _ensure_direct(server)
    state: dict[str, Any] = {"down": False, "drop": "途中丢失"}
    routes: list[Any] = []

    def route(ws: Any) -> None:
        if state["down"]:
            ws.close(code=1011, reason="server down")
            return
        upstream = ws.connect_to_server()

        def from_server(frame: Any) -> None:
            if isinstance(frame, str) and state["drop"] and state["drop"] in frame:
                return  # this event is lost on the way
            ws.send(frame)

        upstream.on_message(from_server)
        routes.append(ws)

    page = new_page()
    page.route_web_socket(re.compile(r"/api/v1/events$"), route)
    _open_chat(page, "teacher")
    page.get_by_test_id(f"chat-item-{conv_id}").click()
    messages = page.get_by_test_id("chat-messages")

    def guardian_says(text: str) -> None:
        server.api(
            f"/api/v1/conversations/{conv_id}/messages",
            login=_guardian(server),
            method="POST",
            body={"client_msg_id": f"gap-{text}", "body": text},
        )

    # A message.new whose seq is not last + 1: the page fetches what it missed.
    guardian_says("途中丢失的消息")
    guardian_says("随后到达的消息")
    expect(messages).to_contain_text("随后到达的消息")
    expect(messages).to_contain_text("途中丢失的消息")

    # The socket drops and the server is unreachable for a while; on reconnect (hello) the
    # page resyncs and shows what was sent meanwhile, without a reload.
    state["down"] = True
    routes[-1].close(code=1012, reason="restart")
    guardian_says("断线期间发送的消息")
    expect(page.get_by_test_id("chat-offline")).to_be_visible()
    expect(messages).not_to_contain_text("断线期间发送的消息")
    state["down"] = False
    expect(messages).to_contain_text("断线期间发送的消息", timeout=30_000)
    expect(page.get_by_test_id("chat-offline")).to_have_count(0)
    assert len(routes) >= 2


def test_search_history_jumps_to_message_and_group_avatar(
    new_page: NewPage, server: Server, tmp_path: Path
) -> None:
    conv = server.api(
        "/api/v1/conversations/groups",
        login="teacher",
        method="POST",
        body={"name": "教研组", "member_ids": [_guardian_id(server)]},
    )
    conv_id = int(conv["id"])
    # An old message (not in the first page loaded), then 120 newer ones.
    for i, text in enumerate(["期中考试安排在五月", *[f"日常消息{i}" for i in range(120)]]):
        server.api(
            f"/api/v1/conversations/{conv_id}/messages",
            login="teacher",
            method="POST",
            body={"client_msg_id": f"search-{i}", "body": text},
        )
    page = new_page()
    _open_chat(page, "teacher")
    page.get_by_test_id(f"chat-item-{conv_id}").click()
    messages = page.get_by_test_id("chat-messages")
    expect(messages).to_contain_text("日常消息119")
    expect(messages).not_to_contain_text("期中考试")

    # Search: sender, time and the text with the match highlighted.
    page.get_by_test_id("chat-search-open").click()
    drawer = page.get_by_test_id("chat-search")
    drawer.get_by_test_id("chat-search-input").locator("input").fill("考试")
    drawer.get_by_test_id("chat-search-input").locator("input").press("Enter")
    result = drawer.get_by_test_id("chat-search-result")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("期中考试安排在五月")
    expect(result).to_contain_text("你")
    expect(result).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))
    expect(result.locator("mark")).to_have_text("考试")
    shot(page, "desktop-chat-search")

    # Clicking it loads the older pages and scrolls the message into view, highlighted.
    result.click()
    expect(drawer).to_be_hidden()
    target = page.locator("[data-focused='1']", has_text="期中考试安排在五月")
    expect(target).to_be_in_viewport()
    shot(page, "desktop-chat-search-jump")

    # Nothing found.
    page.get_by_test_id("chat-search-open").click()
    drawer.get_by_test_id("chat-search-input").locator("input").fill("不存在的词")
    drawer.get_by_test_id("chat-search-input").locator("input").press("Enter")
    expect(drawer).to_contain_text("没有找到相关消息")
    drawer.locator(".ant-drawer-close").click()

    # Group avatar: the owner uploads an image; the header and the list show its thumbnail.
    page.get_by_test_id("chat-settings-open").click()
    settings = page.get_by_test_id("chat-settings")
    settings.get_by_test_id("chat-avatar-input").set_input_files(str(_png(tmp_path / "g.png")))
    thumb = re.compile(r"/api/v1/files/\d+/thumbnail$")
    expect(settings.get_by_test_id("chat-avatar").locator("img")).to_have_attribute("src", thumb)
    header_img = page.locator(".bw-chat-header img")
    expect(header_img).to_have_attribute("src", thumb)
    expect(header_img).to_have_js_property("complete", True)
    assert header_img.evaluate("i => i.naturalWidth") > 0
    item_img = page.get_by_test_id(f"chat-item-{conv_id}").locator("img")
    expect(item_img).to_have_attribute("src", thumb)
    shot(page, "desktop-chat-group-avatar")

    # The other member sees it too, in English, and may not change it.
    guardian = new_page(lang="en")
    _open_chat(guardian, _guardian(server))
    g_item = guardian.get_by_test_id(f"chat-item-{conv_id}")
    expect(g_item.locator("img")).to_have_attribute("src", thumb)
    g_item.click()
    expect(guardian.locator(".bw-chat-header img")).to_have_attribute("src", thumb)
    guardian.get_by_test_id("chat-search-open").click()
    g_drawer = guardian.get_by_test_id("chat-search")
    expect(g_drawer).to_contain_text("Search chat history")
    g_drawer.get_by_test_id("chat-search-input").locator("input").fill("五月")
    g_drawer.get_by_test_id("chat-search-input").locator("input").press("Enter")
    expect(g_drawer.get_by_test_id("chat-search-result")).to_contain_text("武佑强")
    expect(g_drawer.get_by_test_id("chat-search-count")).to_have_text("Matching messages: 1")
    shot(guardian, "desktop-chat-search-en")
    g_drawer.locator(".ant-drawer-close").click()
    guardian.get_by_test_id("chat-settings-open").click()
    expect(guardian.get_by_test_id("chat-settings")).to_be_visible()
    expect(guardian.get_by_test_id("chat-avatar-change")).to_have_count(0)


def test_conversation_list_loads_more_as_it_scrolls(new_page: NewPage, server: Server) -> None:
    """More conversations than one page (50): the list shows the most recent first and loads
    the older ones as it is scrolled, each once."""
    ids = [
        int(
            server.api(
                "/api/v1/conversations/groups",
                login="ceo",
                method="POST",
                body={"name": f"分页群{i:02d}"},
            )["id"]
        )
        for i in range(65)
    ]
    page = new_page()
    _open_chat(page, "ceo")
    # The items themselves (each also holds a "chat-item-more-…" menu button).
    items = page.get_by_test_id("chat-list").locator("[role=listitem][data-testid^=chat-item-]")
    expect(page.get_by_test_id(f"chat-item-{ids[-1]}")).to_be_visible()
    expect(page.get_by_test_id(f"chat-item-{ids[0]}")).to_have_count(0)
    first = items.count()
    assert 50 <= first < 65
    box = page.locator(".bw-chat-list-items")
    for _ in range(20):
        if page.get_by_test_id(f"chat-item-{ids[0]}").count():
            break
        box.evaluate(
            "el => { el.scrollTop = el.scrollHeight; el.dispatchEvent(new Event('scroll')); }"
        )
        page.wait_for_timeout(250)
    expect(page.get_by_test_id(f"chat-item-{ids[0]}")).to_be_visible()
    shown = [items.nth(i).get_attribute("data-testid") for i in range(items.count())]
    assert len(shown) == len(set(shown)) and len(shown) > first
    assert {f"chat-item-{i}" for i in ids} <= set(shown)
    # A message in the oldest group brings it to the top, live, without a second copy.
    server.api(
        f"/api/v1/conversations/{ids[0]}/messages",
        login="ceo",
        method="POST",
        body={"client_msg_id": "page-top", "body": "回到顶部"},
    )
    expect(items.first).to_have_attribute("data-testid", f"chat-item-{ids[0]}")
    expect(page.get_by_test_id(f"chat-item-{ids[0]}")).to_have_count(1)


def test_search_results_follow_live_messages(new_page: NewPage, server: Server) -> None:
    """An open search updates itself: a new matching message appears, a recalled one goes,
    without searching again."""
    conv_id = _ensure_direct(server)
    page = new_page()
    _open_chat(page, "teacher")
    page.get_by_test_id(f"chat-item-{conv_id}").click()
    page.get_by_test_id("chat-search-open").click()
    drawer = page.get_by_test_id("chat-search")
    box = drawer.get_by_test_id("chat-search-input").locator("input")
    box.fill("家长会")
    box.press("Enter")
    expect(drawer).to_contain_text("没有找到相关消息")

    def guardian_says(text: str, key: str) -> int:
        m = server.api(
            f"/api/v1/conversations/{conv_id}/messages",
            login=_guardian(server),
            method="POST",
            body={"client_msg_id": key, "body": text},
        )
        return int(m["seq"])

    guardian_says("今天天气不错", "live-search-0")
    seq = guardian_says("周五下午开家长会吗？", "live-search-1")
    result = drawer.get_by_test_id("chat-search-result")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("周五下午开家长会吗？")
    expect(result.locator("mark")).to_have_text("家长会")
    expect(drawer.get_by_test_id("chat-search-count")).to_contain_text("1")
    # The teacher's own matching message, sent from their other device, appears too.
    server.api(
        f"/api/v1/conversations/{conv_id}/messages",
        login="teacher",
        method="POST",
        body={"client_msg_id": "live-search-2", "body": "家长会改到周六"},
    )
    expect(result).to_have_count(2)
    expect(result.first).to_contain_text("家长会改到周六")  # newest first
    # The guardian recalls theirs: it leaves the results.
    server.api(
        f"/api/v1/conversations/{conv_id}/messages/{seq}/recall",
        login=_guardian(server),
        method="POST",
    )
    expect(result).to_have_count(1)
    expect(drawer).not_to_contain_text("周五下午开家长会吗？")


def test_unread_total_counts_conversations_not_loaded(new_page: NewPage, server: Server) -> None:
    """The tab title and the chat entry's badge count unread messages in every conversation,
    also those further down than the list has loaded (it holds 50), and follow them live."""
    me = int(server.api("/api/v1/auth/me", login="wangjianhua")["id"])

    def group(name: str) -> int:
        body = {"name": name, "member_ids": [me]}
        return int(server.api("/api/v1/conversations/groups", method="POST", body=body)["id"])

    def admin_says(conv: int, text: str) -> None:
        body = {"client_msg_id": f"unread-{conv}-{text}", "body": text}
        server.api(f"/api/v1/conversations/{conv}/messages", method="POST", body=body)

    # Three old groups with unread messages (each: the creation notice and a message); one muted.
    a, b, muted = group("旧群甲"), group("旧群乙"), group("免打扰旧群")
    for conv in (a, b, muted):
        admin_says(conv, "请查收")
    server.api(
        f"/api/v1/conversations/{muted}/mute",
        login="wangjianhua",
        method="PUT",
        body={"muted": True},
    )
    # Then 55 newer conversations of his own, nothing unread in them: the old ones are not on
    # the first page of the list.
    for i in range(55):
        server.api(
            "/api/v1/conversations/groups",
            login="wangjianhua",
            method="POST",
            body={"name": f"新群{i:02d}"},
        )
    page = new_page()
    login(page, "wangjianhua")
    badge = page.get_by_test_id("nav-chat").locator(".ant-badge-count")
    expect(page).to_have_title(re.compile(r"^\(4\) "))
    expect(badge).to_have_text("4")

    # Read on another device, further down than loaded: the count drops live.
    server.api(
        f"/api/v1/conversations/{b}/read", login="wangjianhua", method="POST", body={"seq": 99}
    )
    expect(page).to_have_title(re.compile(r"^\(2\) "))
    expect(badge).to_have_text("2")
    # A new message there: one more, and the group comes to the top of the list.
    admin_says(a, "还有一件事")
    expect(page).to_have_title(re.compile(r"^\(3\) "))
    page.get_by_test_id("nav-chat").click()
    expect(
        page.get_by_test_id("chat-list").locator("[data-testid^=chat-item-]").first
    ).to_have_attribute("data-testid", f"chat-item-{a}")
    # Reading it leaves nothing: the muted group's messages never counted.
    page.get_by_test_id(f"chat-item-{a}").click()
    expect(page.get_by_test_id("chat-messages")).to_contain_text("还有一件事")
    expect(page).to_have_title("Bellwork")
    expect(badge).to_have_count(0)


def test_group_settings_as_a_new_user_would_use_them(new_page: NewPage, server: Server) -> None:
    """What a first-time user runs into: a blank group name is explained, people are named in
    the group's notices, the add-member picker empties after each pick, leaving shows no error,
    a class group is called 家校群, an overlong message is refused before sending, and a private
    chat's burn time can be changed in its settings."""
    klass = server.api("/api/v1/auth/me", login="teacher")["memberships"][0]["unit"]["id"]
    people = server.api(f"/api/v1/people?unit_id={klass}&limit=200", login="teacher")["items"]
    guardians = [p for p in people if any(m["role"] == "guardian" for m in p["memberships"])]
    other = next(p for p in guardians if p["id"] != _guardian_id(server))
    guardian = new_page()
    _open_chat(guardian, _guardian(server))
    teacher = new_page()
    _open_chat(teacher, "teacher")
    klass_group = teacher.get_by_test_id("chat-list").locator("[data-kind=unit]").first
    expect(klass_group).to_contain_text("1班 家校群")  # named by the page, in its language
    expect(klass_group.get_by_test_id("chat-unit-tag")).to_have_count(0)

    teacher.get_by_test_id("chat-new").click()
    teacher.get_by_role("menuitem", name="创建群聊").click()
    dialog = teacher.get_by_role("dialog")
    expect(dialog.get_by_test_id("new-group-name")).to_be_editable()
    dialog.get_by_test_id("new-group-name").fill("   ")
    expect(dialog.get_by_test_id("new-group-name")).to_have_value("   ")
    dialog.get_by_test_id("new-chat-ok").click()
    expect(dialog.get_by_test_id("new-chat-error")).to_have_text("请填写群名称")
    dialog.get_by_test_id("new-group-name").fill("家委会")
    pick(teacher, dialog.locator(".ant-select").first, "李琪怡")
    dialog.get_by_test_id("new-chat-ok").click()
    expect(teacher.get_by_test_id("chat-title")).to_contain_text("家委会")
    conv_id = int(teacher.url.rsplit("/", 1)[1])

    # Add one more person: the notice names them, and the picker is empty again.
    teacher.get_by_test_id("chat-settings-open").click()
    drawer = teacher.get_by_test_id("chat-settings")
    picker = drawer.get_by_test_id("chat-add-member")
    pick(teacher, picker, other["name"])
    expect(drawer.get_by_test_id("chat-member")).to_have_count(3)
    expect(picker.locator(".ant-select-selection-item")).to_have_count(0)
    shot(teacher, "desktop-chat-group-members")
    drawer.get_by_role("button", name="Close").or_(drawer.locator(".ant-drawer-close")).click()
    expect(teacher.get_by_test_id("chat-messages")).to_contain_text(
        f"你邀请了{other['name']}加入群聊"
    )

    # Too long to send: said before sending, nothing cut off.
    box = teacher.get_by_test_id("chat-composer").locator("textarea")
    box.fill("长" * 5001)
    expect(teacher.get_by_test_id("chat-count")).to_contain_text("消息过长：5001 / 5000")
    expect(teacher.get_by_test_id("chat-send")).to_be_disabled()
    box.fill("")

    # The guardian leaves: back to the list, no error anywhere.
    guardian.get_by_test_id(f"chat-item-{conv_id}").click()
    expect(guardian.get_by_test_id("chat-title")).to_contain_text("家委会")
    guardian.get_by_test_id("chat-settings-open").click()
    guardian.get_by_test_id("chat-leave").click()
    confirm = guardian.locator(".ant-modal-confirm")
    confirm.get_by_role("button", name=re.compile("确\\s*认")).click()
    expect(guardian).to_have_url(re.compile(r"/chat$"))
    expect(guardian.get_by_test_id(f"chat-item-{conv_id}")).to_have_count(0)
    guardian.wait_for_timeout(1000)  # any late 404 would show its toast by now
    expect(guardian.locator(".ant-message-error")).to_have_count(0)
    expect(teacher.get_by_test_id("chat-messages")).to_contain_text("李琪怡退出了群聊")

    # A private chat's burn time, changed in its settings.
    _direct_with(teacher, "李琪怡", private=True)
    teacher.get_by_test_id("chat-settings-open").click()
    drawer = teacher.get_by_test_id("chat-settings")
    expect(drawer).to_contain_text("聊天对象")
    drawer.get_by_test_id("chat-burn-select").click()
    teacher.locator(".ant-select-item-option", has_text="5 分钟").click()
    expect(teacher.locator(".bw-chat-header-sub")).to_contain_text("5 分钟")


def test_unsent_message_goes_when_the_connection_returns(new_page: NewPage, server: Server) -> None:
    """Written while the network is down: it waits marked as failed, goes by itself when the
    connection is back (even if another conversation is open by then), and is stored once."""
    conv_id = _ensure_direct(server)
    state = {"down": False}
    sockets: list[Any] = []

    def socket_route(ws: Any) -> None:
        if state["down"]:
            ws.close(code=1011, reason="network down")
            return
        ws.connect_to_server()
        sockets.append(ws)

    def send_route(route: Any) -> None:
        if state["down"] and route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page = new_page()
    page.route_web_socket(re.compile(r"/api/v1/events$"), socket_route)
    page.route(re.compile(r"/api/v1/conversations/\d+/messages$"), send_route)
    _open_chat(page, "teacher")
    page.get_by_test_id(f"chat-item-{conv_id}").click()

    state["down"] = True
    sockets[-1].close(code=1012, reason="restart")
    expect(page.get_by_test_id("chat-offline")).to_be_visible()
    _send(page, "离线时写的消息")
    expect(page.get_by_test_id("chat-pending")).to_have_attribute("data-status", "failed")

    # Looking at another conversation when the connection returns: it goes all the same.
    page.get_by_test_id("chat-list").locator("[data-kind=unit]").first.click()
    state["down"] = False
    item = page.get_by_test_id(f"chat-item-{conv_id}")
    expect(item).to_contain_text("离线时写的消息", timeout=30_000)
    item.click()
    expect(_mine(page, "离线时写的消息")).to_be_visible()
    expect(page.get_by_test_id("chat-pending")).to_have_count(0)
    found = server.api(
        f"/api/v1/conversations/{conv_id}/messages?q=%E7%A6%BB%E7%BA%BF%E6%97%B6%E5%86%99",
        login="teacher",
    )["items"]
    assert [m["body"] for m in found] == ["离线时写的消息"]


def test_unsent_text_is_kept_per_conversation(new_page: NewPage, server: Server) -> None:
    """Typed but not sent: kept when switching conversations and reloading, shown as a draft
    in the list, gone once sent."""
    conv_id = _ensure_direct(server)
    page = new_page()
    _open_chat(page, "teacher")
    page.get_by_test_id(f"chat-item-{conv_id}").click()
    box = page.get_by_test_id("chat-composer").locator("textarea")
    box.fill("明天的作业是")
    page.get_by_test_id("chat-list").locator("[data-kind=unit]").first.click()
    expect(page.get_by_test_id("chat-composer").locator("textarea")).to_have_value("")
    draft = page.get_by_test_id(f"chat-item-{conv_id}").get_by_test_id("chat-draft")
    expect(draft).to_have_text("[草稿] 明天的作业是")
    page.reload()
    expect(draft).to_have_text("[草稿] 明天的作业是")
    page.get_by_test_id(f"chat-item-{conv_id}").click()
    expect(box).to_have_value("明天的作业是")
    box.press_sequentially("第5页")
    page.get_by_test_id("chat-send").click()
    expect(_mine(page, "明天的作业是第5页")).to_be_visible()
    expect(box).to_have_value("")
    page.get_by_test_id("chat-list").locator("[data-kind=unit]").first.click()
    expect(page.get_by_test_id(f"chat-item-{conv_id}").get_by_test_id("chat-draft")).to_have_count(
        0
    )

    # Not in a private (burn-after-reading) chat: its words are not kept anywhere.
    _direct_with(page, "李琪怡", private=True)
    box.fill("门禁密码 4821")
    page.get_by_test_id("chat-list").locator("[data-kind=unit]").first.click()
    assert "4821" not in page.evaluate("JSON.stringify(localStorage)")
    chats = page.get_by_test_id("chat-list")
    chats.locator("[data-kind=direct]", has_text="阅后即焚").first.click()
    expect(box).to_have_value("")


def test_logged_out_elsewhere_the_open_chat_goes_to_login(
    new_page: NewPage, server: Server
) -> None:
    """The server closes the live socket of an ended session; the page notices without any
    click and asks for the login again."""
    page = new_page()
    _open_chat(page, "engineer")
    server.api("/api/v1/auth/logout-all", login="engineer", method="POST")
    page.wait_for_url(re.compile(r"/login"), timeout=15_000)
    expect(page.get_by_test_id("login-submit")).to_be_visible()


def test_an_empty_conversation_says_so(new_page: NewPage, server: Server) -> None:
    page = new_page(lang="en")
    _open_chat(page, "principal")
    page.get_by_test_id("chat-devices").click()
    expect(page.get_by_test_id("chat-title")).to_contain_text("My devices")
    expect(page.get_by_test_id("chat-no-messages")).to_have_text("No messages yet. Say hello!")
    _send(page, "note to self")
    expect(page.get_by_test_id("chat-no-messages")).to_have_count(0)


def _network(page: Any, state: dict[str, bool], sockets: list[Any]) -> None:
    """While state["down"]: the live socket cannot connect and sending a message fails, as when
    the network is gone (Playwright's offline mode leaves open sockets alone)."""

    def socket_route(ws: Any) -> None:
        if state["down"]:
            ws.close(code=1011, reason="network down")
            return
        ws.connect_to_server()
        sockets.append(ws)

    def send_route(route: Any) -> None:
        if state["down"] and route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route_web_socket(re.compile(r"/api/v1/events$"), socket_route)
    page.route(re.compile(r"/api/v1/conversations/\d+/(messages|files)$"), send_route)


def _found(server: Server, conv_id: int, text: str) -> list[dict[str, Any]]:
    return list(
        server.api(f"/api/v1/conversations/{conv_id}/messages?q={quote(text)}", login="teacher")[
            "items"
        ]
    )


def test_unsent_messages_survive_a_reload(
    new_page: NewPage, server: Server, tmp_path: Path
) -> None:
    """On a phone, written while the network is down: after a reload the failed messages (a
    file among them) are still there, in order; when the network is back they go by themselves,
    each stored once, in the order written."""
    conv_id = _ensure_direct(server)
    state = {"down": False}
    sockets: list[Any] = []
    page = new_page(width=390, height=844)
    _network(page, state, sockets)
    _open_chat(page, "teacher")
    page.get_by_test_id(f"chat-item-{conv_id}").click()
    expect(page.get_by_test_id("chat-composer")).to_be_visible()

    state["down"] = True
    sockets[-1].close(code=1012, reason="restart")
    _send(page, "断网时写的第一条")
    _send(page, "断网时写的第二条")
    notes = tmp_path / "课堂笔记.txt"
    notes.write_text("第三课 分数的加减\n", encoding="utf-8")
    page.get_by_test_id("chat-file-input").set_input_files(str(notes))
    pending = page.get_by_test_id("chat-pending")
    expect(pending).to_have_count(3)
    for i in range(3):
        expect(pending.nth(i)).to_have_attribute("data-status", "failed")

    page.reload()
    expect(pending).to_have_count(3)
    expect(pending.nth(0)).to_contain_text("断网时写的第一条")
    expect(pending.nth(1)).to_contain_text("断网时写的第二条")
    expect(pending.nth(2)).to_contain_text("课堂笔记.txt")
    for i in range(3):
        expect(pending.nth(i)).to_have_attribute("data-status", "failed")
    expect(pending.nth(0).get_by_test_id("chat-send-error")).to_have_text("发送失败")
    shot(page, "chat-unsent-after-reload-phone")
    assert _found(server, conv_id, "断网时写的") == []

    state["down"] = False
    expect(pending).to_have_count(0, timeout=30_000)
    expect(_mine(page, "断网时写的第一条")).to_have_count(1)
    expect(_mine(page, "断网时写的第二条")).to_have_count(1)
    expect(_mine(page, "课堂笔记.txt")).to_have_count(1)
    shot(page, "chat-unsent-delivered-phone")
    found = _found(server, conv_id, "断网时写的")
    assert sorted(m["body"] for m in found) == ["断网时写的第一条", "断网时写的第二条"]
    first, second = sorted(found, key=lambda m: m["seq"])
    assert first["body"] == "断网时写的第一条", "sent in the order written"
    files = [
        m
        for m in server.api(f"/api/v1/conversations/{conv_id}/messages", login="teacher")["items"]
        if m["kind"] == "file" and m["file"] and m["file"]["name"] == "课堂笔记.txt"
    ]
    assert len(files) == 1 and files[0]["seq"] > second["seq"]

    # Nothing is kept once delivered: another reload shows each message once, none pending.
    page.reload()
    expect(_mine(page, "断网时写的第二条")).to_have_count(1)
    expect(pending).to_have_count(0)


def test_unsent_messages_go_at_logout_and_private_chats_keep_none(
    new_page: NewPage, server: Server
) -> None:
    """Unsent messages are the person's own: logging out forgets them. A private
    (burn-after-reading) chat keeps none across a reload."""
    conv_id = _ensure_direct(server)
    state = {"down": False}
    sockets: list[Any] = []
    page = new_page()
    _network(page, state, sockets)
    _open_chat(page, "teacher")
    page.get_by_test_id(f"chat-item-{conv_id}").click()
    expect(page.get_by_test_id("chat-composer")).to_be_visible()
    state["down"] = True
    sockets[-1].close(code=1012, reason="restart")
    _send(page, "退出前没发出去的")
    pending = page.get_by_test_id("chat-pending")
    expect(pending).to_have_attribute("data-status", "failed")

    _direct_with(page, "李琪怡", private=True)
    expect(page.locator(".bw-chat-header-sub")).to_contain_text("阅后即焚")
    _send(page, "阅后即焚的没发出去")
    expect(pending).to_have_attribute("data-status", "failed")
    page.reload()
    expect(page.get_by_test_id("chat-view")).to_be_visible()
    expect(pending).to_have_count(0)
    page.get_by_test_id(f"chat-item-{conv_id}").click()
    expect(pending).to_contain_text("退出前没发出去的")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("menuitem", name="退出登录").click()
    page.wait_for_url(re.compile(r"/login"))
    state["down"] = False
    login(page, "teacher")
    page.goto(f"/chat/{conv_id}")
    expect(page.get_by_test_id("chat-composer")).to_be_visible()
    page.wait_for_timeout(1000)
    expect(pending).to_have_count(0)
    assert _found(server, conv_id, "退出前没发出去的") == []
    kept = page.evaluate(
        """() => new Promise((ok) => {
            const r = indexedDB.open("bellwork-outbox");
            r.onsuccess = () => {
                const tx = r.result.transaction("messages");
                const all = tx.objectStore("messages").getAll();
                all.onsuccess = () => ok(all.result.length);
            };
        })"""
    )
    assert kept == 0


# For a <bdi> (or any element): is it isolated, and does it sit, whole, between the text before
# it and the text after it (nothing of the sentence reordered around it)?
_ISOLATED = """(el) => {
    const box = el.getBoundingClientRect();
    const rect = (node) => {
        if (!node || !node.textContent.trim()) return null;
        const r = document.createRange();
        r.selectNodeContents(node);
        return r.getBoundingClientRect();
    };
    const before = rect(el.previousSibling), after = rect(el.nextSibling);
    return {
        bidi: getComputedStyle(el).unicodeBidi,
        tag: el.tagName.toLowerCase(),
        inOrder: (!before || before.right <= box.left + 1)
            && (!after || after.left >= box.right - 1),
    };
}"""


def test_right_to_left_names_do_not_reorder_the_page(new_page: NewPage, server: Server) -> None:
    """Names in Arabic and Hebrew (a group name, a person's name) are isolated wherever they
    stand beside the page's own words: the list, the title, the system line, the directory."""
    klass = server.api("/api/v1/auth/me", login="teacher")["memberships"][0]["unit"]["id"]
    arabic = "سارة 2"
    student = server.api(
        "/api/v1/people",
        method="POST",
        body={
            "name": arabic,
            "student_number": "202699555",
            "memberships": [{"unit_id": klass, "role": "student"}],
        },
    )
    group = server.api(
        "/api/v1/conversations/groups",
        login="teacher",
        method="POST",
        body={"name": "ועד הורים 3", "member_ids": [_guardian_id(server)]},
    )
    server.api(
        f"/api/v1/conversations/{group['id']}/members",
        login="teacher",
        method="POST",
        body={"person_ids": [student["id"]]},
    )
    page = new_page()
    _open_chat(page, "teacher")
    item = page.get_by_test_id(f"chat-item-{group['id']}")
    expect(item.locator(".bw-chat-item-name bdi", has_text="ועד הורים 3")).to_have_css(
        "unicode-bidi", "isolate"
    )
    # The list's preview is the system line: "你邀请了<bdi>سارة 2</bdi>加入群聊".
    in_list = item.locator(".bw-chat-item-preview bdi", has_text=arabic)
    assert in_list.evaluate(_ISOLATED) == {"bidi": "isolate", "tag": "bdi", "inOrder": True}

    item.click()
    expect(page.get_by_test_id("chat-title")).to_contain_text("ועד הורים 3")
    line = page.locator(".bw-chat-system", has_text="邀请了")
    expect(line).to_have_text(f"你邀请了{arabic}加入群聊")
    name = line.locator("bdi", has_text=arabic)
    assert name.evaluate(_ISOLATED) == {"bidi": "isolate", "tag": "bdi", "inOrder": True}
    shot(page, "chat-rtl-names")

    # The directory: the row's name, and the class beside the role ("<bdi>1班</bdi> · 学生").
    page.goto(f"/directory?unit={klass}")
    page.get_by_test_id("directory-search").fill("202699555")
    expect(page.get_by_test_id("person-row")).to_have_count(1)  # the search has answered
    row = page.get_by_test_id("person-row").filter(has_text=arabic)
    expect(row.get_by_test_id("person-name").locator("bdi")).to_have_css("unicode-bidi", "isolate")
    assert row.locator(".ant-tag bdi").first.evaluate(_ISOLATED)["inOrder"]
    row.click()
    card = page.get_by_test_id("person-card")
    expect(card.get_by_test_id("person-card-name")).to_have_text(arabic)
    expect(card.get_by_test_id("person-card-name").locator("bdi")).to_have_css(
        "unicode-bidi", "isolate"
    )
