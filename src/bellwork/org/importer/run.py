"""One import from start to end, the template, and the command line's `bellwork import`.

Order: read the file; check every row against every rule (validation.py); check the rows
against the directory (units.py: units the import may not create; matching.py: people it may not
touch, numbers that lost their leading zeros); if anything is wrong, answer 422 listing every bad
row and write nothing; otherwise compute (dry run) or apply the changes (apply.py).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.config import Settings
from bellwork.core.errors import Invalid, Problem
from bellwork.core.i18n import t
from bellwork.org import access
from bellwork.org.access import Scope
from bellwork.org.importer.apply import Importer
from bellwork.org.importer.headings import COLUMNS
from bellwork.org.importer.matching import People
from bellwork.org.importer.memory import offer, remember
from bellwork.org.importer.model import (
    EXAMPLES,
    HEADERS,
    ImportColumns,
    ImportOptions,
    ImportResult,
    Kind,
    Note,
    RowError,
)
from bellwork.org.importer.reading import read_header, read_table
from bellwork.org.importer.units import PathContext, UnitTree, path_context
from bellwork.org.importer.validation import Validated, validate_rows

# Columns whose values are identifiers made of digits: the template formats them as text so
# that Excel keeps their leading zeros and never writes them as 1.39E+10.
TEXT_COLUMNS = ("student_number", "guardian_phone", "phone")


def _bad_file(errors: list[RowError]) -> Invalid:
    errors = sorted(errors, key=lambda e: e.row)
    return Invalid(
        "import_invalid",
        errors=[e.model_dump() for e in errors],
        count=len({e.row for e in errors}),
    )


async def run_import(
    db: AsyncSession,
    actor: Actor | None,
    scope: Scope,
    root_id: int,
    kind: Kind,
    filename: str,
    content: bytes,
    dry_run: bool,
    options: ImportOptions | None = None,
) -> ImportResult:
    options = options or ImportOptions()
    root = await access.access_unit(db, root_id)
    access.require_manage_unit(scope, root)
    if root.archived_at is not None:
        raise Invalid("unit_archived", errors=[{"field": "unit_id"}])
    context = await path_context(db, root)
    # Parsing and checking 50,000 rows is seconds of CPU: in a thread, so that the event loop
    # goes on serving everyone else meanwhile (the thread carries the request's language).
    header, checked = await asyncio.to_thread(
        _read_and_check, kind, filename, content, context, options.columns
    )
    rows, labels = checked.rows, checked.labels
    if not rows:
        skipped = any(n.code == "example_skipped" for n in checked.notes)
        raise Invalid(
            "import_only_example" if skipped else "import_empty", errors=[{"field": "file"}]
        )
    tree = UnitTree(db, root, kind, options, dry_run, on_create=lambda c: None)
    await tree.load()
    people = People(db, scope, root, kind, options)
    notes: list[Note] = list(checked.notes)
    notes.extend(await people.leading_zeros(rows, labels))
    await people.load(rows)
    errors = [*checked.errors, *tree.check(rows, labels)]
    found, linked = people.check(rows, labels)
    errors.extend(found)
    if errors:
        raise _bad_file(errors)
    notes.extend(linked)
    notes.sort(key=lambda n: (n.row or 0, n.code))
    result = await Importer(db, actor, root, kind, dry_run, tree, people).run(rows, notes)
    result.columns = labels
    if not dry_run and options.columns:
        await remember(db, root.id, kind, header, options.columns, actor.id if actor else None)
    if dry_run:
        # Nothing may have been written; make sure no pending object leaks into the commit.
        db.expunge_all()
    return result


def _read_and_check(
    kind: Kind,
    filename: str,
    content: bytes,
    context: PathContext,
    columns: Mapping[str, str | None],
) -> tuple[list[str], Validated]:
    header, raw = read_table(filename, content)
    return header, validate_rows(kind, header, raw, context, columns)


async def propose_columns(
    db: AsyncSession, scope: Scope, root_id: int, kind: Kind, filename: str, content: bytes
) -> ImportColumns:
    """Each column of the file and the field it will be taken as (remembered for the unit, or
    by the synonyms), for the person importing to confirm or change before the dry run."""
    root = await access.access_unit(db, root_id)
    access.require_manage_unit(scope, root)
    header = await asyncio.to_thread(read_header, filename, content)
    return await offer(db, root.id, kind, header)


def template_workbook(kind: Kind, locale: str) -> bytes:
    """Headers in the user's language, one example row (skipped by the importer: its student
    number and phone are reserved), identifier columns formatted as text."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "roster" if kind == "roster" else "staff"
    ws.append(HEADERS[kind][locale if locale in HEADERS[kind] else "en"])
    ws.append(EXAMPLES[kind])
    for i, col in enumerate(COLUMNS[kind], start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = 18
        if col in TEXT_COLUMNS:
            ws.column_dimensions[letter].number_format = "@"
            for row in range(2, 1002):
                ws.cell(row=row, column=i).number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def run_cli_import(
    settings: Settings,
    file: Path,
    kind: str,
    unit_id: int,
    dry_run: bool,
    options: ImportOptions | None = None,
) -> int:
    """`bellwork import`: runs as the system (no actor), prints a summary or the bad rows."""
    import click

    from bellwork.db.session import unit_of_work
    from bellwork.runtime import opened

    content = await asyncio.to_thread(file.read_bytes)
    scope = Scope(person_id=0, admin=True)
    try:
        async with opened(settings) as runtime, unit_of_work(runtime.sessionmaker) as db:
            result = await run_import(
                db,
                None,
                scope,
                unit_id,
                kind,  # type: ignore[arg-type]
                file.name,
                content,
                dry_run,
                options,
            )
    except Problem as exc:
        click.echo(exc.to_dict()["title"], err=True)
        for e in exc.errors or []:
            if "row" in e:  # the others are about the file, which the title says
                where = t("import_cli_row", row=e["row"])
                click.echo(f"  {where}: {e.get('column') or ''} {e.get('message', '')}", err=True)
        return 1
    click.echo(", ".join(f"{heading} → {f}" for f, heading in result.columns.items()))
    for n in result.notes:
        where = t("import_cli_row", row=n.row) if n.row is not None else "-"
        click.echo(f"  {where}: {n.message}")
    click.echo(
        t("import_cli_dry_run" if dry_run else "import_cli_done")
        + " "
        + ", ".join(f"{k}={v}" for k, v in result.summary.model_dump().items())
    )
    return 0
