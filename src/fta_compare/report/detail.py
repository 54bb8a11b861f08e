"""The detail tables: what the workbook holds of them, and the complete tables beside it.

The workbook is for people (DESIGN.md sections 4 and 5): a detail table of at most
:data:`WORKBOOK_ROWS` rows goes into it whole; a larger one is cut to a documented
selection centred on the focus economy, and the complete table, same columns, is the
Parquet file beside the workbook. ``--detail full`` puts every row into the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def _changed(results: pd.DataFrame) -> np.ndarray:
    """Rows of ``results`` where trade or the tariff changes (the rest keep base values)."""
    col = {c: results[c].to_numpy(dtype=float) for c in
           ("new_value", "base_value", "new_rate", "base_rate")}
    return (col["new_value"] != col["base_value"]) | (col["new_rate"] != col["base_rate"])


def changed_results(results: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``results`` where trade or the tariff changes (the rest keep base values)."""
    return results.loc[_changed(results)]


def applied_changes(applied: pd.DataFrame) -> pd.DataFrame:
    """The applied table as the input contract reads it: baseline rows in full, then only
    the rows where a scenario's rate differs from the baseline (missing rows keep it)."""
    from fta_compare.inputs.schema import BASELINE

    keys = ["importer", "exporter", "hs"]
    is_base = (applied["scenario"] == BASELINE).to_numpy(dtype=bool)
    n = int(is_base.sum())
    if is_base[:n].all():  # the compiler's layout: baseline block first, then one per
        base_rate = _aligned_base_rate(applied.iloc[:n], applied.iloc[n:], keys)  # scenario
        if base_rate is not None:
            keep = np.ones(len(applied), dtype=bool)
            with np.errstate(invalid="ignore"):  # NaN on either side counts as a change
                keep[n:] = ~(applied["rate"].to_numpy(dtype=np.float64)[n:] == base_rate)
            return applied[keep].reset_index(drop=True)  # one copy of the kept rows
    base = applied[is_base]
    rest = applied[~is_base]
    merged = rest.merge(base[[*keys, "rate"]].rename(columns={"rate": "_base"}), on=keys,
                        how="left")
    diff = merged[merged["rate"] != merged["_base"]].drop(columns=["_base"])
    return pd.concat([base, diff], ignore_index=True)


def _aligned_base_rate(base: pd.DataFrame, rest: pd.DataFrame, keys: list[str]
                       ) -> np.ndarray | None:
    """Baseline rate of each row of ``rest`` when ``rest`` is whole blocks of the
    baseline's cells in the baseline's order (as the scenario compiler writes them) and
    the baseline has each cell once; None otherwise (the caller merges on the keys).

    Checked on integer codes: categorical codes when every block shares the baseline's
    categories, else one factorisation of each key column.
    """
    n, m = len(base), len(rest)
    if n == 0 or m == 0 or m % n:
        return None
    blocks = m // n
    codes = []
    for k in keys:
        b, r = base[k], rest[k]
        if (isinstance(b.dtype, pd.CategoricalDtype) and isinstance(r.dtype, pd.CategoricalDtype)
                and b.cat.categories.equals(r.cat.categories)):
            cb, cr = b.cat.codes.to_numpy(), r.cat.codes.to_numpy()
        else:
            both, _ = pd.factorize(pd.concat([b, r], ignore_index=True))
            cb, cr = both[:n], both[n:]
        if (cb < 0).any() or (cr < 0).any():
            return None  # missing keys: merge semantics
        if not (cr.reshape(blocks, n) == cb[None, :]).all():
            return None
        codes.append(cb.astype(np.int64))
    key = (codes[0] * (codes[1].max() + 1) + codes[1]) * (codes[2].max() + 1) + codes[2]
    if pd.Index(key).has_duplicates:
        return None  # a repeated baseline cell: the merge would repeat rows
    return np.tile(base["rate"].to_numpy(dtype=np.float64), blocks)


# --- sensitivity workbook (fta-compare sensitivity) -------------------------------------



WORKBOOK_ROWS = 100_000  # DESIGN 5: detail tables up to this size go into the workbook whole
SELECTION_ROWS = 50_000  # rows a larger detail table keeps in the workbook
DETAIL_MODES = ("summary", "full")


@dataclass(frozen=True)
class Selection:
    """What a detail sheet of the workbook holds of its complete table."""

    sheet: str
    table: pd.DataFrame  # the rows written to the sheet
    total: int  # rows of the complete table
    rule: str  # which rows were kept, in words
    complete: str  # file name holding the complete table ('' when the sheet is complete)

    @property
    def note(self) -> str:
        if not self.complete:
            return f"{self.sheet}: all {self.total:,} rows ({self.rule})"
        return (f"{self.sheet}: {len(self.table):,} of {self.total:,} rows: {self.rule}; "
                f"the complete table is {self.complete}")


def _focus_mask(df: pd.DataFrame, focus: str, cols: tuple[str, ...]) -> np.ndarray:
    """Rows where any of ``cols`` equals ``focus`` (on integer codes for categoricals)."""
    out = np.zeros(len(df), dtype=bool)
    for c in cols:
        col = df[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            k = col.cat.categories.get_indexer([focus])[0]
            out |= col.cat.codes.to_numpy() == k if k >= 0 else False
        else:
            out |= (col.astype(str) == focus).to_numpy(dtype=bool)
    return out


def _domestic(df: pd.DataFrame) -> np.ndarray:
    """Rows with exporter == importer (on codes when both columns share categories)."""
    i, e = df["importer"], df["exporter"]
    if (isinstance(i.dtype, pd.CategoricalDtype) and isinstance(e.dtype, pd.CategoricalDtype)
            and i.cat.categories.equals(e.cat.categories)):
        return i.cat.codes.to_numpy() == e.cat.codes.to_numpy()
    return (i.astype(str) == e.astype(str)).to_numpy(dtype=bool)


def _largest(size: np.ndarray, cap: int) -> np.ndarray:
    """Positions of the ``cap`` largest ``size`` (all when fewer), ascending."""
    if len(size) <= cap:
        return np.arange(len(size))
    return np.sort(np.argpartition(-size, cap - 1)[:cap])


def select_results(results: pd.DataFrame, focus: str, complete: str, detail: str = "summary",
                   cap: int | None = None, whole: int | None = None) -> Selection:
    """The ``results`` rows for the workbook.

    ``full``, or a table of at most ``whole`` rows: every row. Otherwise the focus
    economy's cross-border cells (it exports or imports) whose trade or tariff changes, the
    ``cap`` largest by absolute trade change (then by tariff change), in table order.
    """
    cap = SELECTION_ROWS if cap is None else cap
    whole = WORKBOOK_ROWS if whole is None else whole
    total = len(results)
    if detail == "full" or total <= whole:
        return Selection("results", results, total, "every cell with base-period trade", "")
    # masks and sizes on the whole table's columns, then one copy of the rows kept
    mine = np.flatnonzero(_changed(results)
                          & _focus_mask(results, focus, ("importer", "exporter"))
                          & ~_domestic(results))
    col = {c: results[c].to_numpy(dtype=float) for c in
           ("new_value", "base_value", "new_rate", "base_rate")}
    dv = np.abs(col["new_value"][mine] - col["base_value"][mine])
    dr = np.abs(col["new_rate"][mine] - col["base_rate"][mine])
    picked = mine[_largest(dv + 1e-9 * dr, cap)]
    rule = (f"the cross-border cells of {focus} (as exporter or importer) whose trade or tariff "
            f"changes, the {cap:,} largest by absolute trade change" if len(dv) > cap else
            f"every cross-border cell of {focus} whose trade or tariff changes")
    return Selection("results", results.iloc[picked], total, rule, complete)


def select_prices(prices: pd.DataFrame, focus: str, complete: str, detail: str = "summary",
                  cap: int | None = None, whole: int | None = None) -> Selection:
    """The ``prices`` rows for the workbook: the non-zero world price changes; beyond
    ``whole`` rows (and without ``full``), the focus economy's exports first, then the
    largest absolute changes of the others, ``cap`` rows in all."""
    cap = SELECTION_ROWS if cap is None else cap
    whole = WORKBOOK_ROWS if whole is None else whole
    total = len(prices)
    nz = prices[prices["world_price_change"].to_numpy(float) != 0]
    if detail == "full" or len(nz) <= whole:
        return Selection("prices", nz, total, "every non-zero world price change",
                         complete if len(nz) < total else "")
    own = _focus_mask(nz, focus, ("exporter",))
    size = np.abs(nz["world_price_change"].to_numpy(float)) + np.where(own, np.inf, 0.0)
    rule = (f"non-zero world price changes: {focus}'s exports first, then the {cap:,} "
            "largest absolute changes")
    return Selection("prices", nz.iloc[_largest(size, cap)], total, rule, complete)


def select_applied(applied: pd.DataFrame, focus: str, complete: str, detail: str = "summary",
                   cap: int | None = None, whole: int | None = None,
                   changes: pd.DataFrame | None = None) -> Selection:
    """The ``applied`` rows for the workbook: baseline rows, then the rows where a scenario's
    rate differs (the input contract's form; ``changes``: that table if already made by
    :func:`applied_changes`). Beyond ``whole`` rows (and without ``full``): only cells of
    the focus economy (as importer or exporter), changed rows first, ``cap`` rows at most."""
    cap = SELECTION_ROWS if cap is None else cap
    whole = WORKBOOK_ROWS if whole is None else whole
    changes = applied_changes(applied) if changes is None else changes
    total = len(applied)
    if detail == "full" or len(changes) <= whole:
        return Selection("applied", changes, total, "baseline rates of every cell, then "
                         "each scenario's rates that differ", complete)
    mine = changes[_focus_mask(changes, focus, ("importer", "exporter"))]
    is_base = (mine["scenario"].astype(str) == "baseline").to_numpy()
    if len(mine) > cap:
        keep = np.flatnonzero(~is_base)[:cap]
        keep = np.sort(np.concatenate([keep, np.flatnonzero(is_base)[:cap - len(keep)]]))
        mine = mine.iloc[keep]
    rule = (f"the cells of {focus} (as importer or exporter): baseline rates, then each "
            f"scenario's rates that differ (at most {cap:,} rows, changed rates first)")
    return Selection("applied", mine, total, rule, complete)


def select_elasticities(pairs: pd.DataFrame, focus: str, complete: str,
                        detail: str = "summary", whole: int | None = None) -> Selection:
    """The elasticity pairs for the workbook: all of them up to ``whole`` rows, else the
    focus economy's (its import demand and substitution as importer, its export supply as
    exporter); each row carries the number of the rule (on 'assumptions') that set it."""
    whole = WORKBOOK_ROWS if whole is None else whole
    total = len(pairs)
    if detail == "full" or total <= whole:
        return Selection("elasticities", pairs, total, "every product-economy pair", "")
    mine = pairs[_focus_mask(pairs, focus, ("country",))]
    return Selection("elasticities", mine, total, f"the pairs of {focus}; the rules that set "
                     "every pair, with their counts, are on 'assumptions'", complete)
