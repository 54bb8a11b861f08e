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

from fta_compare.inputs.hs import keyed_prefix_match
from fta_compare.results import QUALITY_LABELS, label_codes

SHARE_COLUMNS = ("scenario", "observed_share_of_trade", "sector_observed_share_of_trade",
                 "imputed_share_of_trade", "imputed_share_of_change",
                 "observed_share_of_tariff_change", "sector_observed_share_of_tariff_change",
                 "imputed_share_of_tariff_change")
CLASSES = len(QUALITY_LABELS)


def quality_codes(labels: pd.Series) -> np.ndarray:
    """int8 codes into ``results.QUALITY_LABELS`` of ``quality`` labels (blank: observed)."""
    codes, uniq = label_codes(labels)
    text = pd.Series(np.asarray(uniq, dtype=object)).astype(str)
    per = np.where(text.str.startswith("imputed"), 1,
                   np.where(text.str.startswith("sector_observed"), 2, 0)).astype(np.int8)
    return np.append(per, np.int8(0))[codes]  # code -1 (missing) -> observed


def line_quality(mfn: pd.DataFrame | None, importers: pd.Series, hs: pd.Series
                 ) -> np.ndarray:
    """int8 codes into ``results.QUALITY_LABELS`` per (importer, hs) pair given: the quality
    of the importer's MFN line for the product (the mfn row with the longest HS prefix of
    the code wins, as in the compiler); observed (0) where no mfn row applies."""
    out = np.zeros(len(hs), dtype=np.int8)
    if mfn is None or mfn.empty or "quality" not in mfn.columns or not len(hs):
        return out
    rules = pd.DataFrame({"importer": mfn["importer"].astype(str).to_numpy(),
                          "hs": mfn["hs"].astype(str).to_numpy(),
                          "q": quality_codes(mfn["quality"])}).drop_duplicates(
        ["importer", "hs"])
    target = pd.DataFrame({"importer": importers.astype(str).to_numpy(),
                           "hs": hs.astype(str).to_numpy()})
    pos = keyed_prefix_match(target, rules, ["importer"])
    found = pos >= 0
    out[found] = rules["q"].to_numpy()[pos[found]]
    return out


def quality_shares(results: pd.DataFrame, mfn: pd.DataFrame | None) -> pd.DataFrame:
    """Per scenario: the shares of :data:`SHARE_COLUMNS` (fractions; module docstring)."""
    if results.empty or "quality" not in results.columns:
        return pd.DataFrame(columns=list(SHARE_COLUMNS))
    scen, names = label_codes(results["scenario"])
    imp, imp_labels = label_codes(results["importer"])
    exp, exp_labels = label_codes(results["exporter"])
    hs, hs_labels = label_codes(results["hs"])
    # domestic rows on integer codes: the exporter's label as a position among importers
    exp_as_imp = np.append(pd.Index(imp_labels).get_indexer(exp_labels), -2)[exp]
    cross = exp_as_imp != imp
    # tariff-line quality over the distinct (importer, hs) labels, then looked up per row
    grid_i, grid_h = np.divmod(np.arange(len(imp_labels) * len(hs_labels)), len(hs_labels))
    line_table = np.append(line_quality(mfn, pd.Series(imp_labels[grid_i]),
                                        pd.Series(hs_labels[grid_h])), np.int8(0))
    line = line_table[np.where((imp >= 0) & (hs >= 0), imp.astype(np.int64) * len(hs_labels)
                               + hs, len(line_table) - 1)]
    flow = quality_codes(results["quality"])
    base = results["base_value"].to_numpy(dtype=float)
    change = np.abs(results["new_value"].to_numpy(dtype=float) - base)
    cut = np.nan_to_num(base * np.abs(results["new_rate"].to_numpy(dtype=float)
                                      - results["base_rate"].to_numpy(dtype=float)))
    n, width = len(names), CLASSES + 1  # the extra bin takes the domestic rows

    def keys(cls: np.ndarray) -> np.ndarray:
        return scen.astype(np.int64) * width + np.where(cross, cls, CLASSES)

    def shares(values: np.ndarray, key: np.ndarray) -> np.ndarray:
        """(n, CLASSES) shares of cross-border ``values`` by scenario and class."""
        sums = np.bincount(key, weights=values, minlength=n * width).reshape(n, width)
        sums = sums[:, :CLASSES]
        total = sums.sum(axis=1, keepdims=True)
        return np.divide(sums, total, out=np.zeros_like(sums), where=total > 0)

    by_flow = keys(flow)
    trade, moved = shares(base, by_flow), shares(change, by_flow)
    duty = shares(cut, keys(line))
    return pd.DataFrame({
        "scenario": np.asarray(names, dtype=object),
        "observed_share_of_trade": trade[:, 0],
        "sector_observed_share_of_trade": trade[:, 2],
        "imputed_share_of_trade": trade[:, 1],
        "imputed_share_of_change": moved[:, 1],
        "observed_share_of_tariff_change": duty[:, 0],
        "sector_observed_share_of_tariff_change": duty[:, 2],
        "imputed_share_of_tariff_change": duty[:, 1],
    })[list(SHARE_COLUMNS)]
