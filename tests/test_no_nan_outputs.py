"""Numerical safety: ill-posed inputs never put NaN or inf in any output sheet.

The full CLI runs on a workbook built to be ill-posed -- a product whose trade is all
zero, elasticities that make the multi-market system nearly singular, import shares of
subnormal values, extreme but valid elasticities on a market with a zero flow, a 1000%
tariff -- for ``--model smart``, ``gsim --solution linear`` and ``gsim --solution exact``.
Every cell of every sheet is scanned: no NaN/inf number, no 'nan'/'inf' text (except the
documented 'inf' of an infinitely elastic export supply), no Excel error, and no blank in
a numeric column of the contract sheets (the writer turns NaN into a blank, so a blank
there is a NaN that was hidden). The Parquet detail is checked for NaN/inf too. The
ill-posed products must be reported in the 'warnings' or 'convergence' sheet.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fta_compare.cli import main
from helpers import Rows, write_xlsx


def ill_posed_sheets() -> dict[str, Rows]:
    return {
        "trade": [["exporter", "importer", "hs", "value"],
                  ["KOR", "USA", "870323", 100.0], ["JPN", "USA", "870323", 200.0],
                  # all trade zero for a product
                  ["KOR", "USA", "010121", 0.0], ["JPN", "USA", "010121", 0.0],
                  # nearly singular clearing system (tiny substitution and supply)
                  ["KOR", "JPN", "850760", 40.0], ["CHN", "JPN", "850760", 60.0],
                  # shares of subnormal numbers (do not sum to one in floating point)
                  ["KOR", "CHN", "300490", 1e-310], ["JPN", "CHN", "300490", 2e-310],
                  # extreme valid elasticities on a market with a zero flow
                  ["CHN", "KOR", "850440", 0.0], ["JPN", "KOR", "850440", 1e-300],
                  # a single supplier facing a 1000% tariff
                  ["CHN", "USA", "940360", 50.0]],
        "elasticities": [["hs", "country", "import_demand", "substitution", "export_supply"],
                         ["*", "*", -1.25, 1.5, 2.0],
                         ["850760", "*", -1.0, 1e-13, 1e-13],
                         ["850440", "*", -1e-4, 1e4, 1e-4]],
        "applied": [["scenario", "importer", "exporter", "hs", "rate"],
                    ["baseline", "USA", "*", "*", 0.10], ["baseline", "JPN", "*", "*", 0.05],
                    ["baseline", "CHN", "*", "*", 0.08], ["baseline", "KOR", "*", "*", 0.08],
                    ["cut", "USA", "KOR", "*", 0.0], ["cut", "JPN", "KOR", "*", 0.0],
                    ["cut", "CHN", "KOR", "*", 0.0], ["cut", "KOR", "CHN", "*", 0.0],
                    ["hike", "USA", "CHN", "*", 10.0]],
        "meta": [["key", "value"], ["focus", "KOR"], ["max_rate", 10]],
    }


BAD_TEXT = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "-infinity",
            "#num!", "#div/0!", "#value!"}
NUMERIC = {"results": ["base_value", "new_value", "trade_creation", "trade_diversion",
                       "base_rate", "new_rate"],
           "prices": ["world_price_change"],
           "welfare": ["consumer_surplus", "producer_surplus", "tariff_revenue",
                       "net_welfare"],
           "scorecard": ["value", "rank"]}


def _bad_cells(path: Path) -> list[str]:
    """Every cell holding NaN/inf as a number, as text, or as an Excel error."""
    wb = load_workbook(path)
    bad = []
    for ws in wb.worksheets:
        infinite_ok = set()  # columns documenting an infinitely elastic export supply
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if isinstance(v, str) and "export supply" in v.lower():
                    infinite_ok.add(c.column)
                if c.data_type == "e" or (isinstance(v, float) and not math.isfinite(v)):
                    bad.append(f"{ws.title}!{c.coordinate}={v!r}")
                elif isinstance(v, str) and v.strip().lower() in BAD_TEXT:
                    if not (v == "inf" and c.column in infinite_ok):
                        bad.append(f"{ws.title}!{c.coordinate}={v!r}")
    return bad


def _blank_numbers(path: Path) -> list[str]:
    """Blanks (hidden NaN) in the numeric columns of the contract sheets."""
    sheets = pd.read_excel(path, sheet_name=list(NUMERIC), engine="openpyxl",
                           dtype={"hs": str})
    out = []
    for name, cols in NUMERIC.items():
        df = sheets[name]
        for col in cols:
            miss = df[col].isna()
            if col == "rank":  # the baseline row carries no rank (scorecard design)
                miss &= df["scenario"] != "baseline"
            non_number = df[col].map(lambda v: isinstance(v, str))
            for i in df.index[(miss | non_number).to_numpy()]:
                out.append(f"{name} row {i + 2} {col}: {df.loc[i].to_dict()}")
    return out


def _reported(path: Path) -> str:
    """Text of the 'warnings' and 'convergence' sheets."""
    wb = load_workbook(path, read_only=True)
    text = []
    for name in ("warnings", "convergence"):
        if name in wb.sheetnames:
            for row in wb[name].iter_rows(values_only=True):
                text.append(" | ".join("" if v is None else str(v) for v in row))
    return "\n".join(text)


@pytest.fixture(scope="module")
def ill_posed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_xlsx(tmp_path_factory.mktemp("ill") / "ill.xlsx", ill_posed_sheets())


@pytest.mark.parametrize("model,solution", [("smart", "linear"), ("gsim", "linear"),
                                            ("gsim", "exact")])
def test_no_nan_or_inf_reaches_any_sheet(ill_posed: Path, tmp_path: Path, model: str,
                                         solution: str) -> None:
    out = tmp_path / f"{model}_{solution}.xlsx"
    res = CliRunner().invoke(main, ["run", str(ill_posed), "--model", model, "--solution",
                                    solution, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    assert _bad_cells(out) == []
    assert _blank_numbers(out) == []
    detail = pd.read_parquet(out.with_name(out.stem + ".results.parquet"))
    numbers = detail.select_dtypes("number")
    assert numbers.notna().all().all() and numbers.abs().lt(math.inf).all().all(), detail[
        ~numbers.notna().all(axis=1)]
    report = _reported(out)  # the all-zero market is named (file, sheet, cell, rule)
    assert "ill.xlsx | trade | D4 | 0 | every import of this product into this importer " \
           "is zero" in report, report


def test_ill_posed_market_is_named_at_its_cell(ill_posed: Path) -> None:
    from fta_compare.inputs import check_inputs

    tables, issues = check_inputs([ill_posed])
    assert tables is not None
    hit = [i for i in issues if i.severity == "warning" and "is zero" in i.rule]
    assert [(i.file, i.sheet, i.cell) for i in hit] == [("ill.xlsx", "trade", "D4")]
