"""tablebuild.elasticities on four HS6 (Hauk 2012, CEPII ProTEE, BGW via the HS concordance)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fta_compare.tablebuild import concordance, elasticities

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
U = ["010121", "847130", "854232", "870323"]


@pytest.fixture(scope="module")
def built() -> tuple[pd.DataFrame, dict]:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    c = concordance.load(SHARED)
    small = concordance.Concordance(U, c.hs0, c.hs5, c.hs4)
    return elasticities.build_elasticities(small, elasticities.load(SHARED))


def test_hierarchy_of_sources(built) -> None:
    el, info = built
    e = el.set_index("hs")
    # 010121 -> HS1992 010111: Hauk impliedelasticity 0.387321 (positive = 1), sigma 0.641215
    assert e.loc["010121", "import_demand"] == -0.3873
    assert e.loc["010121", "substitution"] == 0.6412
    # 847130 -> HS1992 847193 (first in the chain): Hauk 1.94677 and sigma 0.931738
    assert e.loc["847130", "import_demand"] == -1.9468
    assert e.loc["847130", "substitution"] == 0.9317
    # 854232 -> 854211: Hauk demand has positive = 0 -> section median; sigma 0.833326
    assert e.loc["854232", "import_demand"] == -1.9468
    assert e.loc["854232", "source"].startswith("import_demand: section median")
    # 870323: ProTEE own estimate (zero = 0, positive = 0), |sigma| = 9.408891
    assert e.loc["870323", "substitution"] == 9.4089
    assert "ProTEE HS6 own estimate" in e.loc["870323", "source"]
    assert info["es_sources"] == {
        "Hauk (2012) US HS6 impliedsigma": 3,
        "FGO (2022) CEPII ProTEE HS6 own estimate": 1,
    }


def test_default_and_chapter_rows(built) -> None:
    el, _ = built
    star = el[el["hs"] == "*"].iloc[0]
    assert (star["import_demand"], star["substitution"], star["export_supply"]) == (-1.25, 1.5, 5.0)
    assert list(el["hs"].iloc[1:5]) == ["01", "84", "85", "87"]
    assert (el["country"] == "*").all()
