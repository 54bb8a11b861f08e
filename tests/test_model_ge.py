"""General-equilibrium sector model (Caliendo & Parro 2015, DESIGN 3e): calibration by hand,
closed forms (ACR, symmetric two-country cases), accounting identities recomputed from the
raw values, invariances, the first-order welfare decomposition, convergence reporting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from fta_compare.model import ge

Tables = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None,
               np.ndarray]


def world(N: int, J: int, seed: int = 0, tariffs: bool = True) -> Tables:
    """Random value tables with intermediates, tariffs and trade imbalances; gross output =
    intermediate + value added by construction; domestic sales large enough that income
    stays positive whatever the imbalance."""
    rng = np.random.default_rng(seed)
    idx = np.arange(N)
    tv = rng.lognormal(0.0, 1.0, (J, N, N))
    tv[:, idx, idx] = 5.0 * tv.sum(axis=2) + 1.0
    t = rng.uniform(0.0, 0.3, (J, N, N)) if tariffs else np.zeros((J, N, N))
    t[:, idx, idx] = 0.0
    Y = tv.sum(axis=2)
    beta = rng.uniform(0.4, 0.8, (J, N))
    shares = rng.dirichlet(np.ones(J), size=(N, J))  # [n, j, k]: sector j's input mix
    inter = shares.transpose(0, 2, 1) * ((1.0 - beta) * Y).T[:, None, :]
    X = (tv * (1.0 + t)).sum(axis=1)
    final = np.maximum(X - inter.sum(axis=2).T, 0.2 * X)
    theta = rng.uniform(2.0, 10.0, J)
    return tv, t, inter, final, beta * Y, None, theta


def shares_from_values(tables: Tables) -> dict[str, np.ndarray]:
    """Model shares written directly from the value tables (the test's own formulas)."""
    tv, t, inter, final, va, _, _ = tables
    X = np.einsum("jin,jin->jn", tv, 1.0 + t)
    Y = tv.sum(axis=2)
    return {
        "pi": tv * (1.0 + t) / X[:, None, :],
        "beta": va / Y,
        "gamma": inter / inter.sum(axis=1, keepdims=True),
        "alpha": final / final.sum(axis=0),
        "va": va.sum(axis=0),
    }


# ------------------------------------------------------------------------- calibration
def test_calibration_by_hand() -> None:
    """2 economies, 1 sector: shares, revenue, default deficits and income on paper."""
    tv = np.array([[[50.0, 20.0], [10.0, 40.0]]])  # [j, exporter, importer]
    t = np.array([[[0.0, 0.2], [0.1, 0.0]]])  # 0 charges 10% on 1, 1 charges 20% on 0
    inter = np.array([[[35.0]], [[20.0]]])
    base = ge.calibrate(tv, t, inter, np.array([[40.0, 50.0]]), np.array([[35.0, 30.0]]),
                        None, np.array([4.0]))
    # X_0 = 50 + 10 * 1.1 = 61, X_1 = 20 * 1.2 + 40 = 64
    np.testing.assert_allclose(base.expenditure, [[61.0, 64.0]])
    np.testing.assert_allclose(base.trade_share[0], [[50 / 61, 24 / 64], [11 / 61, 40 / 64]])
    np.testing.assert_allclose(base.output, [[70.0, 50.0]])
    np.testing.assert_allclose(base.beta, [[0.5, 0.6]])
    np.testing.assert_allclose(base.gamma, [[[1.0]], [[1.0]]])
    np.testing.assert_allclose(base.alpha, [[1.0, 1.0]])
    np.testing.assert_allclose(base.tariff_revenue, [1.0, 4.0])  # 0.1*10, 0.2*20
    np.testing.assert_allclose(base.deficit, [-10.0, 10.0])  # imports - exports
    np.testing.assert_allclose(base.income, [35 + 1 - 10, 30 + 4 + 10])


def test_given_deficits_are_made_to_sum_to_zero_in_proportion_to_value_added() -> None:
    tv = np.array([[[50.0, 20.0], [10.0, 40.0]]])
    base = ge.calibrate(tv, np.zeros((1, 2, 2)), np.array([[[35.0]], [[20.0]]]),
                        np.array([[40.0, 50.0]]), np.array([[35.0, 30.0]]),
                        np.array([5.0, 5.0]), np.array([4.0]))
    np.testing.assert_allclose(base.deficit, [5 - 10 * 35 / 65, 5 - 10 * 30 / 65])


def test_degenerate_cells_have_explicit_shares() -> None:
    """No output (beta = 1, gamma = 0) and no absorption (world output shares)."""
    tv, t, inter, final, va, _, theta = world(3, 3, seed=4)
    tv[2, 0, :] = 0.0  # economy 0 produces no sector 2
    va[2, 0] = 0.0
    inter[0, :, 2] = 0.0
    tv[1, :, 1] = 0.0  # economy 1 buys no sector 1 ...
    inter[1, 1, :] = 0.0  # ... neither as an input
    final[1, 1] = 0.0
    Y = tv.sum(axis=2)
    va[:, 1] = np.minimum(va[:, 1], Y[:, 1])
    base = ge.calibrate(tv, t, inter, final, va, None, theta)
    assert base.beta[2, 0] == 1.0 and (base.gamma[0, :, 2] == 0).all()
    np.testing.assert_allclose(base.trade_share[1, :, 1], Y[1] / Y[1].sum())
    np.testing.assert_allclose(base.trade_share.sum(axis=1), 1.0)
    eq0 = ge.solve(base)
    t_new = t * 0.5
    res = ge.compare(base, eq0, ge.solve(base, t_new, start=eq0))
    assert res.converged
    assert res.output_change[2, 0] == 0.0 and res.exports_change[2, 0] == 0.0
    assert res.imports_change[1, 1] == 0.0
    for a in (res.welfare, res.output_change, res.exports_change, res.price_change):
        assert np.isfinite(a).all()


@pytest.mark.parametrize("change", [
    {"theta": np.array([0.0, 3.0])},
    {"tv_sign": -1.0},
    {"shape": True},
])
def test_calibrate_rejects_impossible_arrays(change: dict) -> None:
    tv, t, inter, final, va, _, theta = world(2, 2)
    if "theta" in change:
        theta = change["theta"]
    if "tv_sign" in change:
        tv = tv.copy()
        tv[0, 0, 1] = -1.0
    if "shape" in change:
        final = final[:, :1]
    with pytest.raises(ValueError):
        ge.calibrate(tv, t, inter, final, va, None, theta)


# --------------------------------------------------------------------------- zero shock
def test_zero_shock_is_exactly_zero() -> None:
    tables = world(5, 4, seed=1)
    base = ge.calibrate(*tables)
    eq0 = ge.solve(base)
    assert eq0.converged and eq0.iterations > 0  # the raw data are not an equilibrium
    same = ge.solve(base, tables[1].copy(), np.zeros_like(tables[1]), start=eq0)
    res = ge.compare(base, eq0, same)
    for a in (res.welfare, res.real_wage, res.terms_of_trade, res.volume_of_trade,
              res.output_change, res.exports_change, res.imports_change, res.price_change):
        assert (a == 0.0).all()
    out = ge.solve_scenarios(base, {"none": (tables[1], None)})
    assert (out["none"].welfare == 0.0).all() and (out["none"].price_change == 0.0).all()
    cold = ge.compare(base, eq0, ge.solve(base, tables[1].copy()))
    np.testing.assert_allclose(cold.welfare, 0.0, atol=1e-13)


def test_a_repeated_shock_takes_the_earlier_result() -> None:
    """A scenario whose shock equals an earlier one's (no cost change given as None or as
    zeros) gets that result, the same as its own solve; a different one is solved."""
    tables = world(4, 3, seed=5)
    base = ge.calibrate(*tables)
    t_new = tables[1] * 0.5
    out = ge.solve_scenarios(base, {"a": (t_new, None),
                                    "a (depth)": (t_new.copy(), np.zeros_like(t_new)),
                                    "b": (t_new, np.full(t_new.shape, -0.02))})
    assert out["a (depth)"] is out["a"]
    assert out["b"] is not out["a"]
    alone = ge.solve_scenarios(base, {"x": (t_new.copy(), np.zeros_like(t_new))})["x"]
    assert np.array_equal(alone.welfare, out["a"].welfare)
    assert np.array_equal(alone.price_change, out["a"].price_change)


# ------------------------------------------------------------------------------- ACR
def balanced_one_sector(N: int, seed: int, intermediates: bool) -> Tables:
    """One sector, no tariffs, a symmetric trade matrix (so every economy's trade is
    balanced); with intermediates gross output = intermediate + value added."""
    rng = np.random.default_rng(seed)
    V = rng.uniform(1.0, 10.0, (N, N))
    V = V + V.T + np.diag(rng.uniform(20.0, 60.0, N))
    tv = V[None]
    Y = tv.sum(axis=2)
    beta = rng.uniform(0.3, 0.7, (1, N)) if intermediates else np.ones((1, N))
    inter = ((1.0 - beta) * Y).T[:, None, :]
    X = tv.sum(axis=1)
    final = X - inter[:, :, 0].T
    return tv, np.zeros((1, N, N)), inter, final, beta * Y, np.zeros(N), np.array([4.5])


@pytest.mark.parametrize("intermediates", [False, True])
def test_acr_formula_for_a_trade_cost_change(intermediates: bool) -> None:
    """ACR (2012): w_hat / P_hat = lambda_hat_nn^(-1/(theta beta)) (beta = 1 without
    intermediate inputs); with balanced trade and no tariffs welfare is the real wage."""
    tables = balanced_one_sector(4, seed=2, intermediates=intermediates)
    tv, _, _, _, va, _, theta = tables
    beta = va[0] / tv.sum(axis=2)[0]
    rng = np.random.default_rng(3)
    cost = rng.uniform(-0.3, 0.3, (1, 4, 4))
    cost[0, np.arange(4), np.arange(4)] = 0.0
    base = ge.calibrate(*tables)
    eq0 = ge.solve(base)
    eq1 = ge.solve(base, None, cost, start=eq0)
    res = ge.compare(base, eq0, eq1)
    lam_hat = np.diag(eq1.trade_share[0]) / np.diag(eq0.trade_share[0])
    acr = lam_hat ** (-1.0 / (theta[0] * beta)) - 1.0
    np.testing.assert_allclose(res.real_wage, acr, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res.welfare, acr, rtol=1e-9, atol=1e-12)
    assert np.abs(acr).max() > 1e-3  # the shock does something


def test_acr_real_wage_with_trade_imbalances() -> None:
    """Deficits change income, not the ACR real-wage relation."""
    tables = world(4, 1, seed=5, tariffs=False)
    tv, _, _, _, va, _, theta = tables
    beta = va[0] / tv.sum(axis=2)[0]
    cost = np.full((1, 4, 4), -0.2)
    cost[0, np.arange(4), np.arange(4)] = 0.0
    base = ge.calibrate(*tables)
    assert np.abs(base.deficit).max() > 0
    eq0 = ge.solve(base)
    eq1 = ge.solve(base, None, cost, start=eq0)
    lam_hat = np.diag(eq1.trade_share[0]) / np.diag(eq0.trade_share[0])
    np.testing.assert_allclose(ge.compare(base, eq0, eq1).real_wage,
                               lam_hat ** (-1.0 / (theta[0] * beta)) - 1.0, rtol=1e-9)


# ---------------------------------------------------------------- symmetric two countries
def symmetric_pair(d: float, m: float, t: float, beta: float, theta: float) -> Tables:
    """Two identical economies: domestic sales d, imports m at producer prices, tariff t
    both ways, value-added share beta (one sector). Consistent data: final = VA + R."""
    tv = np.array([[[d, m], [m, d]]])
    tariff = np.array([[[0.0, t], [t, 0.0]]])
    Y = d + m
    inter = np.full((2, 1, 1), (1.0 - beta) * Y)
    X = d + m * (1.0 + t)
    return (tv, tariff, inter, np.full((1, 2), X - (1.0 - beta) * Y),
            np.full((1, 2), beta * Y), None, np.array([theta]))


@settings(max_examples=40, deadline=None)
@given(d=st.floats(10.0, 100.0), m=st.floats(1.0, 50.0), t=st.floats(0.0, 0.5),
       t_new=st.floats(0.0, 0.5), beta=st.floats(0.2, 1.0), theta=st.floats(1.5, 12.0))
def test_symmetric_tariff_change_closed_form(d: float, m: float, t: float, t_new: float,
                                             beta: float, theta: float) -> None:
    """By symmetry w_hat = 1 and c_hat is common, so (on paper, kappa = (1+t')/(1+t),
    lambda = d / X): P_hat = (lambda + (1 - lambda) kappa^-theta)^(-1/(theta beta)),
    lambda' = lambda / (lambda + (1 - lambda) kappa^-theta), s' = lambda' + (1 - lambda')/(1+t'),
    X' = VA / (1 - (1 - beta) s' - t'(1 - lambda')/(1 + t')), I' = VA + t'(1 - lambda') X'/(1+t'),
    welfare = (I'/I) / P_hat - 1; terms of trade 0."""
    base = ge.calibrate(*symmetric_pair(d, m, t, beta, theta))
    eq0 = ge.solve(base)
    eq1 = ge.solve(base, np.array([[[0.0, t_new], [t_new, 0.0]]]), start=eq0)
    res = ge.compare(base, eq0, eq1)
    assert res.converged
    X, Y = d + m * (1 + t), d + m
    VA, I0 = beta * Y, beta * Y + t * m
    lam = d / X
    kappa = (1 + t_new) / (1 + t)
    A = lam + (1 - lam) * kappa ** (-theta)
    P_hat = A ** (-1.0 / (theta * beta))
    lam1 = lam / A
    s1 = lam1 + (1 - lam1) / (1 + t_new)
    X1 = VA / (1 - (1 - beta) * s1 - t_new * (1 - lam1) / (1 + t_new))
    I1 = VA + t_new * (1 - lam1) * X1 / (1 + t_new)
    # atol = the solver's tolerance: a shock below it leaves the start as the solution
    np.testing.assert_allclose(eq1.w_hat, 1.0, rtol=1e-9)
    np.testing.assert_allclose(res.price_change, P_hat - 1.0, rtol=1e-8, atol=ge.TOL)
    np.testing.assert_allclose(res.welfare, (I1 / I0) / P_hat - 1.0, rtol=1e-8, atol=ge.TOL)
    np.testing.assert_allclose(res.terms_of_trade, 0.0, atol=1e-12)
    np.testing.assert_allclose(eq1.trade_share[0, 0, 0], lam1, rtol=1e-9)


def test_asymmetric_pair_with_deficits_matches_a_one_dimensional_root() -> None:
    """Two economies, one sector, no inputs or tariffs, a fixed surplus of 25: the model
    reduces to economy 0's labour market in w0 (w1 from the numeraire), X_n = w_n VA_n + D_n,
    shares pi (kappa w)^-theta normalised; solved here with brentq."""
    tv = np.array([[[60.0, 30.0], [5.0, 60.0]]])
    VA, D, theta = np.array([90.0, 65.0]), np.array([-25.0, 25.0]), 5.0
    pi = tv[0] / tv[0].sum(axis=0)
    kappa = 8.0
    cost = np.array([[[0.0, kappa - 1], [kappa - 1, 0.0]]])

    def excess(w0: float) -> float:
        w = np.array([w0, (VA.sum() - w0 * VA[0]) / VA[1]])
        a = pi * (np.array([[1.0, kappa], [kappa, 1.0]]) * w[:, None]) ** -theta
        return float((a[0] / a.sum(axis=0) * (w * VA + D)).sum() - w0 * VA[0])

    w0 = optimize.brentq(excess, 0.2, 1.0, xtol=1e-14)
    base = ge.calibrate(tv, np.zeros((1, 2, 2)), np.zeros((2, 1, 1)), tv.sum(axis=1),
                        tv.sum(axis=2), None, np.array([theta]))
    eq = ge.solve(base, None, cost)
    assert eq.converged
    np.testing.assert_allclose(eq.w_hat[0], w0, rtol=1e-9)
    np.testing.assert_allclose(eq.income[0], w0 * VA[0] + D[0], rtol=1e-8)


def test_symmetric_consistent_data_are_the_baseline_equilibrium() -> None:
    base = ge.calibrate(*symmetric_pair(60.0, 15.0, 0.1, 0.5, 5.0))
    eq0 = ge.solve(base)
    assert eq0.converged and eq0.iterations == 0
    np.testing.assert_allclose(eq0.w_hat, 1.0, rtol=1e-14)


# ------------------------------------------------------------------- identities
def check_identities(tables: Tables, base: ge.GEBase, eq: ge.GEEquilibrium,
                     tariff_new: np.ndarray, cost: np.ndarray) -> None:
    """Equilibrium conditions recomputed from the raw values and the solver's outputs."""
    t, theta = tables[1], tables[6]
    sh = shares_from_values(tables)
    F, X1, Y1, I1 = eq.flows, eq.expenditure, eq.output, eq.income
    # goods markets: sales are the sum of flows; shares sum to 1; flows = pi' X' / (1 + t')
    np.testing.assert_allclose(Y1, F.sum(axis=2), rtol=1e-12)
    np.testing.assert_allclose(eq.trade_share.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(F * (1 + tariff_new), eq.trade_share * X1[:, None, :],
                               rtol=1e-12)
    # price index in levels: P_hat^-theta = sum_i pi (kappa_hat c_hat_i)^-theta
    kappa = (1 + tariff_new) / (1 + t) * (1 + cost)
    th = theta[:, None, None]
    rhs = (sh["pi"] * (kappa * eq.c_hat[:, :, None]) ** (-th)).sum(axis=1)
    np.testing.assert_allclose(eq.P_hat ** (-theta[:, None]), rhs, rtol=1e-9)
    # unit cost: c_hat = w_hat^beta prod_k P_hat_k^((1 - beta) gamma_kj)
    log_c = (sh["beta"] * np.log(eq.w_hat)
             + (1 - sh["beta"]) * np.einsum("nkj,kn->jn", sh["gamma"], np.log(eq.P_hat)))
    np.testing.assert_allclose(np.log(eq.c_hat), log_c, atol=1e-10)
    # tariff revenue, income, spending = intermediate + final
    R1 = (tariff_new * F).sum(axis=(0, 1))
    np.testing.assert_allclose(eq.tariff_revenue, R1, rtol=1e-12)
    D = base.deficit
    np.testing.assert_allclose(I1, eq.w_hat * sh["va"] + R1 + D, rtol=1e-12)
    spend = (np.einsum("njk,kn->jn", sh["gamma"], (1 - sh["beta"]) * Y1) + sh["alpha"] * I1)
    np.testing.assert_allclose(X1, spend, rtol=1e-9)
    # labour markets, numeraire, Walras' law (each economy's deficit is the fixed D)
    np.testing.assert_allclose(eq.w_hat * sh["va"], (sh["beta"] * Y1).sum(axis=0), rtol=1e-9)
    np.testing.assert_allclose((eq.w_hat * sh["va"]).sum(), sh["va"].sum(), rtol=1e-12)
    off = F * (1 - np.eye(F.shape[1]))
    imports_minus_exports = off.sum(axis=(0, 1)) - off.sum(axis=(0, 2))
    np.testing.assert_allclose(imports_minus_exports, D, atol=1e-9 * sh["va"].sum())
    assert abs(D.sum()) < 1e-9 * sh["va"].sum()


def test_identities_after_a_tariff_and_cost_shock() -> None:
    tables = world(6, 4, seed=7)
    base = ge.calibrate(*tables)
    rng = np.random.default_rng(8)
    t_new = tables[1] * rng.uniform(0.0, 2.0, tables[1].shape)
    cost = rng.uniform(-0.1, 0.1, tables[1].shape)
    eq0 = ge.solve(base)
    eq1 = ge.solve(base, t_new, cost, start=eq0)
    assert eq1.converged and eq1.residual < 1e-10
    check_identities(tables, base, eq0, tables[1], np.zeros_like(cost))
    check_identities(tables, base, eq1, t_new, cost)


@settings(max_examples=25, deadline=None)
@given(N=st.integers(2, 5), J=st.integers(1, 4), seed=st.integers(0, 10_000),
       cut=st.floats(0.0, 1.0), cost=st.floats(-0.5, 0.5))
def test_identities_hold_on_random_worlds(N: int, J: int, seed: int, cut: float,
                                          cost: float) -> None:
    tables = world(N, J, seed=seed)
    base = ge.calibrate(*tables)
    t_new = tables[1] * (1 - cut)
    cc = np.full(tables[1].shape, cost)
    cc[:, np.arange(N), np.arange(N)] = 0.0
    out = ge.solve_scenarios(base, {"s": (t_new, cc)})["s"]
    assert out.converged
    check_identities(tables, base, out.scenario, t_new, cc)


# ------------------------------------------------------------------ invariances
def test_results_do_not_depend_on_the_currency_unit() -> None:
    tables = world(5, 3, seed=11)
    tv, t, inter, final, va, _, theta = tables
    deficit = np.array([3.0, -1.0, -2.0, 4.0, -4.0])
    t_new = t * 0.3
    a = ge.solve_scenarios(ge.calibrate(tv, t, inter, final, va, deficit, theta),
                           {"s": (t_new, None)})["s"]
    k = 1000.0
    b = ge.solve_scenarios(ge.calibrate(tv * k, t, inter * k, final * k, va * k, deficit * k,
                                        theta), {"s": (t_new, None)})["s"]
    for name in ("welfare", "real_wage", "terms_of_trade", "volume_of_trade",
                 "output_change", "exports_change", "imports_change", "price_change"):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-9,
                                   atol=1e-14, err_msg=name)
    np.testing.assert_allclose(b.scenario.income, k * a.scenario.income, rtol=1e-10)


def test_warm_and_cold_starts_agree() -> None:
    tables = world(5, 3, seed=12)
    base = ge.calibrate(*tables)
    eq0 = ge.solve(base)
    t_new = tables[1] * 0.2
    warm = ge.compare(base, eq0, ge.solve(base, t_new, start=eq0))
    cold = ge.compare(base, eq0, ge.solve(base, t_new))
    np.testing.assert_allclose(warm.welfare, cold.welfare, atol=1e-12)


# ------------------------------------------------------------------ decomposition
def test_first_order_decomposition_approaches_the_exact_welfare_change() -> None:
    """terms of trade + volume of trade is the first-order welfare change (CP 2015, sec. 4):
    the gap relative to the welfare change shrinks in proportion to the shock."""
    tables = world(4, 3, seed=3)
    base = ge.calibrate(*tables)
    eq0 = ge.solve(base)
    gaps = []
    for s in (0.1, 0.01, 0.001):
        t_new = tables[1].copy()
        t_new[:, 0, 1] *= 1 - s
        t_new[:, 1, 0] *= 1 - s
        res = ge.compare(base, eq0, ge.solve(base, t_new, start=eq0))
        gap = np.abs(res.terms_of_trade + res.volume_of_trade - res.welfare).max()
        gaps.append(gap / np.abs(res.welfare).max())
    assert gaps[1] < 0.2 * gaps[0] and gaps[2] < 0.2 * gaps[1]
    assert gaps[2] < 1e-3


# -------------------------------------------------------------------- convergence
def test_non_convergence_is_reported_not_raised() -> None:
    tables = world(6, 4, seed=13)
    base = ge.calibrate(*tables)
    t_new = tables[1] + 2.0  # +200 points on every flow, domestic sales included
    eq = ge.solve(base, t_new, max_iter=2)
    assert not eq.converged and eq.iterations == 2
    assert eq.residual > ge.TOL and np.isfinite(eq.residual)
    assert "not converged" in eq.message
    for a in (eq.w_hat, eq.P_hat, eq.flows, eq.income):
        assert np.isfinite(a).all()
    res = ge.compare(base, ge.solve(base), eq)
    assert not res.converged and res.residual == eq.residual
    full = ge.solve(base, t_new)
    assert full.converged  # the same case converges when allowed to


def test_no_equilibrium_with_fixed_deficits_is_reported() -> None:
    """Near autarky a surplus economy cannot keep exporting its fixed surplus: no root with
    positive income exists; the solver says so instead of returning negative flows. With
    zero deficits the same shock has an equilibrium."""
    tv = np.array([[[60.0, 30.0], [5.0, 60.0]]])  # economy 0 exports 30, imports 5
    inter = np.zeros((2, 1, 1))
    final = tv.sum(axis=1)
    va = tv.sum(axis=2)
    args = (tv, np.zeros((1, 2, 2)), inter, final, va)
    cost = np.array([[[0.0, 10.0], [10.0, 0.0]]])  # trade costs x11
    base = ge.calibrate(*args, None, np.array([5.0]))
    assert base.deficit[0] == -25.0
    eq = ge.solve(base, None, cost)
    assert not eq.converged and "deficits" in eq.message
    assert np.isfinite(eq.residual)
    balanced = ge.calibrate(*args, np.zeros(2), np.array([5.0]))
    assert ge.solve(balanced, None, cost).converged


def test_large_shock_converges() -> None:
    """A 90% cut of every international trade cost (the goods markets are solved in logs)."""
    tables = world(8, 5, seed=21)
    base = ge.calibrate(*tables)
    cost = np.full(tables[1].shape, -0.9)
    cost[:, np.arange(8), np.arange(8)] = 0.0
    out = ge.solve_scenarios(base, {"s": (None, cost)})["s"]
    assert out.converged
    check_identities(tables, base, out.scenario, tables[1], cost)
    assert (out.welfare > 0).all()  # cheaper trade: every economy gains


def test_jacobian_products_match_finite_differences() -> None:
    """The solver's analytic Jacobian (private) against central differences."""
    from fta_compare.model.ge import _Point, _System

    tables = world(4, 3, seed=22)
    base = ge.calibrate(*tables)
    rng = np.random.default_rng(23)
    sys = _System(base, tables[1] * 0.5, rng.uniform(-0.1, 0.1, tables[1].shape))
    z = sys.start() + rng.normal(0.0, 0.05, sys.n)
    v = rng.normal(size=sys.n)
    h = 1e-6
    fd = (_Point(sys, z + h * v).res - _Point(sys, z - h * v).res) / (2 * h)
    np.testing.assert_allclose(_Point(sys, z).jvp(v), fd, rtol=1e-6, atol=1e-7)


def test_zero_iterations_allowed_reports_the_distance_from_a_solution() -> None:
    base = ge.calibrate(*world(3, 2, seed=14))
    eq = ge.solve(base, max_iter=0)
    assert not eq.converged and eq.iterations == 0 and eq.residual > ge.TOL


def test_solve_scenarios_shares_one_baseline() -> None:
    tables = world(4, 2, seed=15)
    base = ge.calibrate(*tables)
    t = tables[1]
    out = ge.solve_scenarios(base, {"a": (t * 0.5, None), "b": (t, np.full(t.shape, -0.05))})
    assert list(out) == ["a", "b"]
    assert out["a"].baseline is out["b"].baseline
    direct = ge.compare(base, ge.solve(base), ge.solve(base, t * 0.5))
    np.testing.assert_allclose(out["a"].welfare, direct.welfare, atol=1e-12)
