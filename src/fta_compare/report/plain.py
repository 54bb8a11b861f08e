"""Machine-readable sheets: one header row, numbers as numbers, streamed row data.

Long tables are written through XlsxWriter's ``constant_memory`` worksheets, with the
row XML rendered in bulk (:func:`_stream_rows`); a table longer than :data:`SHEET_ROWS`
continues on ``<name>_2``, ``<name>_3`` ...
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.worksheet import Worksheet

from fta_compare.report.book import Book, cell_value
from fta_compare.report.labels import TEXT, label

SHEET_ROWS = 1_000_000  # data rows per contract sheet before it continues on <name>_2
def _column_values(col: pd.Series) -> tuple[list[Any], bool]:
    """Cell values of a column and whether they are all finite floats (fast path)."""
    if pd.api.types.is_float_dtype(col.dtype) or pd.api.types.is_integer_dtype(col.dtype):
        arr = col.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isfinite(arr).all():
            return arr.tolist(), True
    if pd.api.types.is_bool_dtype(col.dtype):
        return col.astype(bool).tolist(), False
    return [cell_value(v) for v in col.tolist()], False


def plain_sheet(book: Book, name: str, df: pd.DataFrame, human: bool,
                split: bool = False, formats: dict[str, str] | None = None) -> None:
    """A machine-readable sheet: one header row, numbers as numbers, no table styling.

    Number formats come from the column labels, or ``formats`` (column -> Excel format)
    where a sheet's column means something else (GE changes are fractions). Longer than
    :data:`SHEET_ROWS` rows continues on ``<name>_2``, ``<name>_3`` ...
    """
    formats = formats or {}
    df = df[[c for c in df.columns if not str(c).startswith("_")]]
    chunks = [df] if not split or len(df) <= SHEET_ROWS else [
        df.iloc[i:i + SHEET_ROWS] for i in range(0, len(df), SHEET_ROWS)]
    for k, chunk in enumerate(chunks):
        # Row-streaming (constant_memory) worksheets for the long machine-readable sheets:
        # inline strings, rows flushed to a temp file; measured ~4x faster on the default
        # run. XlsxWriter reads this workbook attribute when each worksheet is added, so
        # the human sheets (Excel tables, unsupported in that mode) are unaffected.
        book.wb.constant_memory = True
        try:
            ws = book.sheet(name if k == 0 else f"{name}_{k + 1}")
        finally:
            book.wb.constant_memory = False
        heads = [label(c).header if human else str(c) for c in chunk.columns]
        ws.write_row(0, 0, heads, book.bold)
        for j in range(len(chunk.columns)):
            ws.set_column(j, j, max(len(heads[j]) + 2, 10))
        kinds = [formats.get(str(c), label(str(c)).fmt) for c in chunk.columns]
        fmts = [book.fmt(f) if f not in ("General", TEXT) else None for f in kinds]
        if not _stream_rows(ws, chunk, fmts):
            _cell_rows(ws, chunk, fmts)
        ws.freeze_panes(1, 0)
        if len(chunk):
            ws.autofilter(0, 0, len(chunk), len(chunk.columns) - 1)
        # print (and PDF export) the header and first rows only: a data sheet of tens of
        # thousands of rows would otherwise lay out a thousand pages
        ws.print_area(0, 0, min(len(chunk), PRINT_ROWS), max(len(chunk.columns) - 1, 0))
        ws.repeat_rows(0)
        ws.fit_to_pages(1, 0)


def _cell_rows(ws: Worksheet, chunk: pd.DataFrame, fmts: list[Any]) -> None:
    """Data rows cell by cell through XlsxWriter's API (constant_memory: rows in order)."""
    columns = [_column_values(chunk[c]) for c in chunk.columns]
    writers = [ws.write_number if numeric else ws.write for _, numeric in columns]
    for i, row in enumerate(zip(*(v for v, _ in columns), strict=True), start=1):
        for j, v in enumerate(row):
            if v is not None:
                writers[j](i, j, v, fmts[j])


PRINT_ROWS = 60  # rows of a machine-readable sheet in its print area (the sheet holds all)
STREAM_BLOCK = 20_000  # rows rendered per write to the row-data file (~10 MB of XML)


def _stream_rows(ws: Worksheet, chunk: pd.DataFrame, fmts: list[Any]) -> bool:
    """Write the data rows of a constant_memory worksheet as XML in bulk; False if not able.

    XlsxWriter renders every cell through several Python calls (about 4 us a cell); here
    each row is one ``%`` formatting call with the markup XlsxWriter itself writes in
    constant_memory mode (``<c r="A2" s="1"><v>%.16G</v></c>``, inline strings escaped by
    XlsxWriter's own helpers), appended to the worksheet's row-data file after the header
    row, and the worksheet's extent is set as its ``write_*`` calls would. Text is
    rendered once per distinct value. Used only for the plain case: default row heights
    and numeric columns of finite numbers, NaN (no cell) or infinity (text 'inf'), boolean
    columns, and text columns of strings or blanks; anything else, or an XlsxWriter without these
    internals, returns False and the caller writes cell by cell.
    """
    from xlsxwriter.utility import xl_col_to_name

    n, width = chunk.shape
    if n == 0 or width == 0:
        return False
    try:
        if not (ws.constant_memory and ws.previous_row == 0 and not ws.row_info
                and ws.excel_version == 2007 and ws.fh is ws.row_data_fh
                and ws.dim_rowmin == 0 and n + 1 <= ws.xls_rowmax):
            return False
        ws._write_single_row(1)  # flush the header row (row 0): its formats come first
        plan = [_column_plan(ws, chunk[c], f, xl_col_to_name(j))
                for j, (c, f) in enumerate(zip(chunk.columns, fmts, strict=True))]
    except AttributeError:
        return False
    if any(p is None for p in plan):
        return False
    slots = []
    for j, (kind, attrs, _) in enumerate(plan):
        col = xl_col_to_name(j)
        slots.append(f'<c r="{col}%s"{attrs}><v>%.16G</v></c>' if kind == "number"
                     else "%s" if kind == "cells" else f'<c r="{col}%s"{attrs}%s')
    template = '<row r="%s">' + "".join(slots) + "</row>"  # '%' is faster than format()
    fh = ws.fh
    for start in range(0, n, STREAM_BLOCK):
        stop = min(start + STREAM_BLOCK, n)
        rows = range(start + 2, stop + 2)  # Excel row numbers
        labels = list(map(str, rows))
        args: list[list[Any]] = [labels]
        for kind, _, values in plan:
            items = values(start, stop, rows)
            args.extend([items] if kind == "cells" else [labels, items])
        fh.write("".join(map(template.__mod__, zip(*args, strict=True))))
    ws.dim_rowmax = max(ws.dim_rowmax or 0, n)
    ws.dim_colmax = max(ws.dim_colmax or 0, width - 1)
    ws.previous_row = n
    return True


def _column_plan(ws: Worksheet, col: pd.Series, fmt: Any, letter: str
                 ) -> tuple[str, str, Any] | None:
    """How a column is rendered: ('number' | 'text' | 'cells', cell attributes, values).

    ``values(start, stop, rows)`` returns the column's items for rows start..stop-1: floats
    for 'number', the markup after ``<c r=.. s=..`` for 'text', whole cells (or '' for no
    cell) for 'cells' (missing values, infinities, empty strings). None: not streamable.
    Cells match :func:`_cell_rows`: NaN and None give no cell, infinity the text 'inf',
    an empty string no cell (a blank formatted cell when the column has a format).
    """
    attrs = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
    if pd.api.types.is_bool_dtype(col.dtype):
        if col.dtype != np.bool_:
            return None  # nullable booleans: cell by cell
        flags = col.to_numpy().astype(np.intp)
        frag = np.array([' t="b"><v>0</v></c>', ' t="b"><v>1</v></c>'], dtype=object)
        return "text", attrs, lambda a, b, _r: frag[flags[a:b]].tolist()
    if pd.api.types.is_float_dtype(col.dtype) or pd.api.types.is_integer_dtype(col.dtype):
        arr = col.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isfinite(arr).all():
            return "number", attrs, lambda a, b, _r: arr[a:b].tolist()
        pos, neg = _inline(ws, "inf"), _inline(ws, "-inf")

        def numbers(a: int, b: int, rows: range) -> list[str]:
            out = []
            for r, v in zip(rows, arr[a:b].tolist(), strict=True):
                if v != v:  # NaN: no cell
                    out.append("")
                elif v in (np.inf, -np.inf):
                    out.append(f'<c r="{letter}{r}"{attrs}{pos if v > 0 else neg}')
                else:
                    out.append(f'<c r="{letter}{r}"{attrs}><v>{v:.16G}</v></c>')
            return out

        return "cells", attrs, numbers
    codes, uniq = pd.factorize(col, use_na_sentinel=True)
    if not all(type(u) is str for u in uniq):
        return None
    frags = [(_inline(ws, u) if u else ("/>" if fmt is not None else "")) for u in uniq]
    if any(f is None for f in frags):
        return None
    frag = np.array([*frags, ""], dtype=object)  # code -1 (missing) picks ''
    if all(frags) and (codes >= 0).all():
        return "text", attrs, lambda a, b, _r: frag[codes[a:b]].tolist()

    def cells(a: int, b: int, rows: range) -> list[str]:
        return [f'<c r="{letter}{r}"{attrs}{f}' if f else ""
                for r, f in zip(rows, frag[codes[a:b]].tolist(), strict=True)]

    return "cells", attrs, cells


def _inline(ws: Worksheet, text: str) -> str | None:
    """Markup after ``<c r=.. s=..`` of an inline string, as XlsxWriter writes it."""
    from xlsxwriter.utility import _preserve_whitespace

    if len(text) > ws.xls_strmax:
        return None
    text = ws._escape_control_characters(text)
    if text.startswith("<r>") and text.endswith("</r>"):
        return None
    space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    return f' t="inlineStr"><is><t{space}>{ws._escape_data(text)}</t></is></c>'


