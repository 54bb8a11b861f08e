"""Command line of the table build (``python -m fta_compare.tablebuild``, ``make tables``).

``scripts/build_tariff_tables.py`` is a thin wrapper around :func:`main`. Defaults: shared data
``<repo>/../shared/data``, output ``<repo>/tariff_tables``, ``sectors.csv`` to
``src/fta_compare/data/`` (when ``--out`` is not given), where ``<repo>`` is the source checkout
holding this package (else the current directory).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .assemble import build_default, write_default, write_workbook
from .example import build_example
from .helpers import Log


def default_repo() -> Path:
    """The repository root of a source checkout (``src/`` layout), else the current directory."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / "pyproject.toml").is_file() else Path.cwd()


def main(argv: list[str] | None = None, repo: Path | None = None) -> int:
    """Build the tables; returns the process exit code."""
    repo = repo if repo is not None else default_repo()
    default_out = repo / "tariff_tables"
    ap = argparse.ArgumentParser(
        description="Build the default input workbook(s) of fta-compare from the shared "
        "public data."
    )
    ap.add_argument(
        "--shared",
        type=Path,
        default=repo.parent / "shared" / "data",
        help="shared data folder (default: <repo>/../shared/data)",
    )
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: tariff_tables)")
    ap.add_argument(
        "--sectors-csv",
        type=Path,
        default=None,
        help="where to write sectors.csv (default: src/fta_compare/data/sectors.csv "
        "when --out is the default, else <out>/sectors.csv)",
    )
    ap.add_argument(
        "--example-only",
        action="store_true",
        help="only write example_synthetic.xlsx (needs no shared data)",
    )
    ap.add_argument("--no-example", action="store_true", help="do not write example_synthetic.xlsx")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    log: Log = (lambda *a, **k: None) if args.quiet else print
    out: Path = args.out if args.out is not None else default_out
    sectors_csv: Path = args.sectors_csv or (
        repo / "src" / "fta_compare" / "data" / "sectors.csv"
        if args.out is None
        else out / "sectors.csv"
    )
    out.mkdir(parents=True, exist_ok=True)
    if not args.no_example:
        write_workbook(out / "example_synthetic.xlsx", build_example())
        log(f"wrote {out / 'example_synthetic.xlsx'}")
    if args.example_only:
        return 0
    if not args.shared.is_dir():
        print(f"error: shared data folder not found: {args.shared}", file=sys.stderr)
        return 1
    sheets = build_default(args.shared, log=log)
    write_default(sheets, out, log=log)
    sectors_csv.parent.mkdir(parents=True, exist_ok=True)
    sheets["sectors"].to_csv(sectors_csv, index=False, lineterminator="\n")
    log(f"wrote {sectors_csv}")
    for k, v in sheets.items():
        log(f"  {k}: {len(v):,} rows")
    return 0
