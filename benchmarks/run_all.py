"""Run every benchmark in ``benchmarks/`` in turn and print their figures (``make bench``).

Each ``benchmarks/*.py`` script other than this one runs as ``python <script>`` with its
default arguments, in a fresh process (so peak-memory figures do not mix), in a fixed
order: the model solvers, the sensitivity benchmark when present, the read and write
engines, then the full-scale run. Any other script found is run after these. The
machine's load average is printed before each, since wall times depend on it; each
script prints CPU time beside wall time.

Run: ``python benchmarks/run_all.py [--only NAME ...] [--quick]`` (``--quick`` passes
small sizes to the scripts that take them, for a smoke test).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("model_solvers", "sensitivity", "read_engines", "write_engines", "full_scale")
QUICK = {
    "model_solvers": ["--products", "500", "--countries", "10", "--repeat", "1"],
    "sensitivity": ["--draws", "8", "--no-dask"],
    "read_engines": ["--rows", "20000"],
    "write_engines": ["--rows", "20000"],
    "full_scale": ["--products", "300", "--economies", "10", "--scenarios", "3"],
}


def scripts() -> list[Path]:
    """Benchmark scripts: the known ones in ORDER, then any other, alphabetically."""
    found = {p.stem: p for p in HERE.glob("*.py")
             if p.name != Path(__file__).name and not p.name.startswith("_")}
    known = [found.pop(n) for n in ORDER if n in found]
    return known + [found[n] for n in sorted(found)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=None, help="script names (without .py)")
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    args = ap.parse_args(argv)
    failed = []
    todo = [p for p in scripts() if args.only is None or p.stem in args.only]
    for path in todo:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\n#### {path.name} (load average {load})", flush=True)
        extra = QUICK.get(path.stem, []) if args.quick else []
        t = time.perf_counter()
        rc = subprocess.call([sys.executable, str(path), *extra], cwd=HERE.parent)
        print(f"#### {path.name}: exit {rc}, {time.perf_counter() - t:.1f} s", flush=True)
        if rc:
            failed.append(path.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
        return 1
    print(f"\nall {len(todo)} benchmarks ran")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
