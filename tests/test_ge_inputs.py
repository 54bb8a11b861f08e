"""The general-equilibrium input sheets (ge_*): sheet specs, cross-table validation with
cell-level issues on real .xlsx files, conversion to model arrays, CLI and template."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fta_compare.cli import main
from fta_compare.errors import InputError, Issue
from fta_compare.inputs import check_inputs
from fta_compare.inputs.ge_validate import ge_frames, ge_inputs
from fta_compare.inputs.schema import GE_SHEETS, SHEETS
from helpers import Rows, check_case_sheets, write_xlsx

ECON = ("CHN", "JPN", "KOR")


def ge_sheets() -> dict[str, Rows]:
    """A consistent GE-only workbook, 3 economies x 2 sectors, numbers chosen by hand.

    C01: domestic sales 100, every export 10 -> gross output 120 = inputs 30 + 20 + VA 70.
    C02: domestic 200, every export 5 -> gross output 210 = inputs 40 + 50 + VA 120.
    """
    trade: Rows = [["exporter", "importer", "sector", "value"]]
    for sector, dom, exp in (("C01", 100.0, 10.0), ("C02", 200.0, 5.0)):
        for i in ECON:
            for n in ECON:
                trade.append([i, n, sector, dom if i == n else exp])
    inter: Rows = [["country", "input", "sector", "value"]]
    final: Rows = [["country", "sector", "value"]]
    va: Rows = [["country", "sector", "value"]]
    for c in ECON:
        inter += [[c, "C01", "C01", 30.0], [c, "C02", "C01", 20.0],
                  [c, "C01", "C02", 40.0], [c, "C02", "C02", 50.0]]
        final += [[c, "C01", 50.0], [c, "C02", 130.0]]
        va += [[c, "C01", 70.0], [c, "C02", 120.0]]
    return {
        "ge_trade": trade,
        "ge_applied": [["scenario", "importer", "exporter", "sector", "rate"],
                       ["baseline", "KOR", "CHN", "C01", 0.08],
                       ["baseline", "CHN", "KOR", "C01", 0.10],
                       ["baseline", "JPN", "KOR", "C01", 0.05],
                       ["cut", "KOR", "CHN", "C01", 0.0],
                       ["cut", "CHN", "KOR", "C01", 0.0]],
        "ge_intermediate": inter,
        "ge_final": final,
        "ge_value_added": va,
        "ge_elasticities": [["sector", "theta"], ["C01", 8.0], ["C02", 5.0]],
        "meta": [["key", "value"], ["title", "GE test (synthetic)"]],
    }


def row_of(rows: Rows, *match: object) -> int:
    """Excel row number (header = 1) of the first data row starting with ``match``."""
    for k, r in enumerate(rows[1:], start=2):
        if tuple(r[: len(match)]) == match:
            return k
    raise KeyError(match)


def issues_of(tmp_path: Path, sheets: dict[str, Rows]) -> tuple[Path, list[Issue]]:
    path = write_xlsx(tmp_path / "ge.xlsx", sheets)
    tables, issues = check_inputs([path])
    if any(i.severity == "error" for i in issues):
        assert tables is None
    return path, issues


def find(issues: list[Issue], sheet: str, cell: str, text: str,
         severity: str = "error") -> Issue:
    hits = [i for i in issues if i.sheet == sheet and i.cell == cell and text in i.rule
            and i.severity == severity]
    assert hits, f"no {severity} at {sheet}!{cell} with '{text}' in:\n" + "\n".join(
        map(str, issues))
    assert hits[0].file == "ge.xlsx"
    return hits[0]


# --------------------------------------------------------------------------- valid input
def test_ge_only_workbook_validates_and_converts(tmp_path: Path) -> None:
    sheets = ge_sheets()
    path, issues = issues_of(tmp_path, sheets)
    assert not [i for i in issues if i.severity == "error"], issues
    tables, _ = check_inputs([path])
    assert tables is not None and tables.trade.empty and tables.ge_only
    ge, warnings = ge_inputs(tables)
    assert ge.economies == ECON and ge.sectors == ("C01", "C02")
    chn, jpn, kor = 0, 1, 2
    assert ge.trade_value.shape == (2, 3, 3)
    assert ge.trade_value[0, chn, chn] == 100.0 and ge.trade_value[1, kor, jpn] == 5.0
    assert ge.intermediate[kor, 1, 0] == 20.0 and ge.intermediate[chn, 0, 1] == 40.0
    assert ge.value_added[1, jpn] == 120.0 and ge.final[0, kor] == 50.0
    np.testing.assert_array_equal(ge.theta, [8.0, 5.0])
    assert ge.deficit is None  # no ge_deficits sheet: computed from the flows
    assert ge.tariff[0, chn, kor] == 0.08  # KOR's tariff on CHN goods (exporter, importer)
    assert ge.tariff[0, kor, chn] == 0.10 and ge.tariff[0, kor, jpn] == 0.05
    assert ge.tariff[0, jpn, chn] == 0.0  # no baseline row: untaxed
    assert list(ge.scenarios) == ["cut"]
    cut = ge.scenarios["cut"]
    assert cut[0, chn, kor] == 0.0 and cut[0, kor, chn] == 0.0
    assert cut[0, kor, jpn] == 0.05  # not listed in 'cut': keeps the baseline rate
    assert not [w for w in warnings if "tiny" in w.rule]
    results = ge.solve()
    assert results["cut"].converged
    welfare, sectors = ge_frames(ge, results)
    assert list(welfare.columns) == ["scenario", "country", "welfare", "real_wage",
                                     "terms_of_trade", "volume_of_trade"]
    assert len(welfare) == 3 and len(sectors) == 6
    row = sectors[(sectors["country"] == "KOR") & (sectors["sector"] == "C02")]
    assert row["price_change"].item() == results["cut"].price_change[1, kor]
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 0, res.output


def test_pe_workbook_gets_no_ge_issues(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "pe.xlsx", check_case_sheets())
    tables, issues = check_inputs([path])
    assert tables is not None and not tables.has_ge
    assert not [i for i in issues if i.sheet.startswith("ge_")]


def test_pe_and_ge_sheets_together_are_both_validated(tmp_path: Path) -> None:
    sheets = {**check_case_sheets(), **ge_sheets()}
    sheets["ge_elasticities"][1][1] = -2.0
    _, issues = issues_of(tmp_path, sheets)
    find(issues, "ge_elasticities", "B2", "theta must be > 0")


# ------------------------------------------------------------------------------ errors
def test_clearly_negative_flow_is_an_error(tmp_path: Path) -> None:
    sheets = ge_sheets()
    r = row_of(sheets["ge_trade"], "JPN", "KOR", "C01")
    sheets["ge_trade"][r - 1][3] = -5.0
    _, issues = issues_of(tmp_path, sheets)
    hit = find(issues, "ge_trade", f"D{r}", "negative value")
    assert float(hit.value) == -5.0


def test_tiny_negative_input_is_set_to_zero_with_a_warning(tmp_path: Path) -> None:
    sheets = ge_sheets()
    r = row_of(sheets["ge_intermediate"], "KOR", "C02", "C01")
    # KOR's C01 buys 50 of C01 and -0.04 of C02: 0.04 / 50 = 0.08% of its input spending
    sheets["ge_intermediate"][r - 1][3] = -0.04
    sheets["ge_intermediate"][row_of(sheets["ge_intermediate"], "KOR", "C01", "C01") - 1][3] = 50.0
    path, issues = issues_of(tmp_path, sheets)
    hit = find(issues, "ge_intermediate", f"D{r}", "tiny negative value set to zero",
               "warning")
    assert "0.080%" in hit.rule
    tables, _ = check_inputs([path])
    assert tables is not None
    ge, _ = ge_inputs(tables)
    assert ge.intermediate[2, 1, 0] == 0.0


def test_sector_demanded_but_produced_nowhere(tmp_path: Path) -> None:
    sheets = ge_sheets()
    sheets["ge_final"].append(["JPN", "C03", 5.0])
    r = len(sheets["ge_final"])
    _, issues = issues_of(tmp_path, sheets)
    find(issues, "ge_final", f"B{r}", "produced nowhere")


def test_sector_with_zero_flows_everywhere_but_demanded(tmp_path: Path) -> None:
    sheets = ge_sheets()
    for row in sheets["ge_trade"][1:]:
        if row[2] == "C02":
            row[3] = 0.0
    _, issues = issues_of(tmp_path, sheets)
    r = row_of(sheets["ge_final"], "CHN", "C02")
    find(issues, "ge_final", f"B{r}", "produced nowhere")


def test_output_identity_beyond_tolerance_is_an_error(tmp_path: Path) -> None:
    sheets = ge_sheets()
    r = row_of(sheets["ge_value_added"], "KOR", "C01")
    sheets["ge_value_added"][r - 1][2] = 80.0  # 50 + 80 = 130 vs gross output 120
    _, issues = issues_of(tmp_path, sheets)
    hit = find(issues, "ge_value_added", f"C{r}", "gross output")
    assert "7.692%" in hit.rule and "KOR C01" in hit.rule


def test_output_identity_within_tolerance_is_a_warning(tmp_path: Path) -> None:
    sheets = ge_sheets()
    r = row_of(sheets["ge_value_added"], "JPN", "C02")
    sheets["ge_value_added"][r - 1][2] = 120.5  # 0.5 / 210.5 = 0.24%
    path, issues = issues_of(tmp_path, sheets)
    hit = find(issues, "ge_value_added", f"C{r}", "within the 1% tolerance", "warning")
    assert "0.238%" in hit.rule
    assert check_inputs([path])[0] is not None


@pytest.mark.parametrize("theta", [0.0, -3.0])
def test_theta_must_be_positive(tmp_path: Path, theta: float) -> None:
    sheets = ge_sheets()
    sheets["ge_elasticities"][2][1] = theta
    _, issues = issues_of(tmp_path, sheets)
    find(issues, "ge_elasticities", "B3", "theta must be > 0")


def test_sector_without_theta(tmp_path: Path) -> None:
    sheets = ge_sheets()
    del sheets["ge_elasticities"][2]
    _, issues = issues_of(tmp_path, sheets)
    r = row_of(sheets["ge_trade"], "CHN", "CHN", "C02")
    find(issues, "ge_trade", f"C{r}", "sector 'C02' has no theta")


def test_economy_unknown_to_ge_trade(tmp_path: Path) -> None:
    sheets = ge_sheets()
    sheets["ge_final"].append(["USA", "C01", 5.0])
    r = len(sheets["ge_final"])
    _, issues = issues_of(tmp_path, sheets)
    find(issues, "ge_final", f"A{r}", "economy 'USA' has no rows in ge_trade")


def test_economy_missing_from_a_table(tmp_path: Path) -> None:
    sheets = ge_sheets()
    sheets["ge_value_added"] = [r for r in sheets["ge_value_added"] if r[0] != "KOR"]
    _, issues = issues_of(tmp_path, sheets)
    r = row_of(sheets["ge_trade"], "KOR")
    find(issues, "ge_trade", f"A{r}", "economy 'KOR' has no rows in 'ge_value_added'")


def test_applied_without_baseline(tmp_path: Path) -> None:
    sheets = ge_sheets()
    sheets["ge_applied"] = [r for r in sheets["ge_applied"] if r[0] != "baseline"]
    _, issues = issues_of(tmp_path, sheets)
    find(issues, "ge_applied", "A", "scenario 'baseline' is required")


def test_blank_value_is_a_missing_value_error(tmp_path: Path) -> None:
    sheets = ge_sheets()
    r = row_of(sheets["ge_final"], "JPN", "C01")
    sheets["ge_final"][r - 1][2] = None
    _, issues = issues_of(tmp_path, sheets)
    find(issues, "ge_final", f"C{r}", "required cell is blank")


def test_required_ge_sheet_missing(tmp_path: Path) -> None:
    sheets = ge_sheets()
    del sheets["ge_final"]
    _, issues = issues_of(tmp_path, sheets)
    hit = find(issues, "ge_final", "", "required sheet 'ge_final' is missing")
    assert hit.file == "ge.xlsx"


def test_income_must_be_positive(tmp_path: Path) -> None:
    sheets = ge_sheets()
    sheets["ge_deficits"] = [["country", "value"], ["CHN", -400.0], ["JPN", 200.0],
                             ["KOR", 200.0]]
    _, issues = issues_of(tmp_path, sheets)
    find(issues, "ge_deficits", "B2", "is not positive")


# ----------------------------------------------------------------------------- warnings
def test_country_sector_without_output_or_inputs(tmp_path: Path) -> None:
    sheets = ge_sheets()
    # KOR produces no C02: no sales, no inputs, no value added (it still imports C02)
    sheets["ge_trade"] = [r for r in sheets["ge_trade"] if not (r[0] == "KOR" and r[2] == "C02")]
    sheets["ge_intermediate"] = [r for r in sheets["ge_intermediate"]
                                 if not (r[0] == "KOR" and r[2] == "C02")]
    sheets["ge_value_added"] = [r for r in sheets["ge_value_added"]
                                if not (r[0] == "KOR" and r[1] == "C02")]
    # JPN produces C01 from value added alone: no inputs, VA = gross output 120
    sheets["ge_intermediate"] = [r for r in sheets["ge_intermediate"]
                                 if not (r[0] == "JPN" and r[2] == "C01")]
    r_va = row_of(sheets["ge_value_added"], "JPN", "C01")
    sheets["ge_value_added"][r_va - 1][2] = 120.0
    path, issues = issues_of(tmp_path, sheets)
    assert not [i for i in issues if i.severity == "error"], issues
    hit = [i for i in issues if "KOR does not produce C02" in i.rule]
    assert hit and hit[0].severity == "warning" and hit[0].sheet == "ge_trade"
    find(issues, "ge_value_added", f"C{r_va}", "buys no intermediate inputs", "warning")
    tables, _ = check_inputs([path])
    ge, _ = ge_inputs(tables)
    out = ge.solve()["cut"]
    assert out.converged and out.output_change[1, 2] == 0.0


def test_demand_without_purchases_in_ge_trade(tmp_path: Path) -> None:
    """KOR buys C02 in ge_final, but ge_trade shows no C02 purchases by KOR (the sellers'
    output identities then break too, reported as errors of their own)."""
    sheets = ge_sheets()
    for row in sheets["ge_trade"][1:]:
        if row[1] == "KOR" and row[2] == "C02":
            row[3] = 0.0
    _, issues = issues_of(tmp_path, sheets)
    r = row_of(sheets["ge_final"], "KOR", "C02")
    find(issues, "ge_final", f"B{r}", "shows no purchases", "warning")


def test_deficits_not_summing_to_zero(tmp_path: Path) -> None:
    sheets = ge_sheets()
    sheets["ge_deficits"] = [["country", "value"], ["CHN", 5.0], ["JPN", -2.0], ["KOR", 0.0]]
    path, issues = issues_of(tmp_path, sheets)
    hit = find(issues, "ge_deficits", "", "deficits sum to 3", "warning")
    assert hit.value == "3"
    tables, _ = check_inputs([path])
    assert tables is not None and any("deficits sum" in w.rule for w in tables.warnings)
    ge, _ = ge_inputs(tables)
    np.testing.assert_array_equal(ge.deficit, [5.0, -2.0, 0.0])


def test_ge_inputs_raises_with_every_error(tmp_path: Path) -> None:
    sheets = ge_sheets()
    sheets["ge_elasticities"][1][1] = 0.0
    sheets["ge_final"].append(["USA", "C01", 5.0])
    path = write_xlsx(tmp_path / "ge.xlsx", sheets)
    from fta_compare.inputs.reader import read_inputs
    from fta_compare.inputs.validate import validate_tables

    tables, _ = validate_tables(read_inputs([path]))  # sheet-level checks only: they pass
    assert tables is not None
    with pytest.raises(InputError) as err:
        ge_inputs(tables)
    text = str(err.value)
    assert "ge_elasticities!B2" in text and "'USA'" in text


# ------------------------------------------------------------------------ CLI, template
def test_cli_validate_exits_1_and_names_the_cell(tmp_path: Path) -> None:
    sheets = ge_sheets()
    r = row_of(sheets["ge_value_added"], "CHN", "C02")
    sheets["ge_value_added"][r - 1][2] = 300.0
    path = write_xlsx(tmp_path / "ge.xlsx", sheets)
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 1
    assert f"ge.xlsx [ge_value_added!C{r}]" in res.output and "gross output" in res.output


def test_template_has_the_ge_sheets_with_headers(tmp_path: Path) -> None:
    p = tmp_path / "t.xlsx"
    res = CliRunner().invoke(main, ["template", str(p)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(p)
    assert set(GE_SHEETS) == {"ge_trade", "ge_applied", "ge_intermediate", "ge_final",
                              "ge_value_added", "ge_deficits", "ge_elasticities",
                              "ge_sectors"}
    for name in GE_SHEETS:
        header = [c.value for c in wb[name][1]]
        assert header == [c.name for c in SHEETS[name].columns], name
    assert [c.value for c in wb["ge_trade"][1]] == ["exporter", "importer", "sector", "value"]
    assert wb["ge_elasticities"].data_validations.dataValidation  # theta > 0


def test_template_filled_with_ge_sheets_only_validates(tmp_path: Path) -> None:
    """The template's empty PE sheets do not make a GE-only input fail."""
    p = tmp_path / "t.xlsx"
    assert CliRunner().invoke(main, ["template", str(p)]).exit_code == 0
    wb = load_workbook(p)
    for name, rows in ge_sheets().items():
        ws = wb[name]
        for row in rows[1:]:
            ws.append(row)
    wb.save(p)
    tables, issues = check_inputs([p])
    assert tables is not None, [str(i) for i in issues if i.severity == "error"]
    assert tables.ge_only
