"""Validated tables -> scenario shocks: the scenarios compiled to applied rates, the base
arrays, one shock per scenario (and per depth-channel variant and staging step), before
any model runs (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.errors import InputError, Issue, ModelError
from fta_compare.inputs.schema import BASELINE
from fta_compare.inputs.tables import InputTables
from fta_compare.model.arrays import MarketArrays, Shock
from fta_compare.pages import heap_warmed, written_once
from fta_compare.phases import Phases
from fta_compare.quality import quality_codes
from fta_compare.results import RunConfig, label_codes
from fta_compare.scenarios.compiler import CompiledScenarios
from fta_compare.scenarios.definitions import Definitions, parse_definitions
from fta_compare.scenarios.shocks import (
    ElasticitiesUsed,
    Universe,
    build_universe,
    market_arrays,
    resolve_elasticities,
    scenario_shock,
)

DEPTH_SUFFIX = " (depth)"
DEFAULT_FOCUS = "KOR"


def compile_scenarios(tables: InputTables, cells: pd.DataFrame,
                      defs: Definitions | None = None, time_path: bool = False
                      ) -> CompiledScenarios:
    """Applied tariffs for every scenario and trade cell (compiler or the applied sheet)."""
    from fta_compare.scenarios.compiler import applied_from_sheet, compile_applied

    products = cells[["importer", "exporter", "hs"]]
    if tables.has_schedules:
        return compile_applied(tables, products, defs, time_path=time_path)
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
    steps: tuple[tuple[str, Shock], ...] = ()  # time-path steps ("<scenario> @<year>")


def choose_focus(requested: str, meta_focus: str, uni: Universe,
                 regions: Sequence[str]) -> tuple[str, Issue | None]:
    """The focus economy: ``--focus``, else meta ``focus``, else KOR; when neither meta nor
    KOR is an economy of the data (and ``--focus`` was not given), the largest economy by
    cross-border trade (imports + exports; a region only if no single economy trades),
    with a note. An explicit ``--focus`` that does not trade is an error."""
    countries = set(uni.countries)
    if requested:
        if requested not in countries:
            raise InputError([Issue("--focus", "", "", requested, "focus economy does not "
                                    f"trade in the inputs; choose one of "
                                    f"{', '.join(uni.countries)}")])
        return requested, None
    for candidate in (meta_focus, DEFAULT_FOCUS):
        if candidate and candidate in countries:
            return candidate, None
    c = uni.cells
    cross = c[c["exporter"] != c["importer"]]
    size = pd.concat([cross.groupby("exporter", observed=True)["value"].sum(),
                      cross.groupby("importer", observed=True)["value"].sum()]
                     ).groupby(level=0).sum()
    size.index = size.index.astype(str)
    named = size[~size.index.isin(list(regions))]
    pick = str((named if len(named) else size).idxmax()) if len(size) else str(uni.countries[0])
    asked = f"meta focus '{meta_focus}'" if meta_focus else f"the default {DEFAULT_FOCUS}"
    return pick, Issue("--focus", "", "", pick,
                       f"{asked} is not an economy of the inputs; the focus is {pick}, the "
                       "largest economy by cross-border trade (give --focus to choose)",
                       "warning")


def prepare_run(tables: InputTables, cfg: RunConfig, phases: Phases | None = None,
                time_path: bool = False) -> PreparedRun:
    """Compile scenarios and build the base arrays and every scenario's shock (no solve).

    With the depth channel on, each scenario that adds agreements also appears as
    ``<name> (depth)`` with the non-tariff trade-cost cut of DESIGN 3d. With ``time_path``,
    scenarios that add staged agreements also get shocks at their intermediate staging
    years (``steps``).
    """
    phases = phases or Phases(show=False)
    with phases.phase("compile", "compiling scenarios"):
        heap_warmed()  # a warm-up holding its block is done (see pages.warm_heap)
        defs = parse_definitions(tables)
        uni = build_universe(tables)
        focus, note = choose_focus(cfg.focus, tables.meta.get("focus", "").upper(), uni,
                                   list(defs.regions))
        cfg = replace(cfg, focus=focus)
        with written_once():  # 26 million applied rates, written once (see pages.py)
            compiled = compile_scenarios(tables, uni.cells, defs, time_path)
        applied = compiled.applied
        by_scenario = _scenario_rows(applied, compiled.block_rows)
        base_rates = by_scenario.get(BASELINE, applied.iloc[:0])
        elast = resolve_elasticities(tables, uni)
        # every scenario's block lists the same cells in the same order: one lookup
        at = (uni.positions(applied.iloc[:compiled.block_rows]) if compiled.block_rows
              else None)
        m = market_arrays(uni, elast, base_rates, positions=at)
        steps_of = {sp.name for sp in compiled.specs if sp.origin == "time_path"}
        names = [s for s in by_scenario if s != BASELINE and s not in steps_of]
        if not names:
            raise InputError([Issue(", ".join(Path(f).name for f in tables.files),
                                    "scenarios", "", "",
                                    "no scenario besides 'baseline' to compare")])
        shocks = [(name, scenario_shock(uni, by_scenario[name], positions=at))
                  for name in names]
        steps = [(name, scenario_shock(uni, by_scenario[name], positions=at))
                 for name in by_scenario if name in steps_of]
    same_as_tariff_only: list[Issue] = []
    if cfg.depth_channel:
        with phases.phase("depth", "depth channel"):
            for name, shock in list(shocks):
                tc = _depth_cost(tables, compiled, name, uni, m)
                if tc is not None:
                    shocks.append((f"{name}{DEPTH_SUFFIX}", Shock(new_rate=shock.new_rate,
                                                                  trade_cost=tc)))
                    if not np.any(np.asarray(tc)[m.base_value > 0]):
                        same_as_tariff_only.append(_no_depth_cut(tables, name))
            depth = _depth_tables(tables, compiled)
    else:
        depth = _depth_tables(tables, compiled)
    warnings = (tuple(tables.warnings) + tuple(compiled.warnings) + ((note,) if note else ())
                + tuple(same_as_tariff_only))
    return PreparedRun(
        config=cfg, universe=uni, compiled=compiled, elasticities=elast, market=m,
        shocks=tuple(shocks), quality=_quality_array(uni), depth=depth, warnings=warnings,
        steps=tuple(steps),
    )


def _scenario_rows(applied: pd.DataFrame, block_rows: int | None = None
                   ) -> dict[str, pd.DataFrame]:
    """Each scenario's rows of the applied table: slices of ``block_rows`` rows when the
    compiler wrote one block per scenario, slices of the runs when every scenario's rows are
    contiguous, else a groupby (copies)."""
    codes, names = label_codes(applied["scenario"])
    if block_rows:
        starts = np.arange(0, len(codes), block_rows)
        ends = [*starts[1:], len(codes)]
    else:
        starts = np.flatnonzero(np.diff(codes.astype(np.int32), prepend=-1) != 0)
        runs = codes[starts]
        if (runs < 0).any() or len(np.unique(runs)) != len(starts):
            return {str(k): g for k, g in applied.groupby("scenario", sort=False,
                                                           observed=True)}
        ends = [*starts[1:], len(codes)]
    return {str(names[codes[a]]): applied.iloc[a:b] for a, b in zip(starts, ends, strict=True)}


def references(prep: PreparedRun) -> dict[str, list[str]]:
    """Scenarios whose solution a shock may share on the products where their policies
    agree (:func:`fta_compare.solve.solve_all`): a depth-channel variant its scenario, a
    scenario its parent, a staging step its scenario and that scenario's parent."""
    from fta_compare.scenarios.definitions import TIME_PATH_SEP

    parent = {sp.name: sp.parent for sp in prep.compiled.specs if sp.parent != BASELINE}
    refs: dict[str, list[str]] = {}
    for name in [n for n, _ in (*prep.shocks, *prep.steps)]:
        if name.endswith(DEPTH_SUFFIX):
            refs[name] = [name.removesuffix(DEPTH_SUFFIX)]
        elif TIME_PATH_SEP in name:
            base = name.rsplit(TIME_PATH_SEP, 1)[0]
            refs[name] = [base, *([parent[base]] if base in parent else [])]
        elif name in parent:
            refs[name] = [parent[name]]
    return refs


def _quality_array(uni: Universe) -> np.ndarray:
    """(P, N, N) int8 codes into ``results.QUALITY_LABELS`` of each cell's base value."""
    c, n = uni.cells, len(uni.countries)
    out = np.zeros((len(uni.hs), n, n), dtype=np.int8)
    out[c["p"].to_numpy(), c["v"].to_numpy(), c["r"].to_numpy()] = quality_codes(c["quality"])
    return out


def _depth_tables(tables: InputTables, compiled: CompiledScenarios) -> pd.DataFrame:
    from fta_compare.depth import depth_indices

    if tables.depth is None or tables.depth.empty:
        return pd.DataFrame(columns=["agreement", "depth_index"])
    return depth_indices(tables.depth)


def _no_depth_cut(tables: InputTables, scenario: str) -> Issue:
    """The warning for a depth-channel variant that cuts no trade cost on any traded cell:
    its results equal the tariff-only scenario's, which the reader should not take for a
    depth effect of zero by accident."""
    return Issue(tables.file_of("depth"), "depth", "", scenario,
                 "the depth channel cuts no trade cost on any traded cell: no trading pair "
                 "that the scenario's agreements join gets a deeper shared agreement than it "
                 f"already has, so '{scenario}{DEPTH_SUFFIX}' equals the tariff-only "
                 "scenario", "warning")


def _depth_cost(tables: InputTables, compiled: CompiledScenarios, scenario: str,
                uni: Universe, m: MarketArrays) -> np.ndarray | None:
    """(P, N, N) trade-cost change of the depth channel, or None if no agreement changes.

    The elasticity in tau = exp(-beta*index/(sigma-1)) - 1 is meta ``depth_sigma`` when
    given (a trade elasticity, e.g. 5), else the importer's substitution elasticity.
    """
    from fta_compare.depth import trade_cost_array

    sigma: np.ndarray | float = m.substitution
    if tables.meta.get("depth_sigma"):
        try:
            sigma = float(tables.meta["depth_sigma"])
        except ValueError as exc:
            raise ModelError("meta 'depth_sigma' must be a number > 1") from exc
        if not sigma > 1:
            raise ModelError("meta 'depth_sigma' must be a number > 1")
    return trade_cost_array(tables, compiled, scenario, uni.countries, len(uni.hs), sigma)
