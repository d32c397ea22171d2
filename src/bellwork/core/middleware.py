"""One pure ASGI middleware for what every HTTP request needs: its language, its metrics, and
a guard against NUL characters.

WebSockets pass straight through (their sockets live for hours; every wrapper frame kept alive
per socket costs memory), and plain ASGI avoids BaseHTTPMiddleware's extra task per request.

No text Bellwork stores may contain a NUL character (U+0000): PostgreSQL refuses it (a driver
error, i.e. a 500, halfway through a request) while SQLite would keep it. So a request with one
in its path, its query or its JSON body is answered 422 before anything runs, on both backends.
"""

from __future__ import annotations

import re
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bellwork.core.errors import problem_answer, request_problem
from bellwork.core.i18n import current_locale, pick_locale
from bellwork.core.metrics import observe

# A JSON-escaped NUL: `\u0000` not itself escaped (an even run of backslashes before it).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_QUERY_NUL = re.compile(rb"%00")
MAX_JSON = 1024 * 1024  # a JSON request body; files and imports come as multipart


def _nul_problem() -> JSONResponse:
    return problem_answer(request_problem("nul_character", "v.nul_character"))


def _json_refusal(body: bytes | None) -> JSONResponse | None:
    """Why a JSON body is refused before anything runs, if it is: too large, not UTF-8 (JSON
    is UTF-8, RFC 8259; a UTF-16 body would slip past the NUL check), or a NUL character."""
    if body is None:
        too_large = request_problem("body_too_large", "body_too_large", 413, limit=MAX_JSON // 1024)
        return problem_answer(too_large)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return problem_answer(request_problem("json_invalid", "v.json_invalid"))
    if _JSON_NUL.search(body):
        return _nul_problem()
    return None


async def _read_body(receive: Receive) -> tuple[bytes | None, list[Message]]:
    """The whole body and the messages it came in; None for the body past MAX_JSON."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_JSON:
            return None, messages
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def again() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return again


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        lang = cookie_parser(headers.get("cookie", "")).get("bw_lang") or headers.get(
            "accept-language"
        )
        token = current_locale.set(pick_locale(lang))
        started = time.perf_counter()
        status: list[int] = [500]

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            if "\x00" in scope["path"] or _QUERY_NUL.search(scope.get("query_string", b"")):
                await _nul_problem()(scope, receive, send_and_note)
                return
            if "json" in headers.get("content-type", "").lower():
                body, messages = await _read_body(receive)
                refusal = _json_refusal(body)
                del body
                if refusal is not None:
                    await refusal(scope, receive, send_and_note)
                    return
                receive = _replay(messages, receive)
            await self.app(scope, receive, send_and_note)
        finally:
            current_locale.reset(token)
            route: Any = scope.get("route")
            observe(scope["method"], route, status[0], time.perf_counter() - started)
