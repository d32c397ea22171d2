"""One settings object, read from BELLWORK_* environment variables (and an optional .env file)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BELLWORK_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"),
        description="Folder for the SQLite database and uploaded files (created if missing).",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL. Unset: a SQLite file in the data folder. "
            "PostgreSQL: postgresql+asyncpg://user@host/db"
        ),
    )
    redis_url: str | None = Field(
        default=None, description="redis://host:port/0 to share events between app nodes."
    )
    redis_channel: str = Field(
        default="bellwork:events",
        description="Redis pub/sub channel shared by the app nodes of one installation.",
    )
    files_url: str | None = Field(
        default=None,
        description="Where uploaded files are kept. Unset: the data folder's files/. "
        "s3://bucket/prefix?endpoint=https://host:9000&region=R for an S3-compatible store "
        "shared by all app nodes; file:///path for another folder (docs/configuration.md).",
    )
    files_access_key_id: str | None = Field(
        default=None,
        description="Access key for the files bucket. Unset: AWS_ACCESS_KEY_ID, instance roles.",
    )
    files_secret_access_key: SecretStr | None = Field(
        default=None, description="Secret key for the files bucket (never logged)."
    )

    @field_validator("files_url")
    @classmethod
    def _files_url(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        from bellwork.files.location import parse

        parse(value)  # BadFilesUrl (a ValueError) says what is wrong
        return value.strip()

    host: str = Field(default="127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(default=8000, description="Port `serve` listens on.")
    cookie_secure: bool = Field(
        default=False, description="Mark session cookies Secure (set it when served over HTTPS)."
    )
    session_days: int = Field(default=30, description="Days a web session lasts without use.")
    ws_ping_seconds: float = Field(
        default=30.0,
        ge=5,
        le=300,
        description="Seconds between the server's WebSocket pings. They keep proxies and NATs "
        "from closing idle sockets (30 s is under the 60 s idle timeout of common proxies) and "
        "find dead clients, dropped 20 s after a ping goes unanswered.",
    )
    metrics_token: str | None = Field(
        default=None,
        description="Bearer token that opens GET /metrics from anywhere (e.g. a Prometheus "
        "scraping through a reverse proxy). Unset: only the networks in metrics_allow.",
    )
    metrics_allow: str = Field(
        default="127.0.0.0/8,::1/128",
        description="Comma-separated networks that may read GET /metrics without the token "
        "(requests that came through a proxy never count as local); empty: none.",
    )

    @field_validator("metrics_allow")
    @classmethod
    def _networks(cls, value: str) -> str:
        for network in filter(None, (n.strip() for n in value.split(","))):
            ipaddress.ip_network(network, strict=False)  # ValueError names the bad one
        return value

    smtp_url: str | None = Field(
        default=None,
        description="Where email goes: smtp://user:password@host:port (STARTTLS when the "
        "server offers it), smtps://… for TLS from the start. Unset: email is kept in the "
        "outbox, where admins see what would have been sent (docs/delivery.md).",
    )
    mail_from: str = Field(
        default="Bellwork <no-reply@localhost>", description="The From of the email Bellwork sends."
    )
    sms_provider: Literal["outbox", "aliyun"] = Field(
        default="outbox",
        description="Who sends text messages: `outbox` (none: admins see what would have "
        "been sent) or `aliyun` (Alibaba Cloud SMS, 阿里云短信服务; docs/delivery.md).",
    )
    sms_access_key_id: str | None = Field(
        default=None, description="The AccessKey ID of the SMS provider's account (a RAM user)."
    )
    sms_access_key_secret: SecretStr | None = Field(
        default=None, description="The AccessKey secret that goes with `sms_access_key_id`."
    )
    sms_sign_name: str | None = Field(
        default=None,
        description="The approved signature (签名) every text message carries, e.g. 实验小学.",
    )
    sms_templates: dict[str, str] = Field(
        default_factory=dict,
        description="Approved template codes by purpose, as JSON: "
        '{"password_reset": "SMS_1", "default": "SMS_2"}. `default` serves every purpose '
        'without a template of its own (docs/delivery.md, "Templates").',
    )
    sms_endpoint: str = Field(
        default="dysmsapi.aliyuncs.com",
        description="The SMS API's host, or http(s)://host:port to point it elsewhere "
        "(a regional endpoint, a test server).",
    )
    sms_timeout: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Seconds to wait for the SMS provider's answer (a send job holds SQLite's "
        "write gate meanwhile; SendSms answers in well under a second).",
    )

    @model_validator(mode="after")
    def _sms_provider_complete(self) -> Settings:
        if self.sms_provider == "aliyun":
            missing = [
                name
                for name in ("sms_access_key_id", "sms_access_key_secret", "sms_sign_name")
                if not getattr(self, name)
            ]
            if not self.sms_templates:
                missing.append("sms_templates")
            if missing:
                raise ValueError(f"sms_provider aliyun needs {', '.join(missing)}")
        return self

    login_max_failures_account: int = Field(
        default=5, description="Failed logins for one account within the window before refusing."
    )
    login_max_failures_address: int = Field(
        default=20, description="Failed logins from one address within the window before refusing."
    )
    login_window_seconds: int = Field(default=900, description="Throttling window in seconds.")
    import_max_bytes: int = Field(default=20 * 1024 * 1024, description="Largest import file.")
    jobs_embedded: bool = Field(
        default=True,
        description="`bellwork serve` runs jobs itself. Set false when `bellwork worker` "
        "processes run them.",
    )
    jobs_concurrency: int = Field(
        default=4, ge=1, le=256, description="Jobs one runner (a node or a worker) runs at once."
    )
    jobs_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="Longest a runner sleeps before looking for jobs that other processes "
        "enqueued (those of its own process wake it at once).",
    )
    jobs_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a claimed job stays with its runner without being finished before "
        "another runner may take it (a worker that died).",
    )
    jobs_timeout_seconds: float = Field(
        default=300.0, gt=0, description="Longest one job may run before it counts as failed."
    )
    jobs_keep_days: int = Field(
        default=7, ge=1, description="Days finished jobs stay visible before they are deleted."
    )
    jobs_modules: str = Field(
        default="",
        description="Comma-separated extra Python modules imported at start that register job "
        "handlers (plugins).",
    )
    argon2_time_cost: int = Field(default=2, description="argon2id time cost.")
    argon2_memory_kib: int = Field(default=19456, description="argon2id memory cost in KiB.")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'bellwork.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
