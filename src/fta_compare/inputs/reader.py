"""Read input tables from .xlsx workbooks, CSV and Parquet files, keeping cell locations.

Workbooks are read with the calamine engine, after safety checks on the zip container
that run *before* calamine parses any XML (:mod:`.xlsx_container`: zip bombs, lying
headers, DTDs and entities, oversized cell grids); formulas without a cached value and
cells holding an Excel error are listed when they are in a contract column. A cleared
sheet goes straight to typed columns through fastexcel (:mod:`.reader_fast`) when the
table it gives is provably the one the cell-by-cell path gives; otherwise, and for every
odd sheet, python-calamine hands over each cell (measured against openpyxl read-only mode
in ``benchmarks/read_engines.py``).

Any error of the third-party parsers (including a Rust panic) becomes an
:class:`~fta_compare.errors.Issue` naming the file: no user mistake gives a traceback.

Every returned table keeps where each row came from (``_file``, ``_sheet``, ``_row``)
and the column letters of each source sheet in ``df.attrs['letters']``.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from fta_compare.errors import Issue
from fta_compare.inputs.cells import map_rows
from fta_compare.inputs.early_parse import EarlyParse
from fta_compare.inputs.headers import header_names, is_blank, normalise_name
from fta_compare.inputs.reader_fast import fast_frame, open_reader
from fta_compare.inputs.schema import SHEETS
from fta_compare.inputs.sheet_scan import MAX_CELLS, MAX_COLUMNS
from fta_compare.inputs.tables import FILE_COL, ROW_COL, SHEET_COL, column_letter
from fta_compare.inputs.xlsx_container import (
    MAX_CELLS_LISTED,
    OLE2_MAGIC,
    SheetScans,
    container_checks,
)

SPLIT_SHEET = re.compile(r"^(?P<base>[a-z_]+?)_(?P<part>\d+)$")


@dataclass
class ReadResult:
    """Tables read from all inputs, by contract sheet name, plus problems found."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # files refused or not parsed at all
    failed_tables: set[str] = field(default_factory=set)  # sheets present but not readable


INFO_SHEETS = frozenset({"readme"})  # sheets for people, known and not read


def _table_name(sheet: str) -> str:
    """Contract table a sheet belongs to: 'trade_2' -> 'trade' (split tables are joined)."""
    norm = normalise_name(sheet)
    if norm in SHEETS:
        return norm
    m = SPLIT_SHEET.match(norm)
    if m and m.group("base") in SHEETS:
        return m.group("base")
    return norm


def _frame(
    rows: list[list[object]], file: str, sheet: str, header_row: int, first_data_row: int,
    issues: list[Issue] | None = None,
) -> pd.DataFrame:
    """DataFrame from a header and data rows, with location columns and letters."""
    header = rows[0] if rows else []
    names = header_names(list(header), file, sheet, header_row,
                          issues if issues is not None else [])
    body = rows[1:]
    width = len(names)
    keep = [i for i, n in enumerate(names) if n]
    grid = np.empty((len(body), width), dtype=object)
    if all(len(r) == width for r in body):  # calamine's rows are rectangular
        if body:
            grid[:] = body
    else:
        for i, r in enumerate(body):
            padded = list(r[:width])
            grid[i] = padded + [""] * (width - len(padded))
    df = pd.DataFrame({names[i]: grid[:, i] for i in keep}, index=pd.RangeIndex(len(body)),
                      dtype=object)
    df[FILE_COL] = file
    df[SHEET_COL] = sheet
    df[ROW_COL] = np.arange(first_data_row, first_data_row + len(df))
    # drop rows that are entirely blank (keep row numbers of the rest)
    if keep and len(df):
        blank = np.ones(len(df), dtype=bool)
        for i in keep:  # only rows blank so far are looked at in the next column
            rows_left = np.flatnonzero(blank)
            blank[rows_left] = map_rows(grid[rows_left, i], is_blank).astype(bool)
        df = df.loc[~blank]
    df.attrs["letters"] = {(file, sheet): {names[i]: column_letter(i) for i in keep}}
    df.attrs["header_row"] = {(file, sheet): header_row}
    return df.reset_index(drop=True)


def _is_panic(exc: BaseException) -> bool:
    """A Rust panic inside python-calamine (pyo3's PanicException is a BaseException)."""
    return type(exc).__name__ == "PanicException"


def _read_xlsx(path: Path, result: ReadResult, scanned: threading.Event | None = None,
               early: EarlyParse | None = None) -> None:
    """Read a workbook once every part has passed the container checks.

    The non-sheet parts are scanned first (calamine reads them on opening); each worksheet
    part is scanned by :class:`SheetScans` before calamine reads that sheet, overlapping
    the parse of other sheets. The sheets go to a scratch result that joins
    ``result`` only if no part of the workbook is refused, as with a scan done up front.
    """
    name = path.name
    problems, _, later = container_checks(path, defer_sheets=True)  # sheets: in `later`
    if problems:
        result.issues.extend(problems)
        result.unreadable.add(name)
        return
    local = ReadResult()
    with SheetScans(path, later, scanned) as scans:
        try:
            _read_xlsx_sheets(path, local, scans, early)
        except Exception as exc:  # a parser failure on user data is an issue
            _unreadable(local, name, f"cannot read workbook: {type(exc).__name__}: {exc}")
        except BaseException as exc:
            if not _is_panic(exc):
                raise
            _unreadable(local, name, f"cannot read workbook (the xlsx parser failed: {exc})")
        fatal = scans.fatal()
    if fatal:
        result.issues.extend(fatal)
        result.unreadable.add(name)
        return
    result.issues.extend(local.issues)
    result.unreadable |= local.unreadable
    result.failed_tables |= local.failed_tables
    for table, df in local.tables.items():
        _append(result, table, df)


def _read_xlsx_sheets(path: Path, result: ReadResult, scans: SheetScans,
                      early: EarlyParse | None = None) -> None:
    """Every contract sheet of the workbook into ``result``, in workbook order.

    Sheets are parsed on two threads in the order :class:`SheetScans` scans them (largest
    part first, so the longest parse starts early), each as soon as its scan has passed;
    each sheet's rows and issues are kept apart and joined in workbook order at the end.
    """
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    name = path.name
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # CalamineError, XmlError, ZipError, ...
        _unreadable(result, name, f"cannot open workbook: {exc}")
        return
    try:
        per_sheet: list[ReadResult] = []
        to_read: list[tuple[int, str, str]] = []  # (position, sheet, table)
        for k, meta in enumerate(wb.sheets_metadata):
            sheet = meta.name
            table = _table_name(sheet)
            part = ReadResult()
            per_sheet.append(part)
            if table in INFO_SHEETS:
                continue  # a sheet for people (the template's README): not data
            if table not in SHEETS:
                part.issues.append(Issue(name, sheet, "", "", "unknown sheet ignored "
                                         f"(contract sheets: {', '.join(SHEETS)})", "warning"))
            elif meta.visible != SheetVisibleEnum.Visible:
                part.issues.append(Issue(name, sheet, "", "", "sheet is hidden; contract "
                                         "sheets must be visible so reviewers see what is "
                                         "used (unhide it or delete it)"))
                part.failed_tables.add(table)
            else:
                to_read.append((k, sheet, table))
        if not _read_cleared(path, sorted(to_read, key=lambda x: scans.order(x[1])),
                             per_sheet, scans, early):
            return  # the workbook is refused as a whole (see _read_xlsx)
        for part in per_sheet:  # workbook order
            result.issues.extend(part.issues)
            result.failed_tables |= part.failed_tables
            for table, df in part.tables.items():
                _append(result, table, df)
    finally:
        wb.close()


READ_THREADS = 2  # sheets parsed side by side (calamine parses without the GIL)


def _read_cleared(path: Path, order: list[tuple[int, str, str]], per_sheet: list[ReadResult],
                  scans: SheetScans, early: EarlyParse | None = None) -> bool:
    """Parse each sheet of ``order`` (position, sheet, table) into ``per_sheet[position]``
    once its scan has passed, on :data:`READ_THREADS` threads, each with its own calamine
    workbook; False (and no further sheet parsed) as soon as a scan refuses the workbook.
    ``early``: a sheet already parsed in a process of its own, taken when its scan shows
    the layout that parse assumed (:mod:`.early_parse`)."""
    from python_calamine import CalamineWorkbook

    local = threading.local()
    opened: list[object] = []
    refused = threading.Event()

    def read(k: int, sheet: str, table: str) -> None:
        bad, found = scans.wait(sheet)
        if bad is not None:
            refused.set()
        if refused.is_set():
            return
        layout = scans.layout(sheet)
        if not found and layout is not None and layout.first_value_row > 0 \
                and not layout.merged:
            if not hasattr(local, "fast"):
                local.fast = open_reader(str(path))
            if local.fast is not None:
                part = per_sheet[k]
                loaded = (early.columns() if early is not None and early.covers(path, sheet)
                          and layout.first_value_row == 1 else None)
                df = fast_frame(local.fast, path.name, sheet, table,
                                layout.first_value_row, part.issues, loaded)
                if df is not None:
                    _append(part, table, df)
                    return
        wb = getattr(local, "wb", None)
        if wb is None:
            wb = local.wb = CalamineWorkbook.from_path(str(path))
            opened.append(wb)
        _read_one_sheet(wb, path.name, sheet, table, per_sheet[k], found)

    try:
        # a thread waiting for the early parse parses nothing: one more beside it
        waits = early is not None and any(early.covers(path, sheet) for _, sheet, _ in order)
        with ThreadPoolExecutor(max_workers=READ_THREADS + waits,
                                thread_name_prefix="xlsx-read") as pool:
            jobs = [pool.submit(read, *item) for item in order]
            for job in jobs:
                job.result()  # re-raises a parser failure (see _read_xlsx)
    finally:
        for wb in opened:
            wb.close()  # type: ignore[attr-defined]
    return not refused.is_set()


def _read_one_sheet(wb: object, name: str, sheet: str, table: str, result: ReadResult,
                    found: list[tuple[str, str, str]]) -> None:
    """One cleared sheet: calamine's rows -> a table with cell locations, plus its issues."""
    try:
        ws = wb.get_sheet_by_name(sheet)  # type: ignore[attr-defined]
        if ws.width > MAX_COLUMNS or ws.width * ws.height > MAX_CELLS:
            result.issues.append(Issue(name, sheet, "", f"{ws.height}x{ws.width}",
                                       "sheet has absurd dimensions; refused"))
            result.failed_tables.add(table)
            return
        rows = ws.to_python(skip_empty_area=False)
        merged = ws.merged_cell_ranges or []
    except Exception as exc:  # calamine raises several types
        result.issues.append(Issue(name, sheet, "", "", f"cannot read sheet: {exc}"))
        result.failed_tables.add(table)
        return
    for (r0, c0), (r1, c1) in merged:
        result.issues.append(Issue(
            name, sheet, f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}",
            "", "merged cells are not allowed in data sheets (unmerge and fill "
            "every cell)"))
    df = _add_sheet_rows(rows, name, sheet, table, result)
    if df is not None:
        result.issues.extend(_cell_findings(name, sheet, table, df, found))


_REF_PARTS = re.compile(r"([A-Z]+)(\d+)")


def _cell_findings(file: str, sheet: str, table: str, df: pd.DataFrame,
                   found: list[tuple[str, str, str]]) -> list[Issue]:
    """Odd cells (formula without value, Excel error) that lie in a contract column."""
    if not found:
        return []
    letters = df.attrs.get("letters", {}).get((file, sheet), {})
    wanted = {letter for col, letter in letters.items()
              if col in {c.name for c in SHEETS[table].columns}}
    issues: list[Issue] = []
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for rule, cell, value in found:
        if not rule:  # the scan kept only the first findings of a huge sheet
            issues.append(Issue(file, sheet, "", "", f"... and {value} more cell(s) with a "
                                "formula and no value, or an Excel error"))
            continue
        m = _REF_PARTS.fullmatch(cell)
        if m is not None and m.group(1) not in wanted:
            continue
        if shown.get(rule, 0) >= MAX_CELLS_LISTED:
            hidden[rule] = hidden.get(rule, 0) + 1
            continue
        shown[rule] = shown.get(rule, 0) + 1
        issues.append(Issue(file, sheet, cell, value, rule))
    issues.extend(Issue(file, sheet, "", "", f"... and {n} more cell(s): {rule}")
                  for rule, n in hidden.items())
    return issues


def _add_sheet_rows(
    rows: list[list[object]], file: str, sheet: str, table: str, result: ReadResult
) -> pd.DataFrame | None:
    start = next((i for i, r in enumerate(rows) if any(not is_blank(v) for v in r)), None)
    if start is None:
        result.issues.append(Issue(file, sheet, "", "", "sheet is empty (no header row)",
                                   "warning"))
        return None
    df = _frame(rows[start:], file, sheet, header_row=start + 1, first_data_row=start + 2,
                issues=result.issues)
    _append(result, table, df)
    return df


def _append(result: ReadResult, table: str, df: pd.DataFrame) -> None:
    """Add a sheet's rows to a table; ``trade_1``, ``trade_2`` join, a repeated name is an error."""
    old = result.tables.get(table)
    if old is None:
        result.tables[table] = df
        return
    seen = {normalise_name(s) for (_f, s) in old.attrs.get("letters", {})}
    for f, s in df.attrs["letters"]:
        if normalise_name(s) in seen:
            result.issues.append(Issue(f, s, "", "", f"sheet '{s}' is given in more than one "
                                       "input; each sheet may appear once (split a large "
                                       f"table as '{table}_1', '{table}_2')"))
            return
    merged = pd.concat([old, df], ignore_index=True, sort=False)
    merged.attrs["letters"] = {**old.attrs.get("letters", {}), **df.attrs["letters"]}
    merged.attrs["header_row"] = {**old.attrs.get("header_row", {}), **df.attrs["header_row"]}
    result.tables[table] = merged


def _unreadable(result: ReadResult, file: str, rule: str, value: str = "") -> None:
    result.issues.append(Issue(file, "", "", value, rule))
    result.unreadable.add(file)


def _read_csv(path: Path, result: ReadResult) -> None:
    name = path.name
    table = _table_name(path.stem)
    if table not in SHEETS:
        _unreadable(result, name, "CSV/Parquet file name must be a contract table name "
                    f"(e.g. trade.csv); got '{path.stem}'")
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        _unreadable(result, name, f"cannot read file: {exc.strerror}")
        return
    if not head:
        _unreadable(result, name, "file is empty (0 bytes)")
        return
    if head.startswith(b"PK") or head == OLE2_MAGIC:
        _unreadable(result, name, "file is an Excel workbook, not CSV text; name it .xlsx "
                    "(or save the sheet as CSV UTF-8)")
        return
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, header=None,
                          encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        _unreadable(result, name, "file is empty (no header row)")
        return
    except UnicodeDecodeError:
        _unreadable(result, name, "CSV is not UTF-8 text; save it as 'CSV UTF-8'")
        return
    except Exception as exc:  # ParserError, OSError, csv.Error, ...
        _unreadable(result, name, f"cannot parse CSV: {exc}")
        return
    rows = raw.to_numpy(dtype=object).tolist()
    _add_sheet_rows(rows, name, path.stem, table, result)


def _read_parquet(path: Path, result: ReadResult) -> None:
    name = path.name
    table = _table_name(path.stem)
    if table not in SHEETS:
        _unreadable(result, name, "CSV/Parquet file name must be a contract table name "
                    f"(e.g. trade.parquet); got '{path.stem}'")
        return
    try:
        import pyarrow.parquet as pq

        arrow = pq.read_table(path)
        df = arrow.to_pandas()
    except Exception as exc:  # pyarrow raises many types for damaged files
        _unreadable(result, name, f"cannot read Parquet: {exc}")
        return
    for column in arrow.schema:  # list/struct cells: shown as text, reported by validation
        if pa.types.is_nested(column.type) and column.name in df.columns:
            df[column.name] = df[column.name].map(
                lambda v: None if v is None else str(v.tolist() if hasattr(v, "tolist") else v))
    header = [str(c) for c in df.columns]
    names = header_names(list(header), name, path.stem, 1, result.issues)
    keep = [i for i, n in enumerate(names) if n]
    df = df.iloc[:, keep]
    df.columns = [names[i] for i in keep]
    df = df.reset_index(drop=True)
    df[FILE_COL] = name
    df[SHEET_COL] = path.stem
    df[ROW_COL] = range(2, 2 + len(df))
    df.attrs["letters"] = {(name, path.stem): {names[i]: column_letter(i) for i in keep}}
    df.attrs["header_row"] = {(name, path.stem): 1}
    _append(result, table, df)


def read_inputs(paths: Sequence[Path | str] | Iterable[Path | str],
                early: EarlyParse | None = None) -> ReadResult:
    """Read every contract table from the given files (xlsx, csv, parquet).

    ``early``: the largest sheet of the first workbook parsed in a process of its own
    (:func:`.early_parse.start_early_parse`); what is read and reported is the same
    without it. Never raises for a user's file: every problem is an :class:`Issue`
    naming the file.
    """
    result = ReadResult()
    with _cyclic_gc_paused():
        _read_paths(paths, result, early)
    return result


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (and restored after): calamine hands over
    millions of row lists, which hold no cycles, and each collection would walk all of
    them again (bundled tables: the read took 7.0 s with the collector, 5.6 s without)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_paths(paths: Sequence[Path | str] | Iterable[Path | str], result: ReadResult,
                early: EarlyParse | None = None) -> None:
    """Each file into a result of its own, joined into ``result`` in the order given.

    Workbooks after the first are read on threads of their own, their safety scans
    starting once the first workbook's scans are done (scans hold the GIL; the first
    one's largest part gates the longest parse), their sheets parsed beside the first
    one's. The join is what a file-by-file read gives, issues included.
    """
    files = [Path(p) for p in paths]
    parts = [ReadResult() for _ in files]
    later = [k for k, f in enumerate(files) if k and f.suffix.lower() in (".xlsx", ".xlsm")]
    first_scanned = threading.Event()

    def after_first(path: Path, part: ReadResult) -> None:
        first_scanned.wait()
        _read_path(path, part)

    with ThreadPoolExecutor(max_workers=max(len(later), 1),
                            thread_name_prefix="xlsx-file") as pool:
        jobs = [pool.submit(after_first, files[k], parts[k]) for k in later]
        try:
            for k, path in enumerate(files):
                if k not in later:
                    _read_path(path, parts[k], first_scanned if k == 0 else None, early)
        finally:
            first_scanned.set()  # also when the first file is no workbook, or refused
        for job in jobs:
            job.result()
    for path, part in zip(files, parts, strict=True):
        result.files.append(str(path))
        result.issues.extend(part.issues)
        result.unreadable |= part.unreadable
        result.failed_tables |= part.failed_tables
        for table, df in part.tables.items():
            _append(result, table, df)


def _read_path(path: Path, result: ReadResult, scanned: threading.Event | None = None,
               early: EarlyParse | None = None) -> None:
    """One file into ``result``; ``scanned`` is set once a workbook's scans are done."""
    name = path.name
    try:
        if not path.exists():
            _unreadable(result, name, "file not found", str(path))
            return
        if path.is_dir():
            _unreadable(result, name, "is a folder, not a file", str(path))
            return
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            _read_xlsx(path, result, scanned, early)
        elif suffix == ".csv":
            _read_csv(path, result)
        elif suffix in (".parquet", ".pq"):
            _read_parquet(path, result)
        elif suffix == ".xls":
            _unreadable(result, name, "old .xls format is not read; save the workbook "
                        "as .xlsx")
        else:
            _unreadable(result, name, "unsupported file type (use .xlsx, .csv or "
                        ".parquet)", suffix)
    except (OSError, ValueError) as exc:  # e.g. a name the OS refuses, a vanished file
        _unreadable(result, name, f"cannot read file: {exc}")
