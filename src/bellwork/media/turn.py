"""Short-lived TURN credentials by the TURN REST API scheme (draft-uberti-behave-turn-rest),
which coturn checks with `use-auth-secret` and `static-auth-secret` (docs/media.md, "TURN").

The username is `<expiry as Unix time>:<person id>`, the password the base64 of
HMAC-SHA1(shared secret, username): coturn recomputes it, so nothing is stored per person and a
credential stops working at its expiry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from bellwork.config import Settings


def credential(
    secret: str, person: int | str, ttl: int, now: float | None = None
) -> tuple[str, str]:
    """(username, password) for `person`, valid for `ttl` seconds from `now`."""
    expiry = int(now if now is not None else time.time()) + ttl
    username = f"{expiry}:{person}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(settings: Settings, person: int, now: float | None = None) -> list[dict[str, Any]]:
    """The RTCPeerConnection `iceServers` for `person`: STUN URLs as they are, TURN URLs with
    a fresh credential. Empty when no TURN is configured (browsers then reach Janus directly,
    which works on a LAN and where Janus has a public address)."""
    urls = [u.strip() for u in settings.turn_urls.split(",") if u.strip()]
    stun = [u for u in urls if u.startswith(("stun:", "stuns:"))]
    turn = [u for u in urls if u.startswith(("turn:", "turns:"))]
    servers: list[dict[str, Any]] = []
    if stun:
        servers.append({"urls": stun})
    if turn and settings.turn_secret is not None:
        username, password = credential(
            settings.turn_secret.get_secret_value(), person, settings.turn_ttl, now
        )
        servers.append({"urls": turn, "username": username, "credential": password})
    return servers
