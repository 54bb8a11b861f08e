"""Economies of the default tables and the build's key parameters (documented in ``meta``).

No data source is read here. The universe is the nine economies of the WIOD sector flows
(``bilateral_sector_flows/``): eight named economies plus ``ROW``. Years are calendar years,
dates are inclusive, rates are fractions, values US$ thousand.

Widening the world: add the ISO3 code to ``UNIVERSE`` (and to ``NAMED`` through it) once a flow
source covers it; every module loops over these lists, so sheets pick up the new economy, while
the source modules decide whether its rows are observed or imputed.
"""

from __future__ import annotations

import datetime as dt

UNIVERSE: list[str] = ["KOR", "JPN", "CHN", "USA", "AUS", "CAN", "MEX", "GBR", "ROW"]
NAMED: list[str] = [c for c in UNIVERSE if c != "ROW"]
WIOD_NAMED_EXPORTERS_TO_US: list[str] = ["AUS", "CAN", "CHN", "GBR", "JPN", "KOR", "MEX"]
IMPUTED_MFN_IMPORTERS: list[str] = ["KOR", "CHN", "AUS", "CAN", "MEX", "GBR", "ROW"]
EU27: list[str] = [
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
]  # fmt: skip
CPTPP_MEMBERS: list[str] = [
    "AUS", "BRN", "CAN", "CHL", "GBR", "JPN", "MEX", "MYS", "NZL", "PER", "SGP", "VNM",
]  # fmt: skip
RCEP_MEMBERS: list[str] = [
    "AUS", "BRN", "CHN", "IDN", "JPN", "KHM", "KOR", "LAO", "MMR", "MYS", "NZL", "PHL", "SGP",
    "THA", "VNM",
]  # fmt: skip

BASE_YEAR = 2024  # year of the observed trade (US Census 2024)
BASELINE_YEAR = 2026  # staging step of the baseline (Japan FY2026 schedule)
BASELINE_DATE = dt.date(2025, 1, 1)  # US duties in force before the 2025 actions
DEAL_DATE = dt.date(2026, 1, 1)  # the 2025 deal regime
POST_RULING_DATE = dt.date(2026, 3, 1)
HYPO_START = 2027  # first year of the hypothetical agreements
HYPO_STEPS: dict[int, float] = {2027: 0.1, 2031: 0.5, 2036: 1.0}  # share of the tariff removed
HYPO_FULL_YEAR = 2036  # 10th year of the linear path = scenario year
TRADE_THRESHOLD = 1.0  # US$ thousand: trade cells below are dropped
EXPORT_SUPPLY_DEFAULT = 5.0
IMPORT_DEMAND_BOUNDS = (-5.0, -0.1)
SUBSTITUTION_BOUNDS = (0.5, 15.0)
SMART_IMPORT_DEMAND, SMART_SUBSTITUTION = -1.25, 1.5
DEPTH_BETA = 0.76

IEEPA_END = dt.date(2026, 2, 23)  # CBP stopped collecting IEEPA duties on 2026-02-24
S122_START, S122_END = dt.date(2026, 2, 24), dt.date(2026, 7, 23)

# Staging of the IMPUTED side of agreements in force: agreement -> (first year of cuts, number of
# annual linear steps); every other in-force agreement is treated as fully phased in by 2026.
INFORCE_STAGING: dict[str, tuple[int, int]] = {
    "KOR_CHN": (2015, 20),
    "RCEP": (2022, 20),
}
