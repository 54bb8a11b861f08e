"""Validate raw tables against the contract and normalise them into :class:`InputTables`.

Checks are vectorised per column (pandas), so a 500,000-row trade sheet costs a few
column operations, not a Python loop over rows. Every problem becomes an
:class:`~fta_compare.errors.Issue` naming file, sheet and cell; all are collected in
one pass. At most ``MAX_LISTED`` cells are listed per (sheet, column, rule); the rest
are counted in one summary line.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry

from fta_compare.errors import Issue
from fta_compare.inputs.cells import Column, blank_cells, first_rows, row_groups
from fta_compare.inputs.hs import WILDCARD
from fta_compare.inputs.reader import ReadResult
from fta_compare.inputs.schema import SHEETS, ColumnSpec, SheetSpec
from fta_compare.inputs.settings import MetaSettings, parse_meta
from fta_compare.inputs.tables import FILE_COL, ROW_COL, SHEET_COL, InputTables

MAX_LISTED = 25
MAX_RATE = 10.0  # 1000%: anything above is a typing error in any tariff schedule
MAX_VALUE = 1e15  # above world GDP in any currency unit; sums would lose all precision
MAX_ELASTICITY = 1e5  # largest published estimates are ~2e4 (Broda-Weinstein sigmas)
FIRST_YEAR, LAST_YEAR = 1947, 2100
HS_REVISIONS = ("HS1992", "HS1996", "HS2002", "HS2007", "HS2012", "HS2017", "HS2022")
ISO3: frozenset[str] = frozenset(c.alpha_3 for c in pycountry.countries)
INF_WORDS = frozenset({"inf", "infinite", "infinity", "+inf"})


class _Collector:
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
                                         _show(value), rule, severity))  # type: ignore[arg-type]
            rest = len(grp) - len(take)
            self._counts[key] = shown + len(grp)
            if rest > 0:
                self.issues.append(Issue(str(file), str(sheet), f"{letter}", "",
                                         f"... and {rest} more cell(s) in column '{column}': "
                                         f"{rule}", severity))  # type: ignore[arg-type]

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)


def _show(v: object) -> str:
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
               out: _Collector) -> pd.Series:
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
                 out: _Collector) -> pd.Series:
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
                  out: _Collector) -> pd.Series:
    s = pd.Series(c.values, index=df.index, dtype=object).map(
        lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v))
    lists = s.map(lambda v: [c.strip().upper() for c in v.replace(";", ",").split(",")
                             if c.strip()])
    bad = lists.map(lambda cs: any(c not in ISO3 and c not in regions for c in cs)).to_numpy()
    out.cells(df, bad, spec.name, "member list holds a code that is not ISO 3166 alpha-3 "
              "nor a declared region (comma-separated, e.g. 'CHN, JPN, KOR')")
    return lists.map(lambda cs: ",".join(cs))


def _rate_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, sheet: SheetSpec, max_rate: float,
                 out: _Collector) -> pd.Series:
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


def _elasticity_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: _Collector) -> pd.Series:
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


def _value_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: _Collector) -> pd.Series:
    num, bad = _numbers(c, df.index)
    out.cells(df, bad, spec.name, "value is not a number")
    v = num.to_numpy()
    out.cells(df, v < 0, spec.name, "trade value must be >= 0")
    out.cells(df, np.isinf(v), spec.name, "trade value must be finite")
    out.cells(df, np.isfinite(v) & (v > MAX_VALUE), spec.name,
              f"trade value above {MAX_VALUE:.0e} is not plausible in any currency unit "
              "(check the unit in meta 'currency_unit')")
    return num


def _flow_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: _Collector) -> pd.Series:
    """GE money values: numbers, finite, plausible; the sign is checked by ge_validate."""
    num, bad = _numbers(c, df.index)
    out.cells(df, bad, spec.name, "value is not a number")
    v = num.to_numpy()
    out.cells(df, np.isinf(v), spec.name, "value must be finite")
    out.cells(df, np.isfinite(v) & (np.abs(v) > MAX_VALUE), spec.name,
              f"value beyond {MAX_VALUE:.0e} is not plausible in any currency unit "
              "(check the unit in meta 'currency_unit')")
    return num


def _share_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: _Collector) -> pd.Series:
    num, bad = _numbers(c, df.index)
    out.cells(df, bad, spec.name, "share is not a number")
    v = num.to_numpy()
    out.cells(df, (v < 0) | (v > 1), spec.name, "share must be within 0 and 1 (a fraction)")
    return num


def _float_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: _Collector) -> pd.Series:
    num, bad = _numbers(c, df.index)
    out.cells(df, bad, spec.name, "not a number")
    out.cells(df, np.isinf(num.to_numpy()), spec.name, "must be finite")
    return num


def _year_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: _Collector) -> pd.Series:
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


def _date_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: _Collector) -> pd.Series:
    s = pd.Series(c.values, index=df.index, dtype=object)
    blank = c.blank
    values = s.where(~blank, None).map(_date_input)
    try:
        parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    except (ValueError, TypeError, OverflowError):  # one odd cell: parse cell by cell
        parsed = pd.to_datetime(values.map(_one_date), errors="coerce")
    not_date = ~blank & parsed.isna().to_numpy()
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


def _enum_column(df: pd.DataFrame, c: Column, spec: ColumnSpec, out: _Collector) -> pd.Series:
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
    return d.strings(text, df.index)


def _check_headers(df: pd.DataFrame, spec: SheetSpec, out: _Collector) -> bool:
    present = [c for c in df.columns if c not in (FILE_COL, SHEET_COL, ROW_COL)]
    ok = True
    for (file, sheet), header_row in df.attrs.get("header_row", {}).items():
        letters = df.attrs["letters"][(file, sheet)]
        here = [c for c in present if c in letters]
        for col in spec.required_columns:
            if col not in letters:
                near = difflib.get_close_matches(col, here, n=1, cutoff=0.6)
                hint = f"; found '{near[0]}' (misspelt?)" if near else (
                    f"; columns found: {', '.join(here)}")
                cell = f"{letters[near[0]]}{header_row}" if near else f"{header_row}:{header_row}"
                out.add(Issue(str(file), str(sheet), cell, near[0] if near else "",
                              f"required column '{col}' is missing in the header row{hint}"))
                ok = False
    return ok


def _duplicates(df: pd.DataFrame, spec: SheetSpec, out: _Collector) -> pd.DataFrame:
    """Rows repeating the key: exact copies dropped (warning), conflicting values errors."""
    if not spec.key or df.empty:
        return df
    key = list(spec.key)
    values = [c.name for c in spec.columns if c.name not in key]
    key_id = row_groups(df, key)
    exact = pd.Series(row_groups(df, values, within=key_id)).duplicated().to_numpy()
    out.cells(df, exact, key[-1], "exact duplicate row ignored", severity="warning")
    if exact.any():
        kept = df.loc[~exact]
        key_id = key_id[~exact]
    else:
        kept = df
    conflict = pd.Series(key_id).duplicated().to_numpy()
    target = values[0] if values else key[-1]
    out.cells(kept, conflict, target,
              f"duplicate {'/'.join(key)} with a conflicting value (each key may appear once)")
    result = kept.reset_index(drop=True)
    result.attrs = df.attrs
    return result


def _regions(tables: dict[str, pd.DataFrame]) -> frozenset[str]:
    reg = tables.get("regions")
    if reg is None or "code" not in reg.columns:
        return frozenset()
    return frozenset(str(c).strip().upper() for c in reg["code"] if not _is_blank_scalar(c))


def _is_blank_scalar(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v) or str(v).strip() == ""


def _meta(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    m = tables.get("meta")
    if m is None or not {"key", "value"} <= set(m.columns):
        return {}
    return {str(k).strip().lower(): _show(v).strip() for k, v in zip(m["key"], m["value"],
                                                                     strict=True)
            if not _is_blank_scalar(k)}


def _meta_issue(tables: dict[str, pd.DataFrame], key: str, value: str, rule: str,
                severity: str = "error") -> Issue:
    """An issue at the 'value' cell of meta row ``key`` (the last one, as ``_meta`` keeps)."""
    m = tables.get("meta")
    file, sheet, cell = "", "meta", ""
    if m is not None and "key" in m.columns and len(m):
        keys = m["key"].map(lambda k: str(k).strip().lower())
        hit = np.flatnonzero(keys.to_numpy() == key)
        if hit.size:
            row = m.iloc[hit[-1]]
            file, sheet = str(row[FILE_COL]), str(row[SHEET_COL])
            letter = m.attrs.get("letters", {}).get((file, sheet), {}).get("value", "B")
            cell = f"{letter}{int(row[ROW_COL])}"
    return Issue(file, sheet, cell, value, f"meta '{key}': {rule}",
                 severity)  # type: ignore[arg-type]


def _settings(meta: dict[str, str], tables: dict[str, pd.DataFrame],
              regions: frozenset[str], out: _Collector) -> MetaSettings:
    """Typed meta settings (pydantic); each invalid key is an issue at its value cell."""
    settings, problems = parse_meta(meta, ISO3 | regions)
    for key, raw, rule in problems:
        out.add(_meta_issue(tables, key, raw, rule))
    return settings


def _hs_overlaps(trade: pd.DataFrame, out: _Collector) -> None:
    """A code and its own prefix both given for one exporter/importer: double counting.

    Trade rows are base-period flows, so '0101' and '010121' for KOR -> USA count the
    same goods twice (typically two HS levels or two HS revisions mixed). One merge per
    distinct code length; each finer cell is listed with the coarser cell it overlaps.
    """
    if trade.empty:
        return
    codes = pd.Series(pd.unique(trade["hs"].astype(str).to_numpy()))
    lengths = codes[codes.str.fullmatch(r"[0-9]{2,6}").fillna(False)].str.len()
    if lengths.nunique() < 2:  # one HS level: no code can be another's prefix
        return
    hs = trade["hs"].astype(str)
    valid = hs.str.fullmatch(r"[0-9]{2,6}").fillna(False).to_numpy()
    base = pd.DataFrame({"exporter": trade["exporter"].to_numpy(),
                         "importer": trade["importer"].to_numpy(),
                         "hs": hs.to_numpy(), "pos": np.arange(len(trade))})[valid]
    length = base["hs"].str.len()
    lengths = sorted(length.unique())
    pairs = []
    for short_len in lengths[:-1]:
        short = base.loc[length == short_len, ["exporter", "importer", "hs", "pos"]]
        longer = base.loc[length > short_len]
        merged = longer.assign(prefix=longer["hs"].str[:short_len]).merge(
            short.rename(columns={"hs": "prefix", "pos": "pos_short"}),
            on=["exporter", "importer", "prefix"])
        pairs.append(merged[["pos", "pos_short"]])
    if not pairs:
        return
    hits = pd.concat(pairs).sort_values(["pos", "pos_short"]).drop_duplicates("pos")
    if hits.empty:
        return
    letters = trade.attrs.get("letters", {})
    files = trade[FILE_COL].astype(str).to_numpy()
    sheets = trade[SHEET_COL].astype(str).to_numpy()
    rows = trade[ROW_COL].to_numpy()
    codes = hs.to_numpy()
    exp = trade["exporter"].astype(str).to_numpy()
    imp = trade["importer"].astype(str).to_numpy()

    def cell(i: int) -> str:
        return f"{letters.get((files[i], sheets[i]), {}).get('hs', 'hs')}{int(rows[i])}"

    rule = ("the same goods would be counted twice (HS levels or revisions mixed for one "
            "exporter/importer); keep one level")
    for fine, coarse in hits.head(MAX_LISTED).itertuples(index=False, name=None):
        where = cell(coarse) if sheets[coarse] == sheets[fine] else (
            f"{sheets[coarse]}!{cell(coarse)}")
        out.add(Issue(files[fine], sheets[fine], cell(fine), codes[fine],
                      f"HS code '{codes[fine]}' and its own prefix '{codes[coarse]}' (cell "
                      f"{where}) are both given for {exp[fine]} -> {imp[fine]}: {rule}"))
    rest = len(hits) - MAX_LISTED
    if rest > 0:
        first = int(hits["pos"].iloc[0])
        out.add(Issue(files[first], sheets[first], "", "", f"... and {rest} more HS code(s) "
                      f"overlapping their own prefix: {rule}"))


def _empty_markets(trade: pd.DataFrame, out: _Collector) -> None:
    """Warn where every import of a product into an importer is zero: nothing to simulate.

    Import shares are 0/0 there (an ill-posed market); the models leave such a product
    unchanged, and the warning says so in the report's 'warnings' sheet.
    """
    if trade.empty:
        return
    value = trade["value"].to_numpy(dtype=float)
    market = row_groups(trade, ["importer", "hs"])
    n = int(market.max()) + 1
    unknown = np.isnan(value)
    total = np.bincount(market, weights=np.where(unknown, 0.0, value), minlength=n)
    unknown_any = np.bincount(market, weights=unknown, minlength=n) > 0
    first = first_rows(market)
    out.cells(trade, first & ~unknown_any[market] & (total[market] == 0), "value",
              "every import of this product into this importer is zero: import shares "
              "are undefined (0/0), so the product is left unchanged in every scenario",
              severity="warning")


def validate_tables(read: ReadResult) -> tuple[InputTables | None, list[Issue]]:
    """Validate and normalise every table; returns (tables or None if errors, issues)."""
    out = _Collector()
    for i in read.issues:
        out.add(i)
    raw = read.tables
    regions = _regions(raw)
    meta = _meta(raw)
    max_rate = _settings(meta, raw, regions, out).rate_cap
    clean: dict[str, pd.DataFrame] = {}
    for name, df in raw.items():
        spec = SHEETS[name]
        if not _check_headers(df, spec, out):
            continue
        converted: dict[str, pd.Series] = {}
        for col in spec.columns:
            if col.name not in df.columns:
                converted[col.name] = pd.Series([""] * len(df), index=df.index, dtype=object) \
                    if col.kind in ("text", "code", "codes", "hs", "hs_star") else pd.Series(
                        np.nan, index=df.index)
                continue
            cells = Column(df[col.name])
            if not col.allow_blank and col.required:
                out.cells(df, cells.blank, col.name, "required cell is blank")
            converted[col.name] = _convert(df, cells, col, spec, regions, max_rate, out)
        extra = [c for c in df.columns if c not in converted]
        frame = pd.DataFrame(converted, index=df.index)
        for c in extra:
            frame[c] = df[c]
        frame.attrs = df.attrs
        clean[name] = _duplicates(frame, spec, out)
    if "trade" in clean:
        _hs_overlaps(clean["trade"], out)
        _empty_markets(clean["trade"], out)
    _missing_sheets(read, out)
    if "applied" in clean and not (clean["applied"].empty and _ge_only(read)):
        ap = clean["applied"]
        if not ap["scenario"].eq("baseline").any():
            out.add(Issue(_first(ap, FILE_COL), _first(ap, SHEET_COL), "A", "",
                          "scenario 'baseline' is required in the 'applied' sheet"))
    errors = [i for i in out.issues if i.severity == "error"]
    if errors or ("trade" not in clean and "ge_trade" not in clean):
        return None, out.issues
    tables = InputTables(
        trade=clean["trade"] if "trade" in clean else _empty_table("trade"),
        meta=meta,
        files=tuple(read.files),
        warnings=tuple(i for i in out.issues if i.severity == "warning"),
        sheet_files=_sheet_files(raw),
        **{k: v for k, v in clean.items() if k not in ("trade", "meta")},
    )
    return tables, out.issues


def _missing_sheets(read: ReadResult, out: _Collector) -> None:
    """Required sheets absent from every input that could be read.

    Not reported when an input could not be read at all: the sheet may be in it.
    """
    if read.unreadable:
        return
    names = ", ".join(Path(f).name for f in read.files)
    present = read.tables.keys() | read.failed_tables
    if _ge_only(read):
        return  # a GE-only input (--model ge): inputs/ge_validate.py checks its sheets
    if "trade" not in present:
        out.add(Issue(names, "trade", "", "", "required sheet 'trade' is missing: the "
                      "inputs have no 'trade' sheet (base-period imports are required)"))
    if "applied" not in present and not {"mfn", "scenarios"} <= present:
        have = ", ".join(s for s in ("mfn", "scenarios") if s in present) or "neither"
        out.add(Issue(names, "applied", "", "", "required sheet 'applied' is missing: give "
                      "either an 'applied' sheet or the schedules ('mfn' and 'scenarios', "
                      f"with 'agreements', 'preferences', 'duties' as needed; found {have})"))


def _ge_only(read: ReadResult) -> bool:
    """A GE-only input: a 'ge_trade' sheet with rows (or one that could not be read, whose
    own error is reported) and no PE 'trade' rows (absent, or empty as in the template)."""
    ge, trade = read.tables.get("ge_trade"), read.tables.get("trade")
    has_ge = "ge_trade" in read.failed_tables or (ge is not None and len(ge) > 0)
    return has_ge and "trade" not in read.failed_tables and (trade is None or len(trade) == 0)


def _empty_table(name: str) -> pd.DataFrame:
    """A table with the contract's columns and no rows (the PE 'trade' of a GE-only input)."""
    spec = SHEETS[name]
    numeric = ("rate", "value", "flow", "elasticity", "share", "float")
    cols = {c.name: pd.Series([], dtype=float if c.kind in numeric else object)
            for c in spec.columns}
    cols.update({FILE_COL: pd.Series([], dtype=object), SHEET_COL: pd.Series([], dtype=object),
                 ROW_COL: pd.Series([], dtype="int64")})
    return pd.DataFrame(cols)


def _first(df: pd.DataFrame, col: str) -> str:
    """The file (or sheet) of a table's first row; for an empty table, from the location
    the reader attached (``attrs['letters']`` keys are (file, sheet))."""
    if len(df) and col in df.columns:
        return str(df[col].iloc[0])
    where = next(iter(df.attrs.get("letters", {})), ("", ""))
    return str(where[0] if col == FILE_COL else where[1] if col == SHEET_COL else "")


def _sheet_files(raw: dict[str, pd.DataFrame]) -> dict[str, str]:
    return {name: _first(df, FILE_COL) for name, df in raw.items()}


def _convert(df: pd.DataFrame, c: Column, col: ColumnSpec, spec: SheetSpec,
             regions: frozenset[str], max_rate: float, out: _Collector) -> pd.Series:
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
