"""Results outside a model's validity are never silent; the ranking across models is shown.

A 45% duty on one of three suppliers, export supply infinitely elastic: linear GSIM's
straight-line demand takes that supplier's imports below zero (own-price elasticity
0.2 x -1.25 - 0.8 x 5 = -4.25 times a 41% price rise, 1.45 / 1.025 - 1), the exact
constant-elasticity solution cannot. The warning must reach stderr, the
``warnings`` sheet and a banner on ``summary``; the summary shows each scenario's rank
under every PE model and flags rank changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fta_compare import api
from fta_compare.cli import main
from fta_compare.model.arrays import Shock
from fta_compare.model.exact import solve_exact
from fta_compare.model.gsim import solve_gsim
from fta_compare.robustness import ranks, wide
from fta_compare.validity import LINEAR_LIMIT, check, issues
from helpers import market, write_xlsx


def duty_sheets() -> dict[str, list[list[object]]]:
    rows = [["exporter", "importer", "hs", "value"]]
    for hs in ("870323", "850760"):
        rows += [["KOR", "USA", hs, 100.0], ["JPN", "USA", hs, 100.0],
                 ["MEX", "USA", hs, 100.0], ["USA", "USA", hs, 300.0]]
    applied = [["scenario", "importer", "exporter", "hs", "rate"],
               ["baseline", "USA", "*", "*", 0.025],
               ["duty_kor", "USA", "KOR", "*", 0.45],
               ["duty_small", "USA", "KOR", "*", 0.05],
               ["cut_jpn", "USA", "JPN", "*", 0.0]]
    return {"trade": rows, "applied": applied,
            "elasticities": [["hs", "country", "import_demand", "substitution",
                              "export_supply"], ["*", "*", -1.25, 5.0, None]],
            "meta": [["key", "value"], ["focus", "KOR"], ["synthetic", "yes"]]}


@pytest.fixture
def duty_case(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "duty.xlsx", duty_sheets(),
                      text_columns={"trade": {2}, "applied": {3}})


def test_check_counts_negative_trade_and_large_linear_shocks() -> None:
    M = np.array([[[0, 0, 100.0], [0, 0, 100.0], [0, 0, 300.0]]])
    m = market(M, np.full((1, 3, 3), 0.025), Em=-1.25, Es=5.0)  # Ex infinite
    t1 = m.base_rate.copy()
    t1[0, 0, 2] = 0.45
    shock = Shock(new_rate=t1)
    lin = check("duty", "gsim linear", m, shock, solve_gsim(m, shock))
    exact = check("duty", "gsim exact", m, shock, solve_exact(m, shock))
    assert lin.negative_cells == 1 and lin.negative_value < 0
    assert lin.negative_base_value == 100.0
    assert (1.45 / 1.025 - 1) > LINEAR_LIMIT and lin.large_shock_cells == 1
    assert exact.negative_cells == 0 and exact.large_shock_cells == 0 and exact.ok
    text = " ".join(i.rule for i in issues([lin, exact]))
    assert "negative imports in 1 trade cells" in text and "--solution exact" in text


def test_linear_gsim_warns_on_stderr_sheet_and_summary(duty_case: Path, tmp_path: Path
                                                       ) -> None:
    out = tmp_path / "lin.xlsx"
    res = CliRunner().invoke(main, ["run", str(duty_case), "--model", "gsim", "--solution",
                                    "linear", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert "negative imports" in res.stderr
    warn = pd.read_excel(out, sheet_name="warnings", engine="calamine", header=1)
    assert warn.iloc[:, -1].astype(str).str.contains("negative imports").any()
    ws = load_workbook(out, read_only=True)["summary"]
    text = " ".join(str(c.value) for row in ws.iter_rows(max_row=12) for c in row if c.value)
    assert "WARNING: gsim linear gives negative imports" in text
    res2 = CliRunner().invoke(main, ["run", str(duty_case), "--out",
                                     str(tmp_path / "ex.xlsx"), "--quiet"])
    assert res2.exit_code == 0 and "negative imports" not in res2.stderr


def test_model_ranks_side_by_side_and_flag_changes(duty_case: Path) -> None:
    r = api.run([duty_case])
    table = r.model_ranks
    assert set(table["model"]) == {"smart", "gsim linear", "gsim exact"}
    exact = table[table["model"] == "gsim exact"].set_index("scenario")
    welfare = r.welfare[r.welfare["country"] == "KOR"].set_index("scenario")["net_welfare"]
    np.testing.assert_allclose(exact["value"], welfare.reindex(exact.index), rtol=1e-12)
    best = welfare.idxmax()
    assert exact.loc[best, "rank"] == 1
    w = wide(table)
    assert list(w.columns[-1:]) == ["rank_holds"]
    differ = w.filter(like="rank ").nunique(axis=1) > 1
    assert (w["rank_holds"] == np.where(differ, "no", "yes")).all()


def test_ranks_keep_depth_variants_apart() -> None:
    got = ranks(pd.Series([3.0, 1.0, 5.0, 2.0]), ["a", "b", "a (depth)", "b (depth)"])
    np.testing.assert_array_equal(got, [1, 2, 1, 2])


def test_focus_falls_back_to_the_largest_economy(tmp_path: Path) -> None:
    sheets = duty_sheets()
    sheets["trade"] = [r for r in sheets["trade"] if r[0] != "KOR"]
    sheets["applied"] = [r for r in sheets["applied"] if r[2] != "KOR"]
    sheets["meta"] = [["key", "value"], ["synthetic", "yes"]]
    path = write_xlsx(tmp_path / "nokor.xlsx", sheets, text_columns={"trade": {2},
                                                                       "applied": {3}})
    r = api.run([path])
    assert r.config.focus == "USA"  # the largest economy by cross-border trade (imports)
    assert any("largest economy" in w.rule for w in r.warnings)
    res = CliRunner().invoke(main, ["run", str(path), "--focus", "KOR", "--out",
                                    str(tmp_path / "x.xlsx"), "--quiet"])
    assert res.exit_code == 1 and "focus economy does not trade" in res.output
