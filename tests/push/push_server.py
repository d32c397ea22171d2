"""A local push service that speaks the Web Push protocol, for the push tests: the server's
real requests reach it over HTTP, as they would reach FCM or Mozilla's autopush.

- RFC 8030: a push is a POST to the subscription's endpoint with a `TTL` header (and
  optionally `Urgency`, `Topic`); the service answers 201 Created with a `Location` naming
  the push message. 404/410 mean the subscription is gone.
- RFC 8292 (VAPID): `Authorization: vapid t=<JWT>,k=<public key>`; the JWT is ES256-signed
  by the key `k`, its `aud` is the endpoint's origin, its `exp` lies within 24 hours, its
  `sub` is a mailto: or https: contact. Anything else: 401/403, as push services answer.
- RFC 8291 / RFC 8188 (aes128gcm): the body is decrypted with the browser's side of the
  subscription — the P-256 key pair and auth secret this server made in `subscribe`, as a
  browser makes them — written here from the RFCs, independently of the code under test.

Each push is recorded (`messages`); a test scripts the next answers: "ok", "500", "410",
"404", "429" or "hang" (no answer until `release()`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tests.chat.conftest import free_port


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


@dataclass
class Browser:
    """The browser's side of one subscription: its key pair and auth secret (RFC 8291)."""

    token: str
    key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        return b64(_point(self.key.public_key()))

    def decrypt(self, body: bytes) -> bytes:
        """RFC 8188 header (salt, rs, idlen, keyid = the sender's public key), then RFC 8291's
        key derivation and one aes128gcm record, its padding delimiter checked."""
        salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        sender = body[21 : 21 + idlen]
        record = body[21 + idlen :]
        if idlen != 65 or len(record) > rs or len(record) < 17:
            raise ValueError(f"bad aes128gcm header (idlen {idlen}, rs {rs})")
        ours = _point(self.key.public_key())
        shared = self.key.exchange(
            ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender)
        )
        ikm = _hkdf(self.auth, shared, b"WebPush: info\x00" + ours + sender, 32)
        cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
        nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
        plain = AESGCM(cek).decrypt(nonce, record, None)
        end = plain.rstrip(b"\x00")
        if not end.endswith(b"\x02"):
            raise ValueError("the last record's padding delimiter is not 0x02")
        return end[:-1]


@dataclass
class Pushed:
    token: str
    headers: dict[str, str]
    claims: dict[str, Any]
    payload: dict[str, Any]
    at: float


def check_vapid(header: str, origin: str) -> dict[str, Any]:
    """RFC 8292: the claims of a valid `vapid t=...,k=...` header for `origin`, else
    ValueError saying why."""
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError(f"scheme {scheme!r} is not vapid")
    params = dict(p.strip().split("=", 1) for p in rest.split(",") if "=" in p)
    token, k = params.get("t", ""), params.get("k", "")
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("t is not a JWT")
    head = json.loads(unb64(parts[0]))
    if head.get("alg") != "ES256":
        raise ValueError(f"alg {head.get('alg')!r} is not ES256")
    sig = unb64(parts[2])
    if len(sig) != 64:
        raise ValueError("the signature is not 64 bytes (r || s)")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(k))
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        public.verify(der, f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise ValueError("the JWT's signature does not verify with k") from exc
    claims: dict[str, Any] = json.loads(unb64(parts[1]))
    if claims.get("aud") != origin:
        raise ValueError(f"aud {claims.get('aud')!r} is not {origin!r}")
    exp = int(claims.get("exp", 0))
    if not time.time() < exp <= time.time() + 24 * 3600:
        raise ValueError("exp is not within the next 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise ValueError("sub is not a mailto: or https: contact")
    claims["k"] = k
    return claims


@dataclass
class PushServer:
    port: int = field(default_factory=free_port)
    browsers: dict[str, Browser] = field(default_factory=dict)
    messages: list[Pushed] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (token, answer given)
    script: list[str] = field(default_factory=list)  # next answers; then "ok"
    always: str | None = None  # answer every push so (overrides the script)
    hanging: asyncio.Event = field(default_factory=asyncio.Event)  # a push is being held
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    runner: web.AppRunner | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def subscribe(self) -> dict[str, Any]:
        """A new browser subscription, as `PushSubscription.toJSON()` gives it."""
        b = Browser(uuid.uuid4().hex, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.browsers[b.token] = b
        return {
            "endpoint": f"{self.origin}/push/{b.token}",
            "keys": {"p256dh": b.p256dh, "auth": b64(b.auth)},
        }

    def to(self, endpoint: str) -> list[Pushed]:
        token = endpoint.rsplit("/", 1)[1]
        return [m for m in self.messages if m.token == token]

    def release(self) -> None:
        self._release.set()

    async def _push(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        answer = self.always or (self.script.pop(0) if self.script else "ok")
        self.requests.append((token, answer))
        if answer == "hang":
            self.hanging.set()
            await self._release.wait()
            return web.Response(status=201)
        if answer in ("500", "410", "404", "429"):
            return web.Response(status=int(answer), text=f"scripted {answer}")
        browser = self.browsers.get(token)
        if browser is None:
            return web.Response(status=404, text="no such subscription")
        try:
            claims = check_vapid(request.headers.get("Authorization", ""), self.origin)
        except ValueError as exc:
            self.refused.append(str(exc))
            return web.Response(status=403, text=str(exc))
        ttl = request.headers.get("TTL", "")
        if not ttl.isdigit():
            self.refused.append("no TTL")
            return web.Response(status=400, text="TTL header required")
        if request.headers.get("Content-Encoding") != "aes128gcm":
            self.refused.append("not aes128gcm")
            return web.Response(status=415)
        body = await request.read()
        try:
            plain = browser.decrypt(body)
        except (InvalidTag, ValueError) as exc:
            self.refused.append(f"cannot decrypt: {exc!r}")
            return web.Response(status=400, text="cannot decrypt")
        self.messages.append(
            Pushed(token, dict(request.headers), claims, json.loads(plain), time.time())
        )
        return web.Response(
            status=201, headers={"Location": f"{self.origin}/message/{uuid.uuid4().hex}"}
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/push/{token}", self._push)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        self.release()
        if self.runner is not None:
            await self.runner.cleanup()
