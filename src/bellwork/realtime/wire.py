"""One encoding of a frame for all its recipients.

A fan-out to 1,000 sockets through ASGI `send` encodes the same text 1,000 times: uvicorn turns
each call into UTF-8, a WebSocket frame object, its serialisation and a join, then writes the
bytes. A server-to-client text frame is the same bytes for every socket (servers do not mask),
so the hub encodes it once (`text_frame`) and hands those bytes to each socket's transport.

That needs the transport, which ASGI does not expose: `direct_writer` finds it behind uvicorn's
websockets-sansio protocol (what `bellwork serve` runs) and returns None for anything else — an
unknown server, permessage-deflate negotiated (frames then differ per socket) — and the hub
keeps calling `send`. `write` takes the shortcut only while uvicorn itself would write at once
(handshake done, not closing, transport writable); otherwise the caller falls back to `send`,
which waits as uvicorn's flow control requires. tests/realtime/test_wire.py checks against the
real uvicorn that the shortcut is taken and that clients read exactly the frames sent.
"""

from __future__ import annotations

import struct
from typing import Any

try:  # the server `bellwork serve` runs; absent, every socket uses `send`
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    from websockets.protocol import State
except ImportError:  # pragma: no cover - uvicorn[standard] is a dependency
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]
    State = None  # type: ignore[assignment,misc]

_OPEN = State.OPEN if State is not None else None


def text_frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented WebSocket text frame (RFC 6455 §5.2) carrying `payload`."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, n) + payload
    return struct.pack("!BBQ", 0x81, 127, n) + payload


def direct_writer(send: Any) -> Any | None:
    """The uvicorn protocol object behind an ASGI `send`, if frames may be written to its
    transport directly; None otherwise."""
    if WebSocketsSansIOProtocol is None:
        return None
    proto = getattr(send, "__self__", None)
    if not isinstance(proto, WebSocketsSansIOProtocol):
        return None
    if proto.conn.extensions:  # permessage-deflate: each socket compresses on its own
        return None
    return proto


def write(proto: Any, data: bytes) -> bool:
    """Writes an encoded frame if uvicorn would write now; False: use `send` instead."""
    if (
        proto.handshake_complete
        and not proto.close_sent
        and not proto.disconnected
        and proto.writable.is_set()
        and proto.conn.state is _OPEN
    ):
        transport = proto.transport
        if not transport.is_closing():
            transport.write(data)
            return True
    return False
