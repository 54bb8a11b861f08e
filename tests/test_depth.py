"""Depth indices on hand-coded agreements, the DESTA fallback and the trade-cost channel."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fta_compare.depth import (
    SOURCE_DESTA,
    SOURCE_HOR,
    agreement_depth,
    depth_beta,
    depth_indices,
    depth_trade_cost,
    depth_trade_cost_change,
    desta_to_unit,
    scenario_depth,
    scenario_trade_cost,
)
from fta_compare.errors import InputError, ModelError
from fta_compare.inputs.tables import InputTables
from fta_compare.scenarios.compiler import compile_applied


def coding() -> pd.DataFrame:
    rows = [
        # AG1: WTO+ 2,2,1,0 ; WTO-X 2,1,0,0
        ("AG1", "FTA industrial", "WTO+", 2), ("AG1", "Customs", "WTO+", 2),
        ("AG1", "SPS", "WTO+", 1), ("AG1", "TBT", "WTO+", 0),
        ("AG1", "Competition policy", "WTO-X", 2), ("AG1", "IPR", "WTO-X", 1),
        ("AG1", "Labour market", "WTO-X", 0), ("AG1", "Environmental laws", "WTO-X", 0),
        # AG2: everything enforceable
        ("AG2", "FTA industrial", "WTO+", 2), ("AG2", "Investment", "WTO-X", 2),
        # AG3: coded, nothing covered
        ("AG3", "FTA industrial", "WTO+", 0),
    ]
    return pd.DataFrame(rows, columns=["agreement", "area", "category", "coverage"])


def test_depth_indices_hand_coded() -> None:
    d = depth_indices(coding()).set_index("agreement")
    a = d.loc["AG1"]
    assert (a["areas_coded"], a["wto_plus_areas"], a["wto_x_areas"]) == (8, 4, 4)
    assert (a["wto_plus_covered"], a["wto_plus_enforceable"]) == (3, 2)
    assert (a["wto_x_covered"], a["wto_x_enforceable"]) == (2, 1)
    assert (a["covered"], a["enforceable"]) == (5, 3)
    assert a["share_enforceable"] == pytest.approx(3 / 5)
    assert a["depth_index"] == pytest.approx((2 + 2 + 1 + 0 + 2 + 1 + 0 + 0) / (2 * 8))
    assert d.loc["AG2", "depth_index"] == 1.0 and d.loc["AG2", "share_enforceable"] == 1.0
    assert d.loc["AG3", "depth_index"] == 0.0 and np.isnan(d.loc["AG3", "share_enforceable"])
    assert list(d.index) == ["AG1", "AG2", "AG3"]
    assert a["index_source"] == SOURCE_HOR


def test_desta_fallback_mapping() -> None:
    assert desta_to_unit(7) == 1.0 and desta_to_unit(0) == 0.0
    assert desta_to_unit(3.5) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        desta_to_unit(8)
    out = agreement_depth(coding(), desta={"RCEP": 3.5, "AG1": 7},
                          meta={"desta_depth:CPTPP": "7", "title": "x"}).set_index("agreement")
    assert out.loc["AG1", "depth_index"] == pytest.approx(0.5)  # the depth sheet wins over DESTA
    assert out.loc["RCEP", "depth_index"] == pytest.approx(0.5)
    assert out.loc["CPTPP", "depth_index"] == 1.0
    assert out.loc["CPTPP", "index_source"] == SOURCE_DESTA
    assert np.isnan(out.loc["CPTPP", "covered"])
    only_desta = agreement_depth(None, desta={"KORUS": 7})
    assert list(only_desta["agreement"]) == ["KORUS"]
    with pytest.raises(InputError):
        agreement_depth(None, meta={"desta_depth:X": "nine"})


def test_depth_trade_cost_formula() -> None:
    assert depth_trade_cost(0.5, 0.8, 5.0) == pytest.approx(math.exp(-0.8 * 0.5 / 4) - 1)
    got = depth_trade_cost(np.array([0.0, 1.0, -1.0]), 0.8, np.array([2.0, 2.0, 2.0]))
    np.testing.assert_allclose(got, [0.0, math.exp(-0.8) - 1, math.exp(0.8) - 1])
    with pytest.raises(ModelError):
        depth_trade_cost(0.5, 0.8, np.array([1.5, 1.0]))


def test_depth_beta_needs_value_and_source() -> None:
    assert depth_beta({"depth_beta": "0.8", "depth_beta_source": "Mattoo et al. 2017"}) == (
        0.8, "Mattoo et al. 2017")
    with pytest.raises(InputError) as err:
        depth_beta({"depth_beta": "0.8"})
    assert "depth_beta_source" in str(err.value)
    with pytest.raises(InputError):
        depth_beta({"depth_beta_source": "x"})


def _compiled(depth_rows: list[tuple] | None = None) -> tuple[InputTables, object]:
    cs = ["KOR", "JPN", "CHN", "USA"]
    prod = pd.DataFrame([(i, e, "870321") for i in cs for e in cs],
                        columns=["importer", "exporter", "hs"])
    ag = pd.DataFrame({"agreement": ["KORUS", "CJK"], "members": ["KOR,USA", "CHN,JPN,KOR"],
                       "in_force": pd.array([2012, None], dtype="Int64")})
    sc = pd.DataFrame({"scenario": ["cjk", "nokorus"], "parent": ["", ""],
                       "year": pd.array([2030, None], dtype="Int64"),
                       "date": pd.to_datetime([None, None]), "agreements": ["CJK", "-KORUS"],
                       "duties": ["", ""]})
    depth = pd.DataFrame(depth_rows or [("KORUS", "a", "WTO+", 2), ("KORUS", "b", "WTO-X", 2),
                                        ("CJK", "a", "WTO+", 2), ("CJK", "b", "WTO-X", 0)],
                         columns=["agreement", "area", "category", "coverage"])
    t = InputTables(trade=prod.assign(value=1.0), agreements=ag, scenarios=sc, depth=depth,
                    mfn=pd.DataFrame({"importer": cs, "hs": "87", "rate": 0.05}),
                    meta={"baseline_year": "2024", "depth_beta": "0.8",
                          "depth_beta_source": "test value"})
    return t, compile_applied(t, prod)


def test_trade_cost_change_for_new_and_lost_partners() -> None:
    t, comp = _compiled()
    out = depth_trade_cost_change(t, comp, "cjk", sigma=5.0)
    assert out.attrs["beta"] == 0.8 and out.attrs["beta_source"] == "test value"
    got = out.set_index(["importer", "exporter"])
    cut = math.exp(-0.8 * 0.5 / 4) - 1
    assert got.loc[("KOR", "JPN"), "depth_change"] == pytest.approx(0.5)
    assert got.loc[("KOR", "JPN"), "trade_cost"] == pytest.approx(cut)
    assert got.loc[("JPN", "CHN"), "trade_cost"] == pytest.approx(cut)
    # KOR-CHN also newly share CJK (0.5); KOR-USA keep KORUS (1.0): no change
    assert got.loc[("KOR", "USA"), "trade_cost"] == 0.0
    assert got.loc[("KOR", "USA"), "base_depth"] == 1.0
    assert got.loc[("USA", "JPN"), "trade_cost"] == 0.0
    assert got.loc[("KOR", "KOR"), "trade_cost"] == 0.0
    sigma = np.where(out["importer"].astype(str) == "KOR", 3.0, 5.0)
    out2 = depth_trade_cost_change(t, comp, "cjk", sigma=sigma, beta=1.0).set_index(
        ["importer", "exporter"])
    assert out2.loc[("KOR", "JPN"), "trade_cost"] == pytest.approx(math.exp(-0.5 / 2) - 1)
    lost = depth_trade_cost_change(t, comp, "nokorus", sigma=5.0).set_index(
        ["importer", "exporter"])
    assert lost.loc[("USA", "KOR"), "depth_change"] == -1.0
    assert lost.loc[("USA", "KOR"), "trade_cost"] == pytest.approx(math.exp(0.8 / 4) - 1)


def test_trade_cost_change_needs_depth_of_changed_agreements() -> None:
    t, comp = _compiled([("KORUS", "a", "WTO+", 2)])
    with pytest.raises(InputError) as err:
        depth_trade_cost_change(t, comp, "cjk", sigma=5.0)
    assert "'CJK'" in str(err.value)
    out = depth_trade_cost_change(t, comp, "cjk", sigma=5.0, depth={"CJK": 0.25, "KORUS": 1})
    assert out["depth_change"].max() == 0.25


def test_scenario_depth_for_the_scorecard() -> None:
    _, comp = _compiled()
    d = scenario_depth(comp, {"CJK": 0.5, "KORUS": 1.0}).set_index(["scenario", "country"])
    assert d.loc[("cjk", "KOR"), "depth_index"] == 0.5
    assert d.loc[("cjk", "USA"), "depth_index"] == 0.0
    assert d.loc[("baseline", "KOR"), "depth_index"] == 0.0
    assert d.loc[("nokorus", "KOR"), "depth_index"] == 0.0
    nan = scenario_depth(comp, {"KORUS": 1.0}).set_index(["scenario", "country"])
    assert np.isnan(nan.loc[("cjk", "JPN"), "depth_index"])


def test_scenario_trade_cost_on_model_cells() -> None:
    t, comp = _compiled()
    countries = np.array(["CHN", "JPN", "KOR", "USA"], dtype=object)
    cells = pd.DataFrame({"exporter": ["JPN", "USA", "KOR"], "importer": ["KOR", "KOR", "KOR"],
                          "hs": ["870321"] * 3})
    cells["p"] = 0
    cells["r"] = pd.Categorical(cells["importer"], categories=countries).codes
    sub = np.array([[2.0, 2.0, 3.0, 2.0]])  # (P=1, N=4) by importer
    out = scenario_trade_cost(t, comp, "cjk", cells, sub)
    assert out is not None and out.attrs["beta_source"] == "test value"
    np.testing.assert_allclose(out["trade_cost"], [math.exp(-0.8 * 0.5 / 2) - 1, 0.0, 0.0])
    assert scenario_trade_cost(t, comp, "baseline", cells, sub) is None
