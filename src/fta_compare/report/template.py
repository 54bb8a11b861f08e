"""``fta-compare template``: an empty input workbook with headers, validation and a README."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from fta_compare.inputs.schema import SHEETS, ColumnSpec
from fta_compare.report.atomic import atomic_path

VALIDATION_ROWS = 5000
README_LINES = [
    "fta-compare input workbook (template)",
    "",
    "Fill the sheets you need; delete the optional ones you do not use.",
    "Required: 'trade', and either 'applied' (with scenario 'baseline') or the schedules "
    "('mfn', 'scenarios', plus 'agreements', 'preferences', 'duties' as needed).",
    "Rates are FRACTIONS: 0.08 means 8%. HS codes are TEXT with leading zeros ('010121').",
    "Country codes are ISO 3166 alpha-3 (KOR, JPN, CHN, USA) or regions declared in "
    "'regions'.",
    "General-equilibrium sector model (--model ge): fill the ge_* sheets instead of (or beside) "
    "'trade' and 'applied': ge_trade, ge_applied (scenario 'baseline' required), ge_final, "
    "ge_value_added, ge_elasticities; ge_intermediate, ge_deficits, ge_sectors optional.",
    "Check the workbook with:  fta-compare validate THIS.xlsx",
    "Run it with:              fta-compare run THIS.xlsx --model gsim",
    "",
    "Sheets and columns:",
]


def _validation(col: ColumnSpec) -> dict | None:
    if col.kind.startswith("enum:"):
        return {"validate": "list", "source": col.kind.split(":", 1)[1].split("|")}
    if col.kind == "rate":
        return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 10,
                "input_title": "Rate as a fraction", "input_message": "0.08 = 8%",
                "error_title": "Rate out of range",
                "error_message": "Rates are fractions between 0 and 10 (0.08 = 8%)."}
    if col.kind == "share":
        return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1}
    if col.kind == "value":
        return {"validate": "decimal", "criteria": ">=", "value": 0,
                "error_message": "Trade values are >= 0."}
    if col.kind == "year":
        return {"validate": "integer", "criteria": "between", "minimum": 1947,
                "maximum": 2100}
    if col.name == "theta":
        return {"validate": "decimal", "criteria": ">", "value": 0,
                "error_message": "The trade elasticity theta must be positive."}
    if col.name == "import_demand":
        return {"validate": "decimal", "criteria": "<", "value": 0,
                "error_message": "Import demand elasticity must be negative."}
    if col.name == "substitution":
        return {"validate": "decimal", "criteria": ">", "value": 0,
                "error_message": "Substitution elasticity must be positive."}
    return None


def write_template(path: Path, force: bool = False) -> Path:
    """Write the template workbook atomically."""
    with atomic_path(path, force) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False})
        text = wb.add_format({"num_format": "@"})
        bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        readme = wb.add_worksheet("README")
        lines = list(README_LINES)
        for spec in SHEETS.values():
            lines.append(f"{spec.name}: {spec.doc}")
            for c in spec.columns:
                req = "required" if c.required else "optional"
                lines.append(f"    {c.name} ({c.kind}, {req}) {c.doc}")
        for i, line in enumerate(lines):
            readme.write_string(i, 0, line)
        readme.set_column(0, 0, 120)
        for spec in SHEETS.values():
            ws = wb.add_worksheet(spec.name)
            for j, c in enumerate(spec.columns):
                ws.write_string(0, j, c.name, bold)
                if c.doc:
                    ws.write_comment(0, j, c.doc)
                is_text = c.kind in ("hs", "hs_star", "code", "code_star", "codes", "text")
                ws.set_column(j, j, 16, text if is_text else None)
                v = _validation(c)
                if v is not None:
                    ws.data_validation(1, j, VALIDATION_ROWS, j, v)
            ws.freeze_panes(1, 0)
        wb.close()
    return path
