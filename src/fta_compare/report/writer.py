"""The comparison workbook: human sheets first, then the contract sheets.

Sheet order: summary, compare, one sheet per scenario, sectors, assumptions, sources,
manifest, warnings, glossary, convergence, then results, prices, welfare, scorecard,
applied (DESIGN.md section 5). The sheets live in :mod:`~fta_compare.report.summary`,
:mod:`~fta_compare.report.sheets` and :mod:`~fta_compare.report.plain`; the detail the
workbook holds is chosen in :mod:`~fta_compare.report.detail`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.report import views
from fta_compare.report.atomic import atomic_paths, check_targets
from fta_compare.report.book import Book
from fta_compare.report.detail import applied_changes, changed_results
from fta_compare.report.plain import plain_sheet
from fta_compare.report.sensitivity_book import write_sensitivity, write_sensitivity_sheet
from fta_compare.report.sheets import (
    assumptions,
    compare,
    glossary,
    manifest,
    scenario_sheet,
    sectors_sheet,
    sources,
    warnings_sheet,
)
from fta_compare.report.summary import summary
from fta_compare.results import PRICE_COLUMNS, RESULT_COLUMNS, WELFARE_COLUMNS, RunResult

CONTRACT_SHEETS = ("results", "prices", "welfare", "scorecard", "applied")
__all__ = ["CONTRACT_SHEETS", "applied_changes", "write_report", "write_sensitivity",
           "write_sensitivity_sheet"]

def write_report(result: RunResult, out: Path, force: bool = False,
                 detail_parquet: bool = True) -> list[Path]:
    """Write the comparison workbook atomically; returns the files written.

    The full ``results`` detail also goes to ``<out stem>.results.parquet`` beside the
    workbook (always, so scripts need not parse Excel), written atomically too.
    """
    out = Path(out)
    detail = out.with_name(out.stem + ".results.parquet")
    targets = [out, detail] if detail_parquet else [out]
    check_targets(targets, force)
    with atomic_paths(targets, force) as temps:  # both files, or neither, are replaced
        _write_workbook(result, temps[0], detail.name if detail_parquet else "")
        if detail_parquet:
            result.results.to_parquet(temps[1], index=False)
    return targets


VIEW_COLUMNS = ("scenario", "importer", "exporter", "hs", "base_value", "new_value",
                "trade_creation", "trade_diversion")


def _focus_rows(results: pd.DataFrame, focus: str) -> pd.DataFrame:
    """The cross-border rows where ``focus`` is exporter or importer, with the columns the
    partner and product views read (a small copy; the other views read ``results``)."""
    cols = [c for c in VIEW_COLUMNS if c in results.columns]
    e, i, labels = views.shared_codes(results["exporter"], results["importer"])
    f = np.flatnonzero(labels == focus)
    k = int(f[0]) if f.size else -2  # -2: matches no row (missing codes are -1)
    mine = ((e == k) | (i == k)) & (e != i)
    return results.loc[mine, cols].reset_index(drop=True)


def _write_workbook(result: RunResult, path: Path, detail_name: str) -> None:
    book = Book(path)
    cfg = result.config
    focus = cfg.focus
    focus_rows = _focus_rows(result.results, focus)
    totals = views.country_totals(result.results, result.welfare)
    partners = views.partner_view(focus_rows, focus)
    sectors = views.sector_view(result.results, result.sectors)
    first = views.first_ranked(result.scorecard, focus, cfg.depth_channel)

    summary(book, result, totals, partners, first)
    compare(book, totals)
    for scen in result.scenarios:
        scenario_sheet(book, result, scen, totals, partners, sectors, focus_rows)
    sectors_sheet(book, sectors)
    assumptions(book, result)
    sources(book, result)
    manifest(book, result, detail_name)
    warnings_sheet(book, result)
    glossary(book)
    if cfg.solution == "exact" or (~result.convergence["converged"]).any():
        plain_sheet(book, "convergence", result.convergence, human=False)
    for extra_name, extra in result.extra.items():
        plain_sheet(book, extra_name, extra, human=True)
    res = changed_results(result.results)
    plain_sheet(book, "results", res[[*RESULT_COLUMNS, *[
        c for c in res.columns if c not in RESULT_COLUMNS]]], human=False, split=True)
    prices = result.prices[result.prices["world_price_change"] != 0]
    plain_sheet(book, "prices", prices[PRICE_COLUMNS], human=False, split=True)
    plain_sheet(book, "welfare", result.welfare[WELFARE_COLUMNS], human=False)
    plain_sheet(book, "scorecard", result.scorecard, human=False)
    plain_sheet(book, "applied", applied_changes(result.applied), human=False, split=True)
    book.wb.set_properties({
        "title": result.meta.get("title", "fta-compare comparison"),
        "subject": f"Trade-agreement comparison for {focus}",
        "author": "fta-compare",
        "company": "",
        "comments": f"fta-compare {cfg.tool_version}; model {cfg.model} ({cfg.solution})",
        "keywords": "trade policy, partial equilibrium, FTA, CPTPP, tariffs",
        "created": datetime.now(UTC).replace(tzinfo=None),
    })
    book.wb.close()


