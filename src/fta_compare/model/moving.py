"""Solve only the products a scenario touches; the others have exactly zero effects.

In every PE model here a product is an independent market system: with no change in any
of its tariffs or trade costs, its world prices stay put and every change is zero (that is
the "no tariff change gives zero effects" invariant the tests check). So a solver needs
to see only the products whose policy moves; the rest get the base values and zeros.
For an FTA among three economies that is about 60% of the HS6 products.

By the same independence, a product whose policy is the same as in a scenario already
solved (a *reference*: ``kor_cptpp+us_deal`` against ``us_deal`` on the products CPTPP
does not touch, a depth-channel variant against its scenario where no trade cost falls)
has that scenario's solution, to the bit, when the solver computes each product from its
own data only (the exact solver; tested). Such products are copied, not solved again.
Pure numpy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fta_compare.model.arrays import MarketArrays, ModelResult, Shock

Solver = Callable[[MarketArrays, Shock], ModelResult]


def moving_products(m: MarketArrays, s: Shock) -> np.ndarray:
    """(P,) bool: products where any tariff or trade cost of the scenario differs from
    the base, on a cell with base trade."""
    traded = m.base_value > 0
    moved = traded & (s.new_rate != m.base_rate)
    if s.trade_cost is not None:
        moved |= traded & (np.asarray(s.trade_cost) != 0)
    return moved.any(axis=(1, 2))


def differing_products(m: MarketArrays, s: Shock, ref: Shock) -> np.ndarray:
    """(P,) bool: products where any tariff or trade cost of ``s`` differs from ``ref``'s,
    on a cell with base trade."""
    traded = m.base_value > 0
    differ = s.new_rate != ref.new_rate
    if s.trade_cost is not None or ref.trade_cost is not None:
        zero = np.zeros(())
        tc = zero if s.trade_cost is None else np.asarray(s.trade_cost)
        tc_ref = zero if ref.trade_cost is None else np.asarray(ref.trade_cost)
        differ |= tc != tc_ref
    return (traded & differ).any(axis=(1, 2))


def shared_products(m: MarketArrays, s: Shock, ref: Shock) -> np.ndarray:
    """(P,) bool: products that ``s`` moves with the same policy as ``ref`` (what
    :func:`solve_moving` may copy from ``ref``'s result)."""
    return moving_products(m, s) & ~differing_products(m, s, ref)


def solve_moving_only(solver: Solver, m: MarketArrays, s: Shock
                      ) -> tuple[MarketArrays, ModelResult]:
    """``(market, result)``: ``solver`` on the products ``s`` moves, as the market of those
    products alone (``m`` itself when every product moves, or for batched elasticity
    draws). The other products keep their base values with zero effects, as
    :func:`solve_moving` fills them in; a caller that needs only sums of effects, or the
    moving cells, takes this instead of the full arrays."""
    if m.import_demand.ndim != 2 or m.base_value.ndim != 3:
        return m, solver(m, s)
    move = moving_products(m, s)
    if move.all():
        return m, solver(m, s)
    return _solve_products(solver, m, s, np.flatnonzero(move))


def _solve_products(solver: Solver, m: MarketArrays, s: Shock, p: np.ndarray
                    ) -> tuple[MarketArrays, ModelResult]:
    """``solver`` on products ``p`` of ``m`` alone: (their market, its result)."""
    prime = getattr(solver, "base_constants", None)
    if prime is not None:  # derived once on the whole market, sliced for each subset
        prime(m)
    tcost = None if s.trade_cost is None else np.asarray(s.trade_cost)[p]
    sub = m.take(p)
    return sub, solver(sub, Shock(new_rate=s.new_rate[p], trade_cost=tcost))


def solve_moving(solver: Solver, m: MarketArrays, s: Shock,
                 ref: tuple[ModelResult, np.ndarray] | None = None) -> ModelResult:
    """``solver`` on the moving products only, scattered back to all products.

    Products that do not move keep ``new_value = base_value``, zero creation, diversion,
    price and welfare changes, and count as converged with residual 0. With ``ref`` (the
    result of another shock of the same market under the same solver, and the products
    it shares with ``s``, :func:`shared_products`), those products take its values. Falls
    back to the whole solve when every product moves and none can be copied (or for
    batched elasticity draws). ``iterations`` is the largest of the products solved here
    and, when values were copied, of the reference.
    """
    if m.import_demand.ndim != 2 or m.base_value.ndim != 3:
        return solver(m, s)
    move = moving_products(m, s)
    same = np.zeros_like(move) if ref is None else ref[1]
    if move.all() and not same.any():
        return solver(m, s)
    p = np.flatnonzero(move & ~same)
    P, N = m.base_value.shape[0], m.base_value.shape[1]
    new_value = m.base_value.copy()
    tc = np.zeros((P, N, N))
    td = np.zeros((P, N, N))
    z2 = [np.zeros((P, N)) for _ in range(4)]
    converged = np.ones(P, dtype=bool)
    residual = np.zeros(P)
    iterations = 0
    parts: list[tuple[np.ndarray, np.ndarray | slice, ModelResult]] = []  # (to, from, of)
    if ref is not None and same.any():
        rows = np.flatnonzero(same)
        parts.append((rows, rows, ref[0]))
    if p.size:
        parts.append((p, slice(None), _solve_products(solver, m, s, p)[1]))
    for at, src, res in parts:
        new_value[at] = res.new_value[src]
        tc[at] = res.trade_creation[src]
        td[at] = res.trade_diversion[src]
        for out, part in zip(z2, (res.world_price_change, res.consumer_surplus,
                                  res.producer_surplus, res.tariff_revenue), strict=True):
            out[at] = part[src]
        converged[at] = res.converged[src]
        residual[at] = res.residual[src]
        iterations = max(iterations, res.iterations)
    return ModelResult(new_value=new_value, trade_creation=tc, trade_diversion=td,
                       world_price_change=z2[0], consumer_surplus=z2[1],
                       producer_surplus=z2[2], tariff_revenue=z2[3], converged=converged,
                       residual=residual, iterations=iterations)
