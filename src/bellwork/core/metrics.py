"""Prometheus metrics: request counts and latencies per route template."""

from __future__ import annotations

from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.responses import Response

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "bellwork_http_requests_total",
    "HTTP requests",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "bellwork_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    registry=REGISTRY,
)


def observe(method: str, route: Any, status: int, seconds: float) -> None:
    template = getattr(route, "path", None) or "unmatched"
    if template.startswith("/api/"):
        REQUESTS.labels(method, template, str(status)).inc()
        LATENCY.labels(method, template).observe(seconds)


def metrics_response() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
