"""One pure ASGI middleware for what every HTTP request needs: its language and its metrics.

WebSockets pass straight through (their sockets live for hours; every wrapper frame kept alive
per socket costs memory), and plain ASGI avoids BaseHTTPMiddleware's extra task per request.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bellwork.core.i18n import current_locale, pick_locale
from bellwork.core.metrics import observe


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
            await self.app(scope, receive, send_and_note)
        finally:
            current_locale.reset(token)
            route: Any = scope.get("route")
            observe(scope["method"], route, status[0], time.perf_counter() - started)
