"""Exact constant-elasticity solution (DESIGN 3c): clearing in levels, limits, agreement
with linear GSIM for small shocks, exact surplus integrals, convergence reporting."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import integrate, optimize

from fta_compare.model import exact
from fta_compare.model.arrays import MarketArrays, ModelResult, Shock
from fta_compare.model.exact import solve_exact
from fta_compare.model.gsim import solve_gsim
from fta_compare.model.welfare import cs_exact, cs_second_order
from helpers import FH_M, FH_T0, market


def fh(scale: float = 1.0, Em=-1.25, Es=5.0, Ex=1.5) -> tuple[MarketArrays, Shock]:
    m = market(FH_M[None], FH_T0[None] - 1, Em, Es, Ex)
    T1 = FH_T0.copy()
    T1[2, 0] = T1[0, 2] = 1.0
    T1 = FH_T0 + scale * (T1 - FH_T0)
    return m, Shock(T1[None] - 1)


def levels_demand(m: MarketArrays, s: Shock, Pw: np.ndarray) -> np.ndarray:
    """CES demand in quantities M0 phat^-Es Phat^(Es+Em), written independently (loops-free
    per product, powers not logs)."""
    M0, T0 = m.base_value, 1 + m.base_rate
    T1 = (1 + s.new_rate) * s.cost_factor()
    Em, Es = m.import_demand[:, None, :], m.substitution[:, None, :]
    E = T0 * M0
    theta = E / E.sum(axis=1, keepdims=True)
    phat = T1 / T0 * Pw[:, :, None]
    with np.errstate(divide="ignore"):
        cd = np.exp((theta * np.log(phat)).sum(axis=1, keepdims=True))
        ces = (theta * phat ** (1 - Es)).sum(axis=1, keepdims=True) ** (1 / (1 - Es))
    Phat = np.where(Es == 1, cd, ces)
    return M0 * phat ** (-Es) * Phat ** (Es + Em)


def clearing_error(m: MarketArrays, s: Shock, res: ModelResult) -> np.ndarray:
    """max_v |sum_r M_vr - X0_v Pw^Ex| / X0_v Pw^Ex per product, from the outputs only."""
    Pw = 1 + res.world_price_change
    Q = res.new_value / Pw[..., :, None]
    np.testing.assert_allclose(Q, levels_demand(m, s, Pw), rtol=1e-10, atol=1e-12)
    X0 = m.base_value.sum(axis=-1)
    Ex = m.export_supply
    supply = X0 * np.where(np.isinf(Ex), 1.0, Pw ** np.where(np.isinf(Ex), 0.0, Ex))
    err = np.abs(Q.sum(axis=-1) - supply) / np.where(supply > 0, supply, 1.0)
    return np.where(np.isinf(Ex) | (X0 == 0), 0.0, err).max(axis=-1)


def test_fh_example_clears_in_levels():
    m, s = fh()
    res = solve_exact(m, s)
    assert res.converged.all()
    assert res.residual.max() <= 1e-12
    assert clearing_error(m, s, res).max() < 1e-9
    assert 0 < res.iterations < 20
    # the exact answer for this (large) FTA is well away from the linear one: EU, US gain
    lin = solve_gsim(m, s)
    assert np.all(np.sign(res.world_price_change) == np.sign(lin.world_price_change))


def test_matches_independent_scipy_root():
    rng = np.random.default_rng(21)
    N = 4
    M = rng.uniform(5, 100, (1, N, N))
    T0 = 1 + rng.uniform(0, 0.3, (1, N, N))
    T1 = T0 * rng.choice([0.7, 1.0, 1.3], (1, N, N))
    Em, Es, Ex = rng.uniform(-2, -0.5, (1, N)), rng.uniform(0.5, 6, (1, N)), rng.uniform(
        0.5, 4, (1, N))  # fmt: skip
    m = market(M, T0 - 1, Em, Es, Ex)
    s = Shock(T1 - 1)

    def f(logpw):
        Pw = np.exp(logpw)[None]
        return levels_demand(m, s, Pw)[0].sum(axis=1) / M[0].sum(axis=1) - Pw[0] ** Ex[0]

    sol = optimize.root(f, np.zeros(N), tol=1e-13)
    assert np.abs(f(sol.x)).max() < 1e-12
    res = solve_exact(m, s)
    np.testing.assert_allclose(res.world_price_change[0], np.expm1(sol.x), rtol=1e-9, atol=1e-12)


def test_infinite_supply_equals_single_market_ces():
    rng = np.random.default_rng(8)
    P, N = 3, 5
    M = rng.uniform(0, 80, (P, N, N))
    T0 = 1 + rng.uniform(0, 0.3, (P, N, N))
    T1 = T0 * rng.uniform(0.6, 1.8, (P, N, N))
    Em, Es = rng.uniform(-3, -0.3, (P, N)), rng.uniform(0.3, 9, (P, N))
    Es[0, 0] = 1.0  # one Cobb-Douglas market
    m = market(M, T0 - 1, Em, Es, np.inf)
    s = Shock(T1 - 1)
    res = solve_exact(m, s)
    assert res.converged.all() and res.iterations == 0
    assert np.all(res.world_price_change == 0.0)
    np.testing.assert_allclose(res.new_value, levels_demand(m, s, np.ones((P, N))), rtol=1e-12)


def test_exact_over_linear_ratio_tends_to_one():
    devs = []
    for k in (0.1, 0.01, 0.001):
        m, s = fh(scale=k)
        ex, li = solve_exact(m, s), solve_gsim(m, s)
        dv_ex = ex.new_value - m.base_value
        dv_li = li.new_value - m.base_value
        big = np.abs(dv_li) > 1e-3 * np.abs(dv_li).max()
        dev = max(
            np.abs(ex.world_price_change / li.world_price_change - 1).max(),
            np.abs(dv_ex[big] / dv_li[big] - 1).max(),
            np.abs(ex.net_welfare / li.net_welfare - 1).max(),
        )
        devs.append(dev)
    assert devs[-1] < 2e-3
    assert devs[0] / devs[1] > 7 and devs[1] / devs[2] > 7  # deviation O(shock)


def test_linear_cs_within_third_order_of_exact_integral():
    """Uniform price change in one market (Ex = inf, so CES and Laspeyres indices agree):
    the second-order CS of 3b is within O(P^3) E0 of the exact integral; the widely copied
    '+0.5 Em E0 P^2 sgn(P)' form is off by Em E0 P^2 when prices rise."""
    M = np.zeros((1, 3, 3))
    M[0, :, 2] = [100.0, 300.0, 600.0]
    t0 = np.zeros((1, 3, 3))
    t0[0, :2, 2] = 0.2
    E0 = 120 + 360 + 600
    Em = -1.8
    errs, copied = [], []
    for k in (0.04, 0.02, 0.01):
        T1 = (1 + t0) * (1 + k)  # every source of importer 2 (incl. domestic) dearer by k
        m = market(M, t0, Em=Em, Es=3.0, Ex=np.inf)
        s = Shock(T1 - 1)
        cs_lin = solve_gsim(m, s).consumer_surplus[0, 2]
        cs_ex = solve_exact(m, s).consumer_surplus[0, 2]
        assert cs_ex == pytest.approx(-E0 * ((1 + k) ** (Em + 1) - 1) / (Em + 1), rel=1e-12)
        errs.append(abs(cs_lin - cs_ex))
        copied.append(abs((-E0 * k + 0.5 * Em * E0 * k**2) - cs_ex))
        assert errs[-1] <= E0 * k**3
        assert copied[-1] == pytest.approx(abs(Em) * E0 * k**2, rel=0.1)
    assert errs[0] / errs[1] == pytest.approx(8, rel=0.1)
    assert errs[1] / errs[2] == pytest.approx(8, rel=0.1)


def test_cs_helpers_limits():
    P = np.array([-0.1, 0.0, 0.05])
    np.testing.assert_allclose(cs_exact(10.0, np.log1p(P), -1.0), -10 * np.log1p(P))
    np.testing.assert_allclose(cs_exact(10.0, np.log1p(P), -1.0 + 1e-9),
                               -10 * np.log1p(P), rtol=1e-7)  # fmt: skip
    np.testing.assert_allclose(cs_second_order(10.0, P, -2.0), -10 * P * (1 - P))


def test_cobb_douglas_limit_is_continuous():
    base = fh(Es=1.0)
    res1 = solve_exact(*base)
    assert res1.converged.all()
    assert clearing_error(*base, res1).max() < 1e-9
    for eps, tol in ((1e-7, 1e-6), (-1e-7, 1e-6), (1e-3, 5e-3)):
        r = solve_exact(*fh(Es=1.0 + eps))
        np.testing.assert_allclose(r.world_price_change, res1.world_price_change, rtol=tol)
        np.testing.assert_allclose(r.new_value, res1.new_value, rtol=tol)


def test_log_demand_case_em_minus_one():
    m, s = fh(Em=-1.0)
    res = solve_exact(m, s)
    near = solve_exact(*fh(Em=-1.0 + 1e-8))
    np.testing.assert_allclose(res.consumer_surplus, near.consumer_surplus, rtol=1e-6)
    assert np.isfinite(res.consumer_surplus).all()


def test_surpluses_are_the_exact_integrals():
    m, s = fh(Ex=0.8)
    res = solve_exact(m, s)
    Pw = 1 + res.world_price_change[0]
    X0 = FH_M.sum(axis=1)
    for v in range(4):
        ps, _ = integrate.quad(lambda q, v=v: X0[v] * q**0.8, 1.0, Pw[v])
        assert res.producer_surplus[0, v] == pytest.approx(ps, rel=1e-9)
    # CS: -int_1^Phat E0 q^Em dq with Phat the CES index of the new internal prices
    T1 = 1 + s.new_rate[0]
    theta = FH_T0 * FH_M / (FH_T0 * FH_M).sum(axis=0)
    Phat = ((theta * (T1 / FH_T0 * Pw[:, None]) ** (1 - 5.0)).sum(axis=0)) ** (1 / (1 - 5.0))
    E0 = (FH_T0 * FH_M).sum(axis=0)
    for r in range(4):
        cs, _ = integrate.quad(lambda q, r=r: -E0[r] * q**-1.25, 1.0, Phat[r])
        assert res.consumer_surplus[0, r] == pytest.approx(cs, rel=1e-9)
    tr = (s.new_rate[0] * res.new_value[0] - m.base_rate[0] * FH_M).sum(axis=0)
    np.testing.assert_allclose(res.tariff_revenue[0], tr, rtol=1e-12)


def test_level_decomposition():
    m, s = fh()
    res = solve_exact(m, s)
    Pw = 1 + res.world_price_change[0]
    Q = res.new_value[0] / Pw[:, None]
    M0 = FH_M.astype(float)
    np.testing.assert_allclose(res.trade_creation[0] + res.trade_diversion[0], Q - M0,
                               atol=1e-10)  # fmt: skip
    # creation = M0 (Phat^Em - 1), the composite-demand part, same proportion for all sources
    ratio = np.divide(res.trade_creation[0], M0, out=np.full_like(M0, np.nan), where=M0 > 0)
    for r in range(4):
        col = ratio[:, r][np.isfinite(ratio[:, r])]
        np.testing.assert_allclose(col, col[0], rtol=1e-12)
    valuation = res.new_value[0] - M0 - res.trade_creation[0] - res.trade_diversion[0]
    np.testing.assert_allclose(valuation, Q * (Pw[:, None] - 1), atol=1e-10)


def test_large_shocks_converge_and_clear():
    rng = np.random.default_rng(2)
    P, N = 20, 6
    M = rng.lognormal(3, 1.5, (P, N, N))
    t0 = rng.uniform(0, 0.2, (P, N, N))
    t1 = t0.copy()
    t1[:, 1:, 0] += rng.choice([0.25, 1.0, 1.45], (P, N - 1))  # 25% to 145% new duties
    t1[:, 0, 1:] = 0.0
    m = market(M, t0, rng.uniform(-3, -0.3, (P, N)), rng.uniform(0.3, 12, (P, N)),
               rng.uniform(0.2, 6, (P, N)))  # fmt: skip
    res = solve_exact(m, Shock(t1))
    assert res.converged.all()
    assert clearing_error(m, Shock(t1), res).max() < 1e-9
    assert np.all(res.new_value >= 0)


def test_nonconvergence_is_reported_not_hidden():
    m, s = fh()
    res = solve_exact(m, s, max_iter=1)
    assert not res.converged.any()
    assert res.residual[0] > 1e-12 and np.isfinite(res.residual).all()
    assert res.iterations == 1
    assert np.array_equal(res.new_value, m.base_value)
    for name in ("trade_creation", "trade_diversion", "world_price_change",
                 "consumer_surplus", "producer_surplus", "tariff_revenue"):  # fmt: skip
        assert np.all(getattr(res, name) == 0.0), name


def test_non_finite_input_flagged_others_unaffected():
    m, s = fh()
    M = np.concatenate([m.base_value, m.base_value])
    Em = np.concatenate([m.import_demand, m.import_demand])
    Em[0, 1] = np.nan
    m2 = market(M, np.concatenate([m.base_rate] * 2), Em, 5.0, 1.5)
    res = solve_exact(m2, Shock(np.concatenate([s.new_rate] * 2)))
    assert res.converged.tolist() == [False, True]
    for f in dataclasses.fields(res):
        assert np.isfinite(np.asarray(getattr(res, f.name), float)).all(), f.name
    one = solve_exact(m, s)
    np.testing.assert_allclose(res.new_value[1], one.new_value[0], rtol=1e-13)


def test_zero_shock_is_exactly_zero():
    m, _ = fh()
    res = solve_exact(m, Shock(m.base_rate.copy()))
    assert res.iterations == 0 and res.converged.all()
    assert np.array_equal(res.new_value, m.base_value)
    for name in ("trade_creation", "trade_diversion", "world_price_change",
                 "consumer_surplus", "producer_surplus", "tariff_revenue", "residual"):  # fmt: skip
        assert np.all(getattr(res, name) == 0.0), name


def test_draws_axis_and_chunking(monkeypatch):
    m, s = fh()
    Em = np.stack([m.import_demand, m.import_demand * 1.5, m.import_demand * 0.5])
    Es = np.stack([m.substitution, m.substitution * 0.3, m.substitution * 2])
    Ex = np.stack([m.export_supply, m.export_supply * 4, np.full_like(m.export_supply, np.inf)])
    md = dataclasses.replace(m, import_demand=Em, substitution=Es, export_supply=Ex)
    both = solve_exact(md, s)
    assert both.new_value.shape == (3, 1, 4, 4) and both.converged.shape == (3, 1)
    for d in range(3):
        one = solve_exact(dataclasses.replace(m, import_demand=Em[d], substitution=Es[d],
                                              export_supply=Ex[d]), s)  # fmt: skip
        for f in dataclasses.fields(one):
            if f.name != "iterations":
                np.testing.assert_allclose(getattr(both, f.name)[d], getattr(one, f.name),
                                           rtol=1e-12, atol=1e-12, err_msg=f.name)  # fmt: skip
    monkeypatch.setattr(exact, "_CHUNK", 16)  # one product per chunk
    chunked = solve_exact(md, s)
    np.testing.assert_allclose(chunked.new_value, both.new_value, rtol=1e-13)


def test_ill_posed_inputs_never_give_nan_or_inf():
    """All solvers on hostile but valid inputs: a product with no trade, a nearly singular
    system (Es = Ex = 1e-13), subnormal flows, a zero flow in a market with extreme
    elasticities (Es = 1e4, Em = -1e-4, Ex = 1e-4: the zero cell's Mhat overflows), and a
    1000% tariff on a single supplier."""
    C = {"KOR": 0, "USA": 1, "JPN": 2, "CHN": 3}
    P, N = 5, 4
    M = np.zeros((P, N, N))
    Em, Es, Ex = np.full((P, N), -1.25), np.full((P, N), 1.5), np.full((P, N), 2.0)
    # product 0: all trade zero
    M[1, C["KOR"], C["JPN"]], M[1, C["CHN"], C["JPN"]] = 40.0, 60.0
    Em[1], Es[1], Ex[1] = -1.0, 1e-13, 1e-13
    M[2, C["KOR"], C["CHN"]], M[2, C["JPN"], C["CHN"]] = 1e-310, 2e-310
    M[3, C["CHN"], C["KOR"]], M[3, C["JPN"], C["KOR"]] = 0.0, 1e-300
    Em[3], Es[3], Ex[3] = -1e-4, 1e4, 1e-4
    M[4, C["CHN"], C["USA"]] = 50.0
    t0 = np.zeros((P, N, N))
    t0[:, :, C["USA"]], t0[:, :, C["JPN"]] = 0.10, 0.05
    t0[:, :, C["CHN"]], t0[:, :, C["KOR"]] = 0.08, 0.08
    cut = t0.copy()
    cut[:, C["KOR"], :] = 0.0
    cut[:, C["CHN"], C["KOR"]] = 0.0
    hike = t0.copy()
    hike[:, C["CHN"], C["USA"]] = 10.0
    m = market(M, t0, Em, Es, Ex)
    for t1 in (cut, hike):
        for solve in (solve_exact, solve_gsim):
            res = solve(m, Shock(t1))
            for f in dataclasses.fields(res):
                assert np.isfinite(np.asarray(getattr(res, f.name), float)).all(), f.name
            assert np.all(res.new_value[0] == 0.0)
            assert np.all(res.new_value[3, C["CHN"], C["KOR"]] == 0.0)
            bad = ~res.converged
            assert np.array_equal(res.new_value[bad], M[bad])


@pytest.mark.parametrize("gap, compact", [(-1.0, 1.0), (600.0, 0.0), (600.0, 1.0)])
def test_shift_bound_and_compaction_do_not_change_the_solution(monkeypatch, gap, compact):
    """The log-sum-exp shift by an upper bound (instead of the maximum) and carrying
    finished products in the working arrays are numerical shortcuts only: forcing the
    maximum (gap < 0) or compacting at every finish (1.0) or never (0.0) gives the same
    solution to rounding, with the same convergence flags."""
    rng = np.random.default_rng(5)
    P, N = 30, 6
    M = rng.lognormal(3, 1.5, (P, N, N)) * rng.choice([0.0, 1.0], (P, N, N), p=[0.4, 0.6])
    t0 = rng.uniform(0, 0.2, (P, N, N))
    t1 = t0 * rng.choice([0.0, 1.0, 3.0], (P, N, N))
    Es = rng.uniform(0.3, 12, (P, N))
    Es[0, :2] = 1.0 + 1e-3  # near Cobb-Douglas rows
    m = market(M, t0, rng.uniform(-3, -0.3, (P, N)), Es, rng.uniform(0.2, 6, (P, N)))
    ref = solve_exact(m, Shock(t1))
    monkeypatch.setattr(exact, "_SHIFT_GAP", gap)
    monkeypatch.setattr(exact, "_COMPACT", compact)
    res = solve_exact(m, Shock(t1))
    assert np.array_equal(res.converged, ref.converged) and ref.converged.all()
    for f in ("new_value", "trade_creation", "trade_diversion", "world_price_change",
              "consumer_surplus", "producer_surplus", "tariff_revenue"):  # fmt: skip
        np.testing.assert_allclose(getattr(res, f), getattr(ref, f), rtol=1e-10,
                                   atol=1e-9, err_msg=f)  # fmt: skip


def test_lse_with_a_bound_equals_the_maximum_shift():
    rng = np.random.default_rng(3)
    a = rng.normal(0, 30, (7, 5, 5))
    a[0, :, 2] = -np.inf  # an empty slice
    for axis in (-1, -2):
        lse, z = exact._lse(a.copy(), axis)
        bound = a.max(axis=axis, keepdims=True) + rng.uniform(0, 500, lse.shape)
        lse_b, z_b = exact._lse(a.copy(), axis, bound)
        np.testing.assert_allclose(lse_b, lse, rtol=1e-13)
        np.testing.assert_allclose(z_b, z, rtol=1e-11, atol=1e-300)
        assert np.isneginf(lse[0]).sum() == (1 if axis == -2 else 0)


def test_a_product_solves_the_same_alone_or_in_a_batch():
    """Each product's numbers depend on its own data only (shift choice and retirement are
    per product): a wide-elasticity product beside ordinary ones changes no bit of them."""
    rng = np.random.default_rng(9)
    P, N = 6, 5
    M = rng.lognormal(3, 1, (P, N, N))
    t0 = rng.uniform(0, 0.2, (P, N, N))
    t1 = t0 * rng.choice([0.0, 1.0, 2.5], (P, N, N))
    Em, Es, Ex = rng.uniform(-3, -0.3, (P, N)), rng.uniform(0.3, 8, (P, N)), rng.uniform(
        0.2, 6, (P, N))  # fmt: skip
    Es[2], Ex[2] = 2e4, 0.01  # |1 - Es| x (price range) beyond the shift gap
    m = market(M, t0, Em, Es, Ex)
    both = solve_exact(m, Shock(t1))
    for p in range(P):
        one = solve_exact(market(M[p:p + 1], t0[p:p + 1], Em[p:p + 1], Es[p:p + 1],
                                 Ex[p:p + 1]), Shock(t1[p:p + 1]))  # fmt: skip
        for f in ("new_value", "world_price_change", "consumer_surplus", "converged"):
            assert np.array_equal(getattr(one, f)[0], getattr(both, f)[p]), (p, f)
