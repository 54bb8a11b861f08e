"""Read a 500,000-row SYNTHETIC ``trade`` sheet with each xlsx engine: time and peak memory.

The sheet (exporter, importer, hs as text, value, quality) is written once to a temp dir
with XlsxWriter. Each engine then reads it in a fresh subprocess, which reports its wall
time, CPU time (user + system) and peak resident memory (``getrusage`` maxrss: counts the
Rust allocations of calamine, which ``tracemalloc`` cannot see); the memory of a subprocess
that only imports the libraries is printed as the floor.

Engines: openpyxl read-only mode (``iter_rows(values_only=True)``), pandas'
``read_excel(engine="calamine")``, python-calamine directly (what
:mod:`fta_compare.inputs.reader` calls) and the project's whole reader
(:func:`fta_compare.inputs.reader.read_inputs`: zip safety scan + calamine + DataFrame).

Run: ``python benchmarks/read_engines.py [--rows 500000]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SEED = 7
ENGINES = ("imports only", "openpyxl read-only", "pandas calamine", "python-calamine",
           "fta_compare reader")


def write_sheet(path: Path, rows: int, seed: int = SEED) -> None:
    """A SYNTHETIC trade sheet of ``rows`` rows (XlsxWriter, constant_memory)."""
    import xlsxwriter

    rng = np.random.default_rng(seed)
    cc = np.array(["KOR", "CHN", "JPN", "USA", "AUS", "CAN", "MEX", "VNM", "DEU", "FRA"])
    exp = cc[rng.integers(0, len(cc), rows)].tolist()
    imp = cc[rng.integers(0, len(cc), rows)].tolist()
    hs = np.char.zfill(rng.integers(10_000, 970_000, rows).astype(str), 6).tolist()
    value = np.round(rng.lognormal(4.0, 2.0, rows), 3).tolist()
    quality = np.where(rng.random(rows) < 0.05, "imputed:synthetic", "observed").tolist()
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("trade")
    ws.write_row(0, 0, ["exporter", "importer", "hs", "value", "quality"])
    for i, (a, b, c, d, e) in enumerate(zip(exp, imp, hs, value, quality, strict=True), 1):
        ws.write_string(i, 0, a)
        ws.write_string(i, 1, b)
        ws.write_string(i, 2, c)
        ws.write_number(i, 3, d)
        ws.write_string(i, 4, e)
    wb.close()


def _read(engine: str, path: Path) -> int:
    """Read the whole sheet into Python objects; returns the data rows read."""
    if engine == "imports only":
        return 0
    if engine == "openpyxl read-only":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = list(wb["trade"].iter_rows(values_only=True))
        wb.close()
        return len(rows) - 1
    if engine == "pandas calamine":
        import pandas as pd

        df = pd.read_excel(path, sheet_name="trade", engine="calamine", dtype={"hs": str})
        return len(df)
    if engine == "python-calamine":
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_name("trade").to_python(skip_empty_area=False)
        wb.close()
        return len(rows) - 1
    if engine == "fta_compare reader":
        from fta_compare.inputs.reader import read_inputs

        res = read_inputs([path])
        return len(res.tables["trade"])
    raise ValueError(engine)


def child(engine: str, path: Path) -> None:
    """Subprocess body: read, then print one JSON line of measurements.

    Every engine's process first imports all the libraries (untimed), so the memory of
    the "imports only" process is a common floor.
    """
    import openpyxl
    import pandas
    import python_calamine

    import fta_compare.inputs.reader as reader

    assert all((openpyxl, pandas, python_calamine, reader))
    t, ru0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    n = _read(engine, path)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "rows": n, "wall": time.perf_counter() - t,
        "cpu": ru.ru_utime - ru0.ru_utime + ru.ru_stime - ru0.ru_stime,
        "maxrss_mib": ru.ru_maxrss / 1024,
    }))


def measure(engine: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", engine, str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trade.xlsx"
        t = time.perf_counter()
        write_sheet(path, args.rows)
        print(f"SYNTHETIC trade sheet: {args.rows:,} rows x 5 columns, "
              f"{path.stat().st_size / 2**20:.1f} MiB (written in {time.perf_counter() - t:.1f} s)")
        res = {e: measure(e, path) for e in ENGINES}
    floor = res["imports only"]["maxrss_mib"]
    print(f"{'engine':22s} {'rows':>9s} {'wall s':>8s} {'cpu s':>8s} {'peak RSS MiB':>13s} "
          f"{'above imports':>14s}")
    for e, r in res.items():
        print(f"{e:22s} {int(r['rows']):9,d} {r['wall']:8.2f} {r['cpu']:8.2f} "
              f"{r['maxrss_mib']:13.0f} {r['maxrss_mib'] - floor:14.0f}")
    engines = [e for e in ENGINES if e not in ("imports only", "fta_compare reader")]
    best = min(engines, key=lambda e: res[e]["wall"])
    op = res["openpyxl read-only"]
    print(f"choice: {best} (fastest raw engine); openpyxl read-only / {best}: wall "
          f"{op['wall'] / res[best]['wall']:.1f}x, cpu {op['cpu'] / res[best]['cpu']:.1f}x; "
          f"memory above imports: openpyxl {op['maxrss_mib'] - floor:.0f} MiB (streams "
          f"rows), {best} {res[best]['maxrss_mib'] - floor:.0f} MiB (holds the sheet)")
    rd, pc = res["fta_compare reader"], res["python-calamine"]
    print(f"project reader / python-calamine: wall {rd['wall'] / pc['wall']:.2f}x, cpu "
          f"{rd['cpu'] / pc['cpu']:.2f}x (the rest: zip safety scan, DataFrame)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
