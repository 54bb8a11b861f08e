"""Fast path of the xlsx reader: a cleared sheet straight to typed columns (fastexcel).

python-calamine hands every cell to Python as an object, and that is most of a large
read; fastexcel (https://github.com/ToucanToco/fastexcel, calamine underneath) builds
Arrow columns in Rust instead. A sheet takes this path only when the table it gives is
the one the cell-by-cell path (:func:`.reader._frame`) gives, cell for cell, once
validated; otherwise :func:`fast_frame` returns None and the reader takes that path:

* the safety scan found no formula without a value, no Excel error and no merged cells,
  and knows the row of the first value (the header row);
* every header cell is text (none empty), and no name repeats (fastexcel would rename
  a repeat ``name_1``);
* every column holds one kind of cell, over all its rows (fastexcel's strict inference):
  text, numbers, or dates that are whole days from 1900 on (``datetime.date``, as
  python-calamine gives them). Times of day, booleans, durations, integers and mixed
  columns take the cell-by-cell path, as does a number column where text was parsed
  ('NA', 'nan').

Empty cells become ``""`` in text columns (as python-calamine gives them) and NaN in
number columns, which validation reads alike (blank).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fta_compare.errors import Issue
from fta_compare.inputs.cells import map_rows
from fta_compare.inputs.headers import header_names, is_blank
from fta_compare.inputs.schema import SHEETS
from fta_compare.inputs.sheet_scan import MAX_CELLS, MAX_COLUMNS
from fta_compare.inputs.tables import FILE_COL, ROW_COL, SHEET_COL, column_letter

# fastexcel logs "Could not determine dtype ... falling back to string" for an empty column
logging.getLogger("fastexcel").setLevel(logging.ERROR)

_ALIAS = re.compile(r"(?P<base>.*)_(?P<k>\d+)")
_NOT_TEXT_HEADER = re.compile(r"(?i)\s*([-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?|true|false)\s*")


def open_reader(path: str) -> object | None:
    """A fastexcel reader of the workbook, or None (fastexcel missing or refusing it)."""
    try:
        import fastexcel

        return fastexcel.read_excel(path)
    except Exception:  # the cell-by-cell path reports what is wrong with the file
        return None
    except BaseException as exc:  # a Rust panic (pyo3's PanicException)
        if type(exc).__name__ != "PanicException":
            raise
        return None


def fast_frame(reader: object, file: str, sheet: str, table: str, header_row: int,
               issues: list[Issue], loaded: tuple[pa.RecordBatch, list[Any]] | None = None
               ) -> pd.DataFrame | None:
    """The sheet as :func:`.reader._frame` would build it, or None to take that path.

    ``header_row`` is the sheet row (1-based) of the first cell holding a value; the
    header's issues go to ``issues`` only when the frame is returned. Columns outside
    the contract of ``table`` are kept as Python objects, as that path gives them
    (validation passes them on unchanged). ``loaded``: the sheet's
    :func:`load_columns` at ``header_row``, when already made (:mod:`.early_parse`).
    """
    if loaded is None:
        loaded = load_columns(reader, sheet, header_row)
    if loaded is None:
        return None
    batch, infos = loaded
    width = max((info.absolute_index for info in infos), default=-1) + 1
    header: list[object] = [None] * width
    for info in infos:
        if info.column_name_from != "looked_up":
            return None  # an empty header cell, or one fastexcel cannot show as text
        header[info.absolute_index] = info.name
    if not _plain_header([h for h in header if isinstance(h, str)]):
        return None
    found: list[Issue] = []
    names = header_names(header, file, sheet, header_row, found)
    columns: dict[str, pd.Series] = {}
    contract = {c.name for c in SHEETS[table].columns}
    blank = np.ones(batch.num_rows, dtype=bool)
    for info, array in zip(infos, batch.columns, strict=True):
        name = names[info.absolute_index]
        if not name:
            continue
        column = _column(array)
        if column is None:
            return None
        blank &= (column.isna().to_numpy() if column.dtype.kind == "f"
                  else map_rows(column, is_blank).astype(bool))
        if name not in contract:  # empty number cells are '' there too
            column = column.astype(object).mask(column.isna(), "")
        columns[name] = column
    if not any(names):
        return None  # no name in this row: the cell-by-cell path finds the header
    issues.extend(found)
    df = pd.DataFrame(columns, index=pd.RangeIndex(batch.num_rows))
    df[FILE_COL] = file
    df[SHEET_COL] = sheet
    df[ROW_COL] = np.arange(header_row + 1, header_row + 1 + batch.num_rows)
    if columns and len(df):
        df = df.loc[~blank]
    df.attrs["letters"] = {(file, sheet): {n: column_letter(j) for j, n in enumerate(names)
                                           if n}}
    df.attrs["header_row"] = {(file, sheet): header_row}
    return df.reset_index(drop=True)


def load_columns(reader: object, sheet: str, header_row: int
                 ) -> tuple[pa.RecordBatch, list[Any]] | None:
    """The sheet's columns with one cell type each (strict, all rows), or None; with
    fastexcel's information on each (``name``, ``absolute_index``, ``column_name_from``)."""
    try:
        ws = reader.load_sheet(  # type: ignore[attr-defined]
            sheet, header_row=header_row - 1, schema_sample_rows=None,
            dtype_coercion="strict")
        if ws.width > MAX_COLUMNS or ws.width * (ws.total_height + header_row) > MAX_CELLS:
            return None
        infos = list(ws.selected_columns)
        batch, errors = ws.to_arrow_with_errors()
    except Exception:  # mixed cell types, or anything fastexcel refuses
        return None
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        return None
    if errors is not None and errors.errors:  # text where numbers were inferred ('NA')
        return None
    return batch, infos


def _plain_header(names: list[str]) -> bool:
    """Header cells that are surely text and not renamed by fastexcel."""
    if any(_NOT_TEXT_HEADER.fullmatch(n) for n in names):
        return False  # may be a number or boolean cell, which python-calamine shows apart
    given = set(names)
    return not any((m := _ALIAS.fullmatch(n)) and m.group("base") in given for n in names)


def _column(array: pa.Array) -> pd.Series | None:
    """A text or number column as the cell-by-cell path would see it; None otherwise."""
    kind = array.type
    if pa.types.is_floating(kind):
        if pc.any(pc.is_nan(array)).as_py():
            return None  # 'nan' typed as text, read as a number
        return pd.Series(array.to_numpy(zero_copy_only=False), dtype=np.float64)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return array.fill_null("").to_pandas()
    if pa.types.is_null(kind):
        return pd.Series([""] * len(array), dtype="str")
    if pa.types.is_timestamp(kind):
        return _dates(array)
    return None


_DAY_MS = 86_400_000
_FIRST_DAY_MS = -2_208_988_800_000  # 1900-01-01: an Excel serial of 1


def _dates(array: pa.Array) -> pd.Series | None:
    """Date cells as python-calamine gives them: ``datetime.date`` where the Excel serial
    is a whole number of at least 1, '' where empty; None (cell-by-cell path) when any cell
    holds a time of day or lies before 1900 (python-calamine gives a datetime or a time)."""
    stamps = array.cast(pa.timestamp("ms"))
    valid = pc.is_valid(stamps).to_numpy(zero_copy_only=False)
    ms = pc.fill_null(stamps.cast(pa.int64()), _FIRST_DAY_MS).to_numpy()
    if np.any(ms % _DAY_MS != 0) or np.any(ms < _FIRST_DAY_MS):
        return None
    values = np.array(stamps.cast(pa.date32()).to_pandas(date_as_object=True), dtype=object)
    values[~valid] = ""
    return pd.Series(values, dtype=object)

