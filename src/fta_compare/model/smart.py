"""Single-market model (``--model smart``, DESIGN 3a).

After Laird & Yeats (1990, *Quantitative Methods for Trade-Barrier Analysis*) and Jammes &
Olarreaga (2005, "Explaining SMART and GSIM", World Bank). Each importer's market for each
product is treated on its own: importer r, partners v != r. Domestic / intra-bloc cells
(v == r) are ignored: zero effects and ``new_value == base_value`` there.

Notation per cell (product, partner k, importer r): M = base imports at world prices,
``p_k = T1e_k / T0_k - 1`` the policy-driven internal price change, with
``T1e = (1 + t1)(1 + tau)`` (a trade-cost change tau moves prices like a tariff but raises no
revenue; for tau = 0, ``p = dt / (1 + t0)``). Em < 0 import demand, Es > 0 substitution
(importer r), Ex > 0 export supply (partner k; ``inf`` = infinitely elastic).

* Trade creation ``TC_k = M_k Em p_k / (1 - Em/Ex_k)`` (``M_k Em p_k`` with Ex infinite).
* World price of partner k in that market ``dPw_k = p_k Em / (Ex_k - Em)`` (0 for Ex = inf).
* Trade diversion, SMART form generalised to partner-specific cuts (see :func:`diversion`):
  partners with the same price change form a class, each class against the import-weighted
  price of the others; gainers kept, losers rescaled so diversion nets to zero per market.
* ``new_value = M0 + TC + TD``; tariff revenue ``sum_k (t1 M1 - t0 M0)``.
* Consumer surplus (linear demand) ``-sum_k dP_k (M0_k + 0.5 dM_k)``, ``dP_k = T1e(1 + dPw)
  - T0`` the domestic price change per unit of base value, ``dM = TC + TD``.
* Exporters' producer surplus ``sum_r (M0 dPw + 0.5 dPw TC)`` (0 when Ex is infinite).

Linear SMART can produce negative ``new_value`` for very large tariff increases (the demand
curve is linear in the price change); the exact CES model (``exact.py``) does not.
"""

from __future__ import annotations

import numpy as np

from fta_compare.model.arrays import MarketArrays, ModelResult, Shock
from fta_compare.model.welfare import Prepared, full, prepare, safe_divide

__all__ = ["deadweight_change", "diversion", "laird_yeats_welfare", "solve_smart"]


def diversion(M: np.ndarray, p: np.ndarray, Es: np.ndarray) -> np.ndarray:
    """SMART trade diversion per cell ``[..., k, r]`` (partners on axis -2, importer on -1).

    Partners of importer r with exactly the same internal price change ``p`` form a class
    c (e.g. the members of an FTA cutting the same tariff, or the unchanged rest). Against
    the import-weighted (base M) mean price change of the partners *outside* the class,
    ``pbar_{-c}`` (their total ``M_{-c}``), Laird & Yeats' group formula (class against the
    rest, total imports held fixed) gives::

        r_c  = pbar_{-c} - p_c
        TD_c = M_c M_{-c} Es r_c / (M_c + M_{-c} + M_c Es r_c),   TD_k = TD_c M_k / M_c

    Rescaling rule: positive TD_k (gainers) are kept; negative TD_k (losers) are multiplied
    by ``sum(gains) / sum(|losses|)`` so diversion nets exactly to zero in each market.
    With one group of equal cuts against unchanged partners this is exactly the SMART form
    of DESIGN 3a (the group's TD shared in proportion to M_k, taken from the rest in
    proportion to M_K); when every partner has its own price change, each partner is set
    against the import-weighted price of all the others. Guards: the relative-share factor
    ``1 + Es r_c`` is floored at 0 (before rescaling a loser loses at most its base
    imports), so the denominator is ``>= M_{-c}``; a class with ``M_{-c} = 0`` (a sole
    supplier, or all partners with the same price change) and partners with ``M_k = 0``
    get zero diversion; a market without losers has none. ``M`` and ``p`` must be 0 on the
    cells to ignore (the diagonal).
    """
    M, p = np.broadcast_arrays(M, p)
    N = M.shape[-2]  # partners (the importer axis, -1, may be shorter: a market subset)
    Es2 = Es[..., 0, :]  # (..., P, N): one value per market (importer)
    if M.ndim > 3:  # trade arrays with leading axes: fold every axis into the market axis
        lead = np.broadcast_shapes(M.shape[:-3], Es2.shape[:-2])
        M, p = (np.broadcast_to(a, (*lead, *M.shape[-3:])) for a in (M, p))
        Esm, out_lead = np.broadcast_to(Es2, (*lead, *Es2.shape[-2:])).reshape(-1), ()
    else:
        Esm, out_lead = Es2.reshape(*Es2.shape[:-2], -1), Es2.shape[:-2]
    # sort each market's partners by price change: flat layout [market, partner]
    pT = np.swapaxes(p, -1, -2).reshape(-1, N)
    MT = np.swapaxes(M, -1, -2).reshape(-1, N)
    n_markets, live = pT.shape[0], None
    if Esm.ndim == 1:  # markets where no price moves have no diversion: leave them out
        moving = (pT != 0).any(axis=1)
        if not moving.all():
            live = np.flatnonzero(moving)
            pT, MT, Esm = pT[live], MT[live], Esm[live]
    nmk = pT.shape[0]
    pos = np.argsort(pT, axis=-1) + (np.arange(nmk) * N)[:, None]
    pos = pos.reshape(-1)
    ps = pT.reshape(-1)[pos]
    del pT
    Ms = MT.reshape(-1)[pos]
    del MT
    start = np.empty(ps.shape, dtype=bool)
    start[1:] = ps[1:] != ps[:-1]
    start[::N] = True  # a market's first partner opens a class
    starts = np.flatnonzero(start)  # first sorted position of each class
    cid = np.cumsum(start) - 1  # class of each sorted position
    del start
    Mc = np.add.reduceat(Ms, starts)
    MPc = np.add.reduceat(Ms * ps, starts)
    pc = ps[starts]
    del ps
    mkt_first = starts % N == 0
    cmk = np.cumsum(mkt_first) - 1  # market of each class
    mfirst = np.flatnonzero(mkt_first)
    # totals as sums of class sums: exactly Mc when every other class is empty
    Mo = np.add.reduceat(Mc, mfirst)[cmk] - Mc
    MPo = np.add.reduceat(MPc, mfirst)[cmk] - MPc
    r = np.divide(MPo, Mo, out=pc.copy(), where=Mo > 0) - pc  # pbar_{-c} - p_c
    x = np.maximum(Esm[..., starts // N] * r, -1.0)  # Es r_c; share factor 1 + Es r_c >= 0
    den = x * Mc
    den += Mc + Mo
    f = np.divide(x * Mo, den, out=np.zeros(den.shape), where=den > 0)  # 0 only if Mo = 0
    raw_sorted = f[..., cid]  # TD_k = M_k M_{-c} Es r_c / (M_c + M_{-c} + M_c Es r_c)
    del cid
    raw_sorted *= Ms
    del Ms
    raw = np.empty(raw_sorted.shape)
    raw[..., pos] = raw_sorted
    del raw_sorted, pos
    if live is not None:
        every = np.zeros((n_markets, N))
        every[live] = raw.reshape(-1, N)
        raw = every
    raw = np.swapaxes(raw.reshape(*out_lead, *M.shape[:-2], M.shape[-1], N), -1, -2)
    total = raw.sum(axis=-2, keepdims=True)
    gain = np.where(raw > 0, raw, 0.0).sum(axis=-2, keepdims=True)
    loss = gain - total  # sum of |negative TD|
    np.multiply(raw, safe_divide(gain, loss), out=raw, where=raw < 0)
    raw *= loss > 0  # a market without losers has no diversion
    return raw


def solve_smart(m: MarketArrays, s: Shock) -> ModelResult:
    """Closed-form SMART solution for every product and importer at once (DESIGN 3a).

    Shapes: trade ``(P, N, N)``, elasticities ``(..., P, N)``; outputs carry the leading
    draws axes. Always ``converged = True``, ``residual = 0``. Only the markets where a
    price moves are computed (:func:`_solve_moving_markets`); the others have no effect
    by construction. Trade arrays with leading axes go to :func:`_solve_dense`.
    """
    pr = prepare(m, s)
    if all(a.shape == (pr.P, pr.N, pr.N) for a in (pr.M0, pr.R, pr.t0, pr.t1)):
        return _solve_moving_markets(pr)
    return _solve_dense(pr)


def _solve_moving_markets(pr: Prepared) -> ModelResult:
    """:func:`solve_smart` on the markets (product, importer) where a partner's internal
    price or tariff changes, gathered as ``(..., L, N)`` partner vectors; every other
    market keeps its base imports and has zero effects (``TC = TD = dPw = 0`` at ``p = 0``).

    The formulas of :func:`_solve_dense`, one market per row; leading draws axes come from
    the elasticities only. Cost and memory scale with the moving markets (an FTA among a
    few members moves a few importers' markets).
    """
    P, N, B = pr.P, pr.N, pr.batch
    pi, ri = np.nonzero(((pr.R != 1.0) | (pr.t1 != pr.t0)).any(axis=-2))
    own = np.arange(N)[None, :] == ri[:, None]  # (L, N): the importer's own (domestic) cell
    M0 = pr.M0[pi, :, ri]
    M = np.where(own, 0.0, M0)
    R = pr.R[pi, :, ri]
    p = np.where(own, 0.0, R - 1.0)
    Em = np.broadcast_to(pr.Em[..., 0, :], (*B, P, N))[..., pi, ri][..., None]  # (.., L, 1)
    Es = np.broadcast_to(pr.Es[..., 0, :], (*B, P, N))[..., pi, ri]
    Ex = np.broadcast_to(pr.Ex, (*B, P, N))[..., pi, :]  # (.., L, N) partners' supply
    with np.errstate(divide="ignore", invalid="ignore"):
        supply = 1.0 / (1.0 - Em / Ex)  # 1 when Ex is infinite, 0 when Ex = 0
    supply[~np.isfinite(supply)] = 1.0  # invalid elasticity signs: no supply effect
    TC = M * p * Em * supply
    dPw = p * (supply - 1.0) + 0.0
    TD = diversion(M[:, :, None], p[:, :, None], Es[..., None, None])[..., 0]
    new = M0 + TC + TD
    t0, t1 = pr.t0[pi, :, ri], pr.t1[pi, :, ri]
    revenue = np.where(own, 0.0, t1 * new - t0 * M0).sum(axis=-1)
    dP = np.where(own, 0.0, ((1.0 + dPw) * R - 1.0) * pr.T0[pi, :, ri])  # domestic price
    cs = -(dP * (M + 0.5 * (TC + TD))).sum(axis=-1)
    cell = (pi[:, None] * N + np.arange(N)[None, :]).ravel()  # (product, partner) of a row

    def by_partner(x: np.ndarray) -> np.ndarray:
        rows = np.broadcast_to(x, (*B, *x.shape[-2:])).reshape(int(np.prod(B)), -1)
        out = np.stack([np.bincount(cell, weights=row, minlength=P * N) for row in rows])
        return out.reshape(*B, P, N)

    ps = by_partner(dPw * (M + 0.5 * TC))
    diag = np.arange(N)
    sold = pr.M0.sum(axis=-1) - pr.M0[:, diag, diag]  # exports, all markets
    wpc = safe_divide(by_partner(M * dPw), sold)
    cube = (*B, P, N, N)
    out = {"new_value": np.broadcast_to(pr.M0, cube).copy(),
           "trade_creation": np.zeros(cube), "trade_diversion": np.zeros(cube)}
    for k, v in (("new_value", new), ("trade_creation", TC), ("trade_diversion", TD)):
        # leading axes before the gathered pair: numpy puts the market axis first
        out[k][..., pi, :, ri] = np.moveaxis(np.broadcast_to(v, (*B, *M.shape)), -2, 0) + 0.0
    two = {k: np.zeros((*B, P, N)) for k in ("consumer_surplus", "tariff_revenue")}
    two["consumer_surplus"][..., pi, ri] = cs + 0.0
    two["tariff_revenue"][..., pi, ri] = np.broadcast_to(revenue, (*B, len(pi))) + 0.0
    return ModelResult(
        **out, **two,
        world_price_change=wpc + 0.0,
        producer_surplus=ps + 0.0,
        converged=np.ones((*B, P), dtype=bool),
        residual=np.zeros((*B, P)),
        iterations=0,
    )


def _solve_dense(pr: Prepared) -> ModelResult:
    """:func:`solve_smart` on the full ``(..., P, N, N)`` arrays (any draws axes)."""
    N = pr.N
    idx = np.arange(N)
    shape3 = (*pr.batch, pr.P, N, N)
    shape2 = (*pr.batch, pr.P, N)
    M = pr.M0.copy()
    M[..., idx, idx] = 0.0
    p = pr.R - 1.0  # policy internal price change dt/(1 + t0) generalised
    p[..., idx, idx] = 0.0
    Em, Es = pr.Em, pr.Es
    finite_ex = not np.isinf(pr.Ex).all()
    TC = M * p
    TC = TC * Em
    if finite_ex:
        # supply factor 1 / (1 - Em/Ex): 1 when Ex is infinite, 0 when Ex = 0
        with np.errstate(divide="ignore", invalid="ignore"):
            supply = Em / pr.Ex[..., :, None]  # Em of importer r over Ex of partner v
            np.negative(supply, out=supply)
            supply += 1.0
            np.reciprocal(supply, out=supply)
        supply[~np.isfinite(supply)] = 1.0  # invalid elasticity signs: no supply effect
        TC = TC * supply if TC.shape != supply.shape else np.multiply(TC, supply, out=TC)
        dPw = supply  # dPw = p Em / (Ex - Em) = p (supply - 1)
        dPw -= 1.0
        dPw *= p
        del supply
    TD = diversion(M, p, Es)
    TC, TD = full(TC, shape3, fresh=True), full(TD, shape3, fresh=True)
    dM = TC + TD
    new_value = dM + pr.M0
    diag_rev = (pr.t1 - pr.t0)[..., idx, idx] * pr.M0[..., idx, idx]
    revenue = (
        np.einsum("...vr,...vr->...r", pr.t1, new_value)
        - np.einsum("...vr,...vr->...r", pr.t0, pr.M0)
        - diag_rev
    )
    dM *= 0.5
    dM += M  # M0 + 0.5 dM on partner cells
    if finite_ex:
        dP = (1.0 + dPw) * pr.R  # domestic price change per unit of base value
        dP -= 1.0
        dP *= pr.T0
        dP[..., idx, idx] = 0.0
        cs = -np.einsum("...vr,...vr->...r", dP, dM)
        ps = np.einsum("...vr,...vr->...v", dPw, M + 0.5 * TC)
        wpc = safe_divide(np.einsum("...vr,...vr->...v", M, dPw), M.sum(axis=-1))
    else:
        cs = -np.einsum("...vr,...vr->...r", p * pr.T0, dM)
        ps = wpc = np.zeros(shape2)
    return ModelResult(
        new_value=new_value,
        trade_creation=TC,
        trade_diversion=TD,
        world_price_change=full(wpc, shape2, fresh=True),
        consumer_surplus=full(cs, shape2, fresh=True),
        producer_surplus=full(ps, shape2, fresh=True),
        tariff_revenue=full(revenue, shape2, fresh=True),
        converged=np.ones((*pr.batch, pr.P), dtype=bool),
        residual=np.zeros((*pr.batch, pr.P)),
        iterations=0,
    )


def laird_yeats_welfare(m: MarketArrays, s: Shock, res: ModelResult) -> np.ndarray:
    """Laird–Yeats welfare per importer ``[..., p, r] = -0.5 sum_k dt_k TC_k`` (tariff change
    ``dt = t1 - t0`` only; a trade-cost change is not a tariff wedge). Positive for a cut."""
    off = ~np.eye(m.n_countries, dtype=bool)
    dt = np.where(off, np.asarray(s.new_rate, float) - np.asarray(m.base_rate, float), 0.0)
    return -0.5 * (dt * res.trade_creation).sum(axis=-2)


def deadweight_change(m: MarketArrays, s: Shock, res: ModelResult) -> np.ndarray:
    """Exact deadweight-loss change for linear demand, per importer:
    ``[..., p, r] = 0.5 sum_k (t0_k + t1_k) dM_k`` with ``dM = new_value - base_value``."""
    off = ~np.eye(m.n_countries, dtype=bool)
    tsum = np.where(off, np.asarray(s.new_rate, float) + np.asarray(m.base_rate, float), 0.0)
    dM = res.new_value - np.asarray(m.base_value, float)
    return 0.5 * (tsum * dM).sum(axis=-2)
