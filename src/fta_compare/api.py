"""The Python API; the CLI is a thin layer over these functions.

Flow: :func:`load_inputs` (validated tables) -> :mod:`fta_compare.prepare` (scenario
compiler, applied tariffs, base arrays and shocks) -> model -> :mod:`fta_compare.results`
-> :func:`write_report`.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fta_compare import __version__
from fta_compare.errors import InputError, Issue, ModelError
from fta_compare.inputs import check_inputs, load_inputs
from fta_compare.inputs.reader import ReadResult
from fta_compare.inputs.tables import InputTables
from fta_compare.model.arrays import MarketArrays, ModelResult, Shock
from fta_compare.pages import warm_heap
from fta_compare.parallel import one_blas_thread
from fta_compare.phases import Phases
from fta_compare.prepare import (  # re-exported: the API's names for the preparation step
    DEFAULT_FOCUS,
    DEPTH_SUFFIX,
    PreparedRun,
    prepare_run,
    references,
)
from fta_compare.prepare import (
    choose_focus as choose_focus,
)
from fta_compare.prepare import (
    compile_scenarios as compile_scenarios,
)
from fta_compare.quality import quality_shares
from fta_compare.results import (
    PendingGE,
    ResultsBuilder,
    RunConfig,
    RunResult,
    ScenarioTables,
)
from fta_compare.results import (
    complete as complete,  # re-exported: the CLI waits for a pending sector model with it
)
from fta_compare.scenarios.compiler import CompiledScenarios
from fta_compare.scenarios.shocks import (
    Universe,
)

if TYPE_CHECKING:
    from fta_compare.ge_lens import GEOutcome, GEPlan
    from fta_compare.ge_worker import GEWorker

MODELS = ("smart", "gsim", "ge")
SOLUTIONS = ("linear", "exact")
DEFAULT_MODEL = "gsim"  # exact GSIM: the only PE model here that holds for 15-50% duties
DEFAULT_SOLUTION = "exact"
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


def default_solution(model: str, solution: str | None) -> str:
    """``solution`` as given, else the model's own: linear for SMART (closed form), exact
    for GSIM and for the sector model's PE detail."""
    if solution:
        return solution
    return "linear" if model == "smart" else DEFAULT_SOLUTION


def pe_model(model: str, solution: str | None) -> tuple[str, str]:
    """The PE model that gives a run its product detail: itself, or exact GSIM when the
    sector model (``ge``) is the headline lens."""
    if model == "ge":
        return DEFAULT_MODEL, DEFAULT_SOLUTION
    return model, default_solution(model, solution)


def solver_for(model: str, solution: str) -> Solver:
    """The PE model function for ``--model`` and ``--solution`` (``ge``: its PE model)."""
    model, solution = pe_model(model, solution)
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


def make_config(inputs: Sequence[Path], *, model: str = DEFAULT_MODEL,
                solution: str | None = None,
                focus: str | None = None, depth_channel: bool = False, command: str = "",
                seed: int | None = None) -> RunConfig:
    """A frozen record of the run's choices and inputs (with SHA-256 of each file)."""
    return RunConfig(
        inputs=tuple(str(p) for p in inputs),
        model=model,
        solution=default_solution(model, solution) if model != "ge" else DEFAULT_SOLUTION,
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


def run(inputs: Sequence[Path | str] | None = None, *, model: str = DEFAULT_MODEL,
        solution: str | None = None, focus: str | None = None,
        depth_channel: bool = False, command: str = "", phases: Phases | None = None,
        robustness: bool = True, time_path: bool = True, ge_lens: bool = True,
        ge_later: bool = False) -> RunResult:
    """Read, validate, compile scenarios, solve every scenario against the baseline.

    ``robustness``: also solve the other PE models for the model-ranking table;
    ``time_path``: also solve staged agreements at their intermediate staging years;
    ``ge_lens``: also solve the sector model when the inputs have ``ge_*`` sheets;
    ``ge_later``: the sector model solves in a low-priority process of its own and the
    result comes back with it pending (``pending_ge``): :func:`complete` waits for it, and
    the report writer does so only once it has written what does not need it (the
    command line; see :mod:`fta_compare.ge_worker`);
    ``phases``: times the phases and shows progress (see :class:`fta_compare.phases.Phases`).
    """
    phases = phases or Phases(show=False)
    paths = [Path(p) for p in inputs] if inputs else default_inputs()
    solver_for(model, solution)  # fail fast on a bad combination
    from fta_compare.inputs.early_parse import start_early_parse

    early = start_early_parse(paths)  # forked first, while this process runs one thread
    worker = None
    try:
        if ge_later:
            from fta_compare.ge_worker import GEWorker

            worker = GEWorker()  # started before the run's threads
        try:
            tables = load_inputs(paths, phases, early=early,
                                 after_read=lambda read: _warm_heap_for_run(read,
                                                                            depth_channel))
        finally:
            if early is not None:
                early.close()
        cfg = make_config(paths, model=model, solution=solution, focus=focus,
                          depth_channel=depth_channel, command=command)
        result = run_tables(tables, cfg, phases=phases, robustness=robustness,
                            time_path=time_path, ge_lens=ge_lens, ge_worker=worker)
    except BaseException:
        if worker is not None:
            worker.close(stop=True)
        raise
    if worker is not None and result.pending_ge is None:
        worker.close()  # no sector model in this run
    return result




# Heap a run adds after validation per trade row and row of the scenarios sheet, set at
# about 92% of what the bundled tables take (915,066 trade rows x 13 scenarios: 3.9 GB with
# the depth channel = 328 bytes, 3.3 GB without = 275 bytes).
WARM_BYTES_PER_ROW = {True: 300, False: 256}  # by depth channel


def _warm_heap_for_run(read: ReadResult, depth_channel: bool = False) -> None:
    """Warm, beside validation and compilation, the heap the compiler, the solve and the
    tables will take (:func:`fta_compare.pages.warm_heap`; a no-op unless the process
    keeps freed memory, as the command line does)."""
    trade, scenarios = read.tables.get("trade"), read.tables.get("scenarios")
    rows = 0 if trade is None else len(trade)
    per_row = WARM_BYTES_PER_ROW[depth_channel]
    warm_heap(per_row * rows * max(1, 0 if scenarios is None else len(scenarios)))


def with_sensitivity(result: RunResult, path: Path) -> RunResult:
    """``result`` with the share of sensitivity draws in which each scenario ranks first,
    when the sensitivity workbook at ``path`` was computed on the same inputs (SHA-256),
    PE model, solution and focus; unchanged (with a note in ``warnings`` saying why) when
    it exists but does not match, unchanged and silent when there is none."""
    from fta_compare.sensitivity_rank import load_rank_first

    cfg = result.config
    if result.results.empty:
        return result
    model, solution = pe_model(cfg.model, cfg.solution)
    found, why = load_rank_first(Path(path), input_sha256=cfg.input_sha256, model=model,
                                 solution=solution, focus=cfg.focus)
    if found is None:
        if not Path(path).is_file():
            return result
        return replace(result, warnings=(*result.warnings, Issue(
            str(path), "rank_first", "", "", f"sensitivity results not shown: {why}",
            "warning")))
    table = found.table.assign(draws=found.draws, seed=found.seed)
    return replace(result, rank_first=table)


def run_tables(tables: InputTables, cfg: RunConfig, phases: Phases | None = None,
               robustness: bool = True, time_path: bool = True, ge_lens: bool = True,
               ge_worker: GEWorker | None = None) -> RunResult:
    """The model run on validated tables (no I/O): the main PE model with every table,
    the other PE models' rankings (``robustness``), the staging time path
    (``time_path``) and, when the inputs have ``ge_*`` sheets, the sector model on the same
    scenarios (``ge_lens``; always with ``--model ge``). The other PE models and the sector
    model need only the arrays and the shocks: each runs on a helper thread, the sector
    model from the start of the solve, the other PE models while the result tables are
    built. With ``ge_worker`` (:class:`fta_compare.ge_worker.GEWorker`) the sector model
    solves in that process and the result comes back with it pending (see :func:`run`)."""
    from fta_compare.robustness import model_label
    from fta_compare.timepath import economy_totals, time_path_table
    from fta_compare.validity import check, issues

    phases = phases or Phases(show=False)
    if tables.ge_only:
        return _run_ge_only(tables, cfg, phases)
    solver = solver_for(cfg.model, cfg.solution)
    label = model_label(*pe_model(cfg.model, cfg.solution))
    prep = prepare_run(tables, cfg, phases, time_path=time_path)
    cfg, m = prep.config, prep.market
    names = [name for name, _ in prep.shocks]
    totals: dict[str, np.ndarray] = {}
    found = []
    from fta_compare.solve import solve_all

    n_all = len(names) + len(prep.steps)
    beside = ThreadPoolExecutor(max_workers=3, thread_name_prefix="beside")
    try:
        with one_blas_thread():
            # the sector model needs only the arrays and the shocks: it starts with the PE
            # solve and runs beside it and the tables, so its solves fill their idle moments
            # instead of leaving a tail of their own at the end
            ge = (beside.submit(_ge_lens, tables, m, prep, ge_worker)
                  if tables.has_ge and (ge_lens or cfg.model == "ge") else None)
            with phases.phase("solve", f"solving {n_all} scenarios and steps ({label})"):
                tables_of = ResultsBuilder(m, names, prep.quality)
                done = lambda k, name: phases.step(k, n_all, name)  # noqa: E731
                for name, shock, res in solve_all(solver, m, [*prep.shocks, *prep.steps],
                                                  on_done=done,
                                                  references=references(prep)):
                    if name in tables_of.scenarios:
                        tables_of.add(name, shock.new_rate, res)
                        found.append(check(name, label, m, shock, res))
                    totals[name] = economy_totals(m, res)
            unit = tables.meta.get("currency_unit", "US$ thousand") or "US$ thousand"
            warnings = list(prep.warnings)
            validity_issues = issues(found, unit)
            for w in validity_issues:
                phases.note(str(w))
            warnings += validity_issues
            focus_idx = int(np.flatnonzero(m.countries == cfg.focus)[0])
            by_model = {label: np.array([totals[n][3, focus_idx] for n in names])}
            if not tables.has_ge and cfg.model == "ge":
                from fta_compare.ge_lens import run_ge

                run_ge(tables, None, (), {})  # raises the InputError naming the missing sheets
            # the other PE models, each on a thread of its own beside the (mostly
            # single-core) building of the result tables
            other = [beside.submit(_other_model, model, solution, m, prep)
                     for model, solution in _other_pe_models(label, robustness)]
            with phases.phase("tables", "building result tables (other models alongside)"):
                out = tables_of.tables()
                sectors = _sectors(tables)
                scorecard = _scorecard(out, prep.compiled, prep.depth, sectors, tables)
                path = time_path_table(list(prep.compiled.specs), totals, m.countries,
                                       prep.compiled.specs[0].year if prep.compiled.specs
                                       else None)
                quality = quality_shares(out.results, tables.mfn)
            other_found: list = []
            if robustness:
                with phases.phase("robustness", "ranking under the other PE models"):
                    for job in other:
                        other_label, welfare_of, found_of = job.result()
                        by_model[other_label] = welfare_of[:, focus_idx]
                        other_found += found_of
            outcome = pending = None
            if ge is not None and ge_worker is not None:
                plan, solving = ge.result()  # the bridge; the solves go on in the worker
            elif ge is not None:
                with phases.phase("ge", "solving the sector model (GE)"):
                    outcome = ge.result()
    finally:  # an interrupt or an error skips the work not yet started
        beside.shutdown(wait=True, cancel_futures=True)
    n_before = len(warnings)  # the sector model's warnings go here
    bad = out.convergence[~out.convergence["converged"]]
    for row in bad.itertuples(index=False):
        warnings.append(Issue("model", str(row.scenario), str(row.hs), f"{row.residual:.3g}",
                              "product did not converge; its effects are set to zero "
                              "and listed in 'convergence'", "warning"))

    def with_ge(result: RunResult, outcome: GEOutcome) -> RunResult:
        """``result`` with the sector model's warnings, rank column and answer."""
        for w in outcome.warnings:
            if w.file == "model":
                phases.note(str(w))
        by = dict(by_model)
        if cfg.focus in outcome.economies:
            w = outcome.welfare
            mine = w[w["country"] == cfg.focus].set_index("scenario")["welfare"]
            by["ge"] = mine.reindex(names).to_numpy(dtype=float)
        return replace(result, ge=outcome, pending_ge=None,
                       warnings=(*result.warnings[:n_before], *outcome.warnings,
                                 *result.warnings[n_before:]),
                       model_ranks=_model_ranks(names, by, unit))

    if ge is not None and ge_worker is not None:
        pending = PendingGE(plan=plan, solving=solving, merge=with_ge, worker=ge_worker)
    pe_only = RunResult(
        config=cfg,
        results=out.results,
        prices=out.prices,
        welfare=out.welfare,
        welfare_by_product=out.welfare_by_product,
        convergence=out.convergence,
        applied=prep.compiled.applied,
        scorecard=scorecard,
        scenario_info=prep.compiled.scenario_info,
        elasticities=_elasticities_used(prep.elasticities.table, prep.universe),
        depth=prep.depth,
        sectors=sectors,
        meta=dict(tables.meta),
        sources=tables.sources if tables.sources is not None else pd.DataFrame(
            columns=["table", "column", "source", "transformation"]),
        quality=quality,
        warnings=tuple(warnings),
        model_ranks=_model_ranks(names, by_model, unit),
        time_path=path,
        validity=tuple(found),
        robustness_validity=tuple(other_found),
        timings=tuple(phases.table()),
        pending_ge=pending,
    )
    return pe_only if outcome is None else with_ge(pe_only, outcome)


def _model_ranks(names: list[str], by_model: dict[str, np.ndarray], unit: str
                 ) -> pd.DataFrame:
    from fta_compare.robustness import rank_table

    return rank_table(names, by_model, {k: ("real income change (fraction)" if k == "ge"
                                            else unit) for k in by_model})


def _other_pe_models(label: str, robustness: bool) -> list[tuple[str, str]]:
    """The (model, solution) pairs of the PE models other than ``label``, in the order of
    ``robustness.PE_MODELS`` (none without ``robustness``)."""
    from fta_compare.robustness import PE_MODELS, model_label

    return [ms for ms in PE_MODELS if robustness and model_label(*ms) != label]


def _other_model(model: str, solution: str, m: MarketArrays, prep: PreparedRun
                 ) -> tuple[str, np.ndarray, list]:
    """The label, (S, N) net welfare of every scenario and validity findings of one other
    PE model, its scenarios one at a time."""
    from fta_compare.robustness import model_label, solve_welfare

    label = model_label(model, solution)
    welfare, found = solve_welfare(solver_for(model, solution), label, m, prep.shocks)
    return label, welfare, found


def _ge_lens(tables: InputTables, m: MarketArrays, prep: PreparedRun,
             worker: GEWorker | None = None) -> GEOutcome | tuple[GEPlan, Future[Any]]:
    """The sector model on the run's scenarios (:func:`fta_compare.ge_lens.run_ge`); with
    a ``worker``, its plan and the worker's future of its solves instead."""
    from fta_compare.ge_lens import plan_ge, run_ge

    defs = prep.compiled.definitions
    regions = dict(defs.regions) if defs else {}
    if worker is None:
        return run_ge(tables, m, prep.shocks, regions)
    plan = plan_ge(tables, m, prep.shocks, regions)
    return plan, worker.solve(plan.base, plan.scenarios)


def _run_ge_only(tables: InputTables, cfg: RunConfig, phases: Phases) -> RunResult:
    """A workbook with only ``ge_*`` sheets: the sector model on its ``ge_applied``
    scenarios; the PE tables of the result are empty."""
    from fta_compare.ge_lens import run_ge
    from fta_compare.results import PRICE_COLUMNS, RESULT_COLUMNS, WELFARE_COLUMNS

    with phases.phase("ge", "solving the sector model (GE)"):
        outcome = run_ge(tables, None, (), {})
    economies = outcome.economies
    focus = cfg.focus or tables.meta.get("focus", "").upper() or DEFAULT_FOCUS
    notes: list[Issue] = []
    if focus not in economies:
        if cfg.focus:
            raise InputError([Issue("--focus", "", "", cfg.focus, "focus economy is not an "
                                    f"economy of ge_trade; choose one of {', '.join(economies)}")])
        pick = economies[0] if economies else ""
        notes.append(Issue("--focus", "", "", pick, f"{focus} is not an economy of ge_trade; "
                           f"the focus is {pick}, the first in code order (give --focus)",
                           "warning"))
        focus = pick
    cfg = replace(cfg, model="ge", focus=focus)
    w = outcome.welfare
    names = [s for s in dict.fromkeys(w["scenario"])]
    mine = w[w["country"] == focus].set_index("scenario")["welfare"].reindex(names)
    from fta_compare.robustness import rank_table

    ranks = rank_table(names, {"ge": mine.to_numpy(dtype=float)},
                       {"ge": "real income change (fraction)"})
    empty = pd.DataFrame
    return RunResult(
        config=cfg, results=empty(columns=RESULT_COLUMNS), prices=empty(columns=PRICE_COLUMNS),
        welfare=empty(columns=WELFARE_COLUMNS), welfare_by_product=empty(),
        convergence=empty(columns=["scenario", "hs", "converged", "residual", "iterations"]),
        applied=empty(), scorecard=empty(columns=["scenario", "country", "metric", "value",
                                                   "rank"]),
        scenario_info=empty(), elasticities=empty(), depth=empty(), sectors=empty(),
        meta=dict(tables.meta),
        sources=tables.sources if tables.sources is not None else empty(
            columns=["table", "column", "source", "transformation"]),
        quality=empty(), warnings=tuple(tables.warnings) + outcome.warnings + tuple(notes),
        model_ranks=ranks, timings=tuple(phases.table()), ge=outcome,
    )


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


def _scorecard(out: ScenarioTables, compiled: CompiledScenarios, depth: pd.DataFrame,
               sectors: pd.DataFrame, tables: InputTables) -> pd.DataFrame:
    """Scorecard of every scenario, in one pass over the result rows; the depth-channel
    variants take their scenario's policy metrics and are ranked among themselves."""
    from fta_compare.scorecard import build_scorecard

    names = dict.fromkeys(out.welfare["scenario"].astype(str))
    variants = {s: s.removesuffix(DEPTH_SUFFIX) for s in names if s.endswith(DEPTH_SUFFIX)}
    return build_scorecard(out.results, out.welfare, applied=compiled.applied, depth=depth,
                           sectors=sectors, weights=tables.weights, compiled=compiled,
                           variants=variants)
