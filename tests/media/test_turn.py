"""TURN REST API credentials: checked by an independent HMAC and by coturn itself."""

from __future__ import annotations

import base64
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from bellwork.config import Settings
from bellwork.media import turn
from bellwork.media.local import free_port


def test_the_credential_is_expiry_colon_person_and_base64_hmac_sha1() -> None:
    username, password = turn.credential("s3cret", 42, 3600, now=1_800_000_000)
    assert username == "1800003600:42"
    # The same HMAC by openssl, not by Python's hmac module.
    if shutil.which("openssl"):
        mac = subprocess.run(
            ["openssl", "dgst", "-sha1", "-hmac", "s3cret", "-binary"],
            input=username.encode(),
            capture_output=True,
            check=True,
        ).stdout
        assert password == base64.b64encode(mac).decode()
    # RFC 2104 HMAC-SHA1 written out by hand.
    import hashlib

    key = b"s3cret".ljust(64, b"\0")
    inner = hashlib.sha1(bytes(k ^ 0x36 for k in key) + username.encode()).digest()
    outer = hashlib.sha1(bytes(k ^ 0x5C for k in key) + inner).digest()
    assert password == base64.b64encode(outer).decode()


def test_ice_servers_split_stun_and_turn(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        turn_secret=SecretStr("s3cret"),
        turn_urls="stun:turn.example.org:3478, turn:turn.example.org:3478?transport=udp,"
        "turns:turn.example.org:5349?transport=tcp",
        turn_ttl=600,
    )
    stun, relay = turn.ice_servers(settings, 7, now=1_000)
    assert stun == {"urls": ["stun:turn.example.org:3478"]}
    assert relay["urls"] == [
        "turn:turn.example.org:3478?transport=udp",
        "turns:turn.example.org:5349?transport=tcp",
    ]
    assert relay["username"] == "1600:7"
    assert relay["credential"] == turn.credential("s3cret", 7, 600, now=1_000)[1]
    assert turn.ice_servers(Settings(data_dir=tmp_path), 7) == []


def _allocates(port: int, username: str, password: str) -> bool:
    """Whether coturn's test client gets a relay allocation with these credentials."""
    args = ["-y", "-n", "0", "-c", "-u", username, "-w", password, "-p", str(port)]
    client = subprocess.Popen(
        ["turnutils_uclient", *args, "127.0.0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert client.stdout is not None
        for line in client.stdout:
            if "Total connect time" in line:
                return True
            if "Cannot complete Allocation" in line:
                return False
        return False
    finally:
        client.kill()
        client.wait()


@pytest.mark.skipif(
    not (shutil.which("turnserver") and shutil.which("turnutils_uclient")),
    reason="coturn is not installed (apt-get install coturn; scripts/test.sh installs it)",
)
def test_coturn_accepts_the_credential_until_it_expires(tmp_path: Path) -> None:
    port = free_port()
    args = [
        *("-n", "--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1"),
        *("--listening-port", str(port), "--use-auth-secret", "--static-auth-secret", "s3cret"),
        *("--realm", "bellwork", "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers"),
        *("--min-port", "49160", "--max-port", "49260", "--pidfile", str(tmp_path / "pid")),
    ]
    server = subprocess.Popen(
        ["turnserver", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        assert server.poll() is None
        assert _allocates(port, *turn.credential("s3cret", 42, 600))
        assert not _allocates(port, *turn.credential("other", 42, 600))
        assert not _allocates(port, *turn.credential("s3cret", 42, 600, now=time.time() - 3600))
    finally:
        server.terminate()
        server.wait(5)
