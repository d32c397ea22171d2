from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class DeliveryOut(BaseModel):
    id: int
    channel: Literal["email", "sms", "voice"]
    address: str
    person_id: int | None
    purpose: str
    subject: str | None
    body: str
    status: Literal["queued", "sent", "delivered", "outbox", "failed"] = Field(
        description="queued: not sent yet (or to be tried again); sent: the provider took it; "
        "delivered: the provider reported it reached them (a text received, a call answered); "
        "outbox: no provider for its channel, kept here; failed: refused, or every try failed"
    )
    provider: str | None = Field(description="Who carried it: smtp, aliyun, outbox")
    reference: str | None = Field(
        description="The provider's own reference for it (Aliyun's BizId, an email's "
        "Message-ID), to look it up in the provider's console"
    )
    error: str | None = Field(description="The provider's reason for the last failure")
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None = Field(
        description="When the provider reported it reached them (null: not (yet) reported)"
    )
    ding_id: int | None = Field(description="The DING it carries, if any")
