from __future__ import annotations

from datetime import datetime

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


class LoginOut(BaseModel):
    person: Me
    csrf_token: str


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
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
