"""tablebuild.japan_tariff on a slice of japan_tariff/japan_tariff_lines_2026.csv.

Expected values read by hand from the raw lines (rates in % in the file, fractions here).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fta_compare.tablebuild import japan_tariff

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CODES = ["020130", "030273", "040690", "100630", "640399"]


@pytest.fixture(scope="module")
def jp() -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    lines = japan_tariff.load(SHARED)
    return japan_tariff.japan_schedule(lines[lines["hs6"].isin(CODES)])


def test_beef_mfn_and_cptpp_from_ad_valorem_columns(jp) -> None:
    mfn, hs6, excluded = jp
    # 020130: four lines, MFN "38.5%", CPTPP "20.8%" (FY2026 step), RCEP China/Korea blank
    row = mfn.set_index("hs").loc["020130"]
    assert row["rate"] == 0.385 and row["quality"] == "observed"
    assert hs6.loc["020130", "CPTPP|"] == pytest.approx(0.208)
    assert hs6.loc["020130", "RCEP|CHN"] == pytest.approx(0.385)  # blank = no concession = MFN
    assert excluded == []


def test_footwear_lower_bound_and_line_means(jp) -> None:
    mfn, hs6, _ = jp
    # 640399: 11 lines; 4 lines "30%又は4,300円/足..." -> 30% (lower bound of the AVE)
    mean_mfn = (27 + 3 * 21.6 + 30 + 24 + 4 * 30 + 30) / 11 / 100
    row = mfn.set_index("hs").loc["640399"]
    assert row["rate"] == round(mean_mfn, 6) == 0.268909
    assert row["quality"] == "imputed:jpn_adval_component_lower_bound"
    # CPTPP line rates: 11.8, 21.6 x3, 3.9 x4, 13.1, 24, 4.3
    cptpp = (11.8 + 3 * 21.6 + 4 * 3.9 + 13.1 + 24 + 4.3) / 11 / 100
    assert hs6.loc["640399", "CPTPP|"] == pytest.approx(cptpp)
    # RCEP China: 15.4 x4 and 17.1 on the specific lines, MFN (blank) elsewhere
    rcep_chn = (27 + 3 * 21.6 + 4 * 15.4 + 30 + 24 + 17.1) / 11 / 100
    assert hs6.loc["640399", "RCEP|CHN"] == pytest.approx(rcep_chn)


def test_quota_and_non_concession_texts_fall_back_to_mfn(jp) -> None:
    _, hs6, _ = jp
    # 040690 line 2: CPTPP text "ソフトチーズ... 29.8% | その他のもの 13%" -> highest % = 29.8
    # line 1 "◎無税 ◆2" -> 0; HS6 = (0 + 29.8) / 2 = MFN
    assert hs6.loc["040690", "mfn"] == pytest.approx(0.149)
    assert hs6.loc["040690", "CPTPP|"] == pytest.approx(0.149)
    # 030273 RCEP Korea "●2.2%又は非譲許" (or non-concession) -> MFN 3.5%
    assert hs6.loc["030273", "RCEP|KOR"] == pytest.approx(0.035)


def test_out_of_quota_staples_take_their_published_ave(jp) -> None:
    mfn, hs6, _ = jp
    # 100630 (milled rice): the line mean would keep the in-quota "無税" line and drop the
    # out-of-quota "49円/kg" (temporary; WTO column *(341円/kg)) line -> 0. The HS6 takes the
    # published AVE of the 341 yen/kg duty instead (778%), and no Japanese EPA cuts it.
    assert np.isnan(japan_tariff.mfn_line("other", "", "49円/kg")[0])
    row = mfn.set_index("hs").loc["100630"]
    assert row["rate"] == 7.78 and row["quality"] == japan_tariff.AVE_PUBLISHED
    for key in ("CPTPP|", "RCEP|CHN", "RCEP|KOR", "JPN_EU|", "US_JPN|"):
        assert hs6.loc["100630", key] == 7.78
    # barley and malt: the specific duty over the unit value implied by wheat's 252% (55 yen/kg)
    barley, q, _ = japan_tariff.OUT_OF_QUOTA_AVE["100310"]
    assert barley == pytest.approx(39 / (55 / 2.52), abs=1e-4)
    assert q == japan_tariff.AVE_WHEAT_UV
    assert japan_tariff.OUT_OF_QUOTA_AVE["100199"][0] == 2.52


def test_preference_text_types() -> None:
    assert japan_tariff.pref_type("無税") == ("free", "")
    assert japan_tariff.pref_type("3.2%") == ("ad_valorem", "3.2")
    assert japan_tariff.pref_type("") == ("blank", "")
    assert japan_tariff.pref_type(np.nan) == ("blank", "")
    assert japan_tariff.pref_type("関税割当数量以内のもの 無税")[0] == "other"


def test_line_parsers() -> None:
    assert japan_tariff.mfn_line("other", "", "30%又は4,300円/足のうちいずれか高い税率") == (
        30.0,
        True,
    )
    assert japan_tariff.pref_line("other", "", "●2.2%又は非譲許", 3.5) == 3.5
    assert japan_tariff.pref_line("ad_valorem", "40", "40%", 38.5) == 38.5  # capped at MFN
    assert japan_tariff.pref_line("blank", "", "", 9.6) == 9.6
    assert np.isnan(japan_tariff.pref_line("free", "", "無税", np.nan))
