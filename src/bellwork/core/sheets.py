"""Cells that hold what people typed stay text, never formulas.

A spreadsheet treats text that begins with "=" (and, in a CSV file, "+", "-", "@" too) as a
formula. A DING's text, a name, an audit line or a form's answer such as
`=HYPERLINK("http://…", "点这里")` would otherwise run in the spreadsheet of whoever opens the
export: formula (CSV) injection. Every export of people's text goes through these:

- XlsxWriter: open workbooks with `XLSXWRITER_OPTIONS` (no string becomes a formula or a link).
- openpyxl: `plain(ws, values)` before `ws.append`: such text goes in as a text cell.
- CSV: `csv_text(value)` puts an apostrophe before it, as spreadsheets read it (the OWASP advice).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl is imported where a sheet is written (a process starts faster)
    from openpyxl.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

XLSXWRITER_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}

# What a spreadsheet may read as the start of a formula in a CSV file.
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def text_cell(ws: Worksheet | Any, value: Any) -> Cell:
    """A cell for `ws.append` (to style it) whose text stays text."""
    from openpyxl.cell import WriteOnlyCell

    cell: Cell = WriteOnlyCell(ws, value=value)
    if cell.data_type == "f":  # openpyxl takes any string beginning with "=" for a formula
        cell.data_type = "s"
    return cell


def plain(ws: Worksheet | Any, values: Iterable[Any]) -> list[Any]:
    """`values` for `ws.append`, with text openpyxl would store as a formula made a text
    cell."""
    return [text_cell(ws, v) if isinstance(v, str) and v.startswith("=") else v for v in values]


def csv_text(value: Any) -> Any:
    """A CSV field that no spreadsheet runs as a formula."""
    if isinstance(value, str) and value.startswith(_CSV_FORMULA):
        return "'" + value
    return value
