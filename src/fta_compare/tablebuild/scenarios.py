# ruff: noqa: E501  (long citation strings are kept on one line for grep-ability)
"""The ``agreements``, ``scenarios`` and ``regions`` sheets: definitions of this build.

No shared data file except for ``regions``: agreement membership and entry-into-force years come
from the agreement texts (DESTA / DTA 2.0 lists, cited per row in ``source``); the hypothetical
agreements (``CJK``, ``CPTPP_KOR``, ``JK_PLUS``, blank ``in_force``) and all scenarios are
assumptions of this build, described in each row. ``regions``: the ROW members are the ISO3 codes
of the US trade partners (US Census, ``trade_flows/us_imports_2024_hs6_by_country.csv``, column
``iso3``) outside the named economies. No quality labels (definitions, not data).

Adding an economy or an agreement: extend :data:`AGREEMENTS` (members as ISO3; a member outside
the universe simply stays inside ROW) and the in-force importer sides in
``schedules.IMPUTED_INFORCE``; a new scenario is one row in :func:`build_scenarios`.
"""

from __future__ import annotations

import pandas as pd

from .universe import (
    BASELINE_DATE,
    BASELINE_YEAR,
    CPTPP_MEMBERS,
    DEAL_DATE,
    HYPO_FULL_YEAR,
    NAMED,
    POST_RULING_DATE,
    RCEP_MEMBERS,
)

Agreement = tuple[str, list[str], int | None, str, str]
"""(code, members ISO3, year in force or None = hypothetical, description, source)."""

AGREEMENTS: list[Agreement] = [
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
IN_FORCE: list[str] = [a[0] for a in AGREEMENTS if a[2] is not None]
MEMBERS: dict[str, list[str]] = {a[0]: a[1] for a in AGREEMENTS}


US_2025_MEASURES: list[str] = [
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
BASELINE_MEASURES: list[str] = ["s301_chn_lists", "s301_chn_2024_review", "s232_steel_alu_2018"]


def build_scenarios() -> pd.DataFrame:
    """The ``scenarios`` sheet: year = staging step of the agreements, date = duties in force."""
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
    return pd.DataFrame(
        rows, columns=["scenario", "parent", "year", "date", "agreements", "duties", "description"]
    )


def build_agreements() -> pd.DataFrame:
    """The ``agreements`` sheet (members sorted, comma-separated)."""
    rows = [(a, ",".join(sorted(m)), y, desc, src) for a, m, y, desc, src in AGREEMENTS]
    return pd.DataFrame(rows, columns=["agreement", "members", "in_force", "description", "source"])


def build_regions(us_imports: pd.DataFrame) -> pd.DataFrame:
    """The ``regions`` sheet: ROW and its members (US Census partners outside the named)."""
    us = us_imports
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
