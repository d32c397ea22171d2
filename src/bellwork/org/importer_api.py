from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response

from bellwork.config import get_settings
from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.errors import Invalid
from bellwork.core.i18n import current_locale
from bellwork.core.types import MAX_ID
from bellwork.org.importer import ImportOptions, ImportResult, run_import, template_workbook

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])
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
) -> ImportResult:
    """Import a roster (students and guardians) or a staff list, all or nothing.

    With `dry_run` (the default) nothing is written and the answer shows what would change,
    with `notes`: warnings and information about the file (paths stripped of the chosen unit,
    the template's example row skipped, numbers that lost their leading zeros, people linked as
    they are). Invalid rows give a 422 problem whose `errors` list every bad row, column and
    reason (docs/import.md lists the rules).
    """
    max_bytes = get_settings().import_max_bytes
    content = await file.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise Invalid(
            "import_too_large", errors=[{"field": "file"}], limit=max_bytes // (1024 * 1024)
        )
    options = ImportOptions(
        create_schools=create_schools, restore_leading_zeros=restore_leading_zeros
    )
    return await run_import(
        db, actor, scope, unit_id, kind, file.filename or "", content, dry_run, options
    )


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
    data = template_workbook(kind, current_locale.get())
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="bellwork-{kind}-template.xlsx"'},
    )
