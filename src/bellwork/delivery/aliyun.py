"""Text messages through Alibaba Cloud SMS (阿里云短信服务), on its official SDK
(`alibabacloud_dysmsapi20170525` over `alibabacloud_tea_openapi`): the `SendSms` action of API
version 2017-05-25, signed with the account's AccessKey (ACS3-HMAC-SHA256).

**Templates.** Text messages in mainland China go out only through a signature (签名) and a
template (模板) the provider has approved; the text itself is never sent. A delivery's
`purpose` picks the template from `sms_templates` (settings):

- a purpose with a template of its own (`{"password_reset": "SMS_1"}`) sends the delivery's
  `params` as the template's variables — `password_reset` gives `{"code": "123456"}`, so its
  template reads e.g. `您的找回密码验证码为${code}，10分钟内有效。`;
- every other purpose goes through `default`, a general template with one variable,
  `${content}`, which receives the delivery's text (what the outbox would show);
- no template for the purpose and no `default`: the delivery fails at once, saying so.

**Answers.** `Code: OK` gives the message's `BizId`, kept on the delivery as its reference
(the console and the delivery receipts use it); the delivery's id goes along as `OutId`.
Refusals of this message that a retry will not change (a bad number, a template or signature
that is not approved, missing variables, a number that opted out, any other 4xx) fail it at
once with the provider's code and message; throttling (`isv.BUSINESS_LIMIT_CONTROL`,
`Throttling*`), the provider's own faults (`isp.*`, 5xx), an empty balance, timeouts and
refused connections are tried again with backoff (service.backoff).

**Sent once.** SendSms has no idempotency key, so a try that was lost — the node killed while
Aliyun answered — is not simply repeated: the next try first asks `QuerySendDetails` for the
phone's messages of the day and looks for the delivery's `OutId` (`find`); a message found is
taken as sent, and only a number with none gets it.

**Delivery reports.** `check` asks `QuerySendDetails` whether the message reached the phone
(the carrier's receipt): a DING's report shows it as delivered, or failed with the carrier's
code (service.check_delivery, a follow-up job).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import utils_models as openapi_models
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ThrottlingException

from bellwork.config import Settings
from bellwork.delivery.models import Delivery
from bellwork.delivery.providers import (
    DELIVERED,
    DELIVERED_UNKNOWN,
    NOT_DELIVERED,
    PENDING,
    Outcome,
    ProviderError,
)

DEFAULT_TEMPLATE = "default"
CHINA = ZoneInfo("Asia/Shanghai")

# Business codes (HTTP 200, `Code` not OK) that another try may get past.
TRANSIENT_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",  # too many to this number this minute/hour
        "isv.AMOUNT_NOT_ENOUGH",  # the account's balance: an admin can top it up
        "isv.OUT_OF_SERVICE",  # the account is suspended for arrears
    }
)


def template_for(templates: dict[str, str], d: Delivery) -> tuple[str, dict[str, str]]:
    """The template code and its variables for a delivery (module docstring, "Templates")."""
    own = templates.get(d.purpose)
    if own:
        return own, {str(k): str(v) for k, v in (d.params or {}).items()}
    default = templates.get(DEFAULT_TEMPLATE)
    if default:
        return default, {"content": d.body}
    raise ProviderError(
        f"no SMS template for purpose {d.purpose!r} and no {DEFAULT_TEMPLATE!r} one "
        "(BELLWORK_SMS_TEMPLATES)",
        permanent=True,
    )


def phone_numbers(address: str) -> str:
    """Aliyun's form of a stored phone number: 11 digits in the mainland, the country code and
    number without `+` elsewhere (org/phones.py stores `+85291234567`)."""
    return address.removeprefix("+86").removeprefix("+")


def endpoint(value: str, name: str = "sms_endpoint") -> tuple[str, str]:
    """(protocol, host[:port]) of an endpoint setting: a bare host is HTTPS."""
    if "://" not in value:
        return "https", value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{name} must be a host or http(s)://host[:port]")
    return parts.scheme, parts.netloc


class AliyunSms:
    name = "aliyun"

    def __init__(self, settings: Settings) -> None:
        secret = settings.sms_access_key_secret
        if not (settings.sms_access_key_id and secret and settings.sms_sign_name):
            raise ValueError("sms_provider aliyun needs an access key id, its secret, a sign name")
        protocol, host = endpoint(settings.sms_endpoint)
        self.timeout = settings.sms_timeout
        self.sign_name = settings.sms_sign_name
        self.templates = settings.sms_templates
        millis = int(self.timeout * 1000)
        self.client = Client(
            openapi_models.Config(
                access_key_id=settings.sms_access_key_id,
                access_key_secret=secret.get_secret_value(),
                endpoint=host,
                protocol=protocol,
                connect_timeout=millis,
                read_timeout=millis,
            )
        )

    def request(self, d: Delivery) -> Any:
        template, params = template_for(self.templates, d)
        return sms_models.SendSmsRequest(
            phone_numbers=phone_numbers(d.address),
            sign_name=self.sign_name,
            template_code=template,
            template_param=json.dumps(params, ensure_ascii=False) if params else None,
            out_id=f"bellwork-{d.id}",
        )

    async def send(self, d: Delivery) -> str | None:
        request = self.request(d)
        answer = await call(self.client.send_sms_async(request), self.timeout)
        body = answer.body
        code = str(getattr(body, "code", None) or "")
        if code == "OK":
            return str(body.biz_id) if body.biz_id else None
        message = getattr(body, "message", None)
        transient = code in TRANSIENT_CODES or code.startswith("isp.")
        raise ProviderError(provider_reason(code or "no Code", message), permanent=not transient)

    async def find(self, d: Delivery, since: datetime) -> str | None:
        """Whether Aliyun took this delivery already (a lost try): its messages to the number
        on the days since `since` (China time), looked through for the delivery's `OutId`.
        "" when found (the list does not give the BizId), None when not."""
        out_id = f"bellwork-{d.id}"
        day = since.astimezone(CHINA).date()
        today = datetime.now(CHINA).date()
        while day <= today:
            page = 1
            while True:
                request = sms_models.QuerySendDetailsRequest(
                    phone_number=phone_numbers(d.address),
                    send_date=day.strftime("%Y%m%d"),
                    page_size=50,
                    current_page=page,
                )
                answer = await call(self.client.query_send_details_async(request), self.timeout)
                body = answer.body
                code = str(getattr(body, "code", None) or "")
                if code != "OK":
                    raise ProviderError(
                        provider_reason(code or "no Code", getattr(body, "message", None))
                    )
                holder = getattr(body, "sms_send_detail_dtos", None)
                dtos = getattr(holder, "sms_send_detail_dto", None) or []
                if any(str(x.out_id or "") == out_id for x in dtos):
                    return ""
                if len(dtos) < 50:
                    break
                page += 1
            day += timedelta(days=1)
        return None

    async def check(self, d: Delivery) -> Outcome:
        """Whether the text message reached the phone (QuerySendDetails by its BizId):
        `SendStatus` 3 delivered, 2 failed (with the carrier's `ErrCode`), 1 waiting."""
        if not d.reference or d.sent_at is None:
            return Outcome(DELIVERED_UNKNOWN)
        day = d.sent_at.astimezone(CHINA).strftime("%Y%m%d")
        request = sms_models.QuerySendDetailsRequest(
            phone_number=phone_numbers(d.address),
            biz_id=d.reference,
            send_date=day,
            page_size=10,
            current_page=1,
        )
        answer = await call(self.client.query_send_details_async(request), self.timeout)
        body = answer.body
        code = str(getattr(body, "code", None) or "")
        if code != "OK":
            raise ProviderError(provider_reason(code or "no Code", getattr(body, "message", None)))
        dtos = getattr(getattr(body, "sms_send_detail_dtos", None), "sms_send_detail_dto", None)
        if not dtos:
            return Outcome(PENDING)
        first = dtos[0]
        status = int(first.send_status or 0)
        if status == 3:
            return Outcome(DELIVERED, at=china_time(first.receive_date))
        if status == 2:
            return Outcome(NOT_DELIVERED, reason=str(first.err_code or "failed"))
        return Outcome(PENDING)


async def call(request: Awaitable[Any], seconds: float) -> Any:
    """The SDK's answer to one request, or ProviderError with the reason to log: permanent
    for the provider's refusals a retry will not change (a 4xx), transient for throttling,
    its own faults (5xx), timeouts and refused connections."""
    try:
        return await asyncio.wait_for(request, timeout=seconds + 5)
    except ThrottlingException as exc:
        raise ProviderError(provider_reason(exc.code, exc.message)) from exc
    except AlibabaCloudException as exc:
        code = str(exc.code or "")
        status = int(exc.status_code or 0)
        again = status >= 500 or code.startswith(("Throttling", "ServiceUnavailable"))
        raise ProviderError(provider_reason(code, exc.message), permanent=not again) from exc
    except TimeoutError as exc:
        raise ProviderError(f"timed out after {seconds:g} s") from exc
    except Exception as exc:  # the SDK wraps connection errors and its timeouts
        inner = getattr(exc, "inner_exception", None) or exc
        said = str(getattr(inner, "message", None) or inner)
        if isinstance(inner, TimeoutError) or "timeout" in said.lower():
            raise ProviderError(f"timed out after {seconds:g} s ({said})") from exc
        kind = type(inner).__name__
        raise ProviderError(said if kind == "RetryError" else f"{kind}: {said}") from exc


def china_time(value: Any) -> datetime | None:
    """Aliyun's "2024-03-01 08:00:05" (China time, as its reports give it) in UTC."""
    if not value:
        return None
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except ValueError:
        return None


def provider_reason(code: str | None, message: str | None) -> str:
    return f"{code}: {message}" if message else str(code)
