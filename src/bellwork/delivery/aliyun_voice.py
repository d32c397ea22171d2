"""Voice calls through Alibaba Cloud Voice Messaging (阿里云语音服务, dyvms), on its official SDK
(`alibabacloud_dyvmsapi20170525`): `SingleCallByTts` of API 2017-05-25 rings the number and
reads an approved text-to-speech template out, signed with the account's AccessKey.

**Templates.** As with text messages, only an approved template (TtsCode) is read out: a
delivery's `purpose` picks it from `voice_tts_templates`, and `default` gets the delivery's text
as `${content}` (the provider limits the variables to 250 characters).

**Was it answered?** Placing a call only says the provider took it (its `CallId`, kept as the
delivery's reference). `check` asks `QueryCallDetailByCallId` later (a follow-up job,
service.check_delivery): a call whose `duration` is above 0 (or whose state is 200000, "用户听到
语音") was answered; any other final state — not answered, busy, switched off, no such
number — did not reach them, with the carrier's state and its description as the reason; no
record yet means ask again later. The DING that placed the call sends a text message instead
when it was not answered (ding/escalation.py).
"""

from __future__ import annotations

import json
from typing import Any

from alibabacloud_dyvmsapi20170525 import models as vms_models
from alibabacloud_dyvmsapi20170525.client import Client
from alibabacloud_tea_openapi import utils_models as openapi_models

from bellwork.config import Settings
from bellwork.delivery.aliyun import DEFAULT_TEMPLATE, call, china_time, endpoint, provider_reason
from bellwork.delivery.models import Delivery
from bellwork.delivery.providers import (
    DELIVERED,
    DELIVERED_UNKNOWN,
    NOT_DELIVERED,
    PENDING,
    Outcome,
    ProviderError,
)

# QueryCallDetailByCallId's ProdId of calls placed by SingleCallByTts.
TTS_PRODUCT = 11010000138001
ANSWERED_STATE = "200000"
# Business codes (HTTP 200, `Code` not OK) another try may get past.
TRANSIENT_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH"})
MAX_TTS_PARAMS = 250


def called_number(address: str) -> str:
    """The provider's form: 11 digits in the mainland, country code and number elsewhere."""
    return address.removeprefix("+86").removeprefix("+")


class AliyunVoice:
    name = "aliyun"

    def __init__(self, settings: Settings) -> None:
        key_id = settings.voice_access_key_id or settings.sms_access_key_id
        secret = settings.voice_access_key_secret or settings.sms_access_key_secret
        if not (key_id and secret):
            raise ValueError("voice_provider aliyun needs an access key id and its secret")
        protocol, host = endpoint(settings.voice_endpoint, "voice_endpoint")
        self.timeout = settings.voice_timeout
        self.templates = settings.voice_tts_templates
        self.show_number = settings.voice_show_number
        millis = int(self.timeout * 1000)
        self.client = Client(
            openapi_models.Config(
                access_key_id=key_id,
                access_key_secret=secret.get_secret_value(),
                endpoint=host,
                protocol=protocol,
                connect_timeout=millis,
                read_timeout=millis,
            )
        )

    def request(self, d: Delivery) -> Any:
        own = self.templates.get(d.purpose)
        if own:
            code, params = own, {str(k): str(v) for k, v in (d.params or {}).items()}
        elif self.templates.get(DEFAULT_TEMPLATE):
            code, params = self.templates[DEFAULT_TEMPLATE], {"content": d.body[:MAX_TTS_PARAMS]}
        else:
            raise ProviderError(
                f"no voice template for purpose {d.purpose!r} and no {DEFAULT_TEMPLATE!r} one "
                "(BELLWORK_VOICE_TTS_TEMPLATES)",
                permanent=True,
            )
        return vms_models.SingleCallByTtsRequest(
            called_number=called_number(d.address),
            called_show_number=self.show_number,
            tts_code=code,
            tts_param=json.dumps(params, ensure_ascii=False) if params else None,
            play_times=2,
            out_id=f"bw{d.id}"[:15],  # the API takes 1 to 15 bytes
        )

    async def send(self, d: Delivery) -> str | None:
        answer = await call(self.client.single_call_by_tts_async(self.request(d)), self.timeout)
        body = answer.body
        code = str(getattr(body, "code", None) or "")
        if code == "OK":
            return str(body.call_id) if body.call_id else None
        transient = code in TRANSIENT_CODES or code.startswith("isp.")
        said = provider_reason(code or "no Code", getattr(body, "message", None))
        raise ProviderError(said, permanent=not transient)

    async def check(self, d: Delivery) -> Outcome:
        """Whether the call was answered (module docstring)."""
        if not d.reference or d.sent_at is None:
            return Outcome(DELIVERED_UNKNOWN)
        request = vms_models.QueryCallDetailByCallIdRequest(
            call_id=d.reference,
            prod_id=TTS_PRODUCT,
            # Records from this moment to 24 hours later: a little before the call was placed.
            query_date=int(d.sent_at.timestamp() * 1000) - 60_000,
        )
        answer = await call(self.client.query_call_detail_by_call_id_async(request), self.timeout)
        body = answer.body
        code = str(getattr(body, "code", None) or "")
        if code != "OK":
            raise ProviderError(provider_reason(code or "no Code", getattr(body, "message", None)))
        try:
            data = json.loads(body.data) if body.data else {}
        except ValueError:
            data = {}
        state = str(data.get("state") or "") if isinstance(data, dict) else ""
        if not state:
            return Outcome(PENDING)
        try:
            duration = int(data.get("duration") or 0)
        except (TypeError, ValueError):
            duration = 0
        if duration > 0 or state == ANSWERED_STATE:
            return Outcome(DELIVERED, at=china_time(data.get("startDate")))
        said = str(data.get("stateDesc") or "").strip()
        return Outcome(NOT_DELIVERED, reason=f"{state}: {said}" if said else state)
