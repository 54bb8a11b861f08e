"""US HTS 2025 (USITC): observed US MFN and FTA rates (KORUS, US-Japan TA, AUSFTA, USMCA, Chile,
Peru, Singapore).

Source: USITC Harmonized Tariff Schedule 2025 Basic Edition, as the derived shared file
``us_hts/us_hts8_2025_mfn_and_fta_rates.csv`` (one row per HTS8 rate line). Columns used:
``hs6, mfn_type`` (free / ad_valorem / other), ``mfn_pct, general_rate_text`` and, per program
of :data:`US_PREF_COLUMNS`, ``<program>_pct`` (the special rate in % where the program is listed,
MFN otherwise, empty if not ad valorem). The raw basic edition (``hts_2025_basic_edition.csv``,
``HTS Number``) is read here too; ``us_actions.py`` maps duty scopes to its lines.

Transformation: line MFN = the column-1 ad valorem rate; specific/compound texts use the
smallest % in the text (lower bound of the AVE); purely specific lines are excluded. Line
preference = min(program rate, line MFN), the MFN when the program rate is empty. HS6 = simple
mean over the lines with an MFN; / 100 -> fractions. Quality: ``observed``, or
``imputed:usa_adval_component_lower_bound`` for HS6 with a lower-bound line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .helpers import pct_numbers, read_csv

FILE_HTS8 = "us_hts/us_hts8_2025_mfn_and_fta_rates.csv"
FILE_BASIC = "us_hts/hts_2025_basic_edition.csv"
LOWER_BOUND = "imputed:usa_adval_component_lower_bound"
US_PREF_COLUMNS: dict[tuple[str, str], str] = {  # (agreement, exporter '' = all) -> program
    ("KORUS", ""): "korus",
    ("US_JPN", ""): "us_japan_ta",
    ("AUS_USA", ""): "australia",
    ("USMCA", ""): "usmca",
    ("US_CHL", ""): "chile",
    ("US_PER", ""): "peru",
    ("US_SGP", ""): "singapore",
}


def load_hts8(shared: Path) -> pd.DataFrame:
    """Read the HTS8 rate lines (all columns as text)."""
    return read_csv(shared, FILE_HTS8, dtype=str)


def load_basic(shared: Path) -> pd.DataFrame:
    """Read the HTS 2025 basic edition (text, BOM stripped, empty cells kept as '')."""
    return read_csv(shared, FILE_BASIC, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def us_schedule(hts8: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """HS6 MFN and FTA rates (fractions) for the USA from the HTS8 lines.

    Returns (``mfn`` rows ``importer, hs, rate, quality``; the HS6 table indexed by hs with
    ``mfn``, ``lb`` and one ``<agreement>|`` column per :data:`US_PREF_COLUMNS`; the HS6 codes
    excluded because all their lines are specific).
    """
    u = hts8.reset_index(drop=True)  # positional alignment with ``lines`` (slices in tests)
    mfn = []
    lb = []
    for t, p, x in zip(u["mfn_type"], u["mfn_pct"], u["general_rate_text"], strict=True):
        if t == "free":
            mfn.append(0.0)
            lb.append(False)
        elif t == "ad_valorem":
            mfn.append(float(p))
            lb.append(False)
        else:
            nums = pct_numbers(x)
            mfn.append(min(nums) if nums else np.nan)
            lb.append(bool(nums))
    lines = pd.DataFrame({"hs": u["hs6"].to_numpy(), "mfn": mfn, "lb": lb})
    for (agr, exp), col in US_PREF_COLUMNS.items():
        pct = pd.to_numeric(u[f"{col}_pct"], errors="coerce")
        lines[f"{agr}|{exp}"] = np.where(pct.notna(), np.minimum(pct, lines["mfn"]), lines["mfn"])
    ok = lines[lines["mfn"].notna()]
    g = ok.groupby("hs", sort=True)
    hs6 = g["mfn"].mean().to_frame("mfn") / 100.0
    hs6["lb"] = g["lb"].any()
    for key in (f"{a}|{e}" for a, e in US_PREF_COLUMNS):
        hs6[key] = g[key].mean() / 100.0
    excluded = sorted(set(lines["hs"]) - set(hs6.index))
    mfn_df = pd.DataFrame(
        {
            "importer": "USA",
            "hs": hs6.index,
            "rate": hs6["mfn"].round(6).to_numpy(),
            "quality": np.where(hs6["lb"], LOWER_BOUND, "observed"),
        }
    )
    return mfn_df, hs6, excluded
