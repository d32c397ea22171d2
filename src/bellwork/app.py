"""Builds the ASGI app: routers, middleware, error handlers, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from bellwork import __version__
from bellwork.approvals.api import router as approvals_router

# attendance (issue 14)
from bellwork.attendance.api import router as attendance_router
from bellwork.audit.api import router as audit_router
from bellwork.auth.api import router as auth_router
from bellwork.auth.api import tokens_router
from bellwork.calls.api import router as calls_router
from bellwork.chat import groups as _groups  # noqa: F401 - registers the roster listener
from bellwork.chat.announcements_api import router as announcements_router
from bellwork.chat.api import router as chat_router
from bellwork.chat.invites_api import router as invites_router
from bellwork.config import Settings, get_settings
from bellwork.core import redact
from bellwork.core.errors import (
    PROBLEM,
    Problem,
    problem_answer,
    problem_response,
    request_problem,
)
from bellwork.core.i18n import current_locale, pick_locale, t, validation_message
from bellwork.core.metrics import metrics_allowed, metrics_response
from bellwork.core.middleware import RequestContext
from bellwork.delivery.api import router as delivery_router
from bellwork.ding.api import router as ding_router
from bellwork.forms.api import router as forms_router
from bellwork.jobs.api import router as jobs_router
from bellwork.jobs.runner import Runner
from bellwork.jobs.sockets import socket_audit
from bellwork.lessons.api import router as lessons_router
from bellwork.media.api import router as media_router
from bellwork.meetings.api import router as meetings_router
from bellwork.notices.api import router as notices_router
from bellwork.org.api import memberships, people, units
from bellwork.org.importer_api import router as import_router
from bellwork.preferences.api import router as preferences_router
from bellwork.protocol import PROTOCOL
from bellwork.push.api import router as push_router
from bellwork.realtime import api as realtime
from bellwork.realtime.hub import Hub
from bellwork.reports.api import router as reports_router
from bellwork.runtime import Runtime
from bellwork.workbench.api import router as workbench_router

log = logging.getLogger("bellwork")
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `code` is stable, `title` is translated.",
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "additionalProperties": True},
            "description": "Per-field or per-row details: field, message, row, column, ...",
        },
    },
}
STATIC_DIR = Path(__file__).parent / "static"
_UNION_BRANCH = re.compile(r"[\[\]-]|^(int|str|float|bool|none)$")


class BellworkApp(FastAPI):
    """The app. The events WebSocket is served before FastAPI's middleware and router: those
    frames would otherwise stay alive for each of thousands of hours-long sockets."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            path: str = scope["path"]
            root: str = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]  # behind a proxy that mounts the app under a prefix
            if path == realtime.PATH:
                await realtime.events_socket(self.state.sockets, scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    redact.install()  # no ?token= secrets in uvicorn's logs

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub = Hub()
        runtime = await Runtime.open(settings, on_event=hub.handle)
        app.state.runtime = runtime
        # The runtime's parts under the names the request path reads them by.
        app.state.engine = runtime.engine
        app.state.sessionmaker = runtime.sessionmaker
        app.state.write_gate = runtime.write_gate
        app.state.bus = runtime.bus
        app.state.sockets = realtime.Sockets(runtime, hub, PROTOCOL)
        # Read by tests and tools that look inside a running app.
        app.state.handshakes = app.state.sockets.handshakes
        app.state.hub = hub
        if settings.jobs_embedded:
            runtime.runner = Runner(runtime)
            await runtime.runner.start()
        auditing = asyncio.create_task(socket_audit(runtime, hub))
        # The installation's own Janus, where it is installed and wanted (docs/media.md).
        await runtime.media.start_supervising()
        # Many long-lived connections: keep start-up objects out of the collector's way
        # (full collections over them caused 100-600 ms pauses in fan-out measurements).
        gc.collect()
        gc.freeze()
        gc.set_threshold(20_000, 20, 20)
        try:
            yield
        finally:
            auditing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await auditing
            await runtime.close()

    app = BellworkApp(
        title="Bellwork API",
        version=__version__,
        description="REST API of Bellwork. Errors are RFC 9457 problem details with a `code`.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings

    app.add_middleware(RequestContext)

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_answer(exc)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ())]
            if loc and loc[0] in ("body", "query", "path", "header", "cookie"):
                loc = loc[1:]  # where it was, not what: `body.body` is the field `body`
            # pydantic names the branch of a union it tried (`mentions.0.constrained-int`,
            # `mentions.0.literal['all']`): not part of the field's name.
            loc = [x for x in loc if not _UNION_BRANCH.search(x)]
            kind = str(err.get("type", ""))
            errors.append(
                {
                    "field": ".".join(loc) or None,
                    "message": validation_message(kind, err.get("ctx"), err.get("msg", "")),
                    "type": kind,
                }
            )
        body = Problem("validation_failed", 422, errors=errors).to_dict()
        return problem_response(422, body)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and not request.url.path.startswith("/api/"):
            return spa_index()
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # A body that is not JSON at all (bytes that are not UTF-8, nesting too deep).
            return problem_answer(request_problem("json_invalid", "v.json_invalid"))
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        title = t("not_found", thing="page") if exc.status_code == 404 else str(exc.detail)
        return problem_response(
            exc.status_code,
            {
                "type": f"https://bellwork.example/problems/{code}",
                "title": title,
                "status": exc.status_code,
                "code": code,
            },
        )

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        # This runs outside the request middleware, so the language is picked here again.
        lang = request.cookies.get("bw_lang") or request.headers.get("accept-language")
        token = current_locale.set(pick_locale(lang))
        try:
            if isinstance(exc, DBAPIError) and "0x00" in str(exc.orig):
                # A NUL that came another way than the middleware checks (a cell of an
                # uploaded spreadsheet): PostgreSQL refused it and nothing was stored.
                log.warning("NUL character refused by the database on %s", request.url.path)
                return problem_answer(request_problem("nul_character", "v.nul_character"))
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return problem_response(500, Problem("internal_error", 500).to_dict())
        finally:
            current_locale.reset(token)

    for router in (
        auth_router,
        tokens_router,
        units,
        people,
        memberships,
        audit_router,
        import_router,
        chat_router,
        invites_router,
        delivery_router,
        ding_router,
        forms_router,
        reports_router,
        notices_router,
        announcements_router,
        jobs_router,
        workbench_router,
        preferences_router,
        push_router,
        media_router,
        lessons_router,
        approvals_router,
        meetings_router,
        calls_router,
        attendance_router,
    ):
        app.include_router(router)

    def openapi() -> dict[str, Any]:
        """The schema, with every error answer documented as problem+json."""
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = PROBLEM_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        # The WebSocket's frames both ways (docs/realtime.md), so clients generate their types.
        for union, frames in (("Event", PROTOCOL.events), ("ClientFrame", PROTOCOL.client)):
            found = frames.json_schema(
                ref_template="#/components/schemas/{model}",
                mode="serialization" if union == "Event" else "validation",
            )
            for name, definition in found.pop("$defs", {}).items():
                components.setdefault(name, definition)  # the API's own models stay as they are
            components[union] = found
        ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
        for item in schema.get("paths", {}).values():
            for op in item.values():
                responses = op.setdefault("responses", {})
                if op.get("requestBody") or op.get("parameters"):
                    responses.setdefault("422", {"description": "Invalid input"})
                for status, resp in responses.items():
                    if status[0] in "45":
                        resp["content"] = {PROBLEM: ref}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    async def readyz(request: Request) -> JSONResponse:
        """The process can reach its database."""
        try:
            async with request.app.state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            # And its files store: a bucket that is gone would make every file read as missing.
            await request.app.state.runtime.files.check()
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, 503)
        return JSONResponse({"status": "ok"})

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics(request: Request) -> Response:
        """Prometheus metrics, for the configured token or local addresses only."""
        peer = request.client.host if request.client else None
        if not metrics_allowed(
            peer, request.headers, settings.metrics_token, settings.metrics_allow
        ):
            raise Problem("metrics_forbidden", 403)
        return metrics_response()

    def spa_index() -> Response:
        index = STATIC_DIR / "index.html"
        if index.exists():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return JSONResponse(
            {"detail": "The web client is not built. Run `make web` (see README)."}, 404
        )

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return spa_index()

    # The installable web app's files at the site's root (web/public, web/sw; docs/push.md):
    # the service worker must come from "/" to control every page, and none of these may be
    # cached for long (a new build replaces them).
    def root_file(name: str, media_type: str) -> None:
        async def serve() -> Response:
            path = STATIC_DIR / name
            if not path.is_file():
                return Response(status_code=404)
            return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})

        app.add_api_route(f"/{name}", serve, methods=["GET"], include_in_schema=False)

    root_file("sw.js", "text/javascript")
    root_file("manifest.webmanifest", "application/manifest+json")
    root_file("offline.html", "text/html")

    from fastapi.staticfiles import StaticFiles

    for folder in ("assets", "icons"):
        if (STATIC_DIR / folder).is_dir():
            app.mount(f"/{folder}", StaticFiles(directory=STATIC_DIR / folder), name=folder)

    return app
