"""A local HTTP server that plays Alibaba Cloud Voice Messaging's documented API (dyvmsapi,
version 2017-05-25): `SingleCallByTts` places a text-to-speech call and answers its CallId;
`QueryCallDetailByCallId` answers the call's detail (a JSON string in `Data`: `state`,
`stateDesc`, `duration`, `startDate`, …) as the test scripted the call's fate — answered, not
answered (state 200005, duration 0), or no record yet. Requests are signed and checked as for
SMS (aliyun_server.py, ACS3-HMAC-SHA256); a call can also be answered with a 500 or slowly.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.delivery.aliyun_server import AliyunSmsServer, Answer

ANSWERED = {"state": "200000", "stateDesc": "用户听到语音", "duration": 35}
NOT_ANSWERED = {"state": "200005", "stateDesc": "用户未接", "duration": 0}


@dataclass
class AliyunVoiceServer(AliyunSmsServer):
    actions: tuple[str, ...] = ("SingleCallByTts", "QueryCallDetailByCallId")
    calls: list[dict[str, str]] = field(default_factory=list)  # SingleCallByTts parameters
    # What became of each call (by the order it was placed, 1-based): ANSWERED by default;
    # None: no record yet.
    fate: dict[int, dict[str, Any] | None] = field(default_factory=dict)
    details: list[dict[str, str]] = field(default_factory=list)  # QueryCallDetailByCallId asks

    async def dispatch(self, action: str, params: dict[str, str]) -> web.Response:
        if action == "QueryCallDetailByCallId":
            return self.detail(params)
        for required in ("CalledNumber", "TtsCode"):
            if not params.get(required):
                return self._error(400, "MissingParameter", f"{required} is mandatory")
        out_id = params.get("OutId", "")
        if out_id and not 1 <= len(out_id.encode()) <= 15:
            return self._error(400, "InvalidParameter", "OutId must be 1 to 15 bytes")
        self.calls.append(params)
        answer = self.script.pop(0) if self.script else Answer()
        if answer.delay:
            await asyncio.sleep(answer.delay)
        request_id = str(uuid.uuid4())
        if answer.kind == "500":
            return web.json_response(
                {"RequestId": request_id, "Code": "InternalError", "Message": "unknown error"},
                status=500,
            )
        reply: dict[str, Any] = {
            "RequestId": request_id,
            "Code": answer.code,
            "Message": answer.message,
        }
        if answer.code == "OK":
            reply["CallId"] = f"{len(self.calls)}^{uuid.uuid4().int % 10**12}"
        return web.Response(
            text=json.dumps(reply, ensure_ascii=False), content_type="application/json"
        )

    def detail(self, params: dict[str, str]) -> web.Response:
        for required in ("CallId", "ProdId", "QueryDate"):
            if not params.get(required):
                return self._error(400, "MissingParameter", f"{required} is mandatory")
        self.details.append(params)
        number, _, _ = params["CallId"].partition("^")
        data: dict[str, Any] | None = None
        if number.isdigit() and 1 <= int(number) <= len(self.calls):
            n = int(number)
            fate = self.fate.get(n, ANSWERED)
            if fate is not None:
                data = {
                    "callee": self.calls[n - 1]["CalledNumber"],
                    "startDate": "2026-11-28 08:00:10",
                    "endDate": "2026-11-28 08:00:45",
                    "gmtCreate": "2026-11-28 08:00:00",
                    **fate,
                }
        reply = {
            "RequestId": str(uuid.uuid4()),
            "Code": "OK",
            "Message": "OK",
            "Data": json.dumps(data, ensure_ascii=False) if data else "",
        }
        return web.Response(
            text=json.dumps(reply, ensure_ascii=False), content_type="application/json"
        )
