"""The VAPID key (push/vapid.py): a configured key wins over the stored one, as a PEM or as
its 32 bytes; the JWT it signs is what the local push service accepts."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr, ValidationError

from bellwork.config import Settings
from bellwork.push import vapid
from tests.conftest import World
from tests.push.push_server import check_vapid

KEY = ec.generate_private_key(ec.SECP256R1())
RAW = base64.urlsafe_b64encode(KEY.private_numbers().private_value.to_bytes(32, "big"))
PUBLIC = base64.urlsafe_b64encode(
    KEY.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
).rstrip(b"=")


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "vapid_private_key": SecretStr(RAW.decode().rstrip("=")),
            "vapid_subject": "https://school.example.cn",
        }
    )


async def test_a_configured_key_is_the_one_browsers_get(world: World, app: Any) -> None:
    p = await world.person("张老师", username="zhang")
    c = await world.login(p)
    r = await c.get("/api/v1/push/key")
    assert r.json()["public_key"] == PUBLIC.decode()
    async with app.state.sessionmaker() as s:
        assert await vapid.stored(s) is None  # nothing generated


def test_pem_and_raw_keys_are_the_same_key_and_sign_valid_tokens() -> None:
    pem = KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    a, b = vapid.parse_private(pem), vapid.parse_private(RAW.decode())
    assert a.public == b.public == PUBLIC.decode()
    header = a.header("https://fcm.googleapis.com/fcm/send/abc", "mailto:ops@school.example.cn")
    claims = check_vapid(header, "https://fcm.googleapis.com")
    assert claims["sub"] == "mailto:ops@school.example.cn" and claims["k"] == a.public
    with pytest.raises(ValueError):
        vapid.parse_private("not a key")
    with pytest.raises(ValidationError):
        Settings(vapid_subject="ops@school.example.cn")
    assert vapid.subject(Settings(mail_from="学校 <noreply@school.example.cn>")) == (
        "mailto:noreply@school.example.cn"
    )
