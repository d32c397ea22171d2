"""Logging in and out, sessions, API tokens, password changes and login throttling."""

from __future__ import annotations

import hashlib
import math
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.service import record
from bellwork.auth.models import ApiToken, LoginFailure, WebSession
from bellwork.auth.passwords import hash_password, verify_password
from bellwork.config import get_settings
from bellwork.core.errors import Forbidden, Invalid, NotFound, Problem
from bellwork.db.base import utcnow
from bellwork.org.models import Person
from bellwork.realtime.outbox import ALL, SESSIONS, TOKENS, end_sockets

SESSION_COOKIE = "bw_session"
CSRF_COOKIE = "bw_csrf"
TOKEN_PREFIX = "bw_"
MIN_PASSWORD = 8
SESSION_RENEW_EVERY = timedelta(minutes=5)  # sliding expiry, written at most this often
TOKEN_NOTE_EVERY = timedelta(minutes=1)  # a token's last use, written at most this often


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class Actor:
    """Who is making the request, and how they proved it."""

    person: Person
    session: WebSession | None = None
    token: ApiToken | None = None
    address: str | None = None

    @property
    def id(self) -> int:
        return self.person.id

    @property
    def is_admin(self) -> bool:
        return self.person.is_admin


_PHONE_PUNCTUATION = str.maketrans("", "", " -()（）.\u00a0")


def normalise_login(login: str) -> tuple[str, str]:
    """(text, phone): the typed login as compared with usernames and emails (NFKC, trimmed,
    lower case) and as compared with phones (spaces, dashes and brackets dropped, +86 or 0086
    dropped), so `１３９…`, `+86 139 …` and `139-…` are one login."""
    key = unicodedata.normalize("NFKC", login).strip()
    phone = key.translate(_PHONE_PUNCTUATION)
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
    return key.lower(), phone


async def find_by_login(db: AsyncSession, login: str) -> Person | None:
    key, phone = normalise_login(login)
    stmt = select(Person).where(
        or_(
            func.lower(Person.username) == key,
            func.lower(Person.email) == key,
            Person.phone == phone,
        )
    )
    return (await db.execute(stmt)).scalars().first()


@dataclass
class LoginAttempt:
    """A typed login resolved to the account it names (if any) and the key its failures are
    counted under: the account itself whatever form the login took (username, email, any
    spelling of the phone), or the normalised text when it names nobody."""

    person: Person | None
    key: str


async def resolve_login(db: AsyncSession, login: str) -> LoginAttempt:
    person = await find_by_login(db, login)
    if person is not None:
        return LoginAttempt(person, f"person:{person.id}")
    return LoginAttempt(None, f"login:{normalise_login(login)[0]}"[:254])


async def _check_throttle(db: AsyncSession, account: str, address: str) -> None:
    s = get_settings()
    since = utcnow() - timedelta(seconds=s.login_window_seconds)
    checks = (
        (LoginFailure.account == account, s.login_max_failures_account),
        (LoginFailure.address == address, s.login_max_failures_address),
    )
    for cond, limit in checks:
        stmt = select(func.count(), func.min(LoginFailure.at)).where(cond, LoginFailure.at >= since)
        count, oldest = (await db.execute(stmt)).one()
        if count >= limit:
            retry = s.login_window_seconds
            if oldest is not None:
                retry = max(1, int((oldest - since).total_seconds()))
            raise Problem(
                "login_throttled",
                429,
                headers={"Retry-After": str(retry)},
                minutes=max(1, math.ceil(retry / 60)),
            )


async def authenticate(
    db: AsyncSession, attempt: LoginAttempt, password: str, address: str
) -> Person:
    """Checks a login. Failed attempts are recorded by the caller in a separate transaction."""
    await _check_throttle(db, attempt.key, address)
    person = attempt.person
    ok = await verify_password(person.password_hash if person else None, password)
    if person is None or not ok:
        raise Problem("invalid_credentials", 401)
    if not person.active:
        raise Problem("account_deactivated", 403)
    return person


async def record_failure(db: AsyncSession, attempt: LoginAttempt, address: str) -> None:
    db.add(LoginFailure(account=attempt.key, address=address[:64]))
    # Keep the table small: forget failures well outside the window.
    horizon = utcnow() - timedelta(seconds=get_settings().login_window_seconds * 4)
    await db.execute(delete(LoginFailure).where(LoginFailure.at < horizon))


async def clear_failures(db: AsyncSession, attempt: LoginAttempt) -> None:
    await db.execute(delete(LoginFailure).where(LoginFailure.account == attempt.key))


async def create_session(
    db: AsyncSession, person: Person, user_agent: str | None, address: str | None
) -> tuple[WebSession, str]:
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    ws = WebSession(
        token_hash=sha256(secret),
        csrf_token=secrets.token_urlsafe(24),
        person_id=person.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=get_settings().session_days),
        user_agent=(user_agent or "")[:300] or None,
        address=address,
    )
    db.add(ws)
    await db.flush()
    return ws, secret


# Every request asks this: built once (putting a select together costs more CPU than its
# cached compilation), the hash bound at execution.
_SESSION = (
    select(WebSession, Person)
    .join(Person, Person.id == WebSession.person_id)
    .where(WebSession.token_hash == bindparam("token_hash"))
)
_TOKEN = (
    select(ApiToken, Person)
    .join(Person, Person.id == ApiToken.person_id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
)


async def resolve_session(db: AsyncSession, secret: str) -> tuple[WebSession, Person] | None:
    row = (await db.execute(_SESSION, {"token_hash": sha256(secret)})).first()
    if row is None:
        return None
    ws, person = row
    now = utcnow()
    if ws.expires_at <= now or not person.active:
        return None
    if now - ws.last_seen_at > SESSION_RENEW_EVERY:
        # Sliding expiry, written at most every five minutes per session.
        ws.last_seen_at = now
        ws.expires_at = now + timedelta(days=get_settings().session_days)
    return ws, person


async def resolve_token(db: AsyncSession, raw: str) -> tuple[ApiToken, Person] | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    row = (await db.execute(_TOKEN, {"token_hash": sha256(raw)})).first()
    if row is None:
        return None
    token, person = row
    if not person.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_NOTE_EVERY:
        token.last_used_at = now
    return token, person


@dataclass(frozen=True, slots=True)
class SocketIdentity:
    person_id: int
    must_change_password: bool
    # What the socket was opened with: a web session's id, or minus an API token's id (so that
    # ending the session or revoking the token can close it).
    credential: int = 0
    # The session (or token) whose last use is old enough to be noted: `note_socket_use`.
    stale_session_id: int | None = None
    stale_token_id: int | None = None


async def identify_socket(
    db: AsyncSession, *, session_secret: str | None = None, token: str | None = None
) -> SocketIdentity | None:
    """Who opens a WebSocket, or None. Only reads.

    The rules of `resolve_session` / `resolve_token` (expiry, deactivation, revocation), read as
    plain columns: it runs for every socket of a reconnect storm, and the ORM objects it would
    build and drop fragment the heap that long-lived sockets live in. The sliding renewal is
    left to `note_socket_use`, a separate write the caller may make best-effort."""
    now = utcnow()
    if token is not None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        t_row = (
            await db.execute(
                select(ApiToken.id, ApiToken.last_used_at, Person.id, Person.must_change_password)
                .join(Person, Person.id == ApiToken.person_id)
                .where(
                    ApiToken.token_hash == sha256(token),
                    ApiToken.revoked_at.is_(None),
                    Person.deactivated_at.is_(None),
                )
            )
        ).first()
        if t_row is None:
            return None
        token_id, last_used, person_id, must_change = t_row
        stale = last_used is None or now - last_used > TOKEN_NOTE_EVERY
        return SocketIdentity(
            person_id, must_change, -token_id, stale_token_id=token_id if stale else None
        )
    if not session_secret:
        return None
    s_row = (
        await db.execute(
            select(
                WebSession.id,
                WebSession.last_seen_at,
                WebSession.expires_at,
                Person.id,
                Person.must_change_password,
            )
            .join(Person, Person.id == WebSession.person_id)
            .where(WebSession.token_hash == sha256(session_secret), Person.deactivated_at.is_(None))
        )
    ).first()
    if s_row is None:
        return None
    session_id, last_seen, expires, person_id, must_change = s_row
    if expires <= now:
        return None
    stale = now - last_seen > SESSION_RENEW_EVERY
    return SocketIdentity(
        person_id, must_change, session_id, stale_session_id=session_id if stale else None
    )


async def credential_alive(db: AsyncSession, who: SocketIdentity) -> bool:
    """Whether the session (or token) a socket was opened with still stands: checked again
    once the socket is registered, so that a logout committed between identifying it and
    registering it (whose close went to a hub that did not have it yet) still closes it."""
    return who.credential != 0 and who.credential in await live_credentials(db, {who.credential})


async def live_credentials(db: AsyncSession, credentials: set[int]) -> set[int]:
    """Of these socket credentials (session ids, minus token ids), those that still stand: the
    session unexpired or the token unrevoked, its person active and not held to a password
    change. For the periodic audit of open sockets (jobs/sockets.py)."""
    now = utcnow()
    alive: set[int] = set()
    sessions = sorted(c for c in credentials if c > 0)
    tokens = sorted(-c for c in credentials if c < 0)
    usable = (Person.deactivated_at.is_(None), Person.must_change_password.is_(False))
    for i in range(0, len(sessions), 1000):
        rows = await db.execute(
            select(WebSession.id)
            .join(Person, Person.id == WebSession.person_id)
            .where(WebSession.id.in_(sessions[i : i + 1000]), WebSession.expires_at > now, *usable)
        )
        alive.update(rows.scalars())
    for i in range(0, len(tokens), 1000):
        rows = await db.execute(
            select(ApiToken.id)
            .join(Person, Person.id == ApiToken.person_id)
            .where(ApiToken.id.in_(tokens[i : i + 1000]), ApiToken.revoked_at.is_(None), *usable)
        )
        alive.update(-t for t in rows.scalars())
    return alive


async def note_socket_use(db: AsyncSession, who: SocketIdentity) -> None:
    """The sliding renewal of the socket's session, or the token's last use."""
    now = utcnow()
    if who.stale_session_id is not None:
        await db.execute(
            update(WebSession)
            .where(WebSession.id == who.stale_session_id)
            .values(last_seen_at=now, expires_at=now + timedelta(days=get_settings().session_days))
        )
    if who.stale_token_id is not None:
        await db.execute(
            update(ApiToken).where(ApiToken.id == who.stale_token_id).values(last_used_at=now)
        )


async def end_session(db: AsyncSession, session: WebSession) -> None:
    await db.execute(delete(WebSession).where(WebSession.id == session.id))
    end_sockets(db, session.person_id, SESSIONS, [session.id])


async def end_all_sessions(db: AsyncSession, person_id: int, *, tokens_too: bool = False) -> int:
    """Logs the person out everywhere: their web sessions end and so do the live sockets opened
    with them (with `tokens_too`, also those opened with API tokens: a deactivated account)."""
    result = await db.execute(delete(WebSession).where(WebSession.person_id == person_id))
    end_sockets(db, person_id, ALL if tokens_too else SESSIONS)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid("weak_password", errors=[{"field": "new_password", "code": "weak_password"}])


async def change_password(db: AsyncSession, actor: Actor, current: str, new: str) -> None:
    person = actor.person
    if not await verify_password(person.password_hash, current):
        raise Invalid("wrong_password", errors=[{"field": "current_password"}])
    check_password_strength(new)
    if current == new:
        raise Invalid("same_password", errors=[{"field": "new_password"}])
    person.password_hash = await hash_password(new)
    person.must_change_password = False
    # Every other session of this person ends; this one stays.
    others = select(WebSession.id).where(WebSession.person_id == person.id)
    if actor.session is not None:
        others = others.where(WebSession.id != actor.session.id)
    ended = list((await db.execute(others)).scalars())
    if ended:
        await db.execute(delete(WebSession).where(WebSession.id.in_(ended)))
        end_sockets(db, person.id, SESSIONS, ended)
    await record(db, actor.id, "person.password_change", "person", person.id, None, None)


async def create_token(db: AsyncSession, actor: Actor, name: str) -> tuple[ApiToken, str]:
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(person_id=actor.id, name=name.strip(), prefix=prefix, token_hash=sha256(raw))
    db.add(token)
    await db.flush()
    await record(db, actor.id, "token.create", "token", token.id, None, {"name": token.name})
    return token, raw


async def list_tokens(db: AsyncSession, actor: Actor) -> list[ApiToken]:
    stmt = (
        select(ApiToken)
        .where(ApiToken.person_id == actor.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    )
    return list((await db.execute(stmt)).scalars())


async def revoke_token(db: AsyncSession, actor: Actor, token_id: int) -> None:
    token = await db.get(ApiToken, token_id)
    if token is None or token.person_id != actor.id or token.revoked_at is not None:
        raise NotFound("token")
    token.revoked_at = utcnow()
    end_sockets(db, token.person_id, TOKENS, [token.id])
    await record(db, actor.id, "token.revoke", "token", token.id, {"name": token.name}, None)


def require_password_changed(actor: Actor) -> None:
    if actor.person.must_change_password:
        raise Forbidden("password_change_required")
