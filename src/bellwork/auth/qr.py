"""Logging in on a desktop by scanning its QR code with a phone that is signed in (扫码登录).

1. The desktop asks for a request (`start`): it gets a `code`, shown as a QR code of the URL
   `/qr/<code>`, and a `secret` it keeps to itself.
2. The phone opens that URL signed in; the page shows which browser and address asked
   (`look`, which marks the request scanned) and the person approves or refuses it.
3. The desktop polls with its secret (`poll`); once approved, the first poll takes the session
   (the request is then spent) and the desktop is logged in as the approver.

Someone who only sees the screen learns the code, never the secret, so they cannot take the
session; a photo of the code is useless after `QR_SECONDS` or once it was used. A person who
must change their password cannot approve (they would skip the change on the desktop).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.models import QrLogin
from bellwork.auth.service import Actor, sha256
from bellwork.core.errors import Conflict, Forbidden, NotFound, Problem
from bellwork.db.base import utcnow

QR_SECONDS = 120
POLL_SECONDS = 2
CLAIM_GRACE = timedelta(seconds=60)  # an approved request not taken by then has expired
LIVE_PER_ADDRESS = 20  # open requests from one address at once

State = Literal["waiting", "scanned", "approved", "refused", "expired", "used"]


@dataclass(frozen=True)
class Started:
    code: str
    secret: str
    request: QrLogin


def state_of(r: QrLogin) -> State:
    if r.claimed_at is not None:
        return "used"
    if r.refused_at is not None:
        return "refused"
    now = utcnow()
    if r.approved_at is not None:
        return "approved" if now <= r.expires_at + CLAIM_GRACE else "expired"
    if r.expires_at <= now:
        return "expired"
    return "scanned" if r.scanned_at is not None else "waiting"


async def start(db: AsyncSession, user_agent: str | None, address: str | None) -> Started:
    """A new request, and the removal of those that ended more than a day ago."""
    now = utcnow()
    await db.execute(delete(QrLogin).where(QrLogin.expires_at < now - timedelta(days=1)))
    if address is not None:
        live = await db.scalar(
            select(func.count())
            .select_from(QrLogin)
            .where(QrLogin.address == address, QrLogin.expires_at > now)
        )
        if (live or 0) >= LIVE_PER_ADDRESS:
            raise Problem("qr_login_busy", 429, seconds=QR_SECONDS)
    code, secret = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    r = QrLogin(
        code_hash=sha256(code),
        secret_hash=sha256(secret),
        created_at=now,
        expires_at=now + timedelta(seconds=QR_SECONDS),
        user_agent=(user_agent or "")[:300] or None,
        address=address,
    )
    db.add(r)
    await db.flush()
    return Started(code, secret, r)


async def _by_code(db: AsyncSession, code: str, lock: bool = False) -> QrLogin:
    q = select(QrLogin).where(QrLogin.code_hash == sha256(code))
    r = (await db.execute(q.with_for_update() if lock else q)).scalar_one_or_none()
    if r is None:
        raise NotFound("qr_login")
    return r


async def look(db: AsyncSession, actor: Actor, code: str) -> QrLogin:
    """What the phone shows before the person decides; marks a waiting request scanned."""
    r = await _by_code(db, code, lock=True)
    if state_of(r) == "waiting":
        r.scanned_at = utcnow()
    return r


async def decide(db: AsyncSession, actor: Actor, code: str, approve: bool) -> QrLogin:
    """Approves the request for `actor`, or refuses it. 409 `qr_login_ended` once it has been
    decided, used or has expired; 403 when `actor` must change their password first."""
    r = await _by_code(db, code, lock=True)
    if state_of(r) not in ("waiting", "scanned"):
        raise Conflict("qr_login_ended")
    if approve and actor.person.must_change_password:
        raise Forbidden("password_change_required")
    now = utcnow()
    r.scanned_at = r.scanned_at or now
    r.person_id = actor.id
    if approve:
        r.approved_at = now
    else:
        r.refused_at = now
    return r


async def poll(db: AsyncSession, secret: str) -> tuple[State, int | None]:
    """The request's state for the desktop that holds `secret`; when it is approved, the
    approver's id, once (the request is spent: the caller makes the session)."""
    r = (
        await db.execute(
            select(QrLogin).where(QrLogin.secret_hash == sha256(secret)).with_for_update()
        )
    ).scalar_one_or_none()
    if r is None:
        raise NotFound("qr_login")
    state = state_of(r)
    if state != "approved":
        return state, None
    r.claimed_at = utcnow()
    return state, r.person_id
