"""Text people typed stays text in every kind of export (core/sheets.py): openpyxl workbooks,
normal and write-only, XlsxWriter's and CSV files, read back as a spreadsheet would."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import xlsxwriter
from openpyxl import Workbook, load_workbook

from bellwork.core.sheets import XLSXWRITER_OPTIONS, csv_text, plain, text_cell

TYPED = ['=HYPERLINK("http://x","点这里")', "=1+1", "http://example.org", "张三", 36.6]


def _first_row(data: bytes) -> list[tuple[object, str]]:
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    return [(c.value, c.data_type) for c in next(ws.iter_rows(min_row=1, max_row=1))]


def test_openpyxl_workbooks_keep_text_as_text() -> None:
    for write_only in (False, True):
        wb = Workbook(write_only=write_only)
        ws = wb.create_sheet("x") if write_only else wb.active
        assert ws is not None
        ws.append(plain(ws, TYPED))
        buf = io.BytesIO()
        wb.save(buf)
        row = _first_row(buf.getvalue())
        assert [v for v, _ in row] == TYPED
        assert [t for _, t in row] == ["s", "s", "s", "s", "n"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    ws.append([text_cell(ws, "=1+1")])
    buf = io.BytesIO()
    wb.save(buf)
    assert _first_row(buf.getvalue()) == [("=1+1", "s")]


def test_xlsxwriter_with_the_options_writes_no_formula_or_link(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, **XLSXWRITER_OPTIONS})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, TYPED)
    wb.close()
    row = _first_row(path.read_bytes())
    assert [v for v, _ in row] == TYPED
    assert [t for _, t in row] == ["s", "s", "s", "s", "n"]
    assert not load_workbook(path).worksheets[0]._hyperlinks


def test_csv_fields_that_would_start_a_formula_get_an_apostrophe() -> None:
    buf = io.StringIO()
    csv.writer(buf).writerow([csv_text(v) for v in [*TYPED, "-2", "@a", "+1", "普通"]])
    fields = next(csv.reader(io.StringIO(buf.getvalue())))
    assert fields == [
        '\'=HYPERLINK("http://x","点这里")',
        "'=1+1",
        "http://example.org",
        "张三",
        "36.6",
        "'-2",
        "'@a",
        "'+1",
        "普通",
    ]
