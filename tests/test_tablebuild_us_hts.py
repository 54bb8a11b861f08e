"""tablebuild.us_hts on a slice of us_hts/us_hts8_2025_mfn_and_fta_rates.csv.

Expected values read by hand from the HTS8 rows (``general_rate_text``, ``<program>_pct``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fta_compare.tablebuild import us_hts

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CODES = ["070951", "100630", "240120", "640399", "870421"]


@pytest.fixture(scope="module")
def us() -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    hts8 = us_hts.load_hts8(SHARED)
    return us_hts.us_schedule(hts8[hts8["hs6"].isin(CODES)])


def test_light_trucks_keep_25_percent_under_korus(us) -> None:
    mfn, hs6, _ = us
    # 8704.21.01: general "25%"; special "Free (A+,AU,...) 25% (KR)": KORUS keeps the chicken tax
    assert mfn.set_index("hs").loc["870421", "rate"] == 0.25
    assert hs6.loc["870421", "KORUS|"] == 0.25
    assert hs6.loc["870421", "AUS_USA|"] == 0.0
    assert hs6.loc["870421", "USMCA|"] == 0.0
    assert hs6.loc["870421", "US_JPN|"] == 0.25  # JP not listed -> MFN


def test_rice_korus_staged_rate_and_specific_line_dropped(us) -> None:
    _, hs6, excluded = us
    # 1006.30.10 "11.2%", KORUS "0.7% (KR)"; 1006.30.90 "1.4¢/kg" (no %) is left out
    assert hs6.loc["100630", "mfn"] == pytest.approx(0.112)
    assert hs6.loc["100630", "KORUS|"] == pytest.approx(0.007)
    assert "100630" not in excluded


def test_compound_rate_uses_its_ad_valorem_part_as_lower_bound(us) -> None:
    mfn, hs6, _ = us
    # 0709.51.01 "8.8¢/kg + 20%": 20% is a lower bound of the AVE
    row = mfn.set_index("hs").loc["070951"]
    assert row["rate"] == 0.2
    assert row["quality"] == "imputed:usa_adval_component_lower_bound"
    assert hs6.loc["070951", "KORUS|"] == 0.0
    assert hs6.loc["070951", "US_JPN|"] == 0.2  # empty program rate -> MFN


def test_hs6_is_the_simple_mean_of_the_ad_valorem_lines(us) -> None:
    mfn, _, _ = us
    rates = mfn.set_index("hs")["rate"]
    # 6403.99: Free, 8%, 5%, 8.5%, 7%, 10%
    assert rates["640399"] == round((0 + 8 + 5 + 8.5 + 7 + 10) / 6 / 100, 6) == 0.064167
    # 2401.20: 7 lines Free, 2 lines 350% (out of quota), 7 purely specific lines left out
    assert rates["240120"] == round(700 / 9 / 100, 6)
    assert mfn.set_index("hs").loc["240120", "quality"] == "observed"
