"""Prometheus metrics: request counts and latencies per route template."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
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


FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def metrics_allowed(
    peer: str | None, headers: Mapping[str, str], token: str | None, allow: str
) -> bool:
    """Whether a request may read the metrics: it carries the configured bearer token, or it
    comes straight (no proxy's forwarding header) from an allowed network."""
    sent = headers.get("authorization", "")
    if token and sent.lower().startswith("bearer "):
        return hmac.compare_digest(sent[7:].strip().encode(), token.encode())
    if peer is None or any(h in headers for h in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    for network in filter(None, (n.strip() for n in allow.split(","))):
        if address in ipaddress.ip_network(network, strict=False):
            return True
    return False
