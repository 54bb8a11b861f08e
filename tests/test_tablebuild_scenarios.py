"""tablebuild.scenarios (agreements, scenarios, regions) and tablebuild.universe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fta_compare.tablebuild import scenarios, universe

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def test_agreements_sheet() -> None:
    a = scenarios.build_agreements().set_index("agreement")
    assert len(a) == 20
    assert a.loc["CJK", "members"] == "CHN,JPN,KOR" and pd.isna(a.loc["CJK", "in_force"])
    assert a.loc["KORUS", "in_force"] == 2012
    assert "KOR" in a.loc["CPTPP_KOR", "members"].split(",")
    assert sorted(scenarios.IN_FORCE) == sorted(a.index[a["in_force"].notna()])
    assert scenarios.MEMBERS["RCEP"] == universe.RCEP_MEMBERS


def test_scenarios_sheet() -> None:
    s = scenarios.build_scenarios().set_index("scenario")
    assert len(s) == 10
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
    r = scenarios.build_regions(us[us["hs6"] == "030324"])  # CHN, VNM, THA
    assert list(r["code"]) == ["ROW"] and r["members"].iloc[0] == "THA,VNM"


def test_universe_constants() -> None:
    assert universe.UNIVERSE[-1] == "ROW" and "ROW" not in universe.NAMED
    assert len(universe.EU27) == 27 and len(set(universe.EU27)) == 27
    assert universe.IMPUTED_MFN_IMPORTERS == ["KOR", "CHN", "AUS", "CAN", "MEX", "GBR", "ROW"]
