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
    return us[us["hs6"].isin(["020422", "030324", "291800", "720851"])]


def test_observed_rows_in_thousand_dollars_with_row_partners(raw) -> None:
    obs, partner_w, info = us_imports.observed_trade(raw, ["020422", "030324", "720851"])
    t = obs.set_index(["exporter", "hs"])["value"]
    assert t[("AUS", "020422")] == 434_362.901  # US$ 434,362,901 / 1000
    assert t[("CHN", "030324")] == 6_979.358
    # NZL, CHL, VNM, THA are economies of their own now
    assert t[("NZL", "020422")] == 79_578.175 and t[("VNM", "030324")] == 5_422.752
    assert ("ROW", "020422") not in t.index
    # 720851: the EU members are summed into EUN (ITA, DNK, ESP, DEU, AUT, BEL, FRA, FIN, NLD,
    # POL), ROW = BRA 12,349,924 + MKD 253,359
    eu = 5_890_669 + 883_772 + 447_859 + 353_141 + 108_688 + 53_486 + 22_467 + 6_302 + 3_846
    eu += 2_263
    assert t[("EUN", "720851")] == pytest.approx(eu / 1000)
    assert t[("ROW", "720851")] == pytest.approx((12_349_924 + 253_359) / 1000)
    assert set(obs["importer"]) == {"USA"} and set(obs["quality"]) == {"observed"}
    assert partner_w.to_dict() == {"BRA": 12_349_924, "MKD": 253_359}
    # 291800 is not an HS 2022 subheading (CAN US$ 70,959,560 dropped)
    assert info["us_imports_dropped_codes"].startswith("['291800'] not HS 2022 subheadings")
    assert "71.0 million" in info["us_imports_dropped_codes"]


def test_sector_mix_shares(raw) -> None:
    obs, _, _ = us_imports.observed_trade(raw[raw["hs6"] != "720851"], ["020422", "030324"])
    world, own, _ = us_imports.sector_mix(obs)
    # 0204 -> C05 (food), 0303 -> C03 (fishing): one HS6 per sector -> share 1
    assert dict(zip(world["hs"], world["sector"], strict=True)) == {
        "020422": "C05",
        "030324": "C03",
    }
    assert (world["share"] == 1.0).all() and (own["share"] == 1.0).all()
