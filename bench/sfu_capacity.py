"""SFU capacity: one 640x480 camera to N watchers through the Janus Bellwork runs (issue 13).

    PYTHONPATH=bench .venv/bin/python bench/sfu_capacity.py [--subscribers 25,50,100]
        [--seconds 20] [--fps 20] [--kbps 1000] [--workers 0]

For each N: a fresh SQLite database with a class of N students and its teacher, and one app node
as `bellwork serve` runs it, with the Janus it runs and supervises (BELLWORK_JANUS_RUN=always:
Debian's `janus` must be installed). The teacher starts a lesson and publishes, from aiortc
through `POST /lessons/{id}/publish`, a 640x480 VP8 clip made once by ffmpeg (testsrc2 with
noise, `--kbps` constant bitrate, `--fps`, a keyframe every 2 s) and played in a loop without
re-encoding, so the publisher costs almost nothing. Then N students, spread over `--workers`
receiver processes, do what the lesson page does (`join`, `watch`, answer from a real aiortc
peer connection, `watch/answer`) and receive the feed over ICE, DTLS and SRTP; their video is
not decoded: aiortc's decoder is replaced by one that hands each reassembled VP8 frame to the
track as it is, and the frames and their bytes are counted.

After every watcher has its first frame and `--settle` seconds, a window of `--seconds` is
measured: Janus's CPU (psutil; less the CPU it spent with the publisher alone, measured before
anyone watched), bytes/s out of Janus to the watchers (Janus admin API, each subscriber handle's
out stats) and as received (VP8 payload counted by the watchers), and per watcher the frames
received against the frames the teacher sent in the same window: a watcher gets >= 95 % or
fails. The receivers' CPU, the app node's and the publisher's are printed too: they share the
machine's cores with Janus, and a receiver process near 100 % of a core means the figures
measure the client, not Janus (use more --workers).

Prints a table per N and the highest N at which every watcher got >= 95 % of the frames.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import multiprocessing as mp
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import httpx
import psutil
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from benchlib import fresh_database, machine
from chatlib import Login, Node, cpu_seconds, data_dir, seed_group
from lessonlib import NO_STUN, headers, make_a_class, publish, start_lesson, wait_for_feed

GOAL = 0.95  # of the frames sent, for every watcher
SIZE = "640x480"


# ---------------------------------------------------------------- the teacher's camera


def make_clip(fps: int, kbps: int) -> Path:
    """10 s of 640x480 VP8 (moving test pattern with noise, so it costs its bitrate), made once
    per setting and kept in the temp folder."""
    path = Path(tempfile.gettempdir()) / f"bellwork-sfu-{SIZE}-{fps}fps-{kbps}k.webm"
    if not path.exists():
        tmp = path.with_suffix(".part.webm")
        subprocess.run(
            [
                "ffmpeg",
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size={SIZE}:rate={fps},noise=alls=12:allf=t",
                "-t",
                "10",
                "-c:v",
                "libvpx",
                "-b:v",
                f"{kbps}k",
                "-minrate",
                f"{kbps}k",
                "-maxrate",
                f"{kbps}k",
                "-bufsize",
                f"{kbps // 2}k",
                "-g",
                str(2 * fps),
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
                "-auto-alt-ref",
                "0",
                "-lag-in-frames",
                "0",
                "-an",
                str(tmp),
            ],
            check=True,
        )
        tmp.replace(path)
    return path


class ClipTrack(MediaStreamTrack):
    """The clip's encoded VP8 frames, in a loop at `fps` with increasing timestamps: aiortc
    packetises them as they are (no encoder). `sent` counts the frames handed to the sender."""

    kind = "video"

    def __init__(self, clip: Path, fps: int) -> None:
        super().__init__()
        with av.open(str(clip)) as container:
            stream = container.streams.video[0]
            self.frames = [bytes(p) for p in container.demux(stream) if p.size]
        self.fps = fps
        self.time_base = Fraction(1, fps)
        self.sent = 0
        self.bytes = sum(map(len, self.frames))
        self._start: float | None = None

    async def recv(self) -> av.Packet:
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self.sent / self.fps - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        packet = av.Packet(self.frames[self.sent % len(self.frames)])
        packet.pts = self.sent
        packet.time_base = self.time_base
        self.sent += 1
        return packet


# ---------------------------------------------------------------- the watchers


class CountingDecoder:
    """Stands in for aiortc's VP8 decoder: passes each reassembled encoded frame to the track
    undecoded, so a watcher costs its network work only."""

    def decode(self, encoded_frame: Any) -> list[Any]:
        return [encoded_frame]


@dataclass
class Watcher:
    login: Login
    pc: RTCPeerConnection | None = None
    frames: int = 0
    bytes: int = 0
    first: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Future[None] | None = None
    error: str | None = None


def _receiver_proc(
    logins: list[Login], base: str, lid: int, feed: int, pipe: Any, concurrency: int, rcvbuf: int
) -> None:
    """A receiver process: its watchers join and watch, it reports, then answers snapshots."""
    import aioice.ice
    import aiortc.rtcrtpreceiver

    aiortc.rtcrtpreceiver.get_decoder = lambda codec: CountingDecoder()  # type: ignore[assignment]
    if rcvbuf:
        made = aioice.ice.StunProtocol.connection_made

        def connection_made(self: Any, transport: Any) -> None:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            made(self, transport)

        aioice.ice.StunProtocol.connection_made = connection_made  # type: ignore[method-assign]
    asyncio.run(_receiver_main(logins, base, lid, feed, pipe, concurrency))


async def _watch(client: httpx.AsyncClient, lid: int, feed: int, w: Watcher) -> None:
    h = headers(w.login)
    (await client.post(f"/api/v1/lessons/{lid}/join", headers=h)).raise_for_status()
    r = await client.post(f"/api/v1/lessons/{lid}/watch", json={"feed": feed}, headers=h)
    r.raise_for_status()
    offer = r.json()["jsep"]
    w.pc = pc = RTCPeerConnection(NO_STUN)

    @pc.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        w.task = asyncio.ensure_future(_count(track, w))

    await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], offer["type"]))
    await pc.setLocalDescription(await pc.createAnswer())
    r = await client.post(
        f"/api/v1/lessons/{lid}/watch/answer",
        json={"feed": feed, "jsep": {"type": "answer", "sdp": pc.localDescription.sdp}},
        headers=h,
    )
    r.raise_for_status()


async def _count(track: MediaStreamTrack, w: Watcher) -> None:
    with contextlib.suppress(Exception):
        while True:
            frame = await track.recv()
            w.frames += 1
            w.bytes += len(frame.data)
            w.first.set()


async def _receiver_main(
    logins: list[Login], base: str, lid: int, feed: int, pipe: Any, concurrency: int
) -> None:
    me = psutil.Process()
    watchers = [Watcher(login) for login in logins]
    gate = asyncio.Semaphore(concurrency)
    loop = asyncio.get_running_loop()

    async def one(w: Watcher) -> None:
        async with gate:
            try:
                await _watch(client, lid, feed, w)
                await asyncio.wait_for(w.first.wait(), 60)
            except Exception as exc:  # reported, not raised: the others go on
                w.error = f"{type(exc).__name__}: {exc}"[:200]

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await asyncio.gather(*(one(w) for w in watchers))
        pipe.send(("ready", [w.error for w in watchers]))
        while True:
            command = await loop.run_in_executor(None, pipe.recv)
            if command == "snap":
                t = me.cpu_times()
                pipe.send(
                    (
                        "snap",
                        time.monotonic(),
                        t.user + t.system,
                        [(w.frames, w.bytes) for w in watchers],
                    )
                )
            else:
                break
    for w in watchers:
        if w.pc is not None:
            with contextlib.suppress(Exception):
                await w.pc.close()
    pipe.send(("closed",))


class Receivers:
    """The watchers, spread over receiver processes."""

    def __init__(
        self, logins: list[Login], procs: int, base: str, lid: int, feed: int, rcvbuf: int
    ) -> None:
        ctx = mp.get_context("spawn")
        self.pipes: list[Any] = []
        self.procs: list[Any] = []
        for i in range(procs):
            a, b = ctx.Pipe()
            p = ctx.Process(
                target=_receiver_proc,
                args=(logins[i::procs], base, lid, feed, b, 10, rcvbuf),
                daemon=True,
            )
            p.start()
            self.pipes.append(a)
            self.procs.append(p)

    def ready(self, timeout: float) -> list[str]:
        errors: list[str] = []
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise RuntimeError("a receiver process did not get ready")
            _, errs = pipe.recv()
            errors += [e for e in errs if e]
        return errors

    def snap(self) -> list[tuple[float, float, list[tuple[int, int]]]]:
        for pipe in self.pipes:
            pipe.send("snap")
        out = []
        for pipe in self.pipes:
            _, t, cpu, counts = pipe.recv()
            out.append((t, cpu, counts))
        return out

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(Exception):
                pipe.send("close")
        for pipe in self.pipes:
            with contextlib.suppress(Exception):
                if pipe.poll(30):
                    pipe.recv()
        for p in self.procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
                p.join(5)


# ---------------------------------------------------------------- Janus's own figures


@dataclass
class JanusCounts:
    """Janus's counters (admin API): per subscriber handle the packets and bytes it sent; the
    packets it received from the publisher."""

    out: dict[int, tuple[int, int]] = field(default_factory=dict)  # handle: (packets, bytes)
    published: int = 0


async def janus_counts(where: Path) -> JanusCounts:
    from bellwork.media import local
    from bellwork.media.janus import JanusClient

    spec = local.running(where)
    if spec is None:
        raise RuntimeError("the app node's Janus is not running")
    jc = JanusClient(spec.url, admin_url=spec.admin_url, admin_secret=spec.admin_secret)
    counts = JanusCounts()
    try:
        handles = [
            (session, handle)
            for session in await jc.list_sessions()
            for handle in (await jc.admin("list_handles", f"/{session}")).get("handles", [])
        ]
        # All at once, so that every handle's counters are read at about the same moment.
        infos = await asyncio.gather(
            *(jc.admin("handle_info", f"/{session}/{handle}") for session, handle in handles)
        )
        for (_, handle), found in zip(handles, infos, strict=True):
            info = found["info"]
            kind = info.get("plugin_specific", {}).get("type")
            for medium in info.get("webrtc", {}).get("media", {}).values():
                stats = medium.get("stats", {})
                if kind == "publisher":
                    counts.published += int(stats.get("in", {}).get("packets", 0))
                elif kind == "subscriber":
                    out = stats.get("out", {})
                    packets, sent = counts.out.get(int(handle), (0, 0))
                    counts.out[int(handle)] = (
                        packets + int(out.get("packets", 0)),
                        sent + int(out.get("bytes", 0)),
                    )
    finally:
        await jc.close()
    return counts


def udp_drops(pids: list[int]) -> int:
    """UDP datagrams dropped for a full receive buffer on the sockets these processes hold
    (/proc/net/udp{,6}: the `drops` of each socket, found by inode)."""
    inodes: set[str] = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith("socket:["):
                        inodes.add(link[8:-1])
    total = 0
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                if len(cols) > 12 and cols[9] in inodes:
                    total += int(cols[-1])
    return total


# ---------------------------------------------------------------- one run


@dataclass
class Result:
    n: int
    workers: int
    connected: int
    failed: list[str]
    seconds: float
    sent_frames: int
    sent_kbps: float
    ratios: list[float]
    janus_cpu: float  # share of one core during the window
    janus_idle: float  # with the publisher alone
    app_cpu: float
    publisher_cpu: float
    receiver_cpu: list[float]
    out_bps: float  # from Janus's admin API
    janus_ratios: list[float]  # per subscriber handle: packets sent / packets published
    drops: tuple[int, int]  # datagrams dropped for full receive buffers: watchers', Janus's
    recv_bps: float  # VP8 payload counted by the watchers
    load: tuple[float, float, float]

    @property
    def passed(self) -> bool:
        return (
            not self.failed and len(self.ratios) == self.n and min(self.ratios, default=0) >= GOAL
        )


async def run(n: int, args: argparse.Namespace, clip: Path) -> Result:
    workers = args.workers or max(2, math.ceil(n / 25))
    async with fresh_database("sqlite") as url:
        seeded = await seed_group(url, n, units=1)
        await make_a_class(url)
        tmp = tempfile.mkdtemp(prefix="bellwork-sfu-")
        where = data_dir(tmp, "node")
        node = Node(url, where, settings={"BELLWORK_JANUS_RUN": "always"})
        pc = receivers = None
        try:
            async with httpx.AsyncClient(base_url=node.url, timeout=60) as client:
                lid = await start_lesson(client, seeded)
                track = ClipTrack(clip, args.fps)
                pc, feed = await publish(client, lid, seeded.sender, track)
                await wait_for_feed(client, lid, feed, seeded.members[0])
                janus = [c for c in node.ps.children(recursive=True) if "janus" in c.name()]
                me = psutil.Process()
                # Janus with the publisher alone.
                await asyncio.sleep(2)
                j0, t0 = cpu_seconds(janus), time.monotonic()
                await asyncio.sleep(min(5.0, args.seconds))
                idle = (cpu_seconds(janus) - j0) / (time.monotonic() - t0)

                print(f"-- N={n}: the teacher is live; {n} watchers in {workers} processes")
                receivers = Receivers(seeded.members, workers, node.url, lid, feed, args.rcvbuf)
                failed = await asyncio.to_thread(receivers.ready, 600)
                connected = n - len(failed)
                print(f"   {connected} watching ({len(failed)} failed); settling {args.settle} s")
                await asyncio.sleep(args.settle)

                procs = [*janus, node.ps, me]
                load0 = os.getloadavg()
                a = await asyncio.to_thread(receivers.snap)
                sent0, cpu_a = track.sent, [cpu_seconds([p]) for p in procs]
                t_a = time.monotonic()
                rpids = [p.pid for p in receivers.procs]
                jpids = [p.pid for p in janus]
                drops_a = udp_drops(rpids), udp_drops(jpids)
                j_a = await janus_counts(Path(where))
                tj_a = (t_a + time.monotonic()) / 2
                await asyncio.sleep(args.seconds)
                b = await asyncio.to_thread(receivers.snap)
                sent1, cpu_b = track.sent, [cpu_seconds([p]) for p in procs]
                t_b = time.monotonic()
                drops_b = udp_drops(rpids), udp_drops(jpids)
                j_b = await janus_counts(Path(where))
                tj_b = (t_b + time.monotonic()) / 2
                load1 = os.getloadavg()
        finally:
            if receivers is not None:
                await asyncio.to_thread(receivers.close)
            if pc is not None:
                await pc.close()
            node.stop()
            shutil.rmtree(tmp, ignore_errors=True)
    secs = t_b - t_a
    sent = sent1 - sent0
    ratios: list[float] = []
    recv_bps = 0.0  # each receiver process over its own snapshots' times
    for (ta, _, before), (tb, _, after) in zip(a, b, strict=True):
        for (f0, b0), (f1, b1) in zip(before, after, strict=True):
            if f1 > 0:
                ratios.append((f1 - f0) / sent if sent else 0.0)
                recv_bps += (b1 - b0) / (tb - ta)
    receiver_cpu = [(cb - ca) / (tb - ta) for (ta, ca, _), (tb, cb, _) in zip(a, b, strict=True)]
    nj = len(janus)
    janus_cpu = sum(cpu_b[:nj]) - sum(cpu_a[:nj])
    published = j_b.published - j_a.published
    janus_ratios, out_bytes = [], 0
    for handle, (packets, nbytes) in j_b.out.items():
        before = j_a.out.get(handle, (0, 0))
        janus_ratios.append((packets - before[0]) / max(1, published))
        out_bytes += nbytes - before[1]
    if len(j_b.out) != connected:
        print(f"   note: Janus listed {len(j_b.out)} subscriber handles, {connected} watchers")
    return Result(
        n=n,
        workers=workers,
        connected=connected,
        failed=failed,
        seconds=secs,
        sent_frames=sent,
        sent_kbps=track.bytes * 8 / (len(track.frames) / args.fps) / 1000,
        ratios=ratios,
        janus_cpu=janus_cpu / secs,
        janus_idle=idle,
        app_cpu=(cpu_b[nj] - cpu_a[nj]) / secs,
        publisher_cpu=(cpu_b[nj + 1] - cpu_a[nj + 1]) / secs,
        receiver_cpu=receiver_cpu,
        out_bps=out_bytes / (tj_b - tj_a),
        janus_ratios=janus_ratios,
        drops=(drops_b[0] - drops_a[0], drops_b[1] - drops_a[1]),
        recv_bps=recv_bps,
        load=tuple((x + y) / 2 for x, y in zip(load0, load1, strict=True)),  # type: ignore[arg-type]
    )


def report(results: list[Result], fps: int) -> None:
    print("\n  frames (per watcher, frames received / frames the teacher sent in the window)")
    print(
        "     N | procs | watching | got >= 95% |  worst | median "
        "| Janus sent >= 95% |  worst | UDP drops: watchers, Janus | load"
    )
    for r in results:
        median = statistics.median(r.ratios) if r.ratios else 0.0
        print(
            f"  {r.n:4d} | {r.workers:5d} | {r.connected:8d} "
            f"| {sum(x >= GOAL for x in r.ratios):10d} "
            f"| {min(r.ratios, default=0) * 100:5.1f}% | {median * 100:5.1f}% "
            f"| {sum(x >= GOAL for x in r.janus_ratios):17d} "
            f"| {min(r.janus_ratios, default=0) * 100:5.1f}% "
            f"| {r.drops[0]:17d}, {r.drops[1]:6d} | {r.load[0]:4.1f}"
        )
    print("\n  cost (CPU in % of one core over the window)")
    print(
        "     N | Janus CPU | per watcher | out of Janus | received  "
        "| receivers CPU | app | publisher"
    )
    for r in results:
        per = max(0.0, r.janus_cpu - r.janus_idle) / max(1, r.connected) * 100
        print(
            f"  {r.n:4d} | {r.janus_cpu * 100:8.1f}% | {per:10.2f}% "
            f"| {r.out_bps * 8 / 1e6:7.1f} Mb/s | {r.recv_bps * 8 / 1e6:5.1f} Mb/s "
            f"| {sum(r.receiver_cpu) * 100:12.0f}% | {r.app_cpu * 100:2.0f}% "
            f"| {r.publisher_cpu * 100:8.0f}%"
        )
    print(
        "\n  Janus sent: per subscriber handle, RTP packets sent / packets received from the "
        "publisher (admin API). UDP drops: datagrams dropped for a full receive buffer in the "
        "window on the receiver processes' sockets and on Janus's. per watcher: Janus's CPU "
        "less its CPU with the publisher alone ("
        + ", ".join(f"{r.janus_idle * 100:.1f}%" for r in results)
        + "), "
        "divided by the watchers. receivers CPU: all receiver processes ("
        + "; ".join(" ".join(f"{c * 100:.0f}" for c in r.receiver_cpu) + "% each" for r in results)
        + f"). The clip: {results[0].sent_kbps:.0f} kb/s VP8 at {fps} fps; frames sent in the "
        f"window: {', '.join(str(r.sent_frames) for r in results)}. out of Janus: what its "
        "subscriber handles sent (RTP with headers and retransmissions); received: the VP8 "
        "payload the watchers counted. load: 1-minute load average during the window (the host "
        "is shared with other work)."
    )
    passing = [r.n for r in results if r.passed]
    print(
        f"  highest N at which every watcher got >= {GOAL:.0%} of the frames: "
        f"{max(passing) if passing else 'none of ' + ', '.join(str(r.n) for r in results)}"
    )
    for r in results:
        for f in r.failed[:3]:
            print(f"  N={r.n} failed: {f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--subscribers", default="25,50,100", help="comma-separated N (watchers)")
    ap.add_argument("--seconds", type=float, default=20, help="the measured window")
    ap.add_argument("--settle", type=float, default=5, help="wait after all watch")
    ap.add_argument("--fps", type=int, default=20)
    ap.add_argument("--kbps", type=int, default=1000, help="the clip's VP8 bitrate")
    ap.add_argument("--workers", type=int, default=0, help="receiver processes (0: N/25, >= 2)")
    ap.add_argument(
        "--rcvbuf",
        type=int,
        default=1 << 20,
        help="the watchers' UDP receive buffer in bytes (0: the system's default)",
    )
    args = ap.parse_args()
    print(machine())
    print(f"psutil {psutil.__version__}; aiortc {_aiortc_version()}; {_janus_version()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    clip = make_clip(args.fps, args.kbps)
    results = []
    for n in (int(x) for x in args.subscribers.split(",")):
        results.append(asyncio.run(run(n, args, clip)))
        report(results, args.fps)
    return 0 if any(r.passed for r in results) else 1


def _aiortc_version() -> str:
    import aiortc

    return str(aiortc.__version__)


def _janus_version() -> str:
    try:
        out = subprocess.run(["janus", "-V"], capture_output=True, text=True, timeout=10)
        return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "janus"
    except (OSError, subprocess.SubprocessError):
        return "janus not found"


if __name__ == "__main__":
    sys.exit(main())
