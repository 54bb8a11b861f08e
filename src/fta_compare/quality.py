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
from fta_compare.results import QUALITY_LABELS, label_codes, row_chunks, scenario_blocks

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
    # tariff-line quality over the distinct (importer, hs) labels, then looked up per row
    grid_i, grid_h = np.divmod(np.arange(len(imp_labels) * len(hs_labels)), len(hs_labels))
    line_table = np.append(line_quality(mfn, pd.Series(imp_labels[grid_i]),
                                        pd.Series(hs_labels[grid_h])), np.int8(0))
    flow_all = quality_codes(results["quality"])
    base_all = results["base_value"].to_numpy(dtype=float)
    new_all = results["new_value"].to_numpy(dtype=float)
    base_rate = results["base_rate"].to_numpy(dtype=float)
    new_rate = results["new_rate"].to_numpy(dtype=float)
    n, width = len(names), CLASSES + 1  # the extra bin takes the domestic rows
    sums = np.zeros((3, n * width))  # trade, change, tariff change by (scenario, class)

    def classes(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        """Each row's flow and tariff-line class (CLASSES for a domestic row)."""
        i, h = imp[rows], hs[rows]
        line = line_table[np.where((i >= 0) & (h >= 0), i.astype(np.intp) * len(hs_labels)
                                   + h, len(line_table) - 1)]
        cross = exp_as_imp[rows] != i
        return (np.where(cross, flow_all[rows], CLASSES).astype(np.intp),
                np.where(cross, line, CLASSES).astype(np.intp))

    def weights(rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        base = base_all[rows]
        return (base, np.abs(new_all[rows] - base),
                np.nan_to_num(base * np.abs(new_rate[rows] - base_rate[rows])))

    # the table's scenario blocks: each cell's classes once (results.scenario_blocks)
    blocks, size = scenario_blocks(scen, imp, exp, hs, flow_all)
    if blocks:
        by_flow, by_line = classes(slice(0, size))
        for b in range(blocks):
            s = int(scen[b * size])
            if s < 0:
                continue
            at = slice(s * width, (s + 1) * width)
            for k, (key, w) in enumerate(zip((by_flow, by_flow, by_line),
                                             weights(slice(b * size, (b + 1) * size)),
                                             strict=True)):
                sums[k, at] += np.bincount(key, weights=w, minlength=width)
    for rows in row_chunks(len(scen), start=blocks * size):  # a chunk at a time
        flow, line = classes(rows)
        offset = scen[rows].astype(np.intp) * width
        for k, (key, w) in enumerate(zip((offset + flow, offset + flow, offset + line),
                                         weights(rows), strict=True)):
            sums[k] += np.bincount(key, weights=w, minlength=n * width)

    def shares(k: int) -> np.ndarray:
        """(n, CLASSES) shares of cross-border values of sum ``k`` by scenario and class."""
        part = sums[k].reshape(n, width)[:, :CLASSES]
        total = part.sum(axis=1, keepdims=True)
        return np.divide(part, total, out=np.zeros_like(part), where=total > 0)

    trade, moved, duty = shares(0), shares(1), shares(2)
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
