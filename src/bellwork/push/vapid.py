"""The installation's VAPID key (RFC 8292): the public half is what browsers subscribe with
(`applicationServerKey`), the private half signs the JWT every push carries, so a push
service accepts pushes to a subscription only from the server it was made for.

- `BELLWORK_VAPID_PRIVATE_KEY` (32 bytes base64url, or a PEM) wins when set: several
  installations, or a key kept in a secrets manager.
- Otherwise one key pair is generated the first time it is needed and kept in the database
  (`push_vapid_key`, one row), so every app node and worker signs with the same key and a
  restart changes nothing. Two nodes making it at once: the first insert wins, both read it.

Changing the key orphans every subscription (push services refuse the new signature for
them: 403); browsers subscribe again the next time the web client opens (docs/push.md).
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.config import Settings
from bellwork.db.base import utcnow
from bellwork.db.dialect import dialect_insert
from bellwork.push.models import VapidKey

KEY_ID = 1
TOKEN_SECONDS = 12 * 3600  # a JWT's lifetime: RFC 8292 allows at most 24 hours


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Keys:
    private: ec.EllipticCurvePrivateKey
    public: str  # the uncompressed point, base64url: the browser's applicationServerKey

    def header(self, endpoint: str, subject: str, now: float | None = None) -> str:
        """The `Authorization: vapid t=<JWT>,k=<public key>` header for a push to `endpoint`:
        `aud` its origin, `exp` 12 hours ahead, `sub` the contact."""
        parts = urlsplit(endpoint)
        claims = {
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": int((now if now is not None else time.time()) + TOKEN_SECONDS),
            "sub": subject,
        }
        vapid = Vapid02()
        vapid.private_key = self.private
        return str(vapid.sign(claims)["Authorization"])


def _from_private(private: ec.EllipticCurvePrivateKey) -> Keys:
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return Keys(private, b64url(point))


def parse_private(text: str) -> Keys:
    """A private key as configured: a PEM, or the 32-byte scalar in base64url."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError("the VAPID key must be a P-256 (prime256v1) EC key")
        return _from_private(key)
    raw = unb64url(text)
    if len(raw) != 32:
        raise ValueError("the VAPID key must be 32 bytes in base64url, or a PEM")
    return _from_private(ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1()))


def generate() -> tuple[str, str]:
    """A new key pair: (private 32 bytes, public 65 bytes), both base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(raw), _from_private(key).public


def subject(settings: Settings) -> str:
    """RFC 8292's `sub`: the configured contact, or mailto: the address mail comes from."""
    if settings.vapid_subject:
        return settings.vapid_subject
    address = parseaddr(settings.mail_from)[1] or "no-reply@localhost"
    return f"mailto:{address}"


async def stored(db: AsyncSession) -> Keys | None:
    row = await db.get(VapidKey, KEY_ID)
    return parse_private(row.private_key) if row is not None else None


async def keys(db: AsyncSession, settings: Settings) -> Keys:
    """The key pair to sign with: the configured one, or the installation's (made now, in
    `db`'s transaction, if there is none yet: call it where writing is allowed)."""
    if settings.vapid_private_key is not None:
        return parse_private(settings.vapid_private_key.get_secret_value())
    found = await stored(db)
    if found is not None:
        return found
    private, public = generate()
    await db.execute(
        dialect_insert(db, VapidKey)
        .values(id=KEY_ID, private_key=private, public_key=public, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["id"])
    )
    row = (await db.execute(select(VapidKey).where(VapidKey.id == KEY_ID))).scalar_one()
    return parse_private(row.private_key)
