"""Array containers shared by every model.

Axes: ``P`` products (HS codes), ``N`` economies. Trade arrays are indexed
``[p, v, r]`` = product p, exporter v, importer r. Values are at world (pre-tariff)
base prices in the input currency unit; rates are fractions (0.08 = 8%).
An optional leading draws axis ``D`` (sensitivity analysis) is allowed on the
elasticity arrays only through :func:`numpy.broadcast_to`-compatible shapes; the
models use ``...`` indexing so ``(D, P, N)`` elasticities with ``(P, N, N)`` trade work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

_DERIVING = threading.Lock()  # scenario threads share one market: derive its constants once


@dataclass(frozen=True)
class MarketArrays:
    """Base-period data for P products and N economies.

    base_value[p, v, r]  M0: imports of r from v at world prices (>= 0). v == r is
                         domestic / intra-bloc sales (GSIM); SMART ignores those cells.
    base_rate[p, v, r]   t0: applied ad valorem tariff of r on v (fraction).
    import_demand[p, r]  Em_r < 0: composite import demand elasticity of importer r.
    substitution[p, r]   Es_r > 0: Armington elasticity of substitution among sources in r.
    export_supply[p, v]  Ex_v > 0: export supply elasticity of v; ``np.inf`` = infinitely elastic.
    """

    hs: np.ndarray
    countries: np.ndarray
    base_value: np.ndarray
    base_rate: np.ndarray
    import_demand: np.ndarray
    substitution: np.ndarray
    export_supply: np.ndarray

    @property
    def n_products(self) -> int:
        return int(self.base_value.shape[0])

    @property
    def n_countries(self) -> int:
        return int(self.base_value.shape[1])

    def derived(
        self, key: str, build: Callable[[MarketArrays], tuple[np.ndarray, ...]]
    ) -> tuple[np.ndarray, ...]:
        """``build(self)``, computed once and kept with the market: constants a model derives
        from the base data alone (product axis first), shared by every scenario solved on it.
        A subset from :meth:`take` slices what its parent had derived, on first use."""
        with _DERIVING:
            cache: dict[str, tuple[np.ndarray, ...]] = self.__dict__.setdefault("_derived", {})
            if key not in cache:
                parent, rows = self.__dict__.get("_parent_derived", ({}, None))
                cache[key] = (tuple(a[rows] for a in parent[key]) if key in parent
                              else build(self))
            return cache[key]

    def take(self, rows: np.ndarray) -> MarketArrays:
        """The market of the products ``rows`` (with the slices of the derived constants)."""
        sub = MarketArrays(hs=self.hs[rows], countries=self.countries,
                           base_value=self.base_value[rows], base_rate=self.base_rate[rows],
                           import_demand=self.import_demand[rows],
                           substitution=self.substitution[rows],
                           export_supply=self.export_supply[rows])  # fmt: skip
        with _DERIVING:  # another thread may be deriving a constant of this market
            parent = dict(self.__dict__.get("_derived", {}))
        if parent:  # sliced when the subset's solver asks (the others' are never needed)
            sub.__dict__["_parent_derived"] = (parent, rows)
        return sub

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the derived constants (a worker derives its own)."""
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_derived", "_parent_derived")}


@dataclass(frozen=True)
class Shock:
    """A scenario's policy change relative to the base.

    new_rate[p, v, r]    t1: applied tariff in the scenario (fraction).
    trade_cost[p, v, r]  proportional change in non-tariff (iceberg) trade cost, e.g. -0.03
                         for the depth channel (DESIGN 3d); it moves internal prices like a
                         tariff but raises no revenue. Zeros when absent.
    """

    new_rate: np.ndarray
    trade_cost: np.ndarray | None = None

    def cost_factor(self) -> np.ndarray:
        """(1 + tau): multiplies the internal price, 1 where no trade-cost change."""
        if self.trade_cost is None:
            return np.ones_like(self.new_rate)
        return 1.0 + self.trade_cost


@dataclass(frozen=True)
class ModelResult:
    """Changes from the base for one scenario (all money in the input currency unit).

    new_value[p, v, r]         M1: imports at new world prices.
    trade_creation[p, v, r]    change from composite demand (SMART: TC_k; GSIM: M0 Em Pbar).
    trade_diversion[p, v, r]   change from substitution between sources; nets to zero per
                               market (SMART exactly; GSIM weighted by internal-price shares).
    world_price_change[p, v]   proportional change of exporter v's world price (0 if Ex = inf).
    consumer_surplus[p, r]     change in importer r's consumer surplus.
    producer_surplus[p, v]     change in exporter v's producer surplus.
    tariff_revenue[p, r]       change in importer r's tariff revenue.
    converged[p]               solver converged (always True for closed-form models).
    residual[p]                max relative market-clearing residual (0 for closed forms).
    iterations                 Newton iterations used (0 for closed forms).
    """

    new_value: np.ndarray
    trade_creation: np.ndarray
    trade_diversion: np.ndarray
    world_price_change: np.ndarray
    consumer_surplus: np.ndarray
    producer_surplus: np.ndarray
    tariff_revenue: np.ndarray
    converged: np.ndarray
    residual: np.ndarray
    iterations: int = 0

    @property
    def net_welfare(self) -> np.ndarray:
        """Net welfare per product and economy [p, n] = CS + PS + TR."""
        return self.consumer_surplus + self.producer_surplus + self.tariff_revenue
