"""Linear multi-market model (``--model gsim``, DESIGN 3b).

After Francois & Hall (2003), "Global Simulation Analysis of Industry-Level Trade Policy"
(GSIM, version 3.0), as restated in Jammes & Olarreaga (2005). v = exporter, r = importer;
all importers and exporters of a product clear at once.

* ``theta_vr = T0_vr M0_vr / sum_k T0_kr M0_kr`` (import shares at internal prices),
  ``phi_vr = M0_vr / sum_s M0_vs`` (export shares at world prices).
* ``N_vv,r = theta_vr Em_r - (1 - theta_vr) Es_r``, ``N_vk,r = theta_kr (Em_r + Es_r)``.
* ``P_vr = That_vr + Pw_v`` with ``That = T1e/T0 - 1``, ``T1e = (1 + t1)(1 + tau)``.
* ``Mhat_vr = N_vv,r P_vr + sum_{k!=v} N_vk,r P_kr = Em_r Pbar_r + Es_r (Pbar_r - P_vr)``,
  ``Pbar_r = sum_k theta_kr P_kr``.
* Clearing ``sum_r phi_vr Mhat_vr = Ex_v Pw_v``: linear, ``A Pw = -b`` with
  ``A_vk = sum_r phi_vr theta_kr (Em_r + Es_r) - delta_vk (sum_r phi_vr Es_r + Ex_v)`` -- a
  ``(P, N, N)`` matmul -- solved by one batched ``numpy.linalg.solve`` over all products.

Domestic cells (v == r) take part like any other source, as in GSIM. A row is replaced by
``Pw_v = 0`` when Ex_v is infinite or v has no sales of the product. A product whose system
is singular, not finite or ill-conditioned (condition lower bound > 1e12, see
:func:`fta_compare.model.welfare.solve_batched`) is reported with ``converged = False``, its
``residual``, and zero effects (``new_value = base_value``, all changes 0).
"""

from __future__ import annotations

import numpy as np

from fta_compare.model.arrays import MarketArrays, ModelResult, Shock
from fta_compare.model.welfare import (
    Prepared,
    cs_second_order,
    full,
    prepare,
    ps_second_order,
    shares,
    solve_batched,
)

__all__ = ["base_system", "gsim_system", "solve_gsim"]


def _base_parts(pr: Prepared) -> tuple[np.ndarray, ...]:
    """``theta, phi, E0, R0, A, fixed`` of :func:`gsim_system`: the parts that depend on the
    base data and the elasticities only."""
    theta, phi, E0, R0 = shares(pr.M0, pr.T0)
    G = pr.Em + pr.Es  # (..., P, 1, N): Em_r + Es_r
    Es = pr.Es[..., 0, :]
    A = phi @ np.swapaxes(theta * G, -1, -2)  # A_vk = sum_r phi_vr G_r theta_kr
    shape = (*pr.batch, pr.P, pr.N)
    if A.shape != (*shape[:-1], pr.N, pr.N):
        A = np.broadcast_to(A, (*shape, pr.N)).copy()
    Ex = np.broadcast_to(pr.Ex, shape)
    fixed = np.isinf(Ex) | (R0 <= 0)
    phiEs = np.einsum("...vr,...r->...v", phi, Es)
    idx = np.arange(pr.N)
    A[..., idx, idx] -= phiEs + np.where(fixed, 0.0, Ex)
    A[fixed] = 0.0
    A[..., idx, idx] += fixed
    return theta, phi, E0, R0, A, fixed


def base_system(m: MarketArrays) -> tuple[np.ndarray, ...]:
    """:func:`_base_parts` of the market, derived once and kept on ``m`` (every scenario
    solved on it shares them; a product subset gets their slices)."""
    return m.derived("gsim", lambda mk: _base_parts(
        prepare(mk, Shock(new_rate=np.asarray(mk.base_rate, dtype=float)))))


def gsim_system(pr: Prepared, base: tuple[np.ndarray, ...] | None = None
                ) -> dict[str, np.ndarray]:
    """Build the GSIM clearing system ``A Pw = -b`` and the shares it uses.

    ``A`` is ``(..., P, N, N)`` and ``b`` ``(..., P, N)``; rows of exporters with infinite
    supply elasticity or no sales are identity rows with ``b = 0``. Also returns
    ``pbar0 = sum_k theta_kr That_kr`` (composite price change at fixed world prices).
    ``base``: the market's :func:`base_system` (computed here when not given); only ``b``
    depends on the policy.
    """
    theta, phi, E0, R0, A, fixed = base if base is not None else _base_parts(pr)
    G = pr.Em + pr.Es  # (..., P, 1, N): Em_r + Es_r
    Es = pr.Es[..., 0, :]
    thetaR = theta * pr.R
    pbar0 = thetaR.sum(axis=-2) - theta.sum(axis=-2)  # sum_k theta_kr That_kr
    # b_v = sum_r phi_vr [G_r pbar0_r - Es_r That_vr]
    b = np.einsum("...vr,...r->...v", phi, G[..., 0, :] * pbar0) - np.einsum(
        "...vr,...vr,...r->...v", phi, pr.R - 1.0, Es
    )  # exactly 0 for a zero shock
    b = np.where(fixed, 0.0, b)
    return {
        "A": A, "b": b, "theta": theta, "thetaR": thetaR, "pbar0": pbar0,
        "E0": E0, "R0": R0, "fixed": fixed,
    }  # fmt: skip


def solve_gsim(m: MarketArrays, s: Shock) -> ModelResult:
    """Linear GSIM for every product at once (DESIGN 3b).

    Welfare: ``dPS_v = R0_v Pw_v (1 + 0.5 Ex_v Pw_v)``; composite internal price
    ``P_r = sum_v theta_vr ((1 + Pw_v) T1e_vr / T0_vr - 1)``,
    ``dCS_r = -E0_r P_r (1 + 0.5 Em_r P_r)`` (second order), ``E0_r = sum_v T0 M0``;
    ``dTR_r = sum_v (t1 M1 - t0 M0)`` with ``M1 = M0 (1 + Mhat)(1 + Pw_v)``.
    Decomposition (quantities at base prices): ``trade_creation = M0 Em_r Pbar_r``,
    ``trade_diversion = M0 Es_r (Pbar_r - P_vr)``; the world-price valuation effect is the
    rest of ``new_value - base_value``.
    """
    pr = prepare(m, s)
    sysm = gsim_system(pr, base_system(m))
    theta, thetaR = sysm["theta"], sysm["thetaR"]
    Pw, ok, residual = solve_batched(sysm["A"], -sysm["b"])
    Pw[sysm["fixed"] | ~ok[..., None]] = 0.0
    shape3 = (*pr.batch, pr.P, pr.N, pr.N)
    shape2 = Pw.shape

    # Pbar_r = sum_k theta_kr (That_kr + Pw_k); P_vr = R_vr - 1 + Pw_v
    Pbar = sysm["pbar0"] + np.einsum("...vr,...v->...r", theta, Pw)
    TC = pr.M0 * (pr.Em[..., 0, :] * Pbar)[..., None, :]
    TD = (Pbar + 1.0)[..., None, :] - pr.R
    TD -= Pw[..., :, None]
    TD *= pr.Es
    TD *= pr.M0
    new_value = TC + TD
    new_value += pr.M0
    new_value *= (1.0 + Pw)[..., :, None]

    Ex = np.broadcast_to(pr.Ex, shape2)
    ps = ps_second_order(sysm["R0"], Pw, Ex)
    Pc = sysm["pbar0"] + np.einsum("...vr,...v->...r", thetaR, Pw)
    cs = cs_second_order(sysm["E0"], Pc, pr.Em[..., 0, :])
    tr = np.einsum("...vr,...vr->...r", pr.t1, new_value) - np.einsum(
        "...vr,...vr->...r", pr.t0, pr.M0
    )
    if not ok.all():
        bad3 = ~ok[..., None, None]
        new_value = np.where(bad3, pr.M0, new_value)
        TC = np.where(bad3, 0.0, TC)
        TD = np.where(bad3, 0.0, TD)
        cs, ps, tr = (np.where(ok[..., None], a, 0.0) for a in (cs, ps, tr))
    return ModelResult(
        new_value=full(new_value, shape3, fresh=True),
        trade_creation=full(TC, shape3, fresh=True),
        trade_diversion=full(TD, shape3, fresh=True),
        world_price_change=full(Pw, shape2, fresh=True),
        consumer_surplus=full(cs, shape2, fresh=True),
        producer_surplus=full(ps, shape2, fresh=True),
        tariff_revenue=full(tr, shape2, fresh=True),
        converged=ok,
        residual=residual,
        iterations=0,
    )


solve_gsim.base_constants = base_system  # type: ignore[attr-defined]  # (model.moving)
