from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from bellwork.org.schemas import MembershipOut


class LoginIn(BaseModel):
    login: str = Field(min_length=1, max_length=254, description="Phone, email or username.")
    password: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    id: int
    name: str
    username: str | None
    phone: str | None
    email: str | None
    is_admin: bool
    must_change_password: bool
    memberships: list[MembershipOut]
    managed_unit_ids: list[int]
    photo_url: str | None = Field(
        default=None, description="One's photo (头像); None: none (PersonDetail.photo_url)."
    )


class LoginOut(BaseModel):
    person: Me
    csrf_token: str


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class ResetRequest(BaseModel):
    login: str = Field(min_length=1, max_length=254, description="Username, phone or email")


class ResetAccepted(BaseModel):
    """The same whether or not the login names an account (nobody learns who has one)."""

    again_after_seconds: int = Field(description="A new code may be asked for after this")
    valid_minutes: int = Field(description="How long a code works")


class ResetConfirm(BaseModel):
    login: str = Field(min_length=1, max_length=254)
    code: str = Field(min_length=1, max_length=12)
    new_password: str = Field(min_length=1, max_length=200)


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown this once and never again.")


class LoggedOut(BaseModel):
    ended_sessions: int


class QrStarted(BaseModel):
    code: str = Field(description="Goes into the QR code, as the web client's URL /qr/<code>.")
    secret: str = Field(description="Kept by the asking browser only; it polls with it.")
    expires_at: datetime
    poll_seconds: int


class QrPollIn(BaseModel):
    secret: str = Field(min_length=1, max_length=64)


QrState = Literal["waiting", "scanned", "approved", "refused", "expired", "used"]


class QrPollOut(BaseModel):
    state: QrState
    login: LoginOut | None = Field(
        default=None, description="Once approved: the session (cookies are set too)."
    )


class QrRequestOut(BaseModel):
    """What the phone shows before approving: which browser asked, from where, when."""

    state: QrState
    user_agent: str | None
    address: str | None
    created_at: datetime
    expires_at: datetime
