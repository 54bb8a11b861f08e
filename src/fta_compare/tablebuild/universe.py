"""Economies of the default tables and the build's key parameters (documented in ``meta``).

No data source is read here. Years are calendar years, dates are inclusive, rates are fractions,
values US$ thousand.

The universe: every economy a default scenario names, as far as a flow source separates it.

* ``WIOD_NAMED``: economies of the 44-economy WIOD 2014 tables (``wiod_cp.py``); the EU is one
  bloc ``EUN`` (the 27 current members, declared in ``regions``; intra-EU trade is EUN->EUN);
  BRA, CHE, NOR, RUS and TUR are folded into ``ROW``;
* ``SPLIT``: economies inside WIOD's RoW region that this build splits out of it with observed
  partner shares (US imports by partner, Japan's trade by partner; ``wiod.py``): the CPTPP
  members with material trade (VNM, MYS, SGP, CHL, PER, NZL) and Thailand (RCEP, AKFTA; Japan's
  and Korea's second ASEAN market). BRN, PHL, KHM, LAO, MMR stay inside ``ROW`` (ROW is not a
  member of any agreement, so their RCEP/ASEAN preferences are not captured);
* ``ROW``: everything else.

Adding an economy: put it in ``SPLIT`` (if it is inside WIOD's RoW and has a Japan Customs area,
``jp_customs.AREAS``) or ``WIOD_NAMED``; every module loops over these lists.
"""

from __future__ import annotations

import datetime as dt

EU27: list[str] = [
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
]  # fmt: skip
WIOD_NAMED: list[str] = [
    "KOR", "JPN", "CHN", "USA", "EUN", "GBR", "AUS", "CAN", "MEX", "TWN", "IND", "IDN",
]  # fmt: skip
WIOD_TO_ROW: list[str] = ["BRA", "CHE", "NOR", "RUS", "TUR"]  # WIOD countries folded into ROW
SPLIT: list[str] = ["VNM", "MYS", "SGP", "THA", "CHL", "PER", "NZL"]
NAMED: list[str] = WIOD_NAMED + SPLIT
UNIVERSE: list[str] = [*NAMED, "ROW"]
OBSERVED_SCHEDULES: list[str] = ["JPN", "USA"]  # line-level schedules in the shared data
IMPUTED_MFN_IMPORTERS: list[str] = [c for c in UNIVERSE if c not in OBSERVED_SCHEDULES]
WIOD_NAMED_EXPORTERS_TO_US: list[str] = [c for c in WIOD_NAMED if c != "USA"]
CPTPP_MEMBERS: list[str] = [
    "AUS", "BRN", "CAN", "CHL", "GBR", "JPN", "MEX", "MYS", "NZL", "PER", "SGP", "VNM",
]  # fmt: skip
RCEP_MEMBERS: list[str] = [
    "AUS", "BRN", "CHN", "IDN", "JPN", "KHM", "KOR", "LAO", "MMR", "MYS", "NZL", "PHL", "SGP",
    "THA", "VNM",
]  # fmt: skip
ASEAN: list[str] = ["BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM"]


def pe_code(iso3: str) -> str:
    """Economy of this build for an ISO3 code (EU27 -> EUN, named -> itself, else ROW)."""
    if iso3 in EU27:
        return "EUN"
    return iso3 if iso3 in NAMED else "ROW"


BASE_YEAR = 2024  # year of the observed trade (US Census 2024)
BASELINE_YEAR = 2026  # staging step of the baseline (Japan FY2026 schedule)
BASELINE_DATE = dt.date(2025, 1, 1)  # US duties in force before the 2025 actions
DEAL_DATE = dt.date(2026, 1, 1)  # the 2025 deal regime
POST_RULING_DATE = dt.date(2026, 3, 1)
WINDOW_DATE = dt.date(2025, 10, 1)  # US-Japan deal in force (autos 15% from 09-12), Korea not
HYPO_START = 2027  # first year of the hypothetical agreements
HYPO_STEPS: dict[int, float] = {2027: 0.1, 2031: 0.5, 2036: 1.0}  # share of the tariff removed
HYPO_FULL_YEAR = 2036  # 10th year of the linear path = scenario year
TRADE_THRESHOLD = 1.0  # US$ thousand: observed trade cells below are dropped
IMPUTED_THRESHOLD = 10.0  # US$ thousand: imputed (sector-split) cells below are dropped
EXPORT_SUPPLY_DEFAULT = 5.0
IMPORT_DEMAND_BOUNDS = (-5.0, -0.1)
SUBSTITUTION_BOUNDS = (0.5, 15.0)
SMART_IMPORT_DEMAND, SMART_SUBSTITUTION = -1.25, 1.5
DEPTH_BETA = 0.76

IEEPA_END = dt.date(2026, 2, 23)  # CBP stopped collecting IEEPA duties on 2026-02-24
S122_START, S122_END = dt.date(2026, 2, 24), dt.date(2026, 7, 23)

