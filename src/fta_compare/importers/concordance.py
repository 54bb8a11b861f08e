"""HS revisions: concordances from one revision to the base's; uncovered codes refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.errors import Issue
from fta_compare.importers.common import (
    MAX_LISTED,
    _fail,
    _hs,
    _Issues,
    _numbers,
    listing,
    revision,
)
from fta_compare.importers.sources import _read_source
from fta_compare.importers.workbook import _Base


def _read_concordance(path: Path) -> pd.DataFrame:
    """Concordance CSV/xlsx: from, to (HS codes), optional weight -> from, to, weight."""
    src = _read_source(Path(path))
    cf, ct = src.column(("from", "hsfrom", "source")), src.column(("to", "hsto", "target"))
    issues = _Issues()
    if cf is None or ct is None:
        raise _fail(src.name, "concordance needs columns 'from' and 'to' (HS codes), and "
                    "optionally 'weight'", ", ".join(map(str, src.df.columns)), src.sheet, "A1")
    fr, bad_f = _hs(src.df[cf])
    to, bad_t = _hs(src.df[ct])
    issues.rows(src, cf, bad_f, src.df[cf], "HS code must be 2 to 6 digits")
    issues.rows(src, ct, bad_t, src.df[ct], "HS code must be 2 to 6 digits")
    cw = src.column(("weight", "share"))
    if cw is not None:
        w, blank, bad = _numbers(src.df[cw])
        issues.rows(src, cw, bad | (w.to_numpy() < 0), src.df[cw],
                    "weight must be a number >= 0")
        w = w.where(~pd.Series(blank, index=w.index), np.nan)
    else:
        w = pd.Series(np.nan, index=src.df.index)
    issues.raise_if_errors()
    conc = pd.DataFrame({"from": fr, "to": to, "weight": w}).drop_duplicates(["from", "to"])
    n = conc.groupby("from")["to"].transform("size")
    conc["weight"] = conc["weight"].fillna(1.0 / n)
    total = conc.groupby("from")["weight"].transform("sum")
    off = ~np.isclose(total.to_numpy(), 1.0, rtol=0.0, atol=1e-6)
    first = off & ~conc["from"].duplicated().to_numpy()
    issues.rows(src, cw or cf, first, total.round(6).to_numpy(), "the weights of this 'from' "
                "code do not sum to 1: converting would create or lose value (blank weights "
                "share the code equally)", rows=src.rownums()[conc.index.to_numpy()])
    issues.raise_if_errors()
    conc = conc.reset_index(drop=True)
    conc.attrs["name"] = src.name
    return conc


def _convert(df: pd.DataFrame, conc: pd.DataFrame, value: str | None) -> pd.DataFrame:
    """Map ``hs`` through the concordance; ``value`` is split by weight (rates are copied).

    Callers refuse or drop uncovered codes first (:func:`_uncovered`); any left pass
    unchanged, so totals stay whole while the error is being reported.
    """
    m = df.merge(conc, how="left", left_on="hs", right_on="from")
    hit = m["to"].notna()
    m["hs"] = m["to"].where(hit, m["hs"])
    if value is not None:
        m[value] = m[value] * m["weight"].where(hit, 1.0)
    return m.drop(columns=["from", "to", "weight"])


def _uncovered(df: pd.DataFrame, conc: pd.DataFrame, *, file: str, sheet: str, letter: str,
               given: str, drop: bool, issues: _Issues, value: str | None = None,
               unit: str = "", scope: str = "") -> tuple[pd.DataFrame, str]:
    """Rows whose ``hs`` the concordance lacks: errors, or dropped when ``drop``.

    ``df`` needs ``hs`` and ``row`` (row number in the download). Without ``drop`` one issue
    per code (first :data:`MAX_LISTED`, at its first row) and a summary; with it the rows go.
    Returns the rows kept and a summary of the uncovered codes ('' when there are none),
    with the value they carry (total and share of ``value``) when ``value`` is given.
    """
    miss = ~df["hs"].isin(conc["from"]).to_numpy()
    if not miss.any():
        return df, ""
    bad = df.loc[miss]
    first = bad.groupby("hs", sort=False)["row"].min().sort_values()
    codes = [str(c) for c in first.index]
    name = conc.attrs.get("name", "the concordance")
    money = ""
    if value is not None:
        lost, total = float(bad[value].sum()), float(df[value].sum())
        share = lost / total if total > 0 else 0.0
        money = f", carrying {lost:,.0f} {unit} ({share:.2%} of the value{scope})"
    summary = (f"{len(codes):,} {given} code(s) in {int(miss.sum()):,} row(s) are not in "
               f"{name} (column 'from'){money}: {listing(codes)}")
    if drop:
        return df.loc[~miss], summary
    for code, row in zip(codes[:MAX_LISTED], first.to_numpy()[:MAX_LISTED], strict=True):
        issues.add(Issue(file, sheet, f"{letter}{int(row)}", code,
                         f"{given} code not in {name} (column 'from'): it cannot be "
                         "converted to the base's HS revision"))
    issues.add(Issue(file, sheet, letter, "", summary + ". A concordance must list every "
                     "code of the file, unchanged ones too (from = to): add them, or pass "
                     "--drop-unmapped-codes to drop these rows (the value lost is reported "
                     "and recorded in the workbook); codes are never kept in another revision"))
    return df, summary


def _target_revision(base: _Base, given: str | None, file: str, conc: Path | None,
                     what: str) -> pd.DataFrame | None:
    """The concordance to use (None if the revisions agree); refuse if one is needed."""
    target = revision(base.meta.get("hs_revision", ""))
    if given is None or target is None or given == target:
        return None
    if conc is None:
        raise _fail(file, f"{what} codes are {given} but the base workbook is {target} "
                    "(meta 'hs_revision'): the codes must be converted. Pass a concordance "
                    f"CSV with columns from,to[,weight] ({given} -> {target}), e.g. from the "
                    "UN Statistics Division HS correlation tables, with --concordance FILE",
                    given)
    return _read_concordance(conc)

