"""tablebuild.desta on agreement_depth/desta_list_of_treaties_with_members.csv."""

from __future__ import annotations

from pathlib import Path

import pytest

from fta_compare.tablebuild import desta

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def test_agreement_pairs_in_force_before_2014() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    p = desta.agreement_pairs(desta.load(SHARED), 2014)
    assert frozenset(("KOR", "USA")) in p  # KORUS, treaty 551, 2012
    assert frozenset(("DEU", "KOR")) in p  # EC Korea, 815, 2011
    assert frozenset(("IDN", "JPN")) in p  # Indonesia Japan, 495, 2008
    assert frozenset(("AUS", "KOR")) not in p  # Australia Korea enters into force 2014
    assert frozenset(("CHN", "KOR")) not in p  # 2015
    assert frozenset(("CHN", "IND")) not in p  # only the Bangkok Agreement / APTA (partial scope)
    assert frozenset(("BRA", "KOR")) not in p  # only GSTP / PTN
    assert frozenset(("DEU", "FRA")) in p and frozenset(("DEU", "GBR")) in p  # EU of 2014
    assert frozenset(("CHE", "CHN")) not in p  # China Switzerland, July 2014
    assert frozenset(("CHE", "CHN")) in desta.agreement_pairs(desta.load(SHARED), 2015)
