"""The CLI through Click's test runner, on real workbooks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fta_compare.cli import main
from helpers import check_case_sheets, write_xlsx


@pytest.fixture
def check_case(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "check.xlsx", check_case_sheets())


def test_run_smart_writes_contract_sheets_with_design_numbers(check_case: Path,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    res = CliRunner().invoke(main, ["run", str(check_case), "--model", "smart", "--out",
                                    str(out)])
    assert res.exit_code == 0, res.output
    sheets = load_workbook(out, read_only=True).sheetnames
    for name in ("summary", "results", "prices", "welfare", "scorecard", "applied",
                 "assumptions", "glossary", "manifest"):
        assert name in sheets
    r = pd.read_excel(out, engine="openpyxl", sheet_name="results", dtype={"hs": str})
    a = r[r["exporter"] == "KOR"].iloc[0]
    b = r[r["exporter"] == "JPN"].iloc[0]
    assert a["trade_creation"] == pytest.approx(13.636, abs=1e-3)
    assert a["trade_diversion"] == pytest.approx(8.696, abs=1e-3)
    assert b["trade_diversion"] == pytest.approx(-8.696, abs=1e-3)
    assert r["hs"].iloc[0] == "870323"
    w = pd.read_excel(out, engine="openpyxl", sheet_name="welfare")
    usa = w[w["country"] == "USA"].iloc[0]
    assert usa["tariff_revenue"] == pytest.approx(-10.870, abs=1e-3)
    assert (out.with_name("out.results.parquet")).exists()


def test_run_refuses_to_overwrite_without_force(check_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous work")
    res = CliRunner().invoke(main, ["run", str(check_case), "--out", str(out)])
    assert res.exit_code == 1
    assert "--force" in res.output
    assert out.read_bytes() == b"previous work"
    res = CliRunner().invoke(main, ["run", str(check_case), "--out", str(out), "--force"])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:2] == b"PK"


def test_validate_lists_errors_and_exits_1_writing_nothing(tmp_path: Path) -> None:
    s = check_case_sheets()
    s["applied"][1][4] = 8
    s["trade"][1][0] = "XXX"
    bad = write_xlsx(tmp_path / "bad.xlsx", s)
    before = set(tmp_path.iterdir())
    res = CliRunner().invoke(main, ["validate", str(bad)])
    assert res.exit_code == 1
    assert "bad.xlsx [applied!E2]" in res.output and "bad.xlsx [trade!A2]" in res.output
    assert set(tmp_path.iterdir()) == before


def test_run_on_bad_input_exits_1_without_traceback(tmp_path: Path) -> None:
    s = check_case_sheets()
    s["applied"][1][4] = 8
    bad = write_xlsx(tmp_path / "bad.xlsx", s)
    out = tmp_path / "o.xlsx"
    res = CliRunner().invoke(main, ["run", str(bad), "--out", str(out)])
    assert res.exit_code == 1
    assert "Traceback" not in res.output and "nothing was written" in res.output
    assert not out.exists()


def test_usage_error_exit_2(check_case: Path) -> None:
    res = CliRunner().invoke(main, ["run", str(check_case), "--model", "nope"])
    assert res.exit_code == 2


def test_smart_with_exact_is_a_clear_error(check_case: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["run", str(check_case), "--model", "smart", "--solution",
                                    "exact", "--out", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 1 and "gsim only" in res.output


def test_template_roundtrip_validates_headers(tmp_path: Path) -> None:
    p = tmp_path / "t.xlsx"
    res = CliRunner().invoke(main, ["template", str(p)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(p)
    assert wb["trade"]["A1"].value == "exporter"
    assert wb["duties"].data_validations.dataValidation  # enum lists and ranges present
    res = CliRunner().invoke(main, ["template", str(p)])
    assert res.exit_code == 1 and "--force" in res.output


@pytest.mark.parametrize("model,solution", [("gsim", "linear"), ("gsim", "exact")])
def test_gsim_runs_on_any_smart_workbook(check_case: Path, tmp_path: Path, model: str,
                                         solution: str) -> None:
    out = tmp_path / f"{solution}.xlsx"
    res = CliRunner().invoke(main, ["run", str(check_case), "--model", model, "--solution",
                                    solution, "--out", str(out)])
    assert res.exit_code == 0, res.output
    p = pd.read_excel(out, engine="openpyxl", sheet_name="prices")
    assert set(p.columns) >= {"scenario", "hs", "exporter", "world_price_change"}
    w = pd.read_excel(out, engine="openpyxl", sheet_name="welfare")
    assert {"consumer_surplus", "producer_surplus", "tariff_revenue", "net_welfare"} <= set(
        w.columns)


def test_unknown_focus_is_a_clear_error(check_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "f.xlsx"
    res = CliRunner().invoke(main, ["run", str(check_case), "--focus", "FRA", "--out",
                                    str(out)])
    assert res.exit_code == 1 and "focus economy does not trade" in res.output
    assert not out.exists()
