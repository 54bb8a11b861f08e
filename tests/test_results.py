"""The long result tables: the in-place builder equals the per-scenario reference."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from fta_compare.model.arrays import MarketArrays, Shock
from fta_compare.model.smart import solve_smart
from fta_compare.results import ResultsBuilder, _stack, concat, scenario_tables, text_column


def _market(seed: int) -> MarketArrays:
    rng = np.random.default_rng(seed)
    P, N = 12, 4
    M0 = rng.uniform(1, 50, (P, N, N)) * (rng.random((P, N, N)) < 0.6)
    return MarketArrays(hs=np.array([f"{i:06d}" for i in range(P)], dtype=object),
                        countries=np.array(["CHN", "JPN", "KOR", "USA"], dtype=object),
                        base_value=M0, base_rate=rng.choice([0.0, 0.08], (P, N, N)),
                        import_demand=np.full((P, N), -1.25), substitution=np.full((P, N), 1.5),
                        export_supply=np.full((P, N), np.inf))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_builder_equals_stacked_scenario_tables(seed: int) -> None:
    m = _market(seed)
    rng = np.random.default_rng(seed + 10)
    quality = (rng.random(m.base_value.shape) < 0.2).astype(np.int8)
    shocks = {f"s{k}": Shock(new_rate=m.base_rate * rng.uniform(0, 1, m.base_rate.shape))
              for k in range(3)}
    solved = {k: solve_smart(m, s) for k, s in shocks.items()}
    ref = concat([scenario_tables(k, m, shocks[k].new_rate, solved[k], quality)
                  for k in shocks])
    b = ResultsBuilder(m, list(shocks), quality)
    for k in shocks:
        b.add(k, shocks[k].new_rate, solved[k])
    got = b.tables()
    for f in dataclasses.fields(got):
        pd.testing.assert_frame_equal(getattr(got, f.name), getattr(ref, f.name),
                                      check_exact=True, obj=f.name)
    assert isinstance(got.results["hs"].dtype, pd.CategoricalDtype)


def test_builder_appends_trade_on_cells_without_base_trade() -> None:
    """A model result with trade where the base had none: those rows are kept (at the end)."""
    m = _market(3)
    shock = Shock(new_rate=m.base_rate)
    res = solve_smart(m, shock)
    empty = np.argwhere(m.base_value == 0)[0]
    new_value = res.new_value.copy()
    new_value[tuple(empty)] = 5.0
    res = dataclasses.replace(res, new_value=new_value)
    b = ResultsBuilder(m, ["s"], None)
    b.add("s", shock.new_rate, res)
    got = b.tables().results
    ref = scenario_tables("s", m, shock.new_rate, res).results
    assert len(got) == len(ref) == int((m.base_value > 0).sum()) + 1
    assert got["new_value"].iloc[-1] == 5.0
    key = ["importer", "exporter", "hs"]
    pd.testing.assert_frame_equal(
        got.astype({c: str for c in key}).sort_values(key).reset_index(drop=True),
        ref.astype({c: str for c in key}).sort_values(key).reset_index(drop=True))


def test_builder_rejects_scenarios_out_of_order() -> None:
    m = _market(4)
    res = solve_smart(m, Shock(new_rate=m.base_rate))
    b = ResultsBuilder(m, ["a", "b"])
    with pytest.raises(ValueError, match="out of order"):
        b.add("b", m.base_rate, res)
    b.add("a", m.base_rate, res)
    with pytest.raises(ValueError, match="not every scenario"):
        b.tables()


def test_text_column_codes_in_the_type_pandas_keeps() -> None:
    """Codes cast once to pandas' own code type; labels as given (missing = -1)."""
    few = text_column(["KOR", "JPN"], np.array([1, 0, -1, 1]))
    assert few.cat.codes.dtype == np.int8
    assert few.tolist()[:2] == ["JPN", "KOR"] and pd.isna(few.iloc[2])
    many = text_column([f"{k:06d}" for k in range(300)], np.array([299, 0]))
    assert many.cat.codes.dtype == np.int16 and many.tolist() == ["000299", "000000"]


@pytest.mark.parametrize("same_categories", [True, False])
def test_stack_equals_pandas_concat(same_categories: bool) -> None:
    """Label columns stacked on their codes read the same as ``pd.concat`` (shared and
    differing category lists), numeric columns are concatenated, objects left to pandas."""
    a = pd.DataFrame({"hs": text_column(["010121", "020110"], np.array([0, 1, 1])),
                      "v": [1.0, 2.0, 3.0], "o": pd.Series(["x", None, "z"], dtype=object)})
    other = ["010121", "020110"] if same_categories else ["030111", "010121"]
    b = pd.DataFrame({"hs": text_column(other, np.array([1, 0])), "v": [4.0, 5.0],
                      "o": pd.Series(["y", "w"], dtype=object)})
    got = _stack([a, b])
    want = pd.concat([a.astype({"hs": str}), b.astype({"hs": str})], ignore_index=True)
    assert got["hs"].astype(str).tolist() == want["hs"].tolist()
    assert isinstance(got["hs"].dtype, pd.CategoricalDtype)
    assert list(got["hs"].cat.categories) == (
        ["010121", "020110"] if same_categories else ["010121", "020110", "030111"])
    np.testing.assert_array_equal(got["v"].to_numpy(), [1.0, 2.0, 3.0, 4.0, 5.0])
    assert got["o"].tolist() == ["x", None, "z", "y", "w"]
