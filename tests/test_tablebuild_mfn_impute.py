"""tablebuild.mfn_impute: WIOD sector MFN rates, the line structure, the HS6 spread."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fta_compare.tablebuild import desta, mfn_impute, wiod_cp

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.mark.shared
def test_sector_mfn_from_non_agreement_partners() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    cp = wiod_cp.load(SHARED)
    pairs = desta.agreement_pairs(desta.load(SHARED), 2014)
    sm = mfn_impute.sector_mfn(cp, pairs)
    assert {"KOR", "CHN", "EUN", "ROW", "TWN"} <= set(sm.columns) and "DEU" not in sm.columns
    # Korea's agriculture on CHN, JPN, AUS, CAN, BRA, RUS... (no FTA before 2014): > 100%
    assert sm.loc["C01", "KOR"] > 1.0
    # China's motor vehicles: 2014 tariff of about 17% (cars 25%, parts 10%)
    assert 0.15 < sm.loc["C20", "CHN"] < 0.2
    # hand check on one cell: KOR C20 = import-weighted tariff on the partners without FTA
    E, j = list(cp.economies), cp.sectors.index("C20")
    M = wiod_cp.flows(cp)[j]
    k = E.index("KOR")
    part = [i for i, e in enumerate(E) if e not in ("KOR", "ROW")
            and frozenset(("KOR", e)) not in pairs]
    w = M[part, k]
    assert sm.loc["C20", "KOR"] == pytest.approx((w * cp.tariff[j, part, k]).sum() / w.sum())
    ov = mfn_impute.overall_mfn(cp, sm)
    assert 0.04 < ov["KOR"] < 0.07


def test_line_structure_and_spread() -> None:
    U = ["870321", "870322", "870421", "870899", "010121", "010129"]
    jp = pd.Series({"870321": 0.0, "870322": 0.0, "870421": 0.0, "870899": 0.0,
                    "010121": 0.0, "010129": 0.1})
    us = pd.Series({"870321": 0.025, "870322": 0.025, "870421": 0.25, "870899": 0.025})
    st = mfn_impute.line_structure(U, jp, us).set_index("hs")
    # C20: JPN all zero -> uniform 1; USA mean 0.08125 -> 870421 ratio 3.08 capped at 3
    assert st.loc["870421", "r"] == pytest.approx((1 + 3.0) / 2)
    assert st.loc["870321", "r"] == pytest.approx((1 + 0.025 / 0.08125) / 2)
    # C01: only JPN has rates (USA missing): r = 0 / 2 for the free line
    assert st.loc["010121", "r"] == 0.0 and st.loc["010129", "r"] == pytest.approx(2.0)
    sect = pd.DataFrame({"KOR": {"C20": 0.06, "C01": 0.5}})
    mfn, _ = mfn_impute.impute(U, sect, pd.Series({"ROW": 0.05}), st.reset_index(), {}, ["KOR"])
    r = mfn.set_index("hs")["rate"]
    # the sector's simple mean equals the sector MFN
    assert r[["870321", "870322", "870421", "870899"]].mean() == pytest.approx(0.06, abs=1e-6)
    assert r[["010121", "010129"]].mean() == pytest.approx(0.5, abs=1e-6)
    assert set(mfn["quality"]) == {mfn_impute.Q_WIOD}


def test_overrides_and_cap() -> None:
    U = ["100630", "100640"]
    st = pd.DataFrame({"hs": U, "sector": ["C01", "C01"], "r": [1.0, 1.0]})
    sect = pd.DataFrame({"KOR": {"C01": 9.0}, "CHN": {"C01": 9.0}})
    mfn, _ = mfn_impute.impute(U, sect, pd.Series({"ROW": 0.05}), st, {}, ["KOR", "CHN"])
    m = mfn.set_index(["importer", "hs"])
    assert m.loc[("KOR", "100630"), "rate"] == 5.13  # cited out-of-quota rate
    assert m.loc[("KOR", "100630"), "quality"] == "observed:kor_rice_out_of_quota_513pct"
    assert m.loc[("CHN", "100630"), "rate"] == mfn_impute.MAX_RATE
    assert np.isfinite(mfn["rate"]).all()
