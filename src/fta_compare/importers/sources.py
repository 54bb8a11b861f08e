"""Reading downloads (CSV/TSV, xlsx, Parquet) as text cells with their column letters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.errors import InputError
from fta_compare.importers.common import _fail, _letter, _norm, _text


@dataclass
class _Source:
    """A downloaded table: text cells, original headers, column letters, row numbers."""

    path: Path
    sheet: str
    df: pd.DataFrame
    letters: dict[str, str]
    row_numbers: np.ndarray | None = None  # row number of each df row (default 2, 3, ...)

    @property
    def name(self) -> str:
        return self.path.name

    def rownums(self) -> np.ndarray:
        if self.row_numbers is not None:
            return self.row_numbers
        return 2 + np.arange(len(self.df))

    def column(self, candidates: Iterable[str]) -> str | None:
        """The first header whose normalised name is among ``candidates`` (in their order)."""
        norm = {_norm(c): c for c in reversed(list(self.df.columns))}
        for cand in candidates:
            if _norm(cand) in norm:
                return norm[_norm(cand)]
        return None


def _sniff_sep(path: Path, encoding: str) -> str:
    with path.open("r", encoding=encoding, newline="") as fh:
        head = fh.readline()
    counts = {sep: head.count(sep) for sep in (",", ";", "\t", "|")}
    return max(counts, key=lambda k: counts[k]) if any(counts.values()) else ","


def _read_source(path: Path, sheet: str | None = None) -> _Source:
    """Read a CSV/TSV, xlsx or Parquet download as text cells; every problem an Issue."""
    path = Path(path)
    if not path.exists():
        raise _fail(path.name, "file not found", str(path))
    if path.is_dir():
        raise _fail(path.name, "is a folder, not a file", str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx_source(path, sheet)
    if suffix in (".parquet", ".pq"):
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types
            raise _fail(path.name, f"cannot read Parquet: {exc}") from None
        df = df.astype(object).map(_text)
        df.columns = [str(c).strip() for c in df.columns]
        return _Source(path, path.stem, df, {c: _letter(j) for j, c in enumerate(df.columns)})
    if suffix == ".xls":
        raise _fail(path.name, "old .xls format is not read; save it as .xlsx or CSV")
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK"):
        raise _fail(path.name, "file is an Excel workbook or a zip, not CSV text; unzip "
                    "the download or name the workbook .xlsx")
    df = None
    for encoding in ("utf-8-sig", "latin-1"):  # WITS CSVs are often ISO-8859-1
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding,
                             sep=_sniff_sep(path, encoding), skipinitialspace=True)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            raise _fail(path.name, "file is empty (no header row)") from None
        except Exception as exc:  # ParserError, csv.Error, OSError
            raise _fail(path.name, f"cannot parse CSV: {exc}") from None
    if df is None:
        raise _fail(path.name, "cannot decode the file as UTF-8 or Latin-1 text")
    df.columns = [str(c).strip() for c in df.columns]
    return _Source(path, path.stem, df, {c: _letter(j) for j, c in enumerate(df.columns)})


def _read_xlsx_source(path: Path, sheet: str | None) -> _Source:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise _fail(path.name, f"cannot open workbook: {exc}") from None
    try:
        names = wb.sheet_names
        if sheet is None:
            sheet = names[0] if names else ""
        if sheet not in names:
            raise _fail(path.name, f"no sheet '{sheet}' (sheets: {', '.join(names)})")
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except InputError:
        raise
    except Exception as exc:  # calamine raises several types
        raise _fail(path.name, f"cannot read sheet: {exc}", sheet=sheet or "") from None
    finally:
        wb.close()
    start = next((i for i, r in enumerate(rows) if any(_text(v) for v in r)), None)
    if start is None:
        raise _fail(path.name, "sheet is empty (no header row)", sheet=sheet)
    header = [_text(h) or f"column_{j + 1}" for j, h in enumerate(rows[start])]
    width = len(header)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[start + 1:]]
    df = pd.DataFrame(body, columns=header, dtype=object).map(_text)
    df = df.loc[(df != "").any(axis=1)] if len(df) else df
    rows_kept = df.index.to_numpy() + start + 2  # Excel row numbers of the kept rows
    return _Source(path, sheet, df.reset_index(drop=True),
                   {c: _letter(j) for j, c in enumerate(header)}, rows_kept)

