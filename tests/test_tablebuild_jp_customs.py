"""tablebuild.jp_customs on a slice of japan_customs_trade/ (2024: Vietnam, Korea, USA, total).

Raw values (billion yen, 2024): imports from Vietnam: Grand Total 4,053.399764, Foodstuff
299.402808, Fish And Fish Preparation 143.157887; exports to the USA 21,294.777785.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fta_compare.tablebuild import jp_customs, us_imports

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    jc = jp_customs.load(SHARED)
    jc = jc[(jc["year"] == 2024) & jc["area"].isin(["Vietnam", "R Korea", "USA", "Grand Total"])]
    us = us_imports.load(SHARED)
    return jc, us[us["iso3"] == "JPN"]


def test_mirror_rate(data) -> None:
    jc, us = data
    rate = jp_customs.mirror_rate(jc, us)
    assert rate == pytest.approx(21_294.777785e9 / us["imports_usd"].sum())
    assert 140 < rate < 160  # Federal Reserve G.5A 2023: 140.5; G.5 April-June 2024: 153.9-157.9


def test_groups_in_us_dollars_with_remainders(data) -> None:
    jc, _ = data
    obs = jp_customs.observed_groups(jc, 150.0)
    v = obs[(obs["direction"] == "import") & (obs["partner"] == "VNM")].set_index("cell")["value"]
    assert v["Fish And Fish Preparation"] == pytest.approx(143.157887e6 / 150.0)
    raw = jc[(jc["area"] == "Vietnam") & (jc["ex_im"] == "import")].set_index("goods")["value"]
    subs = ["Meat And Meat Preparation", "Fish And Fish Preparation",
            "Cereals, Cereal Preparation", "Fruits", "Vegetables"]
    rem = raw["Foodstuff"] - raw.reindex(subs).fillna(0).sum()
    assert v["Foodstuff|remainder"] == pytest.approx(rem * 1e6 / 150.0)
    # the top groups partition the total: cells add up to the Grand Total
    assert v.sum() == pytest.approx(4_053.399764e6 / 150.0, rel=1e-6)
    # ROW = Grand Total - the mapped areas of the slice
    row = obs[(obs["direction"] == "import") & (obs["partner"] == "ROW")]["value"].sum()
    tot = jc[(jc["ex_im"] == "import") & (jc["goods"] == "Grand Total")].set_index("area")["value"]
    assert row == pytest.approx((tot["Grand Total"] - tot.drop("Grand Total").sum()) * 1e6 / 150)


def test_hs_groups() -> None:
    g = jp_customs.hs_group
    assert g("030389") == ("Foodstuff", "Fish And Fish Preparation")
    assert g("271111") == ("Mineral Fuels", "Lng")
    assert g("870323") == ("Transport Equipment", "Motor Vehicles")
    assert g("847130") == ("Machinery", "Computers And Units")
    assert g("610910") == ("Others", "Clothing And Accessories")
    assert g("903031") == ("Electrical Machinery", "Electrical Measuring")
    assert g("400110") == ("Raw Materials", "")  # natural rubber: SITC 23


def test_split_keeps_each_cell_total(data) -> None:
    jc, _ = data
    obs = jp_customs.observed_groups(jc, 150.0)
    obs = obs[obs["partner"].isin(["VNM", "KOR"])]
    U = ["030389", "030617", "870323", "870899", "271111", "847130"]
    own = pd.DataFrame({"exporter": ["VNM", "VNM"], "hs": ["030389", "030617"],
                        "value": [1.0, 3.0]})
    world = pd.Series({"870323": 5.0, "870899": 5.0, "271111": 1.0})
    rows, _ = jp_customs.split_hs6(obs, U, own, world)
    r = rows[(rows["exporter"] == "VNM") & (rows["importer"] == "JPN")].set_index("hs")
    fish = obs[(obs["partner"] == "VNM") & (obs["direction"] == "import")
               & (obs["cell"] == "Fish And Fish Preparation")]["value"].iloc[0]
    assert r.loc["030389", "value"] == pytest.approx(0.25 * fish)  # VNM's own US-import mix
    assert r.loc["030389", "quality"] == jp_customs.LABEL + "exporter_us_mix"
    # Japan's exports to Korea: JPN has no own mix in this slice -> world mix (cars vs parts)
    k = rows[(rows["exporter"] == "JPN") & (rows["importer"] == "KOR")].set_index("hs")
    assert k.loc["870323", "quality"] == jp_customs.LABEL + "world_us_mix"
    assert set(rows["quality"].str.split(":").str[0]) == {"sector_observed"}
