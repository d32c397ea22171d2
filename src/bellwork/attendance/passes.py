"""The health pass: a short-lived code signed with the server's key, and the gate's scan.

A code is `BW1-<person id>-<expiry, unix seconds>-<signature>`: the signature is the first
80 bits of HMAC-SHA256 over "<person id>.<expiry>" in base32 (upper case and digits only, so
the QR code stays small and a guard can type it). It lives `PASS_SECONDS`; the phone page
fetches a new one every `REFRESH_SECONDS`, so a screenshot is useless within a minute. The
colour is not in the code: the gate reads the person's latest check-in when it scans.

The gate (anyone who works in a unit the person attends, or above it: a school's guard)
checks the code and records an attendance punch (`gate`) for the person, and shows them with
their photo when they have one (`gate_photo`, org/photos.py). A malformed, forged
or expired code is refused (422 `pass_malformed` / `pass_forged` / `pass_expired`) and the
refusal is written to the audit log in a session of its own, since the request's own
transaction rolls back with the refusal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.attendance.health import colour_of, latest_checkin
from bellwork.attendance.models import GATE, AttendancePunch, AttendanceSecret
from bellwork.attendance.punching import punch_out
from bellwork.attendance.rules import ATTENDING, WORKING, rule_for
from bellwork.attendance.schemas import GateOut, PassOut, PassSubject
from bellwork.audit import service as audit
from bellwork.core.errors import Forbidden, Invalid, NotFound
from bellwork.org import photos
from bellwork.org.access import Scope
from bellwork.org.models import GuardianLink, Membership, Person, Unit
from bellwork.org.settings import zone
from bellwork.runtime import has_runtime, runtime_of

PASS_SECONDS = 60
REFRESH_SECONDS = 20
CODE = re.compile(r"^BW1-(\d{1,18})-(\d{1,12})-([A-Z2-7]{16})$")

_KEYS: dict[int, bytes] = {}


async def signing_key(db: AsyncSession) -> bytes:
    """`BELLWORK_SECRET_KEY`, or the installation's key kept in the database (made once)."""
    runtime = runtime_of(db) if has_runtime(db) else None
    if runtime is not None and runtime.settings.secret_key is not None:
        return runtime.settings.secret_key.get_secret_value().encode()
    cache = id(runtime.engine) if runtime else 0
    if cache in _KEYS:
        return _KEYS[cache]
    row = (
        await db.execute(select(AttendanceSecret).order_by(AttendanceSecret.id).limit(1))
    ).scalar_one_or_none()
    if row is None:
        # Made in the request's own transaction (a session of its own waited on the request's
        # write lock on SQLite). It is kept here once it is read back committed: a request
        # that rolls back leaves no key behind, and the next one makes it again. Two nodes
        # racing both insert, and every node then uses the first row.
        made = AttendanceSecret(secret=secrets.token_hex(32))
        db.add(made)
        await db.flush()
        return made.secret.encode()
    _KEYS[cache] = row.secret.encode()
    return _KEYS[cache]


def _sign(key: bytes, subject_id: int, expires: int) -> str:
    mac = hmac.new(key, f"{subject_id}.{expires}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:10]).decode()


def make_code(key: bytes, subject_id: int, expires: int) -> str:
    return f"BW1-{subject_id}-{expires}-{_sign(key, subject_id, expires)}"


def check_code(key: bytes, code: str, now: datetime) -> int:
    """The person the code is for, or the refusal (its code and the person, if readable)."""
    m = CODE.match(code.strip().upper())
    if m is None:
        raise Refused("pass_malformed", None)
    subject_id, expires, sig = int(m[1]), int(m[2]), m[3]
    if not hmac.compare_digest(sig, _sign(key, subject_id, expires)):
        raise Refused("pass_forged", subject_id)
    late = int(now.timestamp()) - expires
    if late > 0:
        raise Refused("pass_expired", subject_id, seconds=late)
    return subject_id


class Refused(Exception):
    def __init__(self, code: str, subject_id: int | None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.subject_id = subject_id
        self.params = params


async def subjects(db: AsyncSession, scope: Scope) -> list[PassSubject]:
    """Whose pass one may show: one's own, and one's children's (a guardian)."""
    me = await db.get(Person, scope.person_id)
    assert me is not None
    rows = await db.execute(
        select(Person.id, Person.name)
        .join(GuardianLink, GuardianLink.student_id == Person.id)
        .where(GuardianLink.guardian_id == scope.person_id, Person.deactivated_at.is_(None))
        .order_by(Person.name, Person.id)
    )
    return [PassSubject(id=me.id, name=me.name)] + [
        PassSubject(id=int(i), name=n) for i, n in rows.all()
    ]


async def _today(db: AsyncSession, subject_id: int, now: datetime) -> datetime:
    applied = await rule_for(db, subject_id)
    return now.astimezone(applied.tz if applied else zone(None))


async def health_pass(
    db: AsyncSession, scope: Scope, subject_id: int | None, now: datetime
) -> PassOut:
    """A fresh code for oneself or one's child (404 for anyone else) and its colour."""
    sid = subject_id or scope.person_id
    if sid not in {s.id for s in await subjects(db, scope)}:
        raise NotFound("person")
    person = await db.get(Person, sid)
    assert person is not None
    local = await _today(db, sid, now)
    latest = await latest_checkin(db, sid)
    colour, reason = colour_of(latest, local.date())
    expires = int(now.timestamp()) + PASS_SECONDS
    return PassOut(
        subject_id=sid,
        name=person.name,
        colour=colour,
        reason=reason,
        checked_on=latest[0] if latest else None,
        code=make_code(await signing_key(db), sid, expires),
        expires_at=now.replace(microsecond=0) + timedelta(seconds=PASS_SECONDS),
        refresh_seconds=REFRESH_SECONDS,
    )


def may_guard(scope: Scope) -> bool:
    """Without a query: those who work in some unit (or admins) may open the gate page."""
    return scope.admin or bool(scope.head_paths or scope.staff_units or scope.teacher_units)


async def _guarded_unit(db: AsyncSession, scope: Scope, subject_id: int) -> Unit | None:
    """The subject's deepest unit that lies under a unit the guard works in (None: outside)."""
    theirs = list(
        (
            await db.execute(
                select(Unit)
                .join(Membership, Membership.unit_id == Unit.id)
                .where(Membership.person_id == subject_id, Membership.role.in_(ATTENDING))
            )
        ).scalars()
    )
    if scope.admin:
        return max(theirs, key=lambda u: u.depth, default=None)
    mine = [
        str(p)
        for p in (
            await db.execute(
                select(Unit.path)
                .join(Membership, Membership.unit_id == Unit.id)
                .where(Membership.person_id == scope.person_id, Membership.role.in_(WORKING))
            )
        ).scalars()
    ]
    inside = [u for u in theirs if any(u.path.startswith(p) for p in mine)]
    return max(inside, key=lambda u: u.depth, default=None)


async def _log_refusal(db: AsyncSession, scope: Scope, refused: Refused) -> None:
    """Kept although the request fails: written and committed in the request's own session
    (a session of its own would wait on the request's write lock on SQLite when this request
    has just made the signing key)."""
    await audit.record(
        db,
        scope.person_id,
        "attendance.pass.refused",
        "person",
        refused.subject_id,
        None,
        {"reason": refused.code},
    )
    await db.commit()


def gate_photo_url(subject_id: int, key: str | None) -> str | None:
    """The scanned person's photo for the gate (`gate_photo`): the gate may show whom it
    scans even where the directory would not show the guard that person."""
    if key is None:
        return None
    return f"/api/v1/attendance/gate/photo/{subject_id}/{photos.version_of(key)}"


async def gate_photo(db: AsyncSession, scope: Scope, subject_id: int, version: str) -> str:
    """The store key of the photo of a person the guard may scan (anyone attending a unit
    under one the guard works in), for the version the scan gave; 404 alike otherwise."""
    if not may_guard(scope) or await _guarded_unit(db, scope, subject_id) is None:
        raise NotFound("photo")
    return photos.current_key(await db.get(Person, subject_id), version)


async def scan(db: AsyncSession, scope: Scope, code: str, now: datetime) -> GateOut:
    """The gate's scan: who it is, their colour now, and their attendance punch."""
    if not may_guard(scope):
        raise Forbidden("attendance_not_guard")
    try:
        subject_id = check_code(await signing_key(db), code, now)
    except Refused as refused:
        await _log_refusal(db, scope, refused)
        raise Invalid(refused.code, **refused.params) from None
    person = await db.get(Person, subject_id)
    unit = None if person is None else await _guarded_unit(db, scope, subject_id)
    if person is None or unit is None:
        await _log_refusal(db, scope, Refused("attendance_gate_outside", subject_id))
        raise Forbidden("attendance_gate_outside")
    applied = await rule_for(db, subject_id)
    local = now.astimezone(applied.tz if applied else zone(None))
    latest = await latest_checkin(db, subject_id)
    colour, reason = colour_of(latest, local.date())
    client_id = "gate:" + code.strip().upper()[:58]
    p = (
        await db.execute(
            select(AttendancePunch).where(
                AttendancePunch.person_id == subject_id, AttendancePunch.client_id == client_id
            )
        )
    ).scalar_one_or_none()
    if p is None:
        p = AttendancePunch(
            person_id=subject_id,
            unit_id=applied.rule.unit_id if applied else unit.id,
            day=local.date(),
            at=now,
            source=GATE,
            recorded_by=scope.person_id,
            client_id=client_id,
        )
        db.add(p)
        await db.flush()
    first = (
        await db.execute(
            select(AttendancePunch.id)
            .where(AttendancePunch.person_id == subject_id, AttendancePunch.day == p.day)
            .order_by(AttendancePunch.at, AttendancePunch.id)
            .limit(1)
        )
    ).scalar()
    return GateOut(
        subject_id=subject_id,
        name=person.name,
        initials=person.name[:1] or "?",
        photo_url=gate_photo_url(subject_id, person.photo_key),
        unit_name=unit.name,
        colour=colour,
        reason=reason,
        checked_on=latest[0] if latest else None,
        punch=punch_out(p, first),
    )
