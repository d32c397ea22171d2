"""The `bellwork` command: serve, migrate, demo data, admins and imports."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import click

from bellwork.config import Settings, get_settings

ENV_HELP = (
    "Configuration comes from environment variables: BELLWORK_DATA_DIR (default ./data), "
    "BELLWORK_DATABASE_URL (default: SQLite in the data folder; "
    "postgresql+asyncpg://user@host/db for PostgreSQL), BELLWORK_REDIS_URL, BELLWORK_HOST, "
    "BELLWORK_PORT, BELLWORK_COOKIE_SECURE. See docs/configuration.md."
)


@click.group(help="Bellwork: a self-hostable digital workplace and online school.\n\n" + ENV_HELP)
def main() -> None:
    from bellwork.core.i18n import current_locale, pick_locale

    # Messages follow the operator's locale (LANG=en_US.UTF-8 → English; default Chinese).
    lang = os.environ.get("BELLWORK_LANG") or os.environ.get("LANG", "").replace("_", "-")
    current_locale.set(pick_locale(lang))


def _apply_overrides(data_dir: str | None, database_url: str | None) -> Settings:
    if data_dir:
        os.environ["BELLWORK_DATA_DIR"] = data_dir
    if database_url:
        os.environ["BELLWORK_DATABASE_URL"] = database_url
    get_settings.cache_clear()
    return get_settings()


data_dir_opt = click.option(
    "--data-dir",
    envvar="BELLWORK_DATA_DIR",
    default=None,
    help="Folder for the SQLite database and files [env BELLWORK_DATA_DIR; default ./data].",
)
db_opt = click.option(
    "--database-url",
    envvar="BELLWORK_DATABASE_URL",
    default=None,
    help="Database URL [env BELLWORK_DATABASE_URL; default SQLite in the data folder].",
)


@main.command(epilog=ENV_HELP)
@click.option(
    "--host",
    envvar="BELLWORK_HOST",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on [env BELLWORK_HOST].",
)
@click.option(
    "--port",
    envvar="BELLWORK_PORT",
    default=8000,
    show_default=True,
    type=int,
    help="Port to listen on [env BELLWORK_PORT].",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Load the demo organisation (a bureau, two schools, a company) if empty.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="Worker processes (PostgreSQL recommended for more than one).",
)
@data_dir_opt
@db_opt
def serve(
    host: str, port: int, demo: bool, workers: int, data_dir: str | None, database_url: str | None
) -> None:
    """Migrate the database and serve Bellwork over HTTP."""
    import uvicorn

    started = time.perf_counter()
    settings = _apply_overrides(data_dir, database_url)
    if workers > 1 and not settings.redis_url:
        raise click.UsageError(
            "Several workers share real-time events through Redis: set BELLWORK_REDIS_URL "
            "(and preferably BELLWORK_DATABASE_URL to PostgreSQL)."
        )
    asyncio.run(_prepare(settings, demo))
    url = f"http://{host}:{port}"
    click.echo(f"Bellwork is starting at {url}  (database: {_describe(settings)})")
    click.echo(f"API docs: {url}/api/docs")
    click.echo(_describe_media(settings))
    ready = time.perf_counter() - started
    click.echo(f"Prepared in {ready:.2f}s.")
    uvicorn.run(
        "bellwork.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
        ws="websockets-sansio",
        ws_max_size=1 << 20,
        ws_per_message_deflate=False,
        ws_ping_interval=settings.ws_ping_seconds,
        ws_ping_timeout=20.0,
    )


def _describe(settings: Settings) -> str:
    if settings.is_sqlite:
        return str((settings.data_dir / "bellwork.sqlite3").resolve())
    url = settings.effective_database_url
    return url.split("@")[-1] if "@" in url else url


def _describe_media(settings: Settings) -> str:
    """One line on the media server of lessons, meetings and calls (docs/media.md)."""
    from bellwork.media.local import folder
    from bellwork.media.supervisor import wanted

    own = wanted(settings)
    listed = len(settings.janus_servers)
    if own:
        extra = f", beside {listed} listed" if listed else ""
        where = folder(settings.data_dir)
        return f"Media: Bellwork runs Janus ({own}{extra}); its config is in {where}"
    if listed:
        return f"Media: {listed} Janus server(s) listed in BELLWORK_JANUS_SERVERS"
    return (
        "Media: no Janus installed or listed; live lessons, meetings and calls are off "
        "(docs/media.md)"
    )


async def _prepare(settings: Settings, demo: bool) -> None:
    from bellwork.db.migrate import upgrade

    await upgrade(settings.effective_database_url)
    from bellwork.demo import DEMO_PASSWORD, has_admin, load_demo

    if demo:
        logins = await load_demo(settings)
        click.echo("")
        click.echo("Demo logins (password for all: " + DEMO_PASSWORD + "):")
        for role, login, name in logins:
            click.echo(f"  {role:<28} {login:<14} {name}")
        click.echo("")
    elif not await has_admin(settings):
        click.echo("")
        click.echo("No administrator exists yet. Create the first one with:")
        click.echo("  bellwork admin create --name 'Your Name' --username admin")
        click.echo("")


@main.command(epilog=ENV_HELP)
@data_dir_opt
@db_opt
def migrate(data_dir: str | None, database_url: str | None) -> None:
    """Apply database migrations and exit."""
    from bellwork.db.migrate import upgrade

    settings = _apply_overrides(data_dir, database_url)
    asyncio.run(upgrade(settings.effective_database_url))
    click.echo("Database is up to date.")


@main.command(epilog=ENV_HELP)
@data_dir_opt
@db_opt
def demo(data_dir: str | None, database_url: str | None) -> None:
    """Load the demo organisation into the database (does nothing if it is already there)."""
    settings = _apply_overrides(data_dir, database_url)
    asyncio.run(_prepare(settings, True))


@main.command(epilog=ENV_HELP)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=None,
    help="Jobs run at once [env BELLWORK_JOBS_CONCURRENCY; default 4].",
)
@data_dir_opt
@db_opt
def worker(concurrency: int | None, data_dir: str | None, database_url: str | None) -> None:
    """Run jobs in this process, without HTTP, until stopped (SIGTERM, Ctrl-C)."""
    import logging

    settings = _apply_overrides(data_dir, database_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(_work(settings, concurrency))


async def _work(settings: Settings, concurrency: int | None) -> None:
    import signal

    from bellwork.jobs.runner import Runner
    from bellwork.runtime import Runtime

    runtime = await Runtime.open(settings)
    try:
        await _require_jobs(runtime)
        runner = runtime.runner = Runner(runtime, concurrency=concurrency)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await runner.start()
        click.echo(
            f"Bellwork worker {runner.name} runs jobs, {runner.concurrency} at a time "
            f"(database: {_describe(settings)})."
        )
        if not settings.redis_url:
            click.echo(
                "No BELLWORK_REDIS_URL: events raised by jobs reach no app node; "
                "clients see those changes when they resync."
            )
        await stop.wait()
        click.echo("Stopping: running jobs get 5 s to finish, the rest go back to the queue.")
    finally:
        await runtime.close()


async def _require_jobs(runtime: Any) -> None:
    from sqlalchemy import text

    try:
        async with runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1 FROM job LIMIT 1"))
    except Exception as exc:
        raise click.ClickException(
            "The database has no job table yet: run `bellwork migrate` first."
        ) from exc


@main.group()
def jobs() -> None:
    """See durable jobs and retry dead ones."""


@jobs.command("list")
@click.option(
    "--state", type=click.Choice(["queued", "running", "done", "dead"]), help="Only this state."
)
@click.option("--kind", default=None, help="Only this kind (e.g. chat.burn).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@data_dir_opt
@db_opt
def jobs_list(
    state: str | None,
    kind: str | None,
    limit: int,
    data_dir: str | None,
    database_url: str | None,
) -> None:
    """List jobs, newest first, with how many there are in each state."""
    from bellwork.jobs import queue

    settings = _apply_overrides(data_dir, database_url)

    async def run() -> tuple[dict[str, int], list[Any]]:
        async with _runtime(settings) as runtime, runtime.sessionmaker() as db:
            return await queue.count_states(db), await queue.list_jobs(db, state, kind, None, limit)

    counts, rows = asyncio.run(run())
    click.echo("  ".join(f"{name}: {n}" for name, n in counts.items()))
    if not rows:
        click.echo("No jobs.")
        return
    click.echo(f"{'id':>8}  {'state':<7}  {'kind':<24}  {'tries':>5}  {'run at (UTC)':<19}  error")
    for j in rows:
        error = (j.last_error or "").replace("\n", " ")
        error = error if len(error) <= 60 else error[:59] + "…"
        tries = f"{j.attempts}/{j.max_attempts}"
        at = j.run_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{j.id:>8}  {j.state:<7}  {j.kind:<24}  {tries:>5}  {at:<19}  {error}")


@jobs.command("retry")
@click.argument("job_id", type=click.IntRange(1, 2**63 - 1))
@data_dir_opt
@db_opt
def jobs_retry(job_id: int, data_dir: str | None, database_url: str | None) -> None:
    """Queue a dead job again, with its attempts counted afresh (audited)."""
    from bellwork.core.errors import Problem
    from bellwork.db.session import unit_of_work
    from bellwork.jobs import queue

    settings = _apply_overrides(data_dir, database_url)

    async def run() -> str:
        async with _runtime(settings) as runtime, unit_of_work(runtime.sessionmaker) as db:
            return (await queue.retry(db, job_id, None)).kind

    try:
        kind = asyncio.run(run())
    except Problem as exc:
        raise click.ClickException(str(exc.to_dict()["title"])) from exc
    click.echo(f"Job {job_id} ({kind}) is queued again.")


@contextlib.asynccontextmanager
async def _runtime(settings: Settings) -> AsyncIterator[Any]:
    from bellwork.runtime import Runtime

    runtime = await Runtime.open(settings)
    try:
        await _require_jobs(runtime)
        yield runtime
    finally:
        await runtime.close()


@main.group()
def admin() -> None:
    """Manage installation administrators."""


@admin.command("create")
@click.option("--name", required=True, help="Display name.")
@click.option("--username", default=None, help="Login name.")
@click.option("--phone", default=None, help="Mobile phone (also a login).")
@click.option("--email", default=None, help="Email (also a login).")
@click.option(
    "--password", default=None, help="Password (prompted for when omitted; at least 8 characters)."
)
@data_dir_opt
@db_opt
def admin_create(
    name: str,
    username: str | None,
    phone: str | None,
    email: str | None,
    password: str | None,
    data_dir: str | None,
    database_url: str | None,
) -> None:
    """Create an installation administrator."""
    if not (username or phone or email):
        raise click.UsageError("Give at least one of --username, --phone, --email to log in with.")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.UsageError("The password must have at least 8 characters.")
    settings = _apply_overrides(data_dir, database_url)
    # Imported once the arguments are known to be good: a mistyped command fails at once.
    from bellwork.db.migrate import upgrade
    from bellwork.demo import create_admin

    async def run() -> int:
        await upgrade(settings.effective_database_url)
        return await create_admin(settings, name, username, phone, email, password)

    try:
        pid = asyncio.run(run())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Administrator {name} created (id {pid}). Log in at the web page.")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(["roster", "staff"]),
    required=True,
    help="roster: students and guardians; staff: a staff list.",
)
@click.option(
    "--unit",
    "unit_id",
    type=int,
    required=True,
    help="Id of the unit the file's paths are relative to.",
)
@click.option("--apply", is_flag=True, help="Write the changes (default: dry run).")
@click.option(
    "--create-schools", is_flag=True, help="Into a bureau: create schools the paths name."
)
@click.option(
    "--restore-leading-zeros",
    is_flag=True,
    help="Take student numbers that lost their leading zeros as the existing students'.",
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="HEADING=FIELD",
    help="Map a column by hand, e.g. --map 联系电话=guardian_phone; an empty FIELD ignores "
    "the column. Repeatable; remembered for the unit when applied.",
)
@data_dir_opt
@db_opt
def import_cmd(
    file: Path,
    kind: str,
    unit_id: int,
    apply: bool,
    create_schools: bool,
    restore_leading_zeros: bool,
    mappings: tuple[str, ...],
    data_dir: str | None,
    database_url: str | None,
) -> None:
    """Import a roster or staff list (CSV or XLSX) as an installation administrator."""
    from bellwork.org.importer import ImportOptions, run_cli_import

    settings = _apply_overrides(data_dir, database_url)
    columns: dict[str, str | None] = {}
    for m in mappings:
        heading, sep, target = m.rpartition("=")
        if not sep or not heading.strip():
            raise click.BadParameter(f"{m!r} is not HEADING=FIELD", param_hint="--map")
        columns[heading] = target.strip() or None
    options = ImportOptions(
        create_schools=create_schools,
        restore_leading_zeros=restore_leading_zeros,
        columns=columns,
    )
    code = asyncio.run(run_cli_import(settings, file, kind, unit_id, not apply, options))
    sys.exit(code)
