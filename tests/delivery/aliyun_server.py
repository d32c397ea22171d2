"""A local HTTP server that plays Alibaba Cloud SMS's documented API (dysmsapi, version
2017-05-25, actions SendSms and QuerySendDetails, "V3" request signing ACS3-HMAC-SHA256), for
the adapter's tests:
the real SDK signs and sends real HTTP requests to it.

It checks what Alibaba Cloud checks — the signature over the canonical request, the action
and version, the AccessKey — records each SendSms's parameters, and answers what the test
scripted next: OK with a BizId, a business error (HTTP 200, `Code` not OK), a 500, or
nothing for a while (a timeout).

Signing, as documented (help.aliyun.com, "V3版本请求体&签名机制"):
    CanonicalRequest = method \\n path \\n sorted, RFC 3986-encoded query \\n
                       "name:value\\n" of each signed header \\n signed header names ";" \\n
                       hex sha256 of the body
    StringToSign     = "ACS3-HMAC-SHA256\\n" + hex sha256 of CanonicalRequest
    Authorization    = "ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<names>,
                        Signature=<hex hmac-sha256(secret, StringToSign)>"
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote

from aiohttp import web

from tests.chat.conftest import free_port

KEY_ID = "LTAI5tTestKeyId"
KEY_SECRET = "test-secret-of-the-key"


def _enc(value: str) -> str:
    return quote(value, safe="-_.~")


def signature(
    secret: str,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: dict[str, str],
    signed: list[str],
    payload_hash: str,
) -> str:
    canonical_query = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(query))
    canonical_headers = "".join(f"{h}:{headers.get(h, '').strip()}\n" for h in signed)
    canonical = "\n".join(
        [method, path or "/", canonical_query, canonical_headers, ";".join(signed), payload_hash]
    )
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class Answer:
    """What the server says to the next SendSms."""

    kind: str = "ok"  # ok | business | 500 | slow
    code: str = "OK"
    message: str = "OK"
    delay: float = 0.0


@dataclass
class AliyunSmsServer:
    port: int = field(default_factory=free_port)
    sent: list[dict[str, str]] = field(default_factory=list)  # SendSms parameters, in order
    refused: list[str] = field(default_factory=list)  # why a request was refused (signing)
    script: list[Answer] = field(default_factory=list)  # answers to come; then OK
    runner: web.AppRunner | None = None
    # QuerySendDetails: the receipt of each BizId — (SendStatus, ErrCode); 3 (received) when
    # not set. 1 waiting for the receipt, 2 failed.
    receipts: dict[str, tuple[int, str]] = field(default_factory=dict)
    queried: list[dict[str, str]] = field(default_factory=list)  # QuerySendDetails parameters
    actions: tuple[str, ...] = ("SendSms", "QuerySendDetails")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def _error(self, status: int, code: str, message: str) -> web.Response:
        self.refused.append(f"{code}: {message}")
        body = {"RequestId": str(uuid.uuid4()), "Code": code, "Message": message}
        return web.json_response(body, status=status)

    async def handle(self, request: web.Request) -> web.Response:
        checked = await self.verify(request)
        if isinstance(checked, web.Response):
            return checked
        action, params = checked
        return await self.dispatch(action, params)

    async def verify(self, request: web.Request) -> web.Response | tuple[str, dict[str, str]]:
        """The action and its parameters of a correctly signed request; the provider's
        error answer otherwise."""
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        action = headers.get("x-acs-action", "")
        if action not in self.actions or headers.get("x-acs-version") != "2017-05-25":
            return self._error(404, "InvalidAction.NotFound", "Specified api is not found")
        if hashlib.sha256(body).hexdigest() != headers.get("x-acs-content-sha256"):
            return self._error(400, "InvalidParameter", "x-acs-content-sha256 does not match")
        auth = headers.get("authorization", "")
        algorithm, _, rest = auth.partition(" ")
        parts = dict(p.split("=", 1) for p in rest.split(",") if "=" in p)
        if algorithm != "ACS3-HMAC-SHA256" or parts.get("Credential") != KEY_ID:
            return self._error(
                404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        signed = parts.get("SignedHeaders", "").split(";")
        if "host" not in signed or "x-acs-action" not in signed:
            return self._error(400, "IncompleteSignature", "host and x-acs-* must be signed")
        query = parse_qsl(request.query_string, keep_blank_values=True)
        expected = signature(
            KEY_SECRET,
            request.method,
            request.path,
            query,
            headers,
            signed,
            headers["x-acs-content-sha256"],
        )
        if not hmac.compare_digest(expected, parts.get("Signature", "")):
            return self._error(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        params = dict(query)
        if body and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        return action, params

    async def dispatch(self, action: str, params: dict[str, str]) -> web.Response:
        if action == "QuerySendDetails":
            return self.send_details(params)
        for required in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not params.get(required):
                return self._error(400, "MissingParameter", f"{required} is mandatory")
        self.sent.append(params)
        answer = self.script.pop(0) if self.script else Answer()
        request_id = str(uuid.uuid4())
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.kind == "500":
            return web.json_response(
                {
                    "RequestId": request_id,
                    "Code": "InternalError",
                    "Message": "The request processing has failed due to some unknown error.",
                },
                status=500,
            )
        reply: dict[str, Any] = {
            "RequestId": request_id,
            "Code": answer.code,
            "Message": answer.message,
        }
        if answer.code == "OK":
            reply["BizId"] = f"{len(self.sent):06d}^{uuid.uuid4().int % 10**10}"
        return web.Response(
            text=json.dumps(reply, ensure_ascii=False), content_type="application/json"
        )

    def send_details(self, params: dict[str, str]) -> web.Response:
        """QuerySendDetails: the receipt of one BizId sent to one number on one day."""
        for required in ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"):
            if not params.get(required):
                return self._error(400, "MissingParameter", f"{required} is mandatory")
        self.queried.append(params)
        biz = params.get("BizId", "")
        # With a BizId: that message; without: every message to the number (the day's list).
        mine = [
            (i, p)
            for i, p in enumerate(self.sent, start=1)
            if p["PhoneNumbers"] == params["PhoneNumber"]
            and (not biz or biz.startswith(f"{i:06d}^"))
        ]
        size, page = int(params["PageSize"]), int(params["CurrentPage"])
        total = len(mine)
        mine = mine[(page - 1) * size : page * size]
        details = []
        for _, p in mine:
            status, err = self.receipts.get(biz, (3, "DELIVERED"))
            details.append(
                {
                    "PhoneNum": p["PhoneNumbers"],
                    "SendStatus": status,
                    "ErrCode": err,
                    "TemplateCode": p["TemplateCode"],
                    "Content": p.get("TemplateParam", ""),
                    "SendDate": "2026-11-28 08:00:00",
                    "ReceiveDate": "2026-11-28 08:00:05" if status == 3 else "",
                    "OutId": p.get("OutId", ""),
                }
            )
        reply = {
            "RequestId": str(uuid.uuid4()),
            "Code": "OK",
            "Message": "OK",
            "TotalCount": total,
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
        }
        return web.Response(
            text=json.dumps(reply, ensure_ascii=False), content_type="application/json"
        )
