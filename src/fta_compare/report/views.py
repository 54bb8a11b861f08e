"""Human views of a run: aggregations of the contract tables (pure pandas, no I/O).

Each view is a sum over ``results`` or ``welfare``, so the report's human sheets can be
traced back to the contract sheets (tests check the sums).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fta_compare.report.sectors import assign_sectors
from fta_compare.results import label_codes, row_chunks, scenario_blocks

HEADLINE = [
    "net_welfare", "consumer_surplus", "producer_surplus", "tariff_revenue", "exports_change",
    "imports_change", "trade_creation", "trade_diversion",
]


def _with_change(results: pd.DataFrame) -> pd.DataFrame:
    return results.assign(trade_change=results["new_value"] - results["base_value"])


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Categorical label columns (of the long results table) as plain text: views are small
    tables that the report sorts, compares and writes cell by cell."""
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype):
            df[c] = df[c].astype(object).astype(str)
    return df


def country_totals(results: pd.DataFrame, welfare: pd.DataFrame) -> pd.DataFrame:
    """Scenario x economy: welfare parts, exports/imports change, creation and diversion.

    Domestic cells (exporter == importer) are excluded from exports and imports.
    Creation and diversion are counted on the economy's exports, as in the scorecard
    (diversion > 0: trade diverted towards it). One row per row of ``welfare``, in its
    order; sums are ``bincount`` over (scenario, economy) codes: on the table's scenario
    blocks (:func:`~fta_compare.results.scenario_blocks`) with each cell's keys made once,
    on the rows after them a chunk of rows at a time.
    """
    s_code, scen = label_codes(results["scenario"])
    e_code, i_code, countries = shared_codes(results["exporter"], results["importer"])
    S, C = len(scen), len(countries)
    columns = {c: results[c].to_numpy(dtype=float) for c in
               ("base_value", "new_value", "trade_creation", "trade_diversion")}
    names = ("base_exports", "exports_change", "trade_creation", "trade_diversion",
             "base_imports", "imports_change")
    bins = np.zeros((len(names), S * C + 1))  # S*C: a dropped bin

    def weights(rows: slice) -> tuple[np.ndarray, ...]:
        base = columns["base_value"][rows]
        return (base, columns["new_value"][rows] - base, columns["trade_creation"][rows],
                columns["trade_diversion"][rows])

    blocks, n = scenario_blocks(s_code, e_code, i_code)
    if blocks:
        e, i = e_code[:n], i_code[:n]
        keep = (e != i) & (e >= 0) & (i >= 0)
        cell_e = np.where(keep, e, C).astype(np.intp)  # C: a dropped bin
        cell_i = np.where(keep, i, C).astype(np.intp)
        for b in range(blocks):
            sc = int(s_code[b * n])
            if sc < 0:
                continue
            base, change, tc, td = weights(slice(b * n, (b + 1) * n))
            at = slice(sc * C, (sc + 1) * C)
            for k, (key, w) in enumerate(((cell_e, base), (cell_e, change), (cell_e, tc),
                                          (cell_e, td), (cell_i, base), (cell_i, change))):
                bins[k, at] += np.bincount(key, weights=w, minlength=C + 1)[:C]
    for rows in row_chunks(len(s_code), start=blocks * n):
        e, i, sc = e_code[rows], i_code[rows], s_code[rows]
        keep = (e != i) & (sc >= 0) & (e >= 0) & (i >= 0)
        offset = np.where(keep, sc.astype(np.intp) * C, S * C)
        key_e = np.where(keep, offset + e, S * C)
        key_i = np.where(keep, offset + i, S * C)
        base, change, tc, td = weights(rows)
        for k, (key, w) in enumerate(((key_e, base), (key_e, change), (key_e, tc),
                                      (key_e, td), (key_i, base), (key_i, change))):
            bins[k] += np.bincount(key, weights=w, minlength=S * C + 1)
    sums = {name: bins[k, : S * C] for k, name in enumerate(names)}
    out = welfare.reset_index(drop=True).copy()
    ws = pd.Index(scen, dtype=object).get_indexer(out["scenario"].astype(str))
    wc = pd.Index(countries, dtype=object).get_indexer(out["country"].astype(str))
    at = np.where((ws >= 0) & (wc >= 0), ws * C + wc, -1)
    for k, v in sums.items():
        out[k] = np.where(at >= 0, np.append(v, 0.0)[at], 0.0)
    out["exports_change_pct"] = (out["exports_change"] / out["base_exports"].where(
        out["base_exports"] > 0)).fillna(0.0)
    cols = ["scenario", "country", *HEADLINE, "base_exports", "base_imports",
            "exports_change_pct"]
    return _plain(out[cols].copy())


def partner_view(results: pd.DataFrame, focus: str) -> pd.DataFrame:
    """Scenario x partner: the focus economy's exports and imports change with each partner."""
    r = _with_change(results)
    exp = r[(r["exporter"] == focus) & (r["importer"] != focus)].groupby(
        ["scenario", "importer"], sort=False)["trade_change"].sum()
    exp.index.names = ["scenario", "partner"]
    imp = r[(r["importer"] == focus) & (r["exporter"] != focus)].groupby(
        ["scenario", "exporter"], sort=False)["trade_change"].sum()
    imp.index.names = ["scenario", "partner"]
    out = pd.DataFrame({"exports_change": exp, "imports_change": imp}).fillna(0.0)
    return _plain(out.reset_index())


def sector_view(results: pd.DataFrame, sectors: pd.DataFrame) -> pd.DataFrame:
    """Scenario x sector x economy: exports and imports change (products may be in several
    sectors, so sectors do not add up to the total).

    One ``bincount`` per side and measure over (scenario, economy, product) on integer
    codes (on the table's scenario blocks with each cell's key made once, then a chunk of
    the remaining rows at a time), then a product-to-sector 0/1 matrix; a row is listed
    where the economy has cross-border rows in the sector (as a groupby over the rows would
    list it).
    """
    cols = ["scenario", "sector", "country", "base_exports", "exports_change", "base_imports",
            "imports_change"]
    s_code, scen = label_codes(results["scenario"])
    h_code, hs = label_codes(results["hs"])
    e_code, i_code, countries = shared_codes(results["exporter"], results["importer"])
    mapping = assign_sectors(pd.Series(hs, dtype=object), sectors)
    if mapping.empty or not len(results):
        return pd.DataFrame(columns=cols)
    names = list(dict.fromkeys(mapping["sector"]))
    member = np.zeros((len(hs), len(names)))
    member[pd.Index(hs, dtype=object).get_indexer(mapping["hs"]),
           pd.Index(names).get_indexer(mapping["sector"])] = 1.0
    S, C, H = len(scen), len(countries), len(hs)
    base_all = results["base_value"].to_numpy(dtype=float)
    new_all = results["new_value"].to_numpy(dtype=float)

    blocks, n = scenario_blocks(s_code, e_code, i_code, h_code)

    def side(code: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        bins = np.zeros((3, S * C * H))
        if blocks:  # each cell's key once, every block's values into its scenario's bins
            e, i, h = e_code[:n], i_code[:n], h_code[:n]
            keep = (e != i) & (h >= 0) & (e >= 0) & (i >= 0)
            cell = np.where(keep, code[:n].astype(np.intp) * H + h, C * H)  # C*H: dropped
            present = np.bincount(cell, minlength=C * H + 1)[: C * H]
            for b in range(blocks):
                sc = int(s_code[b * n])
                if sc < 0:
                    continue
                rows = slice(b * n, (b + 1) * n)
                at = slice(sc * C * H, (sc + 1) * C * H)
                base = base_all[rows]
                for k, w in enumerate((base, new_all[rows] - base)):
                    bins[k, at] += np.bincount(cell, weights=w, minlength=C * H + 1)[: C * H]
                bins[2, at] += present
        for rows in row_chunks(len(s_code), start=blocks * n):
            e, i, sc, h = e_code[rows], i_code[rows], s_code[rows], h_code[rows]
            keep = (e != i) & (sc >= 0) & (h >= 0) & (e >= 0) & (i >= 0)
            if not keep.any():
                continue
            # bins from the chunk's first scenario on (few: rows come in scenario order)
            lo = int(sc[keep].min()) * C * H
            key = np.where(keep, (sc.astype(np.intp) * C + code[rows]) * H + h - lo, 0)
            base = np.where(keep, base_all[rows], 0.0)
            change = np.where(keep, new_all[rows], 0.0) - base
            for k, w in enumerate((base, change, keep.astype(float))):
                part = np.bincount(key, weights=w)
                bins[k, lo:lo + len(part)] += part
        sums = [b.reshape(S * C, H) @ member for b in bins]
        return sums[0], sums[1], sums[2] > 0

    eb, ec, ep = side(e_code)
    ib, ic, ip = side(i_code)
    present = (ep | ip).reshape(S, C, len(names)).transpose(0, 2, 1)  # (S, K, C)
    s_i, k_i, c_i = np.nonzero(present)
    flat = (s_i * C + c_i, k_i)
    out = pd.DataFrame({
        "scenario": np.asarray(scen, dtype=object)[s_i],
        "sector": np.asarray(names, dtype=object)[k_i],
        "country": np.asarray(countries, dtype=object)[c_i],
        "base_exports": eb[flat], "exports_change": ec[flat],
        "base_imports": ib[flat], "imports_change": ic[flat],
    })
    return _plain(out[cols])


def shared_codes(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes of two label columns in one shared label list (-1 for missing); two
    categoricals with the same categories (the results table's) keep their own codes."""
    if (isinstance(a.dtype, pd.CategoricalDtype) and isinstance(b.dtype, pd.CategoricalDtype)
            and a.cat.categories.equals(b.cat.categories)):
        return (a.cat.codes.to_numpy(), b.cat.codes.to_numpy(),
                np.asarray(a.cat.categories, dtype=object))
    ca, la = label_codes(a)
    cb, lb = label_codes(b)
    labels = pd.Index(list(dict.fromkeys([*la, *lb])), dtype=object)
    ma = np.append(labels.get_indexer(la), -1)
    mb = np.append(labels.get_indexer(lb), -1)
    return ma[ca], mb[cb], np.asarray(labels, dtype=object)


def top_products(results: pd.DataFrame, focus: str, scenario: str, n: int = 25) -> pd.DataFrame:
    """The focus economy's n largest export changes (absolute) in a scenario, by product."""
    r = results[(results["scenario"] == scenario) & (results["exporter"] == focus)
                & (results["importer"] != focus)]
    g = _with_change(r).groupby("hs", sort=False).agg(base_value=("base_value", "sum"),
                                        trade_change=("trade_change", "sum"))
    g = g.reindex(g["trade_change"].abs().sort_values(ascending=False).index).head(n)
    return _plain(g.reset_index())


def first_ranked(scorecard: pd.DataFrame, focus: str, with_depth: bool = False) -> pd.DataFrame:
    """Per metric: the scenario ranked first for ``focus`` and its value; with the depth
    channel, also the first among the depth-channel variants (ranked separately)."""
    sc = scorecard[(scorecard["country"] == focus) & (scorecard["rank"] == 1)]
    depth = sc["scenario"].str.endswith(" (depth)")

    def best(part: pd.DataFrame) -> pd.DataFrame:
        g = part.groupby("metric", sort=False)
        return pd.DataFrame({"scenario": g["scenario"].agg(", ".join),
                             "value": g["value"].first()})

    metrics = [m for m in dict.fromkeys(scorecard.loc[scorecard["country"] == focus, "metric"])
               if not str(m).startswith("exports_change:section_")]  # sections: see 'sectors'
    plain = best(sc[~depth]).reindex(metrics)
    out = pd.DataFrame({"first_tariff_only": plain["scenario"],
                        "value_tariff_only": plain["value"]}, index=plain.index)
    if with_depth:
        deep = best(sc[depth]).reindex(metrics)
        out["first_with_depth"] = deep["scenario"]
        out["value_with_depth"] = deep["value"]
    out.index.name = "metric"
    return out.reset_index().fillna({"first_tariff_only": "", "first_with_depth": ""})
