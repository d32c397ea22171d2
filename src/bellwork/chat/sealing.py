"""Crypto-shredding for private (burn-after-reading) conversations.

Every message of a private conversation, and every file uploaded to one, is encrypted with a
fresh random AES-256-GCM key before anything of it reaches the database or the files folder. The
key never enters the database: it is a 32-byte file in the data folder,

    <data dir>/keys/<2 hex>/<owner>.<key id>      (owner: "m<message id>" or "f<file id>")

written atomically with mode 0600, so every app node that shares the data folder can read it.
Burning (or recalling) a message overwrites and unlinks its key file. The ciphertext may live on
in PostgreSQL's free space and WAL, or in SQLite's, but without the key it is noise.

The row's id is part of the file name so that the orphan sweep can check a key against its row
by primary key; the random key id (also stored in the row) tells a key from one left behind by
an earlier row that had the same id (SQLite reuses the highest rowid after a delete).

Keys are written after the row is flushed and before the transaction commits, so a committed
row always has its key; a key whose transaction then rolled back is an orphan, which
`orphan_keys` finds (older than a grace period, and no row with that id and key id) for the
sweeper to shred.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
_NAME = re.compile(r"^([mf])(\d+)\.([0-9a-f]{32})$")
_TMP = ".tmp-"


@dataclass(frozen=True)
class KeyRef:
    """Where one key lives: its owner ("m" + message id or "f" + file id) and its random id."""

    owner: str
    key_id: str

    @staticmethod
    def message(message_id: int, key_id: str) -> KeyRef:
        return KeyRef(f"m{message_id}", key_id)

    @staticmethod
    def file(file_id: int, key_id: str) -> KeyRef:
        return KeyRef(f"f{file_id}", key_id)


def keys_dir(data_dir: Path) -> Path:
    return data_dir / "keys"


def key_path(data_dir: Path, ref: KeyRef) -> Path:
    return keys_dir(data_dir) / ref.key_id[:2] / f"{ref.owner}.{ref.key_id}"


def new_key() -> tuple[str, bytes]:
    """A fresh key and its random id."""
    return secrets.token_hex(16), AESGCM.generate_key(bit_length=256)


# ---------------------------------------------------------------- encryption


def seal(key: bytes, purpose: str, key_id: str, plain: bytes) -> bytes:
    """nonce || AES-256-GCM(plain), bound to what it is (`purpose`) and to its key id."""
    nonce = os.urandom(NONCE_BYTES)
    aad = f"bellwork:{purpose}:{key_id}".encode()
    return nonce + AESGCM(key).encrypt(nonce, plain, aad)


def unseal(key: bytes, purpose: str, key_id: str, blob: bytes) -> bytes | None:
    """The plaintext, or None if the blob was not sealed with this key for this purpose."""
    if len(blob) < NONCE_BYTES + 16:
        return None
    aad = f"bellwork:{purpose}:{key_id}".encode()
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        return None


@dataclass(frozen=True)
class Content:
    """What a sealed message says."""

    body: str | None
    mentions: list[int | str]


def seal_message(key: bytes, key_id: str, body: str | None, mentions: list[int | str]) -> bytes:
    return seal(key, "message", key_id, orjson.dumps({"body": body, "mentions": mentions}))


def unseal_message(key: bytes, key_id: str, blob: bytes) -> Content | None:
    raw = unseal(key, "message", key_id, blob)
    if raw is None:
        return None
    data: dict[str, Any] = orjson.loads(raw)
    return Content(body=data.get("body"), mentions=list(data.get("mentions") or []))


# ------------------------------------------------- key files (blocking: run them in a thread)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_key(data_dir: Path, ref: KeyRef, key: bytes) -> None:
    """Writes the key file atomically (a temporary file, fsync, rename), readable only by us."""
    root = keys_dir(data_dir)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = key_path(data_dir, ref)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    tmp = path.with_name(f"{path.name}{_TMP}{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(key)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def read_key(data_dir: Path, ref: KeyRef) -> bytes | None:
    """The key, or None when its file is gone (burned, or lost) or damaged."""
    try:
        key = key_path(data_dir, ref).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return key if len(key) == KEY_BYTES else None


def _shred_path(path: Path) -> None:
    try:
        fd = os.open(path, os.O_WRONLY)
    except (FileNotFoundError, NotADirectoryError):
        return
    try:
        size = os.fstat(fd).st_size
        if size:
            os.pwrite(fd, b"\0" * size, 0)
            os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)


def shred(data_dir: Path, refs: Iterable[KeyRef]) -> None:
    """Overwrites each key file with zeros, then unlinks it. Missing ones are fine."""
    folders = set()
    for ref in refs:
        path = key_path(data_dir, ref)
        _shred_path(path)
        folders.add(path.parent)
    for folder in folders:
        _fsync_dir(folder)


def old_key_files(data_dir: Path, older_than: float) -> tuple[list[KeyRef], list[Path]]:
    """Key files last changed before `older_than` (a time.time() value), and leftover
    temporary files from interrupted writes, equally old."""
    refs: list[KeyRef] = []
    stale: list[Path] = []
    root = keys_dir(data_dir)
    if not root.is_dir():
        return refs, stale
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            try:
                if path.stat().st_mtime >= older_than:
                    continue
            except FileNotFoundError:
                continue
            match = _NAME.match(path.name)
            if match:
                refs.append(KeyRef(f"{match[1]}{match[2]}", match[3]))
            elif _TMP in path.name:
                stale.append(path)
    return refs, stale


def shred_paths(paths: Iterable[Path]) -> None:
    for path in paths:
        _shred_path(path)
