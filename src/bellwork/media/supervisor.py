"""Runs the Janus of `bellwork serve` and keeps it running (docs/media.md, "What Bellwork
runs").

The app's lifespan starts a supervisor beside the job runner. Of the processes of one
installation (uvicorn workers share the data folder), the one holding janus/lock runs Janus; the
others wait for the lock, so one of them takes over when that process ends. The supervisor
writes Janus's config, starts `janus`, waits for its API to answer, publishes where it answers
(janus/janus.json), and starts it again when it exits (after 1 s, doubling up to 30 s while it
keeps dying within a minute). Janus's output goes to janus/janus.log. On shutdown Janus gets
SIGTERM, then SIGKILL after 5 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from bellwork.config import Settings
from bellwork.media import local
from bellwork.media.janus import JanusClient, JanusError

log = logging.getLogger("bellwork.media")
LOG_LIMIT = 20 * 1024 * 1024


def _die_with_parent() -> None:
    """In the child: Linux sends it SIGTERM when `bellwork serve` dies, even by SIGKILL, so no
    Janus outlives the process that supervised it."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def wanted(settings: Settings) -> str | None:
    """The Janus program this process should run, or None (not configured, not installed)."""
    if settings.janus_run == "never":
        return None
    if settings.janus_run == "auto" and settings.janus_servers:
        return None
    return local.find_binary(settings.janus_binary)


@dataclass
class SupervisorState:
    running: bool = False
    pid: int | None = None
    starts: int = 0
    last_exit: int | None = None
    last_error: str | None = None


class JanusSupervisor:
    def __init__(
        self,
        settings: Settings,
        binary: str,
        *,
        where: Path | None = None,
        session_timeout: int = 60,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        lock_every: float = 5.0,
    ) -> None:
        self.settings = settings
        self.binary = binary
        self.where = where or local.folder(settings.data_dir)
        self.session_timeout = session_timeout
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.lock_every = lock_every
        self.state = SupervisorState()
        self.process: asyncio.subprocess.Process | None = None
        self.ready = asyncio.Event()  # set while a started Janus answers
        self._task: asyncio.Task[None] | None = None
        self._lock_fd: int | None = None

    async def start(self) -> None:
        self.where.mkdir(parents=True, exist_ok=True)
        self._task = asyncio.create_task(self._supervise(), name="janus-supervisor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._terminate()
        if self._lock_fd is not None:
            local.publish(self.where, None)
            os.close(self._lock_fd)  # and with it the lock
            self._lock_fd = None

    async def _take_lock(self) -> None:
        """Waits until this process is the one of its installation that runs Janus."""
        fd = os.open(self.where / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._lock_fd = fd
                return
            except BlockingIOError:
                await asyncio.sleep(self.lock_every)
            except BaseException:
                os.close(fd)
                raise

    async def _supervise(self) -> None:
        await self._take_lock()
        delay = self.first_delay
        while True:
            started = time.monotonic()
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.state.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("janus could not be started")
            self.ready.clear()
            self.state.running = False
            local.publish(self.where, None)
            if time.monotonic() - started > 60:
                delay = self.first_delay
            log.warning(
                "janus exited (code %s); starting it again in %.0f s", self.state.last_exit, delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_delay)

    async def _run_once(self) -> None:
        s = self.settings
        spec, config = local.write_config(
            self.where,
            binary=self.binary,
            rtp_ports=s.janus_rtp_ports,
            ice_enforce_list=s.janus_ice_enforce_list,
            public_ip=s.janus_public_ip,
            session_timeout=self.session_timeout,
        )
        logfile = self.where / "janus.log"
        if logfile.exists() and logfile.stat().st_size > LOG_LIMIT:
            logfile.replace(self.where / "janus.log.1")
        out = os.open(logfile, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            self.process = await asyncio.create_subprocess_exec(
                self.binary,
                "-C",
                str(config),
                "-F",
                str(self.where),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the terminal reaches serve, which stops it
                preexec_fn=_die_with_parent,
            )
        finally:
            os.close(out)
        self.state.starts += 1
        self.state.pid = self.process.pid
        log.info("janus started (pid %s), output in %s", self.process.pid, logfile)
        try:
            if not await self._answers(spec):
                self.state.last_exit = self.process.returncode
                return
            spec = local.LocalJanus(**{**spec.__dict__, "pid": self.process.pid})
            local.publish(self.where, spec)
            self.state.running = True
            self.state.last_error = None
            self.ready.set()
            log.info("janus answers at %s", spec.url)
            self.state.last_exit = await self.process.wait()
        finally:
            await self._terminate()

    async def _answers(self, spec: local.LocalJanus) -> bool:
        """Whether the started Janus's API answers within 15 s (False: it exited), over the
        WebSocket too where it has one (Bellwork's client uses that)."""
        assert self.process is not None
        client = JanusClient(spec.url, ws_url=spec.ws_url, timeout=1.0)
        try:
            for _ in range(150):
                if self.process.returncode is not None:
                    return False
                with contextlib.suppress(JanusError):
                    await client.info()
                    return True
                await asyncio.sleep(0.1)
        finally:
            await client.close()
        self.state.last_error = "janus did not answer within 15 s"
        log.error("janus (pid %s) did not answer within 15 s: stopping it", self.process.pid)
        return False

    async def _terminate(self) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 5.0)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        log.info("janus (pid %s) stopped", process.pid)
