"""Calibration of the Caliendo & Parro (2015) sector model from value tables (DESIGN 3e).

Array layout (sector first, like the PE models' ``[product, exporter, importer]``):

* bilateral ``[j, i, n]``: sector j, exporter / origin i, importer / destination n;
* country-sector ``[j, n]``; economy ``[n]``; sector ``[j]``;
* input-output ``gamma[n, k, j]``: share of input k in sector j's intermediate spending in
  economy n (``sum_k gamma[n, k, j] = 1`` for a sector that buys inputs).

Values are in one currency unit (any: every result is invariant to it); rates are
fractions (0.08 = 8%). Memory is O(N^2 J + N J^2): nothing of size (NJ)^2 is formed.

From values to shares (Caliendo & Parro 2015, section 3 and their replication code):

* gross output ``Y[j, i] = sum_n trade_value[j, i, n]`` (sales at producer prices,
  domestic sales included);
* absorption at tariff-inclusive prices ``X[j, n] = sum_i trade_value[j, i, n] (1 + t)``;
* trade shares ``pi[j, i, n] = trade_value (1 + t) / X[j, n]``;
* value-added share ``beta[j, n] = VA[j, n] / Y[j, n]`` (clipped to [0, 1]);
* ``gamma[n, k, j] = intermediate[n, k, j] / sum_k intermediate[n, k, j]``;
* final-demand shares ``alpha[j, n] = final[j, n] / sum_j final[j, n]``;
* income ``I_n = VA_n + R_n + D_n``, ``VA_n = sum_j beta Y`` (model value added),
  ``R_n = sum_{j,i} t trade_value`` tariff revenue, ``D_n`` the deficit.

Degenerate cells are handled explicitly, never left as 0/0:

* a sector with no output in an economy (``Y = 0``): ``beta = 1``, ``gamma = 0`` (its unit
  cost then moves with the wage; it is never bought, since its trade shares are 0);
* a sector with output but no intermediate purchases: ``beta = 1`` (value added alone);
* a sector an economy does not absorb (``X = 0``): its trade shares are the world output
  shares of the sector (used only if demand for it arises in a counterfactual);
* a sector produced nowhere: domestic share 1 (inert; inputs validation rejects demand for
  such a sector).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GEBase", "calibrate", "deficits_from_trade"]


@dataclass(frozen=True)
class GEBase:
    """Calibrated baseline shares and values of the sector model (N economies, J sectors).

    trade_share[j, i, n]   pi: share of n's tariff-inclusive spending on j bought from i
    tariff[j, i, n]        baseline ad valorem tariff of n on i (fraction)
    beta[j, n]             value-added share of gross output
    gamma[n, k, j]         share of input k in sector j's intermediate spending
    alpha[j, n]            final-demand (Cobb-Douglas) shares, sum_j alpha = 1
    theta[j]               trade elasticity (> 0)
    value_added[n]         VA_n = sum_j beta Y (currency unit)
    deficit[n]             D_n, imports minus exports at producer prices; sums to zero
    expenditure[j, n]      X: absorption at tariff-inclusive prices (data)
    output[j, n]           Y: gross output at producer prices (data)
    income[n]              I_n = VA_n + R_n + D_n (data)
    tariff_revenue[n]      R_n (data)
    """

    trade_share: np.ndarray
    tariff: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray
    alpha: np.ndarray
    theta: np.ndarray
    value_added: np.ndarray
    deficit: np.ndarray
    expenditure: np.ndarray
    output: np.ndarray
    income: np.ndarray
    tariff_revenue: np.ndarray

    @property
    def n_sectors(self) -> int:
        return int(self.trade_share.shape[0])

    @property
    def n_economies(self) -> int:
        return int(self.trade_share.shape[1])


def deficits_from_trade(trade_value: np.ndarray) -> np.ndarray:
    """``D_n = sum_{j,i} trade_value[j, i, n] - sum_{j,m} trade_value[j, n, m]`` (imports minus
    exports at producer prices; domestic sales cancel). Sums to zero over economies."""
    v = np.asarray(trade_value, dtype=float)
    return v.sum(axis=(0, 1)) - v.sum(axis=(0, 2))


def _check(name: str, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.shape != shape:
        raise ValueError(f"{name} has shape {a.shape}, expected {shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return a


def calibrate(
    trade_value: np.ndarray,
    tariff: np.ndarray,
    intermediate: np.ndarray,
    final: np.ndarray,
    value_added: np.ndarray,
    deficit: np.ndarray | None,
    theta: np.ndarray,
) -> GEBase:
    """Shares of the Caliendo & Parro (2015) model from value tables (the ``ge_*`` sheets).

    trade_value[j, i, n]    flows at producer prices (net of n's tariff), domestic included
    tariff[j, i, n]         baseline ad valorem tariff of n on i (fraction)
    intermediate[n, k, j]   purchases of input k by sector j producers in n
    final[j, n]             final demand of n for j
    value_added[j, n]       value added of sector j in n
    deficit[n] | None       imports minus exports at producer prices. ``None``: computed from
                            the trade table (:func:`deficits_from_trade`). DESIGN 2 says the
                            sheet defaults to 0, but zero deficits would make the baseline
                            solve rebalance every economy's trade, moving wages and prices
                            before any policy change; the observed imbalance keeps the
                            baseline equilibrium close to the data. Given deficits that do
                            not sum to zero are corrected in proportion to value added
                            (world deficits must net out for all labour markets to clear).
    theta[j]                trade elasticity (> 0)

    Raises ValueError for wrong shapes, negative or non-finite values, theta <= 0, an
    economy with no final demand or non-positive income (inputs validation reports these
    at their cells first).
    """
    tv = np.asarray(trade_value, dtype=float)
    if tv.ndim != 3 or tv.shape[1] != tv.shape[2]:
        raise ValueError(f"trade_value must be [sector, exporter, importer], got {tv.shape}")
    J, N = tv.shape[0], tv.shape[1]
    tv = _check("trade_value", tv, (J, N, N))
    t = _check("tariff", tariff, (J, N, N))
    inter = _check("intermediate", intermediate, (N, J, J))
    fin = _check("final", final, (J, N))
    va = _check("value_added", value_added, (J, N))
    th = _check("theta", theta, (J,))
    for name, a in (("trade_value", tv), ("tariff", t), ("intermediate", inter),
                    ("final", fin), ("value_added", va)):
        if (a < 0).any():
            raise ValueError(f"{name} has negative entries")
    if (th <= 0).any():
        raise ValueError("theta must be > 0 in every sector")

    Y = tv.sum(axis=2)  # [j, i]
    spend = tv * (1.0 + t)
    X = spend.sum(axis=1)  # [j, n]
    world = Y.sum(axis=1)  # [j]
    with np.errstate(divide="ignore", invalid="ignore"):
        pi = spend / X[:, None, :]
        supply_share = np.where(world[:, None] > 0, Y / world[:, None], 0.0)  # [j, i]
    no_supply = world <= 0
    fallback = np.broadcast_to(supply_share[:, :, None], (J, N, N)).copy()
    fallback[no_supply] = np.eye(N)[None]  # produced nowhere: domestic share 1
    pi = np.where((X > 0)[:, None, :], pi, fallback)

    inputs = inter.sum(axis=1)  # [n, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.where(inputs[:, None, :] > 0, inter / inputs[:, None, :], 0.0)
        beta = np.clip(np.where(Y > 0, va / Y, 1.0), 0.0, 1.0)
    beta = np.where(inputs.T > 0, beta, 1.0)
    gamma = np.where((Y > 0).T[:, None, :], gamma, 0.0)

    fin_total = fin.sum(axis=0)
    if (fin_total <= 0).any():
        raise ValueError(f"economies {np.flatnonzero(fin_total <= 0).tolist()} have no final "
                         "demand")
    alpha = fin / fin_total

    va_n = (beta * Y).sum(axis=0)
    revenue = (t * tv).sum(axis=(0, 1))
    if deficit is None:
        d = deficits_from_trade(tv)
    else:
        d = _check("deficit", deficit, (N,))
        d = d - d.sum() * va_n / va_n.sum()
    income = va_n + revenue + d
    if (income <= 0).any():
        raise ValueError(f"economies {np.flatnonzero(income <= 0).tolist()} have income "
                         "VA + tariff revenue + deficit <= 0")
    return GEBase(trade_share=pi, tariff=t, beta=beta, gamma=gamma, alpha=alpha, theta=th,
                  value_added=va_n, deficit=d, expenditure=X, output=Y, income=income,
                  tariff_revenue=revenue)
