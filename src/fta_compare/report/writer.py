"""The comparison workbook: human sheets first, then the contract sheets.

Sheet order: summary, compare, one sheet per scenario, sectors, assumptions, sources,
manifest, warnings, glossary, convergence, then results, prices, welfare, scorecard,
applied (DESIGN.md section 5). The sheets live in :mod:`~fta_compare.report.summary`,
:mod:`~fta_compare.report.sheets` and :mod:`~fta_compare.report.plain`; the detail the
workbook holds is chosen in :mod:`~fta_compare.report.detail`.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.parallel import lowest_thread_priority
from fta_compare.report import views
from fta_compare.report.atomic import atomic_paths, check_targets
from fta_compare.report.book import Book, xml_scratch
from fta_compare.report.detail import (
    DETAIL_MODES,
    Selection,
    applied_changes,
    select_applied,
    select_elasticities,
    select_prices,
    select_results,
)
from fta_compare.report.ge_sheets import (
    ge_contract_sheets,
    ge_sectors_sheet,
    ge_welfare_sheet,
)
from fta_compare.report.plain import plain_sheet
from fta_compare.report.sensitivity_book import write_sensitivity, write_sensitivity_sheet
from fta_compare.report.sheets import (
    assumptions,
    compare,
    elasticity_pairs,
    glossary,
    manifest,
    scenario_sheet,
    sectors_sheet,
    sources,
    warnings_sheet,
)
from fta_compare.report.summary import ge_summary, summary
from fta_compare.results import (
    PRICE_COLUMNS,
    RESULT_COLUMNS,
    WELFARE_COLUMNS,
    RunResult,
    complete,
)

CONTRACT_SHEETS = ("results", "prices", "welfare", "scorecard", "applied")
__all__ = ["CONTRACT_SHEETS", "applied_changes", "write_report", "write_sensitivity",
           "write_sensitivity_sheet"]

def detail_paths(out: Path) -> dict[str, Path]:
    """The Parquet files beside the workbook: complete results, prices and applied tables."""
    return {name: out.with_name(f"{out.stem}.{name}.parquet")
            for name in ("results", "prices", "applied", "elasticities")}


def write_report(result: RunResult, out: Path, force: bool = False,
                 detail_parquet: bool = True, detail: str = "summary") -> list[Path]:
    """Write the comparison workbook atomically; returns the files written.

    The complete ``results``, ``prices``, ``applied`` and ``elasticities`` tables also go
    to ``<out stem>.<table>.parquet`` beside the workbook (always, so scripts need not
    parse Excel), written atomically with it: all files are replaced, or none. ``applied``
    is in the input contract's form: every cell's baseline rate, then each scenario's rates
    that differ (a missing row keeps the baseline). The Parquet files are written in a
    second thread, at the lowest priority, while the workbook is built (pyarrow works
    outside the GIL).
    ``detail``: 'summary' (the workbook holds a documented selection of large detail
    tables, see :mod:`fta_compare.report.detail`) or 'full' (every row in it too).
    A result whose sector model is still pending (``api.run(..., ge_later=True)``) waits
    for it only after the sheets that do not need it; those that do keep their place.
    """
    if detail not in DETAIL_MODES:
        raise ValueError(f"detail must be one of {DETAIL_MODES}")
    out = Path(out)
    parquet = detail_paths(out) if detail_parquet and not _ge_only(result) else {}
    targets = [out, *parquet.values()]
    try:
        check_targets(targets, force)
        _write_all(result, parquet, targets, force, detail)
    except BaseException:
        if result.pending_ge is not None:  # nobody will wait for the sector model
            result.pending_ge.cancel()
        raise
    return targets


def _ge_only(result: RunResult) -> bool:
    """A run of the sector model alone (inputs with ``ge_*`` sheets and no PE tables)."""
    return result.results.empty and result.ge is not None


def _write_all(result: RunResult, parquet: dict[str, Path], targets: list[Path],
               force: bool, detail: str) -> None:
    """Every target written to a temporary file, then all put in place (atomic)."""
    with (atomic_paths(targets, force) as temps,
          ThreadPoolExecutor(max_workers=1, initializer=lowest_thread_priority) as pool):
        names = {k: p.name for k, p in parquet.items()}
        # the applied rows of the Parquet file and of the sheet, made once
        changes = None if _ge_only(result) else applied_changes(result.applied)
        tables = {"results": lambda: result.results, "prices": lambda: result.prices,
                  "applied": lambda: changes,
                  "elasticities": lambda: elasticity_pairs(result.elasticities)}
        jobs = [pool.submit(lambda n=name, t=tmp: write_parquet(tables[n](), t))
                for (name, _), tmp in zip(parquet.items(), temps[1:], strict=True)]
        _write_workbook(result, temps[0], names, detail, changes)
        for job in jobs:
            job.result()  # raises what the thread raised; the context then cleans up


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """``df`` as Parquet (pyarrow, snappy): label columns dictionary-encoded, numeric
    columns plain. Statistics only on ``scenario``: the detail tables run scenario by
    scenario, so its row-group minima and maxima tell row groups apart (for readers that
    skip on them; pyarrow does not on dictionary columns), while every row group spans
    all economies and products. On the default run, statistics on the other label
    columns took 0.4 of 1.7 CPU-seconds and could skip nothing."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    labels = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c].dtype)
              or pd.api.types.is_bool_dtype(df[c].dtype)]
    pq.write_table(table, str(path), compression="snappy", use_dictionary=labels or False,
                   write_statistics=[c for c in labels if c == "scenario"] or False)


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


@dataclass(frozen=True)
class _Views:
    """The aggregations the human sheets show (:mod:`fta_compare.report.views`)."""

    focus_rows: pd.DataFrame
    totals: pd.DataFrame
    partners: pd.DataFrame
    sectors: pd.DataFrame
    first: pd.DataFrame


def _views(result: RunResult) -> _Views:
    focus = result.config.focus
    focus_rows = _focus_rows(result.results, focus)
    return _Views(focus_rows, views.country_totals(result.results, result.welfare),
                  views.partner_view(focus_rows, focus),
                  views.sector_view(result.results, result.sectors),
                  views.first_ranked(result.scorecard, focus, result.config.depth_channel))


def _write_workbook(result: RunResult, path: Path, parquet: dict[str, str],
                    detail: str = "summary", changes: pd.DataFrame | None = None) -> None:
    """The workbook; ``changes``: :func:`applied_changes` of the run, if already made.

    The human views are passes over the long results table (numpy, mostly without the
    GIL): they are made on a thread of their own while the contract sheets are written,
    and the sheets that show them keep their place in the tab order (``Book.reserve``).
    """
    with xml_scratch(bounded=detail != "full") as tmp:
        if _ge_only(result):
            _write_ge_workbook(result, Book(path, tmp))
            return
        with ThreadPoolExecutor(max_workers=1) as pool:
            made = pool.submit(_views, result)
            _write_sheets(result, Book(path, tmp), parquet, detail, changes, made)


def _write_sheets(result: RunResult, book: Book, parquet: dict[str, str], detail: str,
                  changes: pd.DataFrame | None, made: Future[_Views]) -> None:
    cfg = result.config
    focus = cfg.focus
    picks = [
        select_results(result.results, focus, parquet.get("results", ""), detail),
        select_prices(result.prices, focus, parquet.get("prices", ""), detail),
        select_applied(result.applied, focus, parquet.get("applied", ""), detail,
                       changes=changes),
    ]
    el_pick: list[Selection] = []

    def pick_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
        el_pick.append(select_elasticities(pairs, focus, parquet.get("elasticities", ""),
                                           detail))
        return el_pick[0].table
    cut = [p for p in picks if p.complete and len(p.table) < p.total]
    summary_notes = [
        "This workbook holds a selection of the cell-level detail: " + "; ".join(
            f"'{p.sheet}' {len(p.table):,} of {p.total:,} rows" for p in cut)
        + f" (the focus economy's largest changes; rules in 'manifest'). The complete tables "
        f"are the Parquet files beside it ({', '.join(p.complete for p in cut)}); "
        "'--detail full' puts every row here."] if cut else []

    # the sheets that show the views, or need the sector model while it still solves
    # (api.run(..., ge_later=True)), keep their place and are written last
    later = result.pending_ge is not None
    for name in ("summary", "compare", *result.scenarios, "sectors"):
        book.reserve(name)
    if later:
        book.reserve("GE real income")
        book.reserve("GE sectors")
    elif result.ge is not None:
        ge_welfare_sheet(book, result)
        ge_sectors_sheet(book, result)
    assumptions(book, result, pick_pairs)
    sources(book, result)
    manifest(book, result, [p.note for p in [*picks, *el_pick]])
    if later:
        book.reserve("warnings")
    else:
        warnings_sheet(book, result)
    glossary(book)
    if result.time_path is not None and len(result.time_path):
        plain_sheet(book, "time_path", result.time_path, human=True)
    if later:
        book.reserve("model_ranks", constant_memory=True)
    elif result.model_ranks is not None and len(result.model_ranks):
        plain_sheet(book, "model_ranks", result.model_ranks, human=False)
    conv = convergence_table(result.convergence)
    if len(conv):
        plain_sheet(book, "convergence", conv, human=False)
    for extra_name, extra in result.extra.items():
        plain_sheet(book, extra_name, extra, human=True)
    res = picks[0].table
    plain_sheet(book, "results", res[[*RESULT_COLUMNS, *[
        c for c in res.columns if c not in RESULT_COLUMNS]]], human=False, split=True)
    plain_sheet(book, "prices", picks[1].table[PRICE_COLUMNS], human=False, split=True)
    plain_sheet(book, "welfare", result.welfare[WELFARE_COLUMNS], human=False)
    card = result.scorecard
    plain_sheet(book, "scorecard", card[card["value"].notna() & card["rank"].notna()],
                human=False)
    plain_sheet(book, "applied", picks[2].table, human=False, split=True)
    v = made.result()
    with book.filling("compare"):
        compare(book, v.totals)
    for scen in result.scenarios:
        with book.filling(scen):
            scenario_sheet(book, result, scen, v.totals, v.partners, v.sectors, v.focus_rows)
    with book.filling("sectors"):
        sectors_sheet(book, v.sectors)
    if later:
        result = complete(result)
        with book.filling("GE real income"):
            ge_welfare_sheet(book, result)
        with book.filling("GE sectors"):
            ge_sectors_sheet(book, result)
        with book.filling("warnings"):
            warnings_sheet(book, result)
        with book.filling("model_ranks"):
            plain_sheet(book, "model_ranks", result.model_ranks, human=False)
    with book.filling("summary"):
        summary(book, result, v.totals, v.partners, v.first, summary_notes)
    if result.ge is not None:
        ge_contract_sheets(book, result)
    _properties(book, result)
    book.wb.close()


def _write_ge_workbook(result: RunResult, book: Book) -> None:
    """The workbook of a GE-only run (inputs with ``ge_*`` sheets and no PE tables)."""
    ge_summary(book, result)
    ge_welfare_sheet(book, result)
    ge_sectors_sheet(book, result)
    sources(book, result)
    manifest(book, result, [])
    warnings_sheet(book, result)
    glossary(book)
    ge_contract_sheets(book, result)
    _properties(book, result)
    book.wb.close()


def _properties(book: Book, result: RunResult) -> None:
    cfg = result.config
    focus = cfg.focus
    book.wb.set_properties({
        "title": result.meta.get("title", "fta-compare comparison"),
        "subject": f"Trade-agreement comparison for {focus}",
        "author": "fta-compare",
        "company": "",
        "comments": f"fta-compare {cfg.tool_version}; model {cfg.model} ({cfg.solution})",
        "keywords": "trade policy, partial equilibrium, FTA, CPTPP, tariffs",
        "created": datetime.now(UTC).replace(tzinfo=None),
    })


def convergence_table(conv: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: products solved, products not converged, largest residual, iterations;
    then one row per product that did not converge. Empty for closed-form models."""
    if conv.empty or (conv["iterations"].max() == 0 and conv["converged"].all()):
        return conv.iloc[:0]
    g = conv.groupby("scenario", sort=False, observed=True)
    per = pd.DataFrame({
        "scenario": list(g.groups), "hs": "all products",
        "converged": g["converged"].all().to_numpy(),
        "residual": g["residual"].max().to_numpy(),
        "iterations": g["iterations"].max().to_numpy(),
    })
    per["scenario"] = per["scenario"].astype(str)
    bad = conv[~conv["converged"]].astype({"scenario": str, "hs": str})
    return pd.concat([per, bad[list(per.columns)]], ignore_index=True)
