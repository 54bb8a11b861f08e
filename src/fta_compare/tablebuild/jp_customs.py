"""Japan Customs trade by partner and commodity group (2024): observed flows into and out of JPN.

Source: Japan Customs trade statistics via ``mitsuoxv/jp-trade`` ``data/trade_year.rda`` @a66ddb1
(MIT), shared ``japan_customs_trade/japan_trade_by_area_goods_2009_2026.csv``: columns ``ex_im``
(import/export), ``area`` (57 partner areas incl. ``EU`` and ``Grand Total``), ``goods`` (Japan
Customs' principal commodity groups: 9 top groups that partition the total, sub-groups, and
sub-sub-groups in parentheses), ``year``, ``value`` (billion yen).

Transformation:

1. :func:`observed_groups`: year ``YEAR``; areas mapped to the economies of this build
   (:data:`AREAS`); ``ROW`` = Grand Total minus the mapped areas; values billion yen -> US$
   thousand at the **mirror-implied exchange rate** (:func:`mirror_rate`: Japan's 2024 exports to
   the USA in yen / US Census 2024 imports from Japan in US$), so that Japan-reported and
   US-reported values are on one footing. Each top group is split into its listed sub-groups
   (parenthesised sub-sub-groups are ignored) and a remainder (top group minus its sub-groups,
   clipped at 0).
2. :func:`split_hs6`: each (partner, group cell) value is spread over the HS6 codes of the cell
   (:func:`hs_group`, an HS -> commodity-group rule set written for this build after the SITC
   sections behind Japan's classification; longest prefix wins; NOT an official concordance) by
   the exporter's 2024 US-import mix within the cell (JPN for Japan's exports, the partner for
   Japan's imports), else the mix of total US imports, else uniformly.

Quality labels: ``sector_observed:jpn_customs_2024_group_x_exporter_us_mix`` (or
``..._world_us_mix`` / ``..._uniform``): the partner x group value is observed, its HS6 split is
imputed. Japan's exports to a partner are the partner's imports from Japan (mirror flows; FOB).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .helpers import Info, read_csv

FILE = "japan_customs_trade/japan_trade_by_area_goods_2009_2026.csv"
YEAR = 2024
LABEL = "sector_observed:jpn_customs_2024_group_x_"
AREAS: dict[str, str] = {  # Japan Customs area -> economy of this build
    "China": "CHN", "R Korea": "KOR", "USA": "USA", "EU": "EUN", "U King": "GBR",
    "Austral": "AUS", "Canada": "CAN", "Mexico": "MEX", "Taiwan": "TWN", "India": "IND",
    "Indnsia": "IDN", "Vietnam": "VNM", "Malysia": "MYS", "Sngapor": "SGP", "Thailnd": "THA",
    "Chile": "CHL", "Peru": "PER", "Newzeld": "NZL",
}  # fmt: skip
WIOD_AREAS: list[str] = [  # areas that are WIOD 2014 economies (the rest of the world is WIOD RoW)
    "China", "R Korea", "USA", "EU", "U King", "Austral", "Canada", "Mexico", "Taiwan", "India",
    "Indnsia", "Brazil", "Switzld", "Norway", "Russia", "Turkey",
]  # fmt: skip
TOP = ["Foodstuff", "Raw Materials", "Mineral Fuels", "Chemicals", "Manufactured Goods",
       "Machinery", "Electrical Machinery", "Transport Equipment", "Others"]  # fmt: skip

# HS prefix -> (top group, sub-group or ""); longest prefix wins. Chapters first, then exceptions.
_TOP_RULES: list[tuple[str, str]] = [
    ("01 02 03 04 07 08 09 10 11 16 17 18 19 20 21 22 23 24", "Foodstuff"),
    ("05 06 12 13 14 15 25 26 47 4001 4002 4101 4102 4103 4301 4401 4402 4403 4404 4405 4406 "
     "4407 4501 5001 5002 5003 5101 5102 5103 5104 5105 5201 5202 5203 5301 5302 5303 5305 "
     "5501 5502 5503 5504 5505 5506 5507 6309 6310 7204 7404 7503 7602 7802 7902 8002",
     "Raw Materials"),
    ("27", "Mineral Fuels"),
    ("28 29 30 31 32 33 34 35 36 37 38 39", "Chemicals"),
    ("40 41 43 44 45 48 50 51 52 53 54 55 56 57 58 59 60 63 68 69 70 71 72 73 74 75 76 78 79 "
     "80 81 82 83 2523", "Manufactured Goods"),
    ("84", "Machinery"),
    ("85 9030", "Electrical Machinery"),
    ("86 87 88 89", "Transport Equipment"),
    ("42 46 49 61 62 64 65 66 67 90 91 92 93 94 95 96 97 3922 3923 3924 3925 3926 4303 7108 "
     "7113 7114 7115 7116 7117", "Others"),
]
_SUB_RULES: list[tuple[str, str]] = [
    ("02 1601 1602", "Meat And Meat Preparation"),
    ("03 1603 1604 1605", "Fish And Fish Preparation"),
    ("10 11 19", "Cereals, Cereal Preparation"),
    ("08 2006 2007 2008 2009", "Fruits"),
    ("07 2001 2002 2003 2004 2005", "Vegetables"),
    ("1201", "Soy Beans"),
    ("2601", "Iron Ore And Concentrates"),
    ("2602 2603 2604 2605 2606 2607 2608 2609 2610 2611 2612 2613 2614 2615 2616 2617",
     "Ore Of Nonferrous"),
    ("4401 4402 4403 4404 4405 4406 4407", "Wood"),
    ("2701 2702 2703 2704", "Coal"),
    ("2709", "Petroleum"),
    ("2710 2712 2713 2714 2715", "Petroleum Products"),
    ("271112 271113 271114 271119", "Lpg"),
    ("271111", "Lng"),
    ("29", "Organic Chemicals"),
    ("30", "Medical Products"),
    ("3901 3902 3903 3904 3905 3906 3907 3908 3909 3910 3911 3912 3913 3914", "Plastic Materials"),
    ("4005 4006 4007 4008 4009 4010 4011 4012 4013 4014 4015 4016 4017", "Rubber Manufactured"),
    ("48", "Paper & Paper Manufactures"),
    ("4408 4409 4410 4411 4412 4413 4414 4415 4416 4417 4418 4419 4420 4421 4502 4503 4504",
     "Wood & Cork Manufactured"),
    ("50 51 52 53 54 55 56 57 58 59 60 63", "Textile Yarn, Fabrics"),
    ("68 69 70 2523 7101 7102 7103 7104 7105", "Non-Metallic Mineral Ware"),
    ("72 7301 7302 7303 7304 7305 7306", "Iron And Steel Products"),
    ("7401 7402 7403 7405 7406 7407 7408 7409 7410 7411 7412 7501 7502 7504 7505 7506 76 7801 "
     "7804 7901 7903 7904 7905 8001 8003 81 7106 7110 7112", "Nonferrous Metals"),
    ("73 7413 7415 7418 7419 7507 7508 7610 7611 7612 7613 7614 7615 7616 7806 7907 8007 82 83",
     "Manufactures Of Metals"),
    ("8401 8402 8403 8404 8405 8406 8407 8408 8409 8410 8411 8412", "Power Generating Machine"),
    ("8471", "Computers And Units"),
    ("8473", "Parts Of Computer"),
    ("8456 8457 8458 8459 8460 8461 8462 8463 8464 8465 8466", "Metalworking Machinery"),
    ("8429 8430", "Construction Machines"),
    ("8413 8414 8421", "Pump And Centrifuges"),
    ("8415 8418 8419", "Heating Or Cooling Machine"),
    ("8425 8426 8427 8428", "Mechanical Handling Equip"),
    ("8486", "Semicon Machinery Etc"),
    ("8444 8445 8446 8447 8448 8449", "Textile Machines"),
    ("8482", "Ball Or Roller Bearings"),
    ("8541 8542", "Semiconductors Etc"),
    ("8517", "Telephony, Telegraphy"),
    ("8501 8502 8503 8504", "Electrical Power Machinery"),
    ("8544", "Insulated Wire And Cable"),
    ("9030", "Electrical Measuring"),
    ("8506 8507", "Batteries And Accumulators"),
    ("8535 8536 8537 8538", "Electrical Apparatus"),
    ("8702 8703 8704", "Motor Vehicles"),
    ("8706 8707 8708", "Parts Of Motor Vehicles"),
    ("8711", "Motorcycles, Autocycles"),
    ("88", "Aircraft"),
    ("89", "Ships"),
    ("9001 9002 9003 9004 9005 9006 9007 9008 9010 9011 9012 9013 9014 9015 9016 9017 9018 9019 "
     "9020 9021 9022 9023 9024 9025 9026 9027 9028 9029 9031 9032 9033",
     "Scientific, Optical Inst"),
    ("61 62", "Clothing And Accessories"),
    ("9401 9402 9403 9404", "Furniture"),
    ("4202", "Bags"),
]
TOP_OF: dict[str, str] = {p: g for ps, g in _TOP_RULES for p in ps.split()}
SUB_OF: dict[str, str] = {p: g for ps, g in _SUB_RULES for p in ps.split()}


def _lookup(hs: str, table: dict[str, str]) -> str:
    for n in (6, 4, 2):
        if hs[:n] in table:
            return table[hs[:n]]
    return ""


def hs_group(hs: str) -> tuple[str, str]:
    """(top group, sub-group or '') of an HS 2022 code under the rule set above."""
    return _lookup(hs, TOP_OF), _lookup(hs, SUB_OF)


def load(shared: Path) -> pd.DataFrame:
    """Read the Japan Customs table (values billion yen)."""
    return read_csv(shared, FILE)


def mirror_rate(jc: pd.DataFrame, us_imports: pd.DataFrame) -> float:
    """Yen per US$: Japan's exports to the USA (yen) / US imports from Japan (US$), ``YEAR``."""
    x = jc[(jc["year"] == YEAR) & (jc["ex_im"] == "export") & (jc["area"] == "USA")
           & (jc["goods"] == "Grand Total")]["value"].sum() * 1e9
    return float(x / us_imports.loc[us_imports["iso3"] == "JPN", "imports_usd"].sum())


def observed_groups(jc: pd.DataFrame, yen_per_usd: float) -> pd.DataFrame:
    """Rows ``direction`` (import/export), ``partner`` (economy), ``top``, ``cell``, ``value``.

    ``value`` in US$ thousand; ``cell`` is a sub-group name or ``<top>|remainder``. ``ROW`` is
    the Grand Total minus the mapped areas. Partners absent in ``YEAR`` get no rows.
    """
    y = jc[(jc["year"] == YEAR) & jc["goods"].isin(TOP + sorted(set(SUB_OF.values())))
           & (jc["area"].isin([*AREAS, "Grand Total"]))].copy()
    y["partner"] = y["area"].map(AREAS).fillna("GT")
    wide = y.pivot_table(index=["ex_im", "goods"], columns="partner", values="value",
                         aggfunc="sum").fillna(0.0)
    named = [c for c in wide.columns if c != "GT"]
    wide["ROW"] = (wide["GT"] - wide[named].sum(axis=1)).clip(lower=0.0)
    wide = wide.drop(columns="GT")
    parent = {s: _lookup(next(p for p, g in SUB_OF.items() if g == s), TOP_OF)
              for s in set(SUB_OF.values())}
    rows = []
    for (direction, goods), vals in wide.iterrows():
        if goods in TOP:
            continue
        for partner, v in vals.items():
            rows.append((direction, partner, parent[goods], goods, v))
    sub = pd.DataFrame(rows, columns=["direction", "partner", "top", "cell", "value"])
    tops = wide[wide.index.get_level_values("goods").isin(TOP)].stack().rename("value")
    tops = tops.reset_index().rename(columns={"ex_im": "direction", "goods": "top"})
    used = sub.groupby(["direction", "partner", "top"])["value"].sum().rename("subs")
    tops = tops.merge(used.reset_index(), on=["direction", "partner", "top"], how="left")
    tops["value"] = (tops["value"] - tops["subs"].fillna(0.0)).clip(lower=0.0)
    tops["cell"] = tops["top"] + "|remainder"
    out = pd.concat([sub, tops[sub.columns]], ignore_index=True)
    out["value"] = out["value"] * 1e6 / yen_per_usd  # bn yen -> US$ thousand
    out = out[out["value"] > 0]
    return out.sort_values(["direction", "partner", "cell"], kind="mergesort").reset_index(
        drop=True)


def cells_of(universe: list[str], subs_present: set[str]) -> pd.DataFrame:
    """HS6 -> cell (``sub-group`` if it is among ``subs_present``, else ``<top>|remainder``)."""
    g = [hs_group(h) for h in universe]
    cell = [s if s in subs_present else f"{t}|remainder" for t, s in g]
    return pd.DataFrame({"hs": universe, "top": [t for t, _ in g], "cell": cell})


def split_hs6(obs: pd.DataFrame, universe: list[str], own: pd.DataFrame, world: pd.Series
              ) -> tuple[pd.DataFrame, Info]:
    """``trade`` rows (exporter, importer, hs, value, quality) from :func:`observed_groups`.

    ``own``: ``exporter, hs, value`` US imports 2024 (US$ thousand) by exporter; ``world``: US
    imports by hs (the fallback mix).
    """
    parts = []
    for direction, d in obs.groupby("direction", sort=True):
        subs = set(d["cell"]) - {c for c in d["cell"] if c.endswith("|remainder")}
        cells = cells_of(universe, subs)
        cells = cells[cells["top"] != ""]
        for partner, dp in d.groupby("partner", sort=True):
            exporter = "JPN" if direction == "export" else partner
            importer = partner if direction == "export" else "JPN"
            m = cells.merge(dp[["cell", "value"]].rename(columns={"value": "cell_value"}),
                            on="cell")
            ow = own[own["exporter"] == exporter].set_index("hs")["value"]
            m["w_own"] = ow.reindex(m["hs"]).fillna(0.0).to_numpy()
            m["w_world"] = world.reindex(m["hs"]).fillna(0.0).to_numpy()
            m["w_uni"] = 1.0
            g = m.groupby("cell")
            tot = {k: g[k].transform("sum") for k in ("w_own", "w_world", "w_uni")}
            use_own = tot["w_own"] > 0
            use_world = ~use_own & (tot["w_world"] > 0)
            share = np.where(use_own, m["w_own"] / tot["w_own"].where(use_own, 1.0),
                             np.where(use_world, m["w_world"] / tot["w_world"].where(
                                 use_world, 1.0), m["w_uni"] / tot["w_uni"]))
            kind = np.where(use_own, "exporter_us_mix",
                            np.where(use_world, "world_us_mix", "uniform"))
            m["value"] = m["cell_value"] * share
            m["quality"] = [LABEL + k for k in kind]
            m["exporter"], m["importer"] = exporter, importer
            parts.append(m.loc[m["value"] > 0, ["exporter", "importer", "hs", "value", "quality"]])
    rows = pd.concat(parts, ignore_index=True)
    info: Info = {
        "jpn_customs_cells": f"{obs['cell'].nunique()} commodity-group cells, "
        f"{obs['partner'].nunique()} partners",
    }
    return rows, info


def roww_factor(jc: pd.DataFrame, direction: str) -> float:
    """Share of Japan's trade with ``ROW`` (Grand Total minus :data:`AREAS`) that is with WIOD's
    RoW region (i.e. not with the WIOD countries BRA, CHE, NOR, RUS, TUR), ``YEAR`` totals."""
    y = jc[(jc["year"] == YEAR) & (jc["ex_im"] == direction) & (jc["goods"] == "Grand Total")]
    v = y.groupby("area")["value"].sum()
    gt = float(v.get("Grand Total", 0.0))
    rest = gt - float(v.reindex(list(AREAS)).fillna(0.0).sum())
    wiod_only = [x for x in WIOD_AREAS if x not in AREAS]  # BRA, CHE, NOR, RUS, TUR
    roww = rest - float(v.reindex(wiod_only).fillna(0.0).sum())
    return roww / rest if rest > 0 else 0.0
