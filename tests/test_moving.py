"""Solving only the products a scenario moves gives the whole solve's answer."""

from __future__ import annotations

import numpy as np
import pytest

from fta_compare.model.arrays import Shock
from fta_compare.model.exact import solve_exact
from fta_compare.model.gsim import solve_gsim
from fta_compare.model.moving import differing_products, moving_products, solve_moving
from fta_compare.model.smart import solve_smart
from fta_compare.solve import solve_all
from helpers import market


def random_case(seed: int):
    rng = np.random.default_rng(seed)
    P, N = 12, 4
    M = rng.uniform(0, 100, (P, N, N)) * (rng.random((P, N, N)) < 0.8)
    t0 = rng.uniform(0, 0.2, (P, N, N))
    m = market(M, t0, Em=-rng.uniform(0.5, 2.0, (P, N)), Es=rng.uniform(1.5, 6.0, (P, N)),
               Ex=rng.uniform(1.0, 5.0, (P, N)))
    t1 = t0.copy()
    moved = rng.random(P) < 0.5
    t1[moved] = t0[moved] * rng.uniform(0.0, 2.0, (int(moved.sum()), N, N))
    return m, Shock(new_rate=t1), moved


@pytest.mark.parametrize("solver", [solve_smart, solve_gsim, solve_exact])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_moving_products_only_equals_the_whole_solve(solver, seed: int) -> None:
    m, shock, moved = random_case(seed)
    whole = solver(m, shock)
    part = solve_moving(solver, m, shock)
    still = ~moving_products(m, shock)
    assert (still >= ~moved).all()
    for name in ("new_value", "trade_creation", "trade_diversion", "world_price_change",
                 "consumer_surplus", "producer_surplus", "tariff_revenue"):
        a, b = getattr(whole, name), getattr(part, name)
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9, err_msg=name)
        if name != "new_value":
            assert (b[still] == 0).all()
    np.testing.assert_array_equal(part.new_value[still], m.base_value[still])
    assert part.converged.all()


def test_solve_all_keeps_order_and_matches_one_thread() -> None:
    m, shock, _ = random_case(4)
    shocks = [(f"s{k}", Shock(new_rate=shock.new_rate * (1 + 0.1 * k))) for k in range(5)]
    one = [r for _, _, r in solve_all(solve_exact, m, shocks, workers=1)]
    two = list(solve_all(solve_exact, m, shocks, workers=2))
    assert [n for n, _, _ in two] == [n for n, _ in shocks]
    for a, (_, _, b) in zip(one, two, strict=True):
        np.testing.assert_array_equal(a.new_value, b.new_value)
        np.testing.assert_array_equal(a.consumer_surplus, b.consumer_surplus)


def _family(seed: int):
    """A parent shock, a child equal to it on some moving products and different on
    others (plus a trade-cost variant of the child), and a last shock unrelated."""
    m, parent, moved = random_case(seed)
    child_rate = parent.new_rate.copy()
    changed = np.flatnonzero(moved)[:2]
    child_rate[changed] *= 0.5
    tc = np.zeros_like(child_rate)
    tc[changed[:1]] = -0.03
    shocks = [("parent", parent), ("child", Shock(new_rate=child_rate)),
              ("child (depth)", Shock(new_rate=child_rate, trade_cost=tc)),
              ("other", Shock(new_rate=m.base_rate * 1.5))]
    refs = {"child": ["parent"], "child (depth)": ["child", "parent"], "other": ["child"]}
    return m, shocks, refs, changed


@pytest.mark.parametrize("workers", [1, 2])
def test_references_give_the_same_bits_and_solve_fewer_products(workers: int) -> None:
    m, shocks, refs, changed = _family(7)
    plain = {n: r for n, _, r in solve_all(solve_exact, m, shocks, workers=workers)}
    sizes: dict[int, int] = {}

    def counting(mk, s):
        sizes[len(sizes)] = mk.base_value.shape[0]
        return solve_exact(mk, s)

    counting.independent_products = True  # type: ignore[attr-defined]
    counting.base_constants = solve_exact.base_constants  # type: ignore[attr-defined]
    shared = {n: r for n, _, r in solve_all(counting, m, shocks, workers=1, references=refs)}
    pooled = {n: r for n, _, r in solve_all(solve_exact, m, shocks, workers=workers,
                                            references=refs)}  # fmt: skip
    for name, a in plain.items():
        for b in (shared[name], pooled[name]):
            for f in ("new_value", "trade_creation", "trade_diversion", "world_price_change",
                      "consumer_surplus", "producer_surplus", "tariff_revenue", "converged",
                      "residual"):
                assert np.array_equal(getattr(a, f), getattr(b, f)), (name, f)
    # parent: every moving product; child: only the two it changes; the depth variant:
    # only the one whose trade cost falls; 'other' shares nothing with 'child'
    assert sizes[1] == len(changed) and sizes[2] == 1
    assert sizes[0] == int(moving_products(m, shocks[0][1]).sum())


def test_references_are_ignored_for_solvers_not_independent_by_product():
    m, shocks, refs, _ = _family(8)
    seen: list[int] = []

    def smart(mk, s):
        seen.append(mk.base_value.shape[0])
        return solve_smart(mk, s)

    list(solve_all(smart, m, shocks, workers=1, references=refs))
    assert seen[1] == int(moving_products(m, shocks[1][1]).sum())  # child solved in full


def test_differing_products() -> None:
    m, shock, _ = random_case(9)
    assert not differing_products(m, shock, shock).any()
    assert (differing_products(m, shock, Shock(new_rate=m.base_rate))
            == moving_products(m, shock)).all()
    tc = np.zeros_like(shock.new_rate)
    p = int(np.flatnonzero(m.base_value.sum(axis=(1, 2)) > 0)[0])
    tc[p] = -0.03
    assert np.flatnonzero(differing_products(m, Shock(shock.new_rate, tc), shock)).tolist() == [p]


def test_take_while_another_thread_derives_constants() -> None:
    """Subsets are taken (one thread) while constants of the same market are derived
    (another thread), as the other PE models do beside each other."""
    import threading

    m, _, _ = random_case(10)
    for k in range(3000):  # a long dictionary: each take iterates over it for a while
        m.derived(f"k{k}", lambda mk: (np.zeros(mk.base_value.shape[0]),))
    errors: list[BaseException] = []
    stop = threading.Event()

    def taking() -> None:
        try:
            while not stop.is_set():
                m.take(np.arange(3))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    t = threading.Thread(target=taking)
    t.start()
    for k in range(3000, 12000):  # bounded
        m.derived(f"k{k}", lambda mk: (np.zeros(mk.base_value.shape[0]),))
    stop.set()
    t.join()
    assert not errors, errors
    sub = m.take(np.arange(3))
    assert len(sub.__dict__["_parent_derived"][0]) == 12000

    def never(mk: object) -> tuple[np.ndarray, ...]:
        raise AssertionError("a subset slices its parent's constant, it does not rebuild it")

    assert sub.derived("k11999", never)[0].shape == (3,)


def test_subset_slices_only_the_constants_its_solver_asks_for() -> None:
    """A subset slices a parent's constant on first use, once; a constant the parent never
    derived is built on the subset itself."""
    m, _, _ = random_case(11)
    built = m.derived("ones", lambda mk: (np.arange(mk.base_value.shape[0], dtype=float),))
    sub = m.take(np.array([2, 0]))
    assert "_derived" not in sub.__dict__  # nothing sliced yet
    got = sub.derived("ones", lambda mk: (np.full(2, -1.0),))
    np.testing.assert_array_equal(got[0], built[0][[2, 0]])
    assert sub.derived("ones", lambda mk: (np.full(2, -1.0),)) is got
    own = sub.derived("other", lambda mk: (np.full(mk.base_value.shape[0], 7.0),))
    np.testing.assert_array_equal(own[0], [7.0, 7.0])


@pytest.mark.parametrize("solver,label", [(solve_smart, "smart"), (solve_gsim, "gsim linear"),
                                          (solve_exact, "gsim exact")])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_robustness_welfare_from_the_moving_products_alone(solver, label: str,
                                                           seed: int) -> None:
    """The robustness ranking solves the moving products alone and never spreads them
    back: its welfare and validity findings are those of the full arrays, to the bit
    (a large duty makes the linear models' negative values appear in some cases)."""
    from fta_compare.model.moving import solve_moving_only
    from fta_compare.robustness import solve_welfare
    from fta_compare.validity import check

    m, shock, moved = random_case(seed)
    big = Shock(new_rate=np.where(moved[:, None, None], shock.new_rate + 3.0, shock.new_rate))
    shocks = [("cut", shock), ("duty", big)]
    welfare, found = solve_welfare(solver, label, m, shocks)
    for k, (name, s) in enumerate(shocks):
        full = solve_moving(solver, m, s)
        ok = full.converged.astype(bool)
        np.testing.assert_array_equal(welfare[k], full.net_welfare[ok].sum(axis=0))
        assert found[k] == check(name, label, m, s, full)
        market, part = solve_moving_only(solver, m, s)
        assert part.new_value.shape == market.base_value.shape
        assert market.base_value.shape[0] == int(moving_products(m, s).sum())
    assert any(f.negative_cells for f in found) == (label != "gsim exact")
