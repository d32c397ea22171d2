from __future__ import annotations

import asyncio
import json
from typing import Annotated, Literal

from fastapi import File, Form, Query, UploadFile
from fastapi.responses import Response

from bellwork.config import get_settings
from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.errors import Invalid
from bellwork.core.i18n import current_locale
from bellwork.core.routing import Router
from bellwork.core.types import MAX_ID
from bellwork.org.importer import (
    ImportColumns,
    ImportOptions,
    ImportResult,
    propose_columns,
    run_import,
    template_workbook,
)

router = Router(prefix="/api/v1/imports", tags=["imports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post("", response_model=ImportResult)
async def import_file(
    db: DB,
    actor: CurrentActor,
    scope: CurrentScope,
    file: Annotated[UploadFile, File(description="A .csv (UTF-8 or GB18030) or .xlsx file.")],
    kind: Annotated[Literal["roster", "staff"], Form()],
    unit_id: Annotated[
        int, Form(ge=0, le=MAX_ID, description="The unit the file's paths are relative to.")
    ],
    dry_run: Annotated[bool, Form()] = True,
    create_schools: Annotated[
        bool,
        Form(description="Into a bureau: create the schools the paths name that do not exist."),
    ] = False,
    restore_leading_zeros: Annotated[
        bool,
        Form(
            description="Take a student number that lost its leading zeros (1234) as the "
            "existing student's (001234), as the dry run's `leading_zeros` notes offer."
        ),
    ] = False,
    columns: Annotated[
        str | None,
        Form(
            description="Columns mapped by hand, a JSON object: heading as in the file → field "
            "(`guardian_phone`, or any heading that means it) or null to ignore the column, e.g. "
            '`{"联系电话": "guardian_phone", "备注": null}`. Wins over the known synonyms; an '
            "applied import remembers it for the unit (offered again by `/imports/columns`)."
        ),
    ] = None,
) -> ImportResult:
    """Import a roster (students and guardians) or a staff list, all or nothing.

    With `dry_run` (the default) nothing is written and the answer shows what would change,
    with `notes`: warnings and information about the file (paths stripped of the chosen unit,
    the template's example row skipped, numbers that lost their leading zeros, people linked as
    they are). Invalid rows give a 422 problem whose `errors` list every bad row, column and
    reason (docs/import.md lists the rules).
    """
    content = await _read_upload(file)
    options = ImportOptions(
        create_schools=create_schools,
        restore_leading_zeros=restore_leading_zeros,
        columns=parse_columns(columns),
    )
    return await run_import(
        db, actor, scope, unit_id, kind, file.filename or "", content, dry_run, options
    )


@router.post("/columns", response_model=ImportColumns)
async def import_columns(
    db: DB,
    actor: CurrentActor,
    scope: CurrentScope,
    file: Annotated[UploadFile, File(description="A .csv (UTF-8 or GB18030) or .xlsx file.")],
    kind: Annotated[Literal["roster", "staff"], Form()],
    unit_id: Annotated[int, Form(ge=0, le=MAX_ID, description="The unit to import into.")],
) -> ImportColumns:
    """What each column of the file would be taken as: a field mapped by hand in an earlier
    import into this unit (`remembered`), a known heading (`synonym`), or nothing. Nothing is
    checked or written; send the mapping you settle on as the import's `columns`."""
    content = await _read_upload(file)
    return await propose_columns(db, scope, unit_id, kind, file.filename or "", content)


async def _read_upload(file: UploadFile) -> bytes:
    max_bytes = get_settings().import_max_bytes
    content = await file.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise Invalid(
            "import_too_large", errors=[{"field": "file"}], limit=max_bytes // (1024 * 1024)
        )
    return content


def parse_columns(raw: str | None) -> dict[str, str | None]:
    """The `columns` form field: a JSON object of heading → field name or null."""
    if raw is None or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    ):
        raise Invalid("import_mapping_invalid", errors=[{"field": "columns"}])
    return value


@router.get(
    "/template",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "The template workbook"}},
)
async def template(
    kind: Annotated[Literal["roster", "staff"], Query()], actor: CurrentActor
) -> Response:
    """An XLSX template with the expected columns (in the user's language), identifier columns
    formatted as text, and an example row that imports skip."""
    data = await asyncio.to_thread(template_workbook, kind, current_locale.get())
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="bellwork-{kind}-template.xlsx"'},
    )
