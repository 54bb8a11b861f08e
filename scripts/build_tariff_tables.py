#!/usr/bin/env python
"""Build the default input workbook(s) of fta-compare from the shared public data.

Thin entry point of the package :mod:`fta_compare.tablebuild` (one module per data source)::

    python scripts/build_tariff_tables.py [--shared ../shared/data] [--out tariff_tables]

writes ``tariff_tables/default.xlsx``, ``tariff_tables/example_synthetic.xlsx`` and
``src/fta_compare/data/sectors.csv`` (``--example-only``, ``--no-example``, ``--sectors-csv``,
``--quiet``: see ``--help``). Deterministic: the outputs are byte-identical across rebuilds.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

try:
    from fta_compare.tablebuild.cli import main
except ModuleNotFoundError:  # run from a checkout without the package installed
    sys.path.insert(0, str(REPO / "src"))
    from fta_compare.tablebuild.cli import main

if __name__ == "__main__":
    sys.exit(main(repo=REPO))
