"""The human sheets after the summary: compare, one per scenario, sectors, assumptions,
sources, manifest, warnings and glossary."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from fta_compare.report import views
from fta_compare.report.book import Book, apply_widths, kv, signs, write_table
from fta_compare.report.labels import LABELS
from fta_compare.report.plain import plain_sheet
from fta_compare.results import RunResult


def compare(book: Book, totals: pd.DataFrame) -> None:
    ws = book.sheet("compare")
    widths: dict[int, int] = {}
    ws.write(0, 0, "Every scenario and economy: change from baseline", book.heading)
    end = write_table(book, ws, totals, 1, 0, "compare", widths=widths)
    signs(book, ws, 2, end - 1, 2, 9)
    ws.freeze_panes(2, 2)
    apply_widths(ws, widths)


def scenario_sheet(book: Book, result: RunResult, scen: str, totals: pd.DataFrame,
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
    signs(book, ws, 5, row - 1, 1, 8)
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
    apply_widths(ws, widths)


def sectors_sheet(book: Book, sectors: pd.DataFrame) -> None:
    ws = book.sheet("sectors")
    widths: dict[int, int] = {}
    ws.write(0, 0, "HS sections and strategic sectors by scenario and economy "
             "(a product may be in several sectors)", book.heading)
    end = write_table(book, ws, sectors, 1, 0, "sectors", widths=widths)
    signs(book, ws, 2, end - 1, 4, 4)
    signs(book, ws, 2, end - 1, 6, 6)
    ws.freeze_panes(2, 0)
    apply_widths(ws, widths)


def elasticity_pairs(el: pd.DataFrame, rule_of: np.ndarray | None = None) -> pd.DataFrame:
    """Every (product, economy) elasticity used, with the number of the rule that set it."""
    if rule_of is None:
        rule_of = elasticity_rules(el)[1]
    return el[[c for c in el.columns if not c.endswith("_source")]].assign(rule=rule_of)


def assumptions(book: Book, result: RunResult,
                pair_selection: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> None:
    """Model, parameters, meta, compiled scenarios, depth indices and the elasticities
    used (a table here when small, else the rules here and the pairs on sheet
    'elasticities', cut by ``pair_selection`` when given)."""
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
    row = kv(book, ws, model_rows, 1, "model_parameters", widths)
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
        pairs = elasticity_pairs(el, rule_of)
        if pair_selection is not None:
            pairs = pair_selection(pairs)
        plain_sheet(book, "elasticities", pairs, human=False, split=True)
    apply_widths(ws, {k: min(v, 50) for k, v in widths.items()})


ELASTICITIES_LISTED = 5_000  # pairs listed on 'assumptions' itself (an Excel table)
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


def sources(book: Book, result: RunResult) -> None:
    ws = book.sheet("sources")
    widths: dict[int, int] = {}
    ws.write(0, 0, "Sources of every input table (from the inputs' 'sources' sheets)",
             book.heading)
    src = result.sources[[c for c in result.sources.columns if not c.startswith("_")]]
    write_table(book, ws, src, 1, 0, "sources", widths=widths)
    apply_widths(ws, {k: min(v, 80) for k, v in widths.items()})


def manifest(book: Book, result: RunResult, detail_notes: list[str] | None = None) -> None:
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
    ]
    rows += [("detail", note) for note in (detail_notes or [])]
    rows += [(f"input {n}", f"sha256 {h}") for n, h in cfg.input_sha256]
    rows += [(f"parameter {k}", v) for k, v in cfg.parameters]
    rows += [(f"seconds {k}", f"{v:.2f}") for k, v in result.timings]
    ws.write(0, 0, "Run manifest", book.heading)
    kv(book, ws, rows, 1, "manifest", widths)
    apply_widths(ws, {k: min(v, 90) for k, v in widths.items()})


def warnings_sheet(book: Book, result: RunResult) -> None:
    ws = book.sheet("warnings")
    widths: dict[int, int] = {}
    df = pd.DataFrame([(w.file, w.sheet, w.cell, w.value, w.rule) for w in result.warnings],
                      columns=["file", "sheet", "cell", "value", "rule"])
    ws.write(0, 0, "Non-fatal issues in the inputs and non-converged products", book.heading)
    write_table(book, ws, df, 1, 0, "warnings", widths=widths)
    apply_widths(ws, {k: min(v, 90) for k, v in widths.items()})


def glossary(book: Book) -> None:
    ws = book.sheet("glossary")
    widths: dict[int, int] = {}
    df = pd.DataFrame([(k, v.header, v.definition) for k, v in LABELS.items()],
                      columns=["column", "header", "definition"])
    ws.write(0, 0, "Column names, headers with units, and definitions", book.heading)
    write_table(book, ws, df, 1, 0, "glossary", widths=widths)
    apply_widths(ws, {k: min(v, 100) for k, v in widths.items()})


