"""The README's main command on the bundled tables: phase table and ratio to the input read.

Usage: ``.venv/bin/python benchmarks/default_run.py [--repeat 3] [--inputs FILE ...]``

``--inputs`` measures the same run on other tables (for example the 9-economy tables of
an earlier commit: ``git show 9ffb6ad:tariff_tables/default.xlsx > /tmp/nine.xlsx``).

Measures, on this machine:

* the unit of the goal: reading the bundled input tables (``tariff_tables/default*.xlsx``)
  with calamine alone (python-calamine, every sheet to Python rows, nothing else), and for
  comparison the same with fastexcel (every sheet to Arrow columns), which the reader
  uses where it can;
* the run, phase by phase (read, validate, compile, depth, solve, tables, robustness,
  write), exactly as ``fta-compare run --depth-channel --force`` does it, each repeat
  in a fresh process (the sector model solves in a low-priority process from the start
  of solve to the end of write; robustness runs beside tables, its row is the wait left
  after tables);
* the README's command itself as a subprocess (interpreter start and imports included).

Each repeat reads, runs the command and runs in process, one after the other, so a slower
spell of the machine falls on the unit and the run alike. Prints the phase table, the
ratios run / read and command / read (issue goal: at most 3; also each repeat's command
over the read just before it), the workbook and Parquet sizes and the peak memory.
Timings are wall time of the median repeat.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _every_sheet(paths: list[Path], open_book: Callable[[str], Any],
                 read_sheet: Callable[[Any, str], object]) -> float:
    """Seconds to open each workbook and read every sheet of it."""
    t = time.perf_counter()
    for p in paths:
        book = open_book(str(p))
        for name in book.sheet_names:
            read_sheet(book, name)
    return time.perf_counter() - t


def calamine_read(paths: list[Path]) -> float:
    """Seconds to read every sheet of ``paths`` into Python rows with calamine."""
    from python_calamine import CalamineWorkbook

    return _every_sheet(paths, CalamineWorkbook.from_path,
                        lambda book, name: book.get_sheet_by_name(name).to_python())


def fastexcel_read(paths: list[Path]) -> float:
    """Seconds to read every sheet of ``paths`` into Arrow columns with fastexcel (the
    reader's fast path; calamine underneath), for comparison with :func:`calamine_read`."""
    import fastexcel

    return _every_sheet(paths, fastexcel.read_excel,
                        lambda book, name: book.load_sheet(name).to_arrow())


def one_run(out: Path, inputs: list[Path] | None
            ) -> tuple[dict[str, float], float, list[Path]]:
    """The CLI's run, in process: (seconds per phase, total, files written)."""
    from fta_compare.pages import keep_freed_memory

    keep_freed_memory()  # as the command's entry point does, before numpy is imported
    from fta_compare import api
    from fta_compare.phases import Phases
    from fta_compare.report.writer import write_report
    phases = Phases(show=False)
    t = time.perf_counter()
    result = api.run(inputs, depth_channel=True, phases=phases, ge_later=True)
    with phases.phase("write"):  # as the command: the sector model finishes meanwhile
        written = write_report(result, out, force=True)
        api.complete(result)
    return dict(phases.table()), time.perf_counter() - t, written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--inputs", type=Path, nargs="+", default=None,
                    help="input tables (default: the bundled tables)")
    args = ap.parse_args(argv)
    from fta_compare import api

    inputs = args.inputs or api.default_inputs()
    arrow_read = statistics.median(fastexcel_read(inputs) for _ in range(args.repeat))
    with tempfile.TemporaryDirectory() as tmp:
        cli = Path(sys.executable).with_name("fta-compare")
        out = Path(tmp) / "comparison.xlsx"
        runs, commands, reads = [], [], []
        # the read, the command and the run alternate, so that a slower spell of this
        # shared machine weighs on the unit and on what it measures alike
        for _ in range(args.repeat):
            reads.append(calamine_read(inputs))
            t = time.perf_counter()
            subprocess.run([str(cli), "run", *map(str, args.inputs or []), "--depth-channel",
                            "--force", "--quiet", "--out", str(Path(tmp) / "cli.xlsx")],
                           check=True, capture_output=True, cwd=REPO)
            commands.append(time.perf_counter() - t)
            # each run in a fresh process, as from the command line
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                runs.append(pool.submit(one_run, out, args.inputs).result())
        command = statistics.median(commands)
        read = statistics.median(reads)
        pairs = sorted(c / r for c, r in zip(commands, reads, strict=True))
        k = sorted(range(len(runs)), key=lambda i: runs[i][1])[len(runs) // 2]
        phases, total, written = runs[k]
        sizes = {p.name: p.stat().st_size for p in written}
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"inputs: {', '.join(p.name for p in inputs)} "
          f"({sum(p.stat().st_size for p in inputs) / 1e6:.1f} MB); {os.cpu_count()} cores")
    print(f"calamine read alone (median of {args.repeat}): {read:6.2f} s   (the goal's unit: "
          "python-calamine, every sheet to Python rows)")
    print(f"fastexcel read alone (median of {args.repeat}): {arrow_read:6.2f} s   (every sheet "
          "to Arrow columns, one thread)")
    print()
    print(f"{'phase':<12}{'seconds':>9}{'x read':>9}")
    for name, sec in phases.items():
        print(f"{name:<12}{sec:9.2f}{sec / read:9.2f}")
    totals = sorted(r[1] for r in runs)
    print(f"{'run total':<12}{total:9.2f}{total / read:9.2f}   "
          f"(median of {len(runs)}; {totals[0]:.2f}-{totals[-1]:.2f} s)")
    print(f"{'command':<12}{command:9.2f}{command / read:9.2f}   "
          f"(the README's command as a subprocess, interpreter start included; median of "
          f"{len(commands)}: {min(commands):.2f}-{max(commands):.2f} s)")
    print(f"command / the read just before it, each repeat: "
          f"{', '.join(f'{x:.2f}' for x in pairs)} (median {statistics.median(pairs):.2f})")
    print("the sector model solves in a low-priority process from the start of solve to the "
          "end of write (as the command runs it); robustness (one thread per other PE model) "
          "runs beside tables: its row is the wait left after tables")
    print()
    for name, size in sizes.items():
        print(f"{name:<40}{size / 1e6:8.1f} MB")
    print(f"peak RSS of a run (largest child process): {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
