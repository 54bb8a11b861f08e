"""tablebuild.schedules on six HS6: observed JPN/USA rows, imputed and hypothetical schedules.

Inputs are slices of the Japanese lines, the HTS8 lines and WDI; the expected imputed rates
follow from WDI (KOR 8.67% in 2022) and the rules in the module docstring.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fta_compare.inputs.hs import longest_prefix_index
from fta_compare.tablebuild import japan_tariff, schedules, us_hts, wdi

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
U = ["020130", "040690", "100630", "640399", "847130", "870421"]
KOR_MFN = 0.0867


@pytest.fixture(scope="module")
def built() -> tuple[dict[str, pd.DataFrame], dict]:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    jp = japan_tariff.load(SHARED)
    hts8 = us_hts.load_hts8(SHARED)
    weights = pd.Series({"VNM": 5_422_752.0, "THA": 326_440.0})
    return schedules.build_schedules(
        U, jp[jp["hs6"].isin(U)], hts8[hts8["hs6"].isin(U)], wdi.load(SHARED), weights
    )


def _expand(prefs: pd.DataFrame, agreement: str, importer: str, year: int, exporter: str = ""):
    """HS6 -> rate of one schedule under the longest-prefix rule."""
    p = prefs[
        (prefs["agreement"] == agreement)
        & (prefs["importer"] == importer)
        & (prefs["year"] == year)
        & (prefs["exporter"] == exporter)
    ].reset_index(drop=True)
    idx = longest_prefix_index(pd.Series(U), p["hs"])
    return {h: float(p["rate"].iloc[i]) for h, i in zip(U, idx, strict=True) if i >= 0}


def test_mfn_rows(built) -> None:
    sched, info = built
    m = sched["mfn"].set_index(["importer", "hs"])
    assert m.loc[("JPN", "020130"), "rate"] == 0.385
    assert m.loc[("USA", "870421"), "rate"] == 0.25
    # KOR: WDI rate on HS6 dutiable in JPN or USA, 0 where both are free (laptops)
    assert m.loc[("KOR", "640399"), "rate"] == KOR_MFN
    assert m.loc[("KOR", "847130"), "rate"] == 0.0
    assert m.loc[("KOR", "847130"), "quality"] == (
        "imputed:wdi_weighted_mfn_uniform_on_jpn_or_usa_dutiable_hs6"
    )
    assert info["dutiable"] == 5
    # sensitive lists from Japan's schedule: beef has no RCEP cut for CHN/KOR; the cheese
    # HS6's CPTPP rate equals its MFN
    assert info["s_rcep"] == ["020130", "040690"] and info["s_cptpp"] == ["040690"]


def test_observed_preferences_only_below_mfn(built) -> None:
    sched, _ = built
    p = sched["preferences"]
    obs = p[(p["importer"] == "USA") & (p["agreement"] == "KORUS")].set_index("hs")
    assert obs.loc["100630", "rate"] == 0.007 and obs.loc["100630", "year"] == 2025
    assert "870421" not in obs.index  # KORUS 25% = MFN: no row
    jp = p[(p["importer"] == "JPN") & (p["agreement"] == "CPTPP")].set_index("hs")
    assert jp.loc["020130", "rate"] == 0.208 and jp.loc["020130", "quality"] == "observed"
    assert jp.loc["640399", "quality"] == "imputed:jpn_adval_component_lower_bound"


def test_imputed_in_force_staging_and_sensitive_lists(built) -> None:
    sched, _ = built
    p = sched["preferences"].fillna({"exporter": ""})
    kor_chn = _expand(p, "KOR_CHN", "KOR", 2026)
    # 20 linear steps from 2015: 12/20 = 60% of the MFN removed by 2026
    assert kor_chn["640399"] == pytest.approx(KOR_MFN * 0.4)
    assert kor_chn["020130"] == KOR_MFN  # RCEP sensitive list: kept at MFN
    rcep = _expand(p, "RCEP", "KOR", 2026)
    assert rcep["640399"] == pytest.approx(KOR_MFN * 0.75)  # 5/20 steps from 2022
    korus = _expand(p, "KORUS", "KOR", 2026)
    assert korus["640399"] == 0.0 and korus["040690"] == KOR_MFN  # CPTPP list kept


def test_hypothetical_agreements(built) -> None:
    sched, _ = built
    p = sched["preferences"].fillna({"exporter": ""})
    # CJK, Japan's side: observed RCEP-China rate 0.204091 cut by 10% in 2027, 100% in 2036
    cjk = p[(p["agreement"] == "CJK") & (p["importer"] == "JPN") & (p["exporter"] == "CHN")]
    r = dict(zip(cjk["year"], cjk["rate"], strict=True))
    assert r == {2027: 0.183682, 2031: 0.102045, 2036: 0.0}
    # CPTPP_KOR, Korea's side: MFN x (1 - 0.1) in 2027 except the CPTPP list
    kor = _expand(p, "CPTPP_KOR", "KOR", 2027)
    assert kor["640399"] == pytest.approx(KOR_MFN * 0.9) and kor["040690"] == KOR_MFN
    jk = p[(p["agreement"] == "JK_PLUS") & (p["importer"] == "JPN")].set_index("hs")
    assert jk.loc["020130", "rate"] == 0.208 and jk.loc["020130", "exporter"] == ""


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # importers without trade
def test_weighted_check() -> None:
    trade = pd.DataFrame(
        {
            "exporter": ["JPN", "CHN", "KOR"],
            "importer": ["KOR", "KOR", "KOR"],
            "hs": ["a", "b", "a"],
            "value": [3000.0, 1000.0, 50.0],
        }
    )
    mfn = pd.DataFrame({"importer": "KOR", "hs": ["a", "b"], "rate": [0.1, 0.0]})
    chk, tot = schedules.weighted_check(trade, mfn, {"KOR": 0.0867})
    assert chk.startswith("KOR 0.0750 (WDI 0.0867)")  # domestic cell ignored
    assert tot.startswith("KOR 0")
