# ruff: noqa: E501  (long citation strings are kept on one line for grep-ability)
"""The ``sectors`` sheet (and ``src/fta_compare/data/sectors.csv``): HS prefix -> sector.

No shared data file: the 21 sections of the WCO Harmonized System 2022 nomenclature (chapters ->
section, chapter 77 reserved) plus seven strategic sectors defined by HS prefixes taken from the
public lists cited in each row (USTR Section 301 review 2024, Section 232 proclamations, APEC
environmental goods, USGS / EU critical minerals, IEA). Columns ``hs, sector, source``; a product
may be in several sectors. No quality label (classification, not data).
"""

from __future__ import annotations

import pandas as pd

SECTIONS: list[tuple[int, int, str]] = [  # (first chapter, last chapter, sector name)
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

STRATEGIC: list[tuple[str, list[str], str]] = [  # (sector, HS prefixes, source)
    (
        "semiconductors",
        "8541 8542 848620 848610 848640 848690 381800 280461".split(),
        "USTR Section 301 four-year review (2024): semiconductors HTS 8541/8542, polysilicon 2804.61, "
        "wafers 3818 (HTS 9903.91.05; Budget Lab s301 list 'biden_50_jan25'); SEMI equipment HS 8486 "
        "(US CHIPS Act scope, export-control lists)",
    ),
    (
        "batteries",
        "850650 850760 850780 850790 282520 283691 250410".split(),
        "USTR Section 301 four-year review (2024): lithium-ion batteries 8507.60 and parts 8507.90, "
        "natural graphite 2504 (HTS 9903.91.01/.06); IEA Global EV Outlook battery supply chain "
        "(lithium hydroxide 2825.20, lithium carbonate 2836.91)",
    ),
    (
        "autos_and_parts",
        (
            "8702 8703 8704 8706 8707 8708 840731 840732 840733 840734 840820 401110 401120 "
            "700711 700721 851220 851230 851240 854430 940120 830230"
        ).split(),
        "US Section 232 autos and auto parts, Proclamation 10908 (2025) and its Annex I (approximated "
        "at HS6), and Proclamation 10984 (buses 8702)",
    ),
    (
        "hydrogen_clean_energy",
        "280410 850231 854142 854143 854330 841182 850300 841861 850440".split(),
        "APEC List of Environmental Goods (2012: wind turbines 8502.31, PV 8541.40 -> HS2022 "
        "8541.42/43, gas turbines 8411.82, generator parts 8503); hydrogen 2804.10 and electrolysers "
        "8543.30 (IEA Global Hydrogen Review); heat pumps 8418.61 (IEA); inverters 8504.40; USTR 301 "
        "review solar cells (HTS 9903.91.02)",
    ),
    (
        "critical_minerals",
        (
            "2602 2604 2605 2606 2608 2610 2611 2615 2617 2504 2825 2846 280530 283691 7502 8101 "
            "8105 8108 8110 8112 284180 284990"
        ).split(),
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


def section_of(hs: str) -> str:
    """HS section sector name of an HS code (from its 2-digit chapter)."""
    ch = int(hs[:2])
    for a, b, name in SECTIONS:
        if a <= ch <= b:
            return name
    return "section_unknown"


def build_sectors() -> pd.DataFrame:
    """The ``sectors`` sheet: chapter rows per HS section, then strategic prefix rows; sorted."""
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
