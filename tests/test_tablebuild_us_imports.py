"""tablebuild.us_imports on a slice of trade_flows/us_imports_2024_hs6_by_country.csv."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fta_compare.tablebuild import us_imports

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    us = us_imports.load(SHARED)
    return us[us["hs6"].isin(["020422", "030324", "291800"])]


def test_observed_rows_in_thousand_dollars_with_row_partners(raw) -> None:
    obs, partner_w, info = us_imports.observed_trade(raw, ["020422", "030324"])
    t = obs.set_index(["exporter", "hs"])["value"]
    assert t[("AUS", "020422")] == 434_362.901  # US$ 434,362,901 / 1000
    assert t[("CHN", "030324")] == 6_979.358
    # ROW = NZL 79,578,175 + CHL 251,911 (020422); VNM 5,422,752 + THA 326,440 (030324)
    assert t[("ROW", "020422")] == pytest.approx(79_830.086)
    assert t[("ROW", "030324")] == pytest.approx(5_749.192)
    assert set(obs["importer"]) == {"USA"} and set(obs["quality"]) == {"observed"}
    assert partner_w.to_dict() == {
        "CHL": 251_911,
        "NZL": 79_578_175,
        "THA": 326_440,
        "VNM": 5_422_752,
    }
    # 291800 is not an HS 2022 subheading (CAN US$ 70,959,560 dropped)
    assert info["us_imports_dropped_codes"].startswith("['291800'] not HS 2022 subheadings")
    assert "71.0 million" in info["us_imports_dropped_codes"]


def test_sector_mix_shares(raw) -> None:
    obs, _, _ = us_imports.observed_trade(raw, ["020422", "030324"])
    world, own, _ = us_imports.sector_mix(obs)
    # 0204 -> C05 (food), 0303 -> C03 (fishing): one HS6 per sector -> share 1
    assert dict(zip(world["hs"], world["sector"], strict=True)) == {
        "020422": "C05",
        "030324": "C03",
    }
    assert (world["share"] == 1.0).all() and (own["share"] == 1.0).all()
