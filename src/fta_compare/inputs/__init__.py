"""Reading and validating input workbooks (xlsx, csv, parquet) into :class:`InputTables`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from fta_compare.errors import InputError, Issue
from fta_compare.inputs.early_parse import EarlyParse
from fta_compare.inputs.reader import ReadResult, read_inputs
from fta_compare.inputs.tables import InputTables
from fta_compare.inputs.validate import validate_tables
from fta_compare.phases import Phases

__all__ = ["InputTables", "check_inputs", "load_inputs"]


def check_inputs(paths: Sequence[Path | str], phases: Phases | None = None,
                 after_read: Callable[[ReadResult], object] | None = None,
                 early: EarlyParse | None = None,
                 ) -> tuple[InputTables | None, list[Issue]]:
    """Read and validate; returns the tables (None when any error) and every issue found.

    ``phases`` (optional) times reading and validation apart; ``after_read`` is called
    with the tables as read, before validation; ``early``: see :func:`.reader.read_inputs`.
    The ``ge_*`` sheets are turned into the sector model's arrays once here (kept on the
    tables).
    """
    phases = phases or Phases(show=False)
    with phases.phase("read", "reading inputs"):
        read = read_inputs(paths, early)
    if after_read is not None:
        after_read(read)
    with phases.phase("validate", "validating inputs"):
        tables, issues = validate_tables(read)
        if tables is not None:
            from fta_compare.scenarios.validate import validate_scenarios

            more = validate_scenarios(tables)
            issues = issues + more
            if any(i.severity == "error" for i in more):
                tables = None
        if tables is not None and tables.has_ge:
            from fta_compare.inputs.ge_validate import build_ge

            arrays, ge_issues = build_ge(tables)
            issues = issues + ge_issues
            if any(i.severity == "error" for i in ge_issues):
                tables = None
            else:
                tables = replace(tables, warnings=tables.warnings + tuple(ge_issues),
                                 ge_arrays=arrays)
    return tables, issues


def load_inputs(paths: Sequence[Path | str], phases: Phases | None = None,
                after_read: Callable[[ReadResult], object] | None = None,
                early: EarlyParse | None = None) -> InputTables:
    """Validated tables, or :class:`InputError` listing every problem found
    (``after_read``, ``early``: see :func:`check_inputs`)."""
    tables, issues = check_inputs(paths, phases, after_read, early)
    if tables is None:
        raise InputError(issues)
    return tables
