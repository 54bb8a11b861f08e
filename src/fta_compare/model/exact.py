"""Exact constant-elasticity solution (``--solution exact``, DESIGN 3c).

The model that linear GSIM (``gsim.py``) linearises, solved in levels. Per product,
importer r and source v (domestic cells included, as in GSIM), with base world prices 1
and quantities in units of base value:

* internal price relative to base ``phat_vr = (T1e_vr / T0_vr) Pw_v``,
  ``T1e = (1 + t1)(1 + tau)``;
* CES price index ``Phat_r = (sum_v theta_vr phat_vr^(1 - Es_r))^(1/(1 - Es_r))``,
  ``theta`` the base expenditure shares at internal prices; at ``Es_r = 1`` (Cobb–Douglas)
  ``log Phat_r = sum_v theta_vr log phat_vr``;
* demand ``M_vr = M0_vr phat_vr^(-Es_r) Phat_r^(Es_r + Em_r)`` (CES across sources, constant
  elasticity Em of the composite);
* supply ``X_v = X0_v Pw_v^Ex_v``, ``X0_v = sum_r M0_vr``; clearing ``sum_r M_vr = X_v``.

Unknowns ``x_v = log Pw_v``. Residual ``F_v = log(sum_r phi_vr Mhat_vr) - Ex_v x_v`` (the log
of demand over supply, so ``|expm1(F_v)|`` is the relative clearing residual). Analytic
Jacobian, with ``w_vr`` the current shares of v's sales and ``s_kr`` the current CES
expenditure shares in r::

    dF_v/dx_k = sum_r w_vr (Em_r + Es_r) s_kr - delta_vk (sum_r w_vr Es_r + Ex_v)

(the GSIM matrix at the current point; at the base it *is* the GSIM matrix). Newton runs on
all products at once: one batched ``numpy.linalg.solve`` per iteration, steps capped at 1
in ``log Pw``, and a backtracking line search on ``||F||_2`` (Armijo, halving) per product.
Rows with ``Ex = inf`` or no sales keep ``Pw = 1``. Sums of powers are log-sum-exps (shifted
by a cheap upper bound of their largest term, or by the term itself where that bound could be
far off), so large elasticities or price changes do not overflow; near ``Es = 1`` the index is
computed as ``log1p(sum theta expm1((1 - Es) l)) / (1 - Es)`` (``|1 - Es| < 0.1``) or its
Cobb–Douglas expansion ``sum theta l + (1 - Es)/2 var_theta(l)`` (``|1 - Es| < 1e-8``), which
avoids the cancellation that would otherwise cap the attainable residual near the Cobb–Douglas case.

Outputs: ``new_value = M_vr Pw_v`` (quantity times new world price); producer surplus
``X0 (Pw^(Ex+1) - 1)/(Ex + 1)``; consumer surplus ``-E0 (Phat^(Em+1) - 1)/(Em + 1)``
(``-E0 log Phat`` at Em = -1); tariff revenue ``sum_v (t1 M_vr Pw_v - t0 M0_vr)``.
Level decomposition (quantities at base prices, like GSIM): ``trade_creation =
M0 (Phat_r^Em - 1)`` -- every source scaled by the change in the composite quantity -- and
``trade_diversion = M0 (Mhat - Phat^Em)``, the rest of the quantity change (substitution
between sources). Diversion nets to zero across sources only to first order (weighted by
theta), as in GSIM; the world-price valuation effect is ``new_value - base_value - TC - TD``.

A product is ``converged`` when ``max_v |F_v| <= tol`` within ``max_iter`` iterations;
otherwise (singular Jacobian, no descent, non-finite values) it is reported as not
converged with its residual and zero effects -- never hidden, never NaN.
"""

from __future__ import annotations

import numpy as np

from fta_compare.model.arrays import MarketArrays, ModelResult, Shock
from fta_compare.model.welfare import (
    Prepared,
    cs_exact,
    full,
    prepare,
    ps_exact,
    shares,
    solve_batched,
)

__all__ = ["solve_exact"]

_MAX_STEP = 1.0  # max |change| of log Pw in one Newton step
_ARMIJO = 1e-4
_MAX_HALVINGS = 40
_CD_BAND = 1e-8  # |1 - Es| below this: Cobb-Douglas index with its 2nd-order correction
_NEAR_CD = 0.1  # |1 - Es| below this: expm1/log1p form of the index (no cancellation)
# max elements of one (n, N, N) temporary: batches of more products are solved a chunk at a
# time, so that the working arrays of a Newton step stay in the cache (4 MB each; 1,310
# products at N = 20). The default run's 20 scenarios, 64 MB -> 4 MB chunks: one thread
# 5.25 -> 4.39 CPU-s; two threads 5.24 -> 4.84 CPU-s, 2.71 -> 2.54 s (products are solved
# independently: the same numbers to the bit)
_CHUNK = 1 << 19
_SHIFT_GAP = 600.0  # max gap of a log-sum-exp shift above the maximum (exp(-600) ~ 1e-261)
_COMPACT = 0.8  # drop finished products from the working arrays when fewer remain active


def _lse(
    a: np.ndarray, axis: int, bound: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """log-sum-exp along ``axis``; returns ``(lse, shares)`` where ``shares`` are
    ``exp(a - lse)`` (0 for an empty slice, whose lse is -inf). Overwrites ``a``.

    ``bound`` (keepdims shape), when given, is an upper bound of the maximum along ``axis``
    no more than ``_SHIFT_GAP`` above it; it replaces the maximum as the shift (a reduction
    saved; the largest term is then at least ``exp(-_SHIFT_GAP)``, far from underflow).
    """
    mx = a.max(axis=axis, keepdims=True) if bound is None else bound
    mx[~np.isfinite(mx)] = 0.0
    a -= mx
    Z = np.exp(a, out=a)
    S = Z.sum(axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        lse = np.log(S) + mx
    S[S == 0] = 1.0  # an empty slice: its terms are exp(-inf) = 0 already
    Z /= S
    return lse, Z


class _Ctx:
    """Per-product constants of one chunk: ``(n, N, N)`` and ``(n, N)`` arrays.

    ``c0 = log(theta (T1e/T0)^(1-Es))`` and ``c1 = log(phi (T1e/T0)^(-Es))`` carry the policy,
    so one evaluation needs two exponentials of ``(n, N, N)`` arrays (the log-sum-exps).
    """

    def __init__(
        self, theta: np.ndarray, sum_theta: np.ndarray, logtheta: np.ndarray,
        logphi: np.ndarray, lse_theta0: np.ndarray, lse_phi0: np.ndarray, lr: np.ndarray,
        Em: np.ndarray, Es: np.ndarray, Ex: np.ndarray, fixed: np.ndarray,
    ) -> None:  # fmt: skip
        self.empty = ~(sum_theta > 0)
        self.om = 1.0 - Es
        self.c0 = logtheta + self.om[:, None, :] * lr
        self.c1 = logphi - Es[:, None, :] * lr
        self.c0_max = self.c0.max(axis=-2)  # (n, N) by market: shifts of the log-sum-exps
        self.c1_max = self.c1.max(axis=-1)  # (n, N) by source
        self.Es_min = Es.min(axis=-1, keepdims=True)
        self.Es_max = Es.max(axis=-1, keepdims=True)
        self.Es_range = self.Es_max - self.Es_min
        self.lse_theta0, self.lse_phi0 = lse_theta0, lse_phi0
        self.theta, self.lr = theta, lr  # for the branches near Cobb-Douglas only
        self.Es, self.G = Es, Em + Es
        self.fixed = fixed
        self.Exf = np.where(fixed, 0.0, Ex)
        self.small = np.abs(self.om) < _CD_BAND
        self.near = np.abs(self.om) < _NEAR_CD
        self.mid = self.near & ~self.small
        self.sum_theta = np.where(self.empty, 1.0, sum_theta)
        self.safe_om = np.where(self.small, 1.0, self.om)
        if self.small.any():  # constants of the Cobb-Douglas branch
            tl = theta * lr
            self.m0 = tl.sum(axis=-2)  # sum_v theta lr
            self.v0 = (tl * lr).sum(axis=-2)  # sum_v theta lr^2
            self.tl = tl

    def take(self, rows: np.ndarray | None) -> _Ctx:
        if rows is None:
            return self
        new = object.__new__(_Ctx)
        for k, v in self.__dict__.items():
            new.__dict__[k] = v[rows]
        return new

    def evaluate(self, x: np.ndarray, jac: bool = True) -> dict[str, np.ndarray]:
        """Residual ``F``, ``log Phat`` (and Jacobian pieces) at ``x = log Pw`` ``(n, N)``."""
        xv = x[:, :, None]
        xmax, xmin = x.max(axis=-1, keepdims=True), x.min(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", over="ignore"):
            a = self.om[:, None, :] * xv
            a += self.c0  # log(theta phat^(1 - Es))
            # max_v a_vr <= max_v c0_vr + max_v om_r x_v, at most |om_r| (xmax - xmin) above
            bound = (self.c0_max + np.maximum(self.om * xmax, self.om * xmin))[:, None, :]
            wide = np.flatnonzero((np.abs(self.om) * (xmax - xmin)).max(axis=-1) > _SHIFT_GAP)
            if wide.size:  # per product, so a product's result never depends on the others
                bound[wide] = a[wide].max(axis=-2, keepdims=True)
            lse, s = _lse(a, -2, bound)
            logP = (lse[:, 0, :] - self.lse_theta0) / self.safe_om
            mid = np.flatnonzero(self.mid.any(axis=-1))
            if mid.size:  # log P = log1p(sum theta expm1((1-Es) l) / sum theta)/(1-Es)
                lp = self.lr[mid] + xv[mid]
                lp *= self.om[mid, None, :]
                np.minimum(lp, 700.0, out=lp)
                q = np.einsum("nvr,nvr->nr", self.theta[mid], np.expm1(lp, out=lp))
                q /= self.sum_theta[mid]
                near = self.mid[mid]
                logP[mid] = np.where(near, np.log1p(q) / self.safe_om[mid], logP[mid])
            if self.small.any():  # Cobb-Douglas: log P = mean + (1 - Es)/2 var (theta weights)
                tx = np.einsum("nvr,nv->nr", self.theta, x)
                mean = self.m0 + tx
                sq = self.v0 + 2 * np.einsum("nvr,nv->nr", self.tl, x)
                sq += np.einsum("nvr,nv->nr", self.theta, x * x)
                logP = np.where(self.small, mean + 0.5 * self.om * (sq - mean**2), logP)
            logP[self.empty] = 0.0
            u = self.G * logP
            b = self.Es[:, None, :] * xv
            np.subtract(self.c1, b, out=b)
            b += u[:, None, :]  # log(phi Mhat)
            # max_r b_vr <= max_r c1_vr + max u + max_r(-Es_r x_v), at most
            # (max u - min u) + (max Es - min Es) |x_v| above
            umax, umin = u.max(axis=-1, keepdims=True), u.min(axis=-1, keepdims=True)
            bound = self.c1_max + umax + np.maximum(-self.Es_min * x, -self.Es_max * x)
            bound = bound[:, :, None]
            wide = np.flatnonzero(((umax - umin) + self.Es_range * np.abs(x)).max(axis=-1)
                                  > _SHIFT_GAP)  # fmt: skip
            if wide.size:
                bound[wide] = b[wide].max(axis=-1, keepdims=True)
            lsd, w = _lse(b, -1, bound)
            F = lsd[..., 0] - self.lse_phi0 - self.Exf * x
        F[self.fixed] = 0.0
        out = {"F": F, "logP": logP}
        if jac:
            out["w"] = w  # current shares of v's sales across markets
            out["s"] = s  # current CES expenditure shares in each market
        return out

    def jacobian(self, ev: dict[str, np.ndarray]) -> np.ndarray:
        """``J_vk = sum_r w_vr G_r s_kr - delta_vk (sum_r w_vr Es_r + Ex_v)``."""
        w, s = ev["w"], ev["s"]
        J = w @ np.swapaxes(self.G[:, None, :] * s, -1, -2)
        N = self.Exf.shape[-1]
        idx = np.arange(N)
        J[:, idx, idx] -= np.einsum("nvr,nr->nv", w, self.Es) + self.Exf
        J[self.fixed] = 0.0
        J[:, idx, idx] += self.fixed  # identity rows: Pw fixed at 1
        return J


def _newton(ctx: _Ctx, tol: float, max_iter: int) -> tuple[np.ndarray, ...]:
    """Damped Newton on all products of ``ctx`` at once.

    Returns ``x, converged, F, logP, iterations`` (``F``/``logP`` at the returned ``x``).
    A finished product (converged, failed or stopped) keeps its values and takes no further
    step; the working arrays drop finished products once fewer than ``_COMPACT`` of them are
    still active (copying them out each time a few finish would cost more than carrying them).
    """
    n, N = ctx.Exf.shape
    x = np.zeros((n, N))
    conv = np.zeros(n, dtype=bool)
    F_out = np.zeros((n, N))
    logP_out = np.zeros((n, N))
    rows = np.arange(n)  # products in the working arrays
    active = np.ones(n, dtype=bool)  # of the working rows, those still iterating
    sub = ctx
    ev = sub.evaluate(x)
    it = 0
    while True:
        F = ev["F"]
        finite = np.isfinite(F).all(axis=-1)
        done = finite & (np.abs(F).max(axis=-1) <= tol)
        conv[rows[done & active]] = True
        finish = active & ~(finite & ~done)
        if it >= max_iter:
            finish = active.copy()
        if finish.any():  # finished / failed products keep their last values
            F_out[rows[finish]] = F[finish]
            logP_out[rows[finish]] = ev["logP"][finish]
            active &= ~finish
        if not active.any():
            break
        if active.sum() < _COMPACT * rows.size:
            keep = np.flatnonzero(active)
            rows, sub = rows[keep], sub.take(keep)
            ev = {k: v[keep] for k, v in ev.items()}
            active = np.ones(rows.size, dtype=bool)
            F = ev["F"]
        it += 1
        rhs = np.where(active[:, None], -F, 0.0)  # finished rows: no step (and no solve)
        dx, okj, _ = solve_batched(sub.jacobian(ev), rhs, residual=False)
        dx[sub.fixed] = 0.0  # identity rows: keep Pw = 1 exactly
        big = np.abs(dx).max(axis=-1)
        dx *= np.minimum(1.0, _MAX_STEP / np.maximum(big, _MAX_STEP))[:, None]
        f0 = np.sqrt((F * F).sum(axis=-1))
        alpha = np.ones(rows.size)
        # the first trial covers every working row (finished rows re-evaluated in place,
        # accepted as they are); halvings only the rows still pending
        pending = np.arange(rows.size)
        new_ev: dict[str, np.ndarray] | None = None
        for _ in range(_MAX_HALVINGS):
            if pending.size == 0:
                break
            allrows = pending.size == rows.size
            xt = x[rows[pending]] + alpha[pending, None] * dx[pending]
            et = sub.take(None if allrows else pending).evaluate(xt)
            ft = np.sqrt((et["F"] ** 2).sum(axis=-1))
            acc = np.isfinite(ft) & (ft <= (1.0 - _ARMIJO * alpha[pending]) * f0[pending])
            acc |= ~active[pending]
            x[rows[pending[acc]]] = xt[acc]
            if new_ev is None and allrows:
                new_ev = et  # accepted rows already in place; the others are overwritten
            else:
                if new_ev is None:
                    new_ev = {k: v.copy() for k, v in ev.items()}
                for k in new_ev:
                    new_ev[k][pending[acc]] = et[k][acc]
            pending = pending[~acc & okj[pending]]
            alpha[pending] *= 0.5
        # singular Jacobian or no descent at any step: stop (not converged), keep old values
        stop = np.union1d(pending, np.flatnonzero(active & ~okj))
        if new_ev is None:
            new_ev = ev
        for k in new_ev:
            new_ev[k][stop] = ev[k][stop]
        ev = new_ev
        if stop.size:
            F_out[rows[stop]] = ev["F"][stop]
            logP_out[rows[stop]] = ev["logP"][stop]
            active[stop] = False
    return x, conv, F_out, logP_out, it


def _levels(
    pr: Prepared, lr: np.ndarray, E0: np.ndarray, R0: np.ndarray, revenue0: np.ndarray,
    x: np.ndarray, logP: np.ndarray, conv: np.ndarray,
) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Outputs in levels from ``x = log Pw`` and ``log Phat``; zero effects where not
    ``conv``. Cells without base trade stay exactly 0 (no ``0 * inf``)."""
    Em = pr.Em[..., 0, :]
    xv = x[..., :, None]
    pos = pr.M0 > 0
    with np.errstate(over="ignore", invalid="ignore"):
        # log Mhat_vr = (Es_r + Em_r) log Phat_r - Es_r (log(T1e/T0) + x_v)
        logMhat = ((pr.Es[..., 0, :] + Em) * logP)[..., None, :] - pr.Es * (lr + xv)
        keep = pos & conv[..., None, None]
        logMhat = np.where(keep, logMhat, 0.0)
        new_value = pr.M0 * np.exp(np.where(pos, logMhat + xv, -np.inf))
        tc = np.where(keep, pr.M0 * np.expm1(Em * logP)[..., None, :], 0.0)
        td = np.where(keep, pr.M0 * np.expm1(logMhat), 0.0)
        td -= tc
        ok2 = conv[..., None]
        Ex = np.broadcast_to(pr.Ex, x.shape)
        ps = np.where(ok2, ps_exact(R0, x, Ex), 0.0)
        cs = np.where(ok2, cs_exact(E0, logP, Em), 0.0)
        tr = (pr.t1 * new_value).sum(axis=-2) - revenue0
        tr = np.where(ok2, tr, 0.0)
    return new_value, tc, td, cs, ps, tr


def base_constants(m: MarketArrays) -> tuple[np.ndarray, ...]:
    """Base-only constants of the exact model, derived once per market (kept on ``m``):
    GSIM shares ``theta, E0, R0`` (:func:`shares`), ``sum_v theta``, ``log theta``,
    ``log phi``, their log-sum-exps over sources and over markets, and base revenue
    ``sum_v t0 M0`` per importer."""

    def build(m: MarketArrays) -> tuple[np.ndarray, ...]:
        M0 = np.asarray(m.base_value, float)
        t0 = np.asarray(m.base_rate, float)
        theta, phi, E0, R0 = shares(M0, 1.0 + t0)
        with np.errstate(divide="ignore"):
            logtheta, logphi = np.log(theta), np.log(phi)
        lse_theta0 = _lse(logtheta.copy(), -2)[0][..., 0, :]
        lse_phi0 = _lse(logphi.copy(), -1)[0][..., 0]
        revenue0 = (t0 * M0).sum(axis=-2)
        return (theta, E0, R0, theta.sum(axis=-2), logtheta, logphi, lse_theta0, lse_phi0,
                revenue0)  # fmt: skip

    return m.derived("exact", build)


def solve_exact(
    m: MarketArrays, s: Shock, *, tol: float = 1e-12, max_iter: int = 100
) -> ModelResult:
    """Solve the constant-elasticity model in levels for every product at once (DESIGN 3c).

    ``tol`` bounds ``max_v |log(demand_v / supply_v)|`` per product; ``residual`` reports
    ``max_v |demand_v / supply_v - 1|`` and ``iterations`` the largest number of Newton
    iterations any product needed. Elasticities may carry leading draws axes ``(..., P, N)``;
    large batches are processed in chunks of products (bounded temporaries).
    """
    pr = prepare(m, s)
    P, N, batch = pr.P, pr.N, pr.batch
    nb = int(np.prod(batch, dtype=int))
    B = nb * P
    theta, E0, R0, sum_theta, logtheta, logphi, lse_theta0, lse_phi0, revenue0 = (
        base_constants(m))  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.clip(np.log(pr.R), -50.0, 50.0)  # log(T1e / T0); bounded for absurd rates

    def flat3(a: np.ndarray) -> np.ndarray:
        return a.reshape(-1, N, N) if a.ndim == 3 else np.broadcast_to(
            a, (*batch, P, N, N)).reshape(B, N, N)  # fmt: skip

    def flat2(a: np.ndarray) -> np.ndarray:
        return np.broadcast_to(a, (*batch, P, N)).reshape(B, N)

    theta3, logtheta3, logphi3, lr3 = flat3(theta), flat3(logtheta), flat3(logphi), flat3(lr)
    sum_theta2, lse_theta02, lse_phi02 = (a.reshape(-1, N) for a in (sum_theta, lse_theta0,
                                                                     lse_phi0))  # fmt: skip
    Em2, Es2 = flat2(pr.Em[..., 0, :]), flat2(pr.Es[..., 0, :])
    Ex2, R02 = flat2(pr.Ex), flat2(R0)
    fixed2 = np.isinf(Ex2) | (R02 <= 0)
    shared = theta3.shape[0] != B  # trade arrays shared by every draw (gather by product)

    x = np.zeros((B, N))
    conv = np.zeros(B, dtype=bool)
    resid = np.ones(B)
    logP = np.zeros((B, N))
    iterations = 0
    step = max(1, _CHUNK // (N * N))
    for start in range(0, B, step):  # chunks of products, not a per-product loop
        rows = np.arange(start, min(B, start + step))
        prow = rows % P if shared else rows
        whole = rows.size == theta3.shape[0]

        def g(a: np.ndarray, r: np.ndarray = prow, w: bool = whole) -> np.ndarray:
            return a if w else a[r]

        ctx = _Ctx(g(theta3), g(sum_theta2), g(logtheta3), g(logphi3), g(lse_theta02),
                   g(lse_phi02), g(lr3), Em2[rows], Es2[rows], Ex2[rows], fixed2[rows])
        xc, cc, F, lp, itc = _newton(ctx, tol, max_iter)
        with np.errstate(over="ignore", invalid="ignore"):
            rc = np.abs(np.expm1(F)).max(axis=-1, initial=0.0)
        ok = np.isfinite(rc) & np.isfinite(xc).all(axis=-1) & np.isfinite(lp).all(axis=-1)
        resid[rows] = np.where(ok, rc, 1.0)
        good = cc & ok
        conv[rows] = good
        x[rows] = np.where(good[:, None], xc, 0.0)
        logP[rows] = np.where(good[:, None], lp, 0.0)
        iterations = max(iterations, itc)

    shape3, shape2 = (*batch, P, N, N), (*batch, P, N)
    x = x.reshape(shape2)
    logP = logP.reshape(shape2)
    conv = conv.reshape((*batch, P))
    resid = resid.reshape((*batch, P))
    out = _levels(pr, lr, E0, R0, revenue0, x, logP, conv)
    finite = np.ones(conv.shape, dtype=bool)
    for a in out:
        finite &= np.isfinite(a).all(axis=tuple(range(conv.ndim, a.ndim)))
    if not finite.all():  # solution beyond the float range: report as failed, zero effects
        conv &= finite
        resid[~finite] = 1.0
        x[~finite] = 0.0
        logP[~finite] = 0.0
        out = _levels(pr, lr, E0, R0, revenue0, x, logP, conv)
    new_value, tc, td, cs, ps, tr = out
    return ModelResult(
        new_value=full(new_value, shape3, fresh=True),
        trade_creation=full(tc, shape3, fresh=True),
        trade_diversion=full(td, shape3, fresh=True),
        world_price_change=full(np.expm1(x), shape2, fresh=True),
        consumer_surplus=full(cs, shape2, fresh=True),
        producer_surplus=full(ps, shape2, fresh=True),
        tariff_revenue=full(tr, shape2, fresh=True),
        converged=conv,
        residual=resid,
        iterations=iterations,
    )


solve_exact.base_constants = base_constants  # type: ignore[attr-defined]  # (model.moving)
# each product's numbers come from its own data only, to the bit (tested): a product whose
# policy equals that of a scenario already solved may take its values (solve.solve_all)
solve_exact.independent_products = True  # type: ignore[attr-defined]
