"""The long result tables: the in-place builder equals the per-scenario reference."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from fta_compare.model.arrays import MarketArrays, Shock
from fta_compare.model.smart import solve_smart
from fta_compare.results import ResultsBuilder, concat, scenario_tables


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
