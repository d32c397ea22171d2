"""Who carries a delivery out of the server, per channel.

- Email: `SmtpEmail`, any SMTP server (`smtp_url`), through aiosmtplib: STARTTLS when the
  server offers it on smtp://, TLS from the start on smtps://.
- Text messages: `AliyunSms` (aliyun.py), Alibaba Cloud SMS on its official SDK, when
  `sms_provider` is `aliyun`; `outbox` otherwise.
- Voice calls: `AliyunVoice` (aliyun_voice.py), Alibaba Cloud Voice Messaging's
  text-to-speech call on its official SDK, when `voice_provider` is `aliyun`; `outbox` otherwise.
- `None` for a channel: the outbox (delivery/__init__.py).

A provider that can tell later what became of a delivery (a text's receipt, whether a call was
answered) also has `check` (`Checking`), asked by a follow-up job.

`send` answers the provider's reference for what it took (Aliyun's BizId, an email's
Message-ID), or None. A provider raises `ProviderError` with the reason to show in the
delivery log; `permanent` says trying again will not help (an address the server refuses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

import aiosmtplib

from bellwork.config import Settings
from bellwork.delivery.models import EMAIL, SMS, VOICE, Delivery

SMTP_TIMEOUT = 30.0


class ProviderError(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:1000]
        self.permanent = permanent


class Provider(Protocol):
    name: str

    async def send(self, delivery: Delivery) -> str | None: ...


# What a provider reports of a delivery it took (`Checking.check`).
DELIVERED = "delivered"  # it reached them: a text message received, a call answered
NOT_DELIVERED = "not_delivered"  # it did not: a call not answered, a number switched off
PENDING = "pending"  # no outcome yet: ask again later
DELIVERED_UNKNOWN = "unknown"  # the provider cannot say (no reference): stop asking


@dataclass(frozen=True)
class Outcome:
    state: str
    reason: str | None = None
    at: datetime | None = None


@runtime_checkable
class Finding(Protocol):
    """A provider that can say whether it took a delivery at all — for the try after one that
    was lost (a node killed while the provider answered): `found` is what it took for this
    delivery (its reference, or "" when it keeps none we can read), None if nothing."""

    name: str

    async def send(self, delivery: Delivery) -> str | None: ...

    async def find(self, delivery: Delivery, since: datetime) -> str | None: ...


@runtime_checkable
class Checking(Protocol):
    """A provider that can say later what became of what it took (delivery reports)."""

    name: str

    async def send(self, delivery: Delivery) -> str | None: ...

    async def check(self, delivery: Delivery) -> Outcome: ...


class SmtpEmail:
    name = "smtp"

    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("smtp_url must be smtp://[user:password@]host[:port] or smtps://…")
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender

    def message(self, d: Delivery) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = d.address
        msg["Subject"] = d.subject or ""
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="bellwork")
        msg.set_content(d.body)
        return msg

    async def send(self, d: Delivery) -> str | None:
        msg = self.message(d)
        try:
            await aiosmtplib.send(
                msg,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.tls,
                start_tls=None,  # when the server offers it
                timeout=SMTP_TIMEOUT,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise ProviderError(f"refused: {exc}", permanent=True) from exc
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx: the server will not take it; 4xx: try again later.
            raise ProviderError(f"{exc.code} {exc.message}", permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise ProviderError(f"{type(exc).__name__}: {exc}") from exc
        return str(msg["Message-ID"])


def provider_for(settings: Settings, channel: str) -> Provider | None:
    """The provider of `channel` under these settings; None: the outbox."""
    if channel == EMAIL and settings.smtp_url:
        return SmtpEmail(settings.smtp_url, settings.mail_from)
    if channel == SMS and settings.sms_provider == "aliyun":
        from bellwork.delivery.aliyun import AliyunSms  # its SDK takes half a second to load

        return AliyunSms(settings)
    if channel == SMS and settings.sms_provider != "outbox":
        raise ValueError(f"unknown sms_provider {settings.sms_provider!r}")
    if channel == VOICE and settings.voice_provider == "aliyun":
        from bellwork.delivery.aliyun_voice import AliyunVoice

        return AliyunVoice(settings)
    if channel == VOICE and settings.voice_provider != "outbox":
        raise ValueError(f"unknown voice_provider {settings.voice_provider!r}")
    return None
