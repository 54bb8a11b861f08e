"""The one assembly step: read every source, build every sheet, write the workbook(s).

:func:`build_default` calls each source module's ``load`` on the shared data folder and its
builder, in dependency order (trade -> schedules -> duties -> depth, elasticities -> sources,
meta), and returns the sheets in workbook order. :func:`write_workbook` writes them with
xlsxwriter, byte-for-byte reproducibly: fixed creation date, no timestamps in cells, HS codes as
text, booleans as ``yes``/``no``, NaN as empty cells, ``inf`` as text. :func:`write_default`
writes the ``ge_*`` sheets to ``default_ge.xlsx`` and splits the trade sheet into its own workbook
if a sheet would exceed ``MAX_ROWS_SINGLE`` rows. The GE tables need the compiled 2026 PE
baseline: :func:`build_default` compiles it with the tool itself (``ge_tables.py``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from . import (
    concordance,
    depth,
    desta,
    elasticities,
    ge_tables,
    japan_tariff,
    jp_customs,
    scenarios,
    sectors,
    us_actions,
    us_hts,
    us_imports,
    utilisation,
    wdi,
    wiod_cp,
)
from .helpers import Log
from .meta import build_meta
from .schedules import build_schedules, mfn_checks
from .sources import build_sources
from .trade import build_trade
from .universe import EU27, UNIVERSE

FIXED_CREATED = dt.datetime(2026, 1, 1, 0, 0, 0)
AUTHOR = "fta_compare build_tariff_tables.py"
MAX_ROWS_SINGLE = 1_048_575  # Excel sheet limit (header row excluded)
MAX_CELLS_SINGLE = 10_000_000
TRADE_SHEETS = ("trade",)


def build_default(shared: Path, log: Log = print) -> dict[str, pd.DataFrame]:
    """Every sheet of ``default.xlsx`` from the shared data folder, in workbook order."""
    conc = concordance.load(shared)
    U = conc.universe
    us = us_imports.load(shared)
    hts8 = us_hts.load_hts8(shared)
    cp = wiod_cp.load(shared)
    wdi_table = wdi.load(shared)
    log("trade ...")
    trade, tinfo, _partner_w = build_trade(us, cp, jp_customs.load(shared), U)
    log(f"  {len(trade):,} rows, {trade['hs'].nunique():,} HS6")
    log("schedules ...")
    pairs = desta.agreement_pairs(desta.load(shared), 2014)
    sched, sinfo = build_schedules(U, japan_tariff.load(shared), hts8, wdi_table, cp, pairs)
    sinfo["checks"] = mfn_checks(trade, sched["mfn"], wdi_table, sinfo["wiod_overall_mfn"])
    applied14 = wdi.near(wdi_table, wdi.APPLIED, [*cp.economies, "EUN"], 2014)["rate"]
    sinfo["orientation"] = wiod_cp.orientation_table(
        cp, applied14, [c for c in cp.economies if c in EU27])
    intl = trade[trade["exporter"] != trade["importer"]]
    tinfo["import_totals"] = "; ".join(
        f"{c} {intl.loc[intl['importer'] == c, 'value'].sum() / 1e6:,.0f}" for c in UNIVERSE)
    log("duties ...")
    acts = us_actions.load(shared)
    scopes = us_actions.Scopes(U, us_hts.load_basic(shared), hts8, acts.exempt, acts.s232d)
    duties, dinfo = us_actions.build_duties(scopes, acts, us, sinfo["us_mfn"])
    log("depth, elasticities ...")
    dep, depinfo = depth.build_depth(depth.load(shared))
    el, elinfo = elasticities.build_elasticities(conc, elasticities.load(shared))
    top = max(
        float(sched["mfn"]["rate"].max()),
        float(sched["preferences"]["rate"].max()),
        float(duties["rate"].max()),
    )
    pe = {
        "regions": scenarios.build_regions(us),
        "agreements": scenarios.build_agreements(),
        "preferences": sched["preferences"],
        "mfn": sched["mfn"],
        "duties": duties,
        "depth": dep,
        "scenarios": scenarios.build_scenarios(),
        "trade": trade,
        "elasticities": el,
        "sectors": sectors.build_sectors(),
        "utilisation": utilisation.build_utilisation(utilisation.load(shared)),
    }
    log("GE tables (compiling the PE baseline) ...")
    cells = ge_tables.compile_pe_baseline(pe, top)
    ge, geinfo = ge_tables.build_ge(cp, ge_tables.pe_sector_tariffs(cells), U)
    return {
        "meta": build_meta(tinfo, sinfo, dinfo, depinfo, trade["hs"].nunique(), top, geinfo),
        "sources": build_sources(tinfo, sinfo, dinfo, depinfo, elinfo, geinfo),
        **pe,
        **ge,
    }


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Write the sheets to ``path`` (via a temporary file), reproducibly."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(
        str(tmp),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": False,
        },
    )
    wb.set_properties({"created": FIXED_CREATED, "author": AUTHOR, "title": path.stem})
    head = wb.add_format({"bold": True})
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, df in sheets.items():
        ws = wb.add_worksheet(name)
        cols = list(df.columns)
        for j, c in enumerate(cols):
            ws.write_string(0, j, c, head)
        for j, c in enumerate(cols):
            col = df[c].tolist()
            for i, v in enumerate(col, start=1):
                if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
                    continue
                if isinstance(v, str):
                    if v != "":
                        ws.write_string(i, j, v)
                elif isinstance(v, bool | np.bool_):
                    ws.write_string(i, j, "yes" if v else "no")
                elif isinstance(v, dt.datetime | dt.date | pd.Timestamp):
                    vv = v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)
                    ws.write_datetime(i, j, vv, datef)
                elif isinstance(v, int | np.integer):
                    ws.write_number(i, j, int(v))
                elif isinstance(v, float | np.floating):
                    if np.isinf(v):
                        ws.write_string(i, j, "inf")
                    else:
                        ws.write_number(i, j, float(v))
                else:
                    ws.write_string(i, j, str(v))
        ws.freeze_panes(1, 0)
    wb.close()
    tmp.replace(path)


def write_default(sheets: dict[str, pd.DataFrame], out: Path, log: Log = print) -> list[Path]:
    """default.xlsx (+ default_ge.xlsx with the ``ge_*`` sheets), or default_schedules.xlsx +
    default_trade.xlsx instead of default.xlsx if a sheet is too large."""
    ge = {k: v for k, v in sheets.items() if k.startswith("ge_")}
    sheets = {k: v for k, v in sheets.items() if not k.startswith("ge_")}
    ge_paths = [out / "default_ge.xlsx"] if ge else []
    if ge:
        write_workbook(ge_paths[0], ge)
    too_big = any(len(df) > MAX_ROWS_SINGLE for df in sheets.values())
    total_cells = sum(df.size for df in sheets.values())
    if too_big or total_cells > MAX_CELLS_SINGLE:
        a = {k: v for k, v in sheets.items() if k not in TRADE_SHEETS}
        b = {k: v for k, v in sheets.items() if k in TRADE_SHEETS}
        paths = [out / "default_schedules.xlsx", out / "default_trade.xlsx"]
        write_workbook(paths[0], a)
        write_workbook(paths[1], b)
        stale = [out / "default.xlsx"]
    else:
        paths = [out / "default.xlsx"]
        write_workbook(paths[0], sheets)
        stale = [out / "default_schedules.xlsx", out / "default_trade.xlsx"]
    for p in stale:
        if p.exists():
            p.unlink()
    paths += ge_paths
    for p in paths:
        log(f"wrote {p} ({p.stat().st_size / 1e6:.1f} MB)")
    return paths
