"""The comparison workbook (XlsxWriter): human sheets first, then the contract sheets.

Sheet order: summary, compare, one sheet per scenario, sectors, assumptions, sources,
manifest, warnings, glossary, convergence, then results, prices, welfare, scorecard,
applied (DESIGN.md section 5). Every data block is a named Excel table with a frozen
header, units in headers and number formats from :mod:`fta_compare.report.labels`.
Strings are never turned into formulas (``strings_to_formulas`` off), so text from
inputs that starts with ``=``, ``+``, ``-`` or ``@`` stays text.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from fta_compare.report import views
from fta_compare.report.atomic import atomic_path, atomic_paths, check_targets
from fta_compare.report.labels import LABELS, TEXT, label
from fta_compare.results import PRICE_COLUMNS, RESULT_COLUMNS, WELFARE_COLUMNS, RunResult
from fta_compare.sensitivity import SensitivityResult

EXCEL_MAX_ROWS = 1_048_576
SHEET_ROWS = 1_000_000  # data rows per contract sheet before it continues on <name>_2
CONTRACT_SHEETS = ("results", "prices", "welfare", "scorecard", "applied")
FORMULA_START = ("=", "+", "-", "@")


class _Book:
    """Workbook with the formats and helpers every sheet uses."""

    def __init__(self, path: Path) -> None:
        self.wb: Workbook = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": False,
            },
        )
        self._formats: dict[str, Any] = {}
        self.used_names: set[str] = set()
        self.title = self.wb.add_format({"bold": True, "font_size": 16})
        self.subtitle = self.wb.add_format({"italic": True, "font_color": "#555555"})
        self.heading = self.wb.add_format({"bold": True, "font_size": 12,
                                           "font_color": "#1F4E79"})
        self.note = self.wb.add_format({"text_wrap": True, "valign": "top"})
        self.bold = self.wb.add_format({"bold": True})
        self.wrap = self.wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.good = self.wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.bad = self.wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})

    def fmt(self, num_format: str) -> Any:
        if num_format not in self._formats:
            self._formats[num_format] = self.wb.add_format({"num_format": num_format})
        return self._formats[num_format]

    def sheet(self, name: str) -> Worksheet:
        safe = _sheet_name(name, self.used_names)
        self.used_names.add(safe.lower())
        return self.wb.add_worksheet(safe)

    def table_name(self, base: str) -> str:
        name = re.sub(r"[^A-Za-z0-9_]", "_", base)
        if not name or not (name[0].isalpha() or name[0] == "_"):
            name = "t_" + name
        name = name[:240]
        candidate, i = name, 2
        while candidate.lower() in self.used_names:
            candidate, i = f"{name}_{i}", i + 1
        self.used_names.add(candidate.lower())
        return candidate


def _sheet_name(name: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "sheet"
    candidate, i = clean, 2
    while candidate.lower() in used:
        suffix = f"~{i}"
        candidate, i = clean[: 31 - len(suffix)] + suffix, i + 1
    return candidate


def _cell_value(v: Any) -> Any:
    """Python value safe for a cell: NaN/inf never reach the sheet (blank / text 'inf')."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.strftime("%Y-%m-%d") if not pd.isna(v) else None
    return v


def _table_data(df: pd.DataFrame) -> list[list[Any]]:
    """Rows of cell values, as ``[[_cell_value(v) for v in row] for row in df]``.

    Converted a column at a time: floats that are all finite and text without blanks pass
    as they are (``_cell_value`` would return them unchanged); only other columns go
    through ``_cell_value`` value by value.
    """
    cols = []
    for c in range(df.shape[1]):
        col = df.iloc[:, c]
        values = col.tolist()
        plain = (pd.api.types.is_float_dtype(col.dtype) and col.dtype == np.float64
                 and bool(np.isfinite(col.to_numpy()).all())) or (
            pd.api.types.is_string_dtype(col.dtype) and not isinstance(
                col.dtype, pd.CategoricalDtype) and not col.isna().any()
            and all(type(v) is str for v in values))
        cols.append(values if plain else [_cell_value(v) for v in values])
    return [list(r) for r in zip(*cols, strict=True)]


def write_table(book: _Book, ws: Worksheet, df: pd.DataFrame, row: int, col: int, name: str,
                human: bool = True, widths: dict[int, int] | None = None,
                autofilter: bool = True, header_wrap: bool = False) -> int:
    """Write ``df`` as a named Excel table at (row, col); returns the next free row."""
    columns = list(df.columns)
    heads = [label(c).header if human else c for c in columns]
    fmts = [book.fmt(label(c).fmt) if label(c).fmt != "General" else None for c in columns]
    n = len(df)
    data = _table_data(df)
    last_row = row + max(n, 1)
    if header_wrap:
        ws.set_row(row, 45)
    ws.add_table(row, col, last_row, col + len(columns) - 1, {
        "name": book.table_name(name),
        "columns": [{"header": h, **({"format": f} if f is not None else {}),
                     **({"header_format": book.wrap} if header_wrap else {})}
                    for h, f in zip(heads, fmts, strict=True)],
        "data": data if n else [[None] * len(columns)],
        "autofilter": autofilter,
        "style": "Table Style Light 9",
    })
    if widths is not None:
        for j, (h, c) in enumerate(zip(heads, columns, strict=True)):
            sample = df[c].head(200).astype(object).map(
                lambda v: len(str(v)) if v is not None else 0)
            head_w = 12 if header_wrap else len(h) + 2
            w = max(head_w, int(sample.max()) + 2 if n else 0, 8)
            widths[col + j] = max(widths.get(col + j, 0), min(w, 60))
    return last_row + 1


def _apply_widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for j, w in widths.items():
        ws.set_column(j, j, w)


def _signs(book: _Book, ws: Worksheet, first_row: int, last_row: int, first_col: int,
           last_col: int) -> None:
    """Highlight gains green and losses red in a numeric block."""
    if last_row < first_row or last_col < first_col:
        return
    ws.conditional_format(first_row, first_col, last_row, last_col,
                          {"type": "cell", "criteria": ">", "value": 0, "format": book.good})
    ws.conditional_format(first_row, first_col, last_row, last_col,
                          {"type": "cell", "criteria": "<", "value": 0, "format": book.bad})


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
    book = _Book(path)
    cfg = result.config
    focus = cfg.focus
    focus_rows = _focus_rows(result.results, focus)
    totals = views.country_totals(result.results, result.welfare)
    partners = views.partner_view(focus_rows, focus)
    sectors = views.sector_view(result.results, result.sectors)
    first = views.first_ranked(result.scorecard, focus, cfg.depth_channel)

    _summary(book, result, totals, partners, first)
    _compare(book, totals)
    for scen in result.scenarios:
        _scenario_sheet(book, result, scen, totals, partners, sectors, focus_rows)
    _sectors_sheet(book, sectors)
    _assumptions(book, result)
    _sources(book, result)
    _manifest(book, result, detail_name)
    _warnings(book, result)
    _glossary(book)
    if cfg.solution == "exact" or (~result.convergence["converged"]).any():
        _plain_sheet(book, "convergence", result.convergence, human=False)
    for extra_name, extra in result.extra.items():
        _plain_sheet(book, extra_name, extra, human=True)
    res = changed_results(result.results)
    _plain_sheet(book, "results", res[[*RESULT_COLUMNS, *[
        c for c in res.columns if c not in RESULT_COLUMNS]]], human=False, split=True)
    prices = result.prices[result.prices["world_price_change"] != 0]
    _plain_sheet(book, "prices", prices[PRICE_COLUMNS], human=False, split=True)
    _plain_sheet(book, "welfare", result.welfare[WELFARE_COLUMNS], human=False)
    _plain_sheet(book, "scorecard", result.scorecard, human=False)
    _plain_sheet(book, "applied", applied_changes(result.applied), human=False, split=True)
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


SUMMARY_METRICS = ("net_welfare", "consumer_surplus", "producer_surplus", "tariff_revenue",
                   "exports_change", "imports_change", "trade_creation", "trade_diversion",
                   "depth_index", "preference_coverage")
RANKED = ("net_welfare", "exports_change", "depth_index")
MONEY_METRICS = ("net_welfare", "consumer_surplus", "producer_surplus", "tariff_revenue",
                 "exports_change", "imports_change", "trade_creation", "trade_diversion")


def focus_scorecard(scorecard: pd.DataFrame, focus: str, scenarios: list[str]) -> pd.DataFrame:
    """Scenario rows for the focus economy: headline metrics, with ranks for the key ones."""
    sub = scorecard[(scorecard["country"] == focus) & scorecard["scenario"].isin(scenarios)]
    value = sub.pivot_table(index="scenario", columns="metric", values="value",
                            aggfunc="first", sort=False)
    rank = sub.pivot_table(index="scenario", columns="metric", values="rank",
                           aggfunc="first", sort=False)
    cols: dict[str, pd.Series] = {}
    for m in SUMMARY_METRICS:
        if m in value.columns:
            cols[m] = value[m]
            if m in RANKED and m in rank.columns:
                cols[f"{m}_rank"] = rank[m]
    out = pd.DataFrame(cols).reindex([s for s in scenarios if s in value.index])
    out.index.name = "scenario"
    return out.reset_index()


def _summary(book: _Book, result: RunResult, totals: pd.DataFrame, partners: pd.DataFrame,
             first: pd.DataFrame) -> None:
    """Title, scorecard with ranks, the two welfare charts, first-ranked scenarios, exports
    by partner with its chart, data quality and how to read: in that order, one page wide."""
    cfg = result.config
    focus = cfg.focus
    ws = book.sheet("summary")
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)
    widths: dict[int, int] = {}
    title = result.meta.get("title") or "Trade-agreement comparison"
    ws.write(0, 0, title, book.title)
    ws.write(1, 0, f"Focus economy {focus} · model {cfg.model} ({cfg.solution})"
             f"{' · depth channel on' if cfg.depth_channel else ''} · run {cfg.started} · "
             f"values in {result.meta.get('currency_unit', 'US$ thousand')}", book.subtitle)
    row = 2
    if result.meta.get("synthetic", "").lower() in ("yes", "true", "1"):
        ws.write(row, 0, "SYNTHETIC EXAMPLE DATA: the numbers illustrate the tool only.",
                 book.bad)
        row += 1
    gaps = result.meta.get("data_gaps", "")
    if gaps:
        ws.merge_range(row, 0, row, 11, f"Data gaps: {gaps}", book.note)
        ws.set_row(row, 15 * (1 + len(gaps) // 180))
        row += 1
    row += 1
    ws.write(row, 0, f"Scorecard for {focus}: change from baseline by scenario "
             "(rank 1 = best)", book.heading)
    plain = [s for s in result.scenarios if not s.endswith(" (depth)")]
    deep = [s for s in result.scenarios if s.endswith(" (depth)")]
    top = row + 1
    card = focus_scorecard(result.scorecard, focus, plain + deep)
    row = write_table(book, ws, card, top, 0, "focus_scorecard", widths=widths,
                      header_wrap=True)
    for j, c in enumerate(card.columns):
        if c in MONEY_METRICS:
            _signs(book, ws, top + 1, row - 1, j, j)
    chart_rows = _welfare_charts(book, ws, top, len(card), card, focus, row + 1)
    row += chart_rows + 2

    ws.write(row, 0, f"Which scenario ranks first for {focus}, by metric", book.heading)
    row = write_table(book, ws, first, row + 1, 0, "first_ranked", widths=widths,
                      header_wrap=True)

    ws.write(row + 1, 0, f"{focus}'s exports change by partner (US$ thousand)", book.heading)
    wide = partners.pivot_table(index="partner", columns="scenario", values="exports_change",
                                aggfunc="sum", fill_value=0.0, sort=False)
    wide = wide.reindex(columns=[s for s in plain if s in wide.columns]).reset_index()
    ptop = row + 2
    row = _write_plain_block(book, ws, wide, ptop, 0, "partners_exports", widths)
    _signs(book, ws, ptop + 1, row - 1, 1, len(wide.columns) - 1)
    if _partner_chart(book, ws, ptop, wide, focus, row + 1):
        row += 21

    ws.write(row + 1, 0, "Data quality: share resting on imputed data", book.heading)
    row = write_table(book, ws, result.quality, row + 2, 0, "data_quality", widths=widths,
                      header_wrap=True)

    notes = [
        "How to read: each scenario is compared with the baseline (agreements and US duties "
        "as documented in 'assumptions'). Positive numbers are gains for the economy.",
        "Net welfare = consumer surplus + producer surplus + tariff revenue (US$ thousand). "
        "Trade creation is new trade from lower composite prices; trade diversion shifts "
        "imports between suppliers and nets to zero in each market.",
        "Ranks: 1 = best scenario for the economy on that metric (lower is better for import "
        "concentration). Depth-channel results, if run, are ranked separately.",
        "Every number here is a sum over the machine-readable sheets 'results' and 'welfare'; "
        "the 'applied' sheet shows every tariff used. See 'glossary' for definitions.",
    ]
    ws.write(row + 1, 0, "How to read this report", book.heading)
    for i, text in enumerate(notes):
        ws.merge_range(row + 2 + i, 0, row + 2 + i, 11, text, book.note)
        ws.set_row(row + 2 + i, 30)
    _apply_widths(ws, {k: min(max(v, 12), 16) if k else max(v, 18) for k, v in widths.items()})


def _write_plain_block(book: _Book, ws: Worksheet, df: pd.DataFrame, row: int, col: int,
                       name: str, widths: dict[int, int]) -> int:
    """A table whose columns are scenario names (money format for numbers)."""
    money = book.fmt(LABELS["exports_change"].fmt)
    cols = list(df.columns)
    data = [[_cell_value(v) for v in rec] for rec in df.itertuples(index=False, name=None)]
    ws.add_table(row, col, row + max(len(df), 1), col + len(cols) - 1, {
        "name": book.table_name(name),
        "columns": [{"header": str(c) if i else "Partner", **({"format": money} if i else {})}
                    for i, c in enumerate(cols)],
        "data": data if data else [[None] * len(cols)],
        "style": "Table Style Light 9",
    })
    for j, c in enumerate(cols):
        widths[col + j] = max(widths.get(col + j, 0), min(max(len(str(c)) + 2, 12), 40))
    return row + max(len(df), 1) + 1


def _welfare_charts(book: _Book, ws: Worksheet, top: int, n_scen: int, card: pd.DataFrame,
                    focus: str, at_row: int) -> int:
    """Native charts under the scorecard: net welfare and welfare parts by scenario.

    Returns the number of worksheet rows the charts cover (their height grows with the
    number of scenarios so bar labels stay readable)."""
    if n_scen == 0:
        return 0
    height = max(330, 26 * n_scen + 90)
    name = ws.get_name()
    first, last = top + 1, top + n_scen
    cats = [name, first, 0, last, 0]
    col = {c: j for j, c in enumerate(card.columns)}
    if "net_welfare" in col:
        c1 = book.wb.add_chart({"type": "bar"})
        c1.add_series({"name": "Net welfare", "categories": cats,
                       "values": [name, first, col["net_welfare"], last, col["net_welfare"]],
                       "fill": {"color": "#1F4E79"}, "invert_if_negative": False,
                       "data_labels": {"value": True, "num_format": "#,##0",
                                       "position": "outside_end"}})
        c1.set_title({"name": f"Net welfare by scenario, {focus} (US$ thousand)",
                      "name_font": {"size": 11}})
        c1.set_legend({"none": True})
        c1.set_y_axis({"reverse": True, "label_position": "low"})
        c1.set_x_axis({"num_format": "#,##0"})
        c1.set_size({"width": 600, "height": height})
        ws.insert_chart(at_row, 0, c1)
    c2 = book.wb.add_chart({"type": "column", "subtype": "stacked"})
    for nm, key, color in [("Consumer surplus", "consumer_surplus", "#2E75B6"),
                           ("Producer surplus", "producer_surplus", "#70AD47"),
                           ("Tariff revenue", "tariff_revenue", "#C55A11")]:
        if key in col:
            c2.add_series({"name": nm, "categories": cats,
                           "values": [name, first, col[key], last, col[key]],
                           "fill": {"color": color}})
    c2.set_title({"name": f"Welfare parts by scenario, {focus} (US$ thousand)",
                  "name_font": {"size": 11}})
    c2.set_legend({"position": "bottom"})
    c2.set_y_axis({"num_format": "#,##0"})
    c2.set_x_axis({"label_position": "low", "num_font": {"rotation": -45}})
    c2.set_size({"width": 600, "height": height})
    ws.insert_chart(at_row, 6, c2)
    return height // 20 + 1


def _partner_chart(book: _Book, ws: Worksheet, ptop: int, wide: pd.DataFrame, focus: str,
                   at_row: int) -> bool:
    """Exports change by partner, one series per scenario, under the partner table."""
    n_part = len(wide)
    if not n_part or len(wide.columns) < 2:
        return False
    name = ws.get_name()
    c3 = book.wb.add_chart({"type": "bar"})
    for j in range(1, len(wide.columns)):
        c3.add_series({"name": [name, ptop, j],
                       "categories": [name, ptop + 1, 0, ptop + n_part, 0],
                       "values": [name, ptop + 1, j, ptop + n_part, j]})
    c3.set_title({"name": f"{focus} exports change by partner (US$ thousand)",
                  "name_font": {"size": 11}})
    c3.set_legend({"position": "right"})
    c3.set_x_axis({"num_format": "#,##0"})
    c3.set_y_axis({"label_position": "low", "reverse": True})
    c3.set_size({"width": 1200, "height": 400})
    ws.insert_chart(at_row, 0, c3)
    return True


def _compare(book: _Book, totals: pd.DataFrame) -> None:
    ws = book.sheet("compare")
    widths: dict[int, int] = {}
    ws.write(0, 0, "Every scenario and economy: change from baseline", book.heading)
    end = write_table(book, ws, totals, 1, 0, "compare", widths=widths)
    _signs(book, ws, 2, end - 1, 2, 9)
    ws.freeze_panes(2, 2)
    _apply_widths(ws, widths)


def _scenario_sheet(book: _Book, result: RunResult, scen: str, totals: pd.DataFrame,
                    partners: pd.DataFrame, sectors: pd.DataFrame,
                    focus_rows: pd.DataFrame | None = None) -> None:
    focus = result.config.focus
    ws = book.sheet(scen)
    widths: dict[int, int] = {}
    info = result.scenario_info
    desc = ""
    base_name = scen.removesuffix(" (depth)")
    if info is not None and len(info) and "scenario" in info.columns:
        hit = info[info["scenario"] == base_name]
        if len(hit) and "description" in hit.columns:
            desc = str(hit["description"].iloc[0])
    ws.write(0, 0, f"Scenario {scen}", book.title)
    ws.write(1, 0, desc, book.subtitle)
    ws.write(3, 0, "Totals by economy", book.heading)
    t = totals[totals["scenario"] == scen].drop(columns=["scenario"])
    row = write_table(book, ws, t, 4, 0, f"{scen}_totals", widths=widths)
    _signs(book, ws, 5, row - 1, 1, 8)
    ws.write(row + 1, 0, f"{focus}: by strategic sector and HS section", book.heading)
    s = sectors[(sectors["scenario"] == scen) & (sectors["country"] == focus)].drop(
        columns=["scenario", "country"])
    row = write_table(book, ws, s, row + 2, 0, f"{scen}_sectors", widths=widths)
    ws.write(row + 1, 0, f"{focus}: by partner", book.heading)
    p = partners[partners["scenario"] == scen].drop(columns=["scenario"])
    row = write_table(book, ws, p, row + 2, 0, f"{scen}_partners", widths=widths)
    ws.write(row + 1, 0, f"{focus}: top 25 products by export change", book.heading)
    tp = views.top_products(result.results if focus_rows is None else focus_rows, focus, scen)
    row = write_table(book, ws, tp, row + 2, 0, f"{scen}_products", widths=widths)
    ws.freeze_panes(1, 0)
    _apply_widths(ws, widths)


def _sectors_sheet(book: _Book, sectors: pd.DataFrame) -> None:
    ws = book.sheet("sectors")
    widths: dict[int, int] = {}
    ws.write(0, 0, "HS sections and strategic sectors by scenario and economy "
             "(a product may be in several sectors)", book.heading)
    end = write_table(book, ws, sectors, 1, 0, "sectors", widths=widths)
    _signs(book, ws, 2, end - 1, 4, 4)
    _signs(book, ws, 2, end - 1, 6, 6)
    ws.freeze_panes(2, 0)
    _apply_widths(ws, widths)


def _kv(book: _Book, ws: Worksheet, rows: list[tuple[str, str]], row: int, name: str,
        widths: dict[int, int]) -> int:
    df = pd.DataFrame(rows, columns=["item", "value"])
    return write_table(book, ws, df, row, 0, name, widths=widths)


def _assumptions(book: _Book, result: RunResult) -> None:
    cfg = result.config
    ws = book.sheet("assumptions")
    widths: dict[int, int] = {}
    ws.write(0, 0, "Model, parameters and every elasticity used", book.heading)
    model_rows = [
        ("model", cfg.model),
        ("solution", cfg.solution),
        ("focus economy", cfg.focus),
        ("depth channel", "on: results with ' (depth)' suffix add the non-tariff cost cut "
         "tau = exp(-beta*index/(sigma-1)) - 1" if cfg.depth_channel else "off"),
        ("depth beta", f"{result.meta.get('depth_beta', '')} "
         f"({result.meta.get('depth_beta_source', 'not given')})"),
        ("preference utilisation", "from the 'utilisation' sheet where given, else 1 "
         "(effective rate = u*preferential + (1-u)*MFN)"),
        ("default import demand elasticity", "-1.25 (WITS-SMART)"),
        ("default substitution elasticity", "1.5 (WITS-SMART)"),
        ("default export supply elasticity", "infinite (WITS-SMART)"),
        ("currency unit", result.meta.get("currency_unit", "US$ thousand")),
    ]
    model_rows += [(f"meta: {k}", v) for k, v in result.meta.items()]
    row = _kv(book, ws, model_rows, 1, "model_parameters", widths)
    ws.write(row + 1, 0, "Scenarios as compiled", book.heading)
    info = result.scenario_info.copy() if result.scenario_info is not None else pd.DataFrame()
    row = write_table(book, ws, info, row + 2, 0, "scenario_definitions", widths=widths)
    if result.depth is not None and len(result.depth):
        ws.write(row + 1, 0, "Rule-depth indices per agreement", book.heading)
        row = write_table(book, ws, result.depth, row + 2, 0, "depth_indices", widths=widths)
    el = result.elasticities
    if len(el) <= ELASTICITIES_LISTED:
        ws.write(row + 1, 0, "Elasticities used (every product and economy that trades it)",
                 book.heading)
        write_table(book, ws, el, row + 2, 0, "elasticities_used", widths=widths)
    else:  # a full-scale run: the rules here, every pair on a streamed plain sheet
        ws.write(row + 1, 0, f"Elasticities used: {len(el):,} product-economy pairs, listed "
                 "on sheet 'elasticities' with the number of the rule below that set their "
                 "values (most specific input row wins)", book.heading)
        rules, rule_of = elasticity_rules(el)
        write_table(book, ws, rules, row + 2, 0, "elasticity_rules", widths=widths)
        pairs = el[[c for c in el.columns if not c.endswith("_source")]].assign(rule=rule_of)
        _plain_sheet(book, "elasticities", pairs, human=False, split=True)
    _apply_widths(ws, {k: min(v, 50) for k, v in widths.items()})


ELASTICITIES_LISTED = 50_000  # pairs listed on 'assumptions' itself (an Excel table)
ELASTICITY_PARAMS = ("import_demand", "substitution", "export_supply")


def elasticity_rules(used: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Distinct (value, source) combinations of the elasticities used, numbered from 1 in
    order of first use, with the number of product-economy pairs each covers; and the
    rule number of every row of ``used``."""
    keys = [c for p in ELASTICITY_PARAMS for c in (f"{p}_source", p) if c in used.columns]
    rule_of = used.groupby(keys, sort=False, dropna=False).ngroup().to_numpy() + 1
    first = np.unique(rule_of, return_index=True)[1]
    rules = used.iloc[first][keys].reset_index(drop=True)
    rules.insert(0, "rule", np.arange(1, len(rules) + 1))
    rules["pairs"] = np.bincount(rule_of, minlength=len(rules) + 1)[1:]
    return rules, rule_of


def _sources(book: _Book, result: RunResult) -> None:
    ws = book.sheet("sources")
    widths: dict[int, int] = {}
    ws.write(0, 0, "Sources of every input table (from the inputs' 'sources' sheets)",
             book.heading)
    src = result.sources[[c for c in result.sources.columns if not c.startswith("_")]]
    write_table(book, ws, src, 1, 0, "sources", widths=widths)
    _apply_widths(ws, {k: min(v, 80) for k, v in widths.items()})


def _manifest(book: _Book, result: RunResult, detail_name: str) -> None:
    cfg = result.config
    ws = book.sheet("manifest")
    widths: dict[int, int] = {}
    rows = [
        ("tool", "fta-compare"),
        ("tool version", cfg.tool_version),
        ("command line", cfg.command),
        ("run started", cfg.started),
        ("model", cfg.model),
        ("solution", cfg.solution),
        ("focus", cfg.focus),
        ("depth channel", str(cfg.depth_channel)),
        ("seed", "" if cfg.seed is None else str(cfg.seed)),
        ("full results detail", detail_name or "not written"),
    ]
    rows += [(f"input {n}", f"sha256 {h}") for n, h in cfg.input_sha256]
    rows += [(f"parameter {k}", v) for k, v in cfg.parameters]
    ws.write(0, 0, "Run manifest", book.heading)
    _kv(book, ws, rows, 1, "manifest", widths)
    _apply_widths(ws, {k: min(v, 90) for k, v in widths.items()})


def _warnings(book: _Book, result: RunResult) -> None:
    ws = book.sheet("warnings")
    widths: dict[int, int] = {}
    df = pd.DataFrame([(w.file, w.sheet, w.cell, w.value, w.rule) for w in result.warnings],
                      columns=["file", "sheet", "cell", "value", "rule"])
    ws.write(0, 0, "Non-fatal issues in the inputs and non-converged products", book.heading)
    write_table(book, ws, df, 1, 0, "warnings", widths=widths)
    _apply_widths(ws, {k: min(v, 90) for k, v in widths.items()})


def _glossary(book: _Book) -> None:
    ws = book.sheet("glossary")
    widths: dict[int, int] = {}
    df = pd.DataFrame([(k, v.header, v.definition) for k, v in LABELS.items()],
                      columns=["column", "header", "definition"])
    ws.write(0, 0, "Column names, headers with units, and definitions", book.heading)
    write_table(book, ws, df, 1, 0, "glossary", widths=widths)
    _apply_widths(ws, {k: min(v, 100) for k, v in widths.items()})


def _column_values(col: pd.Series) -> tuple[list[Any], bool]:
    """Cell values of a column and whether they are all finite floats (fast path)."""
    if pd.api.types.is_float_dtype(col.dtype) or pd.api.types.is_integer_dtype(col.dtype):
        arr = col.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isfinite(arr).all():
            return arr.tolist(), True
    if pd.api.types.is_bool_dtype(col.dtype):
        return col.astype(bool).tolist(), False
    return [_cell_value(v) for v in col.tolist()], False


def _plain_sheet(book: _Book, name: str, df: pd.DataFrame, human: bool,
                 split: bool = False) -> None:
    """A machine-readable sheet: one header row, numbers as numbers, no table styling.

    Longer than :data:`SHEET_ROWS` rows continues on ``<name>_2``, ``<name>_3`` ...
    """
    df = df[[c for c in df.columns if not str(c).startswith("_")]]
    chunks = [df] if not split or len(df) <= SHEET_ROWS else [
        df.iloc[i:i + SHEET_ROWS] for i in range(0, len(df), SHEET_ROWS)]
    for k, chunk in enumerate(chunks):
        # Row-streaming (constant_memory) worksheets for the long machine-readable sheets:
        # inline strings, rows flushed to a temp file; measured ~4x faster on the default
        # run. XlsxWriter reads this workbook attribute when each worksheet is added, so
        # the human sheets (Excel tables, unsupported in that mode) are unaffected.
        book.wb.constant_memory = True
        try:
            ws = book.sheet(name if k == 0 else f"{name}_{k + 1}")
        finally:
            book.wb.constant_memory = False
        heads = [label(c).header if human else str(c) for c in chunk.columns]
        ws.write_row(0, 0, heads, book.bold)
        for j in range(len(chunk.columns)):
            ws.set_column(j, j, max(len(heads[j]) + 2, 10))
        fmts = [book.fmt(label(str(c)).fmt) if label(str(c)).fmt not in ("General", TEXT)
                else None for c in chunk.columns]
        if not _stream_rows(ws, chunk, fmts):
            _cell_rows(ws, chunk, fmts)
        ws.freeze_panes(1, 0)
        if len(chunk):
            ws.autofilter(0, 0, len(chunk), len(chunk.columns) - 1)


def _cell_rows(ws: Worksheet, chunk: pd.DataFrame, fmts: list[Any]) -> None:
    """Data rows cell by cell through XlsxWriter's API (constant_memory: rows in order)."""
    columns = [_column_values(chunk[c]) for c in chunk.columns]
    writers = [ws.write_number if numeric else ws.write for _, numeric in columns]
    for i, row in enumerate(zip(*(v for v, _ in columns), strict=True), start=1):
        for j, v in enumerate(row):
            if v is not None:
                writers[j](i, j, v, fmts[j])


STREAM_BLOCK = 20_000  # rows rendered per write to the row-data file (~10 MB of XML)


def _stream_rows(ws: Worksheet, chunk: pd.DataFrame, fmts: list[Any]) -> bool:
    """Write the data rows of a constant_memory worksheet as XML in bulk; False if not able.

    XlsxWriter renders every cell through several Python calls (about 4 us a cell); here
    each row is one ``%`` formatting call with the markup XlsxWriter itself writes in
    constant_memory mode (``<c r="A2" s="1"><v>%.16G</v></c>``, inline strings escaped by
    XlsxWriter's own helpers), appended to the worksheet's row-data file after the header
    row, and the worksheet's extent is set as its ``write_*`` calls would. Text is
    rendered once per distinct value. Used only for the plain case: default row heights
    and numeric columns of finite numbers, NaN (no cell) or infinity (text 'inf'), boolean
    columns, and text columns of strings or blanks; anything else, or an XlsxWriter without these
    internals, returns False and the caller writes cell by cell.
    """
    from xlsxwriter.utility import xl_col_to_name

    n, width = chunk.shape
    if n == 0 or width == 0:
        return False
    try:
        if not (ws.constant_memory and ws.previous_row == 0 and not ws.row_info
                and ws.excel_version == 2007 and ws.fh is ws.row_data_fh
                and ws.dim_rowmin == 0 and n + 1 <= ws.xls_rowmax):
            return False
        ws._write_single_row(1)  # flush the header row (row 0): its formats come first
        plan = [_column_plan(ws, chunk[c], f, xl_col_to_name(j))
                for j, (c, f) in enumerate(zip(chunk.columns, fmts, strict=True))]
    except AttributeError:
        return False
    if any(p is None for p in plan):
        return False
    slots = []
    for j, (kind, attrs, _) in enumerate(plan):
        col = xl_col_to_name(j)
        slots.append(f'<c r="{col}%s"{attrs}><v>%.16G</v></c>' if kind == "number"
                     else "%s" if kind == "cells" else f'<c r="{col}%s"{attrs}%s')
    template = '<row r="%s">' + "".join(slots) + "</row>"  # '%' is faster than format()
    fh = ws.fh
    for start in range(0, n, STREAM_BLOCK):
        stop = min(start + STREAM_BLOCK, n)
        rows = range(start + 2, stop + 2)  # Excel row numbers
        labels = list(map(str, rows))
        args: list[list[Any]] = [labels]
        for kind, _, values in plan:
            items = values(start, stop, rows)
            args.extend([items] if kind == "cells" else [labels, items])
        fh.write("".join(map(template.__mod__, zip(*args, strict=True))))
    ws.dim_rowmax = max(ws.dim_rowmax or 0, n)
    ws.dim_colmax = max(ws.dim_colmax or 0, width - 1)
    ws.previous_row = n
    return True


def _column_plan(ws: Worksheet, col: pd.Series, fmt: Any, letter: str
                 ) -> tuple[str, str, Any] | None:
    """How a column is rendered: ('number' | 'text' | 'cells', cell attributes, values).

    ``values(start, stop, rows)`` returns the column's items for rows start..stop-1: floats
    for 'number', the markup after ``<c r=.. s=..`` for 'text', whole cells (or '' for no
    cell) for 'cells' (missing values, infinities, empty strings). None: not streamable.
    Cells match :func:`_cell_rows`: NaN and None give no cell, infinity the text 'inf',
    an empty string no cell (a blank formatted cell when the column has a format).
    """
    attrs = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
    if pd.api.types.is_bool_dtype(col.dtype):
        if col.dtype != np.bool_:
            return None  # nullable booleans: cell by cell
        flags = col.to_numpy().astype(np.intp)
        frag = np.array([' t="b"><v>0</v></c>', ' t="b"><v>1</v></c>'], dtype=object)
        return "text", attrs, lambda a, b, _r: frag[flags[a:b]].tolist()
    if pd.api.types.is_float_dtype(col.dtype) or pd.api.types.is_integer_dtype(col.dtype):
        arr = col.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isfinite(arr).all():
            return "number", attrs, lambda a, b, _r: arr[a:b].tolist()
        pos, neg = _inline(ws, "inf"), _inline(ws, "-inf")

        def numbers(a: int, b: int, rows: range) -> list[str]:
            out = []
            for r, v in zip(rows, arr[a:b].tolist(), strict=True):
                if v != v:  # NaN: no cell
                    out.append("")
                elif v in (np.inf, -np.inf):
                    out.append(f'<c r="{letter}{r}"{attrs}{pos if v > 0 else neg}')
                else:
                    out.append(f'<c r="{letter}{r}"{attrs}><v>{v:.16G}</v></c>')
            return out

        return "cells", attrs, numbers
    codes, uniq = pd.factorize(col, use_na_sentinel=True)
    if not all(type(u) is str for u in uniq):
        return None
    frags = [(_inline(ws, u) if u else ("/>" if fmt is not None else "")) for u in uniq]
    if any(f is None for f in frags):
        return None
    frag = np.array([*frags, ""], dtype=object)  # code -1 (missing) picks ''
    if all(frags) and (codes >= 0).all():
        return "text", attrs, lambda a, b, _r: frag[codes[a:b]].tolist()

    def cells(a: int, b: int, rows: range) -> list[str]:
        return [f'<c r="{letter}{r}"{attrs}{f}' if f else ""
                for r, f in zip(rows, frag[codes[a:b]].tolist(), strict=True)]

    return "cells", attrs, cells


def _inline(ws: Worksheet, text: str) -> str | None:
    """Markup after ``<c r=.. s=..`` of an inline string, as XlsxWriter writes it."""
    from xlsxwriter.utility import _preserve_whitespace

    if len(text) > ws.xls_strmax:
        return None
    text = ws._escape_control_characters(text)
    if text.startswith("<r>") and text.endswith("</r>"):
        return None
    space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    return f' t="inlineStr"><is><t{space}>{ws._escape_data(text)}</t></is></c>'


def changed_results(results: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``results`` where trade or the tariff changes (the rest keep base values)."""
    keep = (results["new_value"] != results["base_value"]) | (
        results["new_rate"] != results["base_rate"])
    return results.loc[keep]


def applied_changes(applied: pd.DataFrame) -> pd.DataFrame:
    """The applied table as the input contract reads it: baseline rows in full, then only
    the rows where a scenario's rate differs from the baseline (missing rows keep it)."""
    from fta_compare.inputs.schema import BASELINE

    keys = ["importer", "exporter", "hs"]
    is_base = (applied["scenario"] == BASELINE).to_numpy(dtype=bool)
    n = int(is_base.sum())
    if is_base[:n].all():  # the compiler's layout: baseline block first, then one per
        base_rate = _aligned_base_rate(applied.iloc[:n], applied.iloc[n:], keys)  # scenario
        if base_rate is not None:
            keep = np.ones(len(applied), dtype=bool)
            with np.errstate(invalid="ignore"):  # NaN on either side counts as a change
                keep[n:] = ~(applied["rate"].to_numpy(dtype=np.float64)[n:] == base_rate)
            return applied[keep].reset_index(drop=True)  # one copy of the kept rows
    base = applied[is_base]
    rest = applied[~is_base]
    merged = rest.merge(base[[*keys, "rate"]].rename(columns={"rate": "_base"}), on=keys,
                        how="left")
    diff = merged[merged["rate"] != merged["_base"]].drop(columns=["_base"])
    return pd.concat([base, diff], ignore_index=True)


def _aligned_base_rate(base: pd.DataFrame, rest: pd.DataFrame, keys: list[str]
                       ) -> np.ndarray | None:
    """Baseline rate of each row of ``rest`` when ``rest`` is whole blocks of the
    baseline's cells in the baseline's order (as the scenario compiler writes them) and
    the baseline has each cell once; None otherwise (the caller merges on the keys).

    Checked on integer codes: categorical codes when every block shares the baseline's
    categories, else one factorisation of each key column.
    """
    n, m = len(base), len(rest)
    if n == 0 or m == 0 or m % n:
        return None
    blocks = m // n
    codes = []
    for k in keys:
        b, r = base[k], rest[k]
        if (isinstance(b.dtype, pd.CategoricalDtype) and isinstance(r.dtype, pd.CategoricalDtype)
                and b.cat.categories.equals(r.cat.categories)):
            cb, cr = b.cat.codes.to_numpy(), r.cat.codes.to_numpy()
        else:
            both, _ = pd.factorize(pd.concat([b, r], ignore_index=True))
            cb, cr = both[:n], both[n:]
        if (cb < 0).any() or (cr < 0).any():
            return None  # missing keys: merge semantics
        if not (cr.reshape(blocks, n) == cb[None, :]).all():
            return None
        codes.append(cb.astype(np.int64))
    key = (codes[0] * (codes[1].max() + 1) + codes[1]) * (codes[2].max() + 1) + codes[2]
    if pd.Index(key).has_duplicates:
        return None  # a repeated baseline cell: the merge would repeat rows
    return np.tile(base["rate"].to_numpy(dtype=np.float64), blocks)


# --- sensitivity workbook (fta-compare sensitivity) -------------------------------------

SENSITIVITY_FOCUS_COLUMNS = ("scenario", "point", "mean", "std", "p5", "p50", "p95",
                             "share_first", "draws_ok", "draws_failed")


def write_sensitivity(result: SensitivityResult, out: Path, force: bool = False) -> Path:
    """Write the sensitivity workbook (its own file) atomically; refuses to replace ``out``
    without ``force``. Sheets: ``summary`` (focus economy's net welfare by scenario with a
    p5-p95 chart), then ``sensitivity``, ``rank_first`` and ``manifest`` (machine-readable)."""
    out = Path(out)
    with atomic_path(out, force) as tmp:
        book = _Book(tmp)
        write_sensitivity_sheet(book, result)
        cfg = result.config
        book.wb.set_properties({
            "title": f"fta-compare sensitivity, {cfg.focus}",
            "subject": "Monte Carlo over elasticities",
            "author": "fta-compare",
            "comments": f"fta-compare {cfg.tool_version}; model {cfg.model} ({cfg.solution})",
            "created": datetime.now(UTC).replace(tzinfo=None),
        })  # fmt: skip
        book.wb.close()
    return out


def write_sensitivity_sheet(book: _Book, result: SensitivityResult) -> None:
    """Add the sensitivity sheets to an open workbook: ``summary`` (table and a column chart
    of the median net welfare of the focus economy by scenario with custom error bars from
    p5 to p95), ``sensitivity`` (long table), ``rank_first`` and ``manifest``."""
    cfg = result.config
    focus = cfg.focus
    s = result.summary
    net = s[(s["country"] == focus) & (s["metric"] == "net_welfare")]
    table = net.merge(result.rank_first[["scenario", "share_first"]], on="scenario",
                      how="left")[list(SENSITIVITY_FOCUS_COLUMNS)].reset_index(drop=True)
    table["err_minus"] = table["p50"] - table["p5"]
    table["err_plus"] = table["p95"] - table["p50"]
    ws = book.sheet("summary")
    ws.hide_gridlines(2)
    ws.write(0, 0, f"Sensitivity to elasticities: net welfare of {focus} by scenario",
             book.title)
    ws.write(1, 0, f"{result.draws} draws, seed {cfg.seed}, model {cfg.model} "
             f"({cfg.solution}), {result.engine.engine} x{result.engine.workers}; values in "
             f"{result.meta.get('currency_unit', 'US$ thousand')}; p5/p50/p95 = 5th, 50th "
             "and 95th percentiles over the draws; share_first = share of draws in which the "
             "scenario has the highest net welfare", book.subtitle)
    top = 3
    money, share, count = book.fmt(LABELS["net_welfare"].fmt), book.fmt("0.0%"), book.fmt("0")
    fmts = {"share_first": share, "draws_ok": count, "draws_failed": count}
    cols = list(table.columns)
    data = [[_cell_value(v) for v in rec] for rec in table.itertuples(index=False, name=None)]
    last = top + max(len(table), 1)
    ws.add_table(top, 0, last, len(cols) - 1, {
        "name": book.table_name("sensitivity_focus"),
        "columns": [{"header": c, **({} if c == "scenario" else {"format": fmts.get(c, money)})}
                    for c in cols],
        "data": data or [[None] * len(cols)],
        "style": "Table Style Light 9",
    })  # fmt: skip
    ws.set_column(0, 0, max([12, *[len(str(x)) + 2 for x in table["scenario"]]]))
    ws.set_column(1, len(cols) - 1, 13)
    if len(table):
        name = ws.get_name()
        first, end = top + 1, top + len(table)
        col = {c: j for j, c in enumerate(cols)}
        from xlsxwriter.utility import quote_sheetname, xl_range_abs

        def ref(c: str) -> str:
            return f"={quote_sheetname(name)}!{xl_range_abs(first, col[c], end, col[c])}"

        chart = book.wb.add_chart({"type": "column"})
        chart.add_series({
            "name": "Net welfare, median (p5-p95 bars)",
            "categories": [name, first, 0, end, 0],
            "values": [name, first, col["p50"], end, col["p50"]],
            "fill": {"color": "#1F4E79"},
            "y_error_bars": {
                "type": "custom", "plus_values": ref("err_plus"), "minus_values": ref("err_minus"),
                "plus_data": [_cell_value(v) for v in table["err_plus"]],
                "minus_data": [_cell_value(v) for v in table["err_minus"]],
                "end_style": 1,
            },
        })  # fmt: skip
        chart.set_title({"name": f"Net welfare of {focus} by scenario: median and p5-p95 "
                         f"over {result.draws} draws", "name_font": {"size": 11}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"num_format": "#,##0",
                          "name": result.meta.get("currency_unit", "US$ thousand")})
        chart.set_x_axis({"label_position": "low"})
        chart.set_size({"width": 760, "height": 380})
        ws.insert_chart(last + 2, 0, chart)
    _plain_sheet(book, "sensitivity", result.summary, human=False)
    _plain_sheet(book, "rank_first", result.rank_first, human=False)
    _plain_sheet(book, "manifest", pd.DataFrame(list(result.manifest),
                                                columns=["item", "setting"]), human=False)
