"""tablebuild.depth on the World Bank HOR and DTA 2.0 tables (both small: read whole)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fta_compare.tablebuild import depth

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="module")
def built() -> tuple[pd.DataFrame, dict]:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    return depth.build_depth(depth.load(SHARED))


def _cov(d: pd.DataFrame, agreement: str) -> dict[str, int]:
    s = d[d["agreement"] == agreement]
    return dict(zip(s["area"], s["coverage"], strict=True))


def test_hor_coding(built) -> None:
    d, info = built
    # HOR row "Korea, Republic of - US": competition policy covered 1 with _le 1 -> 1;
    # visa and asylum 0 -> 0; IPR legally enforceable (_le 2) -> 2
    korus = _cov(d, "KORUS")
    assert korus["competitionpolicy"] == 1 and korus["visaandasylum"] == 0
    assert korus["ipr"] == 2 and korus["ftaindustrial"] == 2
    assert len(korus) == len(depth.DEPTH_AREAS) == 21
    assert info["source"]["KORUS"] == "hor"


def test_dta_coding_and_assumptions(built) -> None:
    d, info = built
    # DTA 2.0 id 270 (China - Korea): competition policy 2.5176 >= median of the positive
    # scores (2.0168) -> 2
    assert _cov(d, "KOR_CHN")["competitionpolicy"] == 2
    assert info["source"]["KOR_CHN"] == "dta"
    assert _cov(d, "CJK") == _cov(d, "RCEP")
    assert _cov(d, "JK_PLUS") == _cov(d, "CPTPP") == _cov(d, "CPTPP_KOR")
    us_jpn = _cov(d, "US_JPN")
    assert us_jpn["ftaindustrial"] == 2 and us_jpn["investment"] == 0
    assert set(d["category"]) == {"WTO+", "WTO-X"} and set(d["coverage"]) <= {0, 1, 2}
    assert "109/114" in info["validation"]
