"""Typed dependencies: the request's database session and who is calling.

Endpoints declare who may call them in their signature:
    async def handler(db: DB, actor: CurrentActor) -> ...
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth import service as auth
from bellwork.auth.service import Actor
from bellwork.core.context import current_address
from bellwork.core.errors import Problem
from bellwork.db.session import writing
from bellwork.org.access import Scope, load_scope
from bellwork.runtime import Runtime

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


# Logging in hashes a password (tens of ms) before it writes; it does not queue for the gate.
UNGATED = {"/api/v1/auth/login"}


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, committed after the handler returns, rolled back on error.
    Requests that change things queue for the SQLite write gate (None on PostgreSQL)."""
    runtime: Runtime = request.app.state.runtime
    gate = runtime.write_gate
    if request.method in SAFE_METHODS or request.url.path in UNGATED:
        gate = None
    async with writing(runtime.sessionmaker, gate) as session:
        # A runtime session: events raised during the request go out on its bus after commit.
        yield session


# scope="function": the transaction commits before the answer is sent (FastAPI otherwise
# runs the code after `yield` once the response is out, so a client could see success before
# the commit, or for a commit that then fails).
DB = Annotated[AsyncSession, Depends(get_db, scope="function")]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _actor(request: Request, db: DB) -> Actor:
    address = client_address(request)
    current_address.set(address)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = await auth.resolve_token(db, header[7:].strip())
        if found is None:
            raise Problem("not_authenticated", 401, headers={"WWW-Authenticate": "Bearer"})
        token, person = found
        return Actor(person=person, token=token, address=address)
    cookie = request.cookies.get(auth.SESSION_COOKIE)
    if not cookie:
        raise Problem("not_authenticated", 401)
    found_s = await auth.resolve_session(db, cookie)
    if found_s is None:
        raise Problem("not_authenticated", 401)
    session, person = found_s
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise Problem("csrf_failed", 403)
    return Actor(person=person, session=session, address=address)


async def any_actor(request: Request, db: DB) -> Actor:
    """Logged in, possibly still owing a password change (for /auth endpoints)."""
    return await _actor(request, db)


async def ready_actor(request: Request, db: DB) -> Actor:
    """Logged in and not required to change the password first."""
    actor = await _actor(request, db)
    auth.require_password_changed(actor)
    return actor


AnyActor = Annotated[Actor, Depends(any_actor)]
CurrentActor = Annotated[Actor, Depends(ready_actor)]


async def get_scope(db: DB, actor: CurrentActor) -> Scope:
    return await load_scope(db, actor)


CurrentScope = Annotated[Scope, Depends(get_scope)]
