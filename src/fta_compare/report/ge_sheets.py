"""Sheets of the general-equilibrium lens: real income by economy, changes by sector.

Human sheets ``GE real income`` and ``GE sectors`` (tables and native charts), and the
contract sheets ``ge_welfare`` and ``ge_sectors`` (DESIGN.md section 5, fractions).
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from fta_compare.report.book import Book, apply_widths, signs, write_table
from fta_compare.report.plain import plain_sheet
from fta_compare.results import RunResult

PCT = "0.000%;[Red]-0.000%"
# Strategic sectors of the brief, found by their description in ge_sectors, else by the
# WIOD 2016 code of the bundled tables (ISIC Rev.4: C26, C27, C29, C24, C20).
STRATEGIC = (
    ("semiconductors and electronics", ("computer", "electronic"), "C17"),
    ("batteries and electrical equipment", ("electrical equipment",), "C18"),
    ("motor vehicles", ("motor vehicle",), "C20"),
    ("basic metals", ("basic metal",), "C15"),
    ("chemicals", ("chemical",), "C11"),
)
MAIN_PARTNERS = 6  # economies shown beside the focus in the real-income chart


def strategic_sectors(sectors: list[str], names: dict[str, str]) -> list[tuple[str, str]]:
    """(label, sector code) of the strategic sectors present in the sector model."""
    out = []
    for label, words, code in STRATEGIC:
        hit = [s for s in sectors if any(w in names.get(s, "").lower() for w in words)]
        pick = hit[0] if hit else (code if code in sectors else None)
        if pick is not None and pick not in [c for _, c in out]:
            out.append((label, pick))
    return out


def _main_partners(result: RunResult, n: int = MAIN_PARTNERS) -> list[str]:
    """The focus economy's largest partners by base trade in the PE results (else the GE
    economies with the largest real-income changes)."""
    focus = result.config.focus
    ge = result.ge
    econ = [e for e in ge.economies if e != focus]
    if not result.results.empty:
        r = result.results
        scen = r["scenario"].iloc[0]
        one = r[r["scenario"] == scen]
        ex = one[one["exporter"] == focus].groupby("importer", observed=True)["base_value"].sum()
        im = one[one["importer"] == focus].groupby("exporter", observed=True)["base_value"].sum()
        size = ex.add(im, fill_value=0.0)
        size.index = size.index.astype(str)
        ranked = [c for c in size.sort_values(ascending=False).index if c in econ]
        if ranked:
            return ranked[:n]
    w = ge.welfare
    big = w[w["country"] != focus].groupby("country")["welfare"].apply(lambda s: s.abs().max())
    return list(big.sort_values(ascending=False).index[:n])


def ge_welfare_sheet(book: Book, result: RunResult) -> None:
    """Focus economy's real income and its decomposition; real income of the focus and its
    main partners by scenario (chart); every economy by scenario."""
    ge = result.ge
    focus = result.config.focus
    ws = book.sheet("GE real income")
    ws.hide_gridlines(2)
    widths: dict[int, int] = {}
    ws.write(0, 0, "General equilibrium: economy-wide real income (Caliendo-Parro sector "
             "model)", book.title)
    ws.write(1, 0, "Changes from the baseline as fractions (0.0117 = +1.17%). Wages, incomes "
             "and every market adjust; tariff revenue is rebated to households; trade "
             "deficits are held fixed; world value added is the numeraire.", book.subtitle)
    w = ge.welfare
    order = list(dict.fromkeys(w["scenario"]))
    mine = w[w["country"] == focus].set_index("scenario").reindex(order).reset_index()
    row = 3
    if len(mine) and mine["welfare"].notna().any():
        ws.write(row, 0, f"{focus}: real income, real wage and the decomposition of the real "
                 "income change (terms of trade + volume of trade, first order)", book.heading)
        cols = ["scenario", "welfare", "real_wage", "terms_of_trade", "volume_of_trade"]
        top = row + 1
        row = write_table(book, ws, mine[cols], top, 0, "ge_focus", widths=widths)
        for j in range(1, len(cols)):
            ws.set_column(j, j, 16, book.fmt(PCT))
        signs(book, ws, top + 1, row - 1, 1, len(cols) - 1)
    partners = [focus, *_main_partners(result)]
    wide = w[w["country"].isin(partners)].pivot(index="scenario", columns="country",
                                                values="welfare")
    wide = wide.reindex(index=order, columns=[c for c in partners if c in wide.columns])
    wide = wide.reset_index()
    ws.write(row + 1, 0, f"Real income change of {focus} and its main partners by scenario",
             book.heading)
    top = row + 2
    row = _pct_block(book, ws, wide, top, "ge_partners", widths)
    chart = book.wb.add_chart({"type": "bar"})
    name = ws.get_name()
    for j in range(1, len(wide.columns)):
        chart.add_series({"name": [name, top, j], "categories": [name, top + 1, 0,
                                                                top + len(wide), 0],
                          "values": [name, top + 1, j, top + len(wide), j]})
    chart.set_title({"name": f"Real income change by scenario: {focus} and main partners",
                     "name_font": {"size": 11}})
    chart.set_x_axis({"num_format": "0.0%"})
    chart.set_y_axis({"reverse": True, "label_position": "low"})
    chart.set_legend({"position": "right"})
    chart.set_size({"width": 900, "height": max(360, 40 * len(wide) + 80)})
    ws.insert_chart(row + 1, 0, chart)
    row += max(19, (40 * len(wide) + 80) // 20 + 2)
    every = w.pivot(index="country", columns="scenario", values="welfare")
    every = every.reindex(columns=order).reset_index()
    ws.write(row + 1, 0, "Every economy: real income change by scenario", book.heading)
    _pct_block(book, ws, every, row + 2, "ge_every", widths, first="Economy")
    apply_widths(ws, {k: max(v, 12) for k, v in widths.items()})
    ws.freeze_panes(3, 1)


def _pct_block(book: Book, ws: Worksheet, df: pd.DataFrame, top: int, name: str,
               widths: dict[int, int], first: str = "Scenario") -> int:
    """A table whose columns after the first are fractions shown as percent."""
    fmt = book.fmt(PCT)
    cols = list(df.columns)
    data = [[None if pd.isna(v) else (float(v) if j else str(v)) for j, v in enumerate(rec)]
            for rec in df.itertuples(index=False, name=None)]
    ws.add_table(top, 0, top + max(len(df), 1), len(cols) - 1, {
        "name": book.table_name(name),
        "columns": [{"header": str(c) if j else first, **({"format": fmt} if j else {})}
                    for j, c in enumerate(cols)],
        "data": data or [[None] * len(cols)], "style": "Table Style Light 9"})
    signs(book, ws, top + 1, top + len(df), 1, len(cols) - 1)
    for j, c in enumerate(cols):
        widths[j] = max(widths.get(j, 0), min(max(len(str(c)) + 2, 12), 30))
    return top + max(len(df), 1) + 1


def ge_sectors_sheet(book: Book, result: RunResult) -> None:
    """Focus economy: output change of the strategic sectors by scenario (chart), then
    every sector's output, exports, imports and price change by scenario."""
    ge = result.ge
    focus = result.config.focus
    ws = book.sheet("GE sectors")
    ws.hide_gridlines(2)
    widths: dict[int, int] = {}
    s = ge.sectors
    mine = s[s["country"] == focus].copy()
    names = ge.sector_names
    ws.write(0, 0, f"General equilibrium: {focus} by sector", book.title)
    ws.write(1, 0, "Changes from the baseline as fractions: gross output, exports, imports "
             "(at producer prices) and the sector's price index.", book.subtitle)
    row = 3
    order = list(dict.fromkeys(s["scenario"]))
    strategic = strategic_sectors(list(dict.fromkeys(s["sector"])), names)
    if strategic and len(mine):
        piv = mine.pivot(index="scenario", columns="sector", values="output_change")
        piv = piv.reindex(index=order, columns=[c for _, c in strategic])
        piv.columns = [f"{label} ({c})" for label, c in strategic]
        piv = piv.reset_index()
        ws.write(row, 0, f"{focus}: output change of the strategic sectors by scenario",
                 book.heading)
        top = row + 1
        row = _pct_block(book, ws, piv, top, "ge_strategic", widths)
        chart = book.wb.add_chart({"type": "bar"})
        name = ws.get_name()
        for j in range(1, len(piv.columns)):
            chart.add_series({"name": [name, top, j],
                              "categories": [name, top + 1, 0, top + len(piv), 0],
                              "values": [name, top + 1, j, top + len(piv), j]})
        chart.set_title({"name": f"{focus}: output change of strategic sectors",
                         "name_font": {"size": 11}})
        chart.set_x_axis({"num_format": "0.0%"})
        chart.set_y_axis({"reverse": True, "label_position": "low"})
        chart.set_legend({"position": "right"})
        chart.set_size({"width": 900, "height": max(360, 40 * len(piv) + 80)})
        ws.insert_chart(row + 1, 0, chart)
        row += max(19, (40 * len(piv) + 80) // 20 + 2)
    table = mine.assign(description=mine["sector"].map(names).fillna("")).rename(
        columns={c: f"ge_{c}" for c in ("output_change", "exports_change", "imports_change",
                                         "price_change")})
    cols = ["scenario", "sector", "description", "ge_output_change", "ge_exports_change",
            "ge_imports_change", "ge_price_change"]
    ws.write(row + 1, 0, f"{focus}: every sector by scenario", book.heading)
    top = row + 2
    end = write_table(book, ws, table[cols], top, 0, "ge_focus_sectors", widths=widths)
    for j in range(3, len(cols)):
        ws.set_column(j, j, 14, book.fmt(PCT))
    signs(book, ws, top + 1, end - 1, 3, len(cols) - 1)
    apply_widths(ws, {k: min(max(v, 10), 45) for k, v in widths.items() if k < 3})


def ge_contract_sheets(book: Book, result: RunResult) -> None:
    """``ge_welfare`` and ``ge_sectors`` (DESIGN 5), then ``ge_tariffs`` (the shocks the
    bridge built: changed cells only) and ``ge_convergence``."""
    ge = result.ge
    pct = {c: PCT for c in ("welfare", "real_wage", "terms_of_trade", "volume_of_trade",
                            "output_change", "exports_change", "imports_change",
                            "price_change", "cost_change")}
    plain_sheet(book, "ge_welfare", ge.welfare, human=False, formats=pct)
    plain_sheet(book, "ge_sectors", ge.sectors, human=False, split=True, formats=pct)
    if len(ge.tariffs):
        plain_sheet(book, "ge_tariffs", ge.tariffs, human=False, split=True, formats=pct)
    plain_sheet(book, "ge_convergence", ge.convergence, human=False)
    if len(ge.mapping):
        plain_sheet(book, "ge_mapping", ge.mapping, human=False)
