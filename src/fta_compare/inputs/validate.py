"""Validate raw tables against the contract and normalise them into :class:`InputTables`.

Checks are vectorised per column (pandas), so a 500,000-row trade sheet costs a few
column operations, not a Python loop over rows. Every problem becomes an
:class:`~fta_compare.errors.Issue` naming file, sheet and cell; all are collected in
one pass. At most ``MAX_LISTED`` cells are listed per (sheet, column, rule); the rest
are counted in one summary line.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.errors import Issue
from fta_compare.inputs.cells import Column, first_rows, row_groups
from fta_compare.inputs.columns import ISO3, MAX_LISTED, Collector, convert_column, show_value
from fta_compare.inputs.reader import ReadResult
from fta_compare.inputs.schema import SHEETS, SheetSpec
from fta_compare.inputs.settings import MetaSettings, parse_meta
from fta_compare.inputs.tables import FILE_COL, ROW_COL, SHEET_COL, InputTables


def _check_headers(df: pd.DataFrame, spec: SheetSpec, out: Collector) -> bool:
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


def _duplicates(df: pd.DataFrame, spec: SheetSpec, out: Collector) -> pd.DataFrame:
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
    return {str(k).strip().lower(): show_value(v).strip() for k, v in zip(m["key"], m["value"],
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
              regions: frozenset[str], out: Collector) -> MetaSettings:
    """Typed meta settings (pydantic); each invalid key is an issue at its value cell."""
    settings, problems = parse_meta(meta, ISO3 | regions)
    for key, raw, rule in problems:
        out.add(_meta_issue(tables, key, raw, rule))
    return settings


def _hs_overlaps(trade: pd.DataFrame, out: Collector) -> None:
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


def _empty_markets(trade: pd.DataFrame, out: Collector) -> None:
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
    out = Collector()
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
            converted[col.name] = convert_column(df, cells, col, spec, regions, max_rate, out)
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


def _missing_sheets(read: ReadResult, out: Collector) -> None:
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
