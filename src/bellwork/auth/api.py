from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request, Response
from sqlalchemy import select

from bellwork.auth import qr, recovery, service
from bellwork.auth.models import QrLogin
from bellwork.auth.schemas import (
    LoggedOut,
    LoginIn,
    LoginOut,
    Me,
    PasswordChange,
    QrPollIn,
    QrPollOut,
    QrRequestOut,
    QrStarted,
    ResetAccepted,
    ResetConfirm,
    ResetRequest,
    TokenCreate,
    TokenCreated,
    TokenOut,
)
from bellwork.auth.service import Actor
from bellwork.config import get_settings
from bellwork.core.context import current_address
from bellwork.core.deps import DB, AnyActor, CurrentActor, client_address
from bellwork.core.errors import Problem
from bellwork.core.routing import Router
from bellwork.core.types import PathId
from bellwork.db.session import unit_of_work
from bellwork.org.access import load_scope
from bellwork.org.directory import person_detail
from bellwork.org.models import Membership, Person, Role, Unit
from bellwork.push import service as push_service

router = Router(prefix="/api/v1/auth", tags=["auth"])
tokens_router = Router(prefix="/api/v1/tokens", tags=["tokens"])
QrCode = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


async def build_me(db: DB, actor: Actor) -> Me:
    scope = await load_scope(db, actor)
    detail = await person_detail(db, scope, actor.person)
    managed = (
        await db.execute(
            select(Membership.unit_id)
            .join(Unit, Unit.id == Membership.unit_id)
            .where(Membership.person_id == actor.id, Membership.role == Role.head.value)
        )
    ).scalars()
    return Me(
        id=actor.id,
        name=actor.person.name,
        username=actor.person.username,
        phone=actor.person.phone,
        email=actor.person.email,
        is_admin=actor.is_admin,
        must_change_password=actor.person.must_change_password,
        memberships=detail.memberships,
        managed_unit_ids=sorted(set(managed)),
        photo_url=detail.photo_url,
    )


def _set_cookies(response: Response, secret: str, csrf: str) -> None:
    s = get_settings()
    age = s.session_days * 86400
    response.set_cookie(
        service.SESSION_COOKIE,
        secret,
        max_age=age,
        httponly=True,
        samesite="lax",
        secure=s.cookie_secure,
        path="/",
    )
    response.set_cookie(
        service.CSRF_COOKIE,
        csrf,
        max_age=age,
        httponly=False,
        samesite="lax",
        secure=s.cookie_secure,
        path="/",
    )


def _clear_cookies(response: Response) -> None:
    response.delete_cookie(service.SESSION_COOKIE, path="/")
    response.delete_cookie(service.CSRF_COOKIE, path="/")


@router.post(
    "/login",
    response_model=LoginOut,
    responses={401: {"description": "Wrong login or password"}, 429: {"description": "Throttled"}},
)
async def login(data: LoginIn, request: Request, response: Response, db: DB) -> LoginOut:
    """Log in with phone, email or username. Sets the session cookie and the CSRF cookie."""
    address = client_address(request)
    current_address.set(address)
    attempt = await service.resolve_login(db, data.login)
    try:
        person = await service.authenticate(db, attempt, data.password, address)
    except Problem as exc:
        if exc.code == "invalid_credentials":
            # Recorded in its own transaction: the request's own is rolled back by the error.
            async with unit_of_work(request.app.state.runtime.sessionmaker) as other:
                await service.record_failure(other, attempt, address)
        raise
    await service.clear_failures(db, attempt)
    session, secret = await service.create_session(
        db, person, request.headers.get("user-agent"), address
    )
    _set_cookies(response, secret, session.csrf_token)
    actor = Actor(person=person, session=session, address=address)
    return LoginOut(person=await build_me(db, actor), csrf_token=session.csrf_token)


@router.post("/qr", response_model=QrStarted, responses={429: {"description": "Too many open"}})
async def qr_start(request: Request, db: DB) -> QrStarted:
    """Asks to be logged in by a phone: show `code` as a QR code of `/qr/<code>`, keep `secret`
    and poll with it. Expires after two minutes (auth/qr.py)."""
    address = client_address(request)
    started = await qr.start(db, request.headers.get("user-agent"), address)
    return QrStarted(
        code=started.code,
        secret=started.secret,
        expires_at=started.request.expires_at,
        poll_seconds=qr.POLL_SECONDS,
    )


@router.post("/qr/poll", response_model=QrPollOut)
async def qr_poll(data: QrPollIn, request: Request, response: Response, db: DB) -> QrPollOut:
    """The state of this browser's request; once a phone approved it, the session: the cookies
    are set and `login` holds the person, as after a password login. 404 for an unknown secret."""
    state, person_id = await qr.poll(db, data.secret)
    if person_id is None:
        return QrPollOut(state=state)
    person = await db.get(Person, person_id)
    if person is None or not person.active:
        return QrPollOut(state="refused")
    address = client_address(request)
    session, secret = await service.create_session(
        db, person, request.headers.get("user-agent"), address
    )
    _set_cookies(response, secret, session.csrf_token)
    actor = Actor(person=person, session=session, address=address)
    login = LoginOut(person=await build_me(db, actor), csrf_token=session.csrf_token)
    return QrPollOut(state="approved", login=login)


def _qr_out(r: QrLogin) -> QrRequestOut:
    return QrRequestOut(
        state=qr.state_of(r),
        user_agent=r.user_agent,
        address=r.address,
        created_at=r.created_at,
        expires_at=r.expires_at,
    )


@router.get("/qr/{code}", response_model=QrRequestOut)
async def qr_look(code: QrCode, db: DB, actor: CurrentActor) -> QrRequestOut:
    """For the signed-in phone that scanned the code: which browser asked, from where."""
    return _qr_out(await qr.look(db, actor, code))


@router.post("/qr/{code}/approve", response_model=QrRequestOut)
async def qr_approve(code: QrCode, db: DB, actor: CurrentActor) -> QrRequestOut:
    """Logs the asking browser in as me. 409 `qr_login_ended` if it expired or was decided."""
    return _qr_out(await qr.decide(db, actor, code, approve=True))


@router.post("/qr/{code}/refuse", response_model=QrRequestOut)
async def qr_refuse(code: QrCode, db: DB, actor: CurrentActor) -> QrRequestOut:
    """Refuses the request: the asking browser is told so and gets nothing."""
    return _qr_out(await qr.decide(db, actor, code, approve=False))


@router.get("/me", response_model=Me)
async def me(db: DB, actor: AnyActor) -> Me:
    """The logged-in person, their memberships and the units they head."""
    return await build_me(db, actor)


@router.get("/csrf")
async def csrf(actor: AnyActor) -> dict[str, str | None]:
    """The CSRF token of the current web session (for clients that lost the cookie value)."""
    return {"csrf_token": actor.session.csrf_token if actor.session else None}


@router.post("/logout", response_model=LoggedOut)
async def logout(response: Response, db: DB, actor: AnyActor) -> LoggedOut:
    """End this web session."""
    if actor.session is not None:
        await service.end_session(db, actor.session)
    _clear_cookies(response)
    return LoggedOut(ended_sessions=1 if actor.session else 0)


@router.post("/logout-all", response_model=LoggedOut)
async def logout_all(response: Response, db: DB, actor: AnyActor) -> LoggedOut:
    """End every web session of this person, on every device (API tokens stay). Their
    devices stop receiving Web Push too (a lost phone shows nothing more)."""
    n = await service.end_all_sessions(db, actor.id)
    await push_service.forget_devices(db, actor.id)
    _clear_cookies(response)
    return LoggedOut(ended_sessions=n)


@router.post("/password", response_model=Me)
async def change_password(data: PasswordChange, db: DB, actor: AnyActor) -> Me:
    """Change one's own password; other sessions of this person end."""
    await service.change_password(db, actor, data.current_password, data.new_password)
    return await build_me(db, actor)


@router.post(
    "/password-reset",
    status_code=202,
    response_model=ResetAccepted,
    responses={429: {"description": "Too soon"}},
)
async def request_password_reset(data: ResetRequest, db: DB) -> ResetAccepted:
    """找回密码, step 1: if the login (username, phone or email) names an account, a 6-digit
    code goes to its phone by text message, or to its email (the one typed, or when it has no
    phone). The answer is the same either way. One code a minute per account."""
    await recovery.request_reset(db, data.login)
    return ResetAccepted(
        again_after_seconds=recovery.EVERY_SECONDS, valid_minutes=recovery.CODE_MINUTES
    )


@router.post("/password-reset/confirm", status_code=204)
async def confirm_password_reset(data: ResetConfirm, request: Request, db: DB) -> Response:
    """找回密码, step 2: the code (10 minutes, 5 tries) and the new password. Every session of
    the account ends; log in with the new password."""
    await recovery.confirm_reset(
        db, request.app.state.runtime.sessionmaker, data.login, data.code, data.new_password
    )
    return Response(status_code=204)


def _token_out(t: object) -> TokenOut:
    return TokenOut.model_validate(t, from_attributes=True)


@tokens_router.get("", response_model=list[TokenOut])
async def list_tokens(db: DB, actor: CurrentActor) -> list[TokenOut]:
    """One's own personal API tokens that are not revoked."""
    return [_token_out(t) for t in await service.list_tokens(db, actor)]


@tokens_router.post("", response_model=TokenCreated, status_code=201)
async def create_token(data: TokenCreate, db: DB, actor: CurrentActor) -> TokenCreated:
    """Create a personal API token. The `token` value is shown only in this answer."""
    token, raw = await service.create_token(db, actor, data.name)
    return TokenCreated(**_token_out(token).model_dump(), token=raw)


@tokens_router.delete("/{token_id}", status_code=204)
async def revoke_token(token_id: PathId, db: DB, actor: CurrentActor) -> Response:
    """Revoke one of one's own tokens; it stops working at once."""
    await service.revoke_token(db, actor, token_id)
    return Response(status_code=204)
