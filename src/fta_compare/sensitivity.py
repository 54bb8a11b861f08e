"""Sensitivity of the comparison to the elasticities (``fta-compare sensitivity``).

Monte Carlo: import demand, substitution and export supply elasticities are drawn from
distributions given as data, every scenario is rerun for each draw, and the scorecard
metrics of the focus economy and the welfare of every economy are summarised over the
draws (mean, std, p5, p50, p95), with how often each scenario ranks first for the focus
economy on net welfare.

Distributions (optional ``elasticity_draws`` sheet: parameter, hs, country, distribution,
spread, lower, upper). For each parameter and each (product, economy) the most specific
row wins, as in the ``elasticities`` sheet (country+hs > hs > country > ``*``, longest HS
prefix first). The centre is the point value used by ``fta-compare run``; with ``z`` a
standard normal draw (:func:`fta_compare.parallel.sample`):

* ``lognormal``  ``x = c exp(s z)``: median ``c``, ``s`` the sd of log|x|; keeps the sign;
* ``normal``     ``x = c + s z``;
* ``uniform``    ``x = c + s u``, ``u`` uniform on (-1, 1) (``s`` the half-width);
* ``fixed``      ``x = c``.

Draws are clipped to ``[lower, upper]`` (blank = open) and always to the valid signs:
import demand ``<= -0.01``, substitution and export supply ``>= 0.01`` (:data:`SIGN_FLOOR`;
the number of clipped values is reported). An infinite export supply elasticity stays
infinite, unless the winning row gives both ``lower`` and ``upper``: the centre is then
their midpoint (geometric mean for ``lognormal``).

Default where no row applies: lognormal with sd of log :data:`DEFAULT_SPREAD` = 0.25 around
the point value, i.e. a central 90% range of x0 * [0.66, 1.51]. This is an *assumption*
of the order of the estimation uncertainty of product-level elasticities (the HS6 import
demand elasticities of Kee, Nicita & Olarreaga 2008, "Import Demand Elasticities and
Trade Distortions", REStat 90(4), and the spread of Armington and export supply estimates
reviewed by Hillberry & Hummels 2013, "Trade Elasticity Parameters for a Computable
General Equilibrium Model", Handbook of CGE Modeling); replace it with data rows where
standard errors are known.

Summaries: quantiles are numpy's default (linear interpolation, Hyndman & Fan type 7) over
the draws that did not fail; ``mean = p50 + mean(x - p50)`` and ``std`` (ddof 1) around it,
so identical draws give exactly the point value and 0. A draw *fails* for a scenario when
any product did not converge or any output is not finite; it is counted (``draws_failed``)
and left out of that scenario's statistics, and out of ``rank_first`` altogether.
``depth_index`` and ``preference_coverage`` do not depend on the elasticities (std 0);
``composite`` (when the inputs have ``weights``) is recomputed for every draw.

Reuse: the workbook's ``manifest`` records the SHA-256 of every input file, the model,
solution and focus economy; :func:`load_rank_first` returns its ``rank_first`` table only
when all of them match a run (for the ``fta-compare run`` summary).
"""

from __future__ import annotations

import os
import platform
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare import api
from fta_compare.errors import InputError, Issue, ModelError
from fta_compare.inputs import load_inputs
from fta_compare.inputs.schema import BASELINE
from fta_compare.inputs.tables import InputTables, issue_at
from fta_compare.model.arrays import MarketArrays
from fta_compare.parallel import (
    DEFAULT_CHUNK,
    KINDS,
    PARAMETERS,
    Chunk,
    ChunkContext,
    ChunkResult,
    DrawSpec,
    EngineInfo,
    Progress,
    focus_metric_names,
    plan_chunks,
    run_chunks,
    solve_chunk,
)
from fta_compare.results import RunConfig
from fta_compare.scorecard import LOWER_IS_BETTER, WELFARE_METRICS, build_scorecard, sector_map

DEFAULT_SPREAD = 0.25  # sd of log elasticity where no elasticity_draws row applies
SIGN_FLOOR = 0.01  # |elasticity| floor keeping import_demand < 0, the others > 0
CRITICAL_SECTORS = ("critical_minerals",)  # as scorecard.scorecard's default
INVARIANT_METRICS = ("depth_index", "preference_coverage")
QUANTILES = (0.05, 0.5, 0.95)
SUMMARY_COLUMNS = ("scenario", "country", "metric", "mean", "std", "p5", "p50", "p95",
                   "draws_ok", "draws_failed", "point")
DEFAULT_OUT = Path("outputs/sensitivity.xlsx")


@dataclass(frozen=True)
class SensitivityResult:
    """Summaries and the per-draw aggregates they come from (D draws, S scenarios).

    summary      long table :data:`SUMMARY_COLUMNS`: every metric of the focus economy and
                 the welfare metrics of every economy, per scenario; ``point`` is the value
                 at the point elasticities (``fta-compare run``).
    rank_first   scenario, share_first (share of the draws, ok in every scenario, in which
                 it ranks first for the focus economy on net welfare; ties count for each),
                 draws_ok.
    welfare      (D, S, 4, N) :data:`WELFARE_METRICS` by economy, per draw.
    focus        (D, S, F) the focus economy's metrics :attr:`focus_metrics`, per draw.
    ok           (D, S) draw did not fail for the scenario.
    seconds      wall time of the engine (all chunks); ``chunk_seconds`` and
                 ``chunk_cpu_seconds`` the wall and CPU time of each chunk in its worker.
    """

    config: RunConfig
    summary: pd.DataFrame
    rank_first: pd.DataFrame
    manifest: tuple[tuple[str, object], ...]
    scenarios: tuple[str, ...]
    countries: tuple[str, ...]
    focus_metrics: tuple[str, ...]
    welfare: np.ndarray
    focus: np.ndarray
    ok: np.ndarray
    engine: EngineInfo
    seconds: float
    chunk_seconds: np.ndarray
    chunk_cpu_seconds: np.ndarray
    meta: dict[str, str]

    @property
    def draws(self) -> int:
        return int(self.ok.shape[0])

    @property
    def draws_failed(self) -> int:
        """Draws that failed in at least one scenario."""
        return int((~self.ok.all(axis=1)).sum())


# --- distributions ----------------------------------------------------------------------


def draw_spec(tables: InputTables, market: MarketArrays,
              default_spread: float = DEFAULT_SPREAD) -> DrawSpec:
    """Resolve the ``elasticity_draws`` rows into per-(product, economy) distributions.

    Raises :class:`InputError` (every problem, with its cell) for a negative or non-finite
    spread, ``lower > upper`` or a bound of the wrong sign.
    """
    from fta_compare.scenarios.shocks import _rule_positions  # the elasticities' precedence

    rules = tables.elasticity_draws
    if rules is not None:
        _check_rules(rules)
    P, N = market.n_products, market.n_countries
    target = pd.DataFrame({"hs": np.repeat(market.hs.astype(str), N),
                           "country": np.tile(market.countries.astype(str), P)})
    shape = (len(PARAMETERS), P, N)
    centre = np.stack([np.asarray(getattr(market, p), float) for p in PARAMETERS])
    kind = np.full(shape, KINDS["lognormal"], dtype=np.int8)
    spread = np.full(shape, float(default_spread))
    lower = np.full(shape, -np.inf)
    upper = np.full(shape, np.inf)
    for i, param in enumerate(PARAMETERS):
        if rules is None or rules.empty:
            continue
        sub = rules[rules["parameter"] == param].reset_index(drop=True)
        if sub.empty:
            continue
        pos = _rule_positions(target, sub)
        hit = pos >= 0
        at = pos[hit]
        kind[i].reshape(-1)[hit] = sub["distribution"].map(KINDS).to_numpy(np.int8)[at]
        spread[i].reshape(-1)[hit] = sub["spread"].to_numpy(float)[at]
        lo = sub["lower"].to_numpy(float)[at] if "lower" in sub else np.full(hit.sum(), np.nan)
        hi = sub["upper"].to_numpy(float)[at] if "upper" in sub else np.full(hit.sum(), np.nan)
        lower[i].reshape(-1)[hit] = np.where(np.isnan(lo), -np.inf, lo)
        upper[i].reshape(-1)[hit] = np.where(np.isnan(hi), np.inf, hi)
    # an infinite point value becomes finite only where the row bounds it on both sides
    inf = np.isinf(centre) & np.isfinite(lower) & np.isfinite(upper)
    with np.errstate(invalid="ignore"):
        mid = np.where(kind == KINDS["lognormal"], np.sqrt(np.abs(lower * upper)),
                       0.5 * (lower + upper))
    centre = np.where(inf, mid, centre)
    upper[0] = np.minimum(upper[0], -SIGN_FLOOR)
    lower[1:] = np.maximum(lower[1:], SIGN_FLOOR)
    return DrawSpec(centre=centre, kind=kind, spread=spread, lower=lower, upper=upper)


def point_spec(market: MarketArrays) -> DrawSpec:
    """The point elasticities as a degenerate distribution (no clipping)."""
    centre = np.stack([np.asarray(getattr(market, p), float) for p in PARAMETERS])
    zeros = np.zeros(centre.shape)
    return DrawSpec(centre=centre, kind=np.zeros(centre.shape, dtype=np.int8), spread=zeros,
                    lower=np.full(centre.shape, -np.inf), upper=np.full(centre.shape, np.inf))


def _check_rules(rules: pd.DataFrame) -> None:
    issues: list[Issue] = []
    sheet = "elasticity_draws"
    for idx, row in rules.iterrows():
        spread = row["spread"]
        if not (np.isfinite(spread) and spread >= 0):
            issues.append(issue_at(rules, idx, "spread", "spread must be a finite number >= 0",
                                   sheet=sheet))
        lo, hi = row.get("lower", np.nan), row.get("upper", np.nan)
        neg = row["parameter"] == "import_demand"
        for col, v in (("lower", lo), ("upper", hi)):
            if pd.notna(v) and (not np.isfinite(v) or (v >= 0 if neg else v <= 0)):
                rule = "< 0 (import demand)" if neg else "> 0 (substitution, export supply)"
                issues.append(issue_at(rules, idx, col, f"bound must be finite and {rule}",
                                       sheet=sheet))
        if pd.notna(lo) and pd.notna(hi) and lo > hi:
            issues.append(issue_at(rules, idx, "lower", "lower must be <= upper", sheet=sheet))
    if issues:
        raise InputError(issues)


# --- run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SensitivityPlan:
    """Everything before the draws (built once; :func:`run_draws` may reuse it)."""

    config: RunConfig
    context: ChunkContext
    scenarios: tuple[str, ...]
    countries: tuple[str, ...]
    sector_names: tuple[str, ...]
    invariants: dict[str, np.ndarray]
    weights: pd.DataFrame | None
    meta: dict[str, str]
    has_draw_rows: bool
    default_spread: float


def prepare_sensitivity(tables: InputTables, cfg: RunConfig,
                        default_spread: float = DEFAULT_SPREAD) -> SensitivityPlan:
    """Compile scenarios and base arrays (:func:`fta_compare.api.prepare_run`), resolve the
    distributions and the scorecard's sector and invariant metrics."""
    api.solver_for(cfg.model, cfg.solution)
    prep = api.prepare_run(tables, cfg)
    cfg = prep.config
    m = prep.market
    countries = [str(c) for c in m.countries]
    if cfg.focus not in countries:
        raise ModelError(f"focus economy {cfg.focus} does not trade in the inputs; "
                         "pass --focus with one of " + ", ".join(countries))
    names = [n for n, _ in prep.shocks]
    sectors = _sector_table(tables)
    sec_names = list(dict.fromkeys(sectors["sector"].astype(str).str.strip()))
    sec_matrix = _sector_matrix(m, sectors, sec_names)
    crit = [k for k, s in enumerate(sec_names) if s in CRITICAL_SECTORS]
    ctx = ChunkContext(
        market=m, shocks=prep.shocks, spec=draw_spec(tables, m, default_spread),
        model=cfg.model, solution=cfg.solution, focus=countries.index(cfg.focus),
        sectors=sec_matrix, critical=sec_matrix[:, crit].any(axis=1),
        china=countries.index("CHN") if "CHN" in countries else -1,
    )  # fmt: skip
    weights = tables.weights if tables.weights is not None and len(tables.weights) else None
    return SensitivityPlan(
        config=cfg, context=ctx, scenarios=tuple(names), countries=tuple(countries),
        sector_names=tuple(sec_names),
        invariants=_invariant_metrics(prep, names, cfg.focus), weights=weights,
        meta=dict(tables.meta), has_draw_rows=tables.elasticity_draws is not None,
        default_spread=default_spread,
    )  # fmt: skip


def run_draws(plan: SensitivityPlan, *, draws: int, seed: int, workers: int | None = None,
              scheduler: str | None = None, chunk_size: int = DEFAULT_CHUNK,
              progress: bool | Progress = False) -> SensitivityResult:
    """Solve every scenario for ``draws`` draws on the chosen engine and summarise.

    ``workers`` local processes (default: the CPU count; 1 = in this process) or a Dask
    cluster at ``scheduler``. Results do not depend on either (bit-identical), only on
    ``seed``, ``draws``, ``chunk_size`` and the inputs: chunks are put back in chunk order
    and solved with one BLAS thread (see :mod:`fta_compare.parallel`); the point solve too,
    in this process. ``progress``: a :class:`Progress`, or True for one on stderr (shown
    only on a terminal).
    """
    if draws < 1:
        raise ModelError("--draws must be at least 1")
    cfg = replace(plan.config, seed=seed)
    ctx = plan.context
    chunks = plan_chunks(draws, chunk_size, seed)
    if workers is None:
        workers = os.cpu_count() or 1
    bar = progress if isinstance(progress, Progress) else Progress(draws, enabled=(
        None if progress else False))
    bar.update(0)
    t0 = time.perf_counter()
    try:
        parts, engine = run_chunks(solve_chunk, ctx, chunks, workers=workers,
                                   scheduler=scheduler,
                                   on_done=lambda c, r: bar.update(c.size))
    finally:
        bar.close()
    seconds = time.perf_counter() - t0
    point = solve_chunk(replace(ctx, spec=point_spec(ctx.market)),
                        Chunk(0, 0, 1, np.random.SeedSequence(0)))
    cat = _stack(parts)
    names, countries, f = list(plan.scenarios), list(plan.countries), ctx.focus
    fnames = focus_metric_names(plan.sector_names)
    welfare = _welfare4(cat.welfare)
    focus_x, metrics = _focus_matrix(welfare, cat.focus, plan.invariants, fnames, f,
                                     plan.weights, names)
    p_welfare = _welfare4(point.welfare)
    p_focus, _ = _focus_matrix(p_welfare, point.focus, plan.invariants, fnames, f,
                               plan.weights, names)
    summary = _summary(names, countries, f, metrics, focus_x, welfare, cat.ok, p_focus[0],
                       p_welfare[0])
    rank = _rank_first(names, welfare[:, :, 0, f], cat.ok)
    clipped = sum(p.clipped for p in parts)
    manifest = _manifest(cfg, draws, seed, chunk_size, parts, engine, seconds, cat.ok,
                         clipped, plan)
    return SensitivityResult(
        config=cfg, summary=summary, rank_first=rank, manifest=manifest,
        scenarios=tuple(names), countries=tuple(countries), focus_metrics=tuple(metrics),
        welfare=welfare, focus=focus_x, ok=cat.ok, engine=engine, seconds=seconds,
        chunk_seconds=np.array([p.seconds for p in parts]),
        chunk_cpu_seconds=np.array([p.cpu_seconds for p in parts]), meta=dict(plan.meta),
    )  # fmt: skip


def sensitivity(tables: InputTables, cfg: RunConfig, *, draws: int, seed: int,
                workers: int | None = None, scheduler: str | None = None,
                chunk_size: int = DEFAULT_CHUNK, progress: bool | Progress = False,
                default_spread: float = DEFAULT_SPREAD) -> SensitivityResult:
    """:func:`prepare_sensitivity` then :func:`run_draws` (no file I/O)."""
    plan = prepare_sensitivity(tables, replace(cfg, seed=seed), default_spread)
    return run_draws(plan, draws=draws, seed=seed, workers=workers, scheduler=scheduler,
                     chunk_size=chunk_size, progress=progress)


def run_sensitivity(inputs: Sequence[Path | str] | None = None, *,
                    model: str = api.DEFAULT_MODEL, solution: str = api.DEFAULT_SOLUTION,
                    focus: str | None = None, draws: int = 200,
                    seed: int = 0, workers: int | None = None, scheduler: str | None = None,
                    chunk_size: int = DEFAULT_CHUNK, progress: bool | Progress = False,
                    command: str = "") -> SensitivityResult:
    """Read and validate the inputs (the bundled tables when none), then :func:`sensitivity`."""
    paths = [Path(p) for p in inputs] if inputs else api.default_inputs()
    api.solver_for(model, solution)
    tables = load_inputs(paths)
    cfg = api.make_config(paths, model=model, solution=solution, focus=focus,
                          command=command, seed=seed)
    return sensitivity(tables, cfg, draws=draws, seed=seed, workers=workers,
                       scheduler=scheduler, chunk_size=chunk_size, progress=progress)


# --- aggregation ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stacked:
    welfare: np.ndarray
    focus: np.ndarray
    ok: np.ndarray


def _stack(parts: list[ChunkResult]) -> _Stacked:
    parts = sorted(parts, key=lambda p: p.index)
    return _Stacked(np.concatenate([p.welfare for p in parts]),
                    np.concatenate([p.focus for p in parts]),
                    np.concatenate([p.ok for p in parts]))


def _welfare4(parts: np.ndarray) -> np.ndarray:
    """(D, S, 3, N) CS, PS, TR -> (D, S, 4, N) in :data:`WELFARE_METRICS` order, net first
    (``net = CS + PS + TR``, summed in that order as in the run's welfare table)."""
    cs, ps, tr = parts[:, :, 0], parts[:, :, 1], parts[:, :, 2]
    return np.stack([cs + ps + tr, cs, ps, tr], axis=2)


def _sector_table(tables: InputTables) -> pd.DataFrame:
    if tables.sectors is not None and len(tables.sectors):
        return tables.sectors[["hs", "sector"]].copy()
    from fta_compare.report.sectors import bundled_sectors

    return bundled_sectors()[["hs", "sector"]]


def _sector_matrix(m: MarketArrays, sectors: pd.DataFrame, names: list[str]) -> np.ndarray:
    """(P, K) indicator of product p in sector k (HS prefixes, as in the scorecard)."""
    pairs = sector_map(pd.Series(m.hs.astype(str), dtype=object), sectors)
    out = np.zeros((m.n_products, len(names)))
    p = pd.Index(m.hs.astype(str)).get_indexer(pairs["hs"].astype(str))
    k = pd.Index(names).get_indexer(pairs["sector"].astype(str).str.strip())
    ok = (p >= 0) & (k >= 0)
    out[p[ok], k[ok]] = 1.0
    return out


def _invariant_metrics(prep: api.PreparedRun, names: list[str], focus: str
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


def _focus_matrix(welfare: np.ndarray, flows: np.ndarray, invariants: dict[str, np.ndarray],
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


def _summary(names: list[str], countries: list[str], f: int, metrics: list[str],
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


def _rank_first(names: list[str], net: np.ndarray, ok: np.ndarray) -> pd.DataFrame:
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


def _manifest(cfg: RunConfig, draws: int, seed: int, chunk_size: int,
              parts: list[ChunkResult], engine: EngineInfo, seconds: float, ok: np.ndarray,
              clipped: int, plan: SensitivityPlan) -> tuple[tuple[str, object], ...]:
    rows: list[tuple[str, object]] = [
        ("tool", "fta-compare"),
        ("tool_version", cfg.tool_version),
        ("command", cfg.command),
        ("started", cfg.started),
        ("model", cfg.model),
        ("solution", cfg.solution),
        ("focus", cfg.focus),
        ("depth_channel", cfg.depth_channel),
        ("seed", seed if abs(seed) < 2**53 else str(seed)),
        ("draws", draws),
        ("draws_failed_any_scenario", int((~ok.all(axis=1)).sum())),
        ("engine", engine.engine),
        ("scheduler", engine.address),
        ("workers", engine.workers),
        ("chunk_size", chunk_size),
        ("chunks", len(parts)),
        ("seeding", "numpy.random.SeedSequence(seed).spawn(chunks); PCG64 per chunk"),
        ("blas_threads", ", ".join(sorted({p.blas for p in parts}))),
        ("seconds", round(seconds, 3)),
        ("chunk_seconds_total", round(float(sum(p.seconds for p in parts)), 3)),
        ("chunk_cpu_seconds_total", round(float(sum(p.cpu_seconds for p in parts)), 3)),
        ("draws_per_second", round(draws / seconds, 3) if seconds > 0 else ""),
        ("distributions", "elasticity_draws sheet, default elsewhere" if plan.has_draw_rows
         else "default only"),
        ("default_distribution", f"lognormal, sd of log {plan.default_spread} (assumption)"),
        ("sign_floor", SIGN_FLOOR),
        ("elasticity_values_clipped", clipped),
        ("quantiles", "numpy linear interpolation (type 7) over draws that did not fail"),
        ("numpy", np.__version__),
        ("python", platform.python_version()),
    ]
    rows += [(f"{INPUT_PREFIX}{n}", f"{SHA_PREFIX}{h}") for n, h in cfg.input_sha256]
    return tuple(rows)


# --- reuse in the run report ------------------------------------------------------------

INPUT_PREFIX, SHA_PREFIX = "input ", "sha256 "  # manifest rows: "input <file>", "sha256 <hex>"


@dataclass(frozen=True)
class RankFirst:
    """The ``rank_first`` table of an earlier ``fta-compare sensitivity`` workbook.

    table    scenario, share_first, draws_ok (as in :attr:`SensitivityResult.rank_first`).
    """

    table: pd.DataFrame
    draws: int
    seed: int
    model: str
    solution: str
    focus: str
    path: Path
    started: str = ""
    tool_version: str = ""


def load_rank_first(path: Path = DEFAULT_OUT, *, input_sha256: tuple[tuple[str, str], ...],
                    model: str, solution: str, focus: str) -> tuple[RankFirst | None, str]:
    """The ``rank_first`` table of the sensitivity workbook at ``path`` if its manifest
    shows the same inputs (file names and SHA-256, in order, as
    :attr:`RunConfig.input_sha256`), model, solution and focus economy.

    Returns ``(RankFirst, "")``, or ``(None, reason)`` when the file is absent, unreadable
    or computed on anything else. Never raises for a bad file.
    """
    path = Path(path)
    if not path.is_file():
        return None, f"no sensitivity workbook at {path}"
    try:
        items, rows = _read_sheets(path)
    except Exception as exc:  # any unreadable file (zip, XML, cell types) is not usable
        return None, f"{path} cannot be read as a sensitivity workbook ({exc})"
    if items is None or rows is None:
        return None, f"{path} has no manifest or rank_first sheet"
    manifest = dict(items)
    got = (str(manifest.get("model", "")), str(manifest.get("solution", "")))
    if got != (model, solution):
        return None, (f"{path} was computed with model {got[0]} ({got[1]}), "
                      f"not {model} ({solution})")
    if str(manifest.get("focus", "")) != focus:
        return None, f"{path} is for focus economy {manifest.get('focus')}, not {focus}"
    hashes = tuple((k[len(INPUT_PREFIX):], str(v)[len(SHA_PREFIX):]) for k, v in items
                   if k.startswith(INPUT_PREFIX) and str(v).startswith(SHA_PREFIX))
    want = tuple((str(n), str(h)) for n, h in input_sha256)
    if not hashes:
        return None, f"{path} records no input hashes (written by an older version?)"
    if [n for n, _ in hashes] != [n for n, _ in want]:
        return None, (f"{path} was computed on other input files "
                      f"({', '.join(n for n, _ in hashes)})")
    changed = [n for (n, h), (_, w) in zip(hashes, want, strict=True) if h != w]
    if changed:
        return None, f"{path} was computed on other contents of {', '.join(changed)}"
    try:
        table = pd.DataFrame({
            "scenario": [str(r[0]) for r in rows],
            "share_first": [np.nan if r[1] is None else float(r[1]) for r in rows],
            "draws_ok": [int(r[2] or 0) for r in rows],
        })  # fmt: skip
        draws, seed = int(manifest["draws"]), int(manifest["seed"])
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        return None, f"{path} has an unreadable rank_first or manifest sheet ({exc})"
    return RankFirst(table=table, draws=draws, seed=seed, model=model, solution=solution,
                     focus=focus, path=path, started=str(manifest.get("started", "")),
                     tool_version=str(manifest.get("tool_version", ""))), ""


def _read_sheets(path: Path) -> tuple[list[tuple[str, object]] | None, list[tuple] | None]:
    """``manifest`` as (item, setting) pairs and the data rows of ``rank_first`` (None if
    a sheet is missing); read-only, values only."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        names = set(wb.sheetnames)
        manifest = rows = None
        if "manifest" in names:
            manifest = [(str(r[0]), r[1]) for r in wb["manifest"].iter_rows(
                min_row=2, max_col=2, values_only=True) if r and r[0] is not None]
        if "rank_first" in names:
            it = wb["rank_first"].iter_rows(max_col=3, values_only=True)
            head = next(it, None)
            if head is not None and tuple(head) == ("scenario", "share_first", "draws_ok"):
                rows = [r for r in it if r and r[0] is not None]
        return manifest, rows
    finally:
        wb.close()
