"""The Python API; the CLI is a thin layer over these functions.

Flow: :func:`load_inputs` (validated tables) -> scenario compiler (applied tariffs)
-> :mod:`fta_compare.scenarios.shocks` (arrays) -> model -> :mod:`fta_compare.results`
-> :func:`write_report`.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare import __version__
from fta_compare.errors import InputError, Issue, ModelError
from fta_compare.inputs import check_inputs, load_inputs
from fta_compare.inputs.schema import BASELINE
from fta_compare.inputs.tables import InputTables
from fta_compare.model.arrays import MarketArrays, ModelResult, Shock
from fta_compare.results import (
    ResultsBuilder,
    RunConfig,
    RunResult,
    ScenarioTables,
    label_codes,
)
from fta_compare.scenarios.compiler import CompiledScenarios
from fta_compare.scenarios.shocks import (
    ElasticitiesUsed,
    Universe,
    build_universe,
    dense,
    market_arrays,
    resolve_elasticities,
    scenario_shock,
)

MODELS = ("smart", "gsim")
SOLUTIONS = ("linear", "exact")
DEPTH_SUFFIX = " (depth)"
PACKAGE_ROOT = Path(__file__).resolve().parent


def default_inputs() -> list[Path]:
    """The bundled default tables (``tariff_tables/default*.xlsx`` beside the package)."""
    for root in (PACKAGE_ROOT.parents[1] / "tariff_tables", Path.cwd() / "tariff_tables"):
        found = sorted(root.glob("default*.xlsx"))
        if found:
            return found
    raise InputError([Issue("tariff_tables", "", "", "", "no bundled default tables found "
                            "(tariff_tables/default*.xlsx); pass input files explicitly")])


Solver = Callable[[MarketArrays, Shock], ModelResult]


def solver_for(model: str, solution: str) -> Solver:
    """The model function for ``--model`` and ``--solution``."""
    if model == "smart":
        if solution != "linear":
            raise ModelError("--solution exact applies to --model gsim only; SMART is the "
                             "closed-form single-market model")
        from fta_compare.model.smart import solve_smart

        return solve_smart
    if model == "gsim":
        if solution == "exact":
            from fta_compare.model.exact import solve_exact

            return solve_exact
        from fta_compare.model.gsim import solve_gsim

        return solve_gsim
    raise ModelError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_config(inputs: Sequence[Path], *, model: str = "smart", solution: str = "linear",
                focus: str | None = None, depth_channel: bool = False, command: str = "",
                seed: int | None = None) -> RunConfig:
    """A frozen record of the run's choices and inputs (with SHA-256 of each file)."""
    return RunConfig(
        inputs=tuple(str(p) for p in inputs),
        model=model,
        solution=solution,
        focus=(focus or "").upper(),
        depth_channel=depth_channel,
        seed=seed,
        command=command or " ".join(sys.argv),
        tool_version=__version__,
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        input_sha256=tuple((Path(p).name, sha256(Path(p))) for p in inputs if Path(p).is_file()),
    )


def validate(inputs: Sequence[Path | str]) -> list[Issue]:
    """Every problem found in the inputs (errors and warnings), in one pass."""
    _, issues = check_inputs(inputs)
    return issues


def run(inputs: Sequence[Path | str] | None = None, *, model: str = "smart",
        solution: str = "linear", focus: str | None = None, depth_channel: bool = False,
        command: str = "") -> RunResult:
    """Read, validate, compile scenarios, solve every scenario against the baseline."""
    paths = [Path(p) for p in inputs] if inputs else default_inputs()
    solver_for(model, solution)  # fail fast on a bad combination
    tables = load_inputs(paths)
    cfg = make_config(paths, model=model, solution=solution, focus=focus,
                      depth_channel=depth_channel, command=command)
    return run_tables(tables, cfg)


def compile_scenarios(tables: InputTables, cells: pd.DataFrame) -> CompiledScenarios:
    """Applied tariffs for every scenario and trade cell (compiler or the applied sheet)."""
    from fta_compare.scenarios.compiler import applied_from_sheet, compile_applied

    products = cells[["importer", "exporter", "hs"]]
    if tables.has_schedules:
        return compile_applied(tables, products)
    return applied_from_sheet(tables, products)


@dataclass(frozen=True)
class PreparedRun:
    """Everything before the model: arrays of the base and one shock per scenario."""

    config: RunConfig
    universe: Universe
    compiled: CompiledScenarios
    elasticities: ElasticitiesUsed
    market: MarketArrays
    shocks: tuple[tuple[str, Shock], ...]
    quality: np.ndarray
    depth: pd.DataFrame
    warnings: tuple[Issue, ...]


def prepare_run(tables: InputTables, cfg: RunConfig) -> PreparedRun:
    """Compile scenarios and build the base arrays and every scenario's shock (no solve).

    With the depth channel on, each scenario that adds agreements also appears as
    ``<name> (depth)`` with the non-tariff trade-cost cut of DESIGN 3d.
    """
    focus = cfg.focus or tables.meta.get("focus", "KOR").upper() or "KOR"
    cfg = replace(cfg, focus=focus)
    uni = build_universe(tables)
    if focus not in set(uni.countries):
        raise InputError([Issue("--focus", "", "", focus, "focus economy does not trade in "
                                f"the inputs; choose one of {', '.join(uni.countries)}")])
    compiled = compile_scenarios(tables, uni.cells)
    applied = compiled.applied
    by_scenario = _scenario_rows(applied)
    base_rates = by_scenario.get(BASELINE, applied.iloc[:0])
    elast = resolve_elasticities(tables, uni)
    m = market_arrays(uni, elast, base_rates)
    names = [s for s in by_scenario if s != BASELINE]
    if not names:
        raise InputError([Issue(", ".join(Path(f).name for f in tables.files), "scenarios", "",
                                "", "no scenario besides 'baseline' to compare")])
    shocks: list[tuple[str, Shock]] = []
    for name in names:
        shock = scenario_shock(uni, by_scenario[name])
        shocks.append((name, shock))
    if cfg.depth_channel:
        for name, shock in list(shocks):
            tc = _depth_cost(tables, compiled, name, uni, m)
            if tc is not None:
                shocks.append((f"{name}{DEPTH_SUFFIX}", Shock(new_rate=shock.new_rate,
                                                              trade_cost=tc)))
    return PreparedRun(
        config=cfg, universe=uni, compiled=compiled, elasticities=elast, market=m,
        shocks=tuple(shocks), quality=_quality_array(uni),
        depth=_depth_tables(tables, compiled),
        warnings=tuple(tables.warnings) + tuple(compiled.warnings),
    )


def _scenario_rows(applied: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each scenario's rows of the applied table: slices when every scenario's rows are
    contiguous (the compiler writes one block per scenario), else a groupby (copies)."""
    codes, names = label_codes(applied["scenario"])
    starts = np.flatnonzero(np.diff(codes.astype(np.int32), prepend=-1) != 0)
    runs = codes[starts]
    if (runs < 0).any() or len(np.unique(runs)) != len(starts):
        return {str(k): g for k, g in applied.groupby("scenario", sort=False, observed=True)}
    ends = [*starts[1:], len(codes)]
    return {str(names[codes[a]]): applied.iloc[a:b] for a, b in zip(starts, ends, strict=True)}


def run_tables(tables: InputTables, cfg: RunConfig) -> RunResult:
    """The model run on validated tables (no I/O)."""
    solver = solver_for(cfg.model, cfg.solution)
    prep = prepare_run(tables, cfg)
    cfg, m = prep.config, prep.market
    tables_of = ResultsBuilder(m, [name for name, _ in prep.shocks], prep.quality)
    for name, shock in prep.shocks:
        tables_of.add(name, shock.new_rate, solver(m, shock))
    out = tables_of.tables()
    warnings = list(prep.warnings)
    bad = out.convergence[~out.convergence["converged"]]
    for row in bad.itertuples(index=False):
        warnings.append(Issue("model", str(row.scenario), str(row.hs), f"{row.residual:.3g}",
                              "product did not converge; its effects are set to zero "
                              "and listed in 'convergence'", "warning"))
    sectors = _sectors(tables)
    applied = prep.compiled.applied
    scorecard = _scorecard(out, prep.compiled, prep.depth, sectors, tables)
    return RunResult(
        config=cfg,
        results=out.results,
        prices=out.prices,
        welfare=out.welfare,
        welfare_by_product=out.welfare_by_product,
        convergence=out.convergence,
        applied=applied,
        scorecard=scorecard,
        scenario_info=prep.compiled.scenario_info,
        elasticities=_elasticities_used(prep.elasticities.table, prep.universe),
        depth=prep.depth,
        sectors=sectors,
        meta=dict(tables.meta),
        sources=tables.sources if tables.sources is not None else pd.DataFrame(
            columns=["table", "column", "source", "transformation"]),
        quality=_quality_shares(out.results),
        warnings=tuple(warnings),
    )


def _quality_array(uni: Universe) -> np.ndarray:
    """(P, N, N) int8: 1 where the cell's base value is imputed, else 0 (QUALITY_LABELS)."""
    c, n = uni.cells, len(uni.countries)
    codes, labels = pd.factorize(c["quality"])  # a few distinct labels
    imputed = np.append(pd.Series(labels, dtype=object).astype(str).str.startswith(
        "imputed").to_numpy(dtype=bool), False)[codes]  # code -1 (missing): observed
    out = np.zeros((len(uni.hs), n, n), dtype=np.int8)
    out[c["p"].to_numpy(), c["v"].to_numpy(), c["r"].to_numpy()] = imputed
    return out


def _quality_shares(results: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: share of base trade and of the absolute trade change on imputed cells."""
    if results.empty or "quality" not in results.columns:
        return pd.DataFrame(columns=["scenario", "imputed_share_of_trade",
                                     "imputed_share_of_change"])
    scen, names = label_codes(results["scenario"])
    imputed = results["quality"].eq("imputed").to_numpy(dtype=bool)
    base = results["base_value"].to_numpy(dtype=float)
    change = np.abs(results["new_value"].to_numpy(dtype=float) - base)

    def share(values: np.ndarray) -> np.ndarray:
        total = np.bincount(scen, weights=values, minlength=len(names))
        part = np.bincount(scen, weights=np.where(imputed, values, 0.0), minlength=len(names))
        return np.divide(part, total, out=np.zeros_like(total), where=total > 0)

    return pd.DataFrame({"scenario": np.asarray(names, dtype=object),
                         "imputed_share_of_trade": share(base),
                         "imputed_share_of_change": share(change)})


def _elasticities_used(table: pd.DataFrame, uni: Universe) -> pd.DataFrame:
    """Only (hs, country) pairs that trade the product, for the assumptions sheet."""
    c, n_c = uni.cells, len(uni.countries)
    if len(table) == len(uni.hs) * n_c:  # resolve_elasticities' (product, economy) grid
        p = c["p"].to_numpy()
        active = np.zeros(len(table), dtype=bool)
        active[p * n_c + c["r"].to_numpy()] = True
        active[p * n_c + c["v"].to_numpy()] = True
        return table[active].reset_index(drop=True)
    active = pd.concat([c[["hs", "importer"]].rename(columns={"importer": "country"}),
                        c[["hs", "exporter"]].rename(columns={"exporter": "country"})])
    return table.merge(active.drop_duplicates(), on=["hs", "country"], how="inner")


def _sectors(tables: InputTables) -> pd.DataFrame:
    if tables.sectors is not None and len(tables.sectors):
        return tables.sectors[["hs", "sector", "source"]].copy()
    from fta_compare.report.sectors import bundled_sectors

    return bundled_sectors()


def _depth_tables(tables: InputTables, compiled: CompiledScenarios) -> pd.DataFrame:
    from fta_compare.depth import depth_indices

    if tables.depth is None or tables.depth.empty:
        return pd.DataFrame(columns=["agreement", "depth_index"])
    return depth_indices(tables.depth)


def _depth_cost(tables: InputTables, compiled: CompiledScenarios, scenario: str,
                uni: Universe, m: MarketArrays) -> np.ndarray | None:
    """(P, N, N) trade-cost change of the depth channel, or None if no agreement changes.

    The elasticity in tau = exp(-beta*index/(sigma-1)) - 1 is meta ``depth_sigma`` when
    given (a trade elasticity, e.g. 5), else the importer's substitution elasticity.
    """
    from fta_compare.depth import scenario_trade_cost

    sigma: np.ndarray | float = m.substitution
    if tables.meta.get("depth_sigma"):
        try:
            sigma = float(tables.meta["depth_sigma"])
        except ValueError as exc:
            raise ModelError("meta 'depth_sigma' must be a number > 1") from exc
        if not sigma > 1:
            raise ModelError("meta 'depth_sigma' must be a number > 1")
    tc = scenario_trade_cost(tables, compiled, scenario, uni.cells, sigma)
    if tc is None:
        return None
    return dense(uni, tc, "trade_cost")


def _scorecard(out: ScenarioTables, compiled: CompiledScenarios, depth: pd.DataFrame,
               sectors: pd.DataFrame, tables: InputTables) -> pd.DataFrame:
    """Scorecard ranked separately for tariff-only scenarios and depth-channel variants."""
    from fta_compare.scorecard import build_scorecard

    parts = []
    is_depth = out.results["scenario"].str.endswith(DEPTH_SUFFIX).to_numpy(dtype=bool)
    w_depth = out.welfare["scenario"].str.endswith(DEPTH_SUFFIX).to_numpy(dtype=bool)
    for flag in (False, True):
        wel = out.welfare[w_depth == flag]
        if wel.empty:
            continue
        rows = is_depth == flag  # copy the long table only when it mixes both kinds
        res = out.results if rows.all() else out.results[rows]
        card = build_scorecard(res, wel, applied=compiled.applied, depth=depth,
                               sectors=sectors, weights=tables.weights, compiled=compiled)
        if flag:  # keep the depth variants only and rank them among themselves
            card = _inherit_policy_metrics(card[card["scenario"].str.endswith(DEPTH_SUFFIX)],
                                           parts[0])
            card["rank"] = _rerank(card)
        parts.append(card)
    return pd.concat(parts, ignore_index=True)


def _inherit_policy_metrics(depth_card: pd.DataFrame, tariff_card: pd.DataFrame
                            ) -> pd.DataFrame:
    """A depth variant has the same agreements and tariffs as its scenario: take its
    ``depth_index`` and ``preference_coverage`` from the tariff-only rows."""
    keys = ["scenario", "country", "metric"]
    policy = tariff_card[tariff_card["metric"].isin(["depth_index", "preference_coverage"])]
    src = policy.assign(scenario=policy["scenario"] + DEPTH_SUFFIX)[[*keys, "value"]]
    out = depth_card.merge(src.rename(columns={"value": "_v"}), on=keys, how="left")
    out["value"] = out["_v"].where(out["_v"].notna(), out["value"])
    return out.drop(columns=["_v"])


def _rerank(card: pd.DataFrame) -> pd.Series:
    """Ranks within (country, metric), 1 = best (lower is better where the scorecard says)."""
    from fta_compare.scorecard import LOWER_IS_BETTER

    sign = np.where(card["metric"].isin(LOWER_IS_BETTER), 1.0, -1.0)
    keyed = card.assign(_k=card["value"].to_numpy(dtype=float) * sign)
    return keyed.groupby(["country", "metric"], sort=False)["_k"].rank(method="min")
