# ruff: noqa: E501  (long citation strings are kept on one line for grep-ability)
"""``sources`` rows of the ``trade``, ``mfn`` and ``preferences`` sheets (one per column and one
per quality label), filled with the builders' notes. Called by ``sources.build_sources``."""

from __future__ import annotations

from collections.abc import Callable

from .helpers import Info
from .japan_tariff import OUT_OF_QUOTA_AVE
from .mfn_impute import CAP, MAX_RATE, OVERRIDES
from .universe import SPLIT

Add = Callable[[str, str, str, str], None]

_WIOD_KINDS = {
    "sector": "flow exporter->importer in WIOD goods sector s (both WIOD economies; EU27 pooled as EUN; BRA, CHE, NOR, RUS, TUR in ROW)",
    "domestic": "domestic absorption (exporter == importer) of WIOD goods sectors; EUN->EUN includes intra-EU trade, ROW->ROW the domestic sales of every RoW country and their mutual trade (incl. VNM, MYS, SGP, THA, CHL, PER, NZL, which have no domestic cells)",
    "domestic_scaled_by_jpn_imports": "Japan's domestic absorption, scaled to 2024 by Japan's observed 2024 imports / its WIOD 2014 imports instead of the common factor",
    "row_split_us_jpn_imports": "exporter split out of WIOD's RoW region: the region's flow x the economy's share of the region's observed 2024 exports to the USA (US Census) and Japan (Japan Customs) in sector s",
    "row_split_jpn_exports": "importer split out of WIOD's RoW region: the region's flow x the economy's share of Japan's observed 2024 exports to the region in sector s",
    "row_split_export_size": "importer split out of WIOD's RoW region without Japanese export data (PER): the region's flow x the economy's share of the region's exports over all sectors (size proxy)",
}
_MIX = {
    "exporter_us_mix": "split across HS6 by the exporter's observed 2024 US-import value shares within s (proxy for its export or production mix)",
    "world_us_mix": "split across HS6 by total US imports within s (exporter USA, which has no export detail in the shared data, and sectors the exporter does not ship to the US)",
}


def trade_rows(a: Add, S: dict[str, str], t: Info) -> None:
    """``trade`` sheet rows."""
    a("trade", "exporter,importer", S["census"] + "; " + S["jpcustoms"] + "; " + S["wiodcp"],
      "ISO3 codes of this build (EU27 -> EUN; economies outside the named ones -> ROW)")
    a("trade", "hs", S["census"] + "; " + S["conc"], "HS 2022 6-digit text; " + t["us_imports_dropped_codes"])
    a("trade", "value", S["census"], "importer USA (observed): 2024 US imports for consumption by HS6 x partner, US$ / 1000")
    a("trade", "value", S["jpcustoms"], "importer JPN, and Japan's exports to every other economy but the USA (mirror flows): Japan Customs 2024 values by partner and principal commodity group, billion yen -> US$ at the mirror-implied rate "
      f"{t['jpn_yen_per_usd']:.2f} yen/US$ (Japan's 2024 exports to the USA in yen / US Census 2024 imports from Japan; cf. Federal Reserve G.5 monthly averages 153.9-157.9 for April-June 2024 and G.5A 140.5 for 2023), "
      "each top group split into its listed sub-groups and a remainder, then across HS6 by an HS -> commodity-group rule set written for this build (jp_customs.hs_group; not an official concordance) and the exporter's US-import mix")
    a("trade", "value", S["wiodcp"], "every other cell (imputed): WIOD 2014 imports at producer prices (trade share x expenditure / (1 + importer's tariff), the tariff read as in wiod_cp.py), goods sectors C01-C22, mapped to this build's economies; WIOD's RoW region split "
      f"(exporter shares {t['row_split_exporter']}; importer shares {t['row_split_importer']}); x {t['wiod_scale_factor']}; {t['wiod_jpn_domestic_factor']}; {t['trade_threshold']}")
    a("trade", "quality", "this build", "observed (US Census), sector_observed:<method> (Japan Customs group values, HS6 split imputed), imputed:<method>; rows below")
    for k in ("exporter_us_mix", "world_us_mix"):
        a("trade", f"quality=sector_observed:jpn_customs_2024_group_x_{k}", S["jpcustoms"] + "; " + S["census"],
          "observed partner x commodity-group value (Japan Customs 2024), " + _MIX[k])
    a("trade", "quality=sector_observed:jpn_customs_2024_group_x_uniform", S["jpcustoms"],
      "observed partner x commodity-group value spread uniformly over the group's HS6 (no US imports in the group)")
    for kind, text in _WIOD_KINDS.items():
        for k, mix in _MIX.items():
            a("trade", f"quality=imputed:wiod2014_{kind}_x_{k}", S["wiodcp"] + "; " + S["census"] + "; " + S["jpcustoms"],
              f"{text}; 2014 -> 2024 as in the value row; {mix}; HS6 -> WIOD sector by an HS -> ISIC Rev.4 rule set written for this build (concordance.hs_to_wiod)")


def mfn_rows(a: Add, S: dict[str, str], si: Info) -> None:
    """``mfn`` sheet rows."""
    a("mfn", "importer", "this build", "JPN and USA observed (line schedules); every other economy imputed")
    a("mfn", "hs", S["conc"], "HS 2022 6-digit text (Japan FY2026 and HTS 2025 are HS 2022 based)")
    a("mfn", "rate", S["japan"], "JPN: applied MFN per national line (WTO rate, else temporary, else basic); HS6 = simple average over the lines with an ad valorem rate; / 100; out-of-quota AVEs for the TRQ staples (rows below)")
    a("mfn", "rate", S["hts"], "USA: column-1 general rate per HTS8; HS6 = simple average over HTS8 lines; / 100")
    a("mfn", "rate", S["wiodcp"] + "; " + S["desta"] + "; " + S["wdi"], "every other importer: WIOD 2014 sector MFN x line structure of the observed schedules (mfn_impute.py; rows below); checks against WDI in meta mfn_checks")
    a("mfn", "quality", "this build", "observed / imputed:<method> / observed:<name> (cited real rate); rows below")
    a("mfn", "quality=imputed:jpn_adval_component_lower_bound", S["japan"],
      f"specific/compound/alternative duties: the smallest ad valorem percentage in the rate text is a lower bound of the AVE and enters the HS6 average ({si['jp_lb']} HS6); HS6 whose lines are all purely specific are excluded ({len(si['jp_excluded'])} HS6, meta jpn_mfn_excluded_hs6)")
    srcs = sorted({(q, src) for _ave, q, src in OUT_OF_QUOTA_AVE.values()})
    for q in sorted({q for q, _ in srcs}):
        hs = [h for h, (_, qq, _s) in OUT_OF_QUOTA_AVE.items() if qq == q]
        a("mfn", f"quality={q}", "; ".join(s for qq, s in srcs if qq == q),
          f"JPN TRQ staples (HS6 {', '.join(hs)}): the HS6 mean keeps the free in-quota line and drops the out-of-quota specific duty, which is the marginal tariff; the HS6 takes the published AVE of the out-of-quota duty (rice 778%, wheat 252%, raw sugar 305%, butter 360%, azuki 402%) or, for barley (39 yen/kg) and malt (21.3 yen/kg), the specific duty over the unit value implied by the wheat figure (55/2.52 = 21.8 yen/kg); every Japanese preference on these HS6 = MFN (no concession)")
    a("mfn", "quality=imputed:usa_adval_component_lower_bound", S["hts"],
      f"same rule for US specific/compound rates ({si['us_lb']} HS6); purely specific HS6 excluded ({len(si['us_excluded'])}, meta usa_mfn_excluded_hs6)")
    a("mfn", "quality=sector_observed:wiod2014_sector_line_structure", S["wiodcp"] + "; " + S["desta"] + "; " + S["japan"] + "; " + S["hts"],
      "importers covered by WIOD (KOR, CHN, EUN, GBR, AUS, CAN, MEX, TWN, IND, IDN, ROW): sector MFN = the importer's 2014 tariff (wiod_cp reading) on the WIOD partners it had no agreement with before 2014 (DESTA; WIOD's RoW region not used as a partner), weighted by 2014 imports; spread over the sector's HS6 by r(h) = mean over JPN and USA of min(rate(h) / sector simple mean, "
      f"{CAP:g}) (a schedule without duties in the sector counts as uniform; Japan's TRQ staples enter with their line mean before the out-of-quota AVE, its state-trading cereals (rice, wheat, barley, malt) at their in-quota rate, free, so Japan-specific staple protection does not put peaks on other importers' wheat) as rate(h) = sector MFN x r(h) / mean r, so each sector's simple average equals the WIOD rate; capped at {MAX_RATE:.0%}")
    a("mfn", "quality=imputed:wdi_level_wiod_row_sector_line_structure", S["wiodcp"] + "; " + S["wdi"],
      f"economies split out of WIOD's RoW ({', '.join(SPLIT)}): the RoW region's sector MFN x (the economy's latest WDI MFN weighted mean / the region's WIOD mean), then the same line structure: " + "; ".join(si["split_notes"].values()))
    for q in sorted({v[1] for v in OVERRIDES.values()}):
        keys = sorted(k for k, v in OVERRIDES.items() if v[1] == q)
        src = OVERRIDES[keys[0]][2]
        a("mfn", f"quality={q}", src, f"{keys[0][0]} HS6 {', '.join(h for _, h in keys)}: the cited rate replaces the imputed one")


def preference_rows(a: Add, S: dict[str, str], si: Info) -> None:
    """``preferences`` sheet rows."""
    a("preferences", "agreement", "this build", "agreement codes of the agreements sheet")
    a("preferences", "importer", "this build", "JPN, USA observed (their agreements with a column in the source); every other member side imputed; ROW is not a member of any agreement")
    a("preferences", "hs", S["conc"], "observed rows: HS6; imputed schedules: 2/4/6-digit prefix rows where finer rows override (lossless over all HS 2022 subheadings)")
    a("preferences", "rate", S["japan"], "JPN: CPTPP, RCEP (China, Korea and ASEAN/AUS/NZ schedules; the last written once per exporter it covers), US-Japan TA and the EPAs with AUS, MEX, GBR, EU, ASEAN, SGP, MYS, THA, IDN, VNM, CHL, PER, IND, FY2026 step; line rate = parsed preferential rate capped at the line MFN (blank = MFN; '非譲許' = MFN; tariff-quota or partner-specific text = the highest % in the text); HS6 = mean over the same lines as the MFN; only rows below the MFN are kept")
    a("preferences", "rate", S["hts"], "USA: KORUS (KR), US-Japan TA (JP), AUSFTA (AU), USMCA (S/S+), Chile (CL), Peru (PE), Singapore (SG) special rates per HTS8 (program not listed or non-ad-valorem = MFN); HS6 mean over the MFN lines; rows below MFN only")
    a("preferences", "rate", "this build", "imputed schedules: rows below")
    a("preferences", "year", "this build", "observed: current step (JPN 2026, USA 2025); imputed in-force: the 2026 step (frozen so scenario differences isolate the new agreement); hypothetical: 2027, 2031, 2036 = 10%, 50%, 100% of a 10-year linear elimination (the tool evaluates each step as a time path)")
    a("preferences", "exporter", "this build", "blank = every other member; Japan's RCEP rows and the CJK rows are exporter-specific")
    a("preferences", "quality", "this build", "observed / imputed:<method>; rows below")
    lists = (f"sensitive lists kept at MFN: 'rcep' = {len(si['s_rcep'])} HS6 where Japan gives neither China nor Korea any RCEP concession in 2026 or only specific duties (meta sensitive_list_rcep); 'cptpp' = {len(si['s_cptpp'])} HS6 where Japan's CPTPP rate equals its MFN (meta sensitive_list_cptpp); both contain Japan's TRQ staples, so rice stays out of every imputed schedule, as in the real agreements (Korea: rice excluded from all FTAs, MAFRA 2014)")
    a("preferences", "quality=imputed:inforce_fully_phased_in_cptpp_sensitive_kept", S["desta"], "imputed side of an agreement in force before 2019 (agreements sheet): fully phased in by 2026 (rate 0) except the cptpp list; " + lists)
    a("preferences", "quality=imputed:inforce_fully_phased_in_rcep_sensitive_kept", S["desta"], "as above, agreements of the rcep style (RCEP, KOR_CHN, China's and ASEAN's agreements, India's)")
    a("preferences", "quality=imputed:inforce_staged_cptpp_sensitive_kept", S["desta"], "imputed side of an agreement still staging in 2026: imputed MFN x (1 - share done), share = (2026 - first year + 1) / steps (agreements.py: RCEP 2022/20 steps, KOR_CHN 2015/20, UK continuity agreements staged like the EU originals, others in force from 2019 on: 10 steps from the year in force); cptpp list kept at MFN")
    a("preferences", "quality=imputed:inforce_staged_rcep_sensitive_kept", S["desta"], "as above, rcep style")
    a("preferences", "quality=imputed:cjk_linear_10y_from_observed_jpn_rcep_2026_rate", S["japan"], "CJK, Japan's side: Japan's observed FY2026 RCEP rate for China / Korea cut linearly to 0 over 2027-2036, except the rcep list (kept at the 2026 rate)")
    a("preferences", "quality=imputed:cjk_linear_10y_from_imputed_2026_rate", S["wiodcp"], "CJK, KOR and CHN sides: the lowest imputed 2026 rate to that partner (MFN, RCEP or KOR_CHN) cut linearly to 0 over 2027-2036, except the rcep list")
    a("preferences", "quality=imputed:observed_jpn_cptpp_2026_rate_extended", S["japan"], "CPTPP_KOR, CPTPP_KOR_CHN, JK_PLUS, JK_PLUS_EU: Japan's observed FY2026 CPTPP rates granted to every other member from 2027 (held constant; Japan's remaining CPTPP staging is not in the data)")
    a("preferences", "quality=imputed:own_imputed_cptpp_schedule_extended", S["wiodcp"], "CPTPP_KOR, CPTPP_KOR_CHN: the other CPTPP members in the universe extend their imputed CPTPP schedule to every other member from 2027")
    a("preferences", "quality=imputed:linear_10y_from_imputed_mfn_cptpp_sensitive_kept", S["wiodcp"], "acceding / partner sides of CPTPP_KOR (KOR), CPTPP_KOR_CHN (KOR, CHN), JK_PLUS (KOR), JK_PLUS_EU (KOR, EUN): imputed MFN cut linearly to 0 over 2027-2036 except the cptpp list (rice included)")
    a("preferences", "quality=imputed:jpn_adval_component_lower_bound", S["japan"], "observed preference in an HS6 whose MFN uses a lower-bound AVE (see mfn)")
    a("preferences", "quality=imputed:usa_adval_component_lower_bound", S["hts"], "observed preference in an HS6 whose MFN uses a lower-bound AVE (see mfn)")


def ge_rows(a: Add, S: dict[str, str], g: Info) -> None:
    """Rows of the ``ge_*`` sheets (in default_ge.xlsx; one ``sources`` sheet for both files)."""
    w = S["wiodcp"]
    a("ge_trade", "exporter,importer,sector", w, "the 44 WIOD economies (EU members one by one, WIOD's RoW region as ROW) and the 50 sectors C01-C50 (goods C01-C22)")
    a("ge_trade", "value", w, "trade share x expenditure / (1 + importer's tariff) (tariff read as in wiod_cp.py), US$ million x 1000 = US$ thousand, 2014, domestic sales included; rounded to US$ 1")
    a("ge_applied", "scenario,importer,exporter,sector", "this build", "baseline only; goods sectors, every pair (plus ROW->ROW, WIOD's RoW region taxing its own members)")
    a("ge_applied", "rate", w + "; this build's PE tables", "observed:pe_baseline_2026 where the PE tables cover the pair (base-trade-weighted mean of the compiled 2026 PE baseline rates of the sector's HS6; EUN -> each EU member), else observed:wiod2014 (the 2014 tariff); " + g["ge_applied_pe_share"])
    a("ge_applied", "quality", "this build", "observed:pe_baseline_2026 / observed:wiod2014 (see rate)")
    a("ge_applied", "quality=observed:pe_baseline_2026", "this build's PE tables (trade, mfn, preferences, duties)", "the PE baseline (2026 staging, US duties of 2025-01-01) compiled by fta_compare.api.compile_scenarios, aggregated by sector with base trade as weights")
    a("ge_applied", "quality=observed:wiod2014", w, "WIOD/KITE 2014 bilateral sector tariff (pairs without a PE counterpart: GE ROW, BRA, CHE, NOR, RUS, TUR, intra-EU)")
    a("ge_intermediate", "country,input,sector", w, "WIOD economies and sectors")
    a("ge_intermediate", "value", w, "intermediate_share (gamma) x (1 - factor_share) x gross output, gross output = the sector's sales in ge_trade")
    a("ge_final", "country,sector,value", w, "consumption_share (alpha) x income, income = value added + 2014 tariff revenue + deficit; " + g["ge_expenditure_gap"])
    a("ge_value_added", "country,sector,value", w, "factor_share (beta) x gross output (so intermediate + value added = gross output); " + g["ge_value_added_gap"])
    a("ge_deficits", "country,value", w, "imports - exports at producer prices from ge_trade (sums to zero); " + g["ge_balance_gap"])
    a("ge_elasticities", "sector,theta", w, "theta = 1 / trade_elasticity.csv (the file holds 1/theta, as in Caliendo & Parro's code)")
    a("ge_elasticities", "description", "shared bilateral_sector_flows/wiod2014_kite_sector_map_inferred.csv", "WIOD sector name (mapping inferred by the data pack; goods high confidence)")
    a("ge_sectors", "sector,hs", S["conc"] + "; this build", "non-overlapping HS 2022 prefixes reproducing concordance.hs_to_wiod (an HS -> ISIC Rev.4 rule set written for this build, not an official concordance); services and HS 2716 (electricity) have no rows")
    a("ge_sectors", "description", "shared bilateral_sector_flows/wiod2014_kite_sector_map_inferred.csv", "WIOD sector name")
