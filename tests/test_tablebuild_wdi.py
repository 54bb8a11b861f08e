"""tablebuild.wdi on a slice of wdi_tariff_aggregates/ (indicator TM.TAX.MRCH.WM.FN.ZS)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fta_compare.tablebuild import wdi

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ISO3 = ["KOR", "CHN", "AUS", "CAN", "MEX", "GBR", "JPN", "USA", "VNM", "THA"]


def test_latest_year_in_fractions_and_row_weighted_by_us_imports() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    t = wdi.load(SHARED)
    t = t[t["iso3"].isin(ISO3)]
    weights = pd.Series({"VNM": 5_422_752.0, "THA": 326_440.0})  # US imports of HS 030324
    rates, notes = wdi.wdi_mfn(t, weights)
    # latest rows (2022): KOR 8.67, CHN 2.86, VNM 4.98, THA 5.98 (%)
    assert rates["KOR"] == pytest.approx(0.0867) and rates["CHN"] == pytest.approx(0.0286)
    assert notes["KOR"] == "WDI TM.TAX.MRCH.WM.FN.ZS KOR 2022: 8.67%"
    row = (4.98 * 5_422_752 + 5.98 * 326_440) / (5_422_752 + 326_440) / 100
    assert rates["ROW"] == pytest.approx(row)
    assert "of 2 ROW economies" in notes["ROW"]
    assert set(rates) == {"KOR", "CHN", "AUS", "CAN", "MEX", "GBR", "JPN", "USA", "ROW"}
