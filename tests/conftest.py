"""Test fixtures: a real database per run (SQLite file or PostgreSQL), the ASGI app, people.

Pick the backend with `--db=postgres` or BELLWORK_TEST_DB=postgres (default sqlite). PostgreSQL
tests create their own database `bellwork_test_<pid>` on 127.0.0.1:5432 and drop it afterwards.
Every test starts from empty tables.

Files go to the data folder's files/ unless `--files=s3` or BELLWORK_TEST_FILES=s3: then to a
local S3 server (tests/s3server.py), a fresh prefix per test. A module parametrises
`files_backend` to run on both in every run (tests/chat/test_files.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

os.environ.setdefault("BELLWORK_ARGON2_TIME_COST", "1")
os.environ.setdefault("BELLWORK_ARGON2_MEMORY_KIB", "1024")
# Test apps run no Janus of their own (tests/media start the ones they need).
os.environ.setdefault("BELLWORK_JANUS_RUN", "never")

from bellwork.app import create_app
from bellwork.auth.passwords import hash_password_sync
from bellwork.config import Settings, get_settings
from bellwork.core.caches import forget_all as forget_caches
from bellwork.db.base import Base
from bellwork.db.engine import make_engine
from bellwork.db.migrate import upgrade
from bellwork.db.models import Base as _AllModels  # noqa: F401
from bellwork.org.models import Membership, Person, Unit
from bellwork.org.search import search_keys

PG_ADMIN_DSN = os.environ.get("BELLWORK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "correct-horse-9"


def insert_before(model: Any, *later: str) -> Any:
    """An INSERT into `model`'s table for a migration test that writes rows at an older schema:
    the columns added by later migrations (`later`) are left out, Python-side defaults and all
    (the model's own table would fill them in, and the old table has no such column)."""
    cols = []
    for c in model.__table__.columns:
        if c.name in later:
            continue
        default = c.default.arg if c.default is not None else None  # type: ignore[attr-defined]
        cols.append(sa.Column(c.name, c.type, primary_key=c.primary_key, default=default))
    return sa.Table(model.__tablename__, sa.MetaData(), *cols).insert()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("BELLWORK_TEST_DB", "sqlite"),
        choices=["sqlite", "postgres"],
        help="database backend for the tests",
    )
    parser.addoption(
        "--files",
        default=os.environ.get("BELLWORK_TEST_FILES", "local"),
        choices=["local", "s3"],
        help="where the app keeps files: the data folder, or a local S3 server",
    )


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "bellwork.sqlite3"
        yield f"sqlite+aiosqlite:///{path}"
        return
    import asyncio

    import asyncpg

    name = f"bellwork_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    host = PG_ADMIN_DSN.split("://", 1)[1].rsplit("/", 1)[0]
    yield f"postgresql+asyncpg://{host}/{name}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("data")
    os.environ["BELLWORK_DATABASE_URL"] = database_url
    os.environ["BELLWORK_DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[Any]:
    """A local S3-compatible server, started by the first test that needs one."""
    from tests.s3server import S3Server

    server = S3Server()
    yield server
    server.stop()


@pytest.fixture
def files_backend(request: pytest.FixtureRequest) -> str:
    """Where the app keeps files, "local" or "s3"; parametrise it to run a test on both."""
    return str(request.config.getoption("--files"))


@pytest.fixture
def app_settings(
    settings: Settings, files_backend: str, request: pytest.FixtureRequest
) -> Settings:
    """The settings the test's app runs with: `settings`, its files where `files_backend` says."""
    if files_backend == "local":
        return settings
    server = request.getfixturevalue("s3_server")
    env = server.env(server.url())
    return settings.model_copy(
        update={
            "files_url": env["BELLWORK_FILES_URL"],
            "files_access_key_id": env["BELLWORK_FILES_ACCESS_KEY_ID"],
            "files_secret_access_key": SecretStr(env["BELLWORK_FILES_SECRET_ACCESS_KEY"]),
        }
    )


@pytest.fixture(scope="session")
async def migrated(settings: Settings) -> str:
    await upgrade(settings.effective_database_url)
    return settings.effective_database_url


async def _wipe(url: str) -> None:
    engine = make_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as conn:
        if url.startswith("postgresql"):
            # DELETE, children first, and every sequence back to 1: what TRUNCATE .. RESTART
            # IDENTITY does, without its new file per table (100 ms a test, 20 ms this way).
            raw = (await conn.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.execute(  # one round trip: asyncpg runs a simple query's statements
                "; ".join(f"DELETE FROM {name}" for name in tables)
                + "; SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S'"
            )
        else:
            await conn.execute(text("PRAGMA defer_foreign_keys=ON"))
            for name in tables:
                await conn.execute(text(f"DELETE FROM {name}"))
    await engine.dispose()


@pytest.fixture
async def app(migrated: str, app_settings: Settings) -> AsyncIterator[Any]:
    await _wipe(migrated)
    # Ids start again in a wiped database: what a process cached by id names other rows now.
    forget_caches()
    application = create_app(app_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def db(app: Any) -> AsyncIterator[AsyncSession]:
    """A session for arranging data directly; committed by `World.commit()`."""
    async with app.state.sessionmaker() as session:
        yield session


def make_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"accept-language": "en"},
    )


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as c:
        yield c


_PW_HASH: dict[str, str] = {}


@dataclass
class World:
    """Builds an organisation for a test and logs people in."""

    app: Any
    db: AsyncSession

    async def unit(self, name: str, kind: str = "school", parent: Unit | None = None) -> Unit:
        u = Unit(
            name=name,
            kind=kind,
            parent_id=parent.id if parent else None,
            depth=(parent.depth + 1) if parent else 0,
            path=f"/tmp-{uuid.uuid4().hex}/",
        )
        self.db.add(u)
        await self.db.flush()
        u.path = f"{parent.path if parent else '/'}{u.id}/"
        await self.db.flush()
        return u

    async def person(
        self, name: str, *roles: tuple[Unit, str], password: str | None = PASSWORD, **fields: Any
    ) -> Person:
        if password is not None and password not in _PW_HASH:
            _PW_HASH[password] = hash_password_sync(password)
        p = Person(name=name, password_hash=_PW_HASH[password] if password else None, **fields)
        self.db.add(p)
        await self.db.flush()
        for unit, role in roles:
            self.db.add(Membership(person_id=p.id, unit_id=unit.id, role=role))
        from bellwork.org.models import PersonSearchKey

        keys = search_keys(p.name, p.phone, p.student_number, p.username, p.email)
        for k, rank in keys.items():
            self.db.add(PersonSearchKey(person_id=p.id, key=k, rank=rank))
        await self.db.flush()
        return p

    async def guardian(
        self, name: str, student: Person, unit: Unit, relation: str = "母亲", **fields: Any
    ) -> Person:
        from bellwork.org.models import GuardianLink

        g = await self.person(name, (unit, "guardian"), **fields)
        self.db.add(GuardianLink(guardian_id=g.id, student_id=student.id, relation=relation))
        await self.db.flush()
        return g

    async def commit(self) -> None:
        await self.db.commit()

    async def login(self, person: Person, password: str = PASSWORD) -> httpx.AsyncClient:
        """A client logged in as `person` by the real login endpoint (cookie + CSRF header)."""
        await self.db.commit()
        c = make_client(self.app)
        login = person.username or person.phone or person.email
        r = await c.post("/api/v1/auth/login", json={"login": login, "password": password})
        assert r.status_code == 200, r.text
        c.headers["x-csrf-token"] = r.json()["csrf_token"]
        return c


@pytest.fixture
async def world(app: Any, db: AsyncSession) -> World:
    return World(app=app, db=db)


@pytest.fixture
def data_dir(settings: Settings) -> Path:
    return settings.data_dir
