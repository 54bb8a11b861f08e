"""Header rows and blank cells of input sheets, as matched against the contract."""

from __future__ import annotations

import re

from fta_compare.errors import Issue
from fta_compare.inputs.tables import FILE_COL, ROW_COL, SHEET_COL, column_letter

RESERVED_COLUMNS = (FILE_COL, SHEET_COL, ROW_COL)


def normalise_name(name: str) -> str:
    """Sheet or column name as matched against the contract: trimmed, lower, '_' for spaces."""
    return re.sub(r"\s+", "_", str(name).strip().lower())


def header_names(header: list[object], file: str, sheet: str, header_row: int,
                 issues: list[Issue]) -> list[str]:
    """Normalised header names; '' for a column that is skipped (blank, repeated, reserved)."""
    names: list[str] = []
    first: dict[str, int] = {}
    for j, h in enumerate(header):
        name = "" if is_blank(h) else normalise_name(str(h))
        cell = f"{column_letter(j)}{header_row}"
        if name in RESERVED_COLUMNS:
            issues.append(Issue(file, sheet, cell, str(h), f"column name '{name}' is "
                                "reserved for cell locations; column ignored", "warning"))
            name = ""
        elif name and name in first:
            other = f"{column_letter(first[name])}{header_row}"
            issues.append(Issue(file, sheet, cell, str(h), f"column '{name}' appears twice "
                                f"in the header row (also {other}); keep one"))
            name = ""
        elif name:
            first[name] = j
        names.append(name)
    return names


def is_blank(v: object) -> bool:
    """An empty cell as python-calamine gives it: None, NaN, or text of whitespace only."""
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    if isinstance(v, float):
        return v != v  # NaN
    return False
