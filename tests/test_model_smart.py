"""SMART single-market model (DESIGN 3a): the DESIGN check case, the diversion rule, guards."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from fta_compare.model.arrays import MarketArrays, Shock
from fta_compare.model.smart import (
    deadweight_change,
    diversion,
    laird_yeats_welfare,
    solve_smart,
)
from helpers import market


def check_case(Ex: float) -> tuple[MarketArrays, Shock]:
    """DESIGN 3a: importer R buys 100 from A and 200 from B at 10%; A's tariff goes to 0."""
    M = np.zeros((1, 3, 3))
    M[0, 0, 2], M[0, 1, 2] = 100.0, 200.0
    t0 = np.zeros((1, 3, 3))
    t0[0, :2, 2] = 0.10
    t1 = t0.copy()
    t1[0, 0, 2] = 0.0
    return market(M, t0, Em=-1.5, Es=1.5, Ex=Ex), Shock(new_rate=t1)


A, B, R = 0, 1, 2


def test_design_check_case_infinite_supply():
    m, s = check_case(np.inf)
    res = solve_smart(m, s)
    assert res.trade_creation[0, A, R] == pytest.approx(13.636, abs=5e-4)
    assert res.trade_creation[0, A, R] == pytest.approx(100 * 1.5 * 0.1 / 1.1, rel=1e-12)
    assert res.trade_creation[0, B, R] == 0.0
    assert res.trade_diversion[0, A, R] == pytest.approx(8.696, abs=5e-4)
    assert res.trade_diversion[0, B, R] == pytest.approx(-8.696, abs=5e-4)
    assert res.tariff_revenue[0, R] == pytest.approx(-10.870, abs=5e-4)
    assert laird_yeats_welfare(m, s, res)[0, R] == pytest.approx(0.682, abs=5e-4)
    assert np.all(res.world_price_change == 0.0)
    assert np.all(res.producer_surplus == 0.0)
    # exact SMART group formula: TD = M_k M_K Es r / (M_k + M_K + M_k Es r), r = 0.1/1.1
    r = 0.1 / 1.1
    td = 100 * 200 * 1.5 * r / (300 + 100 * 1.5 * r)
    assert res.trade_diversion[0, A, R] == pytest.approx(td, rel=1e-12)
    assert res.new_value[0, A, R] == pytest.approx(100 + 100 * 1.5 * r + td, rel=1e-12)
    assert res.new_value[0, B, R] == pytest.approx(200 - td, rel=1e-12)


def test_design_check_case_finite_supply():
    m, s = check_case(1.5)
    res = solve_smart(m, s)
    assert res.trade_creation[0, A, R] == pytest.approx(6.818, abs=5e-4)
    assert res.world_price_change[0, A] == pytest.approx(0.0455, abs=5e-5)
    assert res.world_price_change[0, A] == pytest.approx((0.1 / 1.1) * 1.5 / 3.0, rel=1e-12)
    assert res.world_price_change[0, B] == 0.0
    dpw = (0.1 / 1.1) / 2
    assert res.producer_surplus[0, A] == pytest.approx(
        100 * dpw + 0.5 * dpw * res.trade_creation[0, A, R], rel=1e-12
    )
    assert res.producer_surplus[0, B] == 0.0
    # diversion does not depend on the supply elasticity in SMART
    assert res.trade_diversion[0, A, R] == pytest.approx(8.696, abs=5e-4)


def test_consumer_surplus_and_deadweight_helpers_on_check_case():
    m, s = check_case(np.inf)
    res = solve_smart(m, s)
    dm_a = res.new_value[0, A, R] - 100.0
    dm_b = res.new_value[0, B, R] - 200.0
    # CS = -sum dP (M0 + 0.5 dM), dP = T1 - T0 per unit of base value: only A's price moves
    assert res.consumer_surplus[0, R] == pytest.approx(0.1 * (100 + 0.5 * dm_a), rel=1e-12)
    assert deadweight_change(m, s, res)[0, R] == pytest.approx(
        0.5 * 0.1 * dm_a + 0.5 * 0.2 * dm_b, rel=1e-12
    )
    # with linear demand the net welfare equals the deadweight-loss change here
    assert res.net_welfare[0, R] == pytest.approx(deadweight_change(m, s, res)[0, R], rel=1e-9)
    assert laird_yeats_welfare(m, s, res).shape == (1, 3)


def test_diversion_rule_partner_specific_cuts():
    """Three partners, A cut 10% -> 0, B 10% -> 5%, C unchanged (Es = 2).

    By hand: p_A = -1/11, p_B = -1/22, p_C = 0; r_A = 4/55, r_B = 1/44, r_C = -2/33.
    Gainers keep TD_k = M_k M_-k Es r_k / (M_k + M_-k + M_k Es r_k):
    TD_A = 400000/33800, TD_B = 160000/26800. The only loser C takes the whole offset.
    """
    M = np.zeros((1, 4, 4))
    M[0, :3, 3] = [100.0, 200.0, 300.0]
    t0 = np.zeros((1, 4, 4))
    t0[0, :3, 3] = 0.1
    t1 = t0.copy()
    t1[0, 0, 3], t1[0, 1, 3] = 0.0, 0.05
    res = solve_smart(market(M, t0, Es=2.0), Shock(new_rate=t1))
    td = res.trade_diversion[0, :3, 3]
    assert td[0] == pytest.approx(400000 / 33800, rel=1e-12)
    assert td[1] == pytest.approx(160000 / 26800, rel=1e-12)
    assert td[2] == pytest.approx(-(400000 / 33800 + 160000 / 26800), rel=1e-12)
    assert td.sum() == pytest.approx(0.0, abs=1e-12)


def test_diversion_group_case_is_the_smart_group_formula():
    """FTA partners A, B cut 20% -> 0 (same cut); C, D unchanged. DESIGN 3a: the group's
    TD_total = M_k M_K Es r / (M_k + M_K + M_k Es r) is shared among A, B in proportion to
    M_k and taken from C, D in proportion to M_K."""
    M = np.zeros((1, 5, 5))
    M[0, :4, 4] = [100.0, 50.0, 100.0, 300.0]
    t0 = np.zeros((1, 5, 5))
    t0[0, :4, 4] = 0.2
    t1 = t0.copy()
    t1[0, :2, 4] = 0.0
    res = solve_smart(market(M, t0, Es=3.0), Shock(new_rate=t1))
    td = res.trade_diversion[0, :4, 4]
    r, Mk, MK = 0.2 / 1.2, 150.0, 400.0
    total = Mk * MK * 3.0 * r / (Mk + MK + Mk * 3.0 * r)
    expected = total * np.array([100 / 150, 50 / 150, -100 / 400, -300 / 400])
    np.testing.assert_allclose(td, expected, rtol=1e-12)
    assert td.sum() == pytest.approx(0.0, abs=1e-12)


def test_diversion_function_guards():
    # sole supplier, zero partner, empty market, extreme substitution: finite and nets to 0
    M = np.array([[[0.0, 50.0, 0.0], [0.0, 0.0, 0.0], [0.0, 5.0, 0.0]]])
    p = np.array([[[0.0, -0.5, 0.0], [0.0, 0.0, 0.0], [0.0, 3.0, 0.0]]])
    td = diversion(M, p, np.full((1, 1, 3), 50.0))
    assert np.isfinite(td).all()
    np.testing.assert_allclose(td.sum(axis=-2), 0.0, atol=1e-12)
    assert td[0, 0, 1] > 0 and td[0, 2, 1] < 0
    assert td[0, 2, 1] >= -5.0 - 1e-12  # the loser loses at most its base imports
    sole = diversion(np.array([[[0.0, 7.0], [0.0, 0.0]]]), np.array([[[0.0, -0.3], [0, 0]]]),
                     np.full((1, 1, 2), 2.0))  # fmt: skip
    assert np.all(sole == 0.0)


def test_diagonal_cells_ignored_and_single_partner_market():
    M = np.zeros((1, 3, 3))
    M[0, 0, 0] = 1000.0  # domestic sales of country 0
    M[0, 1, 0] = 40.0  # single foreign partner of country 0
    t0 = np.full((1, 3, 3), 0.1)
    t1 = np.full((1, 3, 3), 0.0)  # also "cuts" the domestic cell: must be ignored
    res = solve_smart(market(M, t0, Ex=2.0), Shock(new_rate=t1))
    assert res.new_value[0, 0, 0] == 1000.0
    assert res.trade_creation[0, 0, 0] == 0.0 and res.trade_diversion[0, 0, 0] == 0.0
    assert res.trade_diversion[0, 1, 0] == 0.0  # one partner: no diversion
    assert res.trade_creation[0, 1, 0] > 0
    assert res.tariff_revenue[0, 0] == pytest.approx(0.0 - 0.1 * 40.0)
    for f in dataclasses.fields(res):
        assert np.isfinite(np.asarray(getattr(res, f.name), float)).all(), f.name
    assert res.converged.all() and np.all(res.residual == 0.0)


def test_trade_cost_moves_prices_but_raises_no_revenue():
    """A depth-channel cost cut tau equals the tariff cut with the same (1+t1)(1+tau), except
    that tariff revenue is t0 on the new imports."""
    m, s = check_case(1.5)
    t0 = m.base_rate
    tau = np.zeros_like(t0)
    tau[0, 0, 2] = 1.0 / 1.1 - 1.0  # (1 + 0.1)(1 + tau) = 1: same internal price as A at 0%
    res_tau = solve_smart(m, Shock(new_rate=t0.copy(), trade_cost=tau))
    res_tar = solve_smart(m, s)
    np.testing.assert_allclose(res_tau.new_value, res_tar.new_value, rtol=1e-12)
    np.testing.assert_allclose(res_tau.world_price_change, res_tar.world_price_change)
    expected_tr = (t0[0, :, 2] * (res_tau.new_value[0, :, 2] - m.base_value[0, :, 2])).sum()
    assert res_tau.tariff_revenue[0, 2] == pytest.approx(expected_tr, rel=1e-12)
    assert res_tau.tariff_revenue[0, 2] > res_tar.tariff_revenue[0, 2]
    # Laird–Yeats welfare counts tariff wedges only
    assert laird_yeats_welfare(m, Shock(t0.copy(), tau), res_tau)[0, 2] == 0.0


def test_draws_axis_equals_separate_calls():
    rng = np.random.default_rng(3)
    P, N = 4, 5
    M = rng.uniform(0, 100, (P, N, N))
    t0 = rng.uniform(0, 0.3, (P, N, N))
    t1 = t0 * rng.choice([0.0, 1.0, 1.5], size=(P, N, N))
    Em = rng.uniform(-3, -0.5, (2, P, N))
    Es = rng.uniform(0.5, 6, (2, P, N))
    Ex = np.where(rng.random((2, P, N)) < 0.3, np.inf, rng.uniform(0.5, 5, (2, P, N)))
    base = market(M, t0)
    both = solve_smart(
        dataclasses.replace(base, import_demand=Em, substitution=Es, export_supply=Ex),
        Shock(t1),
    )
    assert both.new_value.shape == (2, P, N, N)
    assert both.consumer_surplus.shape == (2, P, N)
    for d in range(2):
        one = solve_smart(
            dataclasses.replace(base, import_demand=Em[d], substitution=Es[d], export_supply=Ex[d]),
            Shock(t1),
        )
        for f in dataclasses.fields(one):
            if f.name != "iterations":
                np.testing.assert_allclose(getattr(both, f.name)[d], getattr(one, f.name),
                                           rtol=1e-13, atol=1e-12, err_msg=f.name)  # fmt: skip


def test_world_price_change_is_trade_weighted_over_markets():
    """Exporter 0 sells 100 to importer 1 (tariff 10% -> 0) and 300 to importer 2 (no
    change): dPw = p Em/(Ex - Em) in market 1 only, weighted 100/400."""
    M = np.zeros((1, 3, 3))
    M[0, 0, 1], M[0, 0, 2], M[0, 2, 1] = 100.0, 300.0, 50.0
    t0 = np.zeros((1, 3, 3))
    t0[0, :, 1] = 0.1
    t1 = t0.copy()
    t1[0, 0, 1] = 0.0
    res = solve_smart(market(M, t0, Em=-2.0, Es=1.5, Ex=3.0), Shock(t1))
    dpw1 = (-0.1 / 1.1) * -2.0 / 5.0
    assert res.world_price_change[0, 0] == pytest.approx(dpw1 * 100 / 400, rel=1e-12)
    assert res.world_price_change[0, 2] == 0.0
    tc = res.trade_creation[0, 0, 1]
    assert tc == pytest.approx(100 * -2.0 * (-0.1 / 1.1) * 3.0 / 5.0, rel=1e-12)
    assert res.producer_surplus[0, 0] == pytest.approx(100 * dpw1 + 0.5 * dpw1 * tc, rel=1e-12)


def test_diversion_skipping_still_markets_changes_nothing():
    """Markets where no partner's price moves are left out of the sort (speed); the result
    must equal the full computation (taken with a draws axis, which sorts every market)."""
    rng = np.random.default_rng(7)
    P, N = 40, 6
    M = rng.uniform(0, 100, (P, N, N)) * (rng.random((P, N, N)) < 0.7)
    p = np.where(rng.random((P, N, N)) < 0.3, -rng.uniform(0, 0.2, (P, N, N)), 0.0)
    p[:, :, rng.random(N) < 0.5] = 0.0  # whole importers with no change
    idx = np.arange(N)
    M[:, idx, idx] = 0.0
    p[:, idx, idx] = 0.0
    Es = np.broadcast_to(rng.uniform(0.5, 5, (P, 1, N)), (P, 1, N))
    still = ~(np.swapaxes(p, -1, -2) != 0).any(axis=-1)
    assert still.any() and not still.all()
    fast = diversion(M, p, Es)
    full = diversion(M, p, Es[None])[0]
    np.testing.assert_array_equal(fast, full)
    assert (fast.sum(axis=-2)[still] == 0).all()


@pytest.mark.parametrize("seed", range(6))
def test_moving_markets_path_equals_the_dense_solution(seed: int) -> None:
    """solve_smart computes only the markets where a price moves; the result must equal the
    dense computation over every market (finite and infinite Ex, Ex = 0, trade costs,
    zero trade, whole importers without a change)."""
    from fta_compare.model.smart import _solve_dense, _solve_moving_markets
    from fta_compare.model.welfare import prepare

    rng = np.random.default_rng(seed)
    P, N = 30, 5
    M0 = rng.uniform(0, 100, (P, N, N)) * (rng.random((P, N, N)) < 0.7)
    t0 = rng.choice([0.0, 0.05, 0.1], (P, N, N))
    t1 = np.where(rng.random((P, N, N)) < 0.3, t0 * rng.uniform(0, 1.5, (P, N, N)), t0)
    still = rng.random(N) < 0.4
    t1[:, :, still] = t0[:, :, still]
    Ex = np.where(rng.random((P, N)) < 0.5, np.inf, rng.uniform(0.5, 5, (P, N)))
    Ex[0, 0] = 0.0
    m = MarketArrays(hs=np.arange(P).astype(str), countries=np.arange(N).astype(str),
                     base_value=M0, base_rate=t0,
                     import_demand=-rng.uniform(0.5, 3, (P, N)),
                     substitution=rng.uniform(0.5, 8, (P, N)), export_supply=Ex)
    tau = np.where(rng.random((P, N, N)) < 0.2, -rng.uniform(0, 0.05, (P, N, N)), 0.0)
    drawn = dataclasses.replace(  # a draws axis on the elasticities, as sensitivity runs
        m, import_demand=-rng.uniform(0.5, 3, (3, P, N)),
        substitution=rng.uniform(0.5, 8, (3, P, N)),
        export_supply=np.where(rng.random((3, P, N)) < 0.5, np.inf,
                               rng.uniform(0.5, 5, (3, P, N))))
    cases = [(m, Shock(new_rate=t1)), (m, Shock(new_rate=t1, trade_cost=tau)),
             (drawn, Shock(new_rate=t1, trade_cost=tau))]
    for market_, shock in cases:
        pr = prepare(market_, shock)
        moving = ((pr.R != 1.0) | (pr.t1 != pr.t0)).any(axis=-2)
        assert moving.any() and not moving.all()
        fast, dense = _solve_moving_markets(pr), _solve_dense(pr)
        for f in dataclasses.fields(fast):
            np.testing.assert_allclose(getattr(fast, f.name), getattr(dense, f.name),
                                       rtol=1e-11, atol=1e-9, err_msg=f.name)
