"""Real Janus processes for the media tests, started with the config Bellwork writes (on free
ports, in a temp folder). Tests that need one skip where `janus` is not installed;
scripts/test.sh installs it, so CI runs them."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from bellwork.app import create_app
from bellwork.config import JanusServerSetting, Settings
from bellwork.media import local
from bellwork.media.janus import JanusClient
from tests.conftest import _wipe

JANUS = local.find_binary("janus")
needs_janus = pytest.mark.skipif(
    JANUS is None,
    reason="janus is not installed (apt-get install janus; scripts/test.sh installs it)",
)


class RunningJanus:
    """One `janus` process with Bellwork's config in its own folder. Its clients speak the
    WebSocket API as Bellwork's do (`ws=False`: the HTTP API)."""

    def __init__(self, where: Path, session_timeout: int = 60) -> None:
        assert JANUS is not None
        self.where = where
        self.spec, config = local.write_config(
            where, binary=JANUS, ice_enforce_list="127.0.0.1", session_timeout=session_timeout
        )
        self.log = open(where / "janus.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [JANUS, "-C", str(config), "-F", str(where)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=where,  # rooms on a listed server record into Janus's own folder: not the repo
        )
        deadline = time.monotonic() + 15
        self.wait(deadline)

    def wait(self, deadline: float) -> None:
        """Until both APIs answer (the HTTP one, and the WebSocket's port)."""
        while True:
            try:
                httpx.get(self.spec.url + "/info", timeout=0.5).raise_for_status()
                if self.spec.ws_url:
                    port = int(self.spec.ws_url.rsplit(":", 1)[1])
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except (httpx.HTTPError, OSError):
                assert self.process.poll() is None, (self.where / "janus.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "janus did not answer within 15 s"
                time.sleep(0.05)

    def client(self, *, ws: bool = True, **kwargs: Any) -> JanusClient:
        return JanusClient(
            self.spec.url,
            ws_url=self.spec.ws_url if ws else None,
            admin_url=self.spec.admin_url,
            admin_secret=self.spec.admin_secret,
            admin_key=self.spec.admin_key,
            **kwargs,
        )

    def server(self, name: str, *, ws: bool = True) -> JanusServerSetting:
        return JanusServerSetting.model_validate(
            {
                "name": name,
                "url": self.spec.url,
                "ws_url": self.spec.ws_url if ws else None,
                "admin_url": self.spec.admin_url,
                "admin_secret": self.spec.admin_secret,
                "admin_key": self.spec.admin_key,
            }
        )

    def restart(self) -> None:
        """Kills Janus and starts it again with the same config (same ports)."""
        assert JANUS is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = subprocess.Popen(
            [JANUS, "-C", str(self.where / "janus.jcfg"), "-F", str(self.where)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.where,
        )
        self.wait(time.monotonic() + 15)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningJanus]:
    """One Janus for the module's tests."""
    if JANUS is None:
        pytest.skip("janus is not installed (apt-get install janus; scripts/test.sh installs it)")
    running = RunningJanus(tmp_path_factory.mktemp("janus"))
    yield running
    running.stop()


@pytest.fixture(params=["ws", "http"])
async def jc(janus: RunningJanus, request: pytest.FixtureRequest) -> AsyncIterator[JanusClient]:
    """A client of the module's Janus over each transport."""
    c = janus.client(ws=request.param == "ws")
    yield c
    await c.close()


@asynccontextmanager
async def media_app(migrated: str, settings: Settings, **update: Any) -> AsyncIterator[Any]:
    """The app with its media settings changed (the `app` fixture's, otherwise)."""
    await _wipe(migrated)
    application = create_app(settings.model_copy(update=update))
    async with application.router.lifespan_context(application):
        yield application


class SlowJanus:
    """A relay in front of a Janus's HTTP API whose answers the test holds back: once `hold`
    is called, the first request carrying `marker` (and whatever follows on its connection)
    waits at the relay until `release` — Janus answering late, as a busy or distant server
    does. `reached` is set when such a request arrived. (Over HTTP, not the WebSocket, whose
    frames from a client are masked: the relay could not tell one request from another.)"""

    def __init__(self, janus: RunningJanus) -> None:
        self.janus = janus
        self.marker: bytes | None = None
        self.reached = asyncio.Event()
        self._released = asyncio.Event()
        self._released.set()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.release()
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def server(self, name: str) -> JanusServerSetting:
        """The server as Bellwork sees it: through the relay, over HTTP."""
        real = self.janus.server(name, ws=False)
        upstream = urlsplit(real.url)
        return real.model_copy(
            update={"url": real.url.replace(upstream.netloc, f"127.0.0.1:{self.port}", 1)}
        )

    def hold(self, marker: bytes) -> None:
        self.marker = marker
        self.reached.clear()
        self._released.clear()

    def release(self) -> None:
        self.marker = None
        self._released.set()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = urlsplit(self.janus.spec.url).netloc.split(":")
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        for task in (
            asyncio.create_task(self._pump(reader, up_writer, held=True)),
            asyncio.create_task(self._pump(up_reader, writer, held=False)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, held: bool
    ) -> None:
        holding = False
        try:
            while data := await reader.read(65536):
                if held and self.marker is not None and (holding or self.marker in data):
                    holding = True
                    self.reached.set()
                    await self._released.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def slow_janus(janus: RunningJanus) -> AsyncIterator[SlowJanus]:
    relay = SlowJanus(janus)
    await relay.start()
    try:
        yield relay
    finally:
        await relay.close()


async def until(check: Callable[[], bool], what: str, seconds: float = 3.0) -> None:
    """Waits until `check()` holds (AssertionError saying `what` did not after `seconds`)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds:g} s: {what}"
        await asyncio.sleep(0.02)
