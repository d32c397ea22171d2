"""One settings object, read from BELLWORK_* environment variables (and an optional .env file)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class JanusServerSetting(BaseModel):
    """One Janus server of `janus_servers` (docs/media.md, "Several servers")."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    url: str = Field(description="Its Janus API over HTTP: http://host:8088/janus")
    ws_url: str | None = Field(
        default=None,
        description=(
            "Its Janus API over a WebSocket (ws://host:8188), used instead of `url` for the "
            "Janus API when set (cheaper per request); the admin API stays on HTTP."
        ),
    )
    admin_url: str | None = Field(
        default=None, description="Its admin API: http://host:7088/admin (hangups need it)."
    )
    admin_secret: SecretStr | None = None
    admin_key: SecretStr | None = Field(
        default=None, description="The VideoRoom plugin's admin_key (rooms are created with it)."
    )


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

    voice_provider: Literal["outbox", "aliyun"] = Field(
        default="outbox",
        description="Who places voice calls (a DING read out by text-to-speech): `outbox` "
        "(none: admins see what would have been said) or `aliyun` (Alibaba Cloud Voice "
        "Messaging, 阿里云语音服务; docs/delivery.md).",
    )
    voice_access_key_id: str | None = Field(
        default=None,
        description="The AccessKey ID for voice calls; unset: the SMS one (`sms_access_key_id`).",
    )
    voice_access_key_secret: SecretStr | None = Field(
        default=None, description="Its secret; unset: `sms_access_key_secret`."
    )
    voice_tts_templates: dict[str, str] = Field(
        default_factory=dict,
        description="Approved text-to-speech template codes (TtsCode) by purpose, as JSON: "
        '{"default": "TTS_1"}; `default` serves every purpose without its own and gets the '
        "text as `${content}`.",
    )
    voice_show_number: str | None = Field(
        default=None,
        description="The number the called person sees (CalledShowNumber): needed in the "
        "dedicated mode, left out in the common one.",
    )
    voice_endpoint: str = Field(
        default="dyvmsapi.aliyuncs.com",
        description="The voice API's host, or http(s)://host:port (a test server).",
    )
    voice_timeout: float = Field(
        default=5.0, gt=0, le=60, description="Seconds to wait for the voice API's answer."
    )
    voice_check_after: int = Field(
        default=120,
        ge=5,
        le=3600,
        description="Seconds after placing a call to ask the provider whether it was answered "
        "(asked again, up to 5 times, while the call has no outcome yet).",
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
        if self.voice_provider == "aliyun":
            missing = []
            if not (self.voice_access_key_id or self.sms_access_key_id):
                missing.append("voice_access_key_id")
            if not (self.voice_access_key_secret or self.sms_access_key_secret):
                missing.append("voice_access_key_secret")
            if not self.voice_tts_templates:
                missing.append("voice_tts_templates")
            if missing:
                raise ValueError(f"voice_provider aliyun needs {', '.join(missing)}")
        return self

    vapid_private_key: SecretStr | None = Field(
        default=None,
        description="The Web Push (VAPID) private key: the P-256 key's 32 bytes in base64url, "
        "or a PEM. Unset: one is generated once per installation and kept in the database "
        "(docs/push.md). Changing it makes every browser subscribe again.",
    )
    vapid_subject: str | None = Field(
        default=None,
        description="Who push services may contact about this server's pushes (RFC 8292 `sub`): "
        "mailto:you@example.org or https://your.site. Unset: mailto: with the address of "
        "`mail_from`. Apple's push service refuses localhost addresses.",
    )
    push_hosts: str = Field(
        default="fcm.googleapis.com,*.push.services.mozilla.com,*.notify.windows.com,"
        "*.push.apple.com",
        description="Comma-separated push services a browser may subscribe with (hosts; "
        "`*.` for a domain's hosts; `*` for any). The server POSTs to these, so the list keeps "
        "it from being pointed at other machines. https only, except loopback test servers.",
    )

    @field_validator("vapid_subject")
    @classmethod
    def _vapid_subject(cls, value: str | None) -> str | None:
        if value and not value.startswith(("mailto:", "https://")):
            raise ValueError("vapid_subject must be a mailto: or https:// URL")
        return value or None

    push_timeout: float = Field(
        default=10.0,
        gt=0,
        le=60,
        description="Seconds to wait for a push service (FCM, Mozilla, Apple) to take one push; "
        "no database lock is held meanwhile (docs/push.md).",
    )

    # Media (docs/media.md): Janus servers for lessons, meetings and calls, and TURN.
    janus_servers: list[JanusServerSetting] = Field(
        default_factory=list,
        description="Janus servers Bellwork places rooms on, as JSON: "
        '[{"name": "sfu1", "url": "http://10.0.0.5:8088/janus", "admin_url": '
        '"http://10.0.0.5:7088/admin", "admin_secret": "…", "admin_key": "…"}]. '
        "Empty: the Janus that `bellwork serve` runs itself where it is installed "
        "(`janus_run`).",
    )
    janus_run: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="Whether `bellwork serve` runs and supervises a Janus of its own, with the "
        "config it writes into the data folder's janus/: `auto` when no `janus_servers` are "
        "listed and the `janus` program is installed; `always` also beside listed servers "
        "(it joins them as `local`); `never`.",
    )
    janus_binary: str = Field(
        default="janus", description="The Janus program `bellwork serve` runs (a name or path)."
    )
    janus_rtp_ports: str = Field(
        default="20000-40000",
        pattern=r"^\d{1,5}-\d{1,5}$",
        description="UDP ports the Janus Bellwork runs uses for media (open them to browsers).",
    )
    janus_ice_enforce_list: str | None = Field(
        default=None,
        description="Interfaces or addresses the Janus Bellwork runs offers to browsers "
        "(Janus's nat.ice_enforce_list, e.g. `eth0` or `10.0.0.5`). Unset: the address of the "
        "interface that holds the default route.",
    )
    janus_public_ip: str | None = Field(
        default=None,
        description="The public address of a Janus behind 1:1 NAT (a cloud VM's elastic IP; "
        "Janus's nat.nat_1_1_mapping).",
    )

    @field_validator("janus_servers")
    @classmethod
    def _janus_names(cls, value: list[JanusServerSetting]) -> list[JanusServerSetting]:
        names = [server.name for server in value]
        if len(set(names)) != len(names):
            raise ValueError("janus_servers: every server needs a name of its own")
        if "local" in names:
            raise ValueError("janus_servers: `local` names the Janus that Bellwork runs")
        return value

    turn_secret: SecretStr | None = Field(
        default=None,
        description="The TURN server's shared secret (coturn `static-auth-secret`): browsers get "
        "short-lived credentials made with it (TURN REST API). Unset: no TURN is handed out.",
    )
    turn_urls: str = Field(
        default="",
        description="Comma-separated TURN/STUN URLs browsers use, e.g. "
        "`turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349?transport=tcp`.",
    )
    turn_ttl: int = Field(
        default=86_400,
        ge=60,
        le=7 * 86_400,
        description="Seconds a TURN credential stays valid (a lesson that lasts longer keeps "
        "its allocation; new ones need a fresh credential).",
    )
    call_ring_seconds: int = Field(
        default=45,
        ge=5,
        le=300,
        description="Seconds a 1:1 call rings before it counts as missed (docs/calls.md).",
    )

    # attendance (issue 14)
    secret_key: SecretStr | None = Field(
        default=None,
        description="The key health passes are signed with (at least 32 characters; the same "
        "on every app node). Unset: one is made once and kept in the database.",
    )

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
