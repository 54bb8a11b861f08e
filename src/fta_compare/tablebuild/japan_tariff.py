"""Japan's FY2026 tariff schedule (Japan Customs): observed JPN MFN and preferential rates.

Source: Japan Customs 実行関税率表 FY2026 (shared ``japan_tariff/japan_tariff_lines_2026.csv``, one
row per national line). Columns used: ``hs6``; the applied MFN ``mfn_applied_type`` (free /
ad_valorem / other), ``mfn_applied_pct``, ``mfn_applied_text`` (WTO rate, else temporary, else
basic); for each agreement column in :data:`JP_PREF_COLUMNS` the rate text ``<col>``, its
``<col>_type`` and ``<col>_eff_pct`` (the FY2026 step).

Transformation: line MFN = the ad valorem rate; specific/compound texts use the smallest % in the
text (a lower bound of the AVE); purely specific lines are excluded. Line preference = parsed
rate capped at the line MFN (blank = MFN; ``非譲許`` = MFN; tariff-quota or partner-specific texts
= the highest % in the text). HS6 = simple mean over the lines with an MFN; rates / 100 ->
fractions. Quality: ``observed``, or ``imputed:jpn_adval_component_lower_bound`` for HS6 with a
lower-bound line.

Out-of-quota specific duties (:data:`OUT_OF_QUOTA_AVE`): for rice, wheat, barley, malt, sugar,
butter and azuki beans the HS6 mean above keeps the free in-quota line and drops (or lower-bounds)
the out-of-quota specific duty, which is the marginal tariff. Those HS6 take a published ad
valorem equivalent of the out-of-quota duty instead (rice 341 yen/kg = 778%, wheat 55 yen/kg =
252%, raw sugar 71.8 yen/kg = 305%, butter 29.8% + 985 yen/kg = 360%, azuki 354 yen/kg = 402%,
each cited in the table), or the specific duty over the unit value those figures imply (barley
39 yen/kg and malt 21.3 yen/kg over wheat's 55/2.52 = 21.8 yen/kg). Quality
``imputed:jpn_out_of_quota_ave_published`` / ``imputed:jpn_out_of_quota_specific_over_wheat_
unit_value``. Japan's EPAs keep these out-of-quota duties (rice is excluded from all of them;
CPTPP/EU/US TRQs are in-quota only), so every preferential column of these HS6 is set to the
MFN (no concession). Note: the line file's applied text for these lines is the temporary-rate
column (rice 49 yen/kg, wheat 9.8 yen/kg); the starred WTO column holds 341/55/39 yen/kg.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .helpers import pct_numbers, read_csv

FILE = "japan_tariff/japan_tariff_lines_2026.csv"
LOWER_BOUND = "imputed:jpn_adval_component_lower_bound"
AVE_PUBLISHED = "imputed:jpn_out_of_quota_ave_published"
AVE_WHEAT_UV = "imputed:jpn_out_of_quota_specific_over_wheat_unit_value"
_NIKKEI = ("Nikkei Shimbun 2008-05-21 table of Japan's food tariffs (rice 341 yen/kg = 788%, "
           "wheat 55 yen/kg = 252%, azuki 354 yen/kg = 402%, raw sugar 71.8 yen/kg = 305%, butter "
           "29.8% + 985 yen/kg = 360%), as quoted at "
           "foodsciencejapan.blogspot.com/2008_05_23_archive.html")
_RICE = ("MAFF AVE of the 341 yen/kg rice tariff under the WTO formula (778%): Japan Times "
         "2005-06-10 'Rice tariff 778% with new WTO formula'; CIGS (Yamashita) 2013-03-14; "
         "Yomiuri 2010-12-02")
_WHEAT_UV = 55.0 / 2.52  # yen/kg implied by the published wheat AVE
OUT_OF_QUOTA_AVE: dict[str, tuple[float, str, str]] = {  # HS6 -> (AVE fraction, quality, source)
    **{h: (7.78, AVE_PUBLISHED, _RICE) for h in ("100610", "100620", "100630", "100640")},
    **{h: (2.52, AVE_PUBLISHED, _NIKKEI) for h in ("100111", "100119", "100191", "100199")},
    **{h: (round(39.0 / _WHEAT_UV, 4), AVE_WHEAT_UV, _NIKKEI + "; barley 39 yen/kg (Japan Customs "
           "WTO column)") for h in ("100310", "100390")},
    **{h: (round(21.3 / _WHEAT_UV, 4), AVE_WHEAT_UV, _NIKKEI + "; malt 21.30 yen/kg (Japan "
           "Customs WTO column)") for h in ("110710", "110720")},
    **{h: (3.05, AVE_PUBLISHED, _NIKKEI) for h in ("170112", "170113", "170114", "170191",
                                                   "170199")},
    **{h: (3.60, AVE_PUBLISHED, _NIKKEI) for h in ("040510", "040520", "040590")},
    "071332": (4.02, AVE_PUBLISHED, _NIKKEI),
}
JP_PREF_COLUMNS: dict[tuple[str, str], str] = {  # (agreement, schedule label) -> column
    ("CPTPP", ""): "epa_cptpp",
    ("RCEP", "CHN"): "epa_rcep_china",
    ("RCEP", "KOR"): "epa_rcep_korea",
    ("RCEP", "ASEAN_AUS_NZ"): "epa_rcep_asean_aus_nz",
    ("US_JPN", ""): "us_japan_trade_agreement",
    ("JPN_AUS", ""): "epa_australia",
    ("JPN_MEX", ""): "epa_mexico",
    ("JPN_GBR", ""): "epa_uk",
    ("JPN_EU", ""): "epa_eu",
    ("JPN_ASEAN", ""): "epa_ajcep_asean",
    ("JPN_SGP", ""): "epa_singapore",
    ("JPN_MYS", ""): "epa_malaysia",
    ("JPN_THA", ""): "epa_thailand",
    ("JPN_IDN", ""): "epa_indonesia",
    ("JPN_VNM", ""): "epa_vietnam",
    ("JPN_CHL", ""): "epa_chile",
    ("JPN_PER", ""): "epa_peru",
    ("JPN_IND", ""): "epa_india",
}
# exporters of a schedule label ('' = every other member of the agreement)
JP_LABEL_EXPORTERS: dict[str, list[str]] = {
    "": [""], "CHN": ["CHN"], "KOR": ["KOR"],
    "ASEAN_AUS_NZ": ["AUS", "IDN", "MYS", "NZL", "SGP", "THA", "VNM"],
}


def load(shared: Path) -> pd.DataFrame:
    """Read the Japanese national lines (all columns as text)."""
    return read_csv(shared, FILE, dtype=str)


def mfn_line(row_type: str, pct: str, text: str) -> tuple[float, bool]:
    """(MFN ad valorem rate in %, used_lower_bound) for one Japanese line; NaN if none."""
    if row_type == "free":
        return 0.0, False
    if row_type == "ad_valorem":
        return float(pct), False
    nums = pct_numbers(text)
    if nums:
        return min(nums), True
    return np.nan, False


def pref_line(ptype: str, eff: str, text: str, mfn: float) -> float:
    """Preferential rate in % of one line (capped at its MFN ``mfn`` in %); NaN if no MFN."""
    if np.isnan(mfn):
        return np.nan
    if ptype == "free":
        return 0.0
    if ptype == "ad_valorem" and isinstance(eff, str) and eff != "":
        return min(float(eff), mfn)
    if ptype == "other":
        s = unicodedata.normalize("NFKC", str(text))
        if "非譲許" in s:
            return mfn
        nums = pct_numbers(s)
        return min(max(nums), mfn) if nums else mfn
    return mfn  # blank: no concession, MFN applies


def pref_type(text: object) -> tuple[str, str]:
    """(type, ad valorem % text) of a preferential rate text for the columns the shared file
    gives no ``_type`` for: blank, ``free`` (無税), ``ad_valorem`` (``x%``) or ``other``."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or str(text).strip() == "":
        return "blank", ""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if s == "無税":
        return "free", ""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", s)
    if m:
        return "ad_valorem", m.group(1)
    return "other", ""


def japan_schedule(lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """HS6 MFN and preferential rates (fractions) for Japan from the line-level schedule.

    Returns (``mfn`` rows ``importer, hs, rate, quality``; the HS6 table indexed by hs with
    ``mfn``, ``mfn_lines`` (the line mean before the out-of-quota AVEs), ``lb`` (lower bound
    used) and one ``<agreement>|<exporter>`` column per
    :data:`JP_PREF_COLUMNS`; the HS6 codes excluded because all their lines are specific).
    """
    j = lines
    mfn = [
        mfn_line(t, p, x)
        for t, p, x in zip(
            j["mfn_applied_type"], j["mfn_applied_pct"], j["mfn_applied_text"], strict=True
        )
    ]
    table = pd.DataFrame(
        {"hs": j["hs6"].to_numpy(), "mfn": [m[0] for m in mfn], "lb": [m[1] for m in mfn]}
    )
    for (agr, exp), col in JP_PREF_COLUMNS.items():
        if f"{col}_type" in j.columns:
            types, effs = j[f"{col}_type"], j[f"{col}_eff_pct"]
        else:
            parsed = [pref_type(x) for x in j[col]]
            types, effs = [p[0] for p in parsed], [p[1] for p in parsed]
        table[f"{agr}|{exp}"] = [
            pref_line(t, e, x, m)
            for t, e, x, m in zip(types, effs, j[col], table["mfn"], strict=True)
        ]
    ok = table[table["mfn"].notna()]
    g = ok.groupby("hs", sort=True)
    hs6 = g["mfn"].mean().to_frame("mfn") / 100.0
    hs6["lb"] = g["lb"].any()
    for key in (f"{a}|{e}" for a, e in JP_PREF_COLUMNS):
        hs6[key] = g[key].mean() / 100.0
    hs6["mfn_lines"] = hs6["mfn"]  # the line mean before the out-of-quota AVEs (structure)
    ave = {h: v for h, v in OUT_OF_QUOTA_AVE.items() if h in set(table["hs"])}
    hs6 = hs6.reindex(hs6.index.union(list(ave)))
    hs6["lb"] = hs6["lb"].fillna(False).astype(bool)
    quality = pd.Series(np.where(hs6["lb"], LOWER_BOUND, "observed"), index=hs6.index)
    for h, (rate, q, _src) in ave.items():
        hs6.loc[h, [c for c in hs6.columns if c not in ("lb", "mfn_lines")]] = rate
        hs6.loc[h, "lb"] = False
        quality[h] = q
    excluded = sorted(set(table["hs"]) - set(hs6.index))
    mfn_df = pd.DataFrame(
        {
            "importer": "JPN",
            "hs": hs6.index,
            "rate": hs6["mfn"].round(6).to_numpy(),
            "quality": quality.to_numpy(),
        }
    )
    return mfn_df, hs6, excluded
