"""tablebuild.scenarios (agreements, scenarios, regions) and tablebuild.universe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fta_compare.tablebuild import agreements, scenarios, universe

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def test_agreements_sheet() -> None:
    a = scenarios.build_agreements().set_index("agreement")
    assert len(a) == len(agreements.AGREEMENTS) and a.index.is_unique
    assert a.loc["CJK", "members"] == "CHN,JPN,KOR" and pd.isna(a.loc["CJK", "in_force"])
    assert a.loc["KORUS", "in_force"] == 2012
    assert "KOR" in a.loc["CPTPP_KOR", "members"].split(",")
    assert {"CHN", "KOR"} <= set(a.loc["CPTPP_KOR_CHN", "members"].split(","))
    assert a.loc["JK_PLUS_EU", "members"] == "EUN,JPN,KOR"
    assert a.loc["KOR_EU", "members"] == "EUN,KOR" and a.loc["JPN_EU", "in_force"] == 2019
    assert sorted(scenarios.IN_FORCE) == sorted(a.index[a["in_force"].notna()])
    assert agreements.MEMBERS["RCEP"] == sorted(universe.RCEP_MEMBERS)
    # staging of the imputed sides
    by = agreements.BY_CODE
    assert by["KOR_CHN"].steps() == (2015, 20) and by["KORUS"].steps() is None
    assert by["EU_VNM"].steps() == (2020, 10) and by["CPTPP"].steps() is None


def test_scenarios_sheet() -> None:
    s = scenarios.build_scenarios().set_index("scenario")
    assert len(s) == 13
    assert s.loc["kor_chn_cptpp", "agreements"] == "CPTPP_KOR_CHN"
    assert s.loc["jk_plus_eu", "agreements"] == "JK_PLUS_EU"
    assert s.loc["us_deal_jpn_only", "date"] == dt.date(2025, 10, 1)
    assert "ieepa_recip_EUN" in s.loc["us_deal", "duties"].split(",")
    assert s.loc["baseline", "duties"] == "s301_chn_lists,s301_chn_2024_review,s232_steel_alu_2018"
    assert s.loc["baseline", "date"] == dt.date(2025, 1, 1)
    assert s.loc["us_no_deal", "parent"] == "us_deal"
    assert "-us_kor_deal" in s.loc["us_no_deal", "duties"].split(",")
    assert s.loc["cjk_fta", "year"] == universe.HYPO_FULL_YEAR == 2036
    assert s.loc["us_post_ruling", "date"] == dt.date(2026, 3, 1)


@pytest.mark.shared
def test_regions_from_us_census_partners() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    from fta_compare.tablebuild import us_imports

    us = us_imports.load(SHARED)
    r = scenarios.build_regions(us[us["hs6"] == "720851"]).set_index("code")
    assert list(r.index) == ["EUN", "ROW"]
    assert r.loc["EUN", "members"] == ",".join(sorted(universe.EU27))
    assert r.loc["ROW", "members"] == "BRA,MKD"  # the other 720851 partners are named or EU


def test_universe_constants() -> None:
    assert universe.UNIVERSE[-1] == "ROW" and "ROW" not in universe.NAMED
    assert len(universe.EU27) == 27 and len(set(universe.EU27)) == 27
    assert set(universe.IMPUTED_MFN_IMPORTERS) == set(universe.UNIVERSE) - {"JPN", "USA"}
    assert universe.pe_code("DEU") == "EUN" and universe.pe_code("VNM") == "VNM"
    assert universe.pe_code("BRN") == "ROW" and universe.pe_code("BRA") == "ROW"
