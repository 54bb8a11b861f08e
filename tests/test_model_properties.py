"""Property tests (hypothesis) shared by the SMART, linear GSIM and exact CES solvers."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fta_compare.model.arrays import MarketArrays, ModelResult, Shock
from fta_compare.model.exact import solve_exact
from fta_compare.model.gsim import solve_gsim
from fta_compare.model.smart import solve_smart

SOLVERS = {"smart": solve_smart, "gsim": solve_gsim, "exact": solve_exact}
FIELDS3 = ("new_value", "trade_creation", "trade_diversion")
FIELDS2 = ("world_price_change", "consumer_surplus", "producer_surplus", "tariff_revenue")
PROPS = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


@st.composite
def universes(draw, max_p: int = 3, max_n: int = 5, finite_ex: bool = False):
    """A small market (values with zeros, tariffs, elasticities in normal ranges) and a
    random scenario (cuts, increases, a few trade-cost changes)."""
    P = draw(st.integers(1, max_p))
    N = draw(st.integers(2, max_n))

    def arr(shape, elements):
        return draw(hnp.arrays(np.float64, shape, elements=elements))

    value = st.one_of(st.just(0.0), st.floats(1.0, 1000.0))
    M = arr((P, N, N), value)
    t0 = arr((P, N, N), st.floats(0.0, 0.5))
    factor = arr((P, N, N), st.sampled_from([0.0, 0.5, 1.0, 1.0, 1.0, 1.5, 3.0]))
    t1 = t0 * factor + arr((P, N, N), st.sampled_from([0.0, 0.0, 0.0, 0.1]))
    Em = arr((P, N), st.floats(-3.0, -0.2))
    Es = arr((P, N), st.one_of(st.just(1.0), st.floats(0.2, 8.0)))
    ex = st.floats(0.2, 10.0) if finite_ex else st.one_of(st.just(np.inf), st.floats(0.2, 10.0))
    Ex = arr((P, N), ex)
    tau = None
    if draw(st.booleans()):
        tau = arr((P, N, N), st.sampled_from([0.0, 0.0, -0.03, -0.1]))
    m = MarketArrays(
        hs=np.array([f"{i:06d}" for i in range(P)]),
        countries=np.array([f"C{i}" for i in range(N)]),
        base_value=M, base_rate=t0, import_demand=Em, substitution=Es, export_supply=Ex,
    )  # fmt: skip
    return m, Shock(new_rate=t1, trade_cost=tau)


def all_finite(res: ModelResult) -> bool:
    return all(
        np.isfinite(np.asarray(getattr(res, f.name), float)).all() for f in dataclasses.fields(res)
    )


@PROPS
@given(universes())
def test_zero_shock_gives_exactly_zero_change(case):
    m, _ = case
    s = Shock(new_rate=m.base_rate.copy())
    for name, solve in SOLVERS.items():
        res = solve(m, s)
        assert np.array_equal(res.new_value, m.base_value), name
        for f in FIELDS3[1:] + FIELDS2:
            assert np.all(getattr(res, f) == 0.0), (name, f)
        assert res.converged.all(), name


@PROPS
@given(universes())
def test_outputs_finite_and_smart_diversion_nets_to_zero(case):
    m, s = case
    res = solve_smart(m, s)
    assert all_finite(res)
    scale = m.base_value.sum(axis=-2) + 1.0
    assert np.all(np.abs(res.trade_diversion.sum(axis=-2)) <= 1e-9 * scale)
    # diagonal (domestic) cells are ignored by SMART
    idx = np.arange(m.n_countries)
    assert np.array_equal(res.new_value[:, idx, idx], m.base_value[:, idx, idx])


@PROPS
@given(universes())
def test_welfare_parts_sum_and_decompositions(case):
    m, s = case
    M0 = m.base_value
    for name, solve in SOLVERS.items():
        res = solve(m, s)
        assert all_finite(res), name
        np.testing.assert_array_equal(
            res.net_welfare, res.consumer_surplus + res.producer_surplus + res.tariff_revenue
        )
        ok = res.converged[:, None, None]
        Pw = (1 + res.world_price_change)[..., :, None]
        dM = res.trade_creation + res.trade_diversion
        if name == "smart":  # new = M0 + TC + TD exactly
            np.testing.assert_allclose(res.new_value, M0 + dM, rtol=1e-12, atol=1e-9)
        else:  # new = (M0 + TC + TD) (1 + Pw): creation/diversion in base-price quantities
            expected = np.where(ok, (M0 + dM) * Pw, M0)
            np.testing.assert_allclose(res.new_value, expected, rtol=1e-9, atol=1e-9)


@PROPS
@given(universes(), st.randoms(use_true_random=False))
def test_permuting_products_and_countries_permutes_results(case, rnd):
    m, s = case
    P, N = m.n_products, m.n_countries
    pp = np.array(rnd.sample(range(P), P))
    cp = np.array(rnd.sample(range(N), N))

    def perm3(a):
        return None if a is None else a[pp][:, cp][:, :, cp]

    m2 = MarketArrays(
        hs=m.hs[pp], countries=m.countries[cp], base_value=perm3(m.base_value),
        base_rate=perm3(m.base_rate), import_demand=m.import_demand[pp][:, cp],
        substitution=m.substitution[pp][:, cp], export_supply=m.export_supply[pp][:, cp],
    )  # fmt: skip
    s2 = Shock(new_rate=perm3(s.new_rate), trade_cost=perm3(s.trade_cost))
    for name, solve in SOLVERS.items():
        a, b = solve(m, s), solve(m2, s2)
        np.testing.assert_array_equal(a.converged[pp], b.converged)
        for f in FIELDS3:
            np.testing.assert_allclose(perm3(getattr(a, f)), getattr(b, f), rtol=1e-8,
                                       atol=1e-8, err_msg=f"{name} {f}")  # fmt: skip
        for f in FIELDS2:
            np.testing.assert_allclose(getattr(a, f)[pp][:, cp], getattr(b, f), rtol=1e-8,
                                       atol=1e-8, err_msg=f"{name} {f}")  # fmt: skip


@PROPS
@given(universes(finite_ex=True), st.data())
def test_lowering_a_partners_tariff_never_lowers_imports_from_it(case, data):
    m, _ = case
    P, N = m.n_products, m.n_countries
    p = data.draw(st.integers(0, P - 1))
    v = data.draw(st.integers(0, N - 1))
    r = data.draw(st.sampled_from([i for i in range(N) if i != v]))
    cut = data.draw(st.floats(0.05, 1.0))
    t1 = m.base_rate.copy()
    t1[p, v, r] *= 1 - cut
    s = Shock(new_rate=t1)
    for name, solve in SOLVERS.items():
        res = solve(m, s)
        assert res.converged.all()
        tol = 1e-12 * (m.base_value[p, v, r] + 1.0)
        assert res.new_value[p, v, r] >= m.base_value[p, v, r] - tol, name
        assert res.trade_creation[p, v, r] >= -tol, name  # the composite price falls
        if name == "smart":  # the cut partner gains from diversion in SMART
            assert res.trade_diversion[p, v, r] >= -tol


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(universes(max_p=4, max_n=6))
def test_exact_solve_always_clears_markets(case):
    m, s = case
    res = solve_exact(m, s)
    assert res.converged.all()
    assert res.residual.max() <= 1e-12
    Pw = 1 + res.world_price_change
    Q = res.new_value / Pw[..., :, None]
    X0 = m.base_value.sum(axis=-1)
    Ex = m.export_supply
    inf = np.isinf(Ex)
    supply = X0 * Pw ** np.where(inf, 0.0, Ex)
    err = np.abs(Q.sum(axis=-1) - supply) / np.maximum(supply, 1e-300)
    assert np.all(np.where(inf | (X0 == 0), 0.0, err) < 1e-9)
    assert np.all(res.world_price_change[inf] == 0.0)
    assert np.all(res.new_value >= 0.0)
