# ruff: noqa: E501  (long citation strings are kept on one line for grep-ability)
"""The ``sources`` sheet: one row per table x column and one per imputation method.

No data file: the public source of every table and column (with its repository and commit as in
``../shared/data/SOURCES.md``, :data:`S`) and the transformation applied, including the
diagnostics the builders return (scale factor, dropped codes, counts). One row per quality
label ``quality=imputed:<method>`` explains each imputation. A new source module adds its
citation to :data:`S` and its rows to :func:`build_sources`.
"""

from __future__ import annotations

import pandas as pd

from .helpers import Info
from .universe import (
    EXPORT_SUPPLY_DEFAULT,
    IMPORT_DEMAND_BOUNDS,
    IMPUTED_MFN_IMPORTERS,
    SUBSTITUTION_BOUNDS,
)

S: dict[str, str] = {  # citation of each public source
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


def build_sources(
    trade_info: Info, sched_info: Info, duty_info: Info, depth_info: Info, el_info: Info
) -> pd.DataFrame:
    """Rows ``table, column, source, transformation`` (notes of the builders filled in)."""
    r: list[tuple[str, str, str, str]] = []

    def a(table: str, columns: str, source: str, transformation: str = "") -> None:
        """One row per comma-separated column."""
        for c in columns.split(","):
            r.append((table, c.strip(), source, transformation))

    wdi_all = "; ".join(sched_info["wdi_notes"][c] for c in IMPUTED_MFN_IMPORTERS)
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
