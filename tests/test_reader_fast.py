"""The reader's fast path (fastexcel) gives what the cell-by-cell path gives, or steps aside.

Each case reads a real workbook twice, with the fast path and with it switched off, and
asserts the same issues (cells, values shown, rules, in order) and the same validated
tables (values and dtypes). Hypothesis varies the cells and the layout: values of any
type in any column, blank rows above the header and inside the table, an empty first
column, repeated header names.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from fta_compare.inputs import check_inputs, reader, reader_fast
from helpers import check_case_sheets, write_xlsx
from test_reader_fuzz import CELL_VALUES


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """check_inputs with the fast path and without it."""
    fast = check_inputs([path])
    with monkeypatch.context() as mp:
        mp.setattr(reader, "open_reader", lambda _path: None)
        slow = check_inputs([path])
    return fast, slow


def _assert_same(fast: Any, slow: Any) -> None:
    (t_fast, i_fast), (t_slow, i_slow) = fast, slow
    assert i_fast == i_slow
    assert (t_fast is None) == (t_slow is None)
    if t_fast is None:
        return
    for name in t_slow.__dataclass_fields__:
        a, b = getattr(t_fast, name), getattr(t_slow, name)
        if isinstance(b, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        elif name in ("meta", "warnings", "sheet_files", "files"):
            assert a == b


def _taken(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Records (sheet, fast path used) for every fast attempt."""
    seen: list[tuple[str, bool]] = []
    real = reader.fast_frame

    def spy(*args: Any, **kw: Any) -> Any:
        df = real(*args, **kw)
        seen.append((args[2], df is not None))
        return df

    monkeypatch.setattr(reader, "fast_frame", spy)
    return seen


def test_plain_workbook_takes_fast_path(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "plain.xlsx", check_case_sheets())
    seen = _taken(monkeypatch)
    fast, slow = _both(path, monkeypatch)
    _assert_same(fast, slow)
    assert fast[0] is not None
    assert sorted(seen) == [("applied", True), ("elasticities", True), ("meta", True),
                            ("trade", True)]


def test_number_cells_in_text_column_take_cell_path(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """HS codes typed as numbers (lost leading zeros) are seen as numbers, as before."""
    sheets = check_case_sheets()
    sheets["trade"][1][2] = 870323  # a number cell among text cells: mixed column
    sheets["applied"][1][2] = 1.5  # a number where a code is expected
    path = write_xlsx(tmp_path / "mixed.xlsx", sheets)
    seen = _taken(monkeypatch)
    fast, slow = _both(path, monkeypatch)
    _assert_same(fast, slow)
    assert ("trade", False) in seen and ("applied", False) in seen


def test_text_na_in_number_column_is_not_read_as_blank(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fastexcel reads 'NA' and 'nan' text as missing numbers; the reader must not."""
    for text in ("NA", "nan", "NaN"):
        sheets = check_case_sheets()
        sheets["trade"][1][3] = text
        path = write_xlsx(tmp_path / f"na_{text}.xlsx", sheets)
        fast, slow = _both(path, monkeypatch)
        _assert_same(fast, slow)
        assert fast[0] is None
        assert any(i.sheet == "trade" and i.cell == "D2" for i in fast[1])


def test_dates_and_times(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole-day dates take the fast path; a time of day sends the sheet the cell way."""
    from test_bad_inputs import schedule_sheets

    for when in (dt.date(2025, 4, 5), dt.datetime(2025, 4, 5, 13, 30)):
        sheets = schedule_sheets()
        for rows in sheets.values():
            for j, h in enumerate(rows[0]):
                if h in ("date", "start"):
                    for row in rows[1:]:
                        row.extend([None] * (j + 1 - len(row)))
                        row[j] = when
        path = write_xlsx(tmp_path / "dates.xlsx", sheets)
        fast, slow = _both(path, monkeypatch)
        _assert_same(fast, slow)


def _layout_book(path: Path, sheets: dict[str, list[list[Any]]], blank_above: int,
                 first_col: int, blank_inside: bool, repeat_header: bool) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        rows = [list(r) for r in rows]
        if repeat_header and name == "trade":
            rows[0].append(rows[0][0])
            for r in rows[1:]:
                r.append("KOR")
        if blank_inside and len(rows) > 2:
            rows.insert(2, [None] * len(rows[0]))
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is not None:
                    ws.cell(row=blank_above + i + 1, column=first_col + j + 1, value=v)
    wb.save(path)
    return path


def _edited(base: dict[str, list[list[Any]]], edits: list[tuple[str, int, int, Any]]
            ) -> dict[str, list[list[Any]]]:
    for sheet, r, c, v in edits:
        rows = base[sheet]
        row = rows[min(r, len(rows) - 1)]
        row.extend([None] * (c + 1 - len(row)))
        row[c] = v
    return base


def _read_alike(path: Path, sheets: dict[str, list[list[Any]]],
                layout: tuple[int, int, bool, bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """Write ``sheets`` in ``layout`` and assert both read paths agree."""
    try:
        book = _layout_book(path, sheets, *layout)
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses some values
        return
    _assert_same(*_both(book, monkeypatch))


LAYOUT = dict(blank_above=st.integers(0, 2), first_col=st.integers(0, 1),
              blank_inside=st.booleans(), repeat_header=st.booleans())


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["trade", "elasticities", "applied", "meta"]),
                                st.integers(0, 3), st.integers(0, 5), CELL_VALUES),
                      max_size=4), **LAYOUT)
def test_any_cells_and_layout_read_alike(edits: list[tuple[str, int, int, Any]],
                                         blank_above: int, first_col: int,
                                         blank_inside: bool, repeat_header: bool,
                                         tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _read_alike(tmp_path / "cells.xlsx", _edited(check_case_sheets(), edits),
                (blank_above, first_col, blank_inside, repeat_header), monkeypatch)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["mfn", "preferences", "duties",
                                                 "scenarios", "agreements"]),
                                st.integers(0, 3), st.integers(0, 8), CELL_VALUES),
                      max_size=4), **LAYOUT)
def test_schedule_cells_and_layout_read_alike(edits: list[tuple[str, int, int, Any]],
                                              blank_above: int, first_col: int,
                                              blank_inside: bool, repeat_header: bool,
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from test_bad_inputs import schedule_sheets

    _read_alike(tmp_path / "sched.xlsx", _edited(schedule_sheets(), edits),
                (blank_above, first_col, blank_inside, repeat_header), monkeypatch)


def test_fastexcel_missing_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                      ) -> None:
    """Without fastexcel (or when it refuses the file) the reader still reads."""
    import builtins

    real_import = builtins.__import__

    def no_fastexcel(name: str, *a: Any, **k: Any) -> Any:
        if name == "fastexcel":
            raise ImportError("no fastexcel")
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_fastexcel)
    assert reader_fast.open_reader(str(tmp_path / "x.xlsx")) is None
    path = write_xlsx(tmp_path / "plain.xlsx", check_case_sheets())
    tables, issues = check_inputs([path])
    assert tables is not None and len(tables.trade) == 2 and not issues


def test_scan_finds_first_value_row_and_merged_cells() -> None:
    from fta_compare.inputs.sheet_scan import SheetScan

    head = b'<worksheet><dimension ref="B3:C4"/><sheetData>'
    rows = (b'<row r="2"><c r="B2" s="1"/></row>'  # a styled cell without a value
            b'<row r="3"><c r="B3" t="s"><v>0</v></c><c r="C3" t="s"><v>1</v></c></row>'
            b'<row r="4"><c r="B4"><v>1.5</v></c></row>')
    scan = SheetScan()
    for piece in (head, rows, b"</sheetData></worksheet>"):
        scan.feed(piece)
    assert scan.first_value_row == 3 and not scan.merged

    split = SheetScan()  # the row tag in one piece, its first value in the next
    for piece in (head + b'<row r="7"><c r="B7" s="1">', b'<v>2</v></c></row>',
                  b'</sheetData><mergeCells count="1"><mergeCell ref="B7:C7"/></mergeCells>'):
        split.feed(piece)
    assert split.first_value_row == 7 and split.merged

    odd = SheetScan()  # a cell without a reference: the layout is not known
    odd.feed(head + b'<row r="1"><c t="s"><v>0</v></c></row></sheetData>')
    assert odd.first_value_row == -1


def test_row_with_only_a_date_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row whose only filled cell is a date is a row (not blank) on both paths, so its
    missing cells are reported where they are."""
    from test_bad_inputs import schedule_sheets

    sheets = schedule_sheets()
    sheets["duties"][1][6] = dt.date(2025, 4, 3)
    sheets["duties"].append([None] * 6 + [dt.date(2025, 5, 1)])
    path = write_xlsx(tmp_path / "date_row.xlsx", sheets)
    seen = _taken(monkeypatch)
    fast, slow = _both(path, monkeypatch)
    _assert_same(fast, slow)
    assert ("duties", True) in seen
    assert any(i.sheet == "duties" and i.cell.endswith("3") for i in fast[1])
