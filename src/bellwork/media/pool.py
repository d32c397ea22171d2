"""The Janus servers of an installation, which of them answer, and where a new room goes
(docs/media.md, "Several servers").

The servers are those listed in `janus_servers` and, where `bellwork serve` runs one, `local`
(found through the data folder's janus/janus.json, so every process of the installation uses
it). A new room goes to the least loaded server among those that answer: fewest participants
by Janus's own room list, then fewest rooms, then fewest rooms Bellwork placed there and has not
closed. A server that does not answer (or answers with an error) is marked down for
`DOWN_SECONDS` and not asked again meanwhile; after that it is asked again on the next
placement or status.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bellwork.config import Settings
from bellwork.media import local
from bellwork.media.janus import JanusClient, JanusError, JanusUnreachable
from bellwork.media.supervisor import JanusSupervisor, wanted

log = logging.getLogger("bellwork.media")
DOWN_SECONDS = 10.0
PROBE_SECONDS = 2.0
LOCAL = "local"


@dataclass(frozen=True)
class ServerSpec:
    name: str
    url: str
    admin_url: str | None
    admin_secret: str | None
    admin_key: str | None
    ws_url: str | None = None


@dataclass
class Load:
    participants: int
    rooms: int


@dataclass
class ServerStatus:
    name: str
    state: Literal["up", "down", "starting"]
    rooms: int | None = None
    participants: int | None = None
    error: str | None = None


class NoMediaServer(Exception):
    """No Janus server is configured, or none of them answers."""


class MediaPool:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.supervisor: JanusSupervisor | None = None
        self._clients: dict[str, tuple[ServerSpec, JanusClient]] = {}
        self._down_until: dict[str, float] = {}
        self._errors: dict[str, str] = {}
        self._wanted: tuple[str | None] | None = None
        self._running: tuple[tuple[int, int, int], local.LocalJanus | None] | None = None

    # What is configured

    @property
    def runs_local(self) -> bool:
        """Whether this installation is meant to have a Janus of its own (configured and
        installed), whether or not it answers yet. Looked up once (every signalling request
        asks for its server's client)."""
        if self._wanted is None:
            self._wanted = (wanted(self.settings),)
        return self._wanted[0] is not None

    def _local(self) -> local.LocalJanus | None:
        """The local Janus from janus.json, read again only when the file changed."""
        try:
            st = (local.folder(self.settings.data_dir) / "janus.json").stat()
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = (0, 0, -1)
        if self._running is None or self._running[0] != stamp:
            self._running = (stamp, local.running(self.settings.data_dir))
        return self._running[1]

    def specs(self) -> list[ServerSpec]:
        found = [
            ServerSpec(
                name=s.name,
                url=s.url,
                admin_url=s.admin_url,
                admin_secret=s.admin_secret.get_secret_value() if s.admin_secret else None,
                admin_key=s.admin_key.get_secret_value() if s.admin_key else None,
                ws_url=s.ws_url,
            )
            for s in self.settings.janus_servers
        ]
        if self.runs_local:
            running = self._local()
            if running is not None:
                found.append(
                    ServerSpec(
                        LOCAL,
                        running.url,
                        running.admin_url,
                        running.admin_secret,
                        running.admin_key,
                        running.ws_url,
                    )
                )
        return found

    @property
    def configured(self) -> bool:
        return bool(self.settings.janus_servers) or self.runs_local

    async def start_supervising(self) -> None:
        """Runs the installation's own Janus from this process, if it should have one."""
        binary = wanted(self.settings)
        if binary is None or self.supervisor is not None:
            return
        self.supervisor = JanusSupervisor(self.settings, binary)
        await self.supervisor.start()

    async def close(self) -> None:
        if self.supervisor is not None:
            await self.supervisor.stop()
            self.supervisor = None
        for _, client in self._clients.values():
            await client.close()
        self._clients.clear()

    # Clients and health

    def client(self, name: str) -> JanusClient:
        """The client of server `name` (NoMediaServer when it is not configured now)."""
        spec = next((s for s in self.specs() if s.name == name), None)
        if spec is None:
            raise NoMediaServer(f"no Janus server named {name!r} is configured")
        kept = self._clients.get(name)
        if kept is not None and kept[0] == spec:
            return kept[1]
        if kept is not None:  # the local Janus restarted on other ports
            asyncio.get_running_loop().create_task(kept[1].close())
        client = JanusClient(
            spec.url,
            ws_url=spec.ws_url,
            admin_url=spec.admin_url,
            admin_secret=spec.admin_secret,
            admin_key=spec.admin_key,
        )
        self._clients[name] = (spec, client)
        return client

    def is_down(self, name: str) -> bool:
        return self._down_until.get(name, 0.0) > time.monotonic()

    def mark_down(self, name: str, error: BaseException | str) -> None:
        if not self.is_down(name):
            log.warning("janus server %s is down: %s", name, error)
        self._down_until[name] = time.monotonic() + DOWN_SECONDS
        self._errors[name] = str(error)

    def mark_up(self, name: str) -> None:
        if self._down_until.pop(name, None) is not None:
            log.info("janus server %s answers again", name)
        self._errors.pop(name, None)

    async def probe(self, name: str) -> Load | None:
        """The server's load from its own room list, or None (marked down) if it does not
        answer in time."""
        try:
            rooms = await asyncio.wait_for(self.client(name).list_rooms(), PROBE_SECONDS)
        except (JanusError, NoMediaServer, TimeoutError) as exc:
            self.mark_down(name, exc if str(exc) else type(exc).__name__)
            return None
        self.mark_up(name)
        return Load(
            participants=sum(int(r.get("num_participants", 0)) for r in rooms), rooms=len(rooms)
        )

    async def loads(self) -> dict[str, Load | None]:
        """Each configured server's load; None for those down (not asked while marked)."""
        names = [s.name for s in self.specs()]
        asked = [n for n in names if not self.is_down(n)]
        answers = await asyncio.gather(*(self.probe(n) for n in asked))
        found: dict[str, Load | None] = dict.fromkeys(names)
        found.update(zip(asked, answers, strict=True))
        return found

    async def choose(self, placed: Mapping[str, int] | None = None) -> str:
        """The least loaded server that answers; `placed`: rooms Bellwork has open there."""
        placed = placed or {}
        loads = {n: load for n, load in (await self.loads()).items() if load is not None}
        if not loads:
            if not self.configured:
                raise NoMediaServer("no Janus server is configured")
            raise NoMediaServer("no Janus server answers")
        return min(
            loads,
            key=lambda n: (loads[n].participants, loads[n].rooms, placed.get(n, 0), n),
        )

    async def status(self) -> list[ServerStatus]:
        loads = await self.loads()
        out = []
        for name, load in loads.items():
            if load is None:
                out.append(ServerStatus(name, "down", error=self._errors.get(name)))
            else:
                out.append(ServerStatus(name, "up", load.rooms, load.participants))
        if self.runs_local and LOCAL not in loads:
            # Configured and installed, but janus.json is missing: starting, or dying.
            error = self.supervisor.state.last_error if self.supervisor else None
            out.append(ServerStatus(LOCAL, "starting", error=error))
        return out


def unreachable(exc: BaseException) -> bool:
    """Whether an error means the server is gone (rather than a refused request)."""
    return isinstance(exc, JanusUnreachable | TimeoutError)
