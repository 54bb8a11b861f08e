#!/usr/bin/env python
# ruff: noqa: E501  (long citation strings are kept on one line for grep-ability)
"""Build the default input workbook(s) of fta-compare from the shared public data.

One command, reproducible, reading ONLY the shared data folder::

    python scripts/build_tariff_tables.py [--shared ../shared/data] [--out tariff_tables]

writes ``tariff_tables/default.xlsx`` (every sheet of the input contract, DESIGN.md section 2,
``src/fta_compare/inputs/schema.py``), ``tariff_tables/example_synthetic.xlsx`` (a small,
clearly synthetic workbook exercising every sheet) and ``src/fta_compare/data/sectors.csv``.

Conventions: rates are fractions (0.08), values US$ thousand, HS codes are 6-digit HS 2022 text
(duty scopes and imputed uniform schedules may use 2/4-digit prefixes, as the contract allows),
economies ISO3 plus the region ``ROW``. Every ``trade``/``mfn``/``preferences`` row carries a
``quality`` label (``observed`` or ``imputed:<method>``); the ``sources`` sheet cites every table
and column and every imputation method; ``tariff_tables/README.md`` explains the choices.

Determinism: no timestamps in cells, fixed workbook creation date, every table sorted on its key.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "tariff_tables"
DEFAULT_SECTORS_CSV = REPO / "src" / "fta_compare" / "data" / "sectors.csv"
FIXED_CREATED = dt.datetime(2026, 1, 1, 0, 0, 0)

# --------------------------------------------------------------------------------------
# Universe and key parameters (all documented in meta / sources / README)
# --------------------------------------------------------------------------------------
UNIVERSE = ["KOR", "JPN", "CHN", "USA", "AUS", "CAN", "MEX", "GBR", "ROW"]
NAMED = [c for c in UNIVERSE if c != "ROW"]
WIOD_NAMED_EXPORTERS_TO_US = ["AUS", "CAN", "CHN", "GBR", "JPN", "KOR", "MEX"]
EU27 = [
    "AUT",
    "BEL",
    "BGR",
    "HRV",
    "CYP",
    "CZE",
    "DNK",
    "EST",
    "FIN",
    "FRA",
    "DEU",
    "GRC",
    "HUN",
    "IRL",
    "ITA",
    "LVA",
    "LTU",
    "LUX",
    "MLT",
    "NLD",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "ESP",
    "SWE",
]
CPTPP_MEMBERS = ["AUS", "BRN", "CAN", "CHL", "GBR", "JPN", "MEX", "MYS", "NZL", "PER", "SGP", "VNM"]
RCEP_MEMBERS = [
    "AUS",
    "BRN",
    "CHN",
    "IDN",
    "JPN",
    "KHM",
    "KOR",
    "LAO",
    "MMR",
    "MYS",
    "NZL",
    "PHL",
    "SGP",
    "THA",
    "VNM",
]

BASE_YEAR = 2024  # year of the observed trade (US Census 2024)
BASELINE_YEAR = 2026  # staging step of the baseline (Japan FY2026 schedule)
BASELINE_DATE = dt.date(2025, 1, 1)  # US duties in force before the 2025 actions
DEAL_DATE = dt.date(2026, 1, 1)  # the 2025 deal regime
POST_RULING_DATE = dt.date(2026, 3, 1)
HYPO_START = 2027  # first year of the hypothetical agreements
HYPO_STEPS = {2027: 0.1, 2031: 0.5, 2036: 1.0}  # share of the remaining tariff removed
HYPO_FULL_YEAR = 2036  # 10th year of the linear path = scenario year
TRADE_THRESHOLD = 1.0  # US$ thousand: cells below are dropped
EXPORT_SUPPLY_DEFAULT = 5.0
IMPORT_DEMAND_BOUNDS = (-5.0, -0.1)
SUBSTITUTION_BOUNDS = (0.5, 15.0)
SMART_IMPORT_DEMAND, SMART_SUBSTITUTION = -1.25, 1.5
DEPTH_BETA = 0.76

IEEPA_END = dt.date(2026, 2, 23)  # CBP stopped collecting IEEPA duties on 2026-02-24
S122_START, S122_END = dt.date(2026, 2, 24), dt.date(2026, 7, 23)

# staging used for the IMPUTED side of agreements in force (importer -> share of MFN removed by
# 2026): first year of cuts and number of annual linear steps; see README "Imputation".
INFORCE_STAGING = {
    "KOR_CHN": (2015, 20),
    "RCEP": (2022, 20),
}  # every other in-force agreement is treated as fully phased in by 2026

# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _read(shared: Path, rel: str, **kw) -> pd.DataFrame:
    return pd.read_csv(shared / rel, **kw)


def pct_numbers(text: object) -> list[float]:
    """Every ad valorem percentage in a rate text (NFKC-normalised); '無税'/'Free' count as 0."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return []
    s = unicodedata.normalize("NFKC", str(text))
    out = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)\s*%", s)]
    if "無税" in s or re.search(r"\bfree\b", s, flags=re.I):
        out.append(0.0)
    return out


def progress(year: int, start: int, n: int) -> float:
    """Share of a linear n-step elimination done in ``year`` (first cut in ``start``)."""
    return float(min(1.0, max(0.0, (year - start + 1) / n)))


def chapter_of(hs: str) -> int:
    return int(hs[:2])


SECTIONS = [  # (first chapter, last chapter, sector name)
    (1, 5, "section_01_live_animals"),
    (6, 14, "section_02_vegetable_products"),
    (15, 15, "section_03_fats_oils"),
    (16, 24, "section_04_prepared_foodstuffs"),
    (25, 27, "section_05_mineral_products"),
    (28, 38, "section_06_chemicals"),
    (39, 40, "section_07_plastics_rubber"),
    (41, 43, "section_08_hides_leather"),
    (44, 46, "section_09_wood"),
    (47, 49, "section_10_pulp_paper"),
    (50, 63, "section_11_textiles"),
    (64, 67, "section_12_footwear_headgear"),
    (68, 70, "section_13_stone_glass"),
    (71, 71, "section_14_precious_metals"),
    (72, 83, "section_15_base_metals"),
    (84, 85, "section_16_machinery"),
    (86, 89, "section_17_transport"),
    (90, 92, "section_18_instruments"),
    (93, 93, "section_19_arms"),
    (94, 96, "section_20_misc_manufactures"),
    (97, 97, "section_21_art"),
]


def section_of(hs: str) -> str:
    ch = chapter_of(hs)
    for a, b, name in SECTIONS:
        if a <= ch <= b:
            return name
    return "section_unknown"


# --------------------------------------------------------------------------------------
# HS6 (HS 2022) -> WIOD goods sector (KITE codes C01..C22 = WIOD r1..r22)
# Approximate HS -> ISIC Rev.4 division mapping written for this build (longest prefix wins),
# following the structure of the UN HS-ISIC correspondence. Not an official concordance.
# --------------------------------------------------------------------------------------
_CHAPTER_SECTOR = {}
for _ch in range(1, 98):
    _CHAPTER_SECTOR[f"{_ch:02d}"] = None
for _chs, _sec in [
    ("01 05 06 07 08 09 10 12 13 14", "C01"),
    ("03", "C03"),
    ("02 04 11 15 16 17 18 19 20 21 22 23 24", "C05"),
    ("25 26", "C04"),
    ("27", "C10"),
    ("28 29 31 32 33 34 35 36 37 38 39", "C11"),
    ("30", "C12"),
    ("40", "C13"),
    ("41 42 43 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65", "C06"),
    ("44 45 46", "C07"),
    ("47 48", "C08"),
    ("49", "C09"),
    ("68 69 70", "C14"),
    ("71 92 94 95 96 97 66 67", "C22"),
    ("72 74 75 76 78 79 80 81", "C15"),
    ("73 82 83 93", "C16"),
    ("84", "C19"),
    ("85", "C18"),
    ("86 88 89", "C21"),
    ("87", "C20"),
    ("90 91", "C17"),
]:
    for _c in _chs.split():
        _CHAPTER_SECTOR[_c] = _sec

_PREFIX_SECTOR = {
    # agriculture / forestry / fishing / food splits
    "0304": "C05",
    "0305": "C05",
    "0407": "C01",
    "0409": "C01",
    "0410": "C01",
    "1302": "C05",
    "2401": "C01",
    "4001": "C01",
    "4002": "C11",
    "4101": "C05",
    "4102": "C05",
    "4103": "C05",
    "4301": "C01",
    "4401": "C02",
    "4403": "C02",
    "4501": "C02",
    "5001": "C01",
    "5101": "C01",
    "5201": "C01",
    "5301": "C01",
    # minerals / energy
    "2520": "C14",
    "2522": "C14",
    "2523": "C14",
    "2701": "C04",
    "2702": "C04",
    "2703": "C04",
    "2709": "C04",
    "2711": "C04",
    "2716": None,
    # chemicals / pharma / plastics
    "2936": "C12",
    "2937": "C12",
    "2938": "C12",
    "2939": "C12",
    "2941": "C12",
    "3915": "C13",
    "3916": "C13",
    "3917": "C13",
    "3918": "C13",
    "3919": "C13",
    "3920": "C13",
    "3921": "C13",
    "3922": "C13",
    "3923": "C13",
    "3924": "C13",
    "3925": "C13",
    "3926": "C13",
    # precious stones and metals
    "710210": "C04",
    "710221": "C04",
    "710231": "C04",
    "710310": "C04",
    "7106": "C15",
    "7107": "C15",
    "7108": "C15",
    "7109": "C15",
    "7110": "C15",
    "7111": "C15",
    "7112": "C15",
    # basic metals vs fabricated metal products
    "7301": "C15",
    "7302": "C15",
    "7303": "C15",
    "7304": "C15",
    "7305": "C15",
    "7306": "C15",
    "7412": "C16",
    "7413": "C16",
    "7415": "C16",
    "7418": "C16",
    "7419": "C16",
    "7507": "C16",
    "7508": "C16",
    "7609": "C16",
    "7610": "C16",
    "7611": "C16",
    "7612": "C16",
    "7613": "C16",
    "7614": "C16",
    "7615": "C16",
    "7616": "C16",
    "7806": "C16",
    "7907": "C16",
    "8007": "C16",
    # machinery / electronics / electrical / vehicles
    "8402": "C16",
    "8403": "C16",
    "8471": "C17",
    "8473": "C17",
    "840731": "C20",
    "840732": "C20",
    "840733": "C20",
    "840734": "C20",
    "840820": "C20",
    "841111": "C21",
    "841112": "C21",
    "841121": "C21",
    "841122": "C21",
    "841191": "C21",
    "8450": "C18",
    "8511": "C20",
    "8512": "C20",
    "8517": "C17",
    "8518": "C17",
    "8519": "C17",
    "8521": "C17",
    "8522": "C17",
    "8523": "C17",
    "8525": "C17",
    "8526": "C17",
    "8527": "C17",
    "8528": "C17",
    "8529": "C17",
    "8532": "C17",
    "8533": "C17",
    "8534": "C17",
    "8540": "C17",
    "8541": "C17",
    "8542": "C17",
    "870110": "C19",
    "870130": "C19",
    "870191": "C19",
    "870192": "C19",
    "870193": "C19",
    "870194": "C19",
    "870195": "C19",
    "8709": "C19",
    "8710": "C21",
    "8711": "C21",
    "8712": "C21",
    "8713": "C21",
    "8714": "C21",
    "8715": "C21",
    # instruments, furniture, other
    "9018": "C22",
    "9019": "C22",
    "9020": "C22",
    "9021": "C22",
    "9405": "C18",
    "9406": "C16",
}


def hs_to_wiod(hs: str) -> str | None:
    for n in (6, 4):
        if hs[:n] in _PREFIX_SECTOR:
            return _PREFIX_SECTOR[hs[:n]]
    return _CHAPTER_SECTOR.get(hs[:2])


# --------------------------------------------------------------------------------------
# Prefix compression (lossless under the contract's longest-prefix rule)
# --------------------------------------------------------------------------------------


def _mode(values: list) -> object:
    counts: dict = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    best = max(counts.values())
    return sorted([k for k, c in counts.items() if c == best], key=repr)[0]


def compress_override(values: dict[str, object], universe: list[str]) -> list[tuple[str, object]]:
    """HS6 -> value over the whole universe, as 2/4/6-digit rows where finer rows override.

    Under the rule "the longest matching prefix wins" the rows reproduce every HS6 value.
    """
    out: list[tuple[str, object]] = []
    by_ch: dict[str, list[str]] = {}
    for h in universe:
        by_ch.setdefault(h[:2], []).append(h)
    for ch in sorted(by_ch):
        codes = by_ch[ch]
        cm = _mode([values[h] for h in codes])
        out.append((ch, cm))
        by_hd: dict[str, list[str]] = {}
        for h in codes:
            by_hd.setdefault(h[:4], []).append(h)
        for hd in sorted(by_hd):
            hm = _mode([values[h] for h in by_hd[hd]])
            parent = cm
            if hm != cm:
                out.append((hd, hm))
                parent = hm
            for h in by_hd[hd]:
                if values[h] != parent:
                    out.append((h, values[h]))
    return out


def compress_partition(values: dict[str, float], universe: list[str]) -> list[tuple[str, float]]:
    """Non-overlapping 2/4/6-digit rows covering exactly the HS6 codes with a non-zero value."""
    out: list[tuple[str, float]] = []
    by_ch: dict[str, list[str]] = {}
    for h in universe:
        by_ch.setdefault(h[:2], []).append(h)
    for ch in sorted(by_ch):
        codes = by_ch[ch]
        vals = {values.get(h, 0.0) for h in codes}
        if len(vals) == 1 and next(iter(vals)) > 0:
            out.append((ch, next(iter(vals))))
            continue
        by_hd: dict[str, list[str]] = {}
        for h in codes:
            by_hd.setdefault(h[:4], []).append(h)
        for hd in sorted(by_hd):
            hv = {values.get(h, 0.0) for h in by_hd[hd]}
            if len(hv) == 1 and next(iter(hv)) > 0:
                out.append((hd, next(iter(hv))))
                continue
            for h in by_hd[hd]:
                v = values.get(h, 0.0)
                if v > 0:
                    out.append((h, v))
    return out


# --------------------------------------------------------------------------------------
# Loading shared data
# --------------------------------------------------------------------------------------


class Data:
    """All shared inputs, read once."""

    def __init__(self, shared: Path):
        self.shared = shared
        conc = _read(shared, "hs_concordance/hs6_hs0.csv", dtype=str)
        self.universe = sorted(c for c in conc["HS6_6d"].unique() if c != "999999")
        self.hs0 = dict(zip(conc["HS6_6d"], conc["HS0_6d"], strict=True))
        c5 = _read(shared, "hs_concordance/hs6_hs5.csv", dtype=str)
        c4 = _read(shared, "hs_concordance/hs5_hs4.csv", dtype=str)
        self.hs5 = dict(zip(c5["HS6_6d"], c5["HS5_6d"], strict=True))
        self.hs4 = dict(zip(c4["HS5_6d"], c4["HS4_6d"], strict=True))
        self.us_imports = _read(
            shared,
            "trade_flows/us_imports_2024_hs6_by_country.csv",
            dtype={"hs6": str, "cty_code": str, "iso3": str},
        )
        self.wiod = _read(
            shared, "bilateral_sector_flows/wiod2014_kite_bilateral_flows_by_sector.csv"
        )
        self.jp_lines = _read(shared, "japan_tariff/japan_tariff_lines_2026.csv", dtype=str)
        self.us_hts8 = _read(shared, "us_hts/us_hts8_2025_mfn_and_fta_rates.csv", dtype=str)
        self.hts = _read(
            shared,
            "us_hts/hts_2025_basic_edition.csv",
            dtype=str,
            encoding="utf-8-sig",
            keep_default_na=False,
        )
        self.wdi = _read(
            shared, "wdi_tariff_aggregates/wdi_tariff_weighted_mean_applied_and_mfn_long.csv"
        )
        a = "us_tariff_actions_2025/"
        self.recip = _read(shared, a + "us_reciprocal_tariff_rates_by_country_2025.csv")
        self.events = _read(shared, a + "us_tariff_events_2025.csv")
        self.exempt = _read(shared, a + "budgetlab_ieepa_exempt_products.csv", dtype=str)
        self.s301 = _read(shared, a + "budgetlab_s301_product_lists.csv", dtype=str)
        self.s232d = _read(shared, a + "budgetlab_s232_derivative_products.csv", dtype=str)
        self.mfn_exempt = _read(
            shared, a + "budgetlab_mfn_exemption_shares.csv", dtype={"hs2": str, "cty_code": str}
        )
        e = "elasticities/"
        self.hauk_d = _read(
            shared, e + "us_import_demand_elasticities_hs6_1978_2001.csv", dtype={"hs6": str}
        )
        self.hauk_s = _read(
            shared, e + "us_import_substitution_elasticities_hs6_1989_2001.csv", dtype={"hs6": str}
        )
        self.bgw = _read(
            shared,
            e + "broda_greenfield_weinstein_sigma_hs3_73countries_1994_2003.csv",
            dtype={"hs0_3digit": str},
        )
        self.fgo = _read(
            shared,
            "trade_elasticities_fgo/protee_0_1_hs6_trade_elasticities.csv",
            dtype={"HS6": str},
        )
        w = "wb_deep_trade_agreements/"
        self.hor = _read(shared, w + "dta_horizontal_depth_by_agreement.csv")
        self.dta = _read(shared, w + "dta_toolkit_area_depth_and_clusters_by_agreement.csv")


# --------------------------------------------------------------------------------------
# Tariff schedules: Japan (observed), USA (observed), others (imputed)
# --------------------------------------------------------------------------------------
JP_PREF_COLUMNS = {  # agreement, exporter ('' = every other member), column
    ("CPTPP", ""): "epa_cptpp",
    ("RCEP", "CHN"): "epa_rcep_china",
    ("RCEP", "KOR"): "epa_rcep_korea",
    ("RCEP", "AUS"): "epa_rcep_asean_aus_nz",
    ("US_JPN", ""): "us_japan_trade_agreement",
    ("JPN_AUS", ""): "epa_australia",
    ("JPN_MEX", ""): "epa_mexico",
    ("JPN_GBR", ""): "epa_uk",
}
US_PREF_COLUMNS = {
    ("KORUS", ""): "korus",
    ("US_JPN", ""): "us_japan_ta",
    ("AUS_USA", ""): "australia",
    ("USMCA", ""): "usmca",
}


def _jp_mfn_line(row_type: str, pct: str, text: str) -> tuple[float, bool]:
    """(MFN ad valorem rate in %, used_lower_bound) for one Japanese line; NaN if none."""
    if row_type == "free":
        return 0.0, False
    if row_type == "ad_valorem":
        return float(pct), False
    nums = pct_numbers(text)
    if nums:
        return min(nums), True
    return np.nan, False


def _jp_pref_line(ptype: str, eff: str, text: str, mfn: float) -> float:
    if np.isnan(mfn):
        return np.nan
    if ptype == "free":
        return 0.0
    if ptype == "ad_valorem" and isinstance(eff, str) and eff != "":
        return min(float(eff), mfn)
    if ptype == "other":
        s = unicodedata.normalize("NFKC", str(text))
        if "非譲許" in s:
            return mfn
        nums = pct_numbers(s)
        return min(max(nums), mfn) if nums else mfn
    return mfn  # blank: no concession, MFN applies


def japan_schedule(d: Data) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """HS6 MFN and preferential rates (fractions) for Japan from the line-level schedule."""
    j = d.jp_lines
    mfn = [
        _jp_mfn_line(t, p, x)
        for t, p, x in zip(
            j["mfn_applied_type"], j["mfn_applied_pct"], j["mfn_applied_text"], strict=True
        )
    ]
    lines = pd.DataFrame(
        {"hs": j["hs6"].to_numpy(), "mfn": [m[0] for m in mfn], "lb": [m[1] for m in mfn]}
    )
    for (agr, exp), col in JP_PREF_COLUMNS.items():
        lines[f"{agr}|{exp}"] = [
            _jp_pref_line(t, e, x, m)
            for t, e, x, m in zip(
                j[f"{col}_type"], j[f"{col}_eff_pct"], j[col], lines["mfn"], strict=True
            )
        ]
    ok = lines[lines["mfn"].notna()]
    g = ok.groupby("hs", sort=True)
    hs6 = g["mfn"].mean().to_frame("mfn") / 100.0
    hs6["lb"] = g["lb"].any()
    for key in (f"{a}|{e}" for a, e in JP_PREF_COLUMNS):
        hs6[key] = g[key].mean() / 100.0
    excluded = sorted(set(lines["hs"]) - set(hs6.index))
    mfn_df = pd.DataFrame(
        {
            "importer": "JPN",
            "hs": hs6.index,
            "rate": hs6["mfn"].round(6).to_numpy(),
            "quality": np.where(hs6["lb"], "imputed:jpn_adval_component_lower_bound", "observed"),
        }
    )
    return mfn_df, hs6, excluded


def us_schedule(d: Data) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    u = d.us_hts8
    mfn = []
    lb = []
    for t, p, x in zip(u["mfn_type"], u["mfn_pct"], u["general_rate_text"], strict=True):
        if t == "free":
            mfn.append(0.0)
            lb.append(False)
        elif t == "ad_valorem":
            mfn.append(float(p))
            lb.append(False)
        else:
            nums = pct_numbers(x)
            mfn.append(min(nums) if nums else np.nan)
            lb.append(bool(nums))
    lines = pd.DataFrame({"hs": u["hs6"].to_numpy(), "mfn": mfn, "lb": lb})
    for (agr, exp), col in US_PREF_COLUMNS.items():
        pct = pd.to_numeric(u[f"{col}_pct"], errors="coerce")
        lines[f"{agr}|{exp}"] = np.where(pct.notna(), np.minimum(pct, lines["mfn"]), lines["mfn"])
    ok = lines[lines["mfn"].notna()]
    g = ok.groupby("hs", sort=True)
    hs6 = g["mfn"].mean().to_frame("mfn") / 100.0
    hs6["lb"] = g["lb"].any()
    for key in (f"{a}|{e}" for a, e in US_PREF_COLUMNS):
        hs6[key] = g[key].mean() / 100.0
    excluded = sorted(set(lines["hs"]) - set(hs6.index))
    mfn_df = pd.DataFrame(
        {
            "importer": "USA",
            "hs": hs6.index,
            "rate": hs6["mfn"].round(6).to_numpy(),
            "quality": np.where(hs6["lb"], "imputed:usa_adval_component_lower_bound", "observed"),
        }
    )
    return mfn_df, hs6, excluded


def wdi_mfn(d: Data, us_partner_weights: pd.Series) -> tuple[dict[str, float], dict[str, str]]:
    """Latest WDI import-weighted MFN mean (fraction) for the imputed importers and ROW."""
    w = d.wdi[(d.wdi["indicator_code"] == "TM.TAX.MRCH.WM.FN.ZS") & (~d.wdi["is_aggregate"])]
    w = w.dropna(subset=["value_pct", "iso3"]).sort_values(["iso3", "year"])
    latest = w.groupby("iso3").tail(1).set_index("iso3")
    rates, notes = {}, {}
    for c in ["KOR", "CHN", "AUS", "CAN", "MEX", "GBR"]:
        rates[c] = float(latest.loc[c, "value_pct"]) / 100.0
        notes[c] = (
            f"WDI TM.TAX.MRCH.WM.FN.ZS {c} {int(latest.loc[c, 'year'])}: "
            f"{latest.loc[c, 'value_pct']:.2f}%"
        )
    for c in ["JPN", "USA"]:  # reference only (their MFN rows are observed)
        rates[c] = float(latest.loc[c, "value_pct"]) / 100.0
    row = latest[(latest["year"] >= 2015) & (~latest.index.isin(NAMED))]
    wts = us_partner_weights.reindex(row.index).fillna(0.0)
    rates["ROW"] = float((row["value_pct"] * wts).sum() / wts.sum()) / 100.0
    notes["ROW"] = (
        f"mean of the latest WDI MFN weighted means (year >= 2015) of {int((wts > 0).sum())} "
        f"ROW economies, weighted by 2024 US imports from each (proxy for trade size): "
        f"{rates['ROW'] * 100:.2f}%"
    )
    return rates, notes


# --------------------------------------------------------------------------------------
# Trade
# --------------------------------------------------------------------------------------


def build_trade(d: Data) -> tuple[pd.DataFrame, dict[str, str], pd.Series]:
    info: dict[str, str] = {}
    U = set(d.universe)
    us = d.us_imports.copy()
    bad = us[~us["hs6"].isin(U)]
    info["us_imports_dropped_codes"] = (
        f"{sorted(bad['hs6'].unique())} not HS 2022 subheadings (US$ {bad['imports_usd'].sum() / 1e6:.1f} "
        "million dropped)"
    )
    us = us[us["hs6"].isin(U)]
    us["exporter"] = np.where(us["iso3"].isin(NAMED), us["iso3"], "ROW")
    us.loc[us["iso3"] == "USA", "exporter"] = "DROP"
    us = us[us["exporter"] != "DROP"]
    partner_w = us[us["exporter"] == "ROW"].groupby("iso3")["imports_usd"].sum()
    obs = us.groupby(["exporter", "hs6"], sort=True)["imports_usd"].sum().reset_index()
    obs["value"] = obs["imports_usd"] / 1000.0
    obs["importer"] = "USA"
    obs["quality"] = "observed"
    obs = obs.rename(columns={"hs6": "hs"})[["exporter", "importer", "hs", "value", "quality"]]

    # product mix within WIOD sector, from US imports
    obs["sector"] = obs["hs"].map(hs_to_wiod)
    mix_src = obs[obs["sector"].notna()]
    world = mix_src.groupby(["sector", "hs"], sort=True)["value"].sum().reset_index()
    world["share"] = world["value"] / world.groupby("sector")["value"].transform("sum")
    own = mix_src[["exporter", "sector", "hs", "value"]].copy()
    own["share"] = own["value"] / own.groupby(["exporter", "sector"])["value"].transform("sum")

    # WIOD 2014 goods flows, with the unassigned origin share given to ROW
    w = d.wiod[d.wiod["sector"].isin([f"C{i:02d}" for i in range(1, 23)])].copy()
    miss = (1.0 - w.groupby(["importer", "sector"])["kite_trade_share"].sum()).clip(lower=0.0)
    exp = w.groupby(["importer", "sector"])["kite_expenditure_importer"].first()
    rowtf = w[w["exporter"] == "ROW"].set_index(["importer", "sector"])["tariff_factor"]
    fill = (miss * exp / rowtf).rename("fill").reset_index()
    fill["exporter"] = "ROW"
    w = w.merge(fill, on=["exporter", "importer", "sector"], how="left")
    w["fill"] = w["fill"].fillna(0.0)
    info["wiod_row_fill"] = (
        f"the WIOD file's origin shares sum to < 1 (median {1 - miss.median():.3f}; GBR C20 "
        f"{1 - miss.loc[('GBR', 'C20')]:.3f}): flows from the 35 other WIOD economies (EU, TWN, IND...) "
        f"are absent; their share x expenditure / ROW tariff factor was added to ROW's flows "
        f"(US$ {w['fill'].sum() / 1e3:.0f} bn in 2014 values)"
    )
    w["v"] = w["value"] + w["fill"]

    # scale 2014 -> 2024 with one factor: Census 2024 / WIOD 2014 US imports from the 7 named
    cen = mix_src[mix_src["exporter"].isin(WIOD_NAMED_EXPORTERS_TO_US)]["value"].sum() / 1e3
    wus = w[(w["importer"] == "USA") & (w["exporter"].isin(WIOD_NAMED_EXPORTERS_TO_US))][
        "value"
    ].sum()
    factor = cen / wus
    info["wiod_scale_factor"] = (
        f"{factor:.4f} = US 2024 Census goods imports from AUS, CAN, CHN, GBR, JPN, KOR, MEX in WIOD "
        f"goods sectors (US$ {cen / 1e3:,.1f} bn) / WIOD 2014 US imports from the same (US$ "
        f"{wus / 1e3:,.1f} bn); one scalar keeps every WIOD ratio"
    )
    w["value_k"] = w["v"] * 1000.0 * factor
    # the US market is observed, except US domestic sales
    w = w[((w["importer"] != "USA") | (w["exporter"] == "USA")) & (w["value_k"] > 0)]

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
    imp = (
        imp.groupby(["exporter", "importer", "hs", "quality"], sort=True)["value"]
        .sum()
        .reset_index()
    )
    trade = pd.concat(
        [
            obs[["exporter", "importer", "hs", "value", "quality"]],
            imp[["exporter", "importer", "hs", "value", "quality"]],
        ],
        ignore_index=True,
    )
    total = trade["value"].sum()
    small = trade["value"] < TRADE_THRESHOLD
    info["trade_threshold"] = (
        f"cells below US$ {TRADE_THRESHOLD * 1000:,.0f} dropped: {int(small.sum()):,} cells, "
        f"US$ {trade.loc[small, 'value'].sum() / 1e3:,.2f} million = "
        f"{trade.loc[small, 'value'].sum() / total:.6%} of the total value"
    )
    trade = trade[~small].copy()
    trade["value"] = trade["value"].round(3)
    trade = trade.sort_values(["exporter", "importer", "hs"], kind="mergesort").reset_index(
        drop=True
    )
    q = trade.groupby(trade["quality"].str.split(":").str[0])["value"].sum()
    info["value_shares"] = "; ".join(f"{k} {v / q.sum():.4f}" for k, v in q.items())
    intl = trade[trade["exporter"] != trade["importer"]]
    qi = intl.groupby(intl["quality"].str.split(":").str[0])["value"].sum()
    info["value_shares_international"] = "; ".join(f"{k} {v / qi.sum():.4f}" for k, v in qi.items())
    return trade, info, partner_w


# --------------------------------------------------------------------------------------
# US duty scopes (HS6 shares)
# --------------------------------------------------------------------------------------
STEEL_HS4 = [f"{h}" for h in range(7206, 7230)] + ["7301", "7302", "7303", "7304", "7305", "7306"]
ALU_HS4 = ["7601", "7604", "7605", "7606", "7607", "7608", "7609"]
AUTO_VEHICLES = [
    "870321",
    "870322",
    "870323",
    "870324",
    "870331",
    "870332",
    "870333",
    "870340",
    "870350",
    "870360",
    "870370",
    "870380",
    "870390",
    "870421",
    "870431",
    "870441",
    "870451",
]
AUTO_PARTS_PREFIX = [
    "840731",
    "840732",
    "840733",
    "840734",
    "840820",
    "8706",
    "8707",
    "8708",
    "401110",
    "401120",
    "700711",
    "700721",
    "851220",
    "851230",
    "851240",
    "854430",
    "940120",
    "830230",
]
COPPER_HS4 = ["7407", "7408", "7409", "7410", "7411", "7412", "7413"]
MHD_TRUCKS = [
    "870121",
    "870122",
    "870123",
    "870124",
    "870129",
    "870422",
    "870423",
    "870432",
    "870442",
    "870443",
    "870452",
]
BUSES = ["8702"]


def _covers(universe: list[str], prefixes: Iterable[str]) -> dict[str, float]:
    p = tuple(prefixes)
    return {h: 1.0 for h in universe if h.startswith(p)}


class Scopes:
    def __init__(self, d: Data):
        U = d.universe
        self.U = U
        # HTS lines under each HS6 (10-digit statistical lines, else 8-digit rate lines)
        n = d.hts["HTS Number"].str.replace(".", "", regex=False)
        n = n[n.str.fullmatch(r"\d{8}|\d{10}") & ~n.str[:2].isin(["98", "99"])]
        ten = set(n[n.str.len() == 10])
        eight = set(n[n.str.len() == 8])
        has_child = {t[:8] for t in ten}
        lines = sorted(ten | {e for e in eight if e not in has_child})
        ex = set(d.exempt["hts10"])
        lines_all = sorted(set(lines) | ex)
        df = pd.DataFrame({"line": lines_all})
        df["hs"] = df["line"].str[:6]
        df["ex"] = df["line"].isin(ex) | df["line"].str[:8].isin({e[:8] for e in ex if len(e) == 8})
        self.annex2_share = df.groupby("hs")["ex"].mean().to_dict()
        # HTS8 lines for list coverage shares
        h8 = d.us_hts8[["hts8", "hs6"]].drop_duplicates()
        self.h8 = h8
        self.n8 = h8.groupby("hs6").size().to_dict()
        self.steel = _covers(U, STEEL_HS4)
        self.alu = _covers(U, ALU_HS4)
        # Aug-2025 derivative lists (8-digit prefixes): only those in chapters 72/73/76 are taxed on
        # full value; others (metal content only, share unknown) are left out.
        der = d.s232d[d.s232d["hts_prefix"].str[:2].isin(["72", "73", "76"])]
        for typ, target in (("steel", self.steel), ("aluminum", self.alu)):
            pre = der[der["derivative_type"] == typ]["hts_prefix"]
            cov = h8[h8["hts8"].str.startswith(tuple(pre))] if len(pre) else h8.iloc[0:0]
            share = (cov.groupby("hs6").size() / h8.groupby("hs6").size()).dropna()
            for h, s in share.items():
                target[h] = max(target.get(h, 0.0), float(s))
        self.autos = _covers(U, AUTO_VEHICLES)
        self.parts = _covers(U, AUTO_PARTS_PREFIX)
        self.copper = _covers(U, COPPER_HS4)
        self.mhd = _covers(U, MHD_TRUCKS)
        self.buses = _covers(U, BUSES)
        s232 = {}
        for m in (self.steel, self.alu, self.autos, self.parts, self.copper, self.mhd, self.buses):
            for h, s in m.items():
                s232[h] = max(s232.get(h, 0.0), s)
        self.s232_any = s232
        self.recip = {}
        for h in U:
            share = (1.0 - self.annex2_share.get(h, 0.0)) * (1.0 - s232.get(h, 0.0))
            if share > 1e-9:
                self.recip[h] = share
        self.recip_floor = {h: 1.0 for h, s in self.recip.items() if s >= 0.5}


# --------------------------------------------------------------------------------------
# Agreements
# --------------------------------------------------------------------------------------
AGREEMENTS = [
    # code, members, in_force, description, source
    (
        "AUS_GBR",
        ["AUS", "GBR"],
        2023,
        "Australia-United Kingdom FTA (in force 31 May 2023).",
        "UK/AUS governments; DTA 2.0 toolkit (United Kingdom - Australia)",
    ),
    (
        "AUS_USA",
        ["AUS", "USA"],
        2005,
        "Australia-United States FTA (AUSFTA, 2005).",
        "USITC HTS 2025 special program 'AU'",
    ),
    (
        "CAN_GBR",
        ["CAN", "GBR"],
        2021,
        "UK-Canada Trade Continuity Agreement (2021, rolls over CETA).",
        "DTA 2.0 toolkit (United Kingdom - Canada)",
    ),
    (
        "CHN_AUS",
        ["AUS", "CHN"],
        2015,
        "China-Australia FTA (ChAFTA, Dec 2015).",
        "DTA 2.0 toolkit (Australia - China)",
    ),
    (
        "CJK",
        ["CHN", "JPN", "KOR"],
        None,
        "HYPOTHETICAL China-Japan-Korea FTA ('RCEP-plus'): from 2027 the tariffs the three still "
        "apply to each other after RCEP/KOR-CHN (2026 step) are removed linearly over 10 years "
        "(steps 2027/2031/2036 = 10/50/100%), except a sensitive list kept at the 2026 rate (HS6 "
        "where Japan gives neither China nor Korea any RCEP concession in 2026).",
        "Assumption of this build; negotiating history: trilateral talks since 2013 (not in shared data)",
    ),
    (
        "CPTPP",
        CPTPP_MEMBERS,
        2018,
        "Comprehensive and Progressive Agreement for Trans-Pacific Partnership (2018; GBR acceded "
        "Dec 2024). Members in the model universe: AUS, CAN, GBR, JPN, MEX; the others are inside ROW.",
        "Japan Customs CPTPP column (FY2026); DTA 2.0 toolkit",
    ),
    (
        "CPTPP_KOR",
        [*CPTPP_MEMBERS, "KOR"],
        None,
        "HYPOTHETICAL Korea accession to CPTPP from 2027: every CPTPP member extends its CPTPP "
        "schedule to KOR (Japan: its observed FY2026 CPTPP rates; AUS/CAN/MEX/GBR: their imputed "
        "CPTPP schedules); KOR grants all members linear elimination over 10 years (2027/2031/2036) "
        "except Japan's CPTPP exclusion list. Preferences exist only for pairs involving KOR.",
        "Assumption of this build",
    ),
    (
        "JK_PLUS",
        ["JPN", "KOR"],
        None,
        "HYPOTHETICAL deep Japan-Korea agreement ('plus' = CPTPP-level tariff cuts and rules, open "
        "to third parties by accession): from 2027 Japan grants KOR its observed CPTPP rates, Korea "
        "grants JPN linear elimination over 10 years except Japan's CPTPP exclusion list. Preference "
        "rows use exporter blank (= every other member), so adding a member to this row extends both "
        "schedules to it.",
        "Assumption of this build",
    ),
    (
        "JPN_AUS",
        ["AUS", "JPN"],
        2015,
        "Japan-Australia EPA (JAEPA, Jan 2015).",
        "Japan Customs EPA column (FY2026); WB horizontal depth",
    ),
    (
        "JPN_GBR",
        ["GBR", "JPN"],
        2021,
        "Japan-UK Comprehensive EPA (Jan 2021).",
        "Japan Customs EPA column (FY2026); DTA 2.0 toolkit",
    ),
    (
        "JPN_MEX",
        ["JPN", "MEX"],
        2005,
        "Japan-Mexico EPA (April 2005).",
        "Japan Customs EPA column (FY2026); WB horizontal depth",
    ),
    (
        "KORUS",
        ["KOR", "USA"],
        2012,
        "Korea-United States FTA (March 2012, amended 2019).",
        "USITC HTS 2025 special program 'KR'; WB horizontal depth",
    ),
    (
        "KOR_AUS",
        ["AUS", "KOR"],
        2014,
        "Korea-Australia FTA (KAFTA, Dec 2014).",
        "WB horizontal depth",
    ),
    ("KOR_CAN", ["CAN", "KOR"], 2015, "Canada-Korea FTA (CKFTA, Jan 2015).", "WB horizontal depth"),
    (
        "KOR_CHN",
        ["CHN", "KOR"],
        2015,
        "Korea-China FTA (Dec 2015; 20-year staging).",
        "DTA 2.0 toolkit (China - Korea, Republic of)",
    ),
    (
        "KOR_GBR",
        ["GBR", "KOR"],
        2021,
        "UK-Korea FTA (Jan 2021, rolls over the EU-Korea FTA of 2011).",
        "DTA 2.0 toolkit (United Kingdom - Korea, Republic of)",
    ),
    (
        "MEX_GBR",
        ["GBR", "MEX"],
        2021,
        "UK-Mexico Trade Continuity Agreement (2021).",
        "DTA 2.0 toolkit (United Kingdom - Mexico)",
    ),
    (
        "RCEP",
        RCEP_MEMBERS,
        2022,
        "Regional Comprehensive Economic Partnership (Jan 2022; Korea Feb 2022). Japan has separate "
        "schedules for China, Korea and ASEAN/AUS/NZ. Members in the universe: AUS, CHN, JPN, KOR.",
        "Japan Customs RCEP columns (FY2026); DTA 2.0 toolkit",
    ),
    (
        "USMCA",
        ["CAN", "MEX", "USA"],
        2020,
        "United States-Mexico-Canada Agreement (July 2020).",
        "USITC HTS 2025 special program 'S/S+'; DTA 2.0 toolkit",
    ),
    (
        "US_JPN",
        ["JPN", "USA"],
        2020,
        "US-Japan Trade Agreement (Jan 2020; limited tariff agreement).",
        "USITC HTS 2025 special program 'JP'; Japan Customs US-Japan column",
    ),
]
IN_FORCE = [a[0] for a in AGREEMENTS if a[2] is not None]

# imputed importer-side schedules of agreements in force: importer -> agreements
IMPUTED_INFORCE = {
    "KOR": ["KORUS", "KOR_CHN", "RCEP", "KOR_AUS", "KOR_CAN", "KOR_GBR"],
    "CHN": ["KOR_CHN", "RCEP", "CHN_AUS"],
    "AUS": ["CPTPP", "RCEP", "AUS_USA", "KOR_AUS", "JPN_AUS", "CHN_AUS", "AUS_GBR"],
    "CAN": ["CPTPP", "USMCA", "KOR_CAN", "CAN_GBR"],
    "MEX": ["CPTPP", "USMCA", "JPN_MEX", "MEX_GBR"],
    "GBR": ["CPTPP", "JPN_GBR", "KOR_GBR", "AUS_GBR", "CAN_GBR", "MEX_GBR"],
}
RCEP_STYLE = {"RCEP", "KOR_CHN", "CHN_AUS", "CJK"}  # use the RCEP-derived sensitive list


def build_schedules(d: Data, trade_info: dict, partner_w: pd.Series) -> dict:
    U = d.universe
    jp_mfn, jp6, jp_excl = japan_schedule(d)
    us_mfn, us6, us_excl = us_schedule(d)
    wdi, wdi_notes = wdi_mfn(d, partner_w)

    jm = jp6["mfn"].reindex(U)
    um = us6["mfn"].reindex(U)
    jp_specific = set(jp_excl)
    us_specific = set(us_excl)
    dutiable = {
        h
        for h in U
        if (jm.get(h, 0) > 0 if pd.notna(jm.get(h)) else h in jp_specific)
        or (um.get(h, 0) > 0 if pd.notna(um.get(h)) else h in us_specific)
    }

    eps = 1e-9
    s_rcep = {
        h
        for h in jp6.index
        if jp6.loc[h, "mfn"] > 0
        and jp6.loc[h, "RCEP|CHN"] >= jp6.loc[h, "mfn"] - eps
        and jp6.loc[h, "RCEP|KOR"] >= jp6.loc[h, "mfn"] - eps
    } | jp_specific
    s_cptpp = {
        h
        for h in jp6.index
        if jp6.loc[h, "mfn"] > 0 and jp6.loc[h, "CPTPP|"] >= jp6.loc[h, "mfn"] - eps
    } | jp_specific

    # ---- MFN
    imp_rows = []
    for c in ["KOR", "CHN", "AUS", "CAN", "MEX", "GBR", "ROW"]:
        r = round(wdi[c], 6)
        for h in U:
            imp_rows.append(
                (
                    c,
                    h,
                    r if h in dutiable else 0.0,
                    "imputed:wdi_weighted_mfn_uniform_on_jpn_or_usa_dutiable_hs6",
                )
            )
    mfn = pd.concat(
        [jp_mfn, us_mfn, pd.DataFrame(imp_rows, columns=["importer", "hs", "rate", "quality"])],
        ignore_index=True,
    )
    mfn = mfn.sort_values(["importer", "hs"], kind="mergesort").reset_index(drop=True)
    mfn_rate = {(i, h): r for i, h, r in zip(mfn["importer"], mfn["hs"], mfn["rate"], strict=True)}

    pref_rows: list[tuple] = []  # agreement, importer, hs, year, rate, exporter, quality

    # ---- observed Japan (FY2026 step) and USA (HTS 2025)
    for (agr, exp), _col in JP_PREF_COLUMNS.items():
        key = f"{agr}|{exp}"
        for h, r in jp6[key].items():
            m = jp6.loc[h, "mfn"]
            if pd.notna(r) and r < m - eps:
                q = "imputed:jpn_adval_component_lower_bound" if jp6.loc[h, "lb"] else "observed"
                pref_rows.append((agr, "JPN", h, BASELINE_YEAR, round(r, 6), exp, q))
    for (agr, exp), _col in US_PREF_COLUMNS.items():
        key = f"{agr}|{exp}"
        for h, r in us6[key].items():
            m = us6.loc[h, "mfn"]
            if pd.notna(r) and r < m - eps:
                q = "imputed:usa_adval_component_lower_bound" if us6.loc[h, "lb"] else "observed"
                pref_rows.append((agr, "USA", h, 2025, round(r, 6), exp, q))

    # ---- imputed importer sides of agreements in force (2026 step, compressed)
    def inforce_share(agr: str) -> float:
        if agr in INFORCE_STAGING:
            s, n = INFORCE_STAGING[agr]
            return progress(BASELINE_YEAR, s, n)
        return 1.0

    def imputed_rate(imp: str, agr: str, h: str) -> float:
        m = mfn_rate[(imp, h)]
        sens = s_rcep if agr in RCEP_STYLE else s_cptpp
        if m <= 0 or h in sens:
            return m
        return round(m * (1.0 - inforce_share(agr)), 6)

    for imp, agrs in IMPUTED_INFORCE.items():
        for agr in agrs:
            vals = {h: imputed_rate(imp, agr, h) for h in U}
            q = (
                f"imputed:linear_staging_{INFORCE_STAGING[agr][1]}y_from_wdi_mfn_rcep_sensitive_kept"
                if agr in INFORCE_STAGING
                else (
                    "imputed:fully_phased_in_rcep_sensitive_kept_at_mfn"
                    if agr in RCEP_STYLE
                    else "imputed:fully_phased_in_cptpp_sensitive_kept_at_mfn"
                )
            )
            for p, v in compress_override(vals, U):
                pref_rows.append((agr, imp, p, BASELINE_YEAR, v, "", q))

    # ---- hypothetical agreements
    def base_2026(imp: str, exp: str, h: str) -> float:
        """Lowest 2026 rate the importer applies to the exporter (MFN or an in-force preference)."""
        if imp == "JPN":
            col = {"CHN": "RCEP|CHN", "KOR": "RCEP|KOR"}[exp]
            r = jp6[col].get(h, np.nan)
            m = jp6["mfn"].get(h, np.nan)
            return float(r) if pd.notna(r) else (float(m) if pd.notna(m) else np.nan)
        rates = [mfn_rate[(imp, h)]]
        for agr in IMPUTED_INFORCE.get(imp, []):
            members = dict((a[0], a[1]) for a in AGREEMENTS)[agr]
            if exp in members:
                rates.append(imputed_rate(imp, agr, h))
        return min(rates)

    # CJK
    for imp in ["JPN", "KOR", "CHN"]:
        for exp in [x for x in ["JPN", "KOR", "CHN"] if x != imp]:
            if imp == "JPN":
                q = "imputed:cjk_linear_10y_from_observed_jpn_rcep_2026_rate"
                for h in jp6.index:
                    b = base_2026(imp, exp, h)
                    if pd.isna(b) or b <= 0 or h in s_rcep:
                        continue
                    for y, f in HYPO_STEPS.items():
                        pref_rows.append(("CJK", imp, h, y, round(b * (1 - f), 6), exp, q))
            else:
                q = "imputed:cjk_linear_10y_from_imputed_2026_rate"
                vals = {}
                for h in U:
                    b = base_2026(imp, exp, h)
                    if b <= 0 or h in s_rcep:
                        vals[h] = tuple(mfn_rate[(imp, h)] for _ in HYPO_STEPS)
                    else:
                        vals[h] = tuple(round(b * (1 - f), 6) for f in HYPO_STEPS.values())
                for p, v in compress_override(vals, U):
                    for (y, _f), r in zip(HYPO_STEPS.items(), v, strict=True):
                        pref_rows.append(("CJK", imp, p, y, r, exp, q))

    # Japan's CPTPP rates extended to KOR (CPTPP_KOR: exporter KOR; JK_PLUS: exporter blank)
    for agr, exp in (("CPTPP_KOR", "KOR"), ("JK_PLUS", "")):
        for h, r in jp6["CPTPP|"].items():
            m = jp6.loc[h, "mfn"]
            if pd.notna(r) and r < m - eps:
                pref_rows.append(
                    (
                        agr,
                        "JPN",
                        h,
                        HYPO_START,
                        round(r, 6),
                        exp,
                        "imputed:observed_jpn_cptpp_2026_rate_extended_to_kor",
                    )
                )
    # AUS/CAN/MEX/GBR extend their (imputed) CPTPP schedules to KOR
    for imp in ["AUS", "CAN", "MEX", "GBR"]:
        vals = {h: imputed_rate(imp, "CPTPP", h) for h in U}
        for p, v in compress_override(vals, U):
            pref_rows.append(
                (
                    "CPTPP_KOR",
                    imp,
                    p,
                    HYPO_START,
                    v,
                    "KOR",
                    "imputed:own_imputed_cptpp_schedule_extended_to_kor",
                )
            )
    # KOR's reciprocal schedule (CPTPP_KOR: every member; JK_PLUS: every other member)
    for agr in ("CPTPP_KOR", "JK_PLUS"):
        vals = {}
        for h in U:
            m = mfn_rate[("KOR", h)]
            if m <= 0 or h in s_cptpp:
                vals[h] = tuple(m for _ in HYPO_STEPS)
            else:
                vals[h] = tuple(round(m * (1 - f), 6) for f in HYPO_STEPS.values())
        for p, v in compress_override(vals, U):
            for (y, _f), r in zip(HYPO_STEPS.items(), v, strict=True):
                pref_rows.append(
                    (
                        agr,
                        "KOR",
                        p,
                        y,
                        r,
                        "",
                        "imputed:kor_linear_10y_from_wdi_mfn_cptpp_sensitive_kept",
                    )
                )

    prefs = pd.DataFrame(
        pref_rows, columns=["agreement", "importer", "hs", "year", "rate", "exporter", "quality"]
    )
    prefs = prefs.sort_values(
        ["agreement", "importer", "exporter", "hs", "year"], kind="mergesort"
    ).reset_index(drop=True)
    prefs = prefs[["agreement", "importer", "hs", "year", "rate", "exporter", "quality"]]

    # ---- utilisation: Budget Lab MFN exemption shares (HS2 x partner), US FTAs with full coverage
    ex = d.mfn_exempt.copy()
    code = {
        "5800": ("KORUS", "KOR"),
        "6021": ("AUS_USA", "AUS"),
        "1220": ("USMCA", "CAN"),
        "2010": ("USMCA", "MEX"),
    }
    ex = ex[ex["cty_code"].isin(code)]
    util = pd.DataFrame(
        {
            "agreement": ex["cty_code"].map(lambda c: code[c][0]),
            "importer": "USA",
            "exporter": ex["cty_code"].map(lambda c: code[c][1]),
            "hs": ex["hs2"].str.zfill(2),
            "share": ex["exemption_share"].clip(0, 1).round(6),
            "source": "Budget Lab tariff-rate-tracker resources/mfn_exemption_shares (US Census calculated "
            "duty): share of statutory MFN duty not collected, by HS2 x partner",
        }
    )
    util = util.sort_values(["agreement", "exporter", "hs"], kind="mergesort").reset_index(
        drop=True
    )

    info = {
        "jp_excluded": jp_excl,
        "us_excluded": us_excl,
        "wdi": wdi,
        "wdi_notes": wdi_notes,
        "dutiable": len(dutiable),
        "s_rcep": sorted(s_rcep),
        "s_cptpp": sorted(s_cptpp),
        "jp_lb": int(jp6["lb"].sum()),
        "us_lb": int(us6["lb"].sum()),
        "us_mfn": us6["mfn"],
    }
    return {"mfn": mfn, "preferences": prefs, "utilisation": util}, info


# --------------------------------------------------------------------------------------
# Duties (US 2025 actions)
# --------------------------------------------------------------------------------------
SRC = {
    "fent": "EO 14195 (2025-02-01) 'Imposing Duties to Address the Synthetic Opioid Supply Chain in "
    "the PRC', as amended (20% from 2025-03-04); cut to 10% from 2025-11-10 by the EO of "
    "2025-11-04; ended by Learning Resources v. Trump (2026-02-20)",
    "recip": "EO 14257 (2025-04-02) reciprocal tariff, 10% baseline from 2025-04-05; Annex I rates "
    "of EO 14326 (2025-07-31) from 2025-08-07; IEEPA duties ended by Learning Resources v. "
    "Trump (2026-02-20; CBP stopped collecting 2026-02-24)",
    "recip_chn": "EO 14257 (10% from 2025-04-05); EO 14259/EO 14266 (84% on 2025-04-09, 125% from "
    "2025-04-10); EO 14298 (10% from 2025-05-14, suspension extended by the EO of "
    "2025-11-04); ended by Learning Resources v. Trump (2026-02-20)",
    "s232_sa": "Proclamations 10895/10896 (2025-02-10; 25% from 2025-03-12, exemptions/quotas "
    "revoked) and 10947 (2025-06-03; 50% from 2025-06-04, UK stays 25%)",
    "s232_sa_2018": "Section 232 steel 25% / aluminium 10% (Proclamations 9705/9704 of 2018) as "
    "described in us_tariff_events_2025 event 2 (exemptions/quotas for KOR JPN AUS "
    "CAN MEX EU UK); superseded 2025-03-12",
    "autos": "Proclamation 10908 (2025-03-26) Section 232 autos: vehicles 25% from 2025-04-03; "
    "90 FR 14705",
    "parts": "Proclamation 10908 (2025-03-26) Section 232 auto parts 25% from 2025-05-03",
    "copper": "Proclamation 10962 (2025-07-30) Section 232 copper 50% from 2025-08-01 (US note 36)",
    "mhd": "Proclamation 10984 (2025-10-17) Section 232 medium/heavy-duty trucks 25%, buses 10% "
    "from 2025-11-01; 90 FR 48451",
    "jpn_deal": "EO 14345 (2025-09-04) 'Implementing the United States-Japan Agreement': all-in 15% "
    "floor (additional = max(0, 15% - MFN)), retroactive to 2025-08-07; civil aircraft "
    "exempted",
    "jpn_autos": "EO 14345 (2025-09-04) sec. 3-4: Section 232 autos/parts for Japan 15% all-in "
    "(HTS 2025 rev.23, 2025-09-12 per Budget Lab tracker; legal date to verify)",
    "kor_deal": "US-Korea Joint Fact Sheet (2025-11-13): Korean goods pay the higher of KORUS/MFN or "
    "15%; HTS 9903.02.79-80 (HTS 2025 rev.32, 2025-11-15 per Budget Lab tracker; may be "
    "retroactive to 2025-11-01 - verify)",
    "kor_autos": "US-Korea Joint Fact Sheet (2025-11-13): Section 232 autos/parts 15% all-in; HTS "
    "9903.94.60-65 (2025-11-15 per Budget Lab tracker; verify)",
    "s122": "Section 122 (Trade Act of 1974) proclamation of 2026-02-20: 10% for up to 150 days "
    "from 2026-02-24 (to 2026-07-23) replacing the IEEPA reciprocal layer; per Budget Lab "
    "tariff-rate-tracker config/policy_params.yaml (section_122)",
    "s301": "Section 301 China lists 1, 2, 3, 3-addl (+25%, HTS 9903.88.01-04) and 4A (+7.5%, "
    "9903.88.15); list 4B suspended; product lists from Budget Lab tariff-rate-tracker "
    "resources/s301_product_lists; rates from the HTS 2025 chapter 99 text",
    "s301r": "Section 301 four-year review increases (USTR 2024): HTS 9903.91.01-.03 (+25/50/100% "
    "from 2024-09-27), 9903.91.05/.11 (+50/25% from 2025-01-01), 9903.91.06-.08 "
    "(+25/50/100% from 2026-01-01), 9903.92.10 cranes (+25%); increments over the list "
    "1-4A rate (the higher rate applies, not the sum)",
    "nodeal_kor": "HYPOTHETICAL: no US-Korea deal: EO 14257 Annex I rate for Korea (25%) applies "
    "from 2025-08-07 (the rate announced for Korea absent a deal) until the IEEPA "
    "ruling; 10% baseline before",
    "nodeal_jpn": "HYPOTHETICAL: no US-Japan deal: EO 14257 Annex I rate for Japan (24%) from "
    "2025-08-07 until the IEEPA ruling; 10% baseline before",
    "nodeal_autos": "HYPOTHETICAL: no deal: Section 232 autos/parts 25% (Proclamation 10908) keep "
    "applying to KOR and JPN after the dates the deals replaced them",
}


def build_duties(d: Data, sc: Scopes, us_mfn: pd.Series) -> tuple[pd.DataFrame, dict]:
    U = sc.U
    rows: list[tuple] = []
    info: dict[str, str] = {}

    def add(
        measure,
        exporter,
        values: dict[str, float],
        rate: float,
        mode,
        start,
        end,
        src,
        partition=True,
    ):
        vals = {h: round(rate * s, 6) for h, s in values.items() if rate * s > 0}
        for p, v in compress_partition(vals, U):
            rows.append((measure, "USA", exporter, p, v, mode, start, end, SRC[src]))

    def add_star(measure, exporter, rate, mode, start, end, src):
        rows.append((measure, "USA", exporter, "*", rate, mode, start, end, SRC[src]))

    D = dt.date
    # --- baseline-era measures (in force on 2025-01-01)
    # Section 301 lists: HS6 rate = mean over HTS8 lines of the line's list rate
    s301 = d.s301.copy()
    list_rate = {
        "9903.88.01": 0.25,
        "9903.88.02": 0.25,
        "9903.88.03": 0.25,
        "9903.88.04": 0.25,
        "9903.88.15": 0.075,
    }
    review = {  # ch99 code -> (rate, start, end)
        "9903.91.01": (0.25, D(2024, 9, 27), None),
        "9903.91.02": (0.50, D(2024, 9, 27), None),
        "9903.91.03": (1.00, D(2024, 9, 27), None),
        "9903.91.05": (0.50, D(2025, 1, 1), None),
        "9903.91.11": (0.25, D(2025, 1, 1), None),
        "9903.91.06": (0.25, D(2026, 1, 1), None),
        "9903.91.07": (0.50, D(2026, 1, 1), None),
        "9903.91.08": (1.00, D(2026, 1, 1), None),
        "9903.92.10": (0.25, D(2024, 9, 27), None),
    }
    base = s301[s301["ch99_code"].isin(list_rate)].copy()
    base["r"] = base["ch99_code"].map(list_rate)
    base_line = base.groupby("hts8")["r"].max()
    # HTS8 lines per HS6: HTS 2025 rate lines plus any listed HTS8 not among them
    lines8 = pd.Index(sorted(set(sc.h8["hts8"]) | set(s301["hts8"])))
    n8 = pd.Series(1, index=lines8).groupby(lines8.str[:6]).sum()
    h6 = (
        base_line.groupby(base_line.index.str[:6]).sum()
        / n8.reindex(base_line.index.str[:6].unique())
    ).dropna()
    add("s301_chn_lists", "CHN", h6.to_dict(), 1.0, "add", D(2020, 2, 14), None, "s301")
    # review increments by phase (boundaries 2024-09-27, 2025-01-01, 2026-01-01)
    rev = s301[s301["ch99_code"].isin(review)].copy()
    phases = [
        (D(2024, 9, 27), D(2024, 12, 31)),
        (D(2025, 1, 1), D(2025, 12, 31)),
        (D(2026, 1, 1), None),
    ]
    for ps, pe in phases:
        active = rev[rev["ch99_code"].map(lambda c, ps=ps: review[c][1] <= ps)]
        if active.empty:
            continue
        r = (
            active.assign(r=active["ch99_code"].map(lambda c: review[c][0]))
            .groupby("hts8")["r"]
            .max()
        )
        inc = (r - base_line.reindex(r.index).fillna(0.0)).clip(lower=0.0)
        inc = inc[inc > 0]
        h6r = (
            inc.groupby(inc.index.str[:6]).sum() / n8.reindex(inc.index.str[:6].unique())
        ).dropna()
        add("s301_chn_2024_review", "CHN", h6r.to_dict(), 1.0, "add", ps, pe, "s301r")

    # Section 232 steel/aluminium 2018 regime (CHN and non-EU ROW pay; others exempt or quota)
    us = d.us_imports
    row_part = us[~us["iso3"].isin(NAMED) & us["hs6"].isin(set(U))]
    row_tot = row_part.groupby("hs6")["imports_usd"].sum()
    row_noneu = row_part[~row_part["iso3"].isin(EU27)].groupby("hs6")["imports_usd"].sum()
    noneu_share = (row_noneu / row_tot).fillna(0.0)
    overall_noneu = float(row_noneu.sum() / row_tot.sum())
    for exp in ["CHN", "ROW"]:
        for scope, rate in ((sc.steel, 0.25), (sc.alu, 0.10)):
            vals = {
                h: s * (noneu_share.get(h, overall_noneu) if exp == "ROW" else 1.0)
                for h, s in scope.items()
            }
            add(
                "s232_steel_alu_2018",
                exp,
                vals,
                rate,
                "add",
                D(2018, 3, 23),
                D(2025, 3, 11),
                "s232_sa_2018",
            )

    # --- 2025 measures
    add_star("ieepa_fentanyl_CHN", "CHN", 0.10, "add", D(2025, 2, 4), D(2025, 3, 3), "fent")
    add_star("ieepa_fentanyl_CHN", "CHN", 0.20, "add", D(2025, 3, 4), D(2025, 11, 9), "fent")
    add_star("ieepa_fentanyl_CHN", "CHN", 0.10, "add", D(2025, 11, 10), IEEPA_END, "fent")

    for r, s, e in (
        (0.10, D(2025, 4, 5), D(2025, 4, 8)),
        (0.84, D(2025, 4, 9), D(2025, 4, 9)),
        (1.25, D(2025, 4, 10), D(2025, 5, 13)),
        (0.10, D(2025, 5, 14), IEEPA_END),
    ):
        add("ieepa_recip_CHN", "CHN", sc.recip, r, "add", s, e, "recip_chn")
    add("ieepa_recip_KOR", "KOR", sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "recip")
    add("ieepa_recip_KOR", "KOR", sc.recip, 0.15, "add", D(2025, 8, 7), D(2025, 11, 14), "recip")
    add("ieepa_recip_JPN", "JPN", sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "recip")
    for c in ["AUS", "GBR"]:
        jul = d.recip.set_index("iso3")["annexI_eo14326_jul31_2025_pct"].get(c, np.nan)
        r2 = 0.10 if pd.isna(jul) else float(jul) / 100.0
        add(f"ieepa_recip_{c}", c, sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "recip")
        add(f"ieepa_recip_{c}", c, sc.recip, r2, "add", D(2025, 8, 7), IEEPA_END, "recip")
    # ROW: 10% until Aug 6; then a US-import-weighted composite of partner rates per HS6
    add("ieepa_recip_ROW", "ROW", sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "recip")
    rec = d.recip.set_index("iso3")
    jul = rec["annexI_eo14326_jul31_2025_pct"].dropna() / 100.0
    part = row_part.groupby(["iso3", "hs6"], dropna=False)["imports_usd"].sum().reset_index()
    part["iso3"] = part["iso3"].fillna("UNK")
    um = us_mfn.reindex(part["hs6"]).fillna(0.0).to_numpy()
    r = part["iso3"].map(jul).fillna(0.10).to_numpy()
    r = np.where(part["iso3"].isin(EU27), np.maximum(0.0, 0.15 - um), r)
    part["r"] = r
    part["rw"] = part["r"] * part["imports_usd"]
    g = part.groupby("hs6")[["rw", "imports_usd"]].sum()
    comp = (g["rw"] / g["imports_usd"]).to_dict()
    # HS6 with no ROW imports: partner-weighted mean rate (EU at 15% - MFN of that HS6)
    pw = part.groupby("iso3")["imports_usd"].sum()
    pr = part.groupby("iso3")["r"].mean()
    is_eu = pw.index.isin(EU27)
    w_eu = pw[is_eu].sum() / pw.sum()
    rate_noneu = float((pw[~is_eu] * pr[~is_eu]).sum() / pw[~is_eu].sum())
    vals = {}
    for h, s in sc.recip.items():
        c = comp.get(h)
        if c is None:
            c = (1 - w_eu) * rate_noneu + w_eu * max(0.0, 0.15 - float(us_mfn.get(h, 0.0) or 0.0))
        vals[h] = s * c
    add("ieepa_recip_ROW", "ROW", vals, 1.0, "add", D(2025, 8, 7), IEEPA_END, "recip")
    info["row_recip"] = (
        f"ROW composite reciprocal rate from 2025-08-07: US-2024-import-weighted mean "
        f"over ROW partners of the EO 14326 Annex I rate (10% if unlisted; EU-27: "
        f"max(0, 15% - US MFN)); all-product import-weighted mean "
        f"{float(part['rw'].sum() / part['imports_usd'].sum()):.4f}"
    )

    all8 = ["KOR", "JPN", "CHN", "AUS", "CAN", "MEX", "GBR", "ROW"]
    for c in all8:
        for scope in (sc.steel, sc.alu):
            add("s232_steel_alu", c, scope, 0.25, "add", D(2025, 3, 12), D(2025, 6, 3), "s232_sa")
            add(
                "s232_steel_alu",
                c,
                scope,
                0.25 if c == "GBR" else 0.50,
                "add",
                D(2025, 6, 4),
                None,
                "s232_sa",
            )
        add("s232_copper", c, sc.copper, 0.50, "add", D(2025, 8, 1), None, "copper")
    auto_end = {"JPN": D(2025, 9, 11), "KOR": D(2025, 11, 14)}
    for c in ["KOR", "JPN", "CHN", "AUS", "GBR", "ROW"]:
        add("s232_autos", c, sc.autos, 0.25, "add", D(2025, 4, 3), auto_end.get(c), "autos")
        add("s232_auto_parts", c, sc.parts, 0.25, "add", D(2025, 5, 3), auto_end.get(c), "parts")
        add("s232_mhd_trucks_buses", c, sc.mhd, 0.25, "add", D(2025, 11, 1), None, "mhd")
        add("s232_mhd_trucks_buses", c, sc.buses, 0.10, "add", D(2025, 11, 1), None, "mhd")

    # deals (floors), after the add-on measures
    jp_floor = {h: 1.0 for h in sc.recip_floor if not h.startswith("88")}
    add("us_jpn_deal", "JPN", jp_floor, 0.15, "floor", D(2025, 8, 7), IEEPA_END, "jpn_deal")
    autos_parts = {**sc.autos, **sc.parts}
    add("us_jpn_deal_autos", "JPN", autos_parts, 0.15, "floor", D(2025, 9, 12), None, "jpn_autos")
    add("us_kor_deal", "KOR", sc.recip_floor, 0.15, "floor", D(2025, 11, 15), IEEPA_END, "kor_deal")
    add("us_kor_deal_autos", "KOR", autos_parts, 0.15, "floor", D(2025, 11, 15), None, "kor_autos")

    # hypothetical no-deal measures
    add(
        "nodeal_recip_KOR", "KOR", sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "nodeal_kor"
    )
    add("nodeal_recip_KOR", "KOR", sc.recip, 0.25, "add", D(2025, 8, 7), IEEPA_END, "nodeal_kor")
    add(
        "nodeal_recip_JPN", "JPN", sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "nodeal_jpn"
    )
    add("nodeal_recip_JPN", "JPN", sc.recip, 0.24, "add", D(2025, 8, 7), IEEPA_END, "nodeal_jpn")
    for c, s in (("JPN", D(2025, 9, 12)), ("KOR", D(2025, 11, 15))):
        add("nodeal_s232_autos", c, sc.autos, 0.25, "add", s, None, "nodeal_autos")
        add("nodeal_s232_autos", c, sc.parts, 0.25, "add", s, None, "nodeal_autos")

    # Section 122 after the ruling (CAN/MEX left out, as under the IEEPA reciprocal regime)
    for c in ["KOR", "JPN", "CHN", "AUS", "GBR", "ROW"]:
        add("s122_balance_of_payments", c, sc.recip, 0.10, "add", S122_START, S122_END, "s122")

    duties = pd.DataFrame(
        rows,
        columns=["measure", "importer", "exporter", "hs", "rate", "mode", "start", "end", "source"],
    )
    info["n_recip_scope"] = (
        f"{len(sc.recip)} HS6 in the reciprocal scope ({sum(1 for v in sc.recip.values() if v < 1)} "
        f"partially exempt: rate x covered line share); {len(sc.recip_floor)} HS6 "
        "in the floor scope (>= 50% of lines covered)"
    )
    return duties, info


# --------------------------------------------------------------------------------------
# Depth
# --------------------------------------------------------------------------------------
DEPTH_AREAS = [  # (HOR area column, category, DTA 2.0 area column or None for FTA tariff areas)
    ("wto_plus_ftaindustrial", "WTO+", None),
    ("wto_plus_ftaagriculture", "WTO+", None),
    ("wto_plus_customs", "WTO+", "depth_trade_facilitation_and_customs"),
    ("wto_plus_exporttaxes", "WTO+", "depth_export_restrictions"),
    ("wto_plus_sps", "WTO+", "depth_sanitary_and_phytosanitary_measures"),
    ("wto_plus_tbt", "WTO+", "depth_technical_barriers_to_trade"),
    ("wto_plus_ste", "WTO+", "depth_state_owned_enterprises"),
    ("wto_plus_ad", "WTO+", "depth_antidumping_duties"),
    ("wto_plus_cvm", "WTO+", "depth_countervailing_duties"),
    ("wto_plus_stateaid", "WTO+", "depth_subsidies"),
    ("wto_plus_publicprocurement", "WTO+", "depth_public_procurement"),
    ("wto_plus_trims", "WTO+", "depth_investment"),
    ("wto_plus_gats", "WTO+", "depth_services"),
    ("wto_plus_trips", "WTO+", "depth_intellectual_property_rights"),
    ("wto_X_competitionpolicy", "WTO-X", "depth_competition_policy"),
    ("wto_X_ipr", "WTO-X", "depth_intellectual_property_rights"),
    ("wto_X_investment", "WTO-X", "depth_investment"),
    ("wto_X_movementofcapital", "WTO-X", "depth_movement_of_capital"),
    ("wto_X_environmentallaws", "WTO-X", "depth_environmental_laws"),
    ("wto_X_labourmarketregulation", "WTO-X", "depth_labor_market_regulations"),
    ("wto_X_visaandasylum", "WTO-X", "depth_visa_and_asylum"),
]
HOR_NAMES = {
    "KORUS": "Korea, Republic of - US",
    "JPN_AUS": "Japan - Australia",
    "JPN_MEX": "Japan-Mexico",
    "KOR_AUS": "Korea, Republic of - Australia",
    "KOR_CAN": "Canada - Rep. of Korea",
    "AUS_USA": "US-Australia",
}
DTA_IDS = {
    "CPTPP": 281,
    "RCEP": 395,
    "KOR_CHN": 270,
    "CHN_AUS": 268,
    "USMCA": 291,
    "JPN_GBR": 351,
    "KOR_GBR": 370,
    "AUS_GBR": 399,
    "CAN_GBR": 386,
    "MEX_GBR": 379,
}
DTA_CHECK_IDS = {
    "KORUS": 211,
    "JPN_AUS": 259,
    "JPN_MEX": 101,
    "KOR_AUS": 256,
    "KOR_CAN": 260,
    "AUS_USA": 98,
}


def build_depth(d: Data) -> tuple[pd.DataFrame, dict]:
    hor = d.hor.set_index("agreement")
    dta = d.dta.set_index("id_agree")
    cols = sorted({c for _, _, c in DEPTH_AREAS if c})
    med = {c: float(dta.loc[dta[c] > 0, c].median()) for c in cols}

    def hor_code(name: str) -> dict[str, int]:
        r = hor.loc[name]
        return {
            a: (0 if int(r[a]) == 0 else (2 if int(r[a + "_le"]) == 2 else 1))
            for a, _, _ in DEPTH_AREAS
        }

    def dta_code(aid: int) -> dict[str, int]:
        r = dta.loc[aid]
        out = {}
        for a, _, c in DEPTH_AREAS:
            if c is None:
                out[a] = 2
            else:
                v = float(r[c]) if pd.notna(r[c]) else 0.0
                out[a] = 0 if v <= 0 else (2 if v >= med[c] else 1)
        return out

    codes: dict[str, tuple[dict[str, int], str]] = {}
    for agr, name in HOR_NAMES.items():
        codes[agr] = (hor_code(name), "hor")
    for agr, aid in DTA_IDS.items():
        codes[agr] = (dta_code(aid), "dta")
    codes["US_JPN"] = ({a: (2 if c is None else 0) for a, _, c in DEPTH_AREAS}, "assumption")
    codes["CJK"] = (codes["RCEP"][0], "assumption")
    codes["CPTPP_KOR"] = (codes["CPTPP"][0], "assumption")
    codes["JK_PLUS"] = (codes["CPTPP"][0], "assumption")
    rows = []
    for agr in sorted(codes):
        for a, cat, _ in DEPTH_AREAS:
            rows.append(
                (agr, a.replace("wto_plus_", "").replace("wto_X_", ""), cat, codes[agr][0][a])
            )
    depth = pd.DataFrame(rows, columns=["agreement", "area", "category", "coverage"])
    # validation of the DTA rule against the HOR coding on agreements coded in both
    agree_cov = agree_exact = n = 0
    for agr, aid in DTA_CHECK_IDS.items():
        h = codes[agr][0]
        t = dta_code(aid)
        for a, _, c in DEPTH_AREAS:
            if c is None:
                continue
            n += 1
            agree_cov += int((h[a] > 0) == (t[a] > 0))
            agree_exact += int(h[a] == t[a])
    info = {
        "source": {a: s for a, (_, s) in codes.items()},
        "validation": f"on {len(DTA_CHECK_IDS)} agreements coded in both sources "
        f"({', '.join(DTA_CHECK_IDS)}), the DTA 2.0 rule matches the HOR coding "
        f"for covered/not covered in {agree_cov}/{n} area cells and exactly "
        f"(0/1/2) in {agree_exact}/{n}",
    }
    return depth, info


# --------------------------------------------------------------------------------------
# Elasticities
# --------------------------------------------------------------------------------------


def build_elasticities(d: Data) -> tuple[pd.DataFrame, dict]:
    U = d.universe
    hd = d.hauk_d[d.hauk_d["positive"] == 1].groupby("hs6")["impliedelasticity"].mean()
    hs_ = d.hauk_s[d.hauk_s["impliedsigma"] > 0].groupby("hs6")["impliedsigma"].mean()
    f = d.fgo.dropna(subset=["sigma"])
    f_own = f[(f["zero"] == 0) & (f["positive"] == 0)].set_index("HS6")["sigma"].abs()
    f_fill = f[~((f["zero"] == 0) & (f["positive"] == 0))].set_index("HS6")["sigma"].abs()
    bgw = d.bgw[d.bgw["iso3"].isin(NAMED)].groupby("hs0_3digit")["sigma"].median()

    def lookup(s: pd.Series, h: str, chain: list[str]) -> float:
        for c in chain:
            if c in s.index:
                return float(s.loc[c])
        return np.nan

    recs = []
    for h in U:
        h0 = d.hs0.get(h, h)
        h12 = d.hs4.get(d.hs5.get(h, h), h)
        em = lookup(hd, h, [h0, h])
        em_src = "Hauk (2012) US HS6 impliedelasticity" if pd.notna(em) else ""
        es, es_src = lookup(f_own, h, [h12, h0, h]), "FGO (2022) CEPII ProTEE HS6 own estimate"
        if pd.isna(es):
            es, es_src = lookup(hs_, h, [h0, h]), "Hauk (2012) US HS6 impliedsigma"
        if pd.isna(es):
            es, es_src = lookup(f_fill, h, [h12, h0, h]), "FGO (2022) ProTEE HS6 (flagged line)"
        if pd.isna(es):
            es, es_src = lookup(bgw, h, [h0[:3]]), "BGW (2006) HS3 sigma, median over 8 importers"
        recs.append(
            (
                h,
                -em if pd.notna(em) else np.nan,
                em_src,
                es if pd.notna(es) else np.nan,
                es_src if pd.notna(es) else "",
            )
        )
    e = pd.DataFrame(recs, columns=["hs", "em", "em_src", "es", "es_src"])
    e["em"] = e["em"].clip(*IMPORT_DEMAND_BOUNDS)
    e["es"] = e["es"].clip(*SUBSTITUTION_BOUNDS)
    e["section"] = e["hs"].map(section_of)
    sec_em = e.groupby("section")["em"].median()
    sec_es = e.groupby("section")["es"].median()
    rows = [
        (
            "*",
            "*",
            SMART_IMPORT_DEMAND,
            SMART_SUBSTITUTION,
            EXPORT_SUPPLY_DEFAULT,
            "WITS-SMART defaults (import demand -1.25, substitution 1.5); export supply: "
            "assumption of this build (5)",
        )
    ]
    for ch in sorted({h[:2] for h in U}):
        sec = section_of(ch + "0000")
        rows.append(
            (
                ch,
                "*",
                round(float(sec_em.get(sec, SMART_IMPORT_DEMAND)), 4),
                round(float(sec_es.get(sec, SMART_SUBSTITUTION)), 4),
                EXPORT_SUPPLY_DEFAULT,
                f"fallback: median of the HS6 values of {sec}",
            )
        )
    for r in e.itertuples(index=False):
        if pd.isna(r.em) and pd.isna(r.es):
            continue
        em = r.em if pd.notna(r.em) else float(sec_em.get(r.section, SMART_IMPORT_DEMAND))
        es = r.es if pd.notna(r.es) else float(sec_es.get(r.section, SMART_SUBSTITUTION))
        src = (
            f"import_demand: {r.em_src or 'section median'}; substitution: "
            f"{r.es_src or 'section median'}; clipped to bounds"
        )
        rows.append(
            (r.hs, "*", round(float(em), 4), round(float(es), 4), EXPORT_SUPPLY_DEFAULT, src)
        )
    el = pd.DataFrame(
        rows, columns=["hs", "country", "import_demand", "substitution", "export_supply", "source"]
    )
    info = {
        "n_hs6_em_own": int(e["em"].notna().sum()),
        "n_hs6_es": int(e["es"].notna().sum()),
        "es_sources": e.loc[e["es"].notna(), "es_src"].value_counts().to_dict(),
        "median_em": float(e["em"].median()),
        "median_es": float(e["es"].median()),
    }
    return el, info


# --------------------------------------------------------------------------------------
# Sectors (HS prefix -> sector), HS sections and strategic sectors
# --------------------------------------------------------------------------------------
STRATEGIC = [
    (
        "semiconductors",
        ["8541", "8542", "848620", "848610", "848640", "848690", "381800", "280461"],
        "USTR Section 301 four-year review (2024): semiconductors HTS 8541/8542, polysilicon 2804.61, "
        "wafers 3818 (HTS 9903.91.05; Budget Lab s301 list 'biden_50_jan25'); SEMI equipment HS 8486 "
        "(US CHIPS Act scope, export-control lists)",
    ),
    (
        "batteries",
        ["850650", "850760", "850780", "850790", "282520", "283691", "250410"],
        "USTR Section 301 four-year review (2024): lithium-ion batteries 8507.60 and parts 8507.90, "
        "natural graphite 2504 (HTS 9903.91.01/.06); IEA Global EV Outlook battery supply chain "
        "(lithium hydroxide 2825.20, lithium carbonate 2836.91)",
    ),
    (
        "autos_and_parts",
        [
            "8702",
            "8703",
            "8704",
            "8706",
            "8707",
            "8708",
            "840731",
            "840732",
            "840733",
            "840734",
            "840820",
            "401110",
            "401120",
            "700711",
            "700721",
            "851220",
            "851230",
            "851240",
            "854430",
            "940120",
            "830230",
        ],
        "US Section 232 autos and auto parts, Proclamation 10908 (2025) and its Annex I (approximated "
        "at HS6), and Proclamation 10984 (buses 8702)",
    ),
    (
        "hydrogen_clean_energy",
        ["280410", "850231", "854142", "854143", "854330", "841182", "850300", "841861", "850440"],
        "APEC List of Environmental Goods (2012: wind turbines 8502.31, PV 8541.40 -> HS2022 "
        "8541.42/43, gas turbines 8411.82, generator parts 8503); hydrogen 2804.10 and electrolysers "
        "8543.30 (IEA Global Hydrogen Review); heat pumps 8418.61 (IEA); inverters 8504.40; USTR 301 "
        "review solar cells (HTS 9903.91.02)",
    ),
    (
        "critical_minerals",
        [
            "2602",
            "2604",
            "2605",
            "2606",
            "2608",
            "2610",
            "2611",
            "2615",
            "2617",
            "2504",
            "2825",
            "2846",
            "280530",
            "283691",
            "7502",
            "8101",
            "8105",
            "8108",
            "8110",
            "8112",
            "284180",
            "284990",
        ],
        "US Critical Minerals list (USGS 2022) and EU Critical Raw Materials Act (2024) Annex; USTR "
        "Section 301 four-year review critical minerals (HTS 9903.91.01; Budget Lab s301 list "
        "'biden_25', incl. 2602/2605/2606/2608/2610/2611, 2841.80, 2849.90)",
    ),
    (
        "steel_aluminium",
        ["72", "73", "76"],
        "US Section 232 steel and aluminium, Proclamations 9704/9705 (2018), 10895/10896 and 10947 "
        "(2025)",
    ),
    (
        "shipbuilding",
        ["89", "842619"],
        "HS chapter 89 (ships, boats); USTR Section 301 ship-to-shore cranes 8426.19 (HTS 9903.92.10) "
        "and the 2025 Section 301 action on China's maritime, logistics and shipbuilding sectors",
    ),
]


def build_sectors() -> pd.DataFrame:
    rows = []
    for a, b, name in SECTIONS:
        for ch in range(a, b + 1):
            if ch == 77:
                continue
            rows.append(
                (
                    f"{ch:02d}",
                    name,
                    f"WCO Harmonized System 2022 nomenclature: Section "
                    f"{name.split('_')[1]} = chapters {a:02d}-{b:02d}",
                )
            )
    for name, prefixes, src in STRATEGIC:
        for p in prefixes:
            rows.append((p, name, src))
    s = pd.DataFrame(rows, columns=["hs", "sector", "source"]).drop_duplicates(["hs", "sector"])
    return s.sort_values(["sector", "hs"], kind="mergesort").reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Scenarios, regions, meta, sources
# --------------------------------------------------------------------------------------
US_2025_MEASURES = [
    "ieepa_fentanyl_CHN",
    "ieepa_recip_CHN",
    "ieepa_recip_KOR",
    "ieepa_recip_JPN",
    "ieepa_recip_AUS",
    "ieepa_recip_GBR",
    "ieepa_recip_ROW",
    "s232_steel_alu",
    "s232_autos",
    "s232_auto_parts",
    "s232_copper",
    "s232_mhd_trucks_buses",
    "us_jpn_deal",
    "us_jpn_deal_autos",
    "us_kor_deal",
    "us_kor_deal_autos",
]
BASELINE_MEASURES = ["s301_chn_lists", "s301_chn_2024_review", "s232_steel_alu_2018"]


def build_scenarios() -> pd.DataFrame:
    D = dt.date
    no_deal = [
        "-ieepa_recip_KOR",
        "-ieepa_recip_JPN",
        "-us_jpn_deal",
        "-us_jpn_deal_autos",
        "-us_kor_deal",
        "-us_kor_deal_autos",
        "nodeal_recip_KOR",
        "nodeal_recip_JPN",
        "nodeal_s232_autos",
    ]
    rows = [
        (
            "baseline",
            "",
            BASELINE_YEAR,
            BASELINE_DATE,
            ",".join(IN_FORCE),
            ",".join(BASELINE_MEASURES),
            "Status quo before the 2025 US tariff actions: agreements in force at their 2026 staging "
            "step (Japan FY2026 schedule; US HTS 2025; imputed KOR/CHN/AUS/CAN/MEX/GBR schedules at "
            "their 2026 step, frozen thereafter) and the US duties in force on 2025-01-01: Section 301 "
            "on China (lists 1-4A and the 2024 review increases) and the 2018 Section 232 steel/"
            "aluminium regime (CHN and non-EU ROW).",
        ),
        (
            "cjk_fta",
            "",
            HYPO_FULL_YEAR,
            BASELINE_DATE,
            "CJK",
            "",
            "Baseline + a China-Japan-Korea FTA in its 10th year (2036): remaining tariffs among the "
            "three removed except the RCEP-derived sensitive list. US duties as in the baseline.",
        ),
        (
            "kor_cptpp",
            "",
            HYPO_FULL_YEAR,
            BASELINE_DATE,
            "CPTPP_KOR",
            "",
            "Baseline + Korea's CPTPP accession in its 10th year (2036): members extend their CPTPP "
            "schedules to KOR; KOR eliminates tariffs on members except Japan's CPTPP exclusions.",
        ),
        (
            "jk_plus",
            "",
            HYPO_FULL_YEAR,
            BASELINE_DATE,
            "JK_PLUS",
            "",
            "Baseline + a deep Japan-Korea agreement in its 10th year (2036): Japan's CPTPP rates to "
            "KOR, Korea's elimination to JPN except Japan's CPTPP exclusions; no China.",
        ),
        (
            "us_deal",
            "",
            BASELINE_YEAR,
            DEAL_DATE,
            "",
            ",".join(US_2025_MEASURES),
            "Baseline + the 2025 US tariff actions in force on 2026-01-01, including the US-Japan deal "
            "(EO 14345: 15% all-in floor, autos/parts 15%) and the US-Korea deal (Joint Fact Sheet of "
            "2025-11-13: 15% all-in floor, autos/parts 15%); China: fentanyl 10% + reciprocal 10%; "
            "Section 232 steel/aluminium 50%, copper 50%, autos/parts 25% for others (CAN/MEX USMCA "
            "content rules not modelled), MHD trucks/buses.",
        ),
        (
            "us_no_deal",
            "us_deal",
            BASELINE_YEAR,
            DEAL_DATE,
            "",
            ",".join(no_deal),
            "us_deal without the Japan and Korea deals (counterfactual): the EO 14257 Annex I rates "
            "(KOR 25%, JPN 24%) apply as add-ons from 2025-08-07 and Section 232 autos/parts stay at "
            "25% for KOR and JPN. Date 2026-01-01.",
        ),
        (
            "us_post_ruling",
            "us_deal",
            BASELINE_YEAR,
            POST_RULING_DATE,
            "",
            "s122_balance_of_payments",
            "Regime on 2026-03-01 after the Supreme Court IEEPA ruling (Learning Resources v. Trump, "
            "2026-02-20): all IEEPA duties (reciprocal, fentanyl and the IEEPA part of the deals) end "
            "2026-02-23; Section 122 10% from 2026-02-24 (CAN/MEX left out); Section 232 measures and "
            "the deals' 232 auto caps (15%) remain.",
        ),
        (
            "kor_cptpp+us_deal",
            "us_deal",
            HYPO_FULL_YEAR,
            DEAL_DATE,
            "CPTPP_KOR",
            "",
            "us_deal regime + Korea's CPTPP accession in its 10th year (2036).",
        ),
        (
            "cjk_fta+us_deal",
            "us_deal",
            HYPO_FULL_YEAR,
            DEAL_DATE,
            "CJK",
            "",
            "us_deal regime + the China-Japan-Korea FTA in its 10th year (2036).",
        ),
        (
            "jk_plus+us_deal",
            "us_deal",
            HYPO_FULL_YEAR,
            DEAL_DATE,
            "JK_PLUS",
            "",
            "us_deal regime + the deep Japan-Korea agreement in its 10th year (2036).",
        ),
    ]
    del D
    return pd.DataFrame(
        rows, columns=["scenario", "parent", "year", "date", "agreements", "duties", "description"]
    )


def build_agreements() -> pd.DataFrame:
    rows = [(a, ",".join(sorted(m)), y, desc, src) for a, m, y, desc, src in AGREEMENTS]
    return pd.DataFrame(rows, columns=["agreement", "members", "in_force", "description", "source"])


def build_regions(d: Data) -> pd.DataFrame:
    us = d.us_imports
    mem = sorted(set(us["iso3"].dropna()) - set(NAMED) - {"USA"})
    return pd.DataFrame(
        [
            (
                "ROW",
                "Rest of the world: every economy not listed separately "
                "(incl. EU-27, TWN, VNM, MYS, SGP, BRN, CHL, PER, NZL)",
                ",".join(mem),
            )
        ],
        columns=["code", "name", "members"],
    )


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(
        str(tmp),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": False,
        },
    )
    wb.set_properties(
        {
            "created": FIXED_CREATED,
            "author": "fta_compare build_tariff_tables.py",
            "title": path.stem,
        }
    )
    head = wb.add_format({"bold": True})
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, df in sheets.items():
        ws = wb.add_worksheet(name)
        cols = list(df.columns)
        for j, c in enumerate(cols):
            ws.write_string(0, j, c, head)
        for j, c in enumerate(cols):
            col = df[c].tolist()
            for i, v in enumerate(col, start=1):
                if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
                    continue
                if isinstance(v, str):
                    if v != "":
                        ws.write_string(i, j, v)
                elif isinstance(v, bool | np.bool_):
                    ws.write_string(i, j, "yes" if v else "no")
                elif isinstance(v, dt.datetime | dt.date | pd.Timestamp):
                    vv = v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)
                    ws.write_datetime(i, j, vv, datef)
                elif isinstance(v, int | np.integer):
                    ws.write_number(i, j, int(v))
                elif isinstance(v, float | np.floating):
                    if np.isinf(v):
                        ws.write_string(i, j, "inf")
                    else:
                        ws.write_number(i, j, float(v))
                else:
                    ws.write_string(i, j, str(v))
        ws.freeze_panes(1, 0)
    wb.close()
    tmp.replace(path)


# --------------------------------------------------------------------------------------
# Sources and meta
# --------------------------------------------------------------------------------------
S = {
    "census": "US Census Bureau 2024 imports by HTS10 x country, via Budget-Lab-Yale/Tariff-Model "
    "resources/rate_aggregation/2024/import_weights_hs10_country_2024.rds @8efb3ed "
    "(shared: trade_flows/us_imports_2024_hs6_by_country.csv)",
    "wiod": "WIOD 2016 release, 2014 table (Timmer, Dietzenbacher, Los, Stehrer & de Vries 2015) via "
    "the KITE initial conditions in powell001/Kiel_US_TradePolicy code/"
    "initial_conditions_WIOD_2014.rds @205614f (shared: bilateral_sector_flows/"
    "wiod2014_kite_bilateral_flows_by_sector.csv)",
    "japan": "Japan Customs tariff schedule (実行関税率表) FY2026 via qlitre/japan-tariff-mcp "
    "src/tariffdata/j_*.json @715eff9 (shared: japan_tariff/japan_tariff_lines_2026.csv)",
    "hts": "USITC Harmonized Tariff Schedule 2025 Basic Edition via Budget-Lab-Yale/Tariff-ETRs "
    "resources/hts_2025_basic_edition.csv @ffc0105 (shared: us_hts/"
    "us_hts8_2025_mfn_and_fta_rates.csv, hts_2025_basic_edition.csv)",
    "wdi": "World Bank WDI TM.TAX.MRCH.WM.FN.ZS (tariff rate, MFN, weighted mean, all products) via "
    "isa-j/Stat-App @85a6b44 (shared: wdi_tariff_aggregates/)",
    "actions": "White House executive orders/proclamations (brian14708/wh-briefings, CC0) and Budget "
    "Lab tariff-rate-tracker @8315fff (shared: us_tariff_actions_2025/"
    "us_tariff_events_2025.csv, us_reciprocal_tariff_rates_by_country_2025.csv, "
    "budgetlab_*.csv)",
    "hor": "World Bank Content of Deep Trade Agreements, horizontal depth (Hofmann, Osnago & Ruta "
    "2017, WB PRWP 7981) via janinepdevera/network-analysis-trade-agreements @c45baa2 "
    "(shared: wb_deep_trade_agreements/dta_horizontal_depth_by_agreement.csv)",
    "dta": "World Bank DTA 2.0 toolkit area depth scores (Fontagné, Rocha, Ruta & Santoni 2023, WBER) "
    "via anthoninlevelu/WB_DTA_Toolkit_dev @49ab00c (shared: wb_deep_trade_agreements/"
    "dta_toolkit_area_depth_and_clusters_by_agreement.csv)",
    "hauk": "Hauk, W. (2012) 'U.S. import and export elasticities: a panel data approach', Empirical "
    "Economics, via BillHauk/tradeelasticityestimates @0ab196e (shared: elasticities/)",
    "fgo": "Fontagné, Guimbard & Orefice (2022) JIE 137, CEPII ProTEE 0.1 via andre-barbe/"
    "semiconductor-trade @7bacd40 (shared: trade_elasticities_fgo/)",
    "bgw": "Broda, Greenfield & Weinstein (2006) NBER WP 12512 sigmas by importer x HS3 via "
    "insongkim/concordance (shared: elasticities/)",
    "conc": "UN Statistics Division HS correspondence tables via insongkim/concordance @201c812 "
    "(shared: hs_concordance/)",
    "desta": "Agreement list and membership: official agreement texts; DESTA (Dür, Baccini & Elsig "
    "2014) via globalgov/manytrade (shared: agreement_depth/)",
}


def build_sources(trade_info, sched_info, duty_info, depth_info, el_info) -> pd.DataFrame:
    r = []

    def a(table, columns, source, transformation=""):
        for c in columns.split(","):
            r.append((table, c.strip(), source, transformation))

    wdi_all = "; ".join(
        sched_info["wdi_notes"][c] for c in ["KOR", "CHN", "AUS", "CAN", "MEX", "GBR", "ROW"]
    )
    # ---- trade
    a(
        "trade",
        "exporter,importer",
        S["census"] + "; " + S["wiod"],
        "ISO3; economies outside {KOR, JPN, CHN, USA, AUS, CAN, MEX, GBR} mapped to ROW",
    )
    a(
        "trade",
        "hs",
        S["census"] + "; " + S["conc"],
        "HS 2022 6-digit text; " + trade_info["us_imports_dropped_codes"],
    )
    a(
        "trade",
        "value",
        S["census"],
        "importer USA (observed): 2024 US imports for consumption by "
        "HS6 x partner, US$ / 1000; partners outside the named economies summed into ROW",
    )
    a(
        "trade",
        "value",
        S["wiod"],
        "every other cell (imputed): WIOD 2014 bilateral goods-sector "
        "totals (C01-C22, basic prices, excl. importer tariff) x scale factor "
        + trade_info["wiod_scale_factor"]
        + "; split across HS6 by the exporter's 2024 US-import "
        "product mix within the sector (proxy); "
        + trade_info["wiod_row_fill"]
        + "; "
        + trade_info["trade_threshold"],
    )
    a("trade", "quality", "this build", "observed = US Census 2024; imputed:<method> rows below")
    a(
        "trade",
        "quality=imputed:wiod2014_sector_x_exporter_us_mix",
        S["wiod"] + "; " + S["census"],
        "flow exporter->importer in WIOD goods sector s (2014, one scalar to 2024) split across HS6 "
        "by the exporter's observed 2024 US-import value shares within s (proxy for its export "
        "mix); HS6 -> WIOD sector by an HS -> ISIC Rev.4 rule set written for this build",
    )
    a(
        "trade",
        "quality=imputed:wiod2014_sector_x_world_us_mix",
        S["wiod"] + "; " + S["census"],
        "as above, split by total US imports within s (all partners): exporter USA (no US export "
        "detail in the shared data) and sectors the exporter does not ship to the US",
    )
    a(
        "trade",
        "quality=imputed:wiod2014_domestic_x_exporter_us_mix",
        S["wiod"] + "; " + S["census"],
        "domestic absorption (exporter == importer) of WIOD goods sectors split like exports (the "
        "exporter's US-import mix as a proxy for its production mix); ROW->ROW includes intra-ROW trade",
    )
    a(
        "trade",
        "quality=imputed:wiod2014_domestic_x_world_us_mix",
        S["wiod"] + "; " + S["census"],
        "US domestic absorption split by the mix of total US imports within the sector",
    )
    # ---- mfn
    a(
        "mfn",
        "importer",
        "this build",
        "JPN and USA observed; KOR, CHN, AUS, CAN, MEX, GBR, ROW imputed",
    )
    a("mfn", "hs", S["conc"], "HS 2022 6-digit text (Japan FY2026 and HTS 2025 are HS 2022 based)")
    a(
        "mfn",
        "rate",
        S["japan"],
        "JPN: applied MFN per national line (WTO rate, else temporary, else "
        "basic); HS6 = simple average over the lines with an ad valorem rate; / 100",
    )
    a(
        "mfn",
        "rate",
        S["hts"],
        "USA: column-1 general rate per HTS8; HS6 = simple average over HTS8 lines; / 100",
    )
    a(
        "mfn",
        "rate",
        S["wdi"],
        "KOR, CHN, AUS, CAN, MEX, GBR, ROW: " + wdi_all + "; imported-"
        "weighted means of the result: " + sched_info["weighted_check"],
    )
    a("mfn", "quality", "this build", "observed / imputed:<method> rows below")
    a(
        "mfn",
        "quality=imputed:jpn_adval_component_lower_bound",
        S["japan"],
        f"specific/compound/alternative duties: the smallest ad valorem percentage in the rate text is "
        f"a lower bound of the AVE and enters the HS6 average ({sched_info['jp_lb']} HS6); HS6 whose "
        f"lines are all purely specific are excluded ({len(sched_info['jp_excluded'])} HS6, meta "
        "jpn_mfn_excluded_hs6)",
    )
    a(
        "mfn",
        "quality=imputed:usa_adval_component_lower_bound",
        S["hts"],
        f"same rule for US specific/compound rates ({sched_info['us_lb']} HS6); purely specific HS6 "
        f"excluded ({len(sched_info['us_excluded'])}, meta usa_mfn_excluded_hs6)",
    )
    a(
        "mfn",
        "quality=imputed:wdi_weighted_mfn_uniform_on_jpn_or_usa_dutiable_hs6",
        S["wdi"] + "; " + S["japan"] + "; " + S["hts"],
        "no line-level schedule: the latest WDI import-weighted MFN mean on every HS6 that is "
        f"dutiable in Japan's or the US schedule ({sched_info['dutiable']} HS6), 0 on HS6 free in "
        "both (ITA/zero-for-zero/commodity lines). Not rescaled to the WDI mean: agricultural peaks "
        "are not spread onto manufactures, so the imputed import-weighted mean is below the WDI "
        "figure (conservative)",
    )
    # ---- preferences
    a("preferences", "agreement", "this build", "agreement codes of the agreements sheet")
    a(
        "preferences",
        "importer",
        "this build",
        "JPN, USA observed; KOR, CHN, AUS, CAN, MEX, GBR "
        "imputed; no ROW schedules (ROW is not a member)",
    )
    a(
        "preferences",
        "hs",
        S["conc"],
        "observed rows: HS6; imputed uniform schedules: 2/4/6-digit "
        "prefix rows where finer rows override (lossless over all HS 2022 subheadings)",
    )
    a(
        "preferences",
        "rate",
        S["japan"],
        "JPN CPTPP, RCEP (China, Korea and ASEAN-AUS-NZ schedules), "
        "US-Japan TA, Japan-Australia, Japan-Mexico, Japan-UK columns, FY2026 step; line rate = parsed "
        "preferential rate capped at the line MFN (blank = MFN; text with '非譲許' = MFN; tariff-quota "
        "or partner-specific text = highest % in the text, i.e. the out-of-quota / least favourable "
        "rate); HS6 = mean over the same lines as the MFN; only rows below the MFN are kept",
    )
    a(
        "preferences",
        "rate",
        S["hts"],
        "USA KORUS (KR), US-Japan TA (JP), AUSFTA (AU), USMCA "
        "(S/S+) special rates per HTS8 (program not listed or non-ad-valorem = MFN); HS6 mean over "
        "the MFN lines; rows below MFN only. US FTAs with CHL/PER/SGP not used (partners in ROW)",
    )
    a("preferences", "rate", "this build", "imputed schedules: rows below")
    a(
        "preferences",
        "year",
        "this build",
        "observed: current step only (JPN 2026, USA 2025); "
        "imputed in-force: 2026 step (frozen so scenario differences isolate the new agreement); "
        "hypothetical: 2027, 2031, 2036 = 10%, 50%, 100% of a 10-year linear elimination",
    )
    a(
        "preferences",
        "exporter",
        "this build",
        "blank = every other member; Japan's RCEP rows and the CJK rows are exporter-specific",
    )
    a("preferences", "quality", "this build", "observed / imputed:<method> rows below")
    a(
        "preferences",
        "quality=imputed:linear_staging_20y_from_wdi_mfn_rcep_sensitive_kept",
        S["wdi"],
        "KOR and CHN sides of KOR_CHN (first cut 2015, 20 linear steps: 60% of the MFN removed by "
        "2026) and RCEP (2022, 20 steps: 25%), from the imputed MFN; the RCEP sensitive list "
        f"({len(sched_info['s_rcep'])} HS6 to which Japan gives neither China nor Korea any RCEP "
        "concession in 2026, or with only specific duties; meta sensitive_list_rcep) kept at MFN",
    )
    a(
        "preferences",
        "quality=imputed:fully_phased_in_cptpp_sensitive_kept_at_mfn",
        S["wdi"],
        "imputed sides of KORUS, KOR_AUS, KOR_CAN, KOR_GBR, CPTPP (AUS/CAN/MEX/GBR), USMCA (CAN/MEX), "
        "AUS_USA, JPN_AUS/JPN_MEX/JPN_GBR (partner side), AUS/CAN/MEX_GBR: treated as fully phased "
        f"in by 2026 (rate 0) except Japan's CPTPP exclusion list ({len(sched_info['s_cptpp'])} HS6 "
        "where Japan's CPTPP rate equals its MFN, or only specific duties; meta "
        "sensitive_list_cptpp) kept at MFN",
    )
    a(
        "preferences",
        "quality=imputed:fully_phased_in_rcep_sensitive_kept_at_mfn",
        S["wdi"],
        "China-Australia FTA (CHN and AUS sides): fully phased in by 2026 except the RCEP list",
    )
    a(
        "preferences",
        "quality=imputed:cjk_linear_10y_from_observed_jpn_rcep_2026_rate",
        S["japan"],
        "CJK, Japan's side: Japan's observed FY2026 RCEP rate for China / Korea cut linearly to 0 "
        "over 2027-2036, except the RCEP sensitive list (kept at the 2026 rate)",
    )
    a(
        "preferences",
        "quality=imputed:cjk_linear_10y_from_imputed_2026_rate",
        S["wdi"],
        "CJK, KOR and CHN sides: the lowest imputed 2026 rate to that partner (MFN, RCEP or "
        "KOR_CHN) cut linearly to 0 over 2027-2036, except the RCEP sensitive list",
    )
    a(
        "preferences",
        "quality=imputed:observed_jpn_cptpp_2026_rate_extended_to_kor",
        S["japan"],
        "CPTPP_KOR and JK_PLUS: Japan's observed FY2026 CPTPP rates granted to KOR from 2027 (held "
        "constant; Japan's remaining CPTPP staging is not in the data)",
    )
    a(
        "preferences",
        "quality=imputed:own_imputed_cptpp_schedule_extended_to_kor",
        S["wdi"],
        "CPTPP_KOR: AUS/CAN/MEX/GBR extend their imputed CPTPP schedules to KOR from 2027",
    )
    a(
        "preferences",
        "quality=imputed:kor_linear_10y_from_wdi_mfn_cptpp_sensitive_kept",
        S["wdi"],
        "CPTPP_KOR and JK_PLUS, Korea's side: imputed MFN cut linearly to 0 over 2027-2036 except "
        "Japan's CPTPP exclusion list",
    )
    a(
        "preferences",
        "quality=imputed:jpn_adval_component_lower_bound",
        S["japan"],
        "observed preference in an HS6 whose MFN uses a lower-bound AVE (see mfn)",
    )
    a(
        "preferences",
        "quality=imputed:usa_adval_component_lower_bound",
        S["hts"],
        "observed preference in an HS6 whose MFN uses a lower-bound AVE (see mfn)",
    )
    # ---- agreements
    a(
        "agreements",
        "agreement,members,in_force,description",
        S["desta"],
        "membership and year of entry into force from the agreements; hypothetical agreements "
        "(blank in_force) defined by this build (see description)",
    )
    a(
        "agreements",
        "source",
        "this build",
        "where each agreement's tariff and depth data come from",
    )
    # ---- duties
    a(
        "duties",
        "measure",
        S["actions"],
        "one measure per legal layer (and per partner where deals "
        "differ); hypothetical no-deal measures are named nodeal_*",
    )
    a("duties", "importer", S["actions"], "USA (no other importer's 2025 duties in the data)")
    a(
        "duties",
        "exporter",
        S["actions"],
        "partners of the universe; ROW rates are composites; "
        "CAN/MEX: no reciprocal layer (USMCA goods excluded; non-USMCA IEEPA border duties not in "
        "the data) and no autos/parts/MHD (USMCA content rules not modelled)",
    )
    a(
        "duties",
        "hs",
        S["actions"] + "; " + S["hts"],
        "Annex II exemptions (HTS10) and Section 301 lists (HTS8) mapped to HS6 as the share of the "
        "HS6's HTS lines covered; add-mode rates = statutory rate x covered share; floor-mode scopes = "
        "HS6 with >= 50% of lines covered; "
        + duty_info["n_recip_scope"]
        + "; Section 232 scopes by "
        "HS heading (steel 7206-7229, 7301-7306; aluminium 7601, 7604-7609; plus the Aug-2025 "
        "derivative lines of chapters 72/73/76; copper 7407-7413; autos 8703 excl. 870310 and light "
        "trucks 870421/31/41/51; parts: an HS6 approximation of Annex I of Proclamation 10908; MHD "
        "trucks 8701.21-29 and 8704 > 5 t; buses 8702); goods under Section 232 are outside the "
        "reciprocal scope; rows are non-overlapping 2/4/6-digit prefixes; '*' = every product",
    )
    a("duties", "rate", S["actions"], "fractions from the legal texts; " + duty_info["row_recip"])
    a(
        "duties",
        "mode",
        S["actions"],
        "add = on top of the applied rate; floor = 'X% inclusive of "
        "MFN' deals (EO 14345, US-Korea Joint Fact Sheet)",
    )
    a(
        "duties",
        "start,end",
        S["actions"],
        "effective dates (inclusive) from us_tariff_events_2025 "
        "and the HTS chapter 99 text; blank end = open; uncertain dates listed in meta",
    )
    a("duties", "source", S["actions"], "legal instrument of each row")
    # ---- depth
    a(
        "depth",
        "agreement,area,category,coverage",
        S["hor"],
        "KORUS, JPN_AUS, JPN_MEX, KOR_AUS, KOR_CAN, AUS_USA: HOR coding on the 21 areas shared with "
        "DTA 2.0 (14 WTO+, 7 WTO-X); coverage 0 if the area-covered flag is 0, 2 if the "
        "legal-enforceability code is 2, else 1",
    )
    a(
        "depth",
        "agreement,area,category,coverage",
        S["dta"],
        "CPTPP, RCEP, KOR_CHN, CHN_AUS, USMCA, JPN_GBR, KOR_GBR, AUS_GBR, CAN_GBR, MEX_GBR: DTA 2.0 "
        "area score 0 -> 0, >= median of the positive scores of that area over all 372 toolkit "
        "agreements -> 2, else 1; FTA industrial/agriculture = 2 (binding tariff schedules); "
        + depth_info["validation"],
    )
    a(
        "depth",
        "coverage",
        "assumption of this build",
        "CJK = RCEP's coding ('RCEP-plus'); CPTPP_KOR = CPTPP's; JK_PLUS = CPTPP's; US_JPN (not coded "
        "in either source) = tariff areas 2, other areas 0",
    )
    # ---- elasticities
    a(
        "elasticities",
        "hs",
        S["conc"],
        "HS 2022 HS6 rows (own estimate), HS2 chapter rows (section "
        "fallback), '*' (SMART defaults)",
    )
    a(
        "elasticities",
        "country",
        "this build",
        "'*' = every importer: US-estimated import demand and "
        "world-level FGO elasticities are applied to all importers",
    )
    a(
        "elasticities",
        "import_demand",
        S["hauk"],
        "-impliedelasticity where 'positive' = 1 (correct "
        f"sign); HS1992/96 -> HS2022 via the HS concordance; {el_info['n_hs6_em_own']} HS6; clipped "
        f"to {IMPORT_DEMAND_BOUNDS}; HS6 without an estimate and chapters: median of the HS section; "
        "'*' = SMART -1.25",
    )
    a(
        "elasticities",
        "substitution",
        S["fgo"] + "; " + S["hauk"] + "; " + S["bgw"],
        "hierarchy per HS6: (1) FGO ProTEE own estimate |sigma| (zero = 0 and positive = 0; HS2007 "
        "codes reached via HS2022->2017->2012, then HS1992), (2) Hauk impliedsigma > 0, (3) FGO value "
        "of a flagged line, (4) BGW HS3 sigma, median over the 8 named importers; clipped to "
        f"{SUBSTITUTION_BOUNDS}; chapters: section median; '*' = SMART 1.5. HS6 counts: "
        + ", ".join(f"{k}: {v}" for k, v in el_info["es_sources"].items()),
    )
    a(
        "elasticities",
        "export_supply",
        "assumption of this build",
        f"{EXPORT_SUPPLY_DEFAULT} for every exporter and product: no exporter-level supply estimates "
        "in the shared data (Hauk 2012's supply equations describe supply to the US market only; "
        "median inverse elasticity 0.013, nearly flat). Set the column to inf to reproduce "
        "WITS-SMART's infinitely elastic supply (Jammes & Olarreaga 2005)",
    )
    a("elasticities", "source", "this build", "source of each row")
    # ---- scenarios, regions, sectors, utilisation, meta
    a(
        "scenarios",
        "scenario,parent,year,date,agreements,duties,description",
        "this build",
        "year = staging step of the agreements, date = which duties are in force; a child adds its "
        "agreements and duties to its parent's ('-name' removes); see each description",
    )
    a("regions", "code,name", "this build", "ROW = every economy not listed separately")
    a(
        "regions",
        "members",
        S["census"],
        "ISO3 codes of US trade partners outside the named "
        "economies; in non-US markets ROW = WIOD's RoW region plus the unassigned origin share",
    )
    a(
        "sectors",
        "hs,sector",
        "this build; WCO HS 2022 sections",
        "HS chapters -> 21 HS sections; "
        "strategic sectors by HS prefix; a product may be in several",
    )
    a("sectors", "source", "public lists cited per row", "see each row")
    a(
        "utilisation",
        "agreement,importer,exporter,hs,share,source",
        "Budget Lab tariff-rate-tracker resources/mfn_exemption_shares @8315fff (from US Census "
        "calculated-duty data)",
        "share of the statutory MFN duty not collected (FTA preference use) "
        "by HS2 x partner, clipped to [0, 1], for KORUS (KOR), AUS_USA (AUS), USMCA (CAN, MEX); the "
        "US-Japan TA is left out (its partial product coverage mixes coverage and use)",
    )
    a("meta", "key,value", "this build", "settings, assumptions, data gaps and diagnostics")
    a("sources", "table,column,source,transformation", "this build", "this table")
    return pd.DataFrame(r, columns=["table", "column", "source", "transformation"])


def build_meta(trade_info, sched_info, duty_info, depth_info, el_info, n_products) -> pd.DataFrame:
    wdi = sched_info["wdi"]
    m = [
        (
            "title",
            "fta-compare default input tables: CJK FTA vs Korea's CPTPP accession vs "
            "Japan-Korea-plus vs the 2025 US tariff deals, focus Korea (built from public data)",
        ),
        ("synthetic", "no"),
        ("currency_unit", "US$ thousand"),
        ("base_year", str(BASE_YEAR)),
        ("hs_revision", "HS2022"),
        ("focus", "KOR"),
        ("baseline_date", BASELINE_DATE.isoformat()),
        ("baseline_year", str(BASELINE_YEAR)),
        (
            "universe",
            ",".join(UNIVERSE) + ": the economies of the WIOD sector flows. The other CPTPP "
            "members (BRN, CHL, MYS, NZL, PER, SGP, VNM) stay inside ROW (WIOD has no "
            "separate flows for them; ROW is not a member of any agreement), so CPTPP "
            "effects with those members are not captured",
        ),
        ("trade_products", f"{n_products} HS6 products in trade"),
        ("trade_value_shares", trade_info["value_shares"] + " (all cells incl. domestic)"),
        ("trade_value_shares_international", trade_info["value_shares_international"]),
        ("trade_threshold", trade_info["trade_threshold"]),
        ("wiod_scale_factor", trade_info["wiod_scale_factor"]),
        ("wiod_row_fill", trade_info["wiod_row_fill"]),
        ("us_imports_dropped_codes", trade_info["us_imports_dropped_codes"]),
        ("depth_beta", f"{DEPTH_BETA}"),
        (
            "depth_beta_source",
            "Baier, S.L. & Bergstrand, J.H. (2007) 'Do free trade agreements "
            "actually increase members' international trade?', Journal of "
            "International Economics 71(1): 72-95: panel gravity with pair fixed "
            "effects, average FTA effect about 0.76 log points (roughly doubling "
            "bilateral trade after 10 years); applied to a normalised depth index "
            "of 1",
        ),
        ("depth_sigma", "6"),
        (
            "depth_sigma_source",
            "elasticity of substitution used by the depth channel tau = exp(-beta*index/"
            "(sigma-1)) - 1: trade elasticity sigma-1 = 5, the median structural gravity "
            "estimate in Head, K. & Mayer, T. (2014) 'Gravity equations: workhorse, toolkit, "
            "and cookbook', Handbook of International Economics vol. 4, ch. 3, table 4. The "
            "product-level Armington elasticities (as low as 0.5) would make the channel "
            "explode or flip sign",
        ),
        (
            "mfn_import_weighted_means",
            sched_info["weighted_check"] + " - import-weighted over "
            "the trade sheet's international cells; JPN and USA observed "
            "rates land near their WDI figures, the imputed ones below "
            "(conservative uniform-on-dutiable imputation)",
        ),
        (
            "trade_import_totals_usd_bn",
            trade_info["import_totals"]
            + " (international imports by importer, US$ bn, 2024 terms)",
        ),
        (
            "mfn_imputed_rates",
            "; ".join(
                f"{c} {wdi[c]:.4f}" for c in ["KOR", "CHN", "AUS", "CAN", "MEX", "GBR", "ROW"]
            ),
        ),
        ("jpn_mfn_excluded_hs6", ",".join(sched_info["jp_excluded"])),
        ("usa_mfn_excluded_hs6", ",".join(sched_info["us_excluded"])),
        ("sensitive_list_rcep", ",".join(sched_info["s_rcep"])),
        ("sensitive_list_cptpp", ",".join(sched_info["s_cptpp"])),
        (
            "export_supply_default",
            f"{EXPORT_SUPPLY_DEFAULT} (assumption; inf reproduces WITS-SMART)",
        ),
        (
            "elasticity_bounds",
            f"import_demand {IMPORT_DEMAND_BOUNDS}, substitution {SUBSTITUTION_BOUNDS}",
        ),
        (
            "staging_assumptions",
            "imputed in-force schedules at their 2026 step: KOR_CHN 20 linear "
            "steps from 2015 (60% done), RCEP 20 steps from 2022 (25% done), "
            "all others fully phased in; Japan/US observed rates are the "
            "current step; all in-force steps are frozen after 2026. "
            "Hypothetical agreements start 2027, 10-year linear path given at "
            "2027/2031/2036 (10/50/100%); scenario year 2036",
        ),
        (
            "preference_overlap",
            "several agreements may cover one pair (e.g. KOR-CHN and RCEP): the "
            "lowest preferential rate is meant to apply",
        ),
        (
            "depth_coding",
            depth_info["validation"] + "; CJK = RCEP's coding, CPTPP_KOR and JK_PLUS = "
            "CPTPP's coding, US_JPN assumed (assumptions)",
        ),
        (
            "data_gaps",
            "Korea's, China's (and AUS/CAN/MEX/GBR's) line-level tariff schedules are not in "
            "the shared data: their MFN rates are the WDI import-weighted MFN mean on "
            "products dutiable in Japan or the US (0 elsewhere) and their preferential "
            "schedules are linear staging from that MFN with a sensitive list derived "
            "from Japan's schedule. Product-level flows into KOR, JPN, CHN and the other "
            "non-US importers (and all domestic sales) are not in the data: WIOD 2014 "
            "bilateral sector totals, scaled to 2024 by one factor, are split across HS6 "
            "by the exporter's 2024 US-import product mix (a proxy). WIOD's file lacks "
            "the other 35 WIOD economies (EU etc.): their origin share is given to ROW; "
            "as an importer ROW covers only WIOD's RoW region. No Section 232 content-"
            "based derivatives outside chapters 72/73/76, no lumber/pharma/semiconductor "
            "232, no CAN/MEX IEEPA border duties or USMCA content rules, no Brazil/India "
            "additional IEEPA duties, no Switzerland/EU/UK 2025 auto deals (not in the "
            "shared data)",
        ),
        (
            "uncertain_facts",
            "US-Japan 232 autos 15% from 2025-09-12 (HTS rev.23 date; legal date to "
            "verify); US-Korea floor and 232 autos 15% from 2025-11-15 (HTS rev.32 "
            "date; possibly retroactive to 2025-11-01 - verify); China fentanyl cut "
            "to 10% on 2025-11-10 (tracker shows the HTS change in rev_27 of "
            "2025-10-15); Section 301 list 1-4A start date set to 2020-02-14 (the "
            "date list 4A fell to 7.5%; earlier list dates not in the shared data); "
            "2018 Section 232 start 2018-03-23 and the EU-27 treated as exempt "
            "(TRQ) in the 2018 regime; Section 122 scope approximated by the IEEPA "
            "reciprocal scope and CAN/MEX left out; the EO 14257 Annex I rates "
            "(in force only on 2025-04-09) are not coded as an in-force phase except "
            "for China's 84%, and are used as the no-deal rates of KOR (25%) and "
            "JPN (24%)",
        ),
        ("duties_scope", duty_info["n_recip_scope"]),
        (
            "utilisation",
            "US FTA preference utilisation from Budget Lab MFN exemption shares (HS2 x "
            "partner) for KORUS, AUSFTA, USMCA",
        ),
    ]
    return pd.DataFrame(m, columns=["key", "value"])


# --------------------------------------------------------------------------------------
# Default build
# --------------------------------------------------------------------------------------


def build_default(shared: Path, log=print) -> dict[str, pd.DataFrame]:
    d = Data(shared)
    log("trade ...")
    trade, tinfo, partner_w = build_trade(d)
    log(f"  {len(trade):,} rows, {trade['hs'].nunique():,} HS6")
    log("schedules ...")
    sched, sinfo = build_schedules(d, tinfo, partner_w)
    # diagnostics: import-weighted mean MFN over the (international) trade sheet vs WDI
    intl = trade[trade["exporter"] != trade["importer"]]
    mr = sched["mfn"].set_index(["importer", "hs"])["rate"]
    chk, tot = [], []
    for c in UNIVERSE:
        tc = intl[intl["importer"] == c]
        r = mr.reindex(pd.MultiIndex.from_arrays([tc["importer"], tc["hs"]])).to_numpy()
        ok = ~np.isnan(r)
        wm = float((tc["value"].to_numpy()[ok] * r[ok]).sum() / tc["value"].to_numpy()[ok].sum())
        ref = sinfo["wdi"].get(c)
        chk.append(f"{c} {wm:.4f}" + (f" (WDI {ref:.4f})" if ref is not None else ""))
        tot.append(f"{c} {tc['value'].sum() / 1e6:,.0f}")
    sinfo["weighted_check"] = "; ".join(chk)
    tinfo["import_totals"] = "; ".join(tot)
    log("duties ...")
    scopes = Scopes(d)
    duties, dinfo = build_duties(d, scopes, sinfo["us_mfn"])
    log("depth, elasticities ...")
    depth, depinfo = build_depth(d)
    el, elinfo = build_elasticities(d)
    meta = build_meta(tinfo, sinfo, dinfo, depinfo, elinfo, trade["hs"].nunique())
    top = max(float(sched["mfn"]["rate"].max()), float(sched["preferences"]["rate"].max()),
              float(duties["rate"].max()))
    meta = pd.concat([meta, pd.DataFrame([
        ("max_rate", f"{top:g}"),
        ("max_rate_note", "largest rate in the tables (fraction), declared so validators accept "
                          "real rates above 100%: US out-of-quota MFN on tobacco (350%) and "
                          "peanuts (132-164%), China's reciprocal 125% (2025-04-10..05-13) and "
                          "84%, Section 301 100% (EVs)"),
    ], columns=["key", "value"])], ignore_index=True)
    sheets = {
        "meta": meta,
        "sources": build_sources(tinfo, sinfo, dinfo, depinfo, elinfo),
        "regions": build_regions(d),
        "agreements": build_agreements(),
        "preferences": sched["preferences"],
        "mfn": sched["mfn"],
        "duties": duties,
        "depth": depth,
        "scenarios": build_scenarios(),
        "trade": trade,
        "elasticities": el,
        "sectors": build_sectors(),
        "utilisation": sched["utilisation"],
    }
    return sheets


# --------------------------------------------------------------------------------------
# Synthetic example
# --------------------------------------------------------------------------------------


def _example_applied(mfn, agreements, prefs, util, duties, scen, hs_list, econ) -> pd.DataFrame:
    """Applied rates of the synthetic example under the contract semantics (reference).

    Per scenario: the chain of parents (blank parent = baseline) adds agreements and duty
    measures ('-name' removes). Rate = min over MFN and, for each active agreement covering the
    pair, the utilisation-weighted preference u*pref + (1-u)*MFN, where pref is the row with the
    longest matching HS prefix (exporter-specific before blank) at the latest staging year <= the
    scenario year. Then active duties in sheet order whose start <= date <= end: add = +rate,
    floor = max(rate, current).
    """
    sc = scen.fillna("").set_index("scenario")

    def chain(s: str) -> list[str]:
        out = []
        while s:
            out.append(s)
            p = sc.loc[s, "parent"]
            s = p if p else ("baseline" if s != "baseline" else "")
        return out[::-1]

    def split(v: object) -> list[str]:
        return [x.strip() for x in str(v).split(",") if x.strip()]

    def best(rows: pd.DataFrame, h: str) -> pd.DataFrame:
        for n in (6, 4, 2):
            r = rows[rows["hs"] == h[:n]]
            if len(r):
                return r
        return rows[rows["hs"] == "*"]

    members = {a: set(m.split(",")) for a, m in zip(agreements["agreement"], agreements["members"], strict=True)}
    mfn_r = {(i, h): r for i, h, r in zip(mfn["importer"], mfn["hs"], mfn["rate"], strict=True)}
    out = []
    for s in sc.index:
        year, date = int(sc.loc[s, "year"]), sc.loc[s, "date"]
        agrs: list[str] = []
        meas: list[str] = []
        for c in chain(s):
            agrs += [a for a in split(sc.loc[c, "agreements"]) if a not in agrs]
            for m in split(sc.loc[c, "duties"]):
                if m.startswith("-"):
                    meas = [x for x in meas if x != m[1:]]
                elif m not in meas:
                    meas.append(m)
        for imp in econ:
            for exp in econ:
                if imp == exp:
                    continue
                for h in hs_list:
                    r0 = mfn_r[(imp, h)]
                    r = r0
                    for a in agrs:
                        if not {imp, exp} <= members[a]:
                            continue
                        p = prefs[(prefs["agreement"] == a) & (prefs["importer"] == imp) & (prefs["year"] <= year)]
                        for ex in (exp, ""):
                            q = best(p[p["exporter"] == ex], h)
                            if len(q):
                                pref = float(q.sort_values("year")["rate"].iloc[-1])
                                u = util[(util["agreement"] == a) & (util["importer"].isin([imp, "*"])) & (util["exporter"].isin([exp, "*"]))]
                                uu = float(best(u, h)["share"].iloc[0]) if len(best(u, h)) else 1.0
                                r = min(r, uu * pref + (1 - uu) * r0)
                                break
                    for d in duties.itertuples(index=False):
                        if d.measure not in meas or d.importer != imp or d.exporter not in (exp, "*"):
                            continue
                        if not (d.hs == "*" or h.startswith(d.hs)):
                            continue
                        if d.start > date or (d.end is not None and not pd.isna(d.end) and d.end < date):
                            continue
                        r = r + d.rate if d.mode == "add" else max(r, d.rate)
                    out.append((s, imp, exp, h, round(r, 6)))
    return pd.DataFrame(out, columns=["scenario", "importer", "exporter", "hs", "rate"])


def build_example() -> dict[str, pd.DataFrame]:
    """A small, clearly SYNTHETIC workbook exercising every sheet (round invented numbers)."""
    D = dt.date
    hs = [
        "030389",
        "100630",
        "220300",
        "293100",
        "392690",
        "610910",
        "720839",
        "847130",
        "854232",
        "870323",
    ]
    econ = ["KOR", "JPN", "CHN", "USA"]
    size = {"KOR": 2, "JPN": 3, "CHN": 5, "USA": 6}
    trade = []
    for i, h in enumerate(hs):
        for e in econ:
            for m in econ:
                v = (100 if e == m else 10) * size[e] * (1 + i % 3)
                if e != m and (i + len(e) + len(m)) % 7 == 0:
                    continue  # some zero international cells
                trade.append((e, m, h, float(v), "imputed:synthetic"))
    trade = pd.DataFrame(trade, columns=["exporter", "importer", "hs", "value", "quality"])
    el = pd.DataFrame(
        [
            ("*", "*", -1.25, 1.5, np.inf, "synthetic: SMART defaults, infinite supply"),
            ("*", "USA", -1.0, 2.0, np.nan, "synthetic: country row (blank supply = infinite)"),
            ("85", "*", -1.5, 3.0, 5.0, "synthetic: chapter row"),
            ("854232", "*", -2.0, 5.0, 10.0, "synthetic: HS6 row"),
            ("870323", "KOR", -1.5, 4.0, 2.0, "synthetic: country + HS6 row"),
        ],
        columns=["hs", "country", "import_demand", "substitution", "export_supply", "source"],
    )
    mfn_r = {"KOR": 0.08, "JPN": 0.03, "CHN": 0.06, "USA": 0.025}
    mfn = []
    for m in econ:
        for i, h in enumerate(hs):
            r = 0.0 if h == "854232" else mfn_r[m] * (1 + (i % 3)) if h != "100630" else 0.5
            mfn.append((m, h, round(r, 6), "imputed:synthetic"))
    mfn = pd.DataFrame(mfn, columns=["importer", "hs", "rate", "quality"])
    agreements = pd.DataFrame(
        [
            ("SYN_FTA", "CHN,JPN,KOR", None, "SYNTHETIC hypothetical trilateral FTA", "synthetic"),
            ("SYN_BIL", "KOR,USA", 2012, "SYNTHETIC bilateral FTA in force", "synthetic"),
        ],
        columns=["agreement", "members", "in_force", "description", "source"],
    )
    prefs = []
    for m in ["KOR", "JPN", "CHN"]:
        for h in hs:
            if h == "100630":
                continue  # sensitive: stays at MFN
            base = float(mfn.loc[(mfn.importer == m) & (mfn.hs == h), "rate"].iloc[0])
            if base == 0:
                continue
            for y, f in ((2027, 0.5), (2031, 1.0)):
                prefs.append(
                    ("SYN_FTA", m, h, y, round(base * (1 - f), 6), "", "imputed:synthetic")
                )
    prefs.append(("SYN_BIL", "USA", "*", 2012, 0.0, "KOR", "imputed:synthetic"))
    prefs.append(("SYN_BIL", "KOR", "87", 2012, 0.04, "USA", "imputed:synthetic"))
    prefs.append(("SYN_BIL", "KOR", "870323", 2016, 0.0, "USA", "imputed:synthetic"))
    prefs = pd.DataFrame(
        prefs, columns=["agreement", "importer", "hs", "year", "rate", "exporter", "quality"]
    )
    duties = pd.DataFrame(
        [
            ("syn_add", "USA", "*", "*", 0.10, "add", D(2025, 4, 5), None, "synthetic add-on duty"),
            (
                "syn_steel",
                "USA",
                "*",
                "72",
                0.50,
                "add",
                D(2025, 6, 4),
                None,
                "synthetic sectoral duty",
            ),
            (
                "syn_floor",
                "USA",
                "JPN",
                "*",
                0.15,
                "floor",
                D(2025, 8, 7),
                None,
                "synthetic all-in floor (15% inclusive of MFN)",
            ),
            (
                "syn_chn",
                "USA",
                "CHN",
                "*",
                0.20,
                "add",
                D(2025, 3, 4),
                D(2026, 12, 31),
                "synthetic dated duty",
            ),
        ],
        columns=["measure", "importer", "exporter", "hs", "rate", "mode", "start", "end", "source"],
    )
    depth = []
    for agr, cov in (("SYN_FTA", [2, 2, 1, 0]), ("SYN_BIL", [2, 2, 2, 1])):
        for (area, cat), c in zip(
            [
                ("ftaindustrial", "WTO+"),
                ("sps", "WTO+"),
                ("competitionpolicy", "WTO-X"),
                ("environmentallaws", "WTO-X"),
            ],
            cov,
            strict=True,
        ):
            depth.append((agr, area, cat, c))
    depth = pd.DataFrame(depth, columns=["agreement", "area", "category", "coverage"])
    scen = pd.DataFrame(
        [
            ("baseline", "", 2026, D(2025, 1, 1), "SYN_BIL", "", "SYNTHETIC baseline"),
            (
                "syn_duties",
                "",
                2026,
                D(2026, 1, 1),
                "",
                "syn_add,syn_steel,syn_floor,syn_chn",
                "SYNTHETIC: baseline + all synthetic duties",
            ),
            (
                "syn_fta",
                "syn_duties",
                2031,
                D(2026, 1, 1),
                "SYN_FTA",
                "-syn_chn",
                "SYNTHETIC: parent chain syn_duties -> baseline; adds the FTA, removes one duty",
            ),
        ],
        columns=["scenario", "parent", "year", "date", "agreements", "duties", "description"],
    )
    regions = pd.DataFrame(
        [("SYN", "SYNTHETIC bloc", "CHN,JPN,KOR")], columns=["code", "name", "members"]
    )
    meta = pd.DataFrame(
        [
            (
                "title",
                "SYNTHETIC example workbook for fta-compare (invented round numbers, not data)",
            ),
            ("synthetic", "yes"),
            ("currency_unit", "US$ thousand"),
            ("base_year", "2024"),
            ("hs_revision", "HS2022"),
            ("focus", "KOR"),
            ("baseline_date", "2025-01-01"),
            ("baseline_year", "2026"),
            ("depth_beta", "0.76"),
            ("depth_beta_source", "synthetic placeholder (see default.xlsx for the cited value)"),
            ("depth_sigma", "6"),
        ],
        columns=["key", "value"],
    )
    sources = pd.DataFrame(
        [
            (t, "*", "SYNTHETIC: invented for tests and documentation", "none")
            for t in [
                "trade",
                "elasticities",
                "applied",
                "mfn",
                "agreements",
                "preferences",
                "duties",
                "depth",
                "scenarios",
                "regions",
                "meta",
                "sectors",
                "utilisation",
            ]
        ],
        columns=["table", "column", "source", "transformation"],
    )
    sectors = pd.DataFrame(
        [
            ("85", "section_16_machinery", "synthetic"),
            ("84", "section_16_machinery", "synthetic"),
            ("854232", "semiconductors", "synthetic"),
            ("8703", "autos_and_parts", "synthetic"),
            ("72", "steel_aluminium", "synthetic"),
        ],
        columns=["hs", "sector", "source"],
    )
    util = pd.DataFrame(
        [("SYN_BIL", "USA", "KOR", "*", 0.8, "synthetic")],
        columns=["agreement", "importer", "exporter", "hs", "share", "source"],
    )
    applied = _example_applied(mfn, agreements, prefs, util, duties, scen, hs, econ)
    return {
        "meta": meta,
        "sources": sources,
        "regions": regions,
        "agreements": agreements,
        "preferences": prefs,
        "mfn": mfn,
        "duties": duties,
        "depth": depth,
        "scenarios": scen,
        "applied": applied,
        "trade": trade,
        "elasticities": el,
        "sectors": sectors,
        "utilisation": util,
    }


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------
MAX_ROWS_SINGLE = 400_000
TRADE_SHEETS = ("trade",)


def write_default(sheets: dict[str, pd.DataFrame], out: Path, log=print) -> list[Path]:
    """default.xlsx, or default_schedules.xlsx + default_trade.xlsx if a sheet is too large."""
    too_big = any(len(df) > MAX_ROWS_SINGLE for df in sheets.values())
    total_cells = sum(df.size for df in sheets.values())
    if too_big or total_cells > 3_500_000:
        a = {k: v for k, v in sheets.items() if k not in TRADE_SHEETS}
        b = {k: v for k, v in sheets.items() if k in TRADE_SHEETS}
        paths = [out / "default_schedules.xlsx", out / "default_trade.xlsx"]
        write_workbook(paths[0], a)
        write_workbook(paths[1], b)
        for p in [out / "default.xlsx"]:
            if p.exists():
                p.unlink()
    else:
        paths = [out / "default.xlsx"]
        write_workbook(paths[0], sheets)
        for p in [out / "default_schedules.xlsx", out / "default_trade.xlsx"]:
            if p.exists():
                p.unlink()
    for p in paths:
        log(f"wrote {p} ({p.stat().st_size / 1e6:.1f} MB)")
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="shared data folder (default: <repo>/../shared/data)",
    )
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: tariff_tables)")
    ap.add_argument(
        "--sectors-csv",
        type=Path,
        default=None,
        help="where to write sectors.csv (default: src/fta_compare/data/sectors.csv "
        "when --out is the default, else <out>/sectors.csv)",
    )
    ap.add_argument(
        "--example-only",
        action="store_true",
        help="only write example_synthetic.xlsx (needs no shared data)",
    )
    ap.add_argument("--no-example", action="store_true", help="do not write example_synthetic.xlsx")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    log = (lambda *a, **k: None) if args.quiet else print
    out = args.out if args.out is not None else DEFAULT_OUT
    sectors_csv = args.sectors_csv or (
        DEFAULT_SECTORS_CSV if args.out is None else out / "sectors.csv"
    )
    out.mkdir(parents=True, exist_ok=True)
    if not args.no_example:
        write_workbook(out / "example_synthetic.xlsx", build_example())
        log(f"wrote {out / 'example_synthetic.xlsx'}")
    if args.example_only:
        return 0
    if not args.shared.is_dir():
        print(f"error: shared data folder not found: {args.shared}", file=sys.stderr)
        return 1
    sheets = build_default(args.shared, log=log)
    write_default(sheets, out, log=log)
    sectors_csv.parent.mkdir(parents=True, exist_ok=True)
    sheets["sectors"].to_csv(sectors_csv, index=False, lineterminator="\n")
    log(f"wrote {sectors_csv}")
    for k, v in sheets.items():
        log(f"  {k}: {len(v):,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
