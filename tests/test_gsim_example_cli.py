"""The GSIM paper's worked example (Francois & Hall 2003) through the CLI, on a real .xlsx.

Four regions: US, JP, EU and the rest of the world (RW), one product, Em = -1.25, Es = 5,
Ex = 1.5, a US-EU free trade agreement. EU-EU (200) and RW-RW (20) trade with
themselves; RW-RW at a 15% tariff, given explicitly in the ``applied`` sheet, which the
compiler must honour (not replace by 0). The published world price changes are
US +7.92%, JP -3.16%, EU +4.80%, RW -1.84% (see tests/test_model_gsim.py for the source).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from fta_compare.cli import main
from helpers import FH_M, FH_T0, write_xlsx

CODES = ["USA", "JPN", "EUN", "ROW"]  # US, JP, EU (a declared region), RW (region)
HS = "100100"


def example_sheets() -> dict[str, list[list[object]]]:
    trade = [["exporter", "importer", "hs", "value"]]
    applied = [["scenario", "importer", "exporter", "hs", "rate"]]
    for v, exp in enumerate(CODES):
        for r, imp in enumerate(CODES):
            if FH_M[v, r] > 0:
                trade.append([exp, imp, HS, float(FH_M[v, r])])
                applied.append(["baseline", imp, exp, HS, round(float(FH_T0[v, r]) - 1, 10)])
    applied += [["us_eu_fta", "USA", "EUN", HS, 0.0], ["us_eu_fta", "EUN", "USA", HS, 0.0]]
    return {
        "trade": trade,
        "applied": applied,
        "elasticities": [["hs", "country", "import_demand", "substitution", "export_supply"],
                         ["*", "*", -1.25, 5.0, 1.5]],
        "regions": [["code", "name", "members"], ["EUN", "European Union", None],
                    ["ROW", "Rest of the world", None]],
        "meta": [["key", "value"], ["focus", "USA"], ["synthetic", "yes"],
                 ["title", "GSIM worked example (Francois & Hall 2003)"]],
    }


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "gsim_example.xlsx", example_sheets(),
                      text_columns={"trade": {2}, "applied": {3}})


def test_worked_example_reproduces_through_the_cli(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "gsim.xlsx"
    res = CliRunner().invoke(main, ["run", str(example), "--model", "gsim", "--solution",
                                    "linear", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    prices = pd.read_excel(out, sheet_name="prices", engine="calamine", dtype={"hs": str})
    got = prices.set_index("exporter")["world_price_change"].reindex(CODES).to_numpy()
    np.testing.assert_array_equal(np.round(got, 4), [0.0792, -0.0316, 0.0480, -0.0184])


def test_explicit_internal_rate_is_honoured_and_taxes_revenue(example: Path,
                                                              tmp_path: Path) -> None:
    """RW-RW keeps its 15%; RW's revenue change equals the hand sum over its imports,
    RW-RW included (t1 M1 - t0 M0 over every source)."""
    out = tmp_path / "gsim.xlsx"
    res = CliRunner().invoke(main, ["run", str(example), "--model", "gsim", "--solution",
                                    "linear", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    results = pd.read_excel(out, sheet_name="results", engine="calamine", dtype={"hs": str})
    rw = results[(results["importer"] == "ROW") & (results["scenario"] == "us_eu_fta")]
    own = rw[rw["exporter"] == "ROW"]
    assert own["base_rate"].iloc[0] == pytest.approx(0.15)
    assert own["new_rate"].iloc[0] == pytest.approx(0.15)
    by_hand = float((rw["new_rate"] * rw["new_value"] - rw["base_rate"] * rw["base_value"]).sum())
    welfare = pd.read_excel(out, sheet_name="welfare", engine="calamine")
    got = welfare.set_index(["scenario", "country"]).loc[("us_eu_fta", "ROW"), "tariff_revenue"]
    assert got == pytest.approx(by_hand, rel=1e-12)
    assert abs(float(own["new_rate"].iloc[0] * own["new_value"].iloc[0]
                     - 0.15 * own["base_value"].iloc[0])) > 1e-6  # RW-RW moves revenue


def test_a_wildcard_row_does_not_tax_domestic_sales(tmp_path: Path) -> None:
    """Only a row that names the cell (ROW/ROW) sets an internal rate; ROW/* does not."""
    sheets = example_sheets()
    sheets["applied"] = [row for row in sheets["applied"]
                         if not (row[1] == "ROW" and row[2] == "ROW")]
    sheets["applied"].append(["baseline", "ROW", "*", HS, 0.3])
    path = write_xlsx(tmp_path / "wild.xlsx", sheets, text_columns={"trade": {2}, "applied": {3}})
    out = tmp_path / "wild_out.xlsx"
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    results = pd.read_excel(out, sheet_name="results", engine="calamine", dtype={"hs": str})
    own = results[(results["importer"] == "ROW") & (results["exporter"] == "ROW")]
    assert (own["base_rate"] == 0).all()
