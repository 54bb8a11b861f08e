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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare import api
from fta_compare.errors import InputError, Issue, ModelError
from fta_compare.inputs import load_inputs
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
from fta_compare.sensitivity_rank import INPUT_PREFIX, SHA_PREFIX
from fta_compare.sensitivity_stats import (
    focus_matrix,
    invariant_metrics,
    rank_first_table,
    sector_matrix,
    sector_table,
    stack_chunks,
    summary_table,
    welfare4,
)

DEFAULT_SPREAD = 0.25  # sd of log elasticity where no elasticity_draws row applies
SIGN_FLOOR = 0.01  # |elasticity| floor keeping import_demand < 0, the others > 0
CRITICAL_SECTORS = ("critical_minerals",)  # as scorecard.scorecard's default


@dataclass(frozen=True)
class SensitivityResult:
    """Summaries and the per-draw aggregates they come from (D draws, S scenarios).

    summary      long table ``sensitivity_stats.SUMMARY_COLUMNS``: every metric of the
                 focus economy and the welfare metrics of every economy, per scenario;
                 ``point`` is the value at the point elasticities (``fta-compare run``).
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
    sectors = sector_table(tables)
    sec_names = list(dict.fromkeys(sectors["sector"].astype(str).str.strip()))
    sec_matrix = sector_matrix(m, sectors, sec_names)
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
        invariants=invariant_metrics(prep, names, cfg.focus), weights=weights,
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
    cat = stack_chunks(parts)
    names, countries, f = list(plan.scenarios), list(plan.countries), ctx.focus
    fnames = focus_metric_names(plan.sector_names)
    welfare = welfare4(cat.welfare)
    focus_x, metrics = focus_matrix(welfare, cat.focus, plan.invariants, fnames, f,
                                     plan.weights, names)
    p_welfare = welfare4(point.welfare)
    p_focus, _ = focus_matrix(p_welfare, point.focus, plan.invariants, fnames, f,
                               plan.weights, names)
    summary = summary_table(names, countries, f, metrics, focus_x, welfare, cat.ok, p_focus[0],
                       p_welfare[0])
    rank = rank_first_table(names, welfare[:, :, 0, f], cat.ok)
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
