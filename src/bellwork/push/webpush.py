"""Sending pushes (RFC 8030) encrypted for each browser (RFC 8291, aes128gcm of RFC 8188)
and signed for the push service (RFC 8292 VAPID).

What is used, and why: pywebpush, the usual library, sends with `requests` (blocking) or
with aiohttp; Bellwork's outgoing HTTP is httpx (async) already, and what pywebpush adds over
its own two parts is the HTTP call. So the parts are used directly — `http_ece` for the
message encryption and `py_vapid` for the signed JWT — and the POST is httpx's, async, many
at once on one connection pool, with a timeout per push. Encrypting (an ECDH and two HKDFs a
message, ~0.2 ms) runs in a thread for a batch, off the event loop.

`send_all` never raises for a push service's answer: each subscription gets an `Outcome`
(taken, gone for good, refused, or "try again later"), which `service` records.
"""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import http_ece
import httpx
from cryptography.hazmat.primitives.asymmetric import ec

from bellwork.push.vapid import Keys, unb64url

IN_FLIGHT = 32  # pushes in flight at once from one job
BREAKER = 3  # no answer / 5xx from one push service this many times in a job: skip the rest
URGENCIES = ("very-low", "low", "normal", "high")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed(endpoint: str, hosts: str) -> bool:
    """Whether the server may POST to `endpoint`: its host is on the `push_hosts` list and it
    is https (plain http only to a loopback address: a test server on this machine)."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(host)):
        return False
    for pattern in filter(None, (h.strip().lower() for h in hosts.split(","))):
        if pattern == "*" or fnmatch.fnmatchcase(host, pattern):
            return True
    return False


def encrypt(plain: bytes, p256dh: str, auth: str) -> bytes:
    """RFC 8291: the body for one browser, under a fresh key pair of ours (its public key is
    the record's key id) and a fresh salt."""
    ours = ec.generate_private_key(ec.SECP256R1())
    body: bytes = http_ece.encrypt(
        plain,
        private_key=ours,
        dh=unb64url(p256dh),
        auth_secret=unb64url(auth),
        version="aes128gcm",
    )
    return body


@dataclass(frozen=True)
class Target:
    id: int  # the subscription
    endpoint: str
    p256dh: str
    auth: str
    payload: bytes  # the JSON the service worker gets (in the device's language)


@dataclass(frozen=True)
class Outcome:
    id: int
    status: int | None  # the push service's HTTP status; None: no answer (or not tried)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        """404/410: the subscription expired or was unsubscribed; it never comes back."""
        return self.status in (404, 410)

    @property
    def retry(self) -> bool:
        """No answer, 5xx or 429 (too many): the service may take it later."""
        return not self.ok and (self.status is None or self.status >= 500 or self.status == 429)


def _origin(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


async def send_all(
    targets: Sequence[Target],
    keys: Keys,
    subject: str,
    *,
    ttl: int,
    urgency: str,
    topic: str | None,
    timeout: float,  # noqa: ASYNC109  (httpx's per-request timeout, not the call's)
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[Outcome]:
    """POSTs each target's push, up to IN_FLIGHT at once; one Outcome per target. A push
    service that does not answer (or answers 5xx) BREAKER times in this call is not asked
    again in it: its other pushes come back as "try again" at once, so a service that hangs
    costs one timeout, not one per subscription."""
    if not targets:
        return []
    bodies = await asyncio.to_thread(
        lambda: [encrypt(t.payload, t.p256dh, t.auth) for t in targets]
    )
    headers_for: dict[str, str] = {}
    failing: Counter[str] = Counter()
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(client: httpx.AsyncClient, target: Target, body: bytes) -> Outcome:
        origin = _origin(target.endpoint)
        async with gate:
            if failing[origin] >= BREAKER:
                return Outcome(target.id, None, f"not tried: {origin} is failing")
            auth = headers_for.get(origin)
            if auth is None:
                auth = headers_for[origin] = keys.header(target.endpoint, subject)
            headers = {
                "Authorization": auth,
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
                "TTL": str(ttl),
                "Urgency": urgency,
            }
            if topic:
                headers["Topic"] = topic
            try:
                r = await client.post(target.endpoint, content=body, headers=headers)
            except httpx.TimeoutException:
                failing[origin] += 1
                return Outcome(target.id, None, f"no answer within {timeout:g} s")
            except httpx.HTTPError as exc:
                failing[origin] += 1
                return Outcome(target.id, None, f"{type(exc).__name__}: {exc}"[:500])
            if r.status_code >= 500:
                failing[origin] += 1
            if 200 <= r.status_code < 300:
                return Outcome(target.id, r.status_code)
            text = r.text[:300].strip()
            return Outcome(target.id, r.status_code, f"{r.status_code} {text}".strip()[:500])

    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    async with httpx.AsyncClient(
        timeout=timeout, limits=limits, transport=transport, follow_redirects=False
    ) as client:
        return list(
            await asyncio.gather(*(one(client, t, b) for t, b in zip(targets, bodies, strict=True)))
        )
