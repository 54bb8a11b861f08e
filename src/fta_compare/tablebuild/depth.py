"""The ``depth`` sheet: policy-area coverage of each agreement (World Bank deep-trade data).

Sources (shared ``wb_deep_trade_agreements/``):

* ``dta_horizontal_depth_by_agreement.csv`` (Hofmann, Osnago & Ruta 2017, "HOR"): column
  ``agreement`` and, per WTO+/WTO-X area, ``<area>`` (covered 0/1) and ``<area>_le`` (legal
  enforceability, 2 = enforceable); used for the agreements of :data:`HOR_NAMES`;
* ``dta_toolkit_area_depth_and_clusters_by_agreement.csv`` (DTA 2.0 toolkit, Fontagné, Rocha,
  Ruta & Santoni 2023): column ``id_agree`` and the area scores ``depth_<area>``; used for the
  agreements of :data:`DTA_IDS` (not coded by HOR: CPTPP, RCEP, KOR_CHN...).

Transformation: 21 areas shared by both sources (:data:`DEPTH_AREAS`); HOR coverage = 0 if not
covered, 2 if legally enforceable, else 1; DTA 2.0 coverage = 0 if the score is 0, 2 if >= the
median of the positive scores of that area over all toolkit agreements, else 1; the FTA tariff
areas = 2. Hypothetical agreements, US_JPN and the agreements after the toolkit's coverage
(:data:`ASSUMED`) get assumed codings (``info["source"]`` =
``assumption``); the DTA rule is validated against HOR on :data:`DTA_CHECK_IDS`. No quality
column in this sheet: the coding source per agreement is in ``sources`` and ``meta``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .helpers import Info, read_csv

DIR = "wb_deep_trade_agreements/"


@dataclass(frozen=True)
class DepthData:
    """The HOR (by agreement name) and DTA 2.0 (by ``id_agree``) tables, as read."""

    hor: pd.DataFrame
    dta: pd.DataFrame


def load(shared: Path) -> DepthData:
    """Read the two World Bank deep-trade-agreement tables."""
    return DepthData(
        hor=read_csv(shared, DIR + "dta_horizontal_depth_by_agreement.csv"),
        dta=read_csv(shared, DIR + "dta_toolkit_area_depth_and_clusters_by_agreement.csv"),
    )


DEPTH_AREAS: list[
    tuple[str, str, str | None]
] = [  # (HOR area column, category, DTA 2.0 area column or None for FTA tariff areas)
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
HOR_NAMES: dict[str, str] = {  # agreement -> HOR agreement name
    "KORUS": "Korea, Republic of - US",
    "JPN_AUS": "Japan - Australia",
    "JPN_MEX": "Japan-Mexico",
    "KOR_AUS": "Korea, Republic of - Australia",
    "KOR_CAN": "Canada - Rep. of Korea",
    "AUS_USA": "US-Australia",
}
DTA_IDS: dict[str, int] = {  # agreement -> DTA 2.0 id_agree
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
    "KOR_EU": 195, "JPN_EU": 284, "KOR_CHL": 88, "KOR_PER": 197, "KOR_NZL": 266,
    "KOR_SGP": 110, "KOR_VNM": 271, "KOR_ASEAN": 279, "KOR_IND": 280, "CHN_ASEAN": 106,
    "CHN_CHL": 125, "CHN_PER": 179, "CHN_NZL": 165, "CHN_SGP": 162, "JPN_ASEAN": 175,
    "JPN_SGP": 75, "JPN_MYS": 113, "JPN_THA": 131, "JPN_IDN": 139, "JPN_VNM": 174,
    "JPN_CHL": 129, "JPN_PER": 209, "JPN_IND": 199, "US_CHL": 82, "US_PER": 160, "US_SGP": 83,
    "EU_MEX": 52, "EU_CAN": 286, "EU_SGP": 287, "EU_VNM": 288, "EU_CHL": 87, "EU_PER": 229,
    "EU_GBR": 285, "GBR_NZL": 400, "GBR_SGP": 383, "GBR_VNM": 385, "GBR_CHL": 357,
    "GBR_PER": 354, "AUS_NZL": 16, "AANZFTA": 183, "AIFTA": 187, "ASEAN_FTA": 295,
    "AUS_SGP": 81, "AUS_THA": 99, "AUS_MYS": 237, "AUS_CHL": 163, "AUS_IND": 398,
    "AUS_IDN": 324, "NZL_SGP": 69, "NZL_THA": 107, "NZL_MYS": 206, "IND_SGP": 123,
    "IND_MYS": 198, "CAN_CHL": 37, "CAN_PER": 169, "CHL_MYS": 227, "CHL_THA": 330,
    "CHL_VNM": 262, "PER_SGP": 168, "TWN_SGP": 247, "TWN_NZL": 244, "PACIFIC_ALLIANCE": 278,
}  # fmt: skip
ASSUMED: dict[str, str] = {  # agreement -> agreement whose coding it takes (assumption)
    "CJK": "RCEP", "CPTPP_KOR": "CPTPP", "CPTPP_KOR_CHN": "CPTPP", "JK_PLUS": "CPTPP",
    "JK_PLUS_EU": "CPTPP", "KOR_IDN": "KOR_ASEAN", "EU_NZL": "JPN_EU", "PER_THA": "AUS_THA",
}  # fmt: skip
DTA_CHECK_IDS: dict[str, int] = {  # coded in both: validation of the DTA rule
    "KORUS": 211,
    "JPN_AUS": 259,
    "JPN_MEX": 101,
    "KOR_AUS": 256,
    "KOR_CAN": 260,
    "AUS_USA": 98,
}


def build_depth(data: DepthData) -> tuple[pd.DataFrame, Info]:
    """(``depth`` rows ``agreement, area, category, coverage`` [0/1/2], notes)."""
    hor = data.hor.set_index("agreement")
    dta = data.dta.set_index("id_agree")
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
        out: dict[str, int] = {}
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
    for agr, like in ASSUMED.items():
        codes[agr] = (codes[like][0], "assumption")
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
