"""Test helpers: write real .xlsx workbooks with openpyxl (not with the tool's own writer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook

from fta_compare.model.arrays import MarketArrays

Rows = list[list[Any]]


def write_xlsx(path: Path, sheets: dict[str, Rows], text_columns: dict[str, set[int]] | None
               = None) -> Path:
    """Write ``sheets`` (name -> rows, first row = header) to ``path`` with openpyxl."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for j in (text_columns or {}).get(name, set()):
            for cell in ws.iter_cols(min_col=j + 1, max_col=j + 1, min_row=2):
                for c in cell:
                    c.number_format = "@"
    wb.save(path)
    return path


def check_case_sheets() -> dict[str, Rows]:
    """DESIGN.md 3a check case: X imports 100 from A and 200 from B at 10%; A's rate to 0."""
    return {
        "trade": [["exporter", "importer", "hs", "value"],
                  ["KOR", "USA", "870323", 100.0],
                  ["JPN", "USA", "870323", 200.0]],
        "elasticities": [["hs", "country", "import_demand", "substitution", "export_supply"],
                         ["*", "*", -1.5, 1.5, None]],
        "applied": [["scenario", "importer", "exporter", "hs", "rate"],
                    ["baseline", "USA", "KOR", "870323", 0.10],
                    ["baseline", "USA", "JPN", "870323", 0.10],
                    ["cut_kor", "USA", "KOR", "870323", 0.0]],
        "meta": [["key", "value"], ["focus", "KOR"], ["title", "Check case (synthetic)"],
                 ["synthetic", "yes"]],
    }


# The Francois & Hall (2003) GSIM 4x4 worked example (US, JP, EU, RW): base trade and tariff
# powers T0 = 1 + t0 (see tests/test_model_gsim.py for where the numbers come from).
FH_M = np.array([[0, 50, 200, 300], [500, 0, 150, 200], [300, 100, 200, 200], [50, 100, 110, 20]])
FH_T0 = np.array([
    [1.00, 1.21, 1.41, 1.22],
    [1.37, 1.00, 1.31, 1.23],
    [1.32, 1.36, 1.00, 1.18],
    [1.57, 1.41, 1.25, 1.15],
])  # fmt: skip


def market(M: Any, t0: Any, Em: Any = -1.5, Es: Any = 1.5, Ex: Any = np.inf) -> MarketArrays:
    """MarketArrays for hand-built cases: M and t0 are (P, N, N); elasticities broadcast."""
    M = np.asarray(M, float)
    P, N = M.shape[0], M.shape[1]
    return MarketArrays(
        hs=np.array([f"{i:06d}" for i in range(P)]),
        countries=np.array([f"C{i}" for i in range(N)]),
        base_value=M,
        base_rate=np.asarray(t0, float),
        import_demand=np.broadcast_to(np.asarray(Em, float), (P, N)).copy(),
        substitution=np.broadcast_to(np.asarray(Es, float), (P, N)).copy(),
        export_supply=np.broadcast_to(np.asarray(Ex, float), (P, N)).copy(),
    )
