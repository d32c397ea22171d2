"""The protocol's own frames: what every socket says whatever the domains behind it.

Server → client: `hello` (resync now), `pong`, `subscribed` / `unsubscribed` (answers),
`error`. Client → server: `ping`, `subscribe`, `unsubscribe`. Domains add their events and
their own client frames (chat's `read`) through `realtime.protocol.Part`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

TOPIC_MAX = 64  # characters in one topic name
TOPICS_PER_FRAME = 50


class Hello(BaseModel):
    """First frame on a new connection: resync now (fetch what you show, then what you missed)."""

    type: Literal["hello"] = "hello"
    person_id: int
    connection_id: str


class Pong(BaseModel):
    type: Literal["pong"] = "pong"


class Subscribed(BaseModel):
    """The topics of a `subscribe` this connection now receives (refused ones each got an
    `error` with `topic_refused` first)."""

    type: Literal["subscribed"] = "subscribed"
    topics: list[str]


class Unsubscribed(BaseModel):
    type: Literal["unsubscribed"] = "unsubscribed"
    topics: list[str]


class ErrorFrame(BaseModel):
    """A frame the server could not act on; the socket stays open. `topic` names the topic a
    `subscribe` was refused (`topic_refused`: it does not exist or is not yours, alike)."""

    type: Literal["error"] = "error"
    code: str
    title: str
    topic: str | None = None


Topic = Annotated[str, Field(min_length=3, max_length=TOPIC_MAX, pattern=r"^[a-z]+:[0-9]{1,19}$")]


class ClientPing(BaseModel):
    type: Literal["ping"]


class ClientSubscribe(BaseModel):
    """Receive the events of these topics too (each checked by the domain that owns it)."""

    type: Literal["subscribe"]
    topics: Annotated[list[Topic], Field(min_length=1, max_length=TOPICS_PER_FRAME)]


class ClientUnsubscribe(BaseModel):
    type: Literal["unsubscribe"]
    topics: Annotated[list[Topic], Field(min_length=1, max_length=TOPICS_PER_FRAME)]


SERVER_FRAMES: tuple[type[BaseModel], ...] = (Hello, Pong, Subscribed, Unsubscribed, ErrorFrame)
CLIENT_FRAMES: tuple[type[BaseModel], ...] = (ClientPing, ClientSubscribe, ClientUnsubscribe)
