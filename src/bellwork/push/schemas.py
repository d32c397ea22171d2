from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

Category = Literal["ding", "notice", "mention", "direct"]
CATEGORIES: tuple[Category, ...] = ("ding", "notice", "mention", "direct")


class PushKeyOut(BaseModel):
    public_key: str = Field(
        description="The server's VAPID public key (P-256, uncompressed, base64url): pass it "
        "as `applicationServerKey` to `pushManager.subscribe`."
    )


class SubscriptionKeys(BaseModel):
    p256dh: str = Field(min_length=80, max_length=100, description="base64url P-256 point")
    auth: str = Field(min_length=16, max_length=32, description="base64url 16-byte secret")


class SubscriptionIn(BaseModel):
    """A browser's PushSubscription as `subscription.toJSON()` gives it, and a label."""

    endpoint: str = Field(max_length=2000, description="The push service's URL (https)")
    keys: SubscriptionKeys
    label: str = Field(
        default="", max_length=200, description="What the device is, e.g. Chrome on Android"
    )

    @field_validator("endpoint")
    @classmethod
    def _url(cls, value: str) -> str:
        """An absolute http(s) URL with a host (which hosts: `push.webpush.allowed`)."""
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("push_endpoint_invalid")
        return value


class EndpointIn(BaseModel):
    endpoint: str = Field(max_length=2000, description="The subscription's endpoint")


class DeviceOut(BaseModel):
    id: int
    label: str
    endpoint_host: str = Field(description="The push service's host (e.g. fcm.googleapis.com)")
    created_at: datetime
    last_sent_at: datetime | None
    failed_at: datetime | None
    last_error: str | None


class DevicesOut(BaseModel):
    items: list[DeviceOut]


class PushMessage(BaseModel):
    """What one push says, as domains hand it to `push.service.notify`. The title is a
    message key of core/i18n.py written in each device's language with `params`; the body is
    the item's own text as it is (a DING's text), or a message key too (`body_key`: "a new
    private message"). `tag` names the item: a later push with the same tag replaces the
    earlier notification (and the push service drops an undelivered earlier one: RFC 8030
    Topic); a push of type `close` removes it."""

    type: Literal["ding", "notice", "mention", "direct", "close", "call"]
    title: str = ""
    params: dict[str, str] = Field(default_factory=dict)
    body: str = ""
    body_key: str | None = None
    url: str = "/"
    tag: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
