"""tablebuild.schedules (+ prefs, prefs_hypo) on six HS6: observed JPN/USA rows, imputed MFN and
preference schedules of the other importers, hypothetical agreements.

Inputs are slices of the Japanese lines and the HTS8 lines, the full WIOD CP arrays and DESTA;
expected values follow from the rules in the module docstrings.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fta_compare.inputs.hs import longest_prefix_index
from fta_compare.tablebuild import desta, japan_tariff, schedules, us_hts, wdi, wiod_cp

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
U = ["020130", "040690", "100630", "640399", "847130", "870421"]


@pytest.fixture(scope="module")
def built() -> tuple[dict[str, pd.DataFrame], dict]:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    jp = japan_tariff.load(SHARED)
    hts8 = us_hts.load_hts8(SHARED)
    cp = wiod_cp.load(SHARED)
    pairs = desta.agreement_pairs(desta.load(SHARED), 2014)
    return schedules.build_schedules(
        U, jp[jp["hs6"].isin(U)], hts8[hts8["hs6"].isin(U)], wdi.load(SHARED), cp, pairs
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


def _mfn(sched, imp: str) -> dict[str, float]:
    m = sched["mfn"]
    return dict(zip(m.loc[m["importer"] == imp, "hs"], m.loc[m["importer"] == imp, "rate"],
                    strict=True))


def test_mfn_rows(built) -> None:
    sched, info = built
    m = sched["mfn"].set_index(["importer", "hs"])
    assert m.loc[("JPN", "020130"), "rate"] == 0.385
    assert m.loc[("JPN", "100630"), "rate"] == 7.78  # out-of-quota AVE, not the in-quota 0
    assert m.loc[("USA", "870421"), "rate"] == 0.25
    assert m.loc[("KOR", "100630"), "rate"] == 5.13  # cited, replaces the imputed value
    assert m.loc[("KOR", "640399"), "quality"] == "sector_observed:wiod2014_sector_line_structure"
    assert m.loc[("VNM", "640399"), "quality"] == "imputed:wdi_level_wiod_row_sector_line_structure"
    # laptops are free in Japan and the USA; in this 6-code slice they are the only C17 code,
    # so C17 has no structure (uniform) and takes the sector rate (in the full universe: 0)
    assert m.loc[("KOR", "847130"), "rate"] == round(info["sector_mfn"].loc["C17", "KOR"], 6)
    assert m.loc[("KOR", "640399"), "rate"] > 0.0 and m.loc[("CHN", "870421"), "rate"] > 0.1
    assert set(sched["mfn"]["importer"]) == set(schedules.UNIVERSE)
    # sensitive lists from Japan's schedule: beef has no RCEP cut for CHN/KOR; cheese's and
    # rice's CPTPP rates equal the MFN (rice: out-of-quota AVE, no concession anywhere)
    assert info["s_rcep"] == ["020130", "040690", "100630"]
    assert info["s_cptpp"] == ["040690", "100630"]


def test_observed_preferences_only_below_mfn(built) -> None:
    sched, _ = built
    p = sched["preferences"]
    obs = p[(p["importer"] == "USA") & (p["agreement"] == "KORUS")].set_index("hs")
    assert obs.loc["100630", "rate"] == 0.007 and obs.loc["100630", "year"] == 2025
    assert "870421" not in obs.index  # KORUS 25% = MFN: no row
    jp = p[(p["importer"] == "JPN") & (p["agreement"] == "CPTPP")].set_index("hs")
    assert jp.loc["020130", "rate"] == 0.208 and jp.loc["020130", "quality"] == "observed"
    assert jp.loc["640399", "quality"] == "imputed:jpn_adval_component_lower_bound"
    assert "100630" not in jp.index  # rice: no Japanese concession
    # Japan's RCEP ASEAN/AUS/NZ schedule: one row set per exporter it covers
    ra = p[(p["importer"] == "JPN") & (p["agreement"] == "RCEP") & (p["hs"] == "640399")]
    assert {"AUS", "NZL", "VNM", "MYS", "SGP", "THA", "IDN", "CHN"} <= set(ra["exporter"])
    eu = p[(p["importer"] == "JPN") & (p["agreement"] == "JPN_EU")]
    assert len(eu) > 0 and set(eu["exporter"]) == {""}


def test_imputed_in_force_staging_and_sensitive_lists(built) -> None:
    sched, _ = built
    p = sched["preferences"].fillna({"exporter": ""})
    kor = _mfn(sched, "KOR")
    kor_chn = _expand(p, "KOR_CHN", "KOR", 2026)
    # 20 linear steps from 2015: 12/20 = 60% of the MFN removed by 2026
    assert kor_chn["640399"] == pytest.approx(kor["640399"] * 0.4, abs=1e-6)
    assert kor_chn["020130"] == kor["020130"]  # RCEP sensitive list: kept at MFN
    rcep = _expand(p, "RCEP", "KOR", 2026)
    assert rcep["640399"] == pytest.approx(kor["640399"] * 0.75, abs=1e-6)  # 5/20 from 2022
    korus = _expand(p, "KORUS", "KOR", 2026)
    assert korus["640399"] == 0.0 and korus["040690"] == kor["040690"]  # CPTPP list kept
    assert korus["100630"] == 5.13  # rice stays out of every Korean FTA
    eu = _expand(p, "KOR_EU", "EUN", 2026)  # the EU side of EU-Korea, fully phased in
    assert eu["640399"] == 0.0
    evfta = _expand(p, "EU_VNM", "VNM", 2026)  # in force 2020: 7/10 steps done in 2026
    assert evfta["640399"] == pytest.approx(_mfn(sched, "VNM")["640399"] * 0.3, abs=1e-6)


def test_hypothetical_agreements(built) -> None:
    sched, _ = built
    p = sched["preferences"].fillna({"exporter": ""})
    kor, chn, eun = _mfn(sched, "KOR"), _mfn(sched, "CHN"), _mfn(sched, "EUN")
    # CJK, Japan's side: observed RCEP-China rate 0.204091 cut by 10% in 2027, 100% in 2036
    cjk = p[(p["agreement"] == "CJK") & (p["importer"] == "JPN") & (p["exporter"] == "CHN")
            & (p["hs"] == "640399")]
    r = dict(zip(cjk["year"], cjk["rate"], strict=True))
    assert r == {2027: 0.183682, 2031: 0.102045, 2036: 0.0}
    # CPTPP_KOR, Korea's side: MFN x (1 - 0.1) in 2027 except the CPTPP list (and rice)
    k = _expand(p, "CPTPP_KOR", "KOR", 2027)
    assert k["640399"] == pytest.approx(kor["640399"] * 0.9, abs=1e-6)
    assert k["040690"] == kor["040690"] and k["100630"] == 5.13
    # CPTPP_KOR_CHN: China's side too, and the members extend their CPTPP schedules
    c = _expand(p, "CPTPP_KOR_CHN", "CHN", 2036)
    assert c["640399"] == 0.0 and c["040690"] == chn["040690"]
    assert len(p[(p["agreement"] == "CPTPP_KOR_CHN") & (p["importer"] == "VNM")]) > 0
    # JK_PLUS_EU: Japan's CPTPP rates to every other member, KOR and EUN cut linearly
    jk = p[(p["agreement"] == "JK_PLUS_EU") & (p["importer"] == "JPN")].set_index("hs")
    assert jk.loc["020130", "rate"] == 0.208 and jk.loc["020130", "exporter"] == ""
    e = _expand(p, "JK_PLUS_EU", "EUN", 2031)
    assert e["640399"] == pytest.approx(eun["640399"] * 0.5, abs=1e-6)


def test_mfn_checks() -> None:
    trade = pd.DataFrame({"exporter": ["JPN", "CHN", "KOR"], "importer": ["KOR", "KOR", "KOR"],
                          "hs": ["010121", "010129", "010121"], "value": [3000.0, 1000.0, 50.0]})
    mfn = pd.DataFrame({"importer": "KOR", "hs": ["010121", "010129"], "rate": [0.1, 0.0]})
    w = wdi.load(SHARED) if SHARED.is_dir() else pytest.skip("no shared data")
    ck = schedules.mfn_checks(trade, mfn, w, pd.Series({"KOR": 0.05}))
    assert ck.loc["KOR", "weighted"] == pytest.approx(0.075)  # domestic cell ignored
    assert ck.loc["KOR", "simple"] == pytest.approx(0.05)
    assert ck.loc["KOR", "wdi_latest"] == pytest.approx(0.0867)
