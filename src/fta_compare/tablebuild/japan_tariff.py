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
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .helpers import pct_numbers, read_csv

FILE = "japan_tariff/japan_tariff_lines_2026.csv"
LOWER_BOUND = "imputed:jpn_adval_component_lower_bound"
JP_PREF_COLUMNS: dict[tuple[str, str], str] = {  # (agreement, exporter '' = all) -> column
    ("CPTPP", ""): "epa_cptpp",
    ("RCEP", "CHN"): "epa_rcep_china",
    ("RCEP", "KOR"): "epa_rcep_korea",
    ("RCEP", "AUS"): "epa_rcep_asean_aus_nz",
    ("US_JPN", ""): "us_japan_trade_agreement",
    ("JPN_AUS", ""): "epa_australia",
    ("JPN_MEX", ""): "epa_mexico",
    ("JPN_GBR", ""): "epa_uk",
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


def japan_schedule(lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """HS6 MFN and preferential rates (fractions) for Japan from the line-level schedule.

    Returns (``mfn`` rows ``importer, hs, rate, quality``; the HS6 table indexed by hs with
    ``mfn``, ``lb`` (lower bound used) and one ``<agreement>|<exporter>`` column per
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
        table[f"{agr}|{exp}"] = [
            pref_line(t, e, x, m)
            for t, e, x, m in zip(
                j[f"{col}_type"], j[f"{col}_eff_pct"], j[col], table["mfn"], strict=True
            )
        ]
    ok = table[table["mfn"].notna()]
    g = ok.groupby("hs", sort=True)
    hs6 = g["mfn"].mean().to_frame("mfn") / 100.0
    hs6["lb"] = g["lb"].any()
    for key in (f"{a}|{e}" for a, e in JP_PREF_COLUMNS):
        hs6[key] = g[key].mean() / 100.0
    excluded = sorted(set(table["hs"]) - set(hs6.index))
    mfn_df = pd.DataFrame(
        {
            "importer": "JPN",
            "hs": hs6.index,
            "rate": hs6["mfn"].round(6).to_numpy(),
            "quality": np.where(hs6["lb"], LOWER_BOUND, "observed"),
        }
    )
    return mfn_df, hs6, excluded
