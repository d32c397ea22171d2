"""What each domain's pushes say, built in one place so that DING, chat and notices word and
tag them alike. A tag names the item on the device: `bw-ding-<id>` (the same tag the web
client's own notification uses, so the page's and the push's replace each other),
`bw-chat-<conversation>`, `bw-notice-<id>`."""

from __future__ import annotations

from typing import Literal

from bellwork.chat.schemas import PersonRef
from bellwork.push.schemas import PushMessage

KIND_KEYS = {
    "image": "push_kind_image",
    "file": "push_kind_file",
    "voice": "push_kind_voice",
    "history": "push_kind_history",
    "announcement": "push_kind_announcement",
    "call": "push_kind_call",
}


def ding_push(ding_id: int, sender: PersonRef | None, body: str) -> PushMessage:
    """A DING's alert: the device keeps it on screen until it is confirmed."""
    return PushMessage(
        type="ding",
        title="push_ding_title",
        params={"sender": sender.name if sender is not None else "Bellwork"},
        body=body,
        url="/chat",
        tag=f"bw-ding-{ding_id}",
    )


def ding_close(ding_id: int, why: Literal["confirmed", "recalled"]) -> PushMessage:
    """Takes a DING's alert off one's devices: confirmed on one of them, or recalled."""
    return PushMessage(
        type="close",
        title=f"push_{why}_title",
        body_key=f"push_{why}_body",
        url="/chat",
        tag=f"bw-ding-{ding_id}",
    )


def chat_push(
    category: Literal["mention", "direct"],
    conversation_id: int,
    conversation: str,
    sender: str,
    kind: str,
    body: str | None,
    *,
    private: bool = False,
) -> PushMessage:
    """A chat message for someone it mentions, or in their 1:1 chat. A private chat's
    (burn after reading) says only that there is one: its text never leaves the server."""
    if private:
        text, body_key = "", "push_private_body"
    elif kind in KIND_KEYS:
        text, body_key = "", KIND_KEYS[kind]
    else:
        text, body_key = body or "", None
    title = "push_direct_title"
    if category == "mention":
        title = "push_mention_title" if conversation else "push_mention_plain_title"
    return PushMessage(
        type=category,
        title=title,
        params={"sender": sender, "conversation": conversation},
        body=text,
        body_key=body_key,
        url=f"/chat/{conversation_id}",
        tag=f"bw-chat-{conversation_id}",
    )


def notice_push(notice_id: int, title: str, author: str | None) -> PushMessage:
    """A notice that went out, for its recipients: its title, and who wrote it."""
    return PushMessage(
        type="notice",
        title="push_notice_title",
        params={"title": title[:80]},
        body=author or "",
        url=f"/notices/{notice_id}",
        tag=f"bw-notice-{notice_id}",
    )


def notice_close(notice_id: int) -> PushMessage:
    """Takes a recalled notice's notification off the devices that still show it."""
    return PushMessage(
        type="close",
        title="push_notice_recalled_title",
        url="/notices",
        tag=f"bw-notice-{notice_id}",
    )


def call_push(call_id: int, conversation_id: int, caller: str, *, video: bool) -> PushMessage:
    """A call ringing, for the callee's devices with no page open: opening it goes to the
    direct chat, where the page shows the ringing call (it asks for one's current call)."""
    return PushMessage(
        type="call",
        title="push_call_title",
        params={"sender": caller},
        body_key="push_call_video_body" if video else "push_call_voice_body",
        url=f"/chat/{conversation_id}",
        tag=f"bw-call-{call_id}",
    )


def call_close(call_id: int) -> PushMessage:
    """Takes a ringing call's notification off the callee's devices: answered on one of them,
    declined, missed or cancelled."""
    return PushMessage(
        type="close", title="push_call_over_title", url="/chat", tag=f"bw-call-{call_id}"
    )
