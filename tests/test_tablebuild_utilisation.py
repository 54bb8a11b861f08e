"""tablebuild.utilisation on a slice of budgetlab_mfn_exemption_shares.csv."""

from __future__ import annotations

from pathlib import Path

import pytest

from fta_compare.tablebuild import utilisation

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.mark.shared
def test_fta_partners_only_clipped_and_sorted() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    raw = utilisation.load(SHARED)
    u = utilisation.build_utilisation(raw[raw["hs2"].isin(["01", "62", "87"])])
    # raw rows: 87,5800 -> 0.977910469384937 (KOR); 87,5880 (JPN) is not used; 01,6021 -> 1
    k = u.set_index(["exporter", "hs"])["share"]
    assert k[("KOR", "87")] == 0.97791
    assert k[("AUS", "01")] == 1.0
    assert "JPN" not in set(u["exporter"])
    assert list(u["agreement"].unique()) == ["AUS_USA", "KORUS", "USMCA"]
    assert set(u.loc[u["agreement"] == "USMCA", "exporter"]) == {"CAN", "MEX"}
    assert (u["importer"] == "USA").all() and u["share"].between(0, 1).all()
