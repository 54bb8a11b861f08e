"""The bridge from HS6 scenarios to the sector model: factors worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from fta_compare.model.arrays import MarketArrays, Shock
from fta_compare.scenarios.ge_bridge import build_bridge, ge_shock

PE = np.array(["EUN", "JPN", "KOR", "ROW", "VNM"], dtype=object)
HS = np.array(["010121", "870321", "870899", "999999"], dtype=object)
GE = ("DEU", "FRA", "JPN", "KOR", "ROW")
SECTORS = ("C01", "C20", "C23")
SECTOR_HS = {"C01": ("01",), "C20": ("8703", "8708"), "C23": ()}
REGIONS = {"EUN": ("DEU", "FRA", "ITA")}  # ITA is not a GE economy here


def pe_case() -> tuple[MarketArrays, Shock]:
    P, N = len(HS), len(PE)
    M0 = np.zeros((P, N, N))
    t0 = np.zeros((P, N, N))
    t1 = np.zeros((P, N, N))
    e = {c: k for k, c in enumerate(PE)}
    p = {h: k for k, h in enumerate(HS)}

    def cell(h: str, exp: str, imp: str, m: float, r0: float, r1: float) -> None:
        M0[p[h], e[exp], e[imp]] = m
        t0[p[h], e[exp], e[imp]] = r0
        t1[p[h], e[exp], e[imp]] = r1

    cell("870321", "JPN", "KOR", 100.0, 0.08, 0.0)
    cell("870899", "JPN", "KOR", 300.0, 0.08, 0.04)
    cell("870321", "VNM", "KOR", 50.0, 0.08, 0.0)
    cell("870321", "ROW", "KOR", 150.0, 0.08, 0.08)
    cell("870321", "EUN", "KOR", 80.0, 0.08, 0.0)
    cell("870321", "KOR", "KOR", 999.0, 0.0, 0.0)  # domestic: left out
    cell("999999", "JPN", "KOR", 40.0, 0.05, 0.0)  # no sector: left out, reported
    m = MarketArrays(hs=HS, countries=PE, base_value=M0, base_rate=t0,
                     import_demand=-np.ones((P, N)), substitution=np.ones((P, N)),
                     export_supply=np.full((P, N), np.inf))
    return m, Shock(new_rate=t1)


def test_factors_are_base_trade_weighted_tariff_factor_changes() -> None:
    m, shock = pe_case()
    b = build_bridge(m.hs, m.countries, m.base_value, SECTORS, SECTOR_HS, GE, REGIONS)
    assert list(b.sector_of) == [0, 1, 1, -1]
    assert b.unmapped_products == 1 and b.unmapped_value == 40.0
    rule = dict(zip(b.mapping["pe_economy"], b.mapping["rule"], strict=True))
    assert rule["EUN"] == "region: each member" and rule["VNM"].startswith("no counterpart")
    f = b.factors(m, shock)
    g = {c: k for k, c in enumerate(GE)}
    kor = g["KOR"]
    assert f.shape == (3, 5, 5)
    assert f[1, g["JPN"], kor] == pytest.approx((100 / 1.08 + 300 * 1.04 / 1.08) / 400)
    assert f[1, g["ROW"], kor] == pytest.approx((50 / 1.08 + 150 * 1.0) / 200)
    assert f[1, g["DEU"], kor] == pytest.approx(1 / 1.08)
    assert f[1, g["FRA"], kor] == pytest.approx(1 / 1.08)
    assert f[1, kor, kor] == 1.0 and f[0, g["JPN"], kor] == 1.0 and (f[2] == 1.0).all()


def test_scenario_tariffs_scale_the_ge_baseline_and_cost_reaches_goods_only() -> None:
    m, shock = pe_case()
    b = build_bridge(m.hs, m.countries, m.base_value, SECTORS, SECTOR_HS, GE, REGIONS)
    g = {c: k for k, c in enumerate(GE)}
    base = np.full((3, 5, 5), 0.2)
    goods = np.array([True, True, False])
    tau = np.where(m.base_value > 0, -0.1, 0.0)
    tariff, cost = ge_shock(b, m, Shock(new_rate=shock.new_rate, trade_cost=tau), base, goods)
    f = (100 / 1.08 + 300 * 1.04 / 1.08) / 400
    assert tariff[1, g["JPN"], g["KOR"]] == pytest.approx(1.2 * f - 1)
    assert tariff[0, g["JPN"], g["KOR"]] == 0.2  # no PE trade in that sector: GE baseline
    assert cost is not None
    assert cost[1, g["JPN"], g["KOR"]] == pytest.approx(-0.1)
    assert (cost[2] == 0).all()  # services: the depth cost cut reaches goods sectors only
    same, none = ge_shock(b, m, Shock(new_rate=m.base_rate), base, goods)
    assert (same == base).all() and none is None  # no tariff change: exactly the baseline
