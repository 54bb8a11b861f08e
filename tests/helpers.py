"""Test helpers: write real .xlsx workbooks with openpyxl (not with the tool's own writer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

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
