"""``default_ge.xlsx``: the ``ge_*`` sheets of the Caliendo-Parro sector model (DESIGN 2, 3e).

Source: the WIOD 2014 CP arrays (``wiod_cp.py``; 44 economies x 50 sectors, US$ million, tariff
read as the importer's tariff on the exporter), and the compiled 2026 PE baseline of this build
for the tariffs the PE tables cover. Values: US$ thousand (the PE tables' unit), 2014.

From shares to values (every table from the same flows, so the accounting closes):

* ``ge_trade``: imports at producer prices ``tv = trade_share x expenditure / (1 + t)``, domestic
  sales included (all 50 sectors; services untaxed);
* gross output ``Y[j, i] = sum_n tv[j, i, n]``; ``ge_value_added`` = beta x Y;
  ``ge_intermediate[n, k, j]`` = gamma[n, k, j] x (1 - beta[j, n]) x Y[j, n], so intermediate +
  value added = gross output exactly (up to the rounding to US$ 1);
* ``ge_deficits`` = imports - exports at producer prices from ``tv`` (sums to zero; the file's
  ``trade_balance`` uses KITE's tariff reading and is not reproduced);
* ``ge_final`` = alpha x income, income = value added + 2014 tariff revenue + deficit (the
  model's income identity), so the final-demand shares are the file's ``consumption_share``;
* ``ge_elasticities``: theta = 1 / the file's ``trade_elasticity`` (+ a ``description``).

What the source leaves inconsistent (the GE model solves baseline and scenario from the same
data, so a zero shock stays exactly zero): the arrays are not an equilibrium; intermediate +
final demand differs from the file's expenditure (:func:`build_ge` reports by how much); value
added from beta x Y differs from the file's ``value_added``.

``ge_applied`` (scenario ``baseline``): the importer's tariff on the exporter by goods sector.
Where the PE tables cover the pair (PE importer and exporter both map to GE economies: EUN ->
each EU member; PE ROW, VNM, MYS, SGP, THA, CHL, PER, NZL have no GE counterpart, nor do the GE
economies BRA, CHE, NOR, RUS, TUR) and have base trade in the sector, the rate is the
base-trade-weighted mean of the compiled 2026 PE baseline rates of the sector's products
(``quality`` ``observed:pe_baseline_2026``; KOR-CHN FTA, RCEP, CPTPP and the US duties in force
on 2025-01-01 included); else the WIOD 2014 rate (``observed:wiod2014``).
``ge_sectors``: the HS prefixes of each goods sector, a lossless non-overlapping prefix form of
``concordance.hs_to_wiod`` (services and HS 2716 electricity have no rows), with a
``description``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from . import wiod_cp
from .concordance import hs_to_wiod
from .helpers import Info, compress_partition
from .universe import EU27, WIOD_NAMED

Q_PE = "observed:pe_baseline_2026"
Q_WIOD = "observed:wiod2014"
PE_SHEETS = ("trade", "mfn", "preferences", "agreements", "duties", "regions", "utilisation")


def ge_sectors_table(universe: list[str], labels: dict[str, str]) -> pd.DataFrame:
    """``sector, hs, description``: non-overlapping HS prefixes reproducing ``hs_to_wiod``."""
    sec = {h: hs_to_wiod(h) for h in universe}
    codes = sorted({s for s in sec.values() if s})
    num = {h: float(codes.index(s) + 1) if s else 0.0 for h, s in sec.items()}
    rows = [(codes[int(v) - 1], p) for p, v in compress_partition(num, universe)]
    df = pd.DataFrame(rows, columns=["sector", "hs"])
    df["description"] = df["sector"].map(labels)
    return df.sort_values(["sector", "hs"], kind="mergesort").reset_index(drop=True)


def compile_pe_baseline(sheets: dict[str, pd.DataFrame], max_rate: float) -> pd.DataFrame:
    """The 2026 PE baseline rate of every trade cell, compiled by the tool itself.

    Writes the PE sheets (and a baseline-only ``scenarios`` and a ``meta`` with ``max_rate``) as
    Parquet to a temporary folder, loads them with ``fta_compare.inputs.load_inputs`` and runs
    ``api.compile_scenarios``. Returns ``exporter, importer, hs, value, rate``.
    """
    from fta_compare import api
    from fta_compare.inputs import load_inputs
    from fta_compare.scenarios.shocks import build_universe

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name in PE_SHEETS:
            p = Path(tmp) / f"{name}.parquet"
            sheets[name].to_parquet(p, index=False)
            paths.append(p)
        sc = sheets["scenarios"]
        sc[sc["scenario"] == "baseline"].to_parquet(Path(tmp) / "scenarios.parquet", index=False)
        pd.DataFrame({"key": ["max_rate"], "value": [f"{max_rate:g}"]}).to_parquet(
            Path(tmp) / "meta.parquet", index=False)
        tables = load_inputs([*paths, Path(tmp) / "scenarios.parquet",
                              Path(tmp) / "meta.parquet"])
    uni = build_universe(tables)
    comp = api.compile_scenarios(tables, uni.cells)
    a = comp.applied
    a = a[a["scenario"].astype(str) == "baseline"]
    rate = pd.DataFrame({"importer": a["importer"].astype(str).to_numpy(),
                         "exporter": a["exporter"].astype(str).to_numpy(),
                         "hs": a["hs"].astype(str).to_numpy(),
                         "rate": a["rate"].to_numpy(dtype=float)})
    cells = uni.cells[["exporter", "importer", "hs", "value"]].astype(
        {"exporter": str, "importer": str, "hs": str})
    return cells.merge(rate, on=["importer", "exporter", "hs"], how="inner")


def pe_sector_tariffs(cells: pd.DataFrame) -> pd.DataFrame:
    """Base-trade-weighted PE baseline tariff by (importer, exporter, GE sector), international."""
    c = cells[cells["exporter"] != cells["importer"]].copy()
    c["sector"] = c["hs"].map(hs_to_wiod)
    c = c.dropna(subset=["sector"])
    c["w"] = c["value"] * c["rate"]
    g = c.groupby(["importer", "exporter", "sector"], sort=True)[["w", "value"]].sum()
    g = g[g["value"] > 0]
    return (g["w"] / g["value"]).rename("rate").reset_index()


def _pe_code(e: str) -> str | None:
    if e in EU27:
        return "EUN"
    return e if e in WIOD_NAMED else None


def build_ge(cp: wiod_cp.CPData, pe: pd.DataFrame, universe: list[str]
             ) -> tuple[dict[str, pd.DataFrame], Info]:
    """The ``ge_*`` sheets (workbook order) and notes. ``pe``: :func:`pe_sector_tariffs`."""
    E, S = list(cp.economies), list(cp.sectors)
    J, N = len(S), len(E)
    tv = wiod_cp.flows(cp) * 1000.0  # [j, i, n] US$ thousand
    Y = tv.sum(axis=2)  # [j, i]
    va = cp.beta * Y
    inter = cp.gamma * ((1.0 - cp.beta) * Y).T[:, None, :]  # [n, k, j]
    dom = np.einsum("jnn->jn", tv)
    deficit = (tv.sum(axis=1) - dom).sum(axis=0) - (tv.sum(axis=2) - dom).sum(axis=0)
    revenue = (cp.tariff * tv).sum(axis=(0, 1))
    income = va.sum(axis=0) + revenue + deficit
    final = cp.alpha * income[None, :]
    jj, ii, nn = np.meshgrid(np.arange(J), np.arange(N), np.arange(N), indexing="ij")
    trade = pd.DataFrame({"exporter": np.asarray(E)[ii.ravel()],
                          "importer": np.asarray(E)[nn.ravel()],
                          "sector": np.asarray(S)[jj.ravel()],
                          "value": np.round(tv.ravel(), 3)})
    trade = trade[trade["value"] > 0].sort_values(["exporter", "importer", "sector"],
                                                  kind="mergesort").reset_index(drop=True)
    # baseline tariffs: PE 2026 where covered, else WIOD 2014
    goods = [S.index(s) for s in wiod_cp.GOODS]
    pe_idx = pe.set_index(["importer", "exporter", "sector"])["rate"]
    rows = []
    for j in goods:
        for i, ei in enumerate(E):
            for n, en in enumerate(E):
                if i == n and en != wiod_cp.WIOD_ROW:
                    continue
                r, q = float(cp.tariff[j, i, n]), Q_WIOD
                pr, pv = _pe_code(en), _pe_code(ei)
                if pr and pv and pr != pv and (pr, pv, S[j]) in pe_idx.index:
                    r, q = float(pe_idx[(pr, pv, S[j])]), Q_PE
                rows.append(("baseline", en, ei, S[j], round(r, 6), q))
    applied = pd.DataFrame(rows, columns=["scenario", "importer", "exporter", "sector", "rate",
                                          "quality"])
    applied = applied.sort_values(["importer", "exporter", "sector"], kind="mergesort"
                                  ).reset_index(drop=True)
    k, n_, j_ = np.meshgrid(np.arange(J), np.arange(N), np.arange(J), indexing="ij")
    inter_df = pd.DataFrame({"country": np.asarray(E)[n_.ravel()],
                             "input": np.asarray(S)[k.ravel()],
                             "sector": np.asarray(S)[j_.ravel()],
                             "value": np.round(inter.transpose(1, 0, 2).ravel(), 3)})
    inter_df = inter_df[inter_df["value"] > 0].sort_values(["country", "input", "sector"],
                                                           kind="mergesort").reset_index(drop=True)

    def cs(arr: np.ndarray) -> pd.DataFrame:
        jj2, nn2 = np.meshgrid(np.arange(J), np.arange(N), indexing="ij")
        d = pd.DataFrame({"country": np.asarray(E)[nn2.ravel()],
                          "sector": np.asarray(S)[jj2.ravel()],
                          "value": np.round(arr.ravel(), 3)})
        return d.sort_values(["country", "sector"], kind="mergesort").reset_index(drop=True)

    labels = cp.labels
    sheets = {
        "ge_trade": trade,
        "ge_applied": applied,
        "ge_intermediate": inter_df,
        "ge_final": cs(final),
        "ge_value_added": cs(va),
        "ge_deficits": pd.DataFrame({"country": E, "value": np.round(deficit, 3)}),
        "ge_elasticities": pd.DataFrame({"sector": S, "theta": np.round(1.0 / cp.inv_theta, 6),
                                         "description": [labels.get(s, "") for s in S]}),
        "ge_sectors": ge_sectors_table(universe, labels),
    }
    X = cp.expenditure * 1000.0
    demand = inter.sum(axis=2).T + final  # [k, n]: intermediate purchases of k + final
    gap = np.abs(demand - X).sum() / X.sum()
    va_gap = va.sum(axis=0) / (cp.value_added * 1000.0) - 1.0
    bal_gap = deficit + cp.trade_balance * 1000.0
    info: Info = {
        "ge_expenditure_gap": f"{gap:.4%} of world absorption: |intermediate + final - file "
        "expenditure| summed over country-sectors (the CP arrays are not an equilibrium)",
        "ge_value_added_gap": f"beta x Y vs the file's value_added: {va_gap.min():+.2%} to "
        f"{va_gap.max():+.2%} by economy",
        "ge_balance_gap": f"deficits from the flows vs the file's trade_balance (KITE's tariff "
        f"reading): largest gap US$ {np.abs(bal_gap).max() / 1e6:,.1f} bn "
        f"({E[int(np.abs(bal_gap).argmax())]})",
        "ge_applied_pe_share": f"{(applied['quality'] == Q_PE).mean():.1%} of the baseline "
        "goods cells take the PE 2026 baseline",
    }
    return sheets, info
