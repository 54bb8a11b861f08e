"""The ``summary`` sheet: the answer first (scorecard, charts, rankings, data quality).
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from fta_compare.report.book import Book, apply_widths, cell_value, signs, write_table
from fta_compare.report.labels import LABELS
from fta_compare.results import RunResult

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


def _banners(result: RunResult) -> list[str]:
    """Red lines at the top: results outside a model's validity, non-converged products."""
    out = []
    for w in result.warnings:
        if w.file == "model" and w.sheet == _label(result):
            out.append("WARNING: " + w.rule)
    bad = result.convergence[~result.convergence["converged"]] if len(result.convergence) \
        else result.convergence
    if len(bad):
        out.append(f"WARNING: {len(bad):,} product solves did not converge (effects set to "
                   "zero; listed in 'convergence' and 'warnings').")
    return out


def _label(result: RunResult) -> str:
    cfg = result.config
    return cfg.model if cfg.model != "gsim" else f"gsim {cfg.solution}"


def _headline(result: RunResult, card: pd.DataFrame) -> str:
    """One sentence with the answer: the first-ranked scenario and whether models agree."""
    focus = result.config.focus
    if result.config.model == "ge" and result.ge is not None:
        return _ge_headline(result)
    plain = card[~card["scenario"].str.endswith(" (depth)")]
    if plain.empty or "net_welfare" not in plain.columns:
        return ""
    best = plain.loc[plain["net_welfare"].idxmax()]
    unit = result.meta.get("currency_unit", "US$ thousand")
    text = (f"Answer: for {focus}, '{best['scenario']}' ranks first by net welfare "
            f"({best['net_welfare']:+,.0f} {unit}) under {_label(result)}")
    ranks = result.model_ranks
    if ranks is not None and len(ranks) and ranks["model"].nunique() > 1:
        firsts = ranks[(ranks["rank"] == 1) & ~ranks["scenario"].str.endswith(" (depth)")]
        by = {m: ", ".join(g["scenario"]) for m, g in firsts.groupby("model", sort=False)}
        if len(set(by.values())) == 1:
            text += f"; every model puts it first ({', '.join(by)})"
        else:
            text += "; the models disagree on the first place: " + "; ".join(
                f"{m}: {v}" for m, v in by.items())
    return text + "."


def summary(book: Book, result: RunResult, totals: pd.DataFrame, partners: pd.DataFrame,
            first: pd.DataFrame, detail_notes: list[str] | None = None) -> None:
    """Title, banners, the answer, scorecard with charts, does the ranking hold, time path,
    first-ranked scenarios, exports by partner, data quality, how to read: one page wide."""
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
    ws.write(1, 0, f"Focus economy {focus} · model {_label(result)}"
             f"{' · depth channel on' if cfg.depth_channel else ''} · run {cfg.started} · "
             f"values in {result.meta.get('currency_unit', 'US$ thousand')}", book.subtitle)
    row = 2
    if result.meta.get("synthetic", "").lower() in ("yes", "true", "1"):
        ws.write(row, 0, "SYNTHETIC EXAMPLE DATA: the numbers illustrate the tool only.",
                 book.bad)
        row += 1
    for text in _banners(result):
        ws.merge_range(row, 0, row, 11, text, book.banner)
        ws.set_row(row, 15 * (1 + len(text) // 150))
        row += 1
    gaps = result.meta.get("data_gaps", "")
    if gaps:
        ws.merge_range(row, 0, row, 11, f"Data gaps: {gaps}", book.note)
        ws.set_row(row, 15 * (1 + len(gaps) // 180))
        row += 1
    plain = [s for s in result.scenarios if not s.endswith(" (depth)")]
    deep = [s for s in result.scenarios if s.endswith(" (depth)")]
    card = focus_scorecard(result.scorecard, focus, plain + deep)
    answer = _headline(result, card)
    if answer:
        ws.merge_range(row + 1, 0, row + 1, 11, answer, book.answer)
        ws.set_row(row + 1, 18 * (1 + len(answer) // 150))
        row += 1
    row += 1
    ws.write(row, 0, f"Scorecard for {focus}: change from baseline by scenario "
             "(rank 1 = best)", book.heading)
    top = row + 1
    row = write_table(book, ws, card, top, 0, "focus_scorecard", widths=widths,
                      header_wrap=True)
    for j, c in enumerate(card.columns):
        if c in MONEY_METRICS:
            signs(book, ws, top + 1, row - 1, j, j)
    chart_rows = _welfare_charts(book, ws, top, len(card), card, focus, row + 1)
    row += chart_rows + 2

    row = _robustness_block(book, ws, result, row, widths)
    row = _time_path_block(book, ws, result, row, widths)

    ws.write(row, 0, f"Which scenario ranks first for {focus}, by metric", book.heading)
    row = write_table(book, ws, first, row + 1, 0, "first_ranked", widths=widths,
                      header_wrap=True)

    ws.write(row + 1, 0, f"{focus}'s exports change by partner (US$ thousand)", book.heading)
    wide = partners.pivot_table(index="partner", columns="scenario", values="exports_change",
                                aggfunc="sum", fill_value=0.0, sort=False)
    wide = wide.reindex(columns=[s for s in plain if s in wide.columns]).reset_index()
    ptop = row + 2
    row = write_plain_block(book, ws, wide, ptop, 0, "partners_exports", widths)
    signs(book, ws, ptop + 1, row - 1, 1, len(wide.columns) - 1)
    plain_card = card[card["scenario"].isin(plain)]
    leaders = (list(plain_card.sort_values("net_welfare", ascending=False, kind="stable")
                    ["scenario"].head(PARTNER_CHART_SCENARIOS))
               if "net_welfare" in plain_card.columns else plain[:PARTNER_CHART_SCENARIOS])
    chart_rows = _partner_chart(book, ws, ptop, wide, focus, row + 1, leaders)
    row += chart_rows

    ws.write(row + 1, 0, "Data quality: what each scenario rests on (cross-border trade; "
             "tariff change = base trade x |rate change|, by the quality of the tariff line)",
             book.heading)
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
        "the 'applied' sheet shows the tariffs used. See 'glossary' for definitions.",
        *(detail_notes or []),
    ]
    ws.write(row + 1, 0, "How to read this report", book.heading)
    for i, text in enumerate(notes):
        ws.merge_range(row + 2 + i, 0, row + 2 + i, 11, text, book.note)
        ws.set_row(row + 2 + i, 30)
    apply_widths(ws, {k: min(max(v, 12), 16) if k else max(v, 18) for k, v in widths.items()})


LENSES = [
    "Two lenses. The PE models measure, product by product, the change in consumer and "
    "producer surplus and tariff revenue (US$), with incomes, wages and all other markets "
    "held fixed. The sector model (ge) measures the change in economy-wide real income (%), "
    "with wages, incomes, input-output links and every market adjusting, over 50 sectors.",
    "Why they can differ: the sector model counts the terms-of-trade gains and losses that "
    "reach wages and every sector's income, passes tariff changes down supply chains through "
    "intermediate inputs, averages HS6 tariff peaks into sector rates, and rests on the 2014 "
    "input-output structure; the PE models see each product's own elasticities and tariff "
    "peaks but no feedback between markets.",
]
MODEL_NOTES = {
    "smart": "single market per importer and product (WITS-SMART); linear, world prices "
             "fixed unless export supply is finite",
    "gsim linear": "all markets of a product clear together (GSIM), linearised: reliable "
                   "for small tariff changes only",
    "gsim exact": "the same multi-market model solved exactly (constant elasticities): "
                  "holds for large duties",
    "ge": "Caliendo-Parro sector model with input-output links: real income, rank by the "
          "real income change (ge_real_income, a fraction)",
}


def _robustness_block(book: Book, ws: Worksheet, result: RunResult, row: int,
                      widths: dict[int, int]) -> int:
    """Rank of each scenario for the focus economy under every model, side by side."""
    ranks = result.model_ranks
    if ranks is None or ranks.empty:
        return row
    from fta_compare.robustness import wide

    focus = result.config.focus
    table = wide(ranks)
    ge_vals = ranks[ranks["model"] == "ge"].set_index("scenario")["value"]
    if len(ge_vals):
        table.insert(len(table.columns) - 1, "ge_real_income",
                     table["scenario"].map(ge_vals).to_numpy(dtype=float))
    rf = result.rank_first
    if rf is not None and len(rf):
        share = dict(zip(rf["scenario"], rf["share_first"], strict=True))
        table["share_first_in_draws"] = [share.get(s, float("nan")) for s in table["scenario"]]
    ws.write(row, 0, f"Does the ranking hold? Rank of each scenario for {focus} under every "
             "model (1 = best)", book.heading)
    top = row + 1
    row = write_table(book, ws, table, top, 0, "focus_model_ranks", widths=widths,
                      header_wrap=True)
    col = list(table.columns).index("rank_holds")
    ws.conditional_format(top + 1, col, row - 1, col, {
        "type": "cell", "criteria": "==", "value": '"no"', "format": book.bad})
    flagged = [s for s, h in zip(table["scenario"], table["rank_holds"], strict=True)
               if h == "no"]
    lines = [f"{m}: {MODEL_NOTES.get(m, '')}" for m in dict.fromkeys(ranks["model"])]
    if len(ge_vals):
        lines += LENSES
    lines.append("Rank changes across the PE models: " + (", ".join(flagged) if flagged
                                                           else "none")
                 + ". Net welfare in each PE model; tariff-only scenarios and depth-channel "
                 "variants are ranked separately.")
    bad = [v for v in result.robustness_validity if not v.ok]
    if bad:
        models = sorted({v.model for v in bad})
        lines.append("Outside validity (see 'warnings'): " + "; ".join(
            f"{m} in {sum(1 for v in bad if v.model == m)} scenarios" for m in models)
            + ": read their ranks there with care.")
    if rf is not None and len(rf):
        lines.append("share_first_in_draws: share of the sensitivity draws in which the "
                     "scenario ranks first (from the sensitivity run on the same inputs).")
    for text in lines:
        ws.merge_range(row, 0, row, 11, text, book.note)
        ws.set_row(row, 15 * (1 + len(text) // 160))
        row += 1
    return row + 1


def _time_path_block(book: Book, ws: Worksheet, result: RunResult, row: int,
                     widths: dict[int, int]) -> int:
    """Net welfare of the focus economy at each staging year, with a line chart."""
    path = result.time_path
    focus = result.config.focus
    if path is None or path.empty:
        return row
    mine = path[path["country"] == focus]
    table = mine.pivot_table(index="year", columns="scenario", values="net_welfare",
                             aggfunc="first", sort=True)
    table = table[[s for s in dict.fromkeys(mine["scenario"])]].reset_index()
    info = result.scenario_info
    parent = dict(zip(info["scenario"], info["parent"], strict=True)) if info is not None \
        and "parent" in info.columns else {}
    charted = [c for c in table.columns[1:] if parent.get(c, "baseline") in ("", "baseline")]
    table["year"] = table["year"].astype(int)
    ws.write(row, 0, f"Time path: {focus}'s net welfare at each staging step "
             "(first year: before the agreement, i.e. 0 or the parent scenario; last year: "
             "full phase-in)", book.heading)
    top = row + 1
    row = write_plain_block(book, ws, table, top, 0, "focus_time_path", widths,
                            first="Year")
    ws.merge_range(row, 0, row, 11, "The chart shows the agreements added to the baseline; "
                   "the table also has those added on top of another scenario, which start "
                   "from that scenario's result (e.g. +us_deal from us_deal). Year-by-year "
                   "detail for every economy (welfare parts, exports and imports) is on sheet "
                   "'time_path'.", book.note)
    row += 1
    n = len(table)
    if not charted:
        return row + 1
    chart = book.wb.add_chart({"type": "line"})
    name = ws.get_name()
    for j in range(1, len(table.columns)):
        if table.columns[j] not in charted:
            continue
        chart.add_series({"name": [name, top, j], "categories": [name, top + 1, 0, top + n, 0],
                          "values": [name, top + 1, j, top + n, j],
                          "marker": {"type": "circle", "size": 5}})
    chart.set_title({"name": f"{focus}: net welfare over the phase-in, agreements added to "
                     "the baseline (US$ thousand)",
                     "name_font": {"size": 11}})
    chart.set_y_axis({"num_format": "#,##0"})
    chart.set_x_axis({"name": "year"})
    chart.set_legend({"position": "right"})
    chart.set_size({"width": 900, "height": 320})
    ws.insert_chart(row + 1, 0, chart)
    return row + 18


def write_plain_block(book: Book, ws: Worksheet, df: pd.DataFrame, row: int, col: int,
                      name: str, widths: dict[int, int], first: str = "Partner") -> int:
    """A table whose columns are scenario names (money format for numbers); the first
    column's header is ``first``."""
    money = book.fmt(LABELS["exports_change"].fmt)
    cols = list(df.columns)
    data = [[cell_value(v) for v in rec] for rec in df.itertuples(index=False, name=None)]
    ws.add_table(row, col, row + max(len(df), 1), col + len(cols) - 1, {
        "name": book.table_name(name),
        "columns": [{"header": str(c) if i else first, **({"format": money} if i else {})}
                    for i, c in enumerate(cols)],
        "data": data if data else [[None] * len(cols)],
        "style": "Table Style Light 9",
    })
    for j, c in enumerate(cols):
        widths[col + j] = max(widths.get(col + j, 0), min(max(len(str(c)) + 2, 12), 40))
    return row + max(len(df), 1) + 1


def _welfare_charts(book: Book, ws: Worksheet, top: int, n_scen: int, card: pd.DataFrame,
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


PARTNER_CHART_SCENARIOS = 5  # series in the partner chart; the table above has them all


def _partner_chart(book: Book, ws: Worksheet, ptop: int, wide: pd.DataFrame, focus: str,
                   at_row: int, leaders: list[str]) -> int:
    """Exports change by partner under the partner table, for the scenarios ``leaders``
    (those first by net welfare; more than a handful of series per partner cannot be
    read). Returns the worksheet rows the chart covers (0 when there is none)."""
    n_part = len(wide)
    cols = [j for j, c in enumerate(wide.columns) if j and c in leaders]
    if not n_part or not cols:
        return 0
    name = ws.get_name()
    c3 = book.wb.add_chart({"type": "bar"})
    for j in sorted(cols, key=lambda j: leaders.index(wide.columns[j])):
        c3.add_series({"name": [name, ptop, j],
                       "categories": [name, ptop + 1, 0, ptop + n_part, 0],
                       "values": [name, ptop + 1, j, ptop + n_part, j]})
    c3.set_title({"name": f"{focus} exports change by partner, the {len(cols)} scenarios "
                          "first by net welfare (US$ thousand; every scenario in the table)",
                  "name_font": {"size": 11}})
    c3.set_legend({"position": "right"})
    c3.set_x_axis({"num_format": "#,##0"})
    c3.set_y_axis({"label_position": "low", "reverse": True})
    height = max(400, 6 * n_part * len(cols) + 120)
    c3.set_size({"width": 1200, "height": height})
    ws.insert_chart(at_row, 0, c3)
    return height // 20 + 2


def _ge_headline(result: RunResult) -> str:
    focus = result.config.focus
    w = result.ge.welfare
    mine = w[(w["country"] == focus) & ~w["scenario"].str.endswith(" (depth)")]
    if mine.empty:
        return ""
    best = mine.loc[mine["welfare"].idxmax()]
    text = (f"Answer: for {focus}, '{best['scenario']}' ranks first by real income in the "
            f"sector model ({best['welfare']:+.3%})")
    ranks = result.model_ranks
    if ranks is not None and ranks["model"].nunique() > 1:
        firsts = ranks[(ranks["rank"] == 1) & ~ranks["scenario"].str.endswith(" (depth)")
                       & (ranks["model"] != "ge")]
        others = sorted(set(firsts["scenario"]))
        text += ("; the PE models agree" if others == [best["scenario"]] else
                 f"; the PE models put first: {', '.join(others)}")
    return text + "."


def ge_summary(book: Book, result: RunResult) -> None:
    """The summary of a GE-only run: the answer, the focus economy's real income by
    scenario with its decomposition, and how to read it."""
    cfg = result.config
    focus = cfg.focus
    ws = book.sheet("summary")
    ws.hide_gridlines(2)
    widths: dict[int, int] = {}
    ws.write(0, 0, result.meta.get("title") or "Trade-agreement comparison: sector model",
             book.title)
    ws.write(1, 0, f"Focus economy {focus} · sector model (Caliendo-Parro) · run "
             f"{cfg.started} · changes as fractions (0.0117 = +1.17%)", book.subtitle)
    row = 2
    for w in result.warnings:
        if w.file == "model":
            ws.merge_range(row, 0, row, 9, "WARNING: " + w.rule, book.banner)
            row += 1
    answer = _ge_headline(result)
    if answer:
        ws.merge_range(row + 1, 0, row + 1, 9, answer, book.answer)
        row += 2
    w = result.ge.welfare
    mine = w[w["country"] == focus][["scenario", "welfare", "real_wage", "terms_of_trade",
                                     "volume_of_trade"]]
    mine = mine.assign(rank=mine["welfare"].rank(ascending=False, method="min"))
    ws.write(row + 1, 0, f"{focus}: real income by scenario (rank 1 = best)", book.heading)
    top = row + 2
    row = write_table(book, ws, mine, top, 0, "ge_summary", widths=widths)
    signs(book, ws, top + 1, row - 1, 1, 4)
    for k, text in enumerate(LENSES[:1]):
        ws.merge_range(row + 1 + k, 0, row + 1 + k, 9, text, book.note)
        ws.set_row(row + 1 + k, 45)
    apply_widths(ws, {k: max(v, 14) for k, v in widths.items()})
