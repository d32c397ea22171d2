"""Bulk import of a school roster or a staff list from CSV or XLSX (docs/import.md).

All or nothing: every row is checked against every rule and against the directory first; if any
is wrong the answer lists every bad row (row number, column, reason in the user's language) and
nothing is written. The rooms, in the order an import passes through them:
- `reading`: the file into a header and rows of strings; the columns found in the header;
- `validation`: each row against every rule (NFKC, text, phones, numbers, relations, paths);
- `units`: the units the paths name, and which the import may create;
- `matching`: the people the rows name, and which the import may touch; lost leading zeros;
- `apply`: the changes, computed (dry run) or written;
- `run`: one import from start to end, the template, the command line.
"""

from bellwork.org.importer.model import (
    COLUMNS,
    EXAMPLE_NUMBER,
    EXAMPLES,
    HEADERS,
    Change,
    ImportOptions,
    ImportResult,
    Kind,
    Note,
    RowError,
    Summary,
)
from bellwork.org.importer.reading import map_columns, read_table
from bellwork.org.importer.relations import canonical_relation
from bellwork.org.importer.run import run_cli_import, run_import, template_workbook
from bellwork.org.importer.units import PathContext
from bellwork.org.importer.validation import Validated, validate_rows

__all__ = [
    "COLUMNS",
    "EXAMPLES",
    "EXAMPLE_NUMBER",
    "HEADERS",
    "Change",
    "ImportOptions",
    "ImportResult",
    "Kind",
    "Note",
    "PathContext",
    "RowError",
    "Summary",
    "Validated",
    "canonical_relation",
    "map_columns",
    "read_table",
    "run_cli_import",
    "run_import",
    "template_workbook",
    "validate_rows",
]
