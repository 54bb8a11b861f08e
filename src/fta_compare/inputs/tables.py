"""Validated input tables: the only thing downstream code reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fta_compare.errors import Issue
from fta_compare.inputs.schema import GE_SHEETS


@dataclass(frozen=True)
class InputTables:
    """Validated, normalised input tables (DESIGN.md section 2).

    Every table is a DataFrame with the contract's columns, cleaned:
    codes upper-case ``str``; ``hs`` ``str`` of digits (or ``*``); rates and values
    ``float64``; ``year`` nullable ``Int64``; dates ``datetime64[ns]`` (NaT = open);
    blanks in text columns ``""``. Absent optional sheets are ``None``.
    ``meta`` is a plain dict of strings. ``files`` lists the inputs read.
    """

    trade: pd.DataFrame
    elasticities: pd.DataFrame | None = None
    applied: pd.DataFrame | None = None
    mfn: pd.DataFrame | None = None
    agreements: pd.DataFrame | None = None
    preferences: pd.DataFrame | None = None
    duties: pd.DataFrame | None = None
    depth: pd.DataFrame | None = None
    scenarios: pd.DataFrame | None = None
    regions: pd.DataFrame | None = None
    sources: pd.DataFrame | None = None
    utilisation: pd.DataFrame | None = None
    sectors: pd.DataFrame | None = None
    weights: pd.DataFrame | None = None
    elasticity_draws: pd.DataFrame | None = None
    # sector tables of the general-equilibrium model (DESIGN 2, 3e); see inputs/ge_validate.py
    ge_trade: pd.DataFrame | None = None
    ge_applied: pd.DataFrame | None = None
    ge_intermediate: pd.DataFrame | None = None
    ge_final: pd.DataFrame | None = None
    ge_value_added: pd.DataFrame | None = None
    ge_deficits: pd.DataFrame | None = None
    ge_elasticities: pd.DataFrame | None = None
    ge_sectors: pd.DataFrame | None = None
    meta: dict[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    warnings: tuple[Issue, ...] = ()
    sheet_files: dict[str, str] = field(default_factory=dict)  # table -> file it came from
    ge_arrays: Any = None  # inputs.ge_validate.GEInputs, built once during validation

    def file_of(self, table: str) -> str:
        """The input file a table was read from (the first input when unknown), so that
        every issue about it names a file."""
        return self.sheet_files.get(table) or (self.files[0] if self.files else "")

    @property
    def has_schedules(self) -> bool:
        """True when the scenario compiler can build the applied table (mfn + scenarios)."""
        return self.mfn is not None and self.scenarios is not None

    @property
    def has_ge(self) -> bool:
        """True when any general-equilibrium sheet (``ge_*``) has rows."""
        return any(getattr(self, name) is not None and len(getattr(self, name))
                   for name in GE_SHEETS)

    @property
    def ge_only(self) -> bool:
        """A GE-only input: sector tables and no PE ``trade`` rows (``trade`` is empty)."""
        return self.has_ge and self.trade.empty


ROW_COL = "_row"  # Excel row number (1-based, header is row 1) of each input row
FILE_COL = "_file"  # file name the row was read from
SHEET_COL = "_sheet"  # sheet name the row was read from (e.g. "trade_2" for a split table)


def column_letter(index0: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 27 -> AB)."""
    letters = ""
    n = index0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(df: pd.DataFrame, index: object, column: str) -> tuple[str, str, str]:
    """(file, sheet, cell) of ``df.loc[index, column]`` as read from the workbook.

    Uses the hidden ``_file``/``_sheet``/``_row`` columns and ``df.attrs['letters']``
    (a mapping ``(file, sheet) -> {column: letter}``) that the reader attaches.
    Falls back to the column name when the table did not come from a sheet.
    """
    row = df.loc[index]
    file = str(row.get(FILE_COL, "")) if FILE_COL in df.columns else ""
    sheet = str(row.get(SHEET_COL, "")) if SHEET_COL in df.columns else ""
    r = row.get(ROW_COL) if ROW_COL in df.columns else None
    letters = df.attrs.get("letters", {}).get((file, sheet), {})
    col = letters.get(column, column)
    cell = f"{col}{int(r)}" if r is not None and not pd.isna(r) else col
    return file, sheet, cell


def issue_at(
    df: pd.DataFrame, index: object, column: str, rule: str, severity: str = "error",
    sheet: str | None = None,
) -> Issue:
    """An :class:`Issue` pointing at ``df.loc[index, column]``."""
    file, sh, cell = cell_ref(df, index, column)
    value = df.loc[index, column] if column in df.columns else ""
    shown = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return Issue(file=file, sheet=sh or (sheet or ""), cell=cell, value=shown, rule=rule,
                 severity=severity)  # type: ignore[arg-type]
