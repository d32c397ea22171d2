"""The events socket is served before FastAPI's stack; it must still be found where the
router would find it (also under a proxy's root path), and other sockets still 404."""

from __future__ import annotations

from typing import Any


async def talk(app: Any, path: str, root_path: str = "") -> list[dict[str, Any]]:
    incoming = [{"type": "websocket.connect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "root_path": root_path,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "subprotocols": [],
        "state": {},
    }
    await app(scope, receive, send)
    return sent


async def test_events_socket_answers_at_its_path_and_under_a_root_path(app: Any) -> None:
    for path, root in (("/api/v1/events", ""), ("/bw/api/v1/events", "/bw")):
        sent = await talk(app, path, root)
        assert sent[0] == {"type": "websocket.accept"}
        assert sent[1]["type"] == "websocket.close" and sent[1]["code"] == 4401


async def test_other_socket_paths_are_not_the_events_socket(app: Any) -> None:
    sent = await talk(app, "/api/v1/elsewhere")
    assert sent and sent[0]["type"] == "websocket.close"
    assert all(m.get("code") != 4401 for m in sent)
