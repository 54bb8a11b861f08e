"""WIOD 2014 bilateral sector flows: the imputed part of the ``trade`` sheet.

Source: WIOD 2016 release, 2014 table, via the KITE initial conditions (shared
``bilateral_sector_flows/wiod2014_kite_bilateral_flows_by_sector.csv``; columns used
``exporter, importer, sector, value`` [US$ million, basic prices, excl. importer tariff],
``tariff_factor, kite_trade_share, kite_expenditure_importer``). Nine economies (the universe).

Transformation:

1. :func:`complete_and_scale`: goods sectors ``C01``..``C22`` only; the origin shares of the file
   sum to < 1 (35 WIOD economies are missing), so the missing share x expenditure / ROW tariff
   factor is added to ROW's flows; all flows x ONE scalar (US Census 2024 imports from the seven
   named WIOD exporters / WIOD 2014 US imports from the same) -> US$ thousand in 2024 terms; the
   US market is observed (``us_imports.py``), so only US domestic sales are kept for importer USA.
2. :func:`split_to_hs6`: each (exporter, importer, sector) flow split across HS6 by the exporter's
   2024 US-import mix within the sector (``us_imports.sector_mix``), else (exporter USA, or a
   sector the exporter does not ship to the US) the mix of total US imports.

Quality labels: ``imputed:wiod2014_sector_x_{exporter,world}_us_mix`` (international) and
``imputed:wiod2014_domestic_x_{exporter,world}_us_mix`` (exporter == importer).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .helpers import Info, read_csv
from .universe import UNIVERSE, WIOD_NAMED_EXPORTERS_TO_US

FILE = "bilateral_sector_flows/wiod2014_kite_bilateral_flows_by_sector.csv"
GOODS_SECTORS = [f"C{i:02d}" for i in range(1, 23)]


def load(shared: Path) -> pd.DataFrame:
    """Read the WIOD 2014 bilateral flows by sector (US$ million)."""
    return read_csv(shared, FILE)


def complete_and_scale(wiod: pd.DataFrame, us_named_imports_k: float) -> tuple[pd.DataFrame, Info]:
    """Goods flows with ROW completed and scaled to 2024 (column ``value_k``, US$ thousand).

    ``us_named_imports_k``: US Census 2024 imports (US$ thousand) from the seven named WIOD
    exporters in WIOD goods sectors, the numerator of the scale factor.
    """
    info: Info = {}
    w = wiod[wiod["sector"].isin(GOODS_SECTORS)].copy()
    miss = (1.0 - w.groupby(["importer", "sector"])["kite_trade_share"].sum()).clip(lower=0.0)
    exp = w.groupby(["importer", "sector"])["kite_expenditure_importer"].first()
    rowtf = w[w["exporter"] == "ROW"].set_index(["importer", "sector"])["tariff_factor"]
    fill = (miss * exp / rowtf).rename("fill").reset_index()
    fill["exporter"] = "ROW"
    w = w.merge(fill, on=["exporter", "importer", "sector"], how="left")
    w["fill"] = w["fill"].fillna(0.0)
    gbr_c20 = (
        f"{1 - miss.loc[('GBR', 'C20')]:.3f}" if ("GBR", "C20") in miss.index else "n/a"
    )  # the README's worst case; absent only in test slices
    info["wiod_row_fill"] = (
        f"the WIOD file's origin shares sum to < 1 (median {1 - miss.median():.3f}; GBR C20 "
        f"{gbr_c20}): flows from the 35 other WIOD economies (EU, TWN, IND...) "
        f"are absent; their share x expenditure / ROW tariff factor was added to ROW's flows "
        f"(US$ {w['fill'].sum() / 1e3:.0f} bn in 2014 values)"
    )
    w["v"] = w["value"] + w["fill"]

    # scale 2014 -> 2024 with one factor: Census 2024 / WIOD 2014 US imports from the 7 named
    cen = us_named_imports_k / 1e3
    wus = w[(w["importer"] == "USA") & (w["exporter"].isin(WIOD_NAMED_EXPORTERS_TO_US))][
        "value"
    ].sum()
    factor = cen / wus
    info["wiod_scale_factor"] = (
        f"{factor:.4f} = US 2024 Census goods imports from AUS, CAN, CHN, GBR, JPN, KOR, MEX in "
        f"WIOD goods sectors (US$ {cen / 1e3:,.1f} bn) / WIOD 2014 US imports from the same (US$ "
        f"{wus / 1e3:,.1f} bn); one scalar keeps every WIOD ratio"
    )
    info["wiod_factor"] = factor
    w["value_k"] = w["v"] * 1000.0 * factor
    # the US market is observed, except US domestic sales
    w = w[((w["importer"] != "USA") | (w["exporter"] == "USA")) & (w["value_k"] > 0)]
    return w, info


def split_to_hs6(w: pd.DataFrame, world: pd.DataFrame, own: pd.DataFrame) -> pd.DataFrame:
    """Imputed ``trade`` rows: sector flows (``value_k``) x HS6 shares of the product mix.

    ``world``/``own`` as returned by ``us_imports.sector_mix``. Rows ``exporter, importer, hs,
    value`` (US$ thousand, unrounded) ``, quality``, sorted; one row per quality label.
    """
    parts = []
    for e in UNIVERSE:
        we = w[w["exporter"] == e][["importer", "sector", "value_k"]]
        if e == "USA":  # no US export detail: total US imports within the sector
            mix = world.iloc[0:0][["sector", "hs", "share"]]
        else:
            mix = own[own["exporter"] == e][["sector", "hs", "share"]]
        has = set(mix["sector"])
        wm = world[~world["sector"].isin(has)][["sector", "hs", "share"]]
        m = pd.concat([mix, wm], ignore_index=True)
        flows = we.merge(m, on="sector", how="inner")
        flows["value"] = flows["value_k"] * flows["share"]
        flows["exporter"] = e
        own_mix = flows["sector"].isin(has)
        dom = flows["importer"] == e
        q = np.where(own_mix, "exporter_us_mix", "world_us_mix")
        kind = np.where(dom, "imputed:wiod2014_domestic_x_", "imputed:wiod2014_sector_x_")
        flows["quality"] = [a + b for a, b in zip(kind, q, strict=True)]
        parts.append(flows[["exporter", "importer", "hs", "value", "quality"]])
    imp = pd.concat(parts, ignore_index=True)
    return (
        imp.groupby(["exporter", "importer", "hs", "quality"], sort=True)["value"]
        .sum()
        .reset_index()
    )
