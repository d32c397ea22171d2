"""The protocol of the one socket, assembled from the domains' parts.

Real time is topics: `person:<id>` (every socket of a person, always), and whatever the domains
declare — chat's `conv:<id>`, org's `unit:<id>`, a later `lesson:<id>`. A domain contributes a
`Part`:

- `events`: its members of the server → client union (pydantic models with a literal `type`);
- `topics`: the prefixes it owns, each with the check that says whether a person may subscribe
  (`None`: only the server subscribes sockets to it, e.g. as membership changes);
- `initial`: the topics a socket of this person starts with (chat: the conversations one is in);
- `actions`: its client → server frames and what to do with each (chat's `read`).

`Protocol` puts the parts together with realtime's own frames (`realtime/frames.py`): one
discriminated union of events (published in the OpenAPI schema as `Event`, from which the web
client's types are generated), one union of client frames, and the topic checks. The app builds
it once from the list in `bellwork/protocol.py`; nothing in `realtime/` imports a domain.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Union

from pydantic import BaseModel, Field, TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.realtime.frames import CLIENT_FRAMES, SERVER_FRAMES

PERSON = "person"
_ID_MAX = 2**63 - 1

# (session, person id, the topic's id) → may this person receive the topic's events?
Authorise = Callable[[AsyncSession, int, int], Awaitable[bool]]
Initial = Callable[[AsyncSession, int], Awaitable[Iterable[str]]]
# (session, person id, the validated frame): raises core.errors.Problem to answer an error frame.
Action = Callable[[AsyncSession, int, Any], Awaitable[None]]

_TOPICS: dict[tuple[str, int], str] = {}


def topic(prefix: str, ident: int) -> str:
    """The topic `prefix:ident`, one shared string per topic in this process (sockets of one
    conversation hold the same object, not a copy each)."""
    key = (prefix, ident)
    found = _TOPICS.get(key)
    if found is None:
        found = _TOPICS[key] = sys.intern(f"{prefix}:{ident}")
    return found


def person_topic(person_id: int) -> str:
    return f"{PERSON}:{person_id}"


def split_topic(name: str) -> tuple[str, int] | None:
    """(prefix, id) of a well-formed topic name, or None."""
    prefix, sep, ident = name.partition(":")
    if not sep or not prefix.isalpha() or not ident.isdigit() or len(ident) > 19:
        return None
    value = int(ident)
    return (prefix, value) if value <= _ID_MAX else None


@dataclass(frozen=True)
class Part:
    """What one domain adds to the socket (see the module docstring)."""

    name: str
    events: tuple[type[BaseModel], ...] = ()
    topics: Mapping[str, Authorise | None] = field(default_factory=dict)
    initial: Initial | None = None
    actions: Mapping[type[BaseModel], Action] = field(default_factory=dict)


def _union(models: tuple[type[BaseModel], ...]) -> TypeAdapter[Any]:
    members: Any = Union[models]  # noqa: UP007 - built from a tuple at run time
    annotated: Any = Annotated[members, Field(discriminator="type")]
    return TypeAdapter(annotated)


def _type_of(model: type[BaseModel]) -> str:
    literal = model.model_fields["type"].annotation
    values: tuple[Any, ...] = getattr(literal, "__args__", ())
    if len(values) != 1 or not isinstance(values[0], str):
        raise TypeError(f"{model.__name__}.type must be one literal string")
    return str(values[0])


class Protocol:
    def __init__(self, parts: Iterable[Part]) -> None:
        self.parts = tuple(parts)
        server = SERVER_FRAMES + tuple(m for p in self.parts for m in p.events)
        client = CLIENT_FRAMES + tuple(m for p in self.parts for m in p.actions)
        for models in (server, client):
            kinds = [_type_of(m) for m in models]
            twice = {k for k in kinds if kinds.count(k) > 1}
            if twice:
                raise ValueError(f"frame types declared twice: {sorted(twice)}")
        self.events = _union(server)
        self.client = _union(client)
        self.topics: dict[str, Authorise | None] = {PERSON: None}
        self.actions: dict[type[BaseModel], Action] = {}
        for p in self.parts:
            for prefix, check in p.topics.items():
                if prefix in self.topics or not prefix.isalpha():
                    raise ValueError(f"topic prefix {prefix!r} declared twice or malformed")
                self.topics[prefix] = check
            self.actions.update(p.actions)

    async def initial_topics(self, db: AsyncSession, person_id: int) -> set[str]:
        found: set[str] = set()
        for p in self.parts:
            if p.initial is not None:
                found.update(await p.initial(db, person_id))
        return found

    async def may_subscribe(self, db: AsyncSession, person_id: int, name: str) -> str | None:
        """The topic (as the hub keys it) if this person may receive it, else None — for a
        topic that does not exist and one that is not theirs alike."""
        parsed = split_topic(name)
        if parsed is None:
            return None
        prefix, ident = parsed
        if prefix == PERSON:
            return person_topic(person_id) if ident == person_id else None
        check = self.topics.get(prefix)
        if check is None or not await check(db, person_id, ident):
            return None
        return topic(prefix, ident)
