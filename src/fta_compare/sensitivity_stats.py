"""Sensitivity draws summarised: per-draw metrics stacked, statistics, ranks (no I/O).

Used by :func:`fta_compare.sensitivity.run_draws`: the chunks' welfare and flow sums are
stacked in draw order, turned into the focus economy's metric matrix (with the metrics
that do not depend on elasticities), summarised (mean, std, quantiles over the draws that
solved) and ranked (the share of draws in which each scenario ranks first).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fta_compare import api
from fta_compare.inputs.schema import BASELINE
from fta_compare.inputs.tables import InputTables
from fta_compare.model.arrays import MarketArrays
from fta_compare.parallel import ChunkResult
from fta_compare.scorecard import LOWER_IS_BETTER, WELFARE_METRICS, build_scorecard, sector_map

INVARIANT_METRICS = ("depth_index", "preference_coverage")
QUANTILES = (0.05, 0.5, 0.95)
SUMMARY_COLUMNS = ("scenario", "country", "metric", "mean", "std", "p5", "p50", "p95",
                   "draws_ok", "draws_failed", "point")


@dataclass(frozen=True)
class _Stacked:
    welfare: np.ndarray
    focus: np.ndarray
    ok: np.ndarray


def stack_chunks(parts: list[ChunkResult]) -> _Stacked:
    parts = sorted(parts, key=lambda p: p.index)
    return _Stacked(np.concatenate([p.welfare for p in parts]),
                    np.concatenate([p.focus for p in parts]),
                    np.concatenate([p.ok for p in parts]))


def welfare4(parts: np.ndarray) -> np.ndarray:
    """(D, S, 3, N) CS, PS, TR -> (D, S, 4, N) in :data:`WELFARE_METRICS` order, net first
    (``net = CS + PS + TR``, summed in that order as in the run's welfare table)."""
    cs, ps, tr = parts[:, :, 0], parts[:, :, 1], parts[:, :, 2]
    return np.stack([cs + ps + tr, cs, ps, tr], axis=2)


def sector_table(tables: InputTables) -> pd.DataFrame:
    if tables.sectors is not None and len(tables.sectors):
        return tables.sectors[["hs", "sector"]].copy()
    from fta_compare.report.sectors import bundled_sectors

    return bundled_sectors()[["hs", "sector"]]


def sector_matrix(m: MarketArrays, sectors: pd.DataFrame, names: list[str]) -> np.ndarray:
    """(P, K) indicator of product p in sector k (HS prefixes, as in the scorecard)."""
    pairs = sector_map(pd.Series(m.hs.astype(str), dtype=object), sectors)
    out = np.zeros((m.n_products, len(names)))
    p = pd.Index(m.hs.astype(str)).get_indexer(pairs["hs"].astype(str))
    k = pd.Index(names).get_indexer(pairs["sector"].astype(str).str.strip())
    ok = (p >= 0) & (k >= 0)
    out[p[ok], k[ok]] = 1.0
    return out


def invariant_metrics(prep: api.PreparedRun, names: list[str], focus: str
                       ) -> dict[str, np.ndarray]:
    """Scorecard metrics that do not depend on the elasticities (depth, preference
    coverage), by scenario, from :func:`build_scorecard` on the base cells."""
    cells = prep.universe.cells
    v = cells["value"].to_numpy(float)
    base = pd.DataFrame({
        "scenario": BASELINE, "importer": cells["importer"], "exporter": cells["exporter"],
        "hs": cells["hs"], "base_value": v, "new_value": v, "trade_creation": 0.0,
        "trade_diversion": 0.0, "base_rate": 0.0, "new_rate": 0.0,
    })  # fmt: skip
    zero = pd.DataFrame({"scenario": names, "country": focus, "consumer_surplus": 0.0,
                         "producer_surplus": 0.0, "tariff_revenue": 0.0, "net_welfare": 0.0})
    card = build_scorecard(base, zero, applied=prep.compiled.applied, depth=prep.depth,
                           sectors=None, compiled=prep.compiled)
    card = card[(card["country"].astype(str) == focus)
                & card["metric"].isin(INVARIANT_METRICS)]
    out = {}
    for metric in INVARIANT_METRICS:
        sub = card[card["metric"] == metric]
        if len(sub):
            out[metric] = sub.set_index("scenario")["value"].reindex(names).to_numpy(float)
    return out


def focus_matrix(welfare: np.ndarray, flows: np.ndarray, invariants: dict[str, np.ndarray],
                  flow_names: Sequence[str], f: int, weights: pd.DataFrame | None,
                  names: list[str]) -> tuple[np.ndarray, list[str]]:
    """(D, S, M) every scorecard metric of the focus economy, in scorecard order."""
    D, S = welfare.shape[:2]
    cols = [welfare[:, :, j, f] for j in range(len(WELFARE_METRICS))]
    metrics = list(WELFARE_METRICS)
    n_flow = 4
    for j in range(n_flow):
        cols.append(flows[:, :, j])
        metrics.append(flow_names[j])
    for name, values in invariants.items():
        cols.append(np.broadcast_to(values, (D, S)))
        metrics.append(name)
    for j in range(n_flow, len(flow_names)):
        cols.append(flows[:, :, j])
        metrics.append(flow_names[j])
    x = np.stack(cols, axis=-1)
    if weights is not None and not weights.empty:
        comp = _composite(x, metrics, weights, names)
        x = np.concatenate([x, comp[..., None]], axis=-1)
        metrics.append("composite")
    return x, metrics


def _groups(names: Sequence[str]) -> list[np.ndarray]:
    """Tariff-only scenarios and depth-channel variants are ranked separately (as in the
    scorecard)."""
    deep = np.array([n.endswith(api.DEPTH_SUFFIX) for n in names], dtype=bool)
    return [g for g in (~deep, deep) if g.any()]


def _composite(x: np.ndarray, metrics: list[str], weights: pd.DataFrame,
               names: Sequence[str]) -> np.ndarray:
    """Per draw, the scorecard's composite: ``sum(w z) / sum(|w|)``, ``z`` the metric
    min-max scaled across scenarios (1 = best, 0.5 when all tie)."""
    w = dict(zip(weights["metric"].astype(str).str.strip(), weights["weight"].astype(float),
                 strict=True))
    use = [j for j, m in enumerate(metrics) if m in w]
    out = np.full(x.shape[:2], np.nan)
    if not use:
        return out
    wv = np.array([w[metrics[j]] for j in use])
    low = np.array([metrics[j] in LOWER_IS_BETTER for j in use])
    for g in _groups(names):
        v = x[:, g][..., use]  # (D, Sg, U)
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = np.nanmin(v, axis=1, keepdims=True)
            hi = np.nanmax(v, axis=1, keepdims=True)
            z = np.where(hi > lo, (v - lo) / (hi - lo), 0.5)
        z = np.where(np.isnan(v), np.nan, np.where(low, 1.0 - z, z))
        aw = np.where(np.isnan(z), 0.0, np.abs(wv))
        num = np.nansum(wv * z, axis=-1)
        den = aw.sum(axis=-1)
        out[:, g] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return out


def _stats(x: np.ndarray) -> dict[str, np.ndarray]:
    """mean, std, p5, p50, p95 over axis 0, ignoring NaN (failed draws)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        q = np.nanquantile(x, QUANTILES, axis=0)
        p50 = q[1]
        dev = x - p50
        n = np.sum(~np.isnan(x), axis=0)
        mean = p50 + np.nansum(dev, axis=0) / np.where(n > 0, n, 1)
        mean = np.where(n > 0, mean, np.nan)
        dev = x - mean
        std = np.sqrt(np.nansum(dev * dev, axis=0) / np.where(n > 1, n - 1, 1))
        std = np.where(n > 1, std, np.nan)
    return {"mean": mean, "std": std, "p5": q[0], "p50": p50, "p95": q[2]}


def summary_table(names: list[str], countries: list[str], f: int, metrics: list[str],
             focus_x: np.ndarray, welfare: np.ndarray, ok: np.ndarray, p_focus: np.ndarray,
             p_welfare: np.ndarray) -> pd.DataFrame:
    """The long ``sensitivity`` table: per scenario, the focus economy's metrics, then the
    welfare metrics of the other economies."""
    bad = ~ok
    fx = np.where(bad[..., None], np.nan, focus_x)  # (D, S, M)
    others = [c for c in range(len(countries)) if c != f]
    wx = np.where(bad[..., None, None], np.nan, welfare[..., others])  # (D, S, 4, N-1)
    fs, ws = _stats(fx), _stats(wx)
    n_ok = ok.sum(axis=0)
    D = ok.shape[0]
    frames = []
    W = len(WELFARE_METRICS)
    for s, scen in enumerate(names):
        M, K = len(metrics), len(others)
        block = {
            "scenario": scen,
            "country": [countries[f]] * M + [countries[c] for c in others for _ in range(W)],
            "metric": metrics + list(WELFARE_METRICS) * K,
        }
        for key in ("mean", "std", "p5", "p50", "p95"):
            block[key] = np.concatenate([fs[key][s], ws[key][s].T.reshape(-1)])
        block["draws_ok"] = int(n_ok[s])
        block["draws_failed"] = int(D - n_ok[s])
        block["point"] = np.concatenate([p_focus[s], p_welfare[s][:, others].T.reshape(-1)])
        frames.append(pd.DataFrame(block))
    out = pd.concat(frames, ignore_index=True)
    return out[list(SUMMARY_COLUMNS)]


def rank_first_table(names: list[str], net: np.ndarray, ok: np.ndarray) -> pd.DataFrame:
    """Share of the draws in which each scenario has the focus economy's highest net
    welfare (within its group; ties count for each; draws failed anywhere left out)."""
    share = np.full(len(names), np.nan)
    used = np.zeros(len(names), dtype=np.int64)
    for g in _groups(names):
        valid = ok[:, g].all(axis=1)
        y = net[valid][:, g]
        used[g] = int(valid.sum())
        if len(y):
            first = y == y.max(axis=1, keepdims=True)
            share[g] = first.mean(axis=0)
    return pd.DataFrame({"scenario": names, "share_first": share, "draws_ok": used})
