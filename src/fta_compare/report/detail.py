"""The detail tables: what the workbook holds of them, and the complete tables beside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def changed_results(results: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``results`` where trade or the tariff changes (the rest keep base values)."""
    keep = (results["new_value"] != results["base_value"]) | (
        results["new_rate"] != results["base_rate"])
    return results.loc[keep]


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

