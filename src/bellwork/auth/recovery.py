"""找回密码: setting a new password with a code sent to one's phone or email.

1. `request_reset(login)`: the account named by a username, phone or email gets a 6-digit code,
   by text message to its phone — or by email when the login typed was its email, or it has no
   phone — through delivery/ (the outbox where no provider is configured). The answer is the
   same whether or not the account exists or has anywhere to send to: nobody learns from it
   who has an account. One code a minute per account (`reset_too_soon`, with the seconds to
   wait); a new code replaces the one before.
2. `confirm_reset(login, code, new password)`: the code works once, for 10 minutes, for 5 tries
   (a wrong one counts in a transaction of its own, so failing cannot be retried for free).
   The password is set, every session and socket of the account ends, login failures are
   cleared, and the audit log says so.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bellwork.audit.service import record
from bellwork.auth.models import PasswordReset
from bellwork.auth.passwords import hash_password
from bellwork.auth.service import (
    LoginAttempt,
    check_password_strength,
    clear_failures,
    end_all_sessions,
    find_by_login,
    normalise_login,
)
from bellwork.core.errors import Invalid, Problem
from bellwork.core.i18n import t
from bellwork.db.base import utcnow
from bellwork.db.session import unit_of_work
from bellwork.delivery.models import EMAIL, SMS
from bellwork.delivery.service import queue_delivery
from bellwork.org.models import Person
from bellwork.push.service import forget_devices

CODE_MINUTES = 10
MAX_TRIES = 5
EVERY_SECONDS = 60


def _hash(reset_person: int, code: str) -> str:
    return hashlib.sha256(f"{reset_person}:{code}".encode()).hexdigest()


def _where_to(person: Person, login: str) -> tuple[str, str] | None:
    """(channel, address) for the code: the email if that is what was typed, else the phone,
    else the email; None when the account has neither."""
    key, _ = normalise_login(login)
    if person.email and key == person.email.lower():
        return EMAIL, person.email
    if person.phone:
        return SMS, person.phone
    if person.email:
        return EMAIL, person.email
    return None


async def request_reset(db: AsyncSession, login: str) -> None:
    """Sends a code to the account's phone or email, if there is such an account."""
    person = await find_by_login(db, login)
    if person is None or person.deactivated_at is not None:
        return
    to = _where_to(person, login)
    if to is None:
        return
    now = utcnow()
    last = (
        await db.execute(
            select(PasswordReset.created_at)
            .where(PasswordReset.person_id == person.id)
            .order_by(PasswordReset.id.desc())
            .limit(1)
        )
    ).scalar()
    if last is not None and (wait := (last + timedelta(seconds=EVERY_SECONDS) - now)) > timedelta():
        seconds = max(1, math.ceil(wait.total_seconds()))
        raise Problem("reset_too_soon", 429, headers={"Retry-After": str(seconds)}, seconds=seconds)
    # A new code replaces the ones before.
    await db.execute(
        update(PasswordReset)
        .where(PasswordReset.person_id == person.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    channel, address = to
    db.add(
        PasswordReset(
            person_id=person.id,
            code_hash=_hash(person.id, code),
            channel=channel,
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
        )
    )
    # In the request's language (`t` reads it).
    body = t("reset_code_text", code=code, minutes=CODE_MINUTES)
    await queue_delivery(
        db,
        channel=channel,
        address=address,
        body=body,
        subject=t("reset_code_subject") if channel == EMAIL else None,
        purpose="password_reset",
        person_id=person.id,
        params={"code": code},
    )


def _invalid() -> Invalid:
    return Invalid("reset_code_invalid", errors=[{"field": "code"}])


async def confirm_reset(
    db: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    login: str,
    code: str,
    new_password: str,
) -> None:
    """Sets the new password if `code` is the account's current one."""
    person = await find_by_login(db, login)
    if person is None or person.deactivated_at is not None:
        raise _invalid()
    reset = (
        await db.execute(
            select(PasswordReset)
            .where(
                PasswordReset.person_id == person.id,
                PasswordReset.used_at.is_(None),
                PasswordReset.expires_at > utcnow(),
                PasswordReset.attempts < MAX_TRIES,
            )
            .order_by(PasswordReset.id.desc())
            .limit(1)
        )
    ).scalar()
    if reset is None:
        raise _invalid()
    if not hmac.compare_digest(reset.code_hash, _hash(person.id, code.strip())):
        # Counted in its own transaction: the request's own rolls back with the error.
        async with unit_of_work(sessions) as other:
            await other.execute(
                update(PasswordReset)
                .where(PasswordReset.id == reset.id)
                .values(attempts=PasswordReset.attempts + 1)
            )
        raise _invalid()
    check_password_strength(new_password)
    reset.used_at = utcnow()
    person.password_hash = await hash_password(new_password)
    person.must_change_password = False
    await end_all_sessions(db, person.id)
    await forget_devices(db, person.id)  # (a lost phone may be why the password was reset)
    await clear_failures(db, LoginAttempt(person, f"person:{person.id}"))
    await record(
        db,
        person.id,
        "person.password_recover",
        "person",
        person.id,
        None,
        {"code_sent_by": reset.channel},
    )
