"""The workbook object and the helpers every sheet uses (XlsxWriter).

Every data block is a named Excel table with a frozen header, units in headers and number
formats from :mod:`fta_compare.report.labels`. Strings are never turned into formulas
(``strings_to_formulas`` off), so text from inputs that starts with ``=``, ``+``, ``-``
or ``@`` stays text.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from fta_compare.report.deflate import Workbook as ZlibNgWorkbook
from fta_compare.report.labels import label

EXCEL_MAX_ROWS = 1_048_576
FORMULA_START = ("=", "+", "-", "@")


MEMORY_SCRATCH = Path("/dev/shm")  # tmpfs on Linux
SCRATCH_ROOM = 1 << 30  # free bytes it must have for a bounded workbook's parts


@contextmanager
def xml_scratch(bounded: bool) -> Iterator[str | None]:
    """Where XlsxWriter keeps a workbook's XML parts until it zips them: a private folder
    in memory (``/dev/shm``) when the workbook is ``bounded`` (the default selection of
    rows, about 100 MB of XML) and that file system has :data:`SCRATCH_ROOM` free, so the
    parts, written and read back once, never go through the disk's file system (default
    run: write phase 4.9-5.1 s -> 4.3-4.4 s, its kernel time 1.6-1.8 -> 0.6-0.9 s); else
    None (the system's temporary folder). The folder and anything left in it go with the
    block, also on an error or Ctrl-C."""
    if bounded and MEMORY_SCRATCH.is_dir() and os.access(MEMORY_SCRATCH, os.W_OK):
        try:
            st = os.statvfs(MEMORY_SCRATCH)
            room = st.f_bavail * st.f_frsize >= SCRATCH_ROOM
        except OSError:
            room = False
        if room:
            with tempfile.TemporaryDirectory(prefix="fta-xml-", dir=MEMORY_SCRATCH) as tmp:
                yield tmp
            return
    yield None


class Book:
    """Workbook with the formats and helpers every sheet uses; ``tmpdir``: where XlsxWriter
    keeps its XML parts (:func:`xml_scratch`; None: the system's temporary folder)."""

    def __init__(self, path: Path, tmpdir: str | None = None) -> None:
        self.wb: Workbook = ZlibNgWorkbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": False,
                "tmpdir": tmpdir,
            },
        )
        self._formats: dict[str, Any] = {}
        self.used_names: set[str] = set()
        self._reserved: dict[str, list[Worksheet]] = {}  # by name, first reserved first
        self._filling: str | None = None  # the reserved name the next sheet() call takes
        self.title = self.wb.add_format({"bold": True, "font_size": 16})
        self.subtitle = self.wb.add_format({"italic": True, "font_color": "#555555"})
        self.heading = self.wb.add_format({"bold": True, "font_size": 12,
                                           "font_color": "#1F4E79"})
        self.note = self.wb.add_format({"text_wrap": True, "valign": "top"})
        self.bold = self.wb.add_format({"bold": True})
        self.wrap = self.wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.good = self.wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.bad = self.wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
        self.banner = self.wb.add_format({"bold": True, "font_color": "#9C0006",
                                          "bg_color": "#FFC7CE", "text_wrap": True,
                                          "valign": "top"})
        self.answer = self.wb.add_format({"bold": True, "font_size": 12, "text_wrap": True,
                                          "valign": "top", "font_color": "#1F4E79"})

    def fmt(self, num_format: str) -> Any:
        if num_format not in self._formats:
            self._formats[num_format] = self.wb.add_format({"num_format": num_format})
        return self._formats[num_format]

    def sheet(self, name: str) -> Worksheet:
        """A new worksheet ``name`` (made safe); inside :meth:`filling` of that name, the
        one :meth:`reserve` kept for it."""
        if self._filling == name and self._reserved.get(name):
            self._filling = None
            return self._reserved[name].pop(0)
        return self._new_sheet(name)

    @contextmanager
    def filling(self, name: str) -> Iterator[None]:
        """Inside the block, the next :meth:`sheet` call of ``name`` returns the sheet
        reserved for it (outside, a sheet of the same name -- a scenario called
        'results' -- never takes another's place)."""
        self._filling = name
        try:
            yield
        finally:
            self._filling = None

    def _new_sheet(self, name: str) -> Worksheet:
        safe = sheet_name(name, self.used_names)
        self.used_names.add(safe.lower())
        return self.wb.add_worksheet(safe)

    def reserve(self, name: str, constant_memory: bool = False) -> None:
        """Add the worksheet ``name`` now, at this place in the tab order, and hand it out
        to the :meth:`sheet` call of that name inside :meth:`filling` (a name reserved
        twice: in the order reserved): its content is written later (a
        ``constant_memory`` worksheet streams its rows, as :func:`.plain.plain_sheet`
        writes them)."""
        self.wb.constant_memory = constant_memory
        try:
            self._reserved.setdefault(name, []).append(self._new_sheet(name))
        finally:
            self.wb.constant_memory = False

    def table_name(self, base: str) -> str:
        name = re.sub(r"[^A-Za-z0-9_]", "_", base)
        if not name or not (name[0].isalpha() or name[0] == "_"):
            name = "t_" + name
        name = name[:240]
        candidate, i = name, 2
        while candidate.lower() in self.used_names:
            candidate, i = f"{name}_{i}", i + 1
        self.used_names.add(candidate.lower())
        return candidate


def sheet_name(name: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "sheet"
    candidate, i = clean, 2
    while candidate.lower() in used:
        suffix = f"~{i}"
        candidate, i = clean[: 31 - len(suffix)] + suffix, i + 1
    return candidate


def cell_value(v: Any) -> Any:
    """Python value safe for a cell: NaN/inf never reach the sheet (blank / text 'inf')."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.strftime("%Y-%m-%d") if not pd.isna(v) else None
    return v


def _table_data(df: pd.DataFrame) -> list[list[Any]]:
    """Rows of cell values, as ``[[cell_value(v) for v in row] for row in df]``.

    Converted a column at a time: floats that are all finite and text without blanks pass
    as they are (``cell_value`` would return them unchanged); only other columns go
    through ``cell_value`` value by value.
    """
    cols = []
    for c in range(df.shape[1]):
        col = df.iloc[:, c]
        values = col.tolist()
        plain = (pd.api.types.is_float_dtype(col.dtype) and col.dtype == np.float64
                 and bool(np.isfinite(col.to_numpy()).all())) or (
            pd.api.types.is_string_dtype(col.dtype) and not isinstance(
                col.dtype, pd.CategoricalDtype) and not col.isna().any()
            and all(type(v) is str for v in values))
        cols.append(values if plain else [cell_value(v) for v in values])
    return [list(r) for r in zip(*cols, strict=True)]


def write_table(book: Book, ws: Worksheet, df: pd.DataFrame, row: int, col: int, name: str,
                human: bool = True, widths: dict[int, int] | None = None,
                autofilter: bool = True, header_wrap: bool = False) -> int:
    """Write ``df`` as a named Excel table at (row, col); returns the next free row."""
    columns = list(df.columns)
    heads = [label(c).header if human else c for c in columns]
    fmts = [book.fmt(label(c).fmt) if label(c).fmt != "General" else None for c in columns]
    n = len(df)
    data = _table_data(df)
    last_row = row + max(n, 1)
    if header_wrap:
        ws.set_row(row, 45)
    ws.add_table(row, col, last_row, col + len(columns) - 1, {
        "name": book.table_name(name),
        "columns": [{"header": h, **({"format": f} if f is not None else {}),
                     **({"header_format": book.wrap} if header_wrap else {})}
                    for h, f in zip(heads, fmts, strict=True)],
        "data": data if n else [[None] * len(columns)],
        "autofilter": autofilter,
        "style": "Table Style Light 9",
    })
    if widths is not None:
        for j, (h, c) in enumerate(zip(heads, columns, strict=True)):
            sample = df[c].head(200).astype(object).map(
                lambda v: len(str(v)) if v is not None else 0)
            head_w = 12 if header_wrap else len(h) + 2
            w = max(head_w, int(sample.max()) + 2 if n else 0, 8)
            widths[col + j] = max(widths.get(col + j, 0), min(w, 60))
    return last_row + 1


def apply_widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for j, w in widths.items():
        ws.set_column(j, j, w)


def signs(book: Book, ws: Worksheet, first_row: int, last_row: int, first_col: int,
           last_col: int) -> None:
    """Highlight gains green and losses red in a numeric block."""
    if last_row < first_row or last_col < first_col:
        return
    ws.conditional_format(first_row, first_col, last_row, last_col,
                          {"type": "cell", "criteria": ">", "value": 0, "format": book.good})
    ws.conditional_format(first_row, first_col, last_row, last_col,
                          {"type": "cell", "criteria": "<", "value": 0, "format": book.bad})


def kv(book: Book, ws: Worksheet, rows: list[tuple[str, str]], row: int, name: str,
        widths: dict[int, int]) -> int:
    df = pd.DataFrame(rows, columns=["item", "value"])
    return write_table(book, ws, df, row, 0, name, widths=widths)


