"""Web sessions, personal API tokens and the failed-login record used for throttling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow


class WebSession(Base):
    """A browser session. The cookie holds a random secret; only its SHA-256 is stored."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    user_agent: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(64))


class ApiToken(Base):
    """A personal token for scripts: `bw_<prefix>_<secret>`; shown once, stored as SHA-256."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginFailure(Base):
    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_account_at", "account", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class QrLogin(Base):
    """A desktop asking to be logged in by a phone that already is (扫码登录).

    The QR code carries `code` (anyone who sees the screen may read it); only the desktop that
    asked knows `secret`, and only it can take the session once a signed-in person approves.
    Both are stored as SHA-256. A request lives for `QR_SECONDS` and gives one session.
    """

    __tablename__ = "qr_login"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    user_agent: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="CASCADE")
    )
    scanned_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    refused_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]


class PasswordReset(Base):
    """找回密码: a code sent to a person's phone or email (auth/recovery.py). Only its hash is
    kept; it works once, for 10 minutes, for 5 tries."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
