"""World Bank WDI tariff aggregates: reference levels and checks of the imputed schedules.

Source: World Bank WDI ``TM.TAX.MRCH.WM.FN.ZS`` (tariff rate, MFN, import-weighted mean, all
products, %) and ``TM.TAX.MRCH.WM.AR.ZS`` (applied, weighted mean), shared
``wdi_tariff_aggregates/wdi_tariff_weighted_mean_applied_and_mfn_long.csv``. Columns used:
``iso3, indicator_code, year, value_pct``.

Transformation: values / 100 -> fractions; ``EUN`` reads the WDI code ``EUU`` (the EU);
:func:`latest` takes the latest non-missing year, :func:`near` the year nearest to a target
(ties: the earlier year). Uses: the MFN level of the economies WIOD does not separate
(``mfn_impute.py``), the orientation check of the WIOD tariffs (``wiod_cp.py``, applied 2014)
and the check table of the imputed schedules (``meta``, README). Quality label of the rows
levelled on WDI: ``imputed:wdi_level_wiod_row_sector_line_structure``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .helpers import read_csv

FILE = "wdi_tariff_aggregates/wdi_tariff_weighted_mean_applied_and_mfn_long.csv"
MFN = "TM.TAX.MRCH.WM.FN.ZS"
APPLIED = "TM.TAX.MRCH.WM.AR.ZS"
WDI_CODE = {"EUN": "EUU"}


def load(shared: Path) -> pd.DataFrame:
    """Read the WDI long table."""
    return read_csv(shared, FILE)


def _series(wdi: pd.DataFrame, indicator: str) -> pd.DataFrame:
    w = wdi[wdi["indicator_code"] == indicator].dropna(subset=["value_pct", "iso3"])
    return w[["iso3", "year", "value_pct"]]


def latest(wdi: pd.DataFrame, indicator: str, codes: list[str]) -> pd.DataFrame:
    """``code, year, rate`` (fraction): the latest year per economy (codes without data: none)."""
    w = _series(wdi, indicator).sort_values(["iso3", "year"]).groupby("iso3").tail(1)
    w = w.set_index("iso3")
    rows = [(c, int(w.loc[WDI_CODE.get(c, c), "year"]),
             float(w.loc[WDI_CODE.get(c, c), "value_pct"]) / 100.0)
            for c in codes if WDI_CODE.get(c, c) in w.index]
    return pd.DataFrame(rows, columns=["code", "year", "rate"]).set_index("code")


def near(wdi: pd.DataFrame, indicator: str, codes: list[str], year: int) -> pd.DataFrame:
    """``code, year, rate`` (fraction): the year nearest to ``year`` per economy."""
    w = _series(wdi, indicator).copy()
    w["d"] = (w["year"] - year).abs()
    w = w.sort_values(["iso3", "d", "year"]).groupby("iso3").head(1).set_index("iso3")
    rows = [(c, int(w.loc[WDI_CODE.get(c, c), "year"]),
             float(w.loc[WDI_CODE.get(c, c), "value_pct"]) / 100.0)
            for c in codes if WDI_CODE.get(c, c) in w.index]
    return pd.DataFrame(rows, columns=["code", "year", "rate"]).set_index("code")
