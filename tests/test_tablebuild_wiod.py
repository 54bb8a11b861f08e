"""tablebuild.wiod and tablebuild.trade on a slice of the WIOD 2014 bilateral flows.

Slice: every flow into KOR in motor vehicles (C20) plus every flow into USA (for the scale).
Raw KOR C20 rows: origin shares sum to 0.91120316; expenditure 89,940.346; ROW tariff factor
1.067428; JPN -> KOR value US$ 1,504.406 million.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fta_compare.tablebuild import wiod

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NAMED7 = ["AUS", "CAN", "CHN", "GBR", "JPN", "KOR", "MEX"]


@pytest.fixture(scope="module")
def flows() -> pd.DataFrame:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    w = wiod.load(SHARED)
    return w[((w["importer"] == "KOR") & (w["sector"] == "C20")) | (w["importer"] == "USA")]


def test_row_fill_and_one_scale_factor(flows) -> None:
    us_goods = flows[
        (flows["importer"] == "USA")
        & flows["sector"].isin(wiod.GOODS_SECTORS)
        & flows["exporter"].isin(NAMED7)
    ]["value"].sum()
    assert us_goods == pytest.approx(1_128_765.047)  # US$ million, WIOD 2014
    w, info = wiod.complete_and_scale(flows, us_goods * 1e3 * 1.5)  # Census = 1.5 x WIOD
    assert info["wiod_factor"] == pytest.approx(1.5)
    kor = w[w["importer"] == "KOR"].set_index("exporter")
    fill = (1 - 0.91120316) * 89_940.346 / 1.067428
    assert kor.loc["ROW", "fill"] == pytest.approx(fill, rel=1e-6)  # about 7,481.9
    assert kor.loc["JPN", "fill"] == 0.0
    # US$ million -> thousand, x 1.5
    assert kor.loc["JPN", "value_k"] == pytest.approx(1_504.406 * 1000 * 1.5)
    assert kor.loc["ROW", "value_k"] == pytest.approx((514.280 + fill) * 1000 * 1.5, rel=1e-6)
    # the US market is observed: only US domestic sales stay for importer USA
    assert set(w.loc[w["importer"] == "USA", "exporter"]) == {"USA"}


def test_split_to_hs6_with_own_and_world_mix(flows) -> None:
    w, _ = wiod.complete_and_scale(flows, 1.0e9)
    w = w[(w["importer"] == "KOR") & w["exporter"].isin(["JPN", "USA"])]
    world = pd.DataFrame(
        {"sector": "C20", "hs": ["870323", "870324"], "value": [3.0, 1.0], "share": [0.75, 0.25]}
    )
    own = pd.DataFrame(
        {"exporter": "JPN", "sector": "C20", "hs": ["870323"], "value": [5.0], "share": [1.0]}
    )
    imp = wiod.split_to_hs6(w, world, own).set_index(["exporter", "hs"])
    jpn = w.set_index("exporter").loc["JPN", "value_k"]
    usa = w.set_index("exporter").loc["USA", "value_k"]
    assert imp.loc[("JPN", "870323"), "value"] == pytest.approx(jpn)
    assert imp.loc[("JPN", "870323"), "quality"] == "imputed:wiod2014_sector_x_exporter_us_mix"
    assert imp.loc[("USA", "870324"), "value"] == pytest.approx(0.25 * usa)
    assert imp.loc[("USA", "870324"), "quality"] == "imputed:wiod2014_sector_x_world_us_mix"
    assert ("JPN", "870324") not in imp.index


def test_trade_sheet_combines_observed_and_imputed(flows) -> None:
    from fta_compare.tablebuild import trade, us_imports

    us = us_imports.load(SHARED)
    codes = ["870323", "870324"]
    t, info, _ = trade.build_trade(us[us["hs6"].isin(codes)], flows, codes)
    obs = t[t["quality"] == "observed"]
    raw = us[us["hs6"].isin(codes) & (us["iso3"] == "JPN")].set_index("hs6")["imports_usd"]
    got = obs[obs["exporter"] == "JPN"].set_index("hs")["value"]
    assert got.to_dict() == (raw / 1000).round(3).to_dict()
    assert set(t["importer"]) == {"KOR", "USA"}  # the slice holds flows into KOR and USA only
    assert (t["value"] >= 1.0).all() and t["quality"].str.match(r"^(observed|imputed:)").all()
    assert t.equals(t.sort_values(["exporter", "importer", "hs"]).reset_index(drop=True))
    assert info["value_shares"].startswith("imputed ")
