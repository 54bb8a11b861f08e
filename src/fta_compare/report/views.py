"""Human views of a run: aggregations of the contract tables (pure pandas, no I/O).

Each view is a sum over ``results`` or ``welfare``, so the report's human sheets can be
traced back to the contract sheets (tests check the sums).
"""

from __future__ import annotations

import pandas as pd

from fta_compare.report.sectors import assign_sectors

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
    (diversion > 0: trade diverted towards it).
    """
    r = _with_change(results)
    r = r[r["exporter"] != r["importer"]]
    exports = r.groupby(["scenario", "exporter"], sort=False).agg(
        base_exports=("base_value", "sum"), exports_change=("trade_change", "sum"),
        trade_creation=("trade_creation", "sum"), trade_diversion=("trade_diversion", "sum"))
    exports.index.names = ["scenario", "country"]
    imports = r.groupby(["scenario", "importer"], sort=False).agg(
        base_imports=("base_value", "sum"), imports_change=("trade_change", "sum"))
    imports.index.names = ["scenario", "country"]
    w = welfare.set_index(["scenario", "country"])
    out = w.join(exports, how="left").join(imports, how="left").fillna(0.0).reset_index()
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
    sectors, so sectors do not add up to the total)."""
    r = _with_change(results)
    r = r[(r["exporter"] != r["importer"]).to_numpy(dtype=bool)]
    mapping = assign_sectors(r["hs"], sectors)
    if mapping.empty:
        return pd.DataFrame(columns=["scenario", "sector", "country", "base_exports",
                                     "exports_change", "base_imports", "imports_change"])

    def by_sector(side: str, base: str, change: str) -> pd.DataFrame:
        # products first (one row per scenario, product and economy), then sectors
        g = r.groupby(["scenario", "hs", side], sort=False, observed=True).agg(
            **{base: ("base_value", "sum"), change: ("trade_change", "sum")}).reset_index()
        g = _plain(g).merge(mapping, on="hs")
        out = g.groupby(["scenario", "sector", side], sort=False)[[base, change]].sum()
        out.index.names = ["scenario", "sector", "country"]
        return out

    exp = by_sector("exporter", "base_exports", "exports_change")
    imp = by_sector("importer", "base_imports", "imports_change")
    return exp.join(imp, how="outer").fillna(0.0).reset_index()


def top_products(results: pd.DataFrame, focus: str, scenario: str, n: int = 25) -> pd.DataFrame:
    """The focus economy's n largest export changes (absolute) in a scenario, by product."""
    r = _with_change(results)
    r = r[(r["scenario"] == scenario) & (r["exporter"] == focus) & (r["importer"] != focus)]
    g = r.groupby("hs", sort=False).agg(base_value=("base_value", "sum"),
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
