"""找回密码 (issue 10, item 12) over the delivery log (issue 11, item 4): a code by text message
(kept in the outbox without an SMS provider) or by email through a real SMTP server (aiosmtpd);
the code works once, for 10 minutes, for 5 tries; nobody learns who has an account."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from bellwork.config import Settings
from bellwork.delivery.models import Delivery
from bellwork.jobs.models import QUEUED, RUNNING, Job
from bellwork.jobs.runner import run_due
from tests.chat.conftest import free_port
from tests.conftest import World, make_client

NEW = "a-fresh-password-2026"


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def app_settings(settings: Settings, smtp: tuple[Inbox, int]) -> Settings:
    """The test's app sends email to the local SMTP server."""
    return settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{smtp[1]}"})


async def deliveries(world: World) -> list[Delivery]:
    """The delivery log once every send that is due has run (here, or by the app's own runner,
    which may have claimed one a moment ago)."""
    for _ in range(100):
        await run_due(world.app.state.runtime, clock=lambda: datetime.now(UTC))
        async with world.app.state.sessionmaker() as s:
            busy = await s.scalar(
                select(func.count())
                .select_from(Job)
                .where(
                    Job.kind == "delivery.send",
                    Job.state.in_((QUEUED, RUNNING)),
                    Job.run_at <= datetime.now(UTC),
                )
            )
            if not busy:
                return list((await s.execute(select(Delivery).order_by(Delivery.id))).scalars())
        await asyncio.sleep(0.05)
    raise AssertionError("delivery jobs still running after 5 s")


def code_in(text: str) -> str:
    m = re.search(r"\b(\d{6})\b", text)
    assert m, text
    return m.group(1)


async def test_a_code_by_text_message_sets_a_new_password(world: World) -> None:
    school = await world.unit("实验小学")
    person = await world.person("李老师", (school, "teacher"), phone="13800000001")
    admin = await world.person("管理员", username="admin", is_admin=True)
    await world.commit()
    old_session = await world.login(person)
    c = make_client(world.app)
    c.headers["accept-language"] = "zh-CN"

    r = await c.post("/api/v1/auth/password-reset", json={"login": "138 0000 0001"})
    assert r.status_code == 202
    (sent,) = await deliveries(world)
    assert (sent.channel, sent.address, sent.status, sent.provider) == (
        "sms",
        "13800000001",
        "outbox",
        "outbox",
    )
    assert sent.body.startswith("【Bellwork】你的找回密码验证码为")
    code = code_in(sent.body)

    # Admins read the outbox; nobody else does.
    a = await world.login(admin)
    log = (await a.get("/api/v1/deliveries", params={"status": "outbox"})).json()["items"]
    assert [d["body"] for d in log] == [sent.body]
    assert (await old_session.get("/api/v1/deliveries")).status_code == 403

    # Again at once: refused with the wait; nothing sent.
    r = await c.post("/api/v1/auth/password-reset", json={"login": "13800000001"})
    assert r.status_code == 429
    assert r.headers["retry-after"]
    assert "秒后再试" in r.json()["title"]

    # A weak password is refused and the code still works; a wrong code counts.
    r = await c.post(
        "/api/v1/auth/password-reset/confirm",
        json={"login": "13800000001", "code": code, "new_password": "short"},
    )
    assert (r.status_code, r.json()["code"]) == (422, "weak_password")
    wrong = "000000" if code != "000000" else "111111"
    r = await c.post(
        "/api/v1/auth/password-reset/confirm",
        json={"login": "13800000001", "code": wrong, "new_password": NEW},
    )
    assert (r.status_code, r.json()["code"]) == (422, "reset_code_invalid")
    assert r.json()["title"] == "验证码错误或已过期，请重新获取。"

    r = await c.post(
        "/api/v1/auth/password-reset/confirm",
        json={"login": "13800000001", "code": code, "new_password": NEW},
    )
    assert r.status_code == 204
    # Every session ended; the new password works; the code does not work twice.
    assert (await old_session.get("/api/v1/auth/me")).status_code == 401
    ok = await c.post("/api/v1/auth/login", json={"login": "13800000001", "password": NEW})
    assert ok.status_code == 200
    r = await c.post(
        "/api/v1/auth/password-reset/confirm",
        json={"login": "13800000001", "code": code, "new_password": NEW + "x"},
    )
    assert r.status_code == 422
    audit = (await a.get("/api/v1/audit", params={"action": "person.password_recover"})).json()
    assert len(audit["items"]) == 1


async def test_five_wrong_codes_use_it_up(world: World) -> None:
    school = await world.unit("实验小学")
    await world.person("李老师", (school, "teacher"), phone="13800000002")
    await world.commit()
    c = make_client(world.app)
    await c.post("/api/v1/auth/password-reset", json={"login": "13800000002"})
    code = code_in((await deliveries(world))[0].body)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        r = await c.post(
            "/api/v1/auth/password-reset/confirm",
            json={"login": "13800000002", "code": wrong, "new_password": NEW},
        )
        assert r.status_code == 422
    r = await c.post(
        "/api/v1/auth/password-reset/confirm",
        json={"login": "13800000002", "code": code, "new_password": NEW},
    )
    assert (r.status_code, r.json()["code"]) == (422, "reset_code_invalid")


async def test_by_email_through_smtp_and_nobody_learns_who_exists(
    world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    school = await world.unit("实验小学")
    await world.person(
        "王老师", (school, "teacher"), phone="13800000003", email="wang@school.example"
    )
    await world.person("没有联系方式", (school, "teacher"), username="nocontact")
    await world.commit()
    c = make_client(world.app)
    # The email typed: the code goes there (not to the phone), in the reader's language.
    r = await c.post("/api/v1/auth/password-reset", json={"login": "Wang@School.example"})
    assert r.status_code == 202
    (sent,) = await deliveries(world)
    assert (sent.channel, sent.status, sent.provider) == ("email", "sent", "smtp")
    (mail,) = inbox.messages
    assert mail["To"] == "wang@school.example"
    assert mail["Subject"] == "Your Bellwork code"
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert code_in(body) == code_in(sent.body)

    # Unknown, deactivated or unreachable accounts: the same answer, nothing sent.
    for login in ("nobody@nowhere.example", "19999999999", "nocontact"):
        r = await c.post("/api/v1/auth/password-reset", json={"login": login})
        assert r.status_code == 202
    assert len(await deliveries(world)) == 1
    r = await c.post(
        "/api/v1/auth/password-reset/confirm",
        json={"login": "nobody@nowhere.example", "code": "123456", "new_password": NEW},
    )
    assert (r.status_code, r.json()["code"]) == (422, "reset_code_invalid")


async def test_a_failing_mail_server_is_retried_then_given_up(
    world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    inbox.refuse = True
    school = await world.unit("实验小学")
    await world.person("王老师", (school, "teacher"), email="wang@school.example")
    await world.commit()
    c = make_client(world.app)
    await c.post("/api/v1/auth/password-reset", json={"login": "wang@school.example"})
    (refused,) = await deliveries(world)
    # 550: the server will not take it; trying again would not help.
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert refused.error is not None and "550" in refused.error
    assert inbox.messages == []


async def test_an_unreachable_mail_server_is_tried_again_later(
    world: World, app_settings: Settings
) -> None:
    # Nothing listens there now: each try fails, the delivery says why and waits.
    world.app.state.runtime.settings = app_settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"}
    )
    school = await world.unit("实验小学")
    await world.person("王老师", (school, "teacher"), email="wang@school.example")
    await world.commit()
    c = make_client(world.app)
    await c.post("/api/v1/auth/password-reset", json={"login": "wang@school.example"})
    (d,) = await deliveries(world)
    assert (d.status, d.attempts) == ("queued", 1)
    assert d.error and "Connect" in d.error
    # Later tries, each after its backoff; the fifth failure is the last.
    at = datetime.now(UTC)
    for minutes in (1, 3, 11, 43):
        at += timedelta(minutes=minutes)
        await run_due(world.app.state.runtime, clock=lambda t=at: t)
    async with world.app.state.sessionmaker() as s:
        d = (await s.execute(select(Delivery))).scalar_one()
    assert (d.status, d.attempts) == ("failed", 5)
