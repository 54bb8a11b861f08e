"""tablebuild.concordance (hs_concordance/) and tablebuild.sectors (no data file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fta_compare.tablebuild import concordance, sectors

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.mark.shared
def test_universe_and_revision_maps() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    c = concordance.load(SHARED)
    assert len(c.universe) == 5612 and "999999" not in c.universe
    assert c.universe == sorted(c.universe)
    # rows of hs6_hs0.csv: 010121 -> 010111, 847130 -> 847193; hs6_hs5/hs5_hs4 identity for 870323
    assert c.hs0["010121"] == "010111" and c.hs0["847130"] == "847193"
    assert c.hs4[c.hs5["870323"]] == "870323"


def test_hs_to_wiod_rules() -> None:
    assert concordance.hs_to_wiod("870323") == "C20"  # chapter 87
    assert concordance.hs_to_wiod("870110") == "C19"  # 6-digit override (tractors)
    assert concordance.hs_to_wiod("030420") == "C05"  # 4-digit override (fillets: food)
    assert concordance.hs_to_wiod("710210") == "C04"  # rough diamonds: mining
    assert concordance.hs_to_wiod("271600") is None  # electrical energy
    assert concordance.hs_to_wiod("980100") is None  # outside chapters 01-97


def test_sectors_sheet() -> None:
    s = sectors.build_sectors()
    assert len(s) == 168 and not s.duplicated(["hs", "sector"]).any()
    assert "77" not in set(s["hs"])
    assert sectors.section_of("870323") == "section_17_transport"
    sec = s[s["sector"] == "section_16_machinery"]
    assert list(sec["hs"]) == ["84", "85"]
    assert set(s.loc[s["sector"] == "steel_aluminium", "hs"]) == {"72", "73", "76"}
