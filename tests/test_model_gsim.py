"""Linear GSIM (DESIGN 3b): published example, cases solved on paper, invariants, guards."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction

import numpy as np
import pytest

from fta_compare.model.arrays import MarketArrays, Shock
from fta_compare.model.gsim import solve_gsim
from fta_compare.model.smart import solve_smart
from helpers import FH_M, FH_T0, market

# Four-region example (US, JP, EU, RW) used with the GSIM model; rows exporters, columns
# importers, diagonal = domestic / intra-regional sales; tariff powers T0 = 1 + t0.
US, JP, EU, RW = range(4)


def fh_example() -> tuple[MarketArrays, Shock]:
    m = market(FH_M[None], FH_T0[None] - 1.0, Em=-1.25, Es=5.0, Ex=1.5)
    T1 = FH_T0.copy()
    T1[EU, US] = T1[US, EU] = 1.0  # US-EU free trade agreement
    return m, Shock(new_rate=T1[None] - 1.0)


def test_francois_hall_worked_example_world_prices():
    """GSIM worked example: 4 regions, Em = -1.25, Es = 5, Ex = 1.5, US-EU FTA.

    Source of the expected numbers: the published Francois & Hall (2003) paper text was
    found (WITS GSIMpaper.pdf, version 3.0, 21 April 2003) but not its tables. The world
    price changes below (US +7.92%, JP -3.16%, EU +4.80%, RW -1.84%) are the "reported
    prices" quoted for this 4x4 data set and experiment in a public R re-implementation of
    the GSIM spreadsheet example ("# GSIM 4x4 model"); that script reaches them with a
    damped finite-difference Newton iteration. We reproduce them to 4 decimals with one
    direct linear solve.
    """
    m, s = fh_example()
    res = solve_gsim(m, s)
    np.testing.assert_array_equal(
        np.round(res.world_price_change[0], 4), [0.0792, -0.0316, 0.0480, -0.0184]
    )
    assert res.converged.all()
    assert res.residual[0] < 1e-14
    # clearing of the linear system: sum_r phi_vr Mhat_vr = Ex_v Pw_v
    M0 = FH_M.astype(float)
    phi = M0 / M0.sum(axis=1, keepdims=True)
    Mhat = np.divide(res.new_value[0], M0 * (1 + res.world_price_change[0])[:, None],
                     out=np.ones_like(M0), where=M0 > 0) - 1  # fmt: skip
    np.testing.assert_allclose((phi * Mhat).sum(axis=1), 1.5 * res.world_price_change[0],
                               atol=1e-13)  # fmt: skip


def test_two_region_case_solved_on_paper():
    """Exporter 1 sells only to 2 (100 at t0 = 25%); 2 sells 100 at home. Em = -1, Es = 3,
    Ex = 2 both. Tariff removed: That_12 = 1/1.25 - 1 = -1/5.

    theta_12 = 125/225 = 5/9, theta_22 = 4/9; phi_12 = phi_22 = 1. With a = Pw_1, c = Pw_2:
        Mhat_12 = 2 Pbar - 3 (a - 1/5) = 2 a,  Mhat_22 = 2 Pbar - 3 c = 2 c,
        Pbar = (5 (a - 1/5) + 4 c) / 9
    => -35 a + 8 c + 17/5 = 0 and 10 a - 37 c = 2 => a = 61/675, c = -4/135, Pbar = -2/27.
    """
    M = np.zeros((1, 2, 2))
    M[0, 0, 1], M[0, 1, 1] = 100.0, 100.0
    t0 = np.zeros((1, 2, 2))
    t0[0, 0, 1] = 0.25
    res = solve_gsim(market(M, t0, Em=-1.0, Es=3.0, Ex=2.0), Shock(np.zeros((1, 2, 2))))
    a, c, pbar = Fraction(61, 675), Fraction(-4, 135), Fraction(-2, 27)
    np.testing.assert_allclose(res.world_price_change[0], [float(a), float(c)], rtol=1e-13)
    # decomposition in quantities at base prices
    p12 = a - Fraction(1, 5)
    assert res.trade_creation[0, 0, 1] == pytest.approx(float(100 * -1 * pbar), rel=1e-12)
    assert res.trade_diversion[0, 0, 1] == pytest.approx(float(100 * 3 * (pbar - p12)))
    assert res.new_value[0, 0, 1] == pytest.approx(float(100 * (1 + 2 * a) * (1 + a)))
    assert res.new_value[0, 1, 1] == pytest.approx(float(100 * (1 + 2 * c) * (1 + c)))
    # welfare: PS = R0 Pw (1 + Ex Pw / 2); P_2 = sum theta ((1 + Pw) T1/T0 - 1)
    assert res.producer_surplus[0, 0] == pytest.approx(float(100 * a * (1 + a)), rel=1e-12)
    assert res.producer_surplus[0, 1] == pytest.approx(float(100 * c * (1 + c)), rel=1e-12)
    P2 = Fraction(5, 9) * ((1 + a) * Fraction(4, 5) - 1) + Fraction(4, 9) * c
    assert res.consumer_surplus[0, 1] == pytest.approx(float(-225 * P2 * (1 - P2 / 2)))
    assert res.tariff_revenue[0, 1] == pytest.approx(-25.0)
    assert res.consumer_surplus[0, 0] == 0.0 and res.tariff_revenue[0, 0] == 0.0


def test_three_region_case_solved_on_paper_infinite_supply():
    """Importer 2 buys 100 from 0 and 300 from 1 at 20%, 600 at home; 0's tariff removed.
    Em = -1, Es = 4, Ex = inf. theta = (1/9, 1/3, 5/9), That_0 = -1/6, Pbar = -1/54;
    Mhat_0 = 1/54 + 4 (8/54) = 11/18, Mhat_1 = Mhat_2 = 1/54 - 4/54 = -1/18."""
    M = np.zeros((1, 3, 3))
    M[0, :, 2] = [100.0, 300.0, 600.0]
    t0 = np.zeros((1, 3, 3))
    t0[0, :2, 2] = 0.2
    t1 = t0.copy()
    t1[0, 0, 2] = 0.0
    res = solve_gsim(market(M, t0, Em=-1.0, Es=4.0, Ex=np.inf), Shock(t1))
    assert np.all(res.world_price_change == 0.0)
    expected = [100 * 29 / 18, 300 * 17 / 18, 600 * 17 / 18]
    np.testing.assert_allclose(res.new_value[0, :, 2], expected, rtol=1e-13)
    assert res.trade_creation[0, 0, 2] == pytest.approx(100 / 54)
    assert res.trade_diversion[0, 0, 2] == pytest.approx(400 * 8 / 54)
    assert res.consumer_surplus[0, 2] == pytest.approx(20 * (1 + 1 / 108))
    assert res.tariff_revenue[0, 2] == pytest.approx(-20 + 0.2 * (300 * 17 / 18 - 300))
    assert np.all(res.producer_surplus == 0.0)
    # diversion nets to zero weighted by internal prices: sum_v T0 TD_vr = 0
    weighted = ((1 + t0[0, :, 2]) * res.trade_diversion[0, :, 2]).sum()
    assert weighted == pytest.approx(0.0, abs=1e-12)


def loop_gsim(M, T0, T1, Em, Es, Ex):
    """DESIGN 3b written out literally, one product, loops (independent reference)."""
    N = M.shape[0]
    E = T0 * M
    theta = np.divide(E, E.sum(0), out=np.zeros_like(E), where=E.sum(0) > 0)
    phi = np.divide(M, M.sum(1)[:, None], out=np.zeros_like(M), where=M.sum(1)[:, None] > 0)
    dT = T1 / T0 - 1
    A = np.zeros((N, N))
    b = np.zeros(N)
    for v in range(N):
        if np.isinf(Ex[v]) or M[v].sum() == 0:
            A[v, v] = 1.0
            continue
        for r in range(N):
            for k in range(N):
                if k == v:
                    Nel = theta[v, r] * Em[r] - (1 - theta[v, r]) * Es[r]
                else:
                    Nel = theta[k, r] * (Em[r] + Es[r])
                A[v, k] += phi[v, r] * Nel
                b[v] += phi[v, r] * Nel * dT[k, r]
        A[v, v] -= Ex[v]
    return np.linalg.solve(A, -b)


def test_matches_literal_formulas_with_domestic_and_zero_cells():
    rng = np.random.default_rng(11)
    N = 5
    M = rng.uniform(1, 100, (N, N)) * (rng.random((N, N)) > 0.3)
    M[3, :] = 0.0  # an exporter with no sales
    T0 = 1 + rng.uniform(0, 0.3, (N, N))
    T1 = T0 * rng.choice([0.8, 1.0, 1.1], (N, N))
    Em, Es = rng.uniform(-2, -0.5, N), rng.uniform(1, 6, N)
    Ex = rng.uniform(0.5, 4, N)
    Ex[1] = np.inf
    res = solve_gsim(market(M[None], T0[None] - 1, Em, Es, Ex), Shock(T1[None] - 1))
    np.testing.assert_allclose(res.world_price_change[0], loop_gsim(M, T0, T1, Em, Es, Ex),
                               rtol=1e-11, atol=1e-14)  # fmt: skip
    assert res.world_price_change[0, 1] == 0.0 and res.world_price_change[0, 3] == 0.0


def test_infinite_supply_reduces_to_first_order_single_market_form():
    rng = np.random.default_rng(5)
    P, N = 3, 4
    M = rng.uniform(0, 50, (P, N, N))
    T0 = 1 + rng.uniform(0, 0.25, (P, N, N))
    T1 = T0 * rng.uniform(0.8, 1.2, (P, N, N))
    Em, Es = rng.uniform(-2, -0.5, (P, N)), rng.uniform(1, 6, (P, N))
    res = solve_gsim(market(M, T0 - 1, Em, Es, np.inf), Shock(T1 - 1))
    assert np.all(res.world_price_change == 0.0)
    theta = T0 * M / (T0 * M).sum(axis=1, keepdims=True)
    P_int = T1 / T0 - 1
    Pbar = (theta * P_int).sum(axis=1, keepdims=True)
    Mhat = Em[:, None, :] * Pbar + Es[:, None, :] * (Pbar - P_int)
    np.testing.assert_allclose(res.new_value, M * (1 + Mhat), rtol=1e-12)
    np.testing.assert_allclose(res.trade_creation + res.trade_diversion, M * Mhat, atol=1e-11)


def test_smart_diversion_agrees_with_gsim_to_first_order_only():
    """Three foreign suppliers at equal t0 (no domestic cell), Ex = inf. GSIM's diversion
    M Es (Pbar - P) is the first-order term of SMART's Laird–Yeats form; the difference
    shrinks like shock^2 (relative difference like shock) but is not zero."""
    M = np.zeros((1, 4, 4))
    M[0, :3, 3] = [100.0, 200.0, 300.0]
    t0 = np.zeros((1, 4, 4))
    t0[0, :3, 3] = 0.1
    m = market(M, t0, Em=-1.5, Es=2.5, Ex=np.inf)
    diffs, rels = [], []
    for k in (0.2, 0.1, 0.05, 0.025):
        t1 = t0.copy()
        t1[0, 0, 3] = 0.1 - k * 0.5  # A cut
        t1[0, 1, 3] = 0.1 - k * 0.2  # B cut less
        td_s = solve_smart(m, Shock(t1)).trade_diversion[0, :3, 3]
        td_g = solve_gsim(m, Shock(t1)).trade_diversion[0, :3, 3]
        d = np.abs(td_s - td_g).max()
        diffs.append(d)
        rels.append(d / np.abs(td_g).max())
    assert diffs[0] > 1e-3  # they differ at second order
    for a, b in itertools.pairwise(diffs):
        assert 3.5 < a / b < 4.5  # O(shock^2)
    for a, b in itertools.pairwise(rels):
        assert 1.7 < a / b < 2.3  # relative difference O(shock)


def test_zero_shock_is_exactly_zero():
    m, _ = fh_example()
    res = solve_gsim(m, Shock(FH_T0[None] - 1.0))
    assert np.array_equal(res.new_value, m.base_value)
    for name in ("trade_creation", "trade_diversion", "world_price_change",
                 "consumer_surplus", "producer_surplus", "tariff_revenue"):  # fmt: skip
        assert np.all(getattr(res, name) == 0.0), name
    assert res.converged.all()


def test_singular_and_non_finite_products_flagged_not_nan():
    """Product 0: Es = 0 and Ex = 0 with one market -> A has rank 1 (singular) while the
    shock is not zero. Product 1: NaN elasticity. Product 2: a normal product, unaffected."""
    M = np.zeros((3, 3, 3))
    M[:, 0, 2], M[:, 1, 2] = 50.0, 80.0
    t0 = np.full((3, 3, 3), 0.1)
    t1 = t0.copy()
    t1[:, 0, 2] = 0.0
    Em = np.full((3, 3), -1.0)
    Es = np.full((3, 3), 2.0)
    Ex = np.full((3, 3), 1.5)
    Es[0], Ex[0] = 0.0, 0.0
    Em[1, 2] = np.nan
    res = solve_gsim(market(M, t0, Em, Es, Ex), Shock(t1))
    assert res.converged.tolist() == [False, False, True]
    assert np.all(res.residual[:2] > 0)
    for f in dataclasses.fields(res):
        assert np.isfinite(np.asarray(getattr(res, f.name), float)).all(), f.name
    assert np.array_equal(res.new_value[:2], M[:2])
    assert np.all(res.world_price_change[:2] == 0.0) and np.all(res.consumer_surplus[:2] == 0)
    good = solve_gsim(market(M[2:], t0[2:], Em[2:], Es[2:], Ex[2:]), Shock(t1[2:]))
    np.testing.assert_allclose(res.new_value[2], good.new_value[0], rtol=1e-14)


def test_trade_cost_channel_equals_equivalent_tariff_without_revenue():
    m, s = fh_example()
    tau = np.zeros_like(m.base_rate)
    tau[0, EU, US] = 1 / FH_T0[EU, US] - 1  # same internal price as the FTA for EU -> US
    tau[0, US, EU] = 1 / FH_T0[US, EU] - 1
    res_tau = solve_gsim(m, Shock(m.base_rate.copy(), tau))
    res_tar = solve_gsim(m, s)
    np.testing.assert_allclose(res_tau.world_price_change, res_tar.world_price_change)
    np.testing.assert_allclose(res_tau.new_value, res_tar.new_value, rtol=1e-12)
    tr = (m.base_rate[0] * (res_tau.new_value[0] - m.base_value[0])).sum(axis=0)
    np.testing.assert_allclose(res_tau.tariff_revenue[0], tr, rtol=1e-12)


def test_welfare_identities():
    m, s = fh_example()
    res = solve_gsim(m, s)
    np.testing.assert_allclose(
        res.net_welfare, res.consumer_surplus + res.producer_surplus + res.tariff_revenue
    )
    # published-style figures are O(100) here; CS uses the second-order form
    Pw = res.world_price_change[0]
    theta = FH_T0 * FH_M / (FH_T0 * FH_M).sum(axis=0)
    T1 = 1 + s.new_rate[0]
    Pc = (theta * ((1 + Pw)[:, None] * T1 / FH_T0 - 1)).sum(axis=0)
    E0 = (FH_T0 * FH_M).sum(axis=0)
    np.testing.assert_allclose(res.consumer_surplus[0], -E0 * Pc * (1 - 0.625 * Pc))
    R0 = FH_M.sum(axis=1)
    np.testing.assert_allclose(res.producer_surplus[0], R0 * Pw * (1 + 0.75 * Pw))


def test_draws_axis_equals_separate_calls():
    m, s = fh_example()
    Em = np.stack([m.import_demand, m.import_demand * 1.4])
    Es = np.stack([m.substitution, m.substitution * 0.5])
    Ex = np.stack([m.export_supply, np.full_like(m.export_supply, np.inf)])
    both = solve_gsim(dataclasses.replace(m, import_demand=Em, substitution=Es,
                                          export_supply=Ex), s)  # fmt: skip
    assert both.new_value.shape == (2, 1, 4, 4) and both.converged.shape == (2, 1)
    for d in range(2):
        one = solve_gsim(dataclasses.replace(m, import_demand=Em[d], substitution=Es[d],
                                             export_supply=Ex[d]), s)  # fmt: skip
        for f in dataclasses.fields(one):
            if f.name != "iterations":
                np.testing.assert_allclose(getattr(both, f.name)[d], getattr(one, f.name),
                                           rtol=1e-13, atol=1e-12, err_msg=f.name)  # fmt: skip


def test_base_system_derived_once_per_market_and_sliced_for_subsets():
    """The policy-free part of the system (shares, ``A``) is derived once per market and a
    product subset takes its slices: the same bits as computing it on the subset."""
    rng = np.random.default_rng(4)
    P, N = 9, 4
    M = rng.uniform(0, 50, (P, N, N)) * (rng.random((P, N, N)) < 0.8)
    t0 = rng.uniform(0, 0.2, (P, N, N))
    m = market(M, t0, Em=-rng.uniform(0.5, 2.0, (P, N)), Es=rng.uniform(1.5, 6.0, (P, N)),
               Ex=rng.uniform(1.0, 5.0, (P, N)))
    s = Shock(new_rate=t0 * rng.uniform(0.0, 2.0, (P, N, N)))
    first = solve_gsim(m, s)
    assert "gsim" in m.__dict__["_derived"]
    again = solve_gsim(m, s)  # from the kept system
    rows = np.array([1, 4, 7])
    sub = m.take(rows)
    assert "gsim" in sub.__dict__["_parent_derived"][0]  # sliced on first use
    fresh = market(M[rows], t0[rows], m.import_demand[rows], m.substitution[rows],
                   m.export_supply[rows])
    sub_shock = Shock(new_rate=s.new_rate[rows])
    for name in ("new_value", "world_price_change", "consumer_surplus", "tariff_revenue"):
        assert np.array_equal(getattr(again, name), getattr(first, name)), name
        assert np.array_equal(getattr(solve_gsim(sub, sub_shock), name),
                              getattr(solve_gsim(fresh, sub_shock), name)), name
    assert "gsim" in sub.__dict__["_derived"]  # the slices, taken when the solver asked
