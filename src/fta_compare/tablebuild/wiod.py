"""WIOD 2014 sector flows mapped to this build's economies: the imputed part of ``trade``.

Source: the 44-economy WIOD 2014 CP arrays (``wiod_cp.py``): imports at producer prices
``trade_share x expenditure / (1 + importer's tariff)`` (US$ million), goods sectors C01..C22.

Transformation:

1. :func:`pe_flows`: WIOD economies mapped to this build's (EU27 -> ``EUN``; BRA, CHE, NOR, RUS,
   TUR -> ``ROW``). WIOD's RoW region is split into ``universe.SPLIT`` and ``ROW``:

   * as an exporter, by each economy's share of the RoW region's observed exports to the USA
     (US Census 2024, HS6 -> sector) plus Japan (Japan Customs 2024, group -> HS6 -> sector),
     per sector (:func:`exporter_shares`);
   * as an importer, by each economy's share of Japan's observed 2024 exports to the RoW region,
     per sector (:func:`importer_shares`); Peru (no Japanese export data) by its share of the
     region's exports over all sectors (a size proxy);
   * RoW -> RoW (domestic sales of every RoW country and their mutual trade) stays ``ROW->ROW``:
     the split economies have no domestic cells and no trade among themselves.

2. :func:`scale`: x ONE factor to 2024 (US Census 2024 imports from the WIOD-named exporters /
   WIOD 2014 US imports from the same), except Japan's domestic sales, scaled by Japan's observed
   2024 imports / its WIOD 2014 imports (keeps WIOD's import penetration in yen-weak 2024).
3. :func:`split_to_hs6`: each (exporter, importer, sector) flow split across HS6 by the
   exporter's 2024 US-import mix within the sector, else the mix of total US imports.

Observed sources replace cells here (``trade.py``): every flow into USA (US Census) and JPN, and
Japan's exports (Japan Customs, ``jp_customs.py``). Quality labels ``imputed:wiod2014_<kind>_x_
{exporter,world}_us_mix`` with kind ``sector`` (both sides WIOD economies), ``domestic``,
``domestic_scaled_by_jpn_imports``, ``row_split_us_jpn_imports`` (exporter split out of WIOD's
RoW), ``row_split_jpn_exports`` / ``row_split_export_size`` (importer split out of it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import wiod_cp
from .concordance import hs_to_wiod
from .helpers import Info
from .universe import EU27, SPLIT, UNIVERSE, WIOD_NAMED, WIOD_NAMED_EXPORTERS_TO_US, WIOD_TO_ROW

GOODS_SECTORS = wiod_cp.GOODS
ROWW = "ROWW"  # WIOD's RoW region before the split


def wiod_code(e: str) -> str:
    """This build's economy of a WIOD economy (``ROWW`` for WIOD's RoW region)."""
    if e in EU27:
        return "EUN"
    if e in WIOD_TO_ROW:
        return "ROW"
    if e == wiod_cp.WIOD_ROW:
        return ROWW
    if e in WIOD_NAMED:
        return e
    raise ValueError(f"WIOD economy {e} has no mapping")


def _sector_totals(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """``key`` x sector sums (US$ thousand) of HS6 rows ``<key>, hs, value``."""
    r = rows.assign(sector=rows["hs"].map(hs_to_wiod)).dropna(subset=["sector"])
    return r.pivot_table(index="sector", columns=key, values="value", aggfunc="sum").reindex(
        GOODS_SECTORS).fillna(0.0)


WIOD43 = set(EU27) | {"GBR", *WIOD_NAMED, *WIOD_TO_ROW} - {"EUN"}


def exporter_shares(us_raw: pd.DataFrame, jp_imports: pd.DataFrame, jp_roww_factor: float
                    ) -> tuple[pd.DataFrame, pd.Series, Info]:
    """Shares (sector x economy, rows sum to 1) of SPLIT + ROW in WIOD RoW's exports, and the
    shares over all sectors.

    ``us_raw``: US imports (``iso3, hs6, imports_usd``); ``jp_imports``: Japan's imports as HS6
    rows (``exporter, hs, value`` US$ thousand, exporters incl. ``ROW``); ``jp_roww_factor``: share
    of Japan's ``ROW`` imports that come from outside the WIOD countries.
    """
    us = us_raw[~us_raw["iso3"].isin(WIOD43 | {"USA"})].copy()
    us["who"] = np.where(us["iso3"].isin(SPLIT), us["iso3"], "ROW")
    us = us.rename(columns={"hs6": "hs", "imports_usd": "value"})
    us["value"] = us["value"] / 1000.0
    a = _sector_totals(us, "who")
    j = jp_imports[jp_imports["exporter"].isin([*SPLIT, "ROW"])]
    b = _sector_totals(j, "exporter")
    b["ROW"] = b.get("ROW", 0.0) * jp_roww_factor
    tot = a.add(b, fill_value=0.0).reindex(columns=[*SPLIT, "ROW"]).fillna(0.0)
    share = tot.div(tot.sum(axis=1).where(tot.sum(axis=1) > 0, 1.0), axis=0)
    share.loc[tot.sum(axis=1) == 0, "ROW"] = 1.0
    overall = tot.sum() / tot.sum().sum()
    info = {"row_split_exporter": "; ".join(f"{c} {overall[c]:.3f}" for c in [*SPLIT, "ROW"])}
    return share, overall, info


def importer_shares(jp_exports: pd.DataFrame, jp_roww_factor: float, size: pd.Series
                    ) -> tuple[pd.DataFrame, list[str], Info]:
    """Shares (sector x economy, rows sum to 1) of SPLIT + ROW in WIOD RoW's imports.

    ``jp_exports``: Japan's exports as HS6 rows (``importer, hs, value``, importers incl.
    ``ROW``); ``size``: overall exporter shares (fallback for SPLIT economies absent from the
    Japanese export data). Returns (shares, economies using the size proxy, notes).
    """
    j = jp_exports[jp_exports["importer"].isin([*SPLIT, "ROW"])]
    t = _sector_totals(j, "importer").reindex(columns=[*SPLIT, "ROW"]).fillna(0.0)
    t["ROW"] = t["ROW"] * jp_roww_factor
    share = t.div(t.sum(axis=1).where(t.sum(axis=1) > 0, 1.0), axis=0)
    proxied = [c for c in SPLIT if t[c].sum() == 0]
    for c in proxied:
        share[c] = float(size[c])
    named = share[SPLIT].sum(axis=1).clip(upper=1.0)
    share[SPLIT] = share[SPLIT].mul(named / share[SPLIT].sum(axis=1).where(named > 0, 1.0),
                                    axis=0).fillna(0.0)
    share["ROW"] = 1.0 - share[SPLIT].sum(axis=1)
    overall = (share.mul(t.sum(axis=1), axis=0).sum() / t.sum().sum())
    info = {"row_split_importer": "; ".join(f"{c} {overall[c]:.3f}" for c in [*SPLIT, "ROW"])
            + (f" ({', '.join(proxied)}: share of the region's exports, no Japanese export data)"
               if proxied else "")}
    return share, proxied, info


def pe_flows(cp: wiod_cp.CPData, a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Goods flows ``[sector, exporter, importer]`` over ``UNIVERSE`` (US$ million, 2014).

    ``a``/``b``: exporter/importer split shares of WIOD's RoW region (sector x SPLIT+ROW).
    """
    g = [cp.sectors.index(s) for s in GOODS_SECTORS]
    M = wiod_cp.flows(cp)[g]
    E = list(cp.economies)
    U = UNIVERSE
    S, N, K = len(g), len(E), len(U)
    r = E.index(wiod_cp.WIOD_ROW)
    rr = M[:, r, r].copy()
    M[:, r, r] = 0.0
    A = np.zeros((S, N, K))
    B = np.zeros((S, N, K))
    for k, e in enumerate(E):
        c = wiod_code(e)
        if c != ROWW:
            A[:, k, U.index(c)] = 1.0
            B[:, k, U.index(c)] = 1.0
    cols = [U.index(c) for c in [*SPLIT, "ROW"]]
    A[:, r, cols] = a.reindex(GOODS_SECTORS)[[*SPLIT, "ROW"]].to_numpy()
    B[:, r, cols] = b.reindex(GOODS_SECTORS)[[*SPLIT, "ROW"]].to_numpy()
    F = np.einsum("siu,sin,snv->suv", A, M, B)
    F[:, U.index("ROW"), U.index("ROW")] += rr
    return F


def kind_of(exporter: str, importer: str, proxied: list[str]) -> str:
    """Quality kind of an imputed (exporter, importer) cell (see the module docstring)."""
    if exporter == importer:
        return "domestic_scaled_by_jpn_imports" if exporter == "JPN" else "domestic"
    if exporter in SPLIT:
        return "row_split_us_jpn_imports"
    if importer in SPLIT:
        return "row_split_export_size" if importer in proxied else "row_split_jpn_exports"
    return "sector"


def scale(F: np.ndarray, us_named_k: float, jpn_imports_k: float) -> tuple[np.ndarray, Info]:
    """F (US$ million, 2014) -> US$ thousand in 2024 terms (see the module docstring).

    ``us_named_k``: US Census 2024 imports from ``WIOD_NAMED_EXPORTERS_TO_US`` in WIOD goods
    sectors; ``jpn_imports_k``: Japan's observed 2024 imports (both US$ thousand).
    """
    U = UNIVERSE
    usa, jpn = U.index("USA"), U.index("JPN")
    named = [U.index(c) for c in WIOD_NAMED_EXPORTERS_TO_US]
    wus = F[:, named, usa].sum()
    factor = us_named_k / 1e3 / wus
    wjp = F[:, :, jpn].sum() - F[:, jpn, jpn].sum()
    jfactor = jpn_imports_k / 1e3 / wjp
    out = F * 1000.0 * factor
    out[:, jpn, jpn] = F[:, jpn, jpn] * 1000.0 * jfactor
    info: Info = {
        "wiod_factor": factor,
        "wiod_scale_factor": (
            f"{factor:.4f} = US 2024 Census goods imports from "
            f"{', '.join(WIOD_NAMED_EXPORTERS_TO_US)} in WIOD goods sectors (US$ "
            f"{us_named_k / 1e6:,.1f} bn) / WIOD 2014 US imports from the same (US$ "
            f"{wus / 1e3:,.1f} bn); one scalar keeps every WIOD ratio"),
        "wiod_jpn_domestic_factor": (
            f"{jfactor:.4f} = Japan's observed 2024 imports (Japan Customs, US$ "
            f"{jpn_imports_k / 1e6:,.1f} bn) / its WIOD 2014 goods imports (US$ "
            f"{wjp / 1e3:,.1f} bn): Japan's domestic sales keep WIOD's import penetration"),
    }
    return out, info


def split_to_hs6(F: np.ndarray, keep: np.ndarray, world: pd.DataFrame, own: pd.DataFrame,
                 proxied: list[str]) -> pd.DataFrame:
    """Imputed ``trade`` rows from F (US$ thousand) on the (exporter, importer) cells ``keep``.

    ``world``/``own`` as returned by ``us_imports.sector_mix``. Rows ``exporter, importer, hs,
    value`` (unrounded) ``, quality``.
    """
    U = UNIVERSE
    s_i, e_i, i_i = np.nonzero((F > 0) & keep[None, :, :])
    flows = pd.DataFrame({"sector": np.asarray(GOODS_SECTORS)[s_i],
                          "exporter": np.asarray(U)[e_i], "importer": np.asarray(U)[i_i],
                          "value_k": F[s_i, e_i, i_i]})
    parts = []
    for e, fe in flows.groupby("exporter", sort=True):
        mix = own[own["exporter"] == e][["sector", "hs", "share"]] if e != "USA" else \
            own.iloc[0:0][["sector", "hs", "share"]]
        has = set(mix["sector"])
        m = pd.concat([mix.assign(src="exporter_us_mix"),
                       world[~world["sector"].isin(has)][["sector", "hs", "share"]].assign(
                           src="world_us_mix")], ignore_index=True)
        x = fe.merge(m, on="sector", how="inner")
        x["value"] = x["value_k"] * x["share"]
        kinds = {(ex, im): kind_of(ex, im, proxied)
                 for ex, im in x[["exporter", "importer"]].drop_duplicates().itertuples(
                     index=False)}
        x["quality"] = ["imputed:wiod2014_" + kinds[(a, b)] + "_x_" + s for a, b, s in
                        zip(x["exporter"], x["importer"], x["src"], strict=True)]
        parts.append(x[["exporter", "importer", "hs", "value", "quality"]])
    imp = pd.concat(parts, ignore_index=True)
    return imp.groupby(["exporter", "importer", "hs", "quality"], sort=True)["value"].sum(
        ).reset_index()
