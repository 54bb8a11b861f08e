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
from .sources_flows import ge_rows, mfn_rows, preference_rows, trade_rows
from .universe import (
    EXPORT_SUPPLY_DEFAULT,
    IMPORT_DEMAND_BOUNDS,
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
    "2014) via globalgov/manytrade @8780322 (shared: agreement_depth/)",
    "wiodcp": "WIOD 2016 release, 2014 tables (Timmer, Dietzenbacher, Los, Stehrer & de Vries 2015, "
    "RIE 23: 575-605, doi 10.34894/PJ2M1C, CC BY 4.0) as Caliendo-Parro arrays for the KITE model "
    "via powell001/Kiel_US_TradePolicy code/initial_conditions_WIOD_2014.rds @205614f (shared: "
    "wiod2014_cp_inputs/); tariff orientation settled in wiod_cp.py (importer = 'origin' column)",
    "jpcustoms": "Japan Customs trade statistics 2024 by partner area and principal commodity group "
    "via mitsuoxv/jp-trade data/trade_year.rda @a66ddb1 (MIT; shared: japan_customs_trade/)",
}


def build_sources(
    trade_info: Info, sched_info: Info, duty_info: Info, depth_info: Info, el_info: Info,
    ge_info: Info,
) -> pd.DataFrame:
    """Rows ``table, column, source, transformation`` (notes of the builders filled in)."""
    r: list[tuple[str, str, str, str]] = []

    def a(table: str, columns: str, source: str, transformation: str = "") -> None:
        """One row per comma-separated column."""
        for c in columns.split(","):
            r.append((table, c.strip(), source, transformation))

    trade_rows(a, S, trade_info)
    mfn_rows(a, S, sched_info)
    preference_rows(a, S, sched_info)
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
        "every partner of the universe (EUN = the EU bloc: the EO 14326 all-in 15% floor); ROW "
        "rates are composites of the remaining partners; each named partner takes its own EO "
        "14326 Annex I rate (10% if unlisted); CAN/MEX: no reciprocal layer (USMCA goods "
        "excluded; non-USMCA IEEPA border duties not in the data) and no autos/parts/MHD (USMCA "
        "content rules not modelled); 2018 Section 232 regime: KOR, JPN, AUS, CAN, MEX, GBR, EUN "
        "under quota, TRQ or exemption on 2025-01-01, the others pay; the EU/UK 2025 auto "
        "arrangements are not in the data (EUN autos stay at 25%)",
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
        "every other agreement in force with a DTA 2.0 id (depth.DTA_IDS: CPTPP, RCEP, KOR_CHN, "
        "KOR_EU, JPN_EU, the ASEAN+1 and bilateral agreements...): DTA 2.0 "
        "area score 0 -> 0, >= median of the positive scores of that area over all 372 toolkit "
        "agreements -> 2, else 1; FTA industrial/agriculture = 2 (binding tariff schedules); "
        + depth_info["validation"],
    )
    a(
        "depth",
        "coverage",
        "assumption of this build",
        "CJK = RCEP's coding ('RCEP-plus'); CPTPP_KOR, CPTPP_KOR_CHN, JK_PLUS, JK_PLUS_EU = "
        "CPTPP's; KOR_IDN = KOR_ASEAN's, EU_NZL = JPN_EU's, PER_THA = AUS_THA's (after the "
        "toolkit's coverage); US_JPN (not coded in either source) = tariff areas 2, other areas 0",
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
        "of a flagged line, (4) BGW HS3 sigma, median over the named importers; clipped to "
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
    a("regions", "code,name", "this build", "EUN = the EU27 (intra-EU trade is EUN->EUN, "
      "untaxed); ROW = every economy not listed separately")
    a(
        "regions",
        "members",
        S["census"],
        "EUN: the 27 EU members; ROW: ISO3 codes of US trade partners outside the named "
        "economies and the EU; in WIOD-based cells ROW = WIOD's RoW region minus the split "
        "economies plus BRA, CHE, NOR, RUS, TUR",
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
    ge_rows(a, S, ge_info)
    a("meta", "key,value", "this build", "settings, assumptions, data gaps and diagnostics")
    a("sources", "table,column,source,transformation", "this build", "this table")
    return pd.DataFrame(r, columns=["table", "column", "source", "transformation"])
