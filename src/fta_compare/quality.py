"""What each scenario's answer rests on: observed, sector-observed and imputed data.

Two measures per scenario, over cross-border cells (domestic sales left out):

* trade: shares of base-period trade value (and of the absolute trade change) in cells whose
  flow is observed, sector-observed (partner x commodity group observed, HS6 split imputed)
  or imputed, from the ``quality`` label of the ``trade`` row;
* tariff change: shares of the tariff-change value ``base_value * |new_rate - base_rate|``
  (US$ of duty at base trade) resting on an observed, a sector-observed (the importer's
  sector tariff observed, its HS6 spread imputed) or an imputed tariff line. A line's
  quality is that of the importer's ``mfn`` row for the product (the most specific HS
  prefix), the schedule every preference and duty of the cell is measured from; a product
  without an ``mfn`` row takes its rates from explicit ``applied`` rows and counts as observed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fta_compare.results import label_codes

QUALITY_LABELS = ("observed", "imputed", "sector_observed")  # codes 0, 1, 2
SHARE_COLUMNS = ("scenario", "observed_share_of_trade", "sector_observed_share_of_trade",
                 "imputed_share_of_trade", "imputed_share_of_change",
                 "observed_share_of_tariff_change", "sector_observed_share_of_tariff_change",
                 "imputed_share_of_tariff_change")


def quality_codes(labels: pd.Series) -> np.ndarray:
    """int8 codes into :data:`QUALITY_LABELS` of ``quality`` labels (blank: observed)."""
    codes, uniq = label_codes(labels)
    text = pd.Series(np.asarray(uniq, dtype=object)).astype(str)
    per = np.where(text.str.startswith("imputed"), 1,
                   np.where(text.str.startswith("sector_observed"), 2, 0)).astype(np.int8)
    return np.append(per, np.int8(0))[codes]  # code -1 (missing) -> observed


def line_quality(mfn: pd.DataFrame | None, importers: pd.Series, hs: pd.Series
                 ) -> np.ndarray:
    """int8 codes into :data:`QUALITY_LABELS` per (importer, hs) pair given: the quality of
    the importer's MFN line for the product (the mfn row with the longest HS prefix of the
    code wins); observed (0) where no mfn row applies."""
    out = np.zeros(len(hs), dtype=np.int8)
    if mfn is None or mfn.empty or "quality" not in mfn.columns or not len(hs):
        return out
    rows = pd.DataFrame({"importer": mfn["importer"].astype(str),
                         "prefix": mfn["hs"].astype(str),
                         "q": quality_codes(mfn["quality"])})
    pairs = pd.DataFrame({"importer": importers.astype(str).to_numpy(),
                          "hs": hs.astype(str).to_numpy()})
    found = np.zeros(len(pairs), dtype=bool)
    for length in sorted(rows["prefix"].str.len().unique(), reverse=True):
        rule = rows[rows["prefix"].str.len() == length].drop_duplicates(["importer", "prefix"])
        key = pd.MultiIndex.from_frame(rule[["importer", "prefix"]])
        pos = key.get_indexer(pd.MultiIndex.from_arrays(
            [pairs["importer"], pairs["hs"].str[:int(length)]]))
        take = (pos >= 0) & ~found
        out[take] = rule["q"].to_numpy()[pos[take]]
        found |= pos >= 0
    return out


def quality_shares(results: pd.DataFrame, mfn: pd.DataFrame | None) -> pd.DataFrame:
    """Per scenario: the shares of :data:`SHARE_COLUMNS` (fractions; module docstring)."""
    if results.empty or "quality" not in results.columns:
        return pd.DataFrame(columns=list(SHARE_COLUMNS))
    scen, names = label_codes(results["scenario"])
    imp, imp_labels = label_codes(results["importer"])
    exp, exp_labels = label_codes(results["exporter"])
    same = np.asarray(imp_labels, dtype=object)[imp] == np.asarray(exp_labels,
                                                                   dtype=object)[exp]
    cross = ~same
    q = quality_codes(results["quality"])
    base = results["base_value"].to_numpy(dtype=float)
    change = np.abs(results["new_value"].to_numpy(dtype=float) - base)
    cut = base * np.abs(results["new_rate"].to_numpy(dtype=float)
                        - results["base_rate"].to_numpy(dtype=float))
    cut = np.nan_to_num(cut)
    hs_codes, hs_labels = label_codes(results["hs"])
    hs_labels = np.append(np.asarray(hs_labels, dtype=object), "")  # code -1: no product
    hs_codes = np.where(hs_codes < 0, len(hs_labels) - 1, hs_codes)
    # the line quality of each (importer, hs) pair, looked up once per distinct pair
    pair = imp.astype(np.int64) * len(hs_labels) + hs_codes
    uniq, inverse = np.unique(pair, return_inverse=True)
    line = line_quality(
        mfn, pd.Series(np.asarray(imp_labels, dtype=object)[uniq // len(hs_labels)]),
        pd.Series(hs_labels[uniq % len(hs_labels)]))[inverse]

    def share(values: np.ndarray, part: np.ndarray) -> np.ndarray:
        v = np.where(cross, values, 0.0)
        total = np.bincount(scen, weights=v, minlength=len(names))
        some = np.bincount(scen, weights=np.where(part, v, 0.0), minlength=len(names))
        return np.divide(some, total, out=np.zeros_like(total), where=total > 0)

    return pd.DataFrame({
        "scenario": np.asarray(names, dtype=object),
        "observed_share_of_trade": share(base, q == 0),
        "sector_observed_share_of_trade": share(base, q == 2),
        "imputed_share_of_trade": share(base, q == 1),
        "imputed_share_of_change": share(change, q == 1),
        "observed_share_of_tariff_change": share(cut, line == 0),
        "sector_observed_share_of_tariff_change": share(cut, line == 2),
        "imputed_share_of_tariff_change": share(cut, line == 1),
    })[list(SHARE_COLUMNS)]
