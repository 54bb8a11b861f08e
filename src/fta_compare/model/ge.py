"""General equilibrium by sector (``--model ge``, DESIGN 3e): Caliendo & Parro (2015).

The multi-sector Ricardian model with input-output links of Caliendo & Parro (2015,
REStud 82(1), 1-44), solved in changes ("exact hat algebra", their section 3.2).
Layout as in :mod:`fta_compare.model.ge_calibrate`: bilateral ``[j, i, n]`` (sector,
exporter i, importer n), country-sector ``[j, n]``, ``gamma[n, k, j]``. Hats are ratios to
the calibration data; ``kappa_hat = (1 + t')/(1 + t) (1 + cost_change)``.

Equilibrium conditions in changes (CP 2015 section 3.2, with tariffs; DESIGN 3e):

* unit cost ``ln c_hat[j,n] = beta ln w_hat[n] + (1 - beta) sum_k gamma[n,k,j] ln P_hat[k,n]``;
* price index ``P_hat[j,n] = (sum_i pi[j,i,n] (kappa_hat c_hat[j,i])^-theta_j)^(-1/theta_j)``,
  shares ``pi'[j,i,n] = pi (kappa_hat c_hat[j,i] / P_hat[j,n])^-theta_j``;
* spending ``X'[j,n] = sum_k gamma[n,j,k] (1 - beta[k,n]) Y'[k,n] + alpha[j,n] I'[n]`` with
  sales ``Y'[j,i] = sum_n pi' X'[j,n] / (1 + t')`` and income
  ``I'[n] = w_hat VA_n + R'_n + D_n``, ``R'_n = sum_{j,i} t' pi' X' / (1 + t')`` (tariff
  revenue rebated to n's households), deficits ``D`` fixed in numeraire units;
* labour market ``w_hat[n] VA_n = sum_j beta[j,n] Y'[j,n]``; numeraire world value added,
  ``sum_n w_hat VA_n = sum_n VA_n``.

Solver. Unknowns ``z = (ln w_hat [N], ln P_hat [J N], x [J N])`` with ``X' = X e^x`` where
the data have spending X > 0 that some demand (final or input) can reach, and ``X' = s x``
(``s`` a positive scale) in the other cells, which may be or become zero. Residuals, each
unit-free (results do not depend on the currency unit): ``p - ln P(z)`` (price indices),
``ln X' - ln spending(z)`` (goods markets; ``(X' - spending) / s`` in level cells),
``labour_n / VA_n + (sum w_hat VA - sum VA) / sum VA`` (labour markets plus the numeraire:
Walras' law makes one labour market redundant, and weighting rows by VA_n shows the
numeraire term must vanish at a root). Logs keep spending positive and the system close to
log-linear, which lets Newton take large shocks (a 90% cut of every trade cost) in a few
steps. Newton's method with the exact Jacobian applied matrix-free (four batched mat-vecs
over the ``[j, i, n]`` arrays per product) inside :func:`scipy.sparse.linalg.gmres`, inexact
Newton forcing ``eta = min(0.1, ||F||)``, steps capped at 1 in logs and an Armijo
backtracking line search on ``||F||_2``. Memory is O(N^2 J + N J^2); no (NJ)^2 matrix is
formed.

Convergence: the relative wage change of the last Newton step below ``tol`` (1e-10) and
every residual below ``tol``. A start that already solves the equations is returned as is
(0 iterations); a warm start from an equilibrium with the same tariffs and costs returns
that equilibrium, so a zero shock is exactly zero, bit for bit.
Non-convergence (iteration limit, no descent) returns ``converged=False`` with the last
wage step as ``residual``; never an exception, never silently. A root with non-positive
income or spending somewhere is not an equilibrium and is reported as not converged (with
deficits held fixed, a shock that nearly closes trade can leave a surplus economy unable
to finance its surplus).

Comparison (CP 2015 section 4; DESIGN 3e): raw data are never an exact equilibrium, so
the baseline tariffs and the scenario's are both solved from the same data and the
scenario is reported relative to the baseline solution (:func:`compare`).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.sparse.linalg import LinearOperator, gmres

from fta_compare.model.ge_calibrate import GEBase, calibrate, deficits_from_trade

__all__ = [
    "GEBase",
    "GEEquilibrium",
    "GEResult",
    "calibrate",
    "compare",
    "deficits_from_trade",
    "solve",
    "solve_scenarios",
]

TOL = 1e-10  # relative wage change of the last step, and max residual
MAX_ITER = 50  # Newton iterations
_MAX_STEP = 1.0  # max change of a log unknown (wage or price index) in one Newton step
_ARMIJO = 1e-4
_MAX_HALVINGS = 30
_KRYLOV_RESTART = 60
_KRYLOV_CYCLES = 10


@dataclass(frozen=True)
class GEEquilibrium:
    """One solved equilibrium; hats relative to the calibration data.

    w_hat[n]             wage (value added per unit of labour) change
    P_hat[j, n]          sector price index change
    c_hat[j, n]          unit cost (input bundle) change
    trade_share[j, i, n] pi': new spending shares
    flows[j, i, n]       new flows at producer prices, pi' X' / (1 + t')
    tariff[j, i, n]      tariffs of this equilibrium (fractions)
    expenditure[j, n]    X': absorption at tariff-inclusive prices
    output[j, n]         Y': gross output at producer prices
    income[n]            I' = w_hat VA + R' + D
    tariff_revenue[n]    R'
    iterations           Newton iterations
    krylov_iterations    Jacobian-vector products (GMRES iterations)
    residual             max relative wage change of the last Newton step (0 when the start
                         solves the model; the equation residual when no step could be taken)
    equation_residual    max |residual| of the unit-free equilibrium conditions
    converged            both below tol
    message              why the solver stopped
    """

    w_hat: np.ndarray
    P_hat: np.ndarray
    c_hat: np.ndarray
    trade_share: np.ndarray
    flows: np.ndarray
    tariff: np.ndarray
    expenditure: np.ndarray
    output: np.ndarray
    income: np.ndarray
    tariff_revenue: np.ndarray
    iterations: int
    krylov_iterations: int
    residual: float
    equation_residual: float
    converged: bool
    message: str
    state: np.ndarray = field(repr=False)  # solver unknowns z, for warm starts
    log_kappa: np.ndarray = field(repr=False)  # ln kappa_hat[j, i, n] of this equilibrium


@dataclass(frozen=True)
class GEResult:
    """A scenario relative to the baseline equilibrium (fractions: 0.0117 = +1.17%).

    welfare[n]          real income change ``I_hat / prod_j P_hat^alpha - 1``
    real_wage[n]        ``w_hat / prod_j P_hat^alpha - 1``
    terms_of_trade[n]   ``sum_{j,i} (E_ni (c_hat_n - 1) - M_ni (c_hat_i - 1)) / I_n``
    volume_of_trade[n]  ``sum_{j,i} t_ni M_ni (M_hat_ni - c_hat_i) / I_n``
    output_change[j, n], exports_change[j, n], imports_change[j, n]  (producer prices;
                        exports and imports exclude domestic sales; 0 where the baseline is 0,
                        which the model keeps at 0)
    price_change[j, n]  sector price index change
    converged, residual, iterations: both solves converged; the larger last wage step;
                        the scenario's Newton iterations
    """

    welfare: np.ndarray
    real_wage: np.ndarray
    terms_of_trade: np.ndarray
    volume_of_trade: np.ndarray
    output_change: np.ndarray
    exports_change: np.ndarray
    imports_change: np.ndarray
    price_change: np.ndarray
    converged: bool
    residual: float
    iterations: int
    baseline: GEEquilibrium = field(repr=False)
    scenario: GEEquilibrium = field(repr=False)


class _Point:
    """The model evaluated at unknowns z: residual and what the Jacobian needs."""

    __slots__ = ("R", "W", "X", "Y", "flows", "income", "lP", "lc", "pi", "rT", "res", "spend",
                 "sys", "tau", "tf", "wva", "z")

    def __init__(self, sys: _System, z: np.ndarray) -> None:
        b = sys.base
        self.sys, self.z = sys, z
        u, p, x = sys.split(z)
        lc = b.beta * u + (1.0 - b.beta) * sys.inputs_of(p)
        a = sys.a0 - sys.theta3 * lc[:, :, None]
        m = a.max(axis=1)
        a -= m[:, None, :]
        pi = np.exp(a, out=a)
        S = pi.sum(axis=1)
        pi /= S[:, None, :]
        lP = -(m + np.log(S)) / b.theta[:, None]
        X = sys.scale * np.where(sys.log_x, np.exp(np.where(sys.log_x, x, 0.0)), x)
        W = pi * sys.inv_tp
        F = W * X[:, None, :]
        tf = F * sys.t
        Y = F.sum(axis=2)
        rT = tf.sum(axis=1)
        R = rT.sum(axis=0)
        tau = (W * sys.t).sum(axis=1)
        wva = np.exp(u) * b.value_added
        income = wva + R + b.deficit
        spend = sys.purchases_of((1.0 - b.beta) * Y) + b.alpha * income
        labour = (b.beta * Y).sum(axis=0) - wva
        va = b.value_added
        self.res = np.concatenate([
            labour / va + (wva.sum() - va.sum()) / va.sum(),
            (p - lP).ravel(),
            sys.goods_residual(X, spend).ravel(),
        ])
        self.lc, self.lP, self.pi, self.W, self.X, self.Y = lc, lP, pi, W, X, Y
        self.spend = spend
        self.flows, self.tf, self.rT, self.tau, self.wva = F, tf, rT, tau, wva
        self.income, self.R = income, R

    def jvp(self, dz: np.ndarray) -> np.ndarray:
        """Jacobian times dz, exact (derivatives of the residuals above)."""
        sys, b = self.sys, self.sys.base
        du, dp, dx = sys.split(np.asarray(dz, dtype=float).ravel())
        th = b.theta[:, None]
        dlc = b.beta * du + (1.0 - b.beta) * sys.inputs_of(dp)
        dlP = np.einsum("ji,jin->jn", dlc, self.pi)  # sum_i pi'[j,i,n] dlc[j,i]
        dX = np.where(sys.log_x, self.X, sys.scale) * dx
        FdlP = np.einsum("jin,jn->ji", self.flows, dlP)
        WdX = np.einsum("jin,jn->ji", self.W, dX)
        dY = -th * (dlc * self.Y - FdlP) + WdX
        TFdlc = np.einsum("ji,jin->jn", dlc, self.tf)
        dR = (-th * (TFdlc - self.rT * dlP) + self.tau * dX).sum(axis=0)
        dwva = self.wva * du
        dspend = sys.purchases_of((1.0 - b.beta) * dY) + b.alpha * (dwva + dR)
        va = b.value_added
        return np.concatenate([
            ((b.beta * dY).sum(axis=0) - dwva) / va + dwva.sum() / va.sum(),
            (dp - dlP).ravel(),
            np.where(sys.log_x, dx - dspend / np.where(sys.log_x, self.spend, 1.0),
                     (dX - dspend) / sys.scale).ravel(),
        ])


def _jacobian(point: _Point, calls: list[int]) -> LinearOperator:
    """The Jacobian at ``point`` as a LinearOperator; ``calls[0]`` counts its products.

    A closure, not a bound method: no reference cycle keeps a point's arrays alive after
    its Newton iteration (they would wait for the garbage collector).
    """

    def matvec(v: np.ndarray) -> np.ndarray:
        calls[0] += 1
        return point.jvp(v)

    n = point.z.size
    return LinearOperator((n, n), matvec=matvec, dtype=float)


class _System:
    """Constants of one shock: new tariffs, ln kappa_hat, scaling, gamma layouts."""

    def __init__(self, base: GEBase, t: np.ndarray, log_cost: np.ndarray) -> None:
        J, N = base.n_sectors, base.n_economies
        self.base, self.J, self.N = base, J, N
        self.t, self.log_cost = t, log_cost
        self.inv_tp = 1.0 / (1.0 + t)
        # ln kappa_hat = ln((1 + t')/(1 + t)) + ln(1 + cost_change); exactly 0 where unchanged
        self.log_kappa = np.log1p(t) - np.log1p(base.tariff) + log_cost
        self.theta3 = base.theta[:, None, None]
        with np.errstate(divide="ignore"):
            self.a0 = np.log(base.trade_share) - self.theta3 * self.log_kappa
        X = base.expenditure
        positive = X[X > 0]
        fill = positive.mean() if positive.size else 1.0
        self.scale = np.where(X > 0, X, fill)
        # goods markets in logs where the data have spending and some demand can reach it
        # (final demand or an input share); elsewhere in levels (the cell may be zero)
        reachable = (base.alpha > 0) | (np.einsum("njk,kn->jn", base.gamma,
                                                  1.0 - base.beta) > 0)
        self.log_x = (X > 0) & reachable
        self.gamma = base.gamma  # [n, k, j]
        self.n = N + 2 * J * N

    def goods_residual(self, X: np.ndarray, spend: np.ndarray) -> np.ndarray:
        """``ln X' - ln spending`` where demand is positive in the data, else
        ``(X' - spending) / s`` (a cell that may be zero)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log(X) - np.log(spend)
        return np.where(self.log_x, logs, (X - spend) / self.scale)

    def split(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        J, N = self.J, self.N
        return z[:N], z[N:N + J * N].reshape(J, N), z[N + J * N:].reshape(J, N)

    def inputs_of(self, p: np.ndarray) -> np.ndarray:
        """``[j, n] -> sum_k gamma[n, k, j] p[k, n]`` (the input bundle of sector j)."""
        return np.einsum("nkj,kn->jn", self.gamma, p)

    def purchases_of(self, v: np.ndarray) -> np.ndarray:
        """``[k, n] -> sum_k gamma[n, j, k] v[k, n]``: spending on input j of all sectors."""
        return np.einsum("njk,kn->jn", self.gamma, v)

    def start(self) -> np.ndarray:
        """The calibration data: w_hat = P_hat = 1, X' = X."""
        z = np.zeros(self.n)
        x = np.where(self.log_x, 0.0, self.base.expenditure / self.scale)
        z[self.N + self.J * self.N:] = x.ravel()
        return z


@dataclass
class _Run:
    """Where one Newton run stopped."""

    point: _Point
    iterations: int
    krylov: int
    step: float
    fmax: float
    converged: bool
    message: str


def _newton(sys: _System, z: np.ndarray, tol: float, max_iter: int) -> _Run:
    """Inexact Newton-Krylov with a step cap and an Armijo line search (module docstring)."""
    pt = _Point(sys, z)
    if not np.isfinite(pt.res).all():
        return _Run(pt, 0, 0, np.inf, np.inf, False, "the model is not defined at the start")
    fmax = float(np.abs(pt.res).max())
    fnorm = float(np.linalg.norm(pt.res))
    k, step, calls = 0, 0.0, [0]
    converged = fmax < tol
    message = "start solves the equations" if converged else ""
    N, JN = sys.N, sys.J * sys.N
    while not converged and k < max_iter:
        eta = min(0.1, fnorm)
        dz, _ = gmres(_jacobian(pt, calls), -pt.res, rtol=eta, atol=0.0,
                      restart=min(_KRYLOV_RESTART, sys.n), maxiter=_KRYLOV_CYCLES)
        big = float(np.abs(dz[:N + JN]).max(initial=0.0))
        if big > _MAX_STEP:
            dz *= _MAX_STEP / big
        lam = 1.0
        for _ in range(_MAX_HALVINGS):
            new = _Point(sys, pt.z + lam * dz)
            new_norm = float(np.linalg.norm(new.res))
            if np.isfinite(new_norm) and (new_norm <= (1 - _ARMIJO * lam) * fnorm
                                          or fmax < tol):
                break
            lam *= 0.5
        else:
            message = "no descent along the Newton direction (line search failed)"
            break
        k += 1
        step = float(np.abs(np.expm1(lam * dz[:N])).max())
        pt, fnorm = new, new_norm
        fmax = float(np.abs(pt.res).max())
        converged = step < tol and fmax < tol
    if not converged and k == 0:
        step = fmax  # no step taken: report how far the start is from solving the model
    if converged and ((pt.income <= 0).any() or (pt.X < 0).any()):
        bad = np.flatnonzero((pt.income <= 0) | (pt.X < 0).any(axis=0)).tolist()
        converged = False
        message = (f"the solution is not an economic equilibrium: economies {bad} get "
                   "non-positive income or spending (the fixed deficits cannot be financed)")
    if not converged and not message:
        message = f"not converged within {max_iter} Newton iterations"
    if not converged:
        message += ("; a very large shock with trade deficits held fixed may have no "
                    "equilibrium: solve with zero deficits to check")
    return _Run(pt, k, calls[0], step, fmax, bool(converged), message or "converged")


def _shock(base: GEBase, tariff_new: np.ndarray | None,
           cost_change: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Checked ``(t', ln(1 + cost_change))`` as ``[j, i, n]`` arrays."""
    shape = base.trade_share.shape
    t = base.tariff if tariff_new is None else np.broadcast_to(
        np.asarray(tariff_new, dtype=float), shape)
    if not np.isfinite(t).all() or (t <= -1).any():
        raise ValueError("tariff_new must be finite and > -1")
    if cost_change is None:
        return t, np.zeros(shape)
    cc = np.broadcast_to(np.asarray(cost_change, dtype=float), shape)
    if not np.isfinite(cc).all() or (cc <= -1).any():
        raise ValueError("cost_change must be finite and > -1 (a fraction)")
    return t, np.log1p(cc)


def solve(base: GEBase, tariff_new: np.ndarray | None = None,
          cost_change: np.ndarray | None = None, *, tol: float = TOL,
          max_iter: int = MAX_ITER, start: GEEquilibrium | None = None) -> GEEquilibrium:
    """Solve the equilibrium in changes from the data for new tariffs and cost changes.

    tariff_new[j, i, n]   applied tariffs (fractions); None = the baseline tariffs
    cost_change[j, i, n]  proportional non-tariff trade-cost change (-0.03 = 3% cheaper);
                          None = no change. Both broadcast to ``[j, i, n]``.
    start                 a solved equilibrium of the same base to start from (warm start);
                          the answer does not depend on it beyond ``tol``.
    max_iter              Newton iterations.

    """
    t1, lc1 = _shock(base, tariff_new, cost_change)
    sys = _System(base, t1, lc1)
    if (start is not None and start.converged and np.array_equal(sys.t, start.tariff)
            and np.array_equal(sys.log_kappa, start.log_kappa)):
        return replace(start, iterations=0, krylov_iterations=0, residual=0.0,
                       message="same tariffs and costs as the start: its solution")
    z0 = sys.start() if start is None else np.array(start.state, dtype=float)
    with _one_blas_thread():
        run = _newton(sys, z0, tol, max_iter)
        if not np.isfinite(run.fmax) and run.iterations == 0 and start is not None:
            run = _newton(sys, sys.start(), tol, max_iter)  # warm start out of the domain
    if not np.isfinite(run.fmax) and run.iterations == 0:
        raise ValueError("the model is not defined at the data (check the inputs)")
    return _equilibrium(run)


def _one_blas_thread() -> AbstractContextManager[object]:
    """BLAS pinned to one thread during a solve (:func:`fta_compare.parallel.one_blas_thread`).

    The solver's BLAS work is GMRES's dot products and vector updates on vectors of N + 2JN
    numbers, far too small to gain from threads; a threaded OpenBLAS on a busy machine made
    the 80 x 65 solve 10-30 times slower (benchmarks/ge.py), and one thread also makes the
    results independent of the thread count.
    """
    try:
        from fta_compare.parallel import one_blas_thread
    except ImportError:  # pragma: no cover - parallel.py is part of the package
        return nullcontext()
    return one_blas_thread()


def _equilibrium(run: _Run) -> GEEquilibrium:
    pt = run.point
    sys, N = pt.sys, pt.sys.N
    return GEEquilibrium(
        w_hat=np.exp(pt.z[:N]), P_hat=np.exp(pt.lP), c_hat=np.exp(pt.lc),
        trade_share=pt.pi, flows=pt.flows, tariff=sys.t, expenditure=pt.X, output=pt.Y,
        income=pt.income, tariff_revenue=pt.R, iterations=run.iterations,
        krylov_iterations=run.krylov, residual=run.step, equation_residual=run.fmax,
        converged=run.converged, message=run.message, state=pt.z, log_kappa=sys.log_kappa,
    )


def _change(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """``new / old - 1``, 0 where the baseline is 0 (the model keeps zero flows at zero)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(old > 0, new / np.where(old > 0, old, 1.0) - 1.0, 0.0)


def _off_diagonal(flows: np.ndarray) -> np.ndarray:
    """flows[j, i, n] with domestic cells (i == n) set to 0."""
    N = flows.shape[1]
    return flows * (1.0 - np.eye(N))[None]


def compare(base: GEBase, eq_baseline: GEEquilibrium, eq_scenario: GEEquilibrium) -> GEResult:
    """The scenario relative to the baseline equilibrium (Caliendo & Parro 2015, section 4).

    Welfare and real wage deflate by ``prod_j P_hat^alpha`` (Cobb-Douglas final demand).
    The decomposition follows their replication code: with baseline-equilibrium flows at
    producer prices (exports E_ni = flows[j, n, i], imports M_ni = flows[j, i, n]), baseline
    income I_n, baseline tariffs t_ni and ``c_hat``, ``M_hat`` ratios of the scenario to the
    baseline equilibrium, ``terms_of_trade = sum (E (c_hat_n - 1) - M (c_hat_i - 1)) / I_n``
    and ``volume_of_trade = sum t M (M_hat - c_hat_i) / I_n`` (domestic cells cancel in the
    first and carry no tariff in the second unless the data give one). Their sum is the
    first-order approximation of ``welfare``.
    """
    b, s = eq_baseline, eq_scenario
    P_hat = s.P_hat / b.P_hat
    log_index = (base.alpha * np.log(P_hat)).sum(axis=0)
    deflator = np.exp(-log_index)
    c_hat = s.c_hat / b.c_hat
    I0 = b.income
    exports_gain = ((c_hat - 1.0) * b.output).sum(axis=0)  # sum_{j,i} E_ni (c_hat_n - 1)
    imports_cost = np.einsum("ji,jin->n", c_hat - 1.0, b.flows)  # sum M_ni (c_hat_i - 1)
    tot = (exports_gain - imports_cost) / I0
    quantity = s.flows - b.flows * c_hat[:, :, None]  # M (M_hat - c_hat_i)
    vot = (b.tariff * quantity).sum(axis=(0, 1)) / I0
    ex_b, ex_s = _off_diagonal(b.flows), _off_diagonal(s.flows)
    return GEResult(
        welfare=(s.income / b.income) * deflator - 1.0,
        real_wage=(s.w_hat / b.w_hat) * deflator - 1.0,
        terms_of_trade=tot,
        volume_of_trade=vot,
        output_change=_change(s.output, b.output),
        exports_change=_change(ex_s.sum(axis=2), ex_b.sum(axis=2)),
        imports_change=_change(ex_s.sum(axis=1), ex_b.sum(axis=1)),
        price_change=P_hat - 1.0,
        converged=b.converged and s.converged,
        residual=max(b.residual, s.residual),
        iterations=s.iterations,
        baseline=b,
        scenario=s,
    )


def solve_scenarios(
    base: GEBase,
    scenarios: Mapping[str, tuple[np.ndarray, np.ndarray | None]],
    *, tol: float = TOL, max_iter: int = MAX_ITER,
) -> dict[str, GEResult]:
    """Solve the baseline once, then each scenario ``name -> (tariff_new, cost_change)``
    warm-started from it, and :func:`compare` each with the baseline. A scenario whose
    shock equals an earlier one's (a depth-channel variant that cuts no trade cost) takes
    its result instead of a second, identical solve."""
    eq0 = solve(base, tol=tol, max_iter=max_iter)
    out: dict[str, GEResult] = {}
    solved: list[tuple[np.ndarray, np.ndarray | None, GEResult]] = []
    for name, (tariff_new, cost_change) in scenarios.items():
        same = next((r for t, c, r in solved if np.array_equal(t, tariff_new)
                     and _same_cost(c, cost_change)), None)
        if same is None:
            eq = solve(base, tariff_new, cost_change, tol=tol, max_iter=max_iter, start=eq0)
            same = compare(base, eq0, eq)
            solved.append((tariff_new, cost_change, same))
        out[name] = same
    return out


def _same_cost(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Equal trade-cost changes (None: no change, the same as all zeros)."""
    if a is None or b is None:
        other = b if a is None else a
        return other is None or not np.any(other)
    return bool(np.array_equal(a, b))
