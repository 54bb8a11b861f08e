"""The sensitivity workbook (``fta-compare sensitivity``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from fta_compare.report.atomic import atomic_path
from fta_compare.report.book import Book, cell_value
from fta_compare.report.labels import LABELS
from fta_compare.report.plain import plain_sheet
from fta_compare.sensitivity import SensitivityResult

SENSITIVITY_FOCUS_COLUMNS = ("scenario", "point", "mean", "std", "p5", "p50", "p95",
                             "share_first", "draws_ok", "draws_failed")


def write_sensitivity(result: SensitivityResult, out: Path, force: bool = False) -> Path:
    """Write the sensitivity workbook (its own file) atomically; refuses to replace ``out``
    without ``force``. Sheets: ``summary`` (focus economy's net welfare by scenario with a
    p5-p95 chart), then ``sensitivity``, ``rank_first`` and ``manifest`` (machine-readable)."""
    out = Path(out)
    with atomic_path(out, force) as tmp:
        book = Book(tmp)
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


def write_sensitivity_sheet(book: Book, result: SensitivityResult) -> None:
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
    data = [[cell_value(v) for v in rec] for rec in table.itertuples(index=False, name=None)]
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
                "plus_data": [cell_value(v) for v in table["err_plus"]],
                "minus_data": [cell_value(v) for v in table["err_minus"]],
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
    plain_sheet(book, "sensitivity", result.summary, human=False)
    plain_sheet(book, "rank_first", result.rank_first, human=False)
    plain_sheet(book, "manifest", pd.DataFrame(list(result.manifest),
                                                columns=["item", "setting"]), human=False)
