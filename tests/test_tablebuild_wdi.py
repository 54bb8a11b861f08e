"""tablebuild.wdi on a slice of wdi_tariff_aggregates/ (MFN and applied weighted means)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fta_compare.tablebuild import wdi

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ISO3 = ["KOR", "CHN", "JPN", "USA", "VNM", "THA", "EUU", "MEX"]


def test_latest_and_nearest_years_in_fractions() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    t = wdi.load(SHARED)
    t = t[t["iso3"].isin(ISO3)]
    lat = wdi.latest(t, wdi.MFN, ["KOR", "CHN", "VNM", "EUN", "TWN"])
    # latest rows (2022): KOR 8.67, CHN 2.86, VNM 4.98, EU (WDI code EUU) 2.68 (%); no TWN
    assert lat.loc["KOR", "rate"] == pytest.approx(0.0867) and lat.loc["KOR", "year"] == 2022
    assert lat.loc["CHN", "rate"] == pytest.approx(0.0286)
    assert lat.loc["EUN", "rate"] == pytest.approx(0.0268)
    assert "TWN" not in lat.index
    n = wdi.near(t, wdi.APPLIED, ["KOR", "MEX", "CHN"], 2014)
    # applied 2014: KOR 6.10, MEX 1.02, CHN 4.74
    assert n.loc["KOR", "rate"] == pytest.approx(0.0610) and n.loc["KOR", "year"] == 2014
    assert n.loc["CHN", "rate"] == pytest.approx(0.0474)
    m = wdi.near(t, wdi.MFN, ["KOR"], 2014)
    assert m.loc["KOR", "rate"] == pytest.approx(0.0799)
