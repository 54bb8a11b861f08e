"""tablebuild.wiod_cp: the WIOD 2014 CP arrays and the settled tariff orientation.

The orientation tests fail under KITE's reading (``cp.tariff_kite``): they pin the importer of
``tariff.csv`` to its ``origin`` column with known 2014 cases and the WDI applied means.
Raw values (``wiod2014_cp_inputs/tariff.csv``): (origin KOR, destination JPN, C20) = 1.0735541,
(origin JPN, destination KOR, C20) = 1.0002967.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fta_compare.tablebuild import wiod_cp

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="module")
def cp() -> wiod_cp.CPData:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    return wiod_cp.load(SHARED)


def _t(cp: wiod_cp.CPData, tariff: np.ndarray, importer: str, exporter: str, sector: str) -> float:
    E = list(cp.economies)
    return float(tariff[cp.sectors.index(sector), E.index(exporter), E.index(importer)])


def test_arrays_and_shares(cp) -> None:
    assert len(cp.economies) == 44 and len(cp.sectors) == 50 and "ROW" in cp.economies
    assert np.allclose(cp.trade_share.sum(axis=1), 1.0, atol=1e-9)  # over origins
    g = cp.gamma.sum(axis=1)
    assert np.all((np.abs(g - 1) < 1e-6) | (g == 0))
    assert np.allclose(cp.alpha.sum(axis=0), 1.0, atol=1e-9)
    assert 1 / cp.inv_theta[cp.sectors.index("C04")] == pytest.approx(1 / 0.0626, rel=1e-2)
    assert (cp.tariff[cp.sectors.index("C30")] == 0).all()  # services untaxed
    assert cp.labels["C20"].startswith("Motor vehicles")


def test_known_cases_fix_the_orientation(cp) -> None:
    t = cp.tariff
    # Korea's 8% car tariff on Japan, Japan's 0% on Korean cars
    assert _t(cp, t, "KOR", "JPN", "C20") == pytest.approx(0.0735541, abs=1e-6)
    assert _t(cp, t, "JPN", "KOR", "C20") < 0.001
    # the EU's 10% car tariff (5.8% with parts) on Japan; Japan 0% on German cars
    assert _t(cp, t, "DEU", "JPN", "C20") > 0.05 > 0.001 > _t(cp, t, "JPN", "DEU", "C20")
    # China's 25% car tariff of 2014; Korea's agricultural peaks on China
    assert _t(cp, t, "CHN", "USA", "C20") > 0.2 and _t(cp, t, "USA", "CHN", "C20") < 0.01
    assert _t(cp, t, "KOR", "CHN", "C01") > 1.5
    # KITE's reading swaps every one of these
    k = cp.tariff_kite
    assert _t(cp, k, "KOR", "JPN", "C20") < 0.001 and _t(cp, k, "CHN", "USA", "C20") < 0.01


def test_importer_means_match_wdi_under_the_settled_reading_only(cp) -> None:
    eu = [e for e in cp.economies if e in ("AUT", "BEL", "DEU", "FRA", "ITA", "NLD", "ESP")]
    a = wiod_cp.importer_means(cp, cp.tariff, {"EUN": eu})
    k = wiod_cp.importer_means(cp, cp.tariff_kite, {"EUN": eu})
    # WDI applied weighted means 2014 (%): USA 1.69, JPN 2.29, IND 6.34 (2013), EU 2.03
    wdi = {"USA": 0.0169, "JPN": 0.0229, "IND": 0.0634, "EUN": 0.0203}
    for c, ref in wdi.items():
        assert abs(a[c] - ref) < abs(k[c] - ref), c
    assert a["USA"] == pytest.approx(0.0157, abs=5e-4)


def test_flows_rebuild_the_shares(cp) -> None:
    M = wiod_cp.flows(cp)
    X = (M * (1 + cp.tariff)).sum(axis=1)
    assert np.allclose(X, cp.expenditure, rtol=1e-9)
    # China's imports from Korea 2014, all sectors (US$ million)
    E = list(cp.economies)
    assert M[:, E.index("KOR"), E.index("CHN")].sum() == pytest.approx(165_497.8, rel=1e-4)
