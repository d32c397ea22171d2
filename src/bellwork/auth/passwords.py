"""argon2id password hashing, run in a worker thread so it never blocks the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bellwork.config import get_settings


@lru_cache
def _hasher() -> PasswordHasher:
    s = get_settings()
    return PasswordHasher(time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_kib)


# Verified against when the account does not exist, so timing does not reveal which logins exist.
_DUMMY: list[str] = []


def hash_password_sync(password: str) -> str:
    return _hasher().hash(password)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hash_password_sync, password)


def _verify(hash_: str | None, password: str) -> bool:
    if hash_ is None:
        if not _DUMMY:
            _DUMMY.append(_hasher().hash(secrets.token_hex(8)))
        hash_ = _DUMMY[0]
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher().verify(hash_, password)
        return False
    try:
        return _hasher().verify(hash_, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(hash_: str | None, password: str) -> bool:
    return await asyncio.to_thread(_verify, hash_, password)


def generate_temporary_password() -> str:
    # Readable: no 0/O/1/l/I.
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))
