"""Solve only the products a scenario touches; the others have exactly zero effects.

In every PE model here a product is an independent market system: with no change in any
of its tariffs or trade costs, its world prices stay put and every change is zero (that is
the "no tariff change gives zero effects" invariant the tests check). So a solver needs
to see only the products whose policy moves; the rest get the base values and zeros.
For an FTA among three economies that is about 60% of the HS6 products. Pure numpy.
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


def solve_moving(solver: Solver, m: MarketArrays, s: Shock) -> ModelResult:
    """``solver`` on the moving products only, scattered back to all products.

    Products that do not move keep ``new_value = base_value``, zero creation, diversion,
    price and welfare changes, and count as converged with residual 0. Falls back to the
    whole solve when every product moves (or for batched elasticity draws).
    """
    if m.import_demand.ndim != 2 or m.base_value.ndim != 3:
        return solver(m, s)
    move = moving_products(m, s)
    if move.all():
        return solver(m, s)
    p = np.flatnonzero(move)
    prime = getattr(solver, "base_constants", None)
    if prime is not None:  # derived once on the whole market, sliced for each subset
        prime(m)
    P, N = m.base_value.shape[0], m.base_value.shape[1]
    new_value = m.base_value.copy()
    tc = np.zeros((P, N, N))
    td = np.zeros((P, N, N))
    z2 = [np.zeros((P, N)) for _ in range(4)]
    converged = np.ones(P, dtype=bool)
    residual = np.zeros(P)
    iterations = 0
    if p.size:
        tcost = None if s.trade_cost is None else np.asarray(s.trade_cost)[p]
        sub = solver(m.take(p), Shock(new_rate=s.new_rate[p], trade_cost=tcost))
        new_value[p] = sub.new_value
        tc[p] = sub.trade_creation
        td[p] = sub.trade_diversion
        for out, part in zip(z2, (sub.world_price_change, sub.consumer_surplus,
                                  sub.producer_surplus, sub.tariff_revenue), strict=True):
            out[p] = part
        converged[p] = sub.converged
        residual[p] = sub.residual
        iterations = sub.iterations
    return ModelResult(new_value=new_value, trade_creation=tc, trade_diversion=td,
                       world_price_change=z2[0], consumer_surplus=z2[1],
                       producer_surplus=z2[2], tariff_revenue=z2[3], converged=converged,
                       residual=residual, iterations=iterations)
