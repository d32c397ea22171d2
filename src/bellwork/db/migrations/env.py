"""Alembic environment: runs migrations on the URL given by bellwork.db.migrate (async engines)."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bellwork.db.engine import make_engine
from bellwork.db.models import Base

config = context.config
target_metadata = Base.metadata


def do_run_migrations(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Migrations rebuild tables on SQLite (a new table, the rows copied, the old one
        # dropped): with foreign keys on, dropping a table first deletes its rows and cascades
        # to everything that references them. The pragma only takes effect outside a
        # transaction, so it comes first; each migration that rebuilds checks it.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
        await connection.commit()
    await engine.dispose()


def run() -> None:
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())


run()
