"""Write a 400,000-row x 11-column SYNTHETIC results table with each xlsx writer.

Engines, each in a fresh subprocess (wall time, CPU time, peak RSS by ``getrusage``, file
size): XlsxWriter with normal worksheets (every cell held in memory until ``close``),
XlsxWriter ``constant_memory`` worksheets (rows streamed to a temp file, inline strings),
openpyxl write-only mode, and the project's contract-sheet writer
(:func:`fta_compare.report.plain.plain_sheet`, XlsxWriter ``constant_memory``
worksheets whose data rows are rendered in bulk) that ``write_report`` uses for
``results``, and the same writer cell by cell through XlsxWriter's API (as before). The
table has the contract columns of ``results`` (scenario, importer, exporter, hs as text,
six numbers) plus ``quality``.

Run: ``python benchmarks/write_engines.py [--rows 400000]``
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
import pandas as pd

SEED = 11
ENGINES = ("xlsxwriter normal", "xlsxwriter constant_memory", "openpyxl write-only",
           "fta_compare _plain_sheet", "fta_compare cell by cell")


def table(rows: int, seed: int = SEED) -> pd.DataFrame:
    """The SYNTHETIC results table: 4 text columns, 6 numbers, a quality label."""
    rng = np.random.default_rng(seed)
    cc = np.array(["KOR", "CHN", "JPN", "USA", "AUS", "CAN", "MEX", "VNM", "DEU", "FRA"],
                  dtype=object)
    scen = np.array(["cjk", "cptpp_kor", "us_deals", "us_no_deal"], dtype=object)
    base = np.round(rng.lognormal(4.0, 2.0, rows), 3)
    new = base * rng.uniform(0.8, 1.2, rows)
    return pd.DataFrame({
        "scenario": scen[np.sort(rng.integers(0, len(scen), rows))],
        "importer": cc[rng.integers(0, len(cc), rows)],
        "exporter": cc[rng.integers(0, len(cc), rows)],
        "hs": np.char.zfill(rng.integers(10_000, 970_000, rows).astype(str), 6).astype(object),
        "base_value": base, "new_value": new,
        "trade_creation": (new - base) * 0.6, "trade_diversion": (new - base) * 0.4,
        "base_rate": np.round(rng.uniform(0, 0.2, rows), 4),
        "new_rate": np.round(rng.uniform(0, 0.2, rows), 4),
        "quality": np.where(rng.random(rows) < 0.05, "imputed", "observed").astype(object),
    })


def _write(engine: str, df: pd.DataFrame, path: Path) -> None:
    cols = [df[c].tolist() for c in df.columns]
    if engine.startswith("xlsxwriter"):
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path), {"constant_memory": engine.endswith("memory")})
        ws = wb.add_worksheet("results")
        ws.write_row(0, 0, list(df.columns))
        kinds = [ws.write_string if df[c].dtype == object or pd.api.types.is_string_dtype(
            df[c].dtype) else ws.write_number for c in df.columns]
        for i, row in enumerate(zip(*cols, strict=True), start=1):
            for j, v in enumerate(row):
                kinds[j](i, j, v)
        wb.close()
    elif engine == "openpyxl write-only":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("results")
        ws.append(list(df.columns))
        for row in zip(*cols, strict=True):
            ws.append(row)
        wb.save(path)
    elif engine.startswith("fta_compare"):
        from fta_compare.report import plain
        from fta_compare.report.book import Book

        if engine.endswith("cell by cell"):  # the writer before row streaming
            plain._stream_rows = lambda *_a, **_k: False
        book = Book(path)
        plain.plain_sheet(book, "results", df, human=False)
        book.wb.close()
    else:
        raise ValueError(engine)


def child(engine: str, rows: int, path: Path) -> None:
    """Subprocess body: build the table, write it, print one JSON line of measurements."""
    df = table(rows)
    t, ru0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    _write(engine, df, path)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "wall": time.perf_counter() - t,
        "cpu": ru.ru_utime - ru0.ru_utime + ru.ru_stime - ru0.ru_stime,
        "maxrss_mib": ru.ru_maxrss / 1024, "bytes": path.stat().st_size,
    }))


def measure(engine: str, rows: int, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", engine, str(rows), str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=400_000)
    ap.add_argument("--child", nargs=3, metavar=("ENGINE", "ROWS", "PATH"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]), Path(args.child[2]))
        return 0
    print(f"SYNTHETIC results table: {args.rows:,} rows x 11 columns "
          f"({args.rows * 11:,} cells)")
    res: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k, e in enumerate(ENGINES):
            res[e] = measure(e, args.rows, Path(tmp) / f"w{k}.xlsx")
    print(f"{'engine':28s} {'wall s':>8s} {'cpu s':>8s} {'cells/s':>10s} {'peak RSS MiB':>13s} "
          f"{'file MiB':>9s}")
    cells = args.rows * 11
    for e, r in res.items():
        print(f"{e:28s} {r['wall']:8.2f} {r['cpu']:8.2f} {cells / r['wall']:10,.0f} "
              f"{r['maxrss_mib']:13.0f} {r['bytes'] / 2**20:9.1f}")
    cm, nm = res["xlsxwriter constant_memory"], res["xlsxwriter normal"]
    op = res["openpyxl write-only"]
    print(f"ratio openpyxl write-only / xlsxwriter constant_memory: wall "
          f"{op['wall'] / cm['wall']:.2f}x, cpu {op['cpu'] / cm['cpu']:.2f}x")
    print(f"ratio xlsxwriter normal / constant_memory: wall {nm['wall'] / cm['wall']:.2f}x, "
          f"peak RSS {nm['maxrss_mib'] / cm['maxrss_mib']:.2f}x, "
          f"file size {nm['bytes'] / cm['bytes']:.2f}x")
    pj, pc = res["fta_compare _plain_sheet"], res["fta_compare cell by cell"]
    print(f"ratio project writer (rows streamed) / xlsxwriter constant_memory: wall "
          f"{pj['wall'] / cm['wall']:.2f}x, cpu {pj['cpu'] / cm['cpu']:.2f}x; cell by cell / "
          f"rows streamed: wall {pc['wall'] / pj['wall']:.2f}x, cpu {pc['cpu'] / pj['cpu']:.2f}x")
    fastest = min(res, key=lambda e: res[e]["wall"])
    verdict = "confirmed" if fastest.startswith(("xlsxwriter", "fta_compare")) else "refuted"
    print(f"fastest: {fastest}; XlsxWriter on speed: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
