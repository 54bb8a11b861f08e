"""Column checks of the input contract, one per column kind (``schema.ColumnSpec.kind``).

Each check converts one column of a raw sheet to its normalised dtype, vectorised over the
distinct cells (pandas), and records every cell that breaks its rule in a
:class:`Collector` (at most ``MAX_LISTED`` cells listed per sheet, column and rule; the rest
counted). :func:`convert_column` dispatches on the kind; :mod:`.validate` runs the sheets.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pycountry

from fta_compare.errors import Issue
from fta_compare.inputs.cells import Column, blank_cells
from fta_compare.inputs.hs import WILDCARD
from fta_compare.inputs.schema import ColumnSpec, SheetSpec
from fta_compare.inputs.tables import FILE_COL, ROW_COL, SHEET_COL

MAX_LISTED = 25
MAX_RATE = 10.0  # 1000%: anything above is a typing error in any tariff schedule
MAX_VALUE = 1e15  # above world GDP in any currency unit; sums would lose all precision
MAX_ELASTICITY = 1e5  # largest published estimates are ~2e4 (Broda-Weinstein sigmas)
FIRST_YEAR, LAST_YEAR = 1947, 2100
HS_REVISIONS = ("HS1992", "HS1996", "HS2002", "HS2007", "HS2012", "HS2017", "HS2022")
ISO3: frozenset[str] = frozenset(c.alpha_3 for c in pycountry.countries)
INF_WORDS = frozenset({"inf", "infinite", "infinity", "+inf"})


class Collector:
    """Collect issues, capping the cells listed per (file, sheet, column, rule)."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self._counts: dict[tuple[str, str, str, str], int] = {}

    def cells(self, df: pd.DataFrame, mask: np.ndarray | pd.Series, column: str, rule: str,
              severity: str = "error") -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        sub = df.loc[mask, [FILE_COL, SHEET_COL, ROW_COL, column]]
        letters_by_sheet = df.attrs.get("letters", {})
        for (file, sheet), grp in sub.groupby([FILE_COL, SHEET_COL], sort=False):
            letter = letters_by_sheet.get((file, sheet), {}).get(column, column)
            key = (str(file), str(sheet), column, rule)
            shown = self._counts.get(key, 0)
            take = grp.iloc[: max(0, MAX_LISTED - shown)]
            for row, value in zip(take[ROW_COL].to_numpy(), take[column].to_numpy(),
                                  strict=True):
                self.issues.append(Issue(str(file), str(sheet), f"{letter}{int(row)}",
                                         show_value(value), rule, severity))  # type: ignore[arg-type]
            rest = len(grp) - len(take)
            self._counts[key] = shown + len(grp)
            if rest > 0:
                self.issues.append(Issue(str(file), str(sheet), f"{letter}", "",
                                         f"... and {rest} more cell(s) in column '{column}': "
                                         f"{rule}", severity))  # type: ignore[arg-type]

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)


def show_value(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def _is_number_like(v: object) -> bool:
    """Cell types that may hold a number: int, float or text (not bool, date, duration)."""
    return v is None or (isinstance(v, (int, float, str, np.number)) and
                         not isinstance(v, (bool, np.bool_)))


def _numbers(c: Column, index: pd.Index) -> tuple[pd.Series, np.ndarray]:
    """Numeric values and a mask of non-blank cells that are not numbers.

    Dates, times, durations and booleans are not numbers (pandas would turn them into
    nanoseconds or 0/1); text is parsed ('inf' and friends mean infinity). A column of
    plain numbers (and blanks) converts in one step; any other, once per distinct cell.
    """
    if c.numeric:
        values = c.series.to_numpy() if c.series.dtype != object else c.values
        num = pd.to_numeric(values, errors="coerce").astype(float)
        return pd.Series(num, index=index), np.zeros(len(num), dtype=bool)
    d = c.distinct
    num_u, bad_u = _distinct_numbers(d.uniques)
    return pd.Series(d.rows(num_u), index=index), d.rows(bad_u)


def _distinct_numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_numbers` on distinct cells (one Python call each)."""
    blank = blank_cells(s)
    ok_type = s.map(_is_number_like).to_numpy(dtype=bool)
    text = s.where(ok_type, None).map(lambda v: v.strip().lower() if isinstance(v, str) else v)
    is_inf = text.isin(INF_WORDS).to_numpy()
    num = pd.to_numeric(text.where(~is_inf), errors="coerce").astype(float)
    num = num.where(~is_inf, np.inf).where(ok_type, np.nan)
    bad = (~blank) & (num.isna().to_numpy() | ~ok_type)
    return num.to_numpy(dtype=float), bad


def _hs_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, sheet: SheetSpec,
               out: Collector) -> pd.Series:
    d = c.distinct
    u = d.uniques
    blank = d.rows(blank_cells(u))
    is_num = d.rows(u.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
                    .to_numpy(dtype=bool))
    text = u.map(_hs_text)
    digits = d.rows(text.str.fullmatch(r"[0-9]{2,6}").fillna(False).to_numpy(dtype=bool))
    star = d.rows(text.eq(WILDCARD).to_numpy())
    allow_star = spec.kind == "hs_star"
    odd = is_num & digits & d.rows(text.str.len().to_numpy() % 2 == 1)
    out.cells(df, odd & ~blank, spec.name,
              "HS code typed as a number lost its leading zero (e.g. 10121 for '010121'); "
              "format the column as text and type the code with its zeros")
    bad = ~blank & ~odd & ~(digits | (star & allow_star))
    rule = "HS code must be 2 to 6 digits" + (" or *" if allow_star else "") + " (text)"
    out.cells(df, bad, spec.name, rule)
    numeric_even = is_num & digits & ~odd
    out.cells(df, numeric_even, spec.name, "HS code stored as a number; read as text "
              "(keep HS columns formatted as text)", severity="warning")
    return d.strings(text, df.index)


def _hs_text(v: object) -> str:
    if isinstance(v, bool) or v is None:
        return "" if v is None else str(v)
    if isinstance(v, float):
        return str(int(v)) if v == v and float(v).is_integer() else str(v)
    if isinstance(v, int):
        return str(v)
    return str(v).strip()


def _code_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, regions: frozenset[str],
                 out: Collector) -> pd.Series:
    d = c.distinct
    blank_u = blank_cells(d.uniques)
    codes = d.uniques.map(lambda v: str(v).strip().upper() if v is not None else "")
    known = codes.isin(ISO3 | regions).to_numpy().copy()
    if spec.kind == "code_star":
        known |= codes.eq(WILDCARD).to_numpy()
    out.cells(df, d.rows(~blank_u & ~known), spec.name,
              "unknown economy code: use ISO 3166 alpha-3 (KOR, JPN, CHN, USA) or a code "
              "declared in the 'regions' sheet")
    return d.strings(codes.where(~blank_u, ""), df.index)


def _codes_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, regions: frozenset[str],
                  out: Collector) -> pd.Series:
    s = pd.Series(c.values, index=df.index, dtype=object).map(
        lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v))
    lists = s.map(lambda v: [c.strip().upper() for c in v.replace(";", ",").split(",")
                             if c.strip()])
    bad = lists.map(lambda cs: any(c not in ISO3 and c not in regions for c in cs)).to_numpy()
    out.cells(df, bad, spec.name, "member list holds a code that is not ISO 3166 alpha-3 "
              "nor a declared region (comma-separated, e.g. 'CHN, JPN, KOR')")
    return lists.map(lambda cs: ",".join(cs))


def _rate_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, sheet: SheetSpec, max_rate: float,
                 out: Collector) -> pd.Series:
    num, bad = _numbers(c, df.index)
    out.cells(df, bad, spec.name, "rate is not a number (rates are fractions: 0.08 = 8%)")
    v = num.to_numpy()
    finite = np.isfinite(v)
    out.cells(df, finite & (v < 0), spec.name, "rate is negative")
    over10 = finite & (v > MAX_RATE)
    out.cells(df, over10, spec.name, "rate above 10 (1000%): rates are fractions "
              "(0.08 = 8%), so this looks like a percent or a typing error")
    pct = finite & (v > max_rate) & ~over10
    nonzero = finite & (v > 0)
    percent_coded = nonzero.sum() > 0 and (v[nonzero] >= 1).mean() > 0.5
    rule = ("rate above 100% looks like a percent: rates are fractions (0.08 = 8%)"
            + ("; the whole column looks percent-coded, divide it by 100" if percent_coded
               else f"; if a rate above {max_rate:.0%} is real, set meta 'max_rate'"))
    out.cells(df, pct, spec.name, rule)
    out.cells(df, ~np.isfinite(v) & ~np.isnan(v), spec.name, "rate is infinite")
    return num


def _elasticity_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: Collector) -> pd.Series:
    num, bad = _numbers(c, df.index)
    out.cells(df, bad, spec.name, "elasticity is not a number")
    v = num.to_numpy()
    huge = np.isfinite(v) & (np.abs(v) > MAX_ELASTICITY)
    if spec.name in ("import_demand", "substitution"):
        out.cells(df, huge, spec.name, f"elasticity beyond +/-{MAX_ELASTICITY:.0e} is not "
                  "plausible (published estimates stay well below); check the cell")
    if spec.name == "import_demand":
        out.cells(df, ~np.isnan(v) & (v >= 0), spec.name,
                  "import demand elasticity must be negative (< 0)")
        out.cells(df, np.isinf(v), spec.name, "import demand elasticity must be finite")
    elif spec.name == "substitution":
        out.cells(df, ~np.isnan(v) & (v <= 0), spec.name,
                  "substitution elasticity must be positive (> 0)")
        out.cells(df, np.isinf(v), spec.name, "substitution elasticity must be finite")
    elif spec.name == "export_supply":
        out.cells(df, ~np.isnan(v) & (v <= 0), spec.name,
                  "export supply elasticity must be positive (> 0), blank or inf")
        out.cells(df, huge & (v > 0), spec.name, f"export supply elasticity above "
                  f"{MAX_ELASTICITY:.0e} is treated as infinite", severity="warning")
        num = num.fillna(np.inf).where(~(huge & (v > 0)), np.inf)
    return num


def _money_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: Collector,
                  noun: str, signed: bool) -> pd.Series:
    """Money values: numbers, finite, of a plausible size; ``signed`` False also refuses
    negatives (and bounds the value itself, not its magnitude)."""
    num, bad = _numbers(c, df.index)
    out.cells(df, bad, spec.name, "value is not a number")
    v = num.to_numpy()
    if not signed:
        out.cells(df, v < 0, spec.name, f"{noun} must be >= 0")
    out.cells(df, np.isinf(v), spec.name, f"{noun} must be finite")
    size, word = (np.abs(v), "beyond") if signed else (v, "above")
    out.cells(df, np.isfinite(v) & (size > MAX_VALUE), spec.name,
              f"{noun} {word} {MAX_VALUE:.0e} is not plausible in any currency unit "
              "(check the unit in meta 'currency_unit')")
    return num


def _value_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: Collector) -> pd.Series:
    """Trade values: as :func:`_money_column`, never negative."""
    return _money_column(df, c, spec, out, "trade value", signed=False)


def _flow_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: Collector) -> pd.Series:
    """GE money values: numbers, finite, plausible; the sign is checked by ge_validate."""
    return _money_column(df, c, spec, out, "value", signed=True)


def _share_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: Collector) -> pd.Series:
    num, bad = _numbers(c, df.index)
    out.cells(df, bad, spec.name, "share is not a number")
    v = num.to_numpy()
    out.cells(df, (v < 0) | (v > 1), spec.name, "share must be within 0 and 1 (a fraction)")
    return num


def _float_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: Collector) -> pd.Series:
    num, bad = _numbers(c, df.index)
    out.cells(df, bad, spec.name, "not a number")
    out.cells(df, np.isinf(num.to_numpy()), spec.name, "must be finite")
    return num


def _year_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: Collector) -> pd.Series:
    num, bad = _numbers(c, df.index)
    v = num.to_numpy()
    with np.errstate(invalid="ignore"):
        ok = np.isnan(v) | ((v >= FIRST_YEAR) & (v <= LAST_YEAR) & (np.mod(v, 1) == 0))
    out.cells(df, bad | ~ok, spec.name,
              f"year must be a whole number between {FIRST_YEAR} and {LAST_YEAR}")
    return num.where(ok).round().astype("Int64")


_TZ_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
RELATIVE_DATES = frozenset({"now", "today", "tomorrow", "yesterday"})


def _date_input(v: object) -> object:
    """A cell as ``pd.to_datetime`` should see it; None where it cannot be a date.

    Numbers (Excel serials typed as numbers), times, durations and booleans are not dates;
    'now'/'today' would make a run depend on the day it runs; a time zone is dropped
    (tariff dates are calendar days), so mixed zones cannot break parsing.
    """
    if isinstance(v, str):
        text = v.strip()
        return None if text.lower() in RELATIVE_DATES else _TZ_SUFFIX.sub("", text)
    if isinstance(v, datetime.datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, datetime.date):
        return v
    return None


def _date_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: Collector) -> pd.Series:
    """Dates parsed once per distinct cell (a long sheet repeats a few dates)."""
    d = c.distinct
    values = d.uniques.where(~blank_cells(d.uniques), None).map(_date_input)
    try:
        once = pd.to_datetime(values, errors="coerce", format="mixed")
    except (ValueError, TypeError, OverflowError):  # one odd cell: parse cell by cell
        once = pd.to_datetime(values.map(_one_date), errors="coerce")
    parsed = pd.Series(d.rows(once.to_numpy()), index=df.index, dtype=once.dtype)
    not_date = ~c.blank & parsed.isna().to_numpy()
    out.cells(df, not_date, spec.name, "not a date (use a date cell or text YYYY-MM-DD)")
    years = parsed.dt.year.to_numpy(dtype=float, na_value=np.nan)
    far = ~not_date & ~np.isnan(years) & ((years < FIRST_YEAR) | (years > LAST_YEAR))
    out.cells(df, far, spec.name, f"date outside {FIRST_YEAR}-{LAST_YEAR} (a typing error?)")
    return parsed.where(~far).dt.normalize()


def _one_date(v: object) -> pd.Timestamp | None:
    try:
        ts = pd.to_datetime(v, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return None
    if ts is None or pd.isna(ts):
        return None
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def _enum_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: Collector) -> pd.Series:
    allowed = spec.kind.split(":", 1)[1].split("|")
    d = c.distinct
    canon = {a.lower(): a for a in allowed}
    norm = d.uniques.map(_hs_text).str.lower().map(canon)
    blank = blank_cells(d.uniques)
    out.cells(df, d.rows(~blank & norm.isna().to_numpy()), spec.name,
              f"must be one of: {', '.join(allowed)}")
    return d.strings(norm.fillna(""), df.index)


def _text_column(df: pd.DataFrame, c: Column, spec: ColumnSpec) -> pd.Series:
    d = c.distinct
    text = d.uniques.map(lambda v: "" if v is None or (isinstance(v, float) and v != v)
                         else (str(int(v)) if isinstance(v, float) and v.is_integer()
                               else str(v)).strip())
    if isinstance(c.series.dtype, pd.StringDtype) and c.series.dtype == "str" \
            and text.astype(object).equals(d.uniques):  # already clean (reader fast path)
        return pd.Series(c.series.array, index=df.index)
    return d.strings(text, df.index)


def convert_column(df: pd.DataFrame, c: Column, col: ColumnSpec, spec: SheetSpec,
             regions: frozenset[str], max_rate: float, out: Collector) -> pd.Series:
    kind = col.kind
    handlers: dict[str, Callable[[], pd.Series]] = {
        "hs": lambda: _hs_column(df, c, col, spec, out),
        "hs_star": lambda: _hs_column(df, c, col, spec, out),
        "code": lambda: _code_column(df, c, col, regions, out),
        "code_star": lambda: _code_column(df, c, col, regions, out),
        "codes": lambda: _codes_column(df, c, col, regions, out),
        "rate": lambda: _rate_column(df, c, col, spec, max_rate, out),
        "value": lambda: _value_column(df, c, col, out),
        "flow": lambda: _flow_column(df, c, col, out),
        "elasticity": lambda: _elasticity_column(df, c, col, out),
        "share": lambda: _share_column(df, c, col, out),
        "float": lambda: _float_column(df, c, col, out),
        "year": lambda: _year_column(df, c, col, out),
        "date": lambda: _date_column(df, c, col, out),
        "text": lambda: _text_column(df, c, col),
    }
    if kind.startswith("enum:"):
        return _enum_column(df, c, col, out)
    return handlers[kind]()
