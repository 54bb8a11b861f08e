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
    SPLIT,
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
    ge_info: Info,
) -> pd.DataFrame:
    """Rows ``key, value`` (text); ``n_products``: HS6 in trade; ``max_rate``: largest rate."""
    ck = sched_info["checks"]
    checks = "; ".join(
        f"{c}: simple {r.simple:.4f} (ag {r.simple_ag:.4f}, non-ag {r.simple_nonag:.4f}), "
        f"import-weighted {r.weighted:.4f}, WIOD 2014 {r.wiod_2014:.4f}, WDI "
        f"{r.wdi_2014:.4f} ({r.wdi_2014_year:.0f}) / {r.wdi_latest:.4f} ({r.wdi_latest_year:.0f})"
        for c, r in ck.iterrows())
    ori = sched_info["orientation"]
    orient = "; ".join(f"{c} {r.settled:.4f} vs {r.kite:.4f} (WDI {r.wdi_2014:.4f})"
                       for c, r in ori.iterrows())
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
            ",".join(UNIVERSE) + ": the WIOD 2014 economies (EU27 as the bloc EUN) and "
            + ", ".join(SPLIT) + " split out of WIOD's RoW region with observed partner shares; "
            "BRN, PHL, KHM, LAO, MMR (and every other economy) stay inside ROW, which is not a "
            "member of any agreement",
        ),
        ("trade_products", f"{n_products} HS6 products in trade"),
        ("trade_value_shares", trade_info["value_shares"] + " (all cells incl. domestic)"),
        ("trade_value_shares_international", trade_info["value_shares_international"]),
        ("trade_value_shares_into_KOR", trade_info["value_shares_into_KOR"]),
        ("trade_value_shares_into_JPN", trade_info["value_shares_into_JPN"]),
        ("trade_value_shares_into_CHN", trade_info["value_shares_into_CHN"]),
        ("trade_threshold", trade_info["trade_threshold"]),
        ("wiod_scale_factor", trade_info["wiod_scale_factor"]),
        ("wiod_jpn_domestic_factor", trade_info["wiod_jpn_domestic_factor"]),
        ("wiod_row_split_exporter_shares", trade_info["row_split_exporter"]),
        ("wiod_row_split_importer_shares", trade_info["row_split_importer"]),
        ("jpn_customs_yen_per_usd", f"{trade_info['jpn_yen_per_usd']:.4f} (mirror-implied: "
         "Japan's 2024 exports to the USA in yen / US Census 2024 imports from Japan in US$)"),
        ("wiod_tariff_orientation", "tariff.csv row (origin=a, destination=b) = 1 + the tariff "
         "a imposes on goods from b (a = importer), transposed against the KITE code. "
         "Importer-side import-weighted means, settled reading vs KITE's (WDI applied, year "
         "nearest 2014): " + orient),
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
            "mfn_checks",
            checks + " - simple means over the HS 2022 subheadings with a row; import-weighted "
            "over the trade sheet's international cells; WIOD 2014 = the sector MFN weighted by "
            "2014 imports; WDI = TM.TAX.MRCH.WM.FN.ZS (2014 and latest)",
        ),
        (
            "trade_import_totals_usd_bn",
            trade_info["import_totals"]
            + " (international imports by importer, US$ bn, 2024 terms)",
        ),
        (
            "mfn_sector_rates_wiod2014",
            "; ".join(f"{c}: " + ", ".join(f"{k} {v:.3f}" for k, v in
                                           sched_info["sector_mfn"][c].items())
                      for c in IMPUTED_MFN_IMPORTERS),
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
            "imputed in-force schedules at their 2026 step: KOR_CHN 20 linear steps from 2015 "
            "(60% done), RCEP 20 steps from 2022 (25% done), UK continuity agreements staged "
            "like the EU originals, other agreements in force from 2019 on 10 steps from the "
            "year in force, older ones fully phased in; Japan/US observed rates are the current "
            "step; all in-force steps are frozen after 2026. Hypothetical agreements start "
            "2027, 10-year linear path given at 2027/2031/2036 (10/50/100%, the tool evaluates "
            "each step as a time path); scenario year 2036",
        ),
        (
            "preference_overlap",
            "several agreements may cover one pair (e.g. KOR-CHN and RCEP): the "
            "lowest preferential rate is meant to apply",
        ),
        (
            "depth_coding",
            depth_info["validation"] + "; CJK = RCEP's coding, CPTPP_KOR, CPTPP_KOR_CHN, "
            "JK_PLUS and JK_PLUS_EU = CPTPP's coding, KOR_IDN = KOR_ASEAN's, EU_NZL = "
            "JPN_EU's, PER_THA = AUS_THA's, US_JPN assumed (assumptions)",
        ),
        (
            "data_gaps",
            "Line-level tariff schedules of every importer but JPN and USA are not in the "
            "shared data: their MFN rates are WIOD 2014 sector rates (levels of 2014: China's "
            "2015-2019 unilateral MFN cuts, e.g. cars 25% -> 15% in 2018, are in the sector "
            "level only as far as the line structure moves them) spread over HS6 by the "
            "observed JPN/US line structure, and their preferential schedules are staged from "
            "that MFN with a sensitive list derived from Japan's schedule. Product-level flows "
            "into every importer but USA and JPN (and all domestic sales) are WIOD 2014 sector "
            "flows scaled to 2024 by one factor and split across HS6 by the exporter's 2024 "
            "US-import product mix (a proxy); Japan's flows are observed by commodity group "
            "only; the economies split out of WIOD's RoW have no domestic cells and no trade "
            "with each other (inside ROW->ROW). No Section 232 content-based derivatives "
            "outside chapters 72/73/76, no lumber/pharma/semiconductor 232, no CAN/MEX IEEPA "
            "border duties or USMCA content rules, no Brazil/India additional IEEPA duties, no "
            "Switzerland/EU/UK 2025 auto deals (EU autos stay at 25% in us_deal; not in the "
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
        ("ge_tables", "default_ge.xlsx: WIOD 2014, 44 economies x 50 sectors, US$ thousand; "
         + "; ".join(ge_info[k] for k in ("ge_applied_pe_share", "ge_expenditure_gap",
                                           "ge_value_added_gap", "ge_balance_gap"))),
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
