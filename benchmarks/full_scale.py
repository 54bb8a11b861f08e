"""Full-scale run on a SYNTHETIC HS6 universe: time and peak memory of every phase.

Generates the universe of :mod:`fta_compare.synthetic` (default 5,600 HS6 products x 30
economies, each product traded by a random 20-40% of exporter-importer pairs, 6 scenarios;
labelled SYNTHETIC in ``meta``), writes it once as an ``.xlsx`` workbook (``trade`` split
into ``trade_1``, ``trade_2`` beyond Excel's row limit) and as Parquet files (one per
table), then, for each input format in a fresh subprocess, times: reading, validation,
the universe, the scenario compiler, the model arrays, the solve (SMART, linear GSIM,
exact), the results tables, the scorecard and ``write_report``. Wall and CPU time are
printed side by side (the machine may be shared), with the process's peak RSS so far
(``getrusage`` maxrss: counts every allocation, numpy's and Rust's included).

The I/O floor is reading the inputs and writing the outputs alone: python-calamine
``to_python`` of every sheet (or ``pyarrow.parquet.read_table`` of every file), plus the
contract sheets of the report (the same rows and columns ``write_report`` writes, by the
same streamed XlsxWriter path) and the Parquet detail, with no model or human sheet.
Goal: full run <= 1.5 x the floor, peak memory < 4 GB.

Run: ``python benchmarks/full_scale.py [--products 5600 --economies 30 --scenarios 6]
[--models smart,gsim,exact] [--formats xlsx,parquet] [--keep DIR] [--skip-write]``
(``--skip-write``: model phases and memory only, e.g. ``--economies 40 --formats parquet``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MODELS = {"smart": ("smart", "linear"), "gsim": ("gsim", "linear"), "exact": ("gsim", "exact")}
GOAL_RATIO = 1.5
PER_SCENARIO = ("solve ", "results tables", "prepare: shocks")  # summed, not echoed
GOAL_MIB = 4096


def peak_mib() -> float:
    """Peak resident memory of this process so far (MiB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


class Clock:
    """Collects (phase, wall s, cpu s, peak MiB) rows; ``phase()`` times a block."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        t, c = time.perf_counter(), time.process_time()
        yield
        self.add(name, time.perf_counter() - t, time.process_time() - c)

    def add(self, name: str, wall: float, cpu: float) -> None:
        row = {"phase": name, "wall": wall, "cpu": cpu, "peak_mib": peak_mib()}
        self.rows.append(row)
        print(json.dumps(row), flush=True)

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` timed under ``name`` each call (calls accumulate in one row later)."""
        def timed(*args: Any, **kwargs: Any) -> Any:
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - t, time.process_time() - c)
        return timed


def generate(args: argparse.Namespace, folder: Path) -> dict[str, list[Path]]:
    """Write the SYNTHETIC inputs once: ``in.xlsx`` and ``parquet/<table>.parquet``."""
    from fta_compare import synthetic

    t = time.perf_counter()
    tables = synthetic.generate(args.products, args.economies, args.scenarios)
    n_trade = len(tables["trade"])
    print(f"SYNTHETIC universe: {args.products} HS6 x {args.economies} economies, "
          f"{args.scenarios} scenarios; trade cells {n_trade:,}, mfn {len(tables['mfn']):,}, "
          f"preferences {len(tables['preferences']):,} rows "
          f"(generated in {time.perf_counter() - t:.1f} s)")
    out: dict[str, list[Path]] = {}
    if "parquet" in args.formats:
        out["parquet"] = synthetic.write_parquet(tables, folder / "parquet")
    if "xlsx" in args.formats:
        t = time.perf_counter()
        path = synthetic.write_xlsx(tables, folder / "in.xlsx")
        parts = -(-n_trade // synthetic.EXCEL_DATA_ROWS)
        print(f"wrote in.xlsx ({path.stat().st_size / 2**20:.0f} MiB, trade on {parts} "
              f"sheet(s)) in {time.perf_counter() - t:.1f} s")
        out["xlsx"] = [path]
    return out


# --------------------------------------------------------------------------- child


def raw_read(paths: list[Path]) -> int:
    """The read floor: every sheet to Python rows (calamine) or every Parquet table."""
    n = 0
    for p in paths:
        if p.suffix == ".parquet":
            import pyarrow.parquet as pq

            n += pq.read_table(p).num_rows
        else:
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(p))
            for name in wb.sheet_names:
                n += len(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            wb.close()
    return n


def floor_write(result: Any, out: Path) -> None:
    """The write floor: the contract sheets and the Parquet detail, nothing else."""
    from fta_compare.report import writer as w
    from fta_compare.results import PRICE_COLUMNS, RESULT_COLUMNS, WELFARE_COLUMNS

    result.results.to_parquet(out.with_suffix(".parquet"), index=False)
    book = w._Book(out)
    res = w.changed_results(result.results)
    w._plain_sheet(book, "results", res[[*RESULT_COLUMNS, *[
        c for c in res.columns if c not in RESULT_COLUMNS]]], human=False, split=True)
    prices = result.prices[result.prices["world_price_change"] != 0]
    w._plain_sheet(book, "prices", prices[PRICE_COLUMNS], human=False, split=True)
    w._plain_sheet(book, "welfare", result.welfare[WELFARE_COLUMNS], human=False)
    w._plain_sheet(book, "scorecard", result.scorecard, human=False)
    w._plain_sheet(book, "applied", w.applied_changes(result.applied), human=False,
                   split=True)
    book.wb.close()


def child(fmt: str, paths: list[Path], models: list[str], work: Path,
          write: bool = True) -> None:
    """One input format: every phase, printed as JSON lines (see :class:`Clock`)."""
    from fta_compare import api, prepare
    from fta_compare.inputs.reader import read_inputs
    from fta_compare.inputs.validate import validate_tables
    from fta_compare.report.writer import write_report
    from fta_compare.scenarios.validate import validate_scenarios

    clock = Clock()
    with clock.phase("floor: raw read"):
        raw_read(paths)
    with clock.phase("read"):
        read = read_inputs(paths)
    with clock.phase("validate"):
        tables, issues = validate_tables(read)
        assert tables is not None, [str(i) for i in issues if i.severity == "error"][:5]
        errors = [i for i in validate_scenarios(tables) if i.severity == "error"]
        assert not errors, errors[:5]
    # attribute the time inside run_tables without doing any step twice
    prepare.build_universe = clock.wrap("prepare: universe", prepare.build_universe)
    prepare.compile_scenarios = clock.wrap("prepare: compile scenarios",
                                           prepare.compile_scenarios)
    prepare.market_arrays = clock.wrap("prepare: arrays", prepare.market_arrays)
    prepare.scenario_shock = clock.wrap("prepare: shocks", prepare.scenario_shock)
    api.prepare_run = clock.wrap("prepare (total)", api.prepare_run)
    builder = api.ResultsBuilder
    builder.add = clock.wrap("results tables", builder.add)  # type: ignore[method-assign]
    builder.tables = clock.wrap("results stack", builder.tables)  # type: ignore[method-assign]
    api._scorecard = clock.wrap("scorecard", api._scorecard)
    solver_for = api.solver_for
    for name in models:
        model, solution = MODELS[name]
        api.solver_for = lambda m, s, _n=name: clock.wrap(f"solve {_n}", solver_for(m, s))
        cfg = api.make_config(paths, model=model, solution=solution)
        print(json.dumps({"model": name}), flush=True)
        with clock.phase(f"run_tables {name}"):
            result = api.run_tables(tables, cfg)
        print(json.dumps({"rows": {"results": len(result.results),
                                   "applied": len(result.applied)}}), flush=True)
        if write:
            with clock.phase(f"write report {name}"):
                write_report(result, work / f"{fmt}_{name}.xlsx", force=True)
            with clock.phase(f"floor: write {name}"):
                floor_write(result, work / f"{fmt}_{name}_floor.xlsx")
        del result
        for f in work.glob(f"{fmt}_{name}*"):
            f.unlink()


# --------------------------------------------------------------------------- parent


def run_child(fmt: str, paths: list[Path], args: argparse.Namespace, work: Path
              ) -> list[dict[str, Any]]:
    """Run one input format in a fresh process, echoing each phase as it ends."""
    cmd = [sys.executable, __file__, "--child", fmt, str(work), "--models", args.models,
           *(["--skip-write"] if args.skip_write else []), *map(str, paths)]
    events: list[dict[str, Any]] = []
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"}) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not line.startswith("{"):
                continue
            e = json.loads(line)
            events.append(e)
            if "phase" in e and not e["phase"].startswith(PER_SCENARIO):
                print(f"  [{fmt}] {e['phase']}: {e['wall']:.1f} s wall, {e['cpu']:.1f} s cpu, "
                      f"peak {e['peak_mib']:,.0f} MiB", flush=True)
    if proc.returncode != 0:
        raise SystemExit(f"{fmt} run failed (exit {proc.returncode})")
    return events


def summarise(fmt: str, events: list[dict[str, Any]], models: list[str]) -> None:
    """Print the phase table of one format and the full-run / I/O-floor ratio per model."""
    print(f"\n== input format: {fmt}")
    print(f"{'phase':34s} {'wall s':>8s} {'cpu s':>8s} {'peak RSS MiB':>13s}")
    per: dict[str, dict[str, list[float]]] = {}
    model = "-"
    order: list[tuple[str, str]] = []
    for e in events:
        if "model" in e:
            model = e["model"]
            continue
        if "phase" not in e:
            continue
        key = e["phase"]
        slot = per.setdefault(model, {})
        if key not in slot:
            slot[key] = [0.0, 0.0, 0.0]
            order.append((model, key))
        slot[key][0] += e["wall"]
        slot[key][1] += e["cpu"]
        slot[key][2] = max(slot[key][2], e["peak_mib"])
    for m, key in order:
        w, c, p = per[m][key]
        label = key if m == "-" or key.endswith(m) else f"{key} [{m}]"
        print(f"{label:34s} {w:8.2f} {c:8.2f} {p:13.0f}")
    base = per.get("-", {})
    read = [base.get(k, [0.0, 0.0, 0.0]) for k in ("read", "validate")]
    floor_read = base.get("floor: raw read", [0.0, 0.0, 0.0])
    print(f"{'read + validation':34s} {read[0][0] + read[1][0]:8.2f} "
          f"{read[0][1] + read[1][1]:8.2f}")
    for m in models:
        if m not in per:
            continue
        ph = per[m]
        if f"write report {m}" not in ph:
            peak = max(v[2] for v in [*ph.values(), *base.values()])
            print(f"{fmt} {m:5s}: read + validation + run_tables "
                  f"{read[0][0] + read[1][0] + ph[f'run_tables {m}'][0]:7.1f} s wall; peak RSS "
                  f"so far {peak:,.0f} MiB (goal < {GOAL_MIB:,}); no report written")
            continue
        full_w = read[0][0] + read[1][0] + ph[f"run_tables {m}"][0] + ph[f"write report {m}"][0]
        full_c = read[0][1] + read[1][1] + ph[f"run_tables {m}"][1] + ph[f"write report {m}"][1]
        fl_w = floor_read[0] + ph[f"floor: write {m}"][0]
        fl_c = floor_read[1] + ph[f"floor: write {m}"][1]
        peak = max(v[2] for v in [*ph.values(), *base.values()])
        print(f"{fmt} {m:5s}: full run {full_w:7.1f} s wall / {full_c:7.1f} s cpu; I/O floor "
              f"{fl_w:6.1f} s wall / {fl_c:6.1f} s cpu; ratio {full_w / fl_w:4.2f} wall, "
              f"{full_c / fl_c:4.2f} cpu (goal <= {GOAL_RATIO}); peak RSS so far {peak:,.0f} "
              f"MiB (goal < {GOAL_MIB:,})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", type=int, default=5600)
    ap.add_argument("--economies", type=int, default=30)
    ap.add_argument("--scenarios", type=int, default=6)
    ap.add_argument("--models", default="smart,gsim,exact")
    ap.add_argument("--formats", default="xlsx,parquet")
    ap.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    ap.add_argument("--skip-write", action="store_true",
                    help="no report (memory and model phases only; no ratio)")
    ap.add_argument("--child", nargs=2, metavar=("FORMAT", "WORKDIR"), help=argparse.SUPPRESS)
    ap.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if args.child:
        child(args.child[0], args.paths, models, Path(args.child[1]), not args.skip_write)
        return 0
    args.formats = [f.strip() for f in args.formats.split(",")]
    print(f"machine: {os.cpu_count()} cores, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        inputs = generate(args, folder)
        work = Path(tmp) / "out"
        work.mkdir()
        for fmt, paths in inputs.items():
            summarise(fmt, run_child(fmt, paths, args, work), models)
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
