"""The ``mfn`` and ``preferences`` sheets: observed JPN/USA schedules plus imputed ones.

Combines ``japan_tariff.py`` (JPN, observed), ``us_hts.py`` (USA, observed) and ``wdi.py`` (the MFN
level of KOR, CHN, AUS, CAN, MEX, GBR and ROW). Rates are fractions.

* ``mfn``: JPN and USA HS6 rates as parsed; every other importer gets its WDI rate on each HS6
  dutiable in Japan's or the US schedule and 0 elsewhere
  (``imputed:wdi_weighted_mfn_uniform_on_jpn_or_usa_dutiable_hs6``).
* ``preferences``: observed JPN rows (FY2026 step, year 2026) and USA rows (HTS 2025, year 2025),
  kept only where below the MFN; imputed importer sides of agreements in force (one 2026 step,
  :data:`IMPUTED_INFORCE`, staging of ``universe.INFORCE_STAGING``) with sensitive lists derived
  from Japan's schedule (RCEP list / CPTPP list) kept at MFN; the hypothetical agreements CJK,
  CPTPP_KOR and JK_PLUS (10-year linear path 2027/2031/2036). Uniform imputed schedules are
  written as 2/4/6-digit prefix rows (``helpers.compress_override``). Quality labels
  ``observed`` / ``imputed:<method>`` as listed in the ``sources`` sheet.

Line-level schedules for Korea or China (e.g. WITS/TRAINS) plug in here: give them a source
module like ``japan_tariff.py`` and use its HS6 table instead of the WDI rate for that importer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .helpers import Info, compress_override, progress
from .japan_tariff import JP_PREF_COLUMNS, japan_schedule
from .scenarios import MEMBERS
from .universe import (
    BASELINE_YEAR,
    HYPO_START,
    HYPO_STEPS,
    IMPUTED_MFN_IMPORTERS,
    INFORCE_STAGING,
    UNIVERSE,
)
from .us_hts import US_PREF_COLUMNS, us_schedule
from .wdi import wdi_mfn

PREF_COLUMNS = ["agreement", "importer", "hs", "year", "rate", "exporter", "quality"]

# imputed importer-side schedules of agreements in force: importer -> agreements
IMPUTED_INFORCE: dict[str, list[str]] = {
    "KOR": ["KORUS", "KOR_CHN", "RCEP", "KOR_AUS", "KOR_CAN", "KOR_GBR"],
    "CHN": ["KOR_CHN", "RCEP", "CHN_AUS"],
    "AUS": ["CPTPP", "RCEP", "AUS_USA", "KOR_AUS", "JPN_AUS", "CHN_AUS", "AUS_GBR"],
    "CAN": ["CPTPP", "USMCA", "KOR_CAN", "CAN_GBR"],
    "MEX": ["CPTPP", "USMCA", "JPN_MEX", "MEX_GBR"],
    "GBR": ["CPTPP", "JPN_GBR", "KOR_GBR", "AUS_GBR", "CAN_GBR", "MEX_GBR"],
}
RCEP_STYLE: set[str] = {"RCEP", "KOR_CHN", "CHN_AUS", "CJK"}  # use the RCEP-derived sensitive list


def build_schedules(
    universe: list[str],
    jp_lines: pd.DataFrame,
    us_hts8: pd.DataFrame,
    wdi_table: pd.DataFrame,
    partner_w: pd.Series,
) -> tuple[dict[str, pd.DataFrame], Info]:
    """(``{"mfn": ..., "preferences": ...}``, notes for ``sources``/``meta``).

    ``jp_lines``, ``us_hts8``, ``wdi_table``: the raw source tables (see the source modules);
    ``partner_w``: 2024 US imports (US$) by ROW partner ISO3, weights of ROW's WDI rate.
    """
    U = universe
    jp_mfn, jp6, jp_excl = japan_schedule(jp_lines)
    us_mfn, us6, us_excl = us_schedule(us_hts8)
    wdi, wdi_notes = wdi_mfn(wdi_table, partner_w)

    jm = jp6["mfn"].reindex(U)
    um = us6["mfn"].reindex(U)
    jp_specific = set(jp_excl)
    us_specific = set(us_excl)
    dutiable = {
        h
        for h in U
        if (jm.get(h, 0) > 0 if pd.notna(jm.get(h)) else h in jp_specific)
        or (um.get(h, 0) > 0 if pd.notna(um.get(h)) else h in us_specific)
    }

    eps = 1e-9
    s_rcep = {
        h
        for h in jp6.index
        if jp6.loc[h, "mfn"] > 0
        and jp6.loc[h, "RCEP|CHN"] >= jp6.loc[h, "mfn"] - eps
        and jp6.loc[h, "RCEP|KOR"] >= jp6.loc[h, "mfn"] - eps
    } | jp_specific
    s_cptpp = {
        h
        for h in jp6.index
        if jp6.loc[h, "mfn"] > 0 and jp6.loc[h, "CPTPP|"] >= jp6.loc[h, "mfn"] - eps
    } | jp_specific

    # ---- MFN
    imp_rows = []
    for c in IMPUTED_MFN_IMPORTERS:
        r = round(wdi[c], 6)
        for h in U:
            imp_rows.append(
                (
                    c,
                    h,
                    r if h in dutiable else 0.0,
                    "imputed:wdi_weighted_mfn_uniform_on_jpn_or_usa_dutiable_hs6",
                )
            )
    mfn = pd.concat(
        [jp_mfn, us_mfn, pd.DataFrame(imp_rows, columns=["importer", "hs", "rate", "quality"])],
        ignore_index=True,
    )
    mfn = mfn.sort_values(["importer", "hs"], kind="mergesort").reset_index(drop=True)
    mfn_rate = {(i, h): r for i, h, r in zip(mfn["importer"], mfn["hs"], mfn["rate"], strict=True)}

    pref_rows: list[tuple] = []  # agreement, importer, hs, year, rate, exporter, quality

    # ---- observed Japan (FY2026 step) and USA (HTS 2025)
    for (agr, exp), _col in JP_PREF_COLUMNS.items():
        key = f"{agr}|{exp}"
        for h, r in jp6[key].items():
            m = jp6.loc[h, "mfn"]
            if pd.notna(r) and r < m - eps:
                q = "imputed:jpn_adval_component_lower_bound" if jp6.loc[h, "lb"] else "observed"
                pref_rows.append((agr, "JPN", h, BASELINE_YEAR, round(r, 6), exp, q))
    for (agr, exp), _col in US_PREF_COLUMNS.items():
        key = f"{agr}|{exp}"
        for h, r in us6[key].items():
            m = us6.loc[h, "mfn"]
            if pd.notna(r) and r < m - eps:
                q = "imputed:usa_adval_component_lower_bound" if us6.loc[h, "lb"] else "observed"
                pref_rows.append((agr, "USA", h, 2025, round(r, 6), exp, q))

    # ---- imputed importer sides of agreements in force (2026 step, compressed)
    def inforce_share(agr: str) -> float:
        if agr in INFORCE_STAGING:
            s, n = INFORCE_STAGING[agr]
            return progress(BASELINE_YEAR, s, n)
        return 1.0

    def imputed_rate(imp: str, agr: str, h: str) -> float:
        m = mfn_rate[(imp, h)]
        sens = s_rcep if agr in RCEP_STYLE else s_cptpp
        if m <= 0 or h in sens:
            return m
        return round(m * (1.0 - inforce_share(agr)), 6)

    for imp, agrs in IMPUTED_INFORCE.items():
        for agr in agrs:
            vals = {h: imputed_rate(imp, agr, h) for h in U}
            q = (
                f"imputed:linear_staging_{INFORCE_STAGING[agr][1]}y_from_wdi_mfn_rcep_sensitive_kept"
                if agr in INFORCE_STAGING
                else (
                    "imputed:fully_phased_in_rcep_sensitive_kept_at_mfn"
                    if agr in RCEP_STYLE
                    else "imputed:fully_phased_in_cptpp_sensitive_kept_at_mfn"
                )
            )
            for p, v in compress_override(vals, U):
                pref_rows.append((agr, imp, p, BASELINE_YEAR, v, "", q))

    # ---- hypothetical agreements
    def base_2026(imp: str, exp: str, h: str) -> float:
        """Lowest 2026 rate the importer applies to the exporter (MFN or an in-force preference)."""
        if imp == "JPN":
            col = {"CHN": "RCEP|CHN", "KOR": "RCEP|KOR"}[exp]
            r = jp6[col].get(h, np.nan)
            m = jp6["mfn"].get(h, np.nan)
            return float(r) if pd.notna(r) else (float(m) if pd.notna(m) else np.nan)
        rates = [mfn_rate[(imp, h)]]
        for agr in IMPUTED_INFORCE.get(imp, []):
            if exp in MEMBERS[agr]:
                rates.append(imputed_rate(imp, agr, h))
        return min(rates)

    # CJK
    for imp in ["JPN", "KOR", "CHN"]:
        for exp in [x for x in ["JPN", "KOR", "CHN"] if x != imp]:
            if imp == "JPN":
                q = "imputed:cjk_linear_10y_from_observed_jpn_rcep_2026_rate"
                for h in jp6.index:
                    b = base_2026(imp, exp, h)
                    if pd.isna(b) or b <= 0 or h in s_rcep:
                        continue
                    for y, f in HYPO_STEPS.items():
                        pref_rows.append(("CJK", imp, h, y, round(b * (1 - f), 6), exp, q))
            else:
                q = "imputed:cjk_linear_10y_from_imputed_2026_rate"
                vals: dict[str, tuple[float, ...]] = {}
                for h in U:
                    b = base_2026(imp, exp, h)
                    if b <= 0 or h in s_rcep:
                        vals[h] = tuple(mfn_rate[(imp, h)] for _ in HYPO_STEPS)
                    else:
                        vals[h] = tuple(round(b * (1 - f), 6) for f in HYPO_STEPS.values())
                for p, v in compress_override(vals, U):
                    for (y, _f), r in zip(HYPO_STEPS.items(), v, strict=True):
                        pref_rows.append(("CJK", imp, p, y, r, exp, q))

    # Japan's CPTPP rates extended to KOR (CPTPP_KOR: exporter KOR; JK_PLUS: exporter blank)
    for agr, exp in (("CPTPP_KOR", "KOR"), ("JK_PLUS", "")):
        for h, r in jp6["CPTPP|"].items():
            m = jp6.loc[h, "mfn"]
            if pd.notna(r) and r < m - eps:
                pref_rows.append(
                    (
                        agr,
                        "JPN",
                        h,
                        HYPO_START,
                        round(r, 6),
                        exp,
                        "imputed:observed_jpn_cptpp_2026_rate_extended_to_kor",
                    )
                )
    # AUS/CAN/MEX/GBR extend their (imputed) CPTPP schedules to KOR
    for imp in ["AUS", "CAN", "MEX", "GBR"]:
        vals = {h: imputed_rate(imp, "CPTPP", h) for h in U}
        for p, v in compress_override(vals, U):
            pref_rows.append(
                (
                    "CPTPP_KOR",
                    imp,
                    p,
                    HYPO_START,
                    v,
                    "KOR",
                    "imputed:own_imputed_cptpp_schedule_extended_to_kor",
                )
            )
    # KOR's reciprocal schedule (CPTPP_KOR: every member; JK_PLUS: every other member)
    for agr in ("CPTPP_KOR", "JK_PLUS"):
        vals: dict[str, tuple[float, ...]] = {}
        for h in U:
            m = mfn_rate[("KOR", h)]
            if m <= 0 or h in s_cptpp:
                vals[h] = tuple(m for _ in HYPO_STEPS)
            else:
                vals[h] = tuple(round(m * (1 - f), 6) for f in HYPO_STEPS.values())
        for p, v in compress_override(vals, U):
            for (y, _f), r in zip(HYPO_STEPS.items(), v, strict=True):
                pref_rows.append(
                    (
                        agr,
                        "KOR",
                        p,
                        y,
                        r,
                        "",
                        "imputed:kor_linear_10y_from_wdi_mfn_cptpp_sensitive_kept",
                    )
                )

    prefs = pd.DataFrame(pref_rows, columns=PREF_COLUMNS)
    prefs = prefs.sort_values(
        ["agreement", "importer", "exporter", "hs", "year"], kind="mergesort"
    ).reset_index(drop=True)
    prefs = prefs[PREF_COLUMNS]

    info = {
        "jp_excluded": jp_excl,
        "us_excluded": us_excl,
        "wdi": wdi,
        "wdi_notes": wdi_notes,
        "dutiable": len(dutiable),
        "s_rcep": sorted(s_rcep),
        "s_cptpp": sorted(s_cptpp),
        "jp_lb": int(jp6["lb"].sum()),
        "us_lb": int(us6["lb"].sum()),
        "us_mfn": us6["mfn"],
    }
    return {"mfn": mfn, "preferences": prefs}, info


def weighted_check(
    trade: pd.DataFrame, mfn: pd.DataFrame, wdi: dict[str, float]
) -> tuple[str, str]:
    """Diagnostics: import-weighted mean MFN per importer vs WDI, and import totals (US$ bn).

    Weighted over the international cells of the ``trade`` sheet (US$ thousand); rates fractions.
    """
    intl = trade[trade["exporter"] != trade["importer"]]
    mr = mfn.set_index(["importer", "hs"])["rate"]
    chk, tot = [], []
    for c in UNIVERSE:
        tc = intl[intl["importer"] == c]
        r = mr.reindex(pd.MultiIndex.from_arrays([tc["importer"], tc["hs"]])).to_numpy()
        ok = ~np.isnan(r)
        wm = float((tc["value"].to_numpy()[ok] * r[ok]).sum() / tc["value"].to_numpy()[ok].sum())
        ref = wdi.get(c)
        chk.append(f"{c} {wm:.4f}" + (f" (WDI {ref:.4f})" if ref is not None else ""))
        tot.append(f"{c} {tc['value'].sum() / 1e6:,.0f}")
    return "; ".join(chk), "; ".join(tot)
