"""HS6 scenarios -> shocks of the sector model (DESIGN.md 3e, last paragraph).

The product-level scenarios compiled for the PE models reach the Caliendo-Parro sector
model as tariff-factor changes, so both lenses answer the same scenario definition:

* **Sector of a product**: the ``ge_sectors`` row whose HS prefix is the longest prefix of
  the product's code. Products of no sector are left out (their base trade is reported).
* **Tariff factor change** of PE importer r on PE exporter v in sector j, base-trade
  weighted over the sector's products h:
  ``F[j, v, r] = sum_h M0[h, v, r] (1 + t1[h, v, r]) / (1 + t0[h, v, r]) / sum_h M0[h, v, r]``,
  1 where the pair has no base trade in the sector. Domestic PE cells are left out.
* **Economies**: a PE economy that is a GE economy maps to itself; a PE region (e.g. the
  EU bloc ``EUN``) maps to each of its members among the GE economies; a PE economy with no
  GE counterpart maps to the GE rest of the world (``ROW``). Where several PE economies map
  to one GE economy (VNM, MYS, ROW -> GE ROW) their factors are averaged with their base
  trade as weights; a region's factor is copied to each member pair.
* **Scenario tariff** of the sector model: ``t1_GE = (1 + t0_GE) F - 1`` on the GE baseline
  tariffs (``ge_applied``), so pairs the PE tables do not cover keep their GE baseline.
* **Depth channel**: the non-tariff cost change of a ``(depth)`` variant, ``1 + tau``, is
  averaged the same way and applied to the goods sectors (those with HS rows) only.

Pure numpy after the mapping tables are built; arrays ``[j, exporter, importer]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fta_compare.inputs.hs import longest_prefix_index
from fta_compare.model.arrays import MarketArrays, Shock

GE_REST = "ROW"


@dataclass(frozen=True)
class Bridge:
    """How the PE universe maps onto the sector model."""

    sector_of: np.ndarray  # (P,) sector index of each PE product, -1 = none
    n_sectors: int  # sectors of the GE model (J)
    economy_map: np.ndarray  # (N_ge, N_pe) 1 where PE economy maps to GE economy
    mapping: pd.DataFrame  # pe_economy, ge_economy, rule (for the report)
    unmapped_value: float  # base trade of products of no sector (cross-border)
    unmapped_products: int

    def factors(self, m: MarketArrays, shock: Shock, cost: bool = False) -> np.ndarray:
        """(J, N_ge, N_ge) base-trade-weighted mean of (1+t1)/(1+t0) per sector and GE pair
        (or of 1 + tau with ``cost``), 1 where the pair has no mapped trade."""
        J = self.n_sectors
        n_ge = self.economy_map.shape[0]
        if cost:
            ratio = (np.ones_like(m.base_value) if shock.trade_cost is None
                     else 1.0 + np.asarray(shock.trade_cost, dtype=float))
        else:
            ratio = (1.0 + shock.new_rate) / (1.0 + m.base_rate)
        num, den = _by_sector(m.base_value * ratio, m.base_value, self.sector_of, J)
        emap = self.economy_map
        num_ge = np.einsum("Ev,jvr,Ir->jEI", emap, num, emap, optimize=True)
        den_ge = np.einsum("Ev,jvr,Ir->jEI", emap, den, emap, optimize=True)
        out = np.ones((J, n_ge, n_ge))
        np.divide(num_ge, den_ge, out=out, where=den_ge > 0)
        return out


def _by_sector(weighted: np.ndarray, base: np.ndarray, sector_of: np.ndarray, J: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Sums over the products of each sector, domestic cells left out: (J, N, N) twice."""
    n = base.shape[1]
    keep = np.flatnonzero(sector_of >= 0)
    order = keep[np.argsort(sector_of[keep], kind="stable")]
    sec = sector_of[order]
    num = np.zeros((J, n, n))
    den = np.zeros((J, n, n))
    if order.size:
        starts = np.flatnonzero(np.r_[True, sec[1:] != sec[:-1]])
        num[sec[starts]] = np.add.reduceat(weighted[order], starts, axis=0)
        den[sec[starts]] = np.add.reduceat(base[order], starts, axis=0)
    diag = np.arange(n)
    num[:, diag, diag] = 0.0
    den[:, diag, diag] = 0.0
    return num, den


def build_bridge(hs: np.ndarray, countries: np.ndarray, base_value: np.ndarray,
                 sectors: Sequence[str], sector_hs: Mapping[str, Sequence[str]],
                 economies: Sequence[str], regions: Mapping[str, Sequence[str]]) -> Bridge:
    """The product -> sector and PE -> GE economy maps of the module docstring.

    ``hs``/``countries``: the PE products and economies; ``base_value``: (P, N, N) base
    trade; ``sectors``: GE sector codes in model order, ``sector_hs`` their HS prefixes;
    ``economies``: GE economies in model order; ``regions``: PE region -> members.
    """
    rows = [(h, s) for s, prefixes in sector_hs.items() for h in prefixes]
    rules = pd.DataFrame(rows, columns=["hs", "sector"]).drop_duplicates("hs")
    pos = longest_prefix_index(pd.Series(hs, dtype=object), rules["hs"]) if len(rules) \
        else np.full(len(hs), -1)
    code = {s: k for k, s in enumerate(sectors)}
    sector_of = np.array([code.get(rules["sector"].iat[p], -1) if p >= 0 else -1
                          for p in pos], dtype=np.int64)
    ge_idx = {e: k for k, e in enumerate(economies)}
    emap = np.zeros((len(economies), len(countries)))
    mapping = []
    for v, c in enumerate(countries):
        c = str(c)
        if c in ge_idx:
            emap[ge_idx[c], v] = 1.0
            mapping.append((c, c, "same economy"))
            continue
        members = [m for m in regions.get(c, ()) if m in ge_idx]
        if members:
            emap[[ge_idx[m] for m in members], v] = 1.0
            mapping.append((c, ",".join(members), "region: each member"))
        elif GE_REST in ge_idx:
            emap[ge_idx[GE_REST], v] = 1.0
            mapping.append((c, GE_REST, "no counterpart: rest of the world"))
        else:
            mapping.append((c, "", "not mapped (no GE counterpart and no ROW)"))
    cross = base_value.copy()
    n = cross.shape[1]
    cross[:, np.arange(n), np.arange(n)] = 0.0
    lost = sector_of < 0
    return Bridge(sector_of=sector_of, n_sectors=len(sectors), economy_map=emap,
                  mapping=pd.DataFrame(mapping, columns=["pe_economy", "ge_economy", "rule"]),
                  unmapped_value=float(cross[lost].sum()), unmapped_products=int(lost.sum()))


def ge_shock(bridge: Bridge, m: MarketArrays, shock: Shock, base_tariff: np.ndarray,
             goods: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(tariff_new[j, i, n], cost_change[j, i, n] or None) of one PE scenario for the
    sector model; ``base_tariff`` the GE baseline, ``goods`` a (J,) mask of the sectors
    with HS rows (the only ones a depth cost change reaches)."""
    factor = bridge.factors(m, shock)
    tariff = (1.0 + base_tariff) * factor - 1.0
    tariff = np.where(np.abs(factor - 1.0) > 1e-15, tariff, base_tariff)
    cost = None
    if shock.trade_cost is not None:
        c = bridge.factors(m, shock, cost=True) - 1.0
        cost = np.where(goods[:, None, None], c, 0.0)
        if not np.any(cost):
            cost = None
    return tariff, cost
