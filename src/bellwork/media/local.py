"""The Janus that Bellwork runs itself: its config, written into the data folder's janus/.

Debian's /etc/janus listens on every interface with demo rooms and well-known secrets; Bellwork
never uses it. It writes a folder of its own (`janus -C DIR/janus.jcfg -F DIR`):

- janus.jcfg: the admin secret, `nat.ice_enforce_list`, the RTP port range, only the HTTP
  and WebSocket transports and the VideoRoom and Streaming plugins loaded, no event handlers
  or loggers;
- janus.transport.http.jcfg: the Janus API and the admin API on 127.0.0.1 only, on ports
  picked free at each start;
- janus.transport.websockets.jcfg: the Janus API over a WebSocket on 127.0.0.1 only (a free
  port; no admin API there), which Bellwork's client uses where the build has it
  (media/janus_ws.py); the admin secret is the core's, the same for both;
- janus.plugin.videoroom.jcfg / janus.plugin.streaming.jcfg: the plugins' `admin_key` (rooms
  and mountpoints are created through the API only) and no sample rooms or mountpoints;
- secrets.json (mode 0600): the admin secret and admin_key, generated once and kept;
- janus.json: where the running Janus answers, for this installation's other processes;
- recordings/: where rooms that record write their .mjr files; janus.log: Janus's output.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Janus's plugin folders on Debian; `janus --help` shows where another build keeps them.
LIBDIR = Path("/usr/lib/x86_64-linux-gnu/janus")
KEEP_PLUGINS = {"libjanus_videoroom.so", "libjanus_streaming.so"}
WEBSOCKETS = "libjanus_websockets.so"
KEEP_TRANSPORTS = {"libjanus_http.so", WEBSOCKETS}


@dataclass(frozen=True)
class LocalJanus:
    """Where the Janus that Bellwork runs answers, and its secrets (janus.json)."""

    url: str
    admin_url: str
    admin_secret: str
    admin_key: str
    pid: int | None = None
    # Its Janus API over a WebSocket (None: this Janus build has no WebSocket transport, or
    # janus.json was written before Bellwork enabled it).
    ws_url: str | None = None


def folder(data_dir: Path) -> Path:
    return data_dir / "janus"


def find_binary(binary: str) -> str | None:
    """The Janus program's path, or None where it is not installed."""
    if os.sep in binary:
        return binary if os.access(binary, os.X_OK) else None
    return shutil.which(binary)


def libdir(binary: str) -> Path:
    """The folder of Janus's plugins: Debian's, or <prefix>/lib/janus beside another build."""
    if LIBDIR.is_dir():
        return LIBDIR
    return Path(binary).resolve().parent.parent / "lib" / "janus"


def keep_secrets(where: Path) -> dict[str, str]:
    """The admin secret and admin_key, generated on first use and kept in secrets.json."""
    path = where / "secrets.json"
    if path.exists():
        kept: dict[str, str] = json.loads(path.read_text())
        if kept.get("admin_secret") and kept.get("admin_key"):
            return kept
    made = {"admin_secret": secrets.token_urlsafe(24), "admin_key": secrets.token_urlsafe(24)}
    _write_private(path, json.dumps(made))
    return made


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def default_address() -> str | None:
    """The address of the interface that holds the default route (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            address = str(s.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") else address


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))  # a double-quoted string, escapes as libconfig reads them


def jcfg(sections: dict[str, dict[str, Any]]) -> str:
    """A Janus config file (libconfig syntax) of sections of plain settings."""
    out = ["# Written by Bellwork at each start; edits here are lost (docs/media.md).\n"]
    for name, settings in sections.items():
        out.append(f"{name}: {{\n")
        out.extend(f"\t{key} = {_value(value)}\n" for key, value in settings.items())
        out.append("}\n")
    return "".join(out)


def write_config(
    where: Path,
    *,
    binary: str,
    rtp_ports: str = "20000-40000",
    ice_enforce_list: str | None = None,
    public_ip: str | None = None,
    session_timeout: int = 60,
) -> tuple[LocalJanus, Path]:
    """Writes Janus's config folder (fresh ports each time); (where it will answer, the path
    of janus.jcfg)."""
    where.mkdir(parents=True, exist_ok=True)
    (where / "recordings").mkdir(exist_ok=True)
    kept = keep_secrets(where)
    api_port, admin_port, ws_port = free_port(), free_port(), free_port()
    lib = libdir(binary)
    # Where the plugin folders are unknown nothing is disabled, so the transport is there.
    has_ws = not lib.is_dir() or (lib / "transports" / WEBSOCKETS).exists()

    def others(kind: str, keep: set[str]) -> str:
        found = sorted(p.name for p in (lib / kind).glob("libjanus_*.so")) if lib.is_dir() else []
        return ",".join(name for name in found if name not in keep)

    nat: dict[str, Any] = {"nice_debug": False, "ignore_mdns": True}
    enforce = ice_enforce_list or default_address()
    if enforce:
        nat["ice_enforce_list"] = enforce
    if public_ip:
        nat["nat_1_1_mapping"] = public_ip
    general: dict[str, Any] = {
        "configs_folder": str(where),
        "plugins_folder": str(lib / "plugins"),
        "transports_folder": str(lib / "transports"),
        "events_folder": str(lib / "events"),
        "loggers_folder": str(lib / "loggers"),
        "debug_level": 4,
        "debug_timestamps": True,
        "debug_colors": False,
        "admin_secret": kept["admin_secret"],
        "server_name": "bellwork",
        "session_timeout": session_timeout,
        "hide_dependencies": True,
    }
    files = {
        "janus.jcfg": jcfg(
            {
                "general": general,
                "media": {"rtp_port_range": rtp_ports},
                "nat": nat,
                "plugins": {"disable": others("plugins", KEEP_PLUGINS)},
                "transports": {"disable": others("transports", KEEP_TRANSPORTS)},
                "events": {"broadcast": False, "disable": others("events", set())},
                "loggers": {"disable": others("loggers", set())},
            }
        ),
        "janus.transport.http.jcfg": jcfg(
            {
                "general": {
                    "json": "compact",
                    "base_path": "/janus",
                    "http": True,
                    "port": api_port,
                    "ip": "127.0.0.1",
                    "https": False,
                },
                "admin": {
                    "admin_base_path": "/admin",
                    "admin_http": True,
                    "admin_port": admin_port,
                    "admin_ip": "127.0.0.1",
                    "admin_https": False,
                },
            }
        ),
        "janus.transport.websockets.jcfg": jcfg(
            {
                "general": {
                    "json": "compact",
                    "ws": has_ws,
                    "ws_port": ws_port,
                    "ws_ip": "127.0.0.1",
                    "wss": False,
                },
                "admin": {"admin_ws": False, "admin_wss": False},
            }
        ),
        "janus.plugin.videoroom.jcfg": jcfg(
            {"general": {"admin_key": kept["admin_key"], "lock_rtp_forward": True}}
        ),
        "janus.plugin.streaming.jcfg": jcfg(
            {"general": {"admin_key": kept["admin_key"], "rtp_port_range": rtp_ports}}
        ),
    }
    for name, text in files.items():
        _write_private(where / name, text)
    local = LocalJanus(
        url=f"http://127.0.0.1:{api_port}/janus",
        admin_url=f"http://127.0.0.1:{admin_port}/admin",
        admin_secret=kept["admin_secret"],
        admin_key=kept["admin_key"],
        ws_url=f"ws://127.0.0.1:{ws_port}" if has_ws else None,
    )
    return local, where / "janus.jcfg"


def publish(where: Path, local: LocalJanus | None) -> None:
    """Tells this installation's other processes where the running Janus answers (None: it
    does not run)."""
    path = where / "janus.json"
    if local is None:
        path.unlink(missing_ok=True)
        return
    _write_private(path, json.dumps(local.__dict__))


def running(data_dir: Path) -> LocalJanus | None:
    """The Janus that a process of this installation runs, from janus.json (None: none)."""
    try:
        found = json.loads((folder(data_dir) / "janus.json").read_text())
        return LocalJanus(**found)
    except (OSError, ValueError, TypeError):
        return None
