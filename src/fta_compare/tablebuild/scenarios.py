# ruff: noqa: E501  (long citation strings are kept on one line for grep-ability)
"""The ``agreements``, ``scenarios`` and ``regions`` sheets: definitions of this build.

No shared data file except for ``regions``: the agreements are defined in ``agreements.py``
(membership and entry into force from DESTA / DTA 2.0, cited per row); the hypothetical
agreements (blank ``in_force``) and all scenarios are assumptions of this build, described in
each row. ``regions``: ``EUN`` = the EU27; ROW = the ISO3 codes of the US trade partners (US
Census, ``trade_flows/us_imports_2024_hs6_by_country.csv``, column ``iso3``) outside the named
economies and the EU. No quality labels (definitions, not data).

Adding an agreement: one entry in ``agreements.AGREEMENTS`` (its imputed sides follow from it);
a new scenario is one row in :func:`build_scenarios`.
"""

from __future__ import annotations

import pandas as pd

from .agreements import AGREEMENTS
from .universe import (
    BASELINE_DATE,
    BASELINE_YEAR,
    DEAL_DATE,
    EU27,
    HYPO_FULL_YEAR,
    NAMED,
    POST_RULING_DATE,
    WINDOW_DATE,
)
from .us_actions import EXPORTERS, USMCA_PARTNERS

IN_FORCE: list[str] = [a.code for a in AGREEMENTS if a.in_force is not None]


US_2025_MEASURES: list[str] = [
    "ieepa_fentanyl_CHN",
    *[f"ieepa_recip_{c}" for c in EXPORTERS if c not in USMCA_PARTNERS],
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
            "step (Japan FY2026 schedule; US HTS 2025; every other member's schedule imputed at its "
            "2026 step, frozen thereafter) and the US duties in force on 2025-01-01: Section 301 on "
            "China (lists 1-4A and the 2024 review increases) and the 2018 Section 232 steel/"
            "aluminium regime (partners without quota, TRQ or exemption).",
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
            "kor_chn_cptpp",
            "",
            HYPO_FULL_YEAR,
            BASELINE_DATE,
            "CPTPP_KOR_CHN",
            "",
            "Baseline + Korea AND China accede to the CPTPP (China assumed to satisfy the "
            "framework's conditions: SOE, subsidy, data and labour disciplines), 10th year (2036): "
            "members extend their CPTPP schedules to both; KOR and CHN each eliminate tariffs on "
            "every other member, each other included, except Japan's CPTPP exclusions and rice. "
            "Assumption; sources: agreements sheet.",
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
            "jk_plus_eu",
            "",
            HYPO_FULL_YEAR,
            BASELINE_DATE,
            "JK_PLUS_EU",
            "",
            "Baseline + the Japan-Korea partnership opened to the EU (Germany and France as core "
            "partners; the EU bloc EUN) at CPTPP depth, 10th year (2036): Japan's CPTPP rates to KOR "
            "and the EU; KOR and the EU eliminate tariffs on the other members except Japan's CPTPP "
            "exclusions (and rice); EU-Japan EPA and EU-Korea FTA preferences stay where lower. "
            "Depth channel: CPTPP coding. Assumption; sources: agreements sheet.",
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
            "us_deal_jpn_only",
            "",
            BASELINE_YEAR,
            WINDOW_DATE,
            "",
            ",".join(US_2025_MEASURES),
            "The July-November 2025 window: the US-Japan deal in force (EO 14345, 2025-09-04: 15% "
            "all-in floor from 2025-08-07; Section 232 autos/parts 15% all-in from 2025-09-12) while "
            "Korea still faced the announced Section 232 auto tariff of 25% and the EO 14326 "
            "reciprocal 15% on top of KORUS rates (the US-Korea deal took effect 2025-11-15). Date "
            "2025-10-01, all 2025 US measures as in force on that date "
            "(us_tariff_actions_2025/us_tariff_events_2025.csv events 10-12, 15).",
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
    rows = [(a.code, ",".join(a.members), a.in_force, a.description, a.source)
            for a in sorted(AGREEMENTS, key=lambda a: a.code)]
    return pd.DataFrame(rows, columns=["agreement", "members", "in_force", "description", "source"])


def build_regions(us_imports: pd.DataFrame) -> pd.DataFrame:
    """The ``regions`` sheet: the EU bloc and ROW (US Census partners outside the named)."""
    us = us_imports
    mem = sorted(set(us["iso3"].dropna()) - set(NAMED) - set(EU27) - {"USA"})
    return pd.DataFrame(
        [
            (
                "EUN",
                "European Union (27 members; intra-EU trade is EUN->EUN, untaxed)",
                ",".join(sorted(EU27)),
            ),
            (
                "ROW",
                "Rest of the world: every economy not listed separately (incl. BRN, PHL, KHM, "
                "LAO, MMR, BRA, CHE, NOR, RUS, TUR...)",
                ",".join(mem),
            ),
        ],
        columns=["code", "name", "members"],
    )
