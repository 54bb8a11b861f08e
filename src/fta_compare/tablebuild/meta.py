"""The ``meta`` sheet: settings, assumptions, data gaps, uncertain dates and diagnostics.

No data file: key/value rows from the constants of ``universe.py``, the notes the builders
return (trade value shares, scale factor, excluded HS6, sensitive lists, depth validation...)
and ``max_rate``, the largest rate of the tables (fraction) so validators accept real rates
above 100%. Everything stated here is also explained in ``tariff_tables/README.md``.
"""

from __future__ import annotations

import pandas as pd

from .helpers import Info
from .universe import (
    BASE_YEAR,
    BASELINE_DATE,
    BASELINE_YEAR,
    DEPTH_BETA,
    EXPORT_SUPPLY_DEFAULT,
    IMPORT_DEMAND_BOUNDS,
    IMPUTED_MFN_IMPORTERS,
    SUBSTITUTION_BOUNDS,
    UNIVERSE,
)


def build_meta(
    trade_info: Info,
    sched_info: Info,
    duty_info: Info,
    depth_info: Info,
    n_products: int,
    max_rate: float,
) -> pd.DataFrame:
    """Rows ``key, value`` (text); ``n_products``: HS6 in trade; ``max_rate``: largest rate."""
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
            "; ".join(f"{c} {wdi[c]:.4f}" for c in IMPUTED_MFN_IMPORTERS),
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
        ("max_rate", f"{max_rate:g}"),
        (
            "max_rate_note",
            "largest rate in the tables (fraction), declared so validators accept "
            "real rates above 100%: US out-of-quota MFN on tobacco (350%) and "
            "peanuts (132-164%), China's reciprocal 125% (2025-04-10..05-13) and "
            "84%, Section 301 100% (EVs)",
        ),
    ]
    return pd.DataFrame(m, columns=["key", "value"])
