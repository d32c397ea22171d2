"""Bulk import of a school roster or a staff list from CSV or XLSX (docs/import.md).

All or nothing: every row is checked against every rule and against the directory first; if any
is wrong the answer lists every bad row (row number, column, reason in the user's language) and
nothing is written. The rooms, in the order an import passes through them:
- `reading`: the file into a header and rows of strings (in a worker thread);
- `headings`: which column is which field: the synonyms schools' exports use, mappings by hand;
- `memory`: mappings by hand remembered per unit and kind, and offered again;
- `validation`: each row against every rule (NFKC, text, phones, numbers, relations, paths);
- `units`: the units the paths name, and which the import may create;
- `matching`: the people the rows name, and which the import may touch; lost leading zeros;
- `apply`: the changes, computed (dry run) or written;
- `run`: one import from start to end, the template, the command line.
"""

from bellwork.org.importer.headings import (
    COLUMNS,
    SYNONYMS,
    heading_key,
    match_headings,
    resolve_columns,
    synonym_field,
)
from bellwork.org.importer.model import (
    EXAMPLE_NUMBER,
    EXAMPLES,
    HEADERS,
    Change,
    ColumnChoice,
    ImportColumns,
    ImportOptions,
    ImportResult,
    Kind,
    Note,
    RowError,
    Summary,
)
from bellwork.org.importer.reading import read_header, read_table
from bellwork.org.importer.relations import canonical_relation
from bellwork.org.importer.run import (
    propose_columns,
    run_cli_import,
    run_import,
    template_workbook,
)
from bellwork.org.importer.units import PathContext
from bellwork.org.importer.validation import Validated, validate_rows

__all__ = [
    "COLUMNS",
    "EXAMPLES",
    "EXAMPLE_NUMBER",
    "HEADERS",
    "SYNONYMS",
    "Change",
    "ColumnChoice",
    "ImportColumns",
    "ImportOptions",
    "ImportResult",
    "Kind",
    "Note",
    "PathContext",
    "RowError",
    "Summary",
    "Validated",
    "canonical_relation",
    "heading_key",
    "match_headings",
    "propose_columns",
    "read_header",
    "read_table",
    "resolve_columns",
    "run_cli_import",
    "run_import",
    "synonym_field",
    "template_workbook",
    "validate_rows",
]
