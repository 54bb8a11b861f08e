"""World Bank WDI tariff aggregates: the MFN level of the importers without a line schedule.

Source: World Bank WDI ``TM.TAX.MRCH.WM.FN.ZS`` (tariff rate, MFN, import-weighted mean, all
products, %), shared ``wdi_tariff_aggregates/wdi_tariff_weighted_mean_applied_and_mfn_long.csv``.
Columns used: ``iso3, indicator_code, year, value_pct, is_aggregate``.

Transformation (:func:`wdi_mfn`): the latest non-missing year per economy, / 100 -> fraction, for
KOR, CHN, AUS, CAN, MEX, GBR (and JPN, USA for reference only); ROW = mean of the latest values
(year >= 2015) of the economies outside the named ones, weighted by 2024 US imports from each.
``schedules.py`` spreads the rate uniformly over dutiable HS6, quality label
``imputed:wdi_weighted_mfn_uniform_on_jpn_or_usa_dutiable_hs6``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .helpers import read_csv
from .universe import NAMED

FILE = "wdi_tariff_aggregates/wdi_tariff_weighted_mean_applied_and_mfn_long.csv"
INDICATOR = "TM.TAX.MRCH.WM.FN.ZS"
NOTED = ["KOR", "CHN", "AUS", "CAN", "MEX", "GBR"]  # imputed importers with their own WDI rate


def load(shared: Path) -> pd.DataFrame:
    """Read the WDI long table."""
    return read_csv(shared, FILE)


def wdi_mfn(
    wdi: pd.DataFrame, us_partner_weights: pd.Series
) -> tuple[dict[str, float], dict[str, str]]:
    """Latest WDI import-weighted MFN mean (fraction) per importer and ROW, with notes.

    ``us_partner_weights``: 2024 US imports (US$) by ROW partner ISO3 (weights of the ROW mean).
    """
    w = wdi[(wdi["indicator_code"] == INDICATOR) & (~wdi["is_aggregate"])]
    w = w.dropna(subset=["value_pct", "iso3"]).sort_values(["iso3", "year"])
    latest = w.groupby("iso3").tail(1).set_index("iso3")
    rates, notes = {}, {}
    for c in NOTED:
        rates[c] = float(latest.loc[c, "value_pct"]) / 100.0
        notes[c] = (
            f"WDI {INDICATOR} {c} {int(latest.loc[c, 'year'])}: {latest.loc[c, 'value_pct']:.2f}%"
        )
    for c in ["JPN", "USA"]:  # reference only (their MFN rows are observed)
        rates[c] = float(latest.loc[c, "value_pct"]) / 100.0
    row = latest[(latest["year"] >= 2015) & (~latest.index.isin(NAMED))]
    wts = us_partner_weights.reindex(row.index).fillna(0.0)
    rates["ROW"] = float((row["value_pct"] * wts).sum() / wts.sum()) / 100.0
    notes["ROW"] = (
        f"mean of the latest WDI MFN weighted means (year >= 2015) of {int((wts > 0).sum())} "
        f"ROW economies, weighted by 2024 US imports from each (proxy for trade size): "
        f"{rates['ROW'] * 100:.2f}%"
    )
    return rates, notes
