"""Scenario definitions parsed once, and the time path of staged agreements."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fta_compare.model.arrays import MarketArrays, ModelResult
from fta_compare.scenarios.compiler import compile_applied
from fta_compare.scenarios.definitions import (
    TIME_PATH_SEP,
    parse_definitions,
    staging_years,
    time_path_specs,
)
from fta_compare.scenarios.validate import validate_definitions
from fta_compare.timepath import TOTAL_COLUMNS, economy_totals, time_path_table
from test_scenarios_compiler import agreements, make, mfn, prefs, products, rate, scenarios


def staged_tables():
    prod = products(["KOR", "JPN"], ["KOR", "JPN", "USA"], ["870321"])
    return prod, make(
        prod,
        mfn=mfn([("KOR", "87", 0.08), ("JPN", "87", 0.0)]),
        agreements=agreements([("KJ", "KOR,JPN", ""), ("KORUS", "KOR,USA", 2012)]),
        preferences=prefs([("KJ", "KOR", "87", 2027, 0.06, ""),
                           ("KJ", "KOR", "87", 2031, 0.03, ""),
                           ("KJ", "KOR", "87", 2036, 0.0, ""),
                           ("KORUS", "KOR", "87", 2012, 0.0, "")]),
        scenarios=scenarios([("kj", "", 2036, "", "KJ", ""), ("nodeal", "", "", "",
                                                              "-KORUS", "")]),
        meta={"baseline_year": "2026"},
    )


def test_definitions_are_parsed_once_and_resolve() -> None:
    _, t = staged_tables()
    defs = parse_definitions(t)
    assert defs.baseline_year == 2026
    assert defs.baseline_date == pd.Timestamp("2026-12-31")
    assert defs.agreements["KJ"].parties == {"KOR": 0, "JPN": 1}
    assert defs.agreements["KORUS"].in_force == 2012
    assert defs.staging["KJ"] == (2027, 2031, 2036)
    specs = {s.name: s for s in defs.resolve()}
    assert specs["baseline"].agreements == ("KORUS",)
    assert specs["kj"].agreements == ("KJ", "KORUS") and specs["kj"].year == 2036
    assert specs["nodeal"].agreements == ()
    assert validate_definitions(t, defs) == []


def test_staging_years_are_the_intermediate_steps() -> None:
    _, t = staged_tables()
    defs = parse_definitions(t)
    specs = defs.resolve()
    by = {s.name: s for s in specs}
    assert staging_years(defs, by["kj"], by["baseline"]) == [2027, 2031]
    assert staging_years(defs, by["nodeal"], by["baseline"]) == []  # removes, adds nothing
    steps = time_path_specs(defs, specs)
    assert [s.name for s in steps] == [f"kj{TIME_PATH_SEP}2027", f"kj{TIME_PATH_SEP}2031"]
    assert all(s.origin == "time_path" and s.base_scenario == "kj" for s in steps)


def test_time_path_compiles_each_staging_step() -> None:
    prod, t = staged_tables()
    out = compile_applied(t, prod, time_path=True)
    assert rate(out, f"kj{TIME_PATH_SEP}2027", "KOR", "JPN", "870321") == pytest.approx(0.06)
    assert rate(out, f"kj{TIME_PATH_SEP}2031", "KOR", "JPN", "870321") == pytest.approx(0.03)
    assert rate(out, "kj", "KOR", "JPN", "870321") == pytest.approx(0.0)
    assert rate(out, "baseline", "KOR", "JPN", "870321") == pytest.approx(0.08)
    plain = compile_applied(t, prod)
    assert f"kj{TIME_PATH_SEP}2027" not in plain.scenarios


def test_a_reserved_scenario_name_is_an_error() -> None:
    _, t = staged_tables()
    t = make(products(["KOR"], ["JPN"], ["870321"]), scenarios=scenarios(
        [(f"x{TIME_PATH_SEP}2027", "", "", "", "", "")]), mfn=t.mfn)
    issues = validate_definitions(t, parse_definitions(t))
    assert any("reserved for time-path steps" in i.rule for i in issues)


def _result(cs: float, ps: float, tr: float, M1: np.ndarray) -> ModelResult:
    z = np.zeros((1, 2))
    return ModelResult(new_value=M1, trade_creation=M1 * 0, trade_diversion=M1 * 0,
                       world_price_change=z, consumer_surplus=np.array([[cs, 0.0]]),
                       producer_surplus=np.array([[0.0, ps]]),
                       tariff_revenue=np.array([[tr, 0.0]]),
                       converged=np.ones(1, bool), residual=np.zeros(1))


def by_name(specs: list, name: str):
    return next(s for s in specs if s.name == name)


def test_economy_totals_and_the_time_path_table() -> None:
    M0 = np.array([[[50.0, 10.0], [20.0, 70.0]]])  # [p, exporter, importer]
    m = MarketArrays(hs=np.array(["870321"]), countries=np.array(["JPN", "KOR"]),
                     base_value=M0, base_rate=np.zeros_like(M0),
                     import_demand=-np.ones((1, 2)), substitution=np.ones((1, 2)),
                     export_supply=np.full((1, 2), np.inf))
    M1 = np.array([[[55.0, 14.0], [21.0, 60.0]]])
    t = economy_totals(m, _result(3.0, 2.0, -1.0, M1))
    got = dict(zip(TOTAL_COLUMNS, t[:, 1], strict=True))  # KOR
    assert got["consumer_surplus"] == 0 and got["producer_surplus"] == 2.0
    assert got["exports_change"] == pytest.approx(1.0)  # KOR -> JPN 20 -> 21
    assert got["imports_change"] == pytest.approx(4.0)  # JPN -> KOR 10 -> 14 (domestic out)
    assert t[3, 0] == pytest.approx(3.0 - 1.0)  # JPN net = CS + PS + TR
    _, tables = staged_tables()
    defs = parse_definitions(tables)
    specs = defs.resolve()
    specs = specs + time_path_specs(defs, specs)
    totals = {s.name: t * (k + 1) for k, s in enumerate(specs)}
    path = time_path_table(specs, totals, m.countries, 2026)
    kor = path[(path["country"] == "KOR") & (path["scenario"] == "kj")]
    assert list(kor["year"]) == [2026, 2027, 2031, 2036]
    assert list(kor["step"]) == ["baseline", "step 1", "step 2", "full phase-in"]
    assert kor["net_welfare"].iloc[0] == 0.0
    assert kor["net_welfare"].iloc[-1] == pytest.approx(totals["kj"][3, 1])
    assert "nodeal" not in set(path["scenario"])
    # a child of another scenario starts from its parent's result, not from zero
    kid = replace(by_name(specs, "kj"), name="kj+nodeal", parent="nodeal")
    steps = [replace(s, name=s.name.replace("kj", "kj+nodeal"), base_scenario="kj+nodeal")
             for s in specs if s.base_scenario == "kj"]
    totals.update({kid.name: t * 7.0, **{s.name: t * 5.0 for s in steps}})
    path = time_path_table([*specs, kid, *steps], totals, m.countries, 2026)
    kid_kor = path[(path["country"] == "KOR") & (path["scenario"] == "kj+nodeal")]
    assert kid_kor["step"].iloc[0] == "before: nodeal"
    assert kid_kor["net_welfare"].iloc[0] == pytest.approx(totals["nodeal"][3, 1])
    assert kid_kor["net_welfare"].iloc[-1] == pytest.approx(7.0 * t[3, 1])
