"""Reading a roster or staff file (CSV in UTF-8 or GB18030, or XLSX) into a header and rows of
strings. Called in a worker thread (run.py): parsing a large workbook takes seconds of CPU
that must not stall the event loop."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

from bellwork.core.errors import Invalid
from bellwork.core.i18n import t
from bellwork.org.importer.model import MAX_ROWS


def read_table(
    filename: str, content: bytes, max_rows: int = MAX_ROWS
) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a CSV or XLSX file, all cells as stripped strings (`_take`).
    More than `max_rows` rows with text: 422 `import_too_many_rows`, rather than an import
    silently cut short."""
    header, rows = _read(filename, content, max_rows)
    if sum(1 for row in rows if row) > max_rows:
        raise Invalid("import_too_many_rows", errors=[{"field": "file"}], limit=f"{max_rows:,}")
    return header, rows


def _read(filename: str, content: bytes, max_rows: int) -> tuple[list[str], list[list[str]]]:
    """Header and the data rows up to the first over `max_rows` non-blank ones (blank rows
    between them kept as empty lists; trailing blank rows left out)."""
    name = filename.lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        return _read_xlsx(content, max_rows)
    if name.endswith(".csv") or name.endswith(".txt") or not name:
        return _read_csv(content, max_rows)
    raise Invalid("import_unknown_format", errors=[{"field": "file"}])


def read_header(filename: str, content: bytes) -> list[str]:
    """The header row alone (the rest of a workbook is not parsed)."""
    return _read(filename, content, 0)[0]


def cell_text(v: Any) -> str:
    """A cell as text: a whole number stored as a float (Excel's numbers) without its `.0`."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _take(cells: Iterator[list[str]], max_rows: int) -> list[list[str]]:
    """Rows until the first past `max_rows` rows with text. A blank row counts for nothing and
    is kept (as []) only when a row with text follows it, so that row numbers in messages stay
    the file's and a sheet formatted down to row 1,048,576 costs nothing."""
    rows: list[list[str]] = []
    counted = blank = 0
    for row in cells:
        if not any(row):
            blank += 1
            continue
        rows.extend([] for _ in range(blank))
        blank = 0
        rows.append(row)
        counted += 1
        if counted > max_rows:
            break
    return rows


def _unreadable(fmt: str, reason: str) -> Invalid:
    return Invalid("import_unreadable", errors=[{"field": "file"}], format=fmt, reason=reason)


def _read_xlsx(content: bytes, max_rows: int) -> tuple[list[str], list[list[str]]]:
    try:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _unreadable("XLSX", t("import_reason_xlsx")) from exc
    try:
        ws = wb.worksheets[0]
        rows_iter = ws.iter_rows(values_only=True)
        header = [cell_text(v) for v in next(rows_iter, ())]
        rows = _take(([cell_text(v) for v in raw] for raw in rows_iter), max_rows)
    except Exception as exc:
        raise _unreadable("XLSX", t("import_reason_xlsx")) from exc
    finally:
        wb.close()
    return header, rows


def _read_csv(content: bytes, max_rows: int) -> tuple[list[str], list[list[str]]]:
    text = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        raise _unreadable("CSV", t("import_reason_encoding"))
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [c.strip() for c in next(reader, [])]
        rows = _take(([c.strip() for c in raw] for raw in reader), max_rows)
    except csv.Error as exc:
        raise _unreadable("CSV", t("import_reason_csv", line=reader.line_num)) from exc
    return header, rows
