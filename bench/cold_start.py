"""Cold start: from launching `bellwork serve` until GET /readyz answers 200.

    .venv/bin/python bench/cold_start.py [--runs 5]

Each run uses a fresh, empty data folder (so it includes creating the SQLite database and running
every migration); then the same with `--demo` (which also loads the demo organisation).
Prints the median, min and max of the runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchlib import machine

BELLWORK = Path(sys.executable).with_name("bellwork")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=0.5) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def one_run(demo: bool, timeout: float = 60.0) -> float:
    data = tempfile.mkdtemp(prefix="bellwork-cold-")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELLWORK_")}
    env["BELLWORK_DATA_DIR"] = data
    args = [str(BELLWORK), "serve", "--port", str(port)] + (["--demo"] if demo else [])
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=data
    )
    try:
        url = f"http://127.0.0.1:{port}/readyz"
        while time.perf_counter() - started < timeout:
            if proc.poll() is not None:
                raise RuntimeError(f"bellwork serve exited with {proc.returncode}")
            if ready(url):
                return time.perf_counter() - started
            time.sleep(0.01)
        raise TimeoutError(f"/readyz not ready after {timeout}s")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(data, ignore_errors=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    import sqlite3

    print("== cold start of `bellwork serve` until /readyz answers 200")
    print(machine([f"SQLite {sqlite3.sqlite_version} (fresh data folder per run)"]))
    print(f"{'command':<24}{'median s':>10}{'min s':>8}{'max s':>8}   runs")
    for label, demo in (("serve", False), ("serve --demo", True)):
        times = [one_run(demo) for _ in range(args.runs)]
        print(
            f"{label:<24}{statistics.median(times):>10.2f}{min(times):>8.2f}{max(times):>8.2f}"
            f"   {', '.join(f'{t:.2f}' for t in times)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
