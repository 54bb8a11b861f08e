"""Shared numerical helpers for the model solvers: array preparation, guarded division,
batched linear solves and the surplus formulas (DESIGN 3a-3c).

Everything here is pure numpy and works with an optional leading draws axis: elasticities
``(..., P, N)`` broadcast against trade arrays ``(P, N, N)`` (importer on the last axis).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fta_compare.model.arrays import MarketArrays, Shock

#: A product whose linear system has a condition-number lower bound above ``1 / RCOND_MIN``
#: is reported as ill-posed (converged=False, zero effects).
RCOND_MIN = 1e-12


def safe_divide(num: np.ndarray, den: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """``num / den`` where ``den != 0`` and both are finite, ``fill`` elsewhere (never NaN/inf
    from the division itself)."""
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.full(num.shape, fill, dtype=float)
    ok = (den != 0) & np.isfinite(den)
    np.divide(num, den, out=out, where=ok)
    return out


def expm1_ratio(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``(exp(a z) - 1) / a`` with its limit ``z`` at ``a == 0`` (accurate near 0 via expm1).

    The exact constant-elasticity surplus integrals are this function of ``log`` prices:
    ``int_1^P q^(a-1) dq = (P^a - 1)/a``.
    """
    a, z = np.broadcast_arrays(np.asarray(a, float), np.asarray(z, float))
    with np.errstate(over="ignore", invalid="ignore"):
        num = np.expm1(a * z)
    return np.where(a == 0, z, safe_divide(num, a))


@dataclass(frozen=True)
class Prepared:
    """Base data and policy in the form every model uses (see :func:`prepare`)."""

    M0: np.ndarray  # (.., P, N, N) base values at world prices
    t0: np.ndarray  # base tariff
    t1: np.ndarray  # scenario tariff (revenue uses this)
    T0: np.ndarray  # 1 + t0
    R: np.ndarray  # T1e / T0, T1e = (1 + t1)(1 + tau): relative internal price at fixed Pw
    Em: np.ndarray  # (.., P, 1, N) importer elasticities on the importer axis
    Es: np.ndarray  # (.., P, 1, N)
    Ex: np.ndarray  # (.., P, N) exporter supply elasticity (np.inf allowed)
    batch: tuple[int, ...]  # leading shape of the outputs (e.g. (D,) or ())
    P: int
    N: int


def prepare(m: MarketArrays, s: Shock) -> Prepared:
    """Convert the dataclasses into float arrays with the importer-elasticity axes aligned.

    ``R = T1e / T0`` with ``T1e = (1 + t1)(1 + tau)`` the internal-price tariff power (the
    depth channel tau acts like a tariff change that raises no revenue); ``R - 1`` is the
    policy-driven internal price change ``That`` (GSIM) or ``p`` (SMART).
    """
    M0 = np.asarray(m.base_value, float)
    t0 = np.asarray(m.base_rate, float)
    t1 = np.asarray(s.new_rate, float)
    tau = None if s.trade_cost is None else np.asarray(s.trade_cost, float)
    Em = np.asarray(m.import_demand, float)
    Es = np.asarray(m.substitution, float)
    Ex = np.asarray(m.export_supply, float)
    P, N = M0.shape[-3], M0.shape[-1]
    if M0.shape[-2] != N or t0.shape[-3:] != (P, N, N) or t1.shape[-3:] != (P, N, N):
        raise ValueError("trade and rate arrays must be (P, N, N) with the same P and N")
    for name, e in (("import_demand", Em), ("substitution", Es), ("export_supply", Ex)):
        if e.shape[-2:] != (P, N):
            raise ValueError(f"{name} must have trailing shape (P, N) = {(P, N)}, got {e.shape}")
    batch = np.broadcast_shapes(
        M0.shape[:-3], t0.shape[:-3], t1.shape[:-3], () if tau is None else tau.shape[:-3],
        Em.shape[:-2], Es.shape[:-2], Ex.shape[:-2],
    )  # fmt: skip
    T0 = 1.0 + t0
    R = 1.0 + t1
    if tau is not None:
        R = R * (1.0 + tau)
    np.divide(R, T0, out=R, where=T0 > 0)
    return Prepared(
        M0=M0, t0=t0, t1=t1, T0=T0, R=R,
        Em=Em[..., None, :], Es=Es[..., None, :], Ex=Ex, batch=batch, P=P, N=N,
    )  # fmt: skip


def full(x: np.ndarray, shape: tuple[int, ...], fresh: bool = False) -> np.ndarray:
    """``x`` broadcast to ``shape`` as a float array of its own, ``-0.0`` normalised to ``0.0``.

    ``fresh=True`` promises ``x`` is a temporary of the caller: it is then reused in place
    when it already has ``shape`` (never pass input arrays with ``fresh=True``).
    """
    if fresh and x.shape == shape and x.dtype == np.float64 and x.flags.writeable:
        return np.add(x, 0.0, out=x)
    return np.broadcast_to(x, shape) + 0.0


def shares(M0: np.ndarray, T0: np.ndarray) -> tuple[np.ndarray, ...]:
    """GSIM shares (Francois & Hall 2003).

    theta[v, r] = T0 M0_vr / sum_k T0 M0_kr   (import shares at internal prices)
    phi[v, r]   = M0_vr / sum_s M0_vs         (export shares at world prices)
    Returns ``theta, phi, E0 (per importer), R0 (per exporter)``; empty rows/columns give 0.
    """
    theta = T0 * M0
    E0 = theta.sum(axis=-2)
    R0 = M0.sum(axis=-1)
    np.divide(theta, E0[..., None, :], out=theta, where=E0[..., None, :] > 0)
    phi = np.divide(M0, R0[..., :, None], out=np.zeros(M0.shape), where=R0[..., :, None] > 0)
    return theta, phi, E0, R0


def solve_batched(
    A: np.ndarray, b: np.ndarray, residual: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve ``A x = b`` for a stack ``A (..., N, N)``, ``b (..., N)`` in one LAPACK call.

    Returns ``x, ok, residual``. A system with ``b == 0`` has the solution ``x = 0`` (no
    solve needed, so a zero shock gives exact zeros). A system is *not ok* (``x`` set to 0,
    residual reported, never NaN/inf) when its data are not finite, when it is exactly
    singular (found with ``slogdet`` only if the batched solve raises), when the solution is
    not finite, or when the cheap condition-number lower bound ``||A||_1 ||x||_1 / ||b||_1``
    exceeds ``1 / RCOND_MIN``. ``residual`` is the norm-wise backward error
    ``||A x - b||_inf / (||A||_inf ||x||_inf + ||b||_inf)`` (zeros if ``residual=False``).
    """
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    N = A.shape[-1]
    shape = np.broadcast_shapes(A.shape[:-2], b.shape[:-1])
    A = np.broadcast_to(A, (*shape, N, N)).reshape(-1, N, N)
    b = np.broadcast_to(b, (*shape, N)).reshape(-1, N)
    finite = np.isfinite(A).all(axis=(-1, -2)) & np.isfinite(b).all(axis=-1)
    work = finite & (b != 0).any(axis=-1)
    x = np.zeros(b.shape)
    ok = finite.copy()
    if work.any():
        every = bool(work.all())
        As, bs = (A, b) if every else (A[work], b[work])
        with np.errstate(all="ignore"):
            try:
                xs = np.linalg.solve(As, bs[..., None])[..., 0]
                sing = np.zeros(len(bs), dtype=bool)
            except np.linalg.LinAlgError:
                sign, _ = np.linalg.slogdet(As)
                sing = sign == 0
                As2 = np.where(sing[:, None, None], np.eye(N), As)
                xs = np.linalg.solve(As2, np.where(sing[:, None], 0.0, bs)[..., None])[..., 0]
            cond_lb = safe_divide(
                np.abs(As).sum(axis=-2).max(axis=-1) * np.abs(xs).sum(axis=-1),
                np.abs(bs).sum(axis=-1),
            )
        fail = sing | ~np.isfinite(xs).all(axis=-1) | (cond_lb > 1.0 / RCOND_MIN)
        xs[fail] = 0.0
        if every:
            x, ok = xs, ~fail
        else:
            x[work] = xs
            ok[work] = ~fail
    res = np.zeros(ok.shape)
    if residual:
        if not finite.all():
            A = np.where(finite[:, None, None], A, 0.0)
            b = np.where(finite[:, None], b, 0.0)
        r = np.abs(np.einsum("kij,kj->ki", A, x) - b).max(axis=-1, initial=0.0)
        scale = np.abs(A).sum(axis=-1).max(axis=-1) * np.abs(x).max(axis=-1, initial=0.0)
        res = safe_divide(r, scale + np.abs(b).max(axis=-1, initial=0.0))
        res = np.where(finite, res, 1.0)
    return x.reshape(*shape, N), ok.reshape(shape), res.reshape(shape)


# --- surplus formulas -------------------------------------------------------------------


def cs_second_order(E0: np.ndarray, P: np.ndarray, Em: np.ndarray) -> np.ndarray:
    """GSIM consumer surplus to second order: ``dCS = -E0 P (1 + 0.5 Em P)`` (DESIGN 3b).

    E0 base expenditure at internal prices, P proportional change of the composite price.
    This is the Taylor expansion of :func:`cs_exact` to O(P^2); the widely copied
    ``-E0 P + 0.5 Em E0 P^2 sgn(P)`` differs from it when P > 0 and is not used.
    """
    return -E0 * P * (1.0 + 0.5 * Em * P)


def cs_exact(E0: np.ndarray, log_P: np.ndarray, Em: np.ndarray) -> np.ndarray:
    """Exact consumer-surplus change under constant-elasticity composite demand
    ``Q = Q0 P^Em``: ``dCS = -int_1^P E0 q^Em dq = -E0 (P^(Em+1) - 1)/(Em + 1)``,
    ``-E0 log P`` at Em = -1. ``log_P`` is the log of the price index relative to base."""
    return -E0 * expm1_ratio(Em + 1.0, log_P)


def ps_second_order(R0: np.ndarray, Pw: np.ndarray, Ex: np.ndarray) -> np.ndarray:
    """GSIM producer surplus ``dPS = R0 Pw (1 + 0.5 Ex Pw)``; 0 where Ex is infinite
    (the world price cannot move there)."""
    inf = np.isinf(Ex)
    return np.where(inf, 0.0, R0 * Pw * (1.0 + 0.5 * np.where(inf, 0.0, Ex) * Pw))


def ps_exact(X0: np.ndarray, log_Pw: np.ndarray, Ex: np.ndarray) -> np.ndarray:
    """Exact producer surplus with ``X = X0 Pw^Ex``:
    ``dPS = int_1^Pw X0 q^Ex dq = X0 (Pw^(Ex+1) - 1)/(Ex + 1)``; 0 where Ex is infinite."""
    inf = np.isinf(Ex)
    return np.where(inf, 0.0, X0 * expm1_ratio(np.where(inf, 0.0, Ex) + 1.0, log_Pw))
