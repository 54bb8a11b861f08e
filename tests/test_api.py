"""The Python API end to end on the synthetic example: depth channel reported side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fta_compare import api
from fta_compare.api import DEPTH_SUFFIX

EXAMPLE = Path(__file__).resolve().parents[1] / "tariff_tables" / "example_synthetic.xlsx"


@pytest.fixture(scope="module")
def with_depth() -> api.RunResult:
    return api.run([EXAMPLE], model="gsim", depth_channel=True)


def test_depth_variants_are_reported_beside_tariff_only(with_depth: api.RunResult) -> None:
    names = with_depth.scenarios
    deep = [s for s in names if s.endswith(DEPTH_SUFFIX)]
    assert deep, "the example adds a deeper agreement, so a depth variant must exist"
    for d in deep:
        assert d.removesuffix(DEPTH_SUFFIX) in names
    plain = api.run([EXAMPLE], model="gsim")
    assert set(plain.scenarios) == {s for s in names if not s.endswith(DEPTH_SUFFIX)}
    # tariff-only results are identical with the channel on or off
    w_on = with_depth.welfare[~with_depth.welfare["scenario"].str.endswith(DEPTH_SUFFIX)]
    assert w_on.reset_index(drop=True).equals(plain.welfare.reset_index(drop=True))


def test_depth_variants_ranked_among_themselves(with_depth: api.RunResult) -> None:
    sc = with_depth.scorecard
    deep = sc[sc["scenario"].str.endswith(DEPTH_SUFFIX)]
    plain = sc[~sc["scenario"].str.endswith(DEPTH_SUFFIX) & (sc["scenario"] != "baseline")]
    n_deep = deep["scenario"].nunique()
    for _, grp in deep.groupby(["country", "metric"]):
        assert grp["rank"].min() == 1 and grp["rank"].max() <= n_deep
    for _, grp in plain.groupby(["country", "metric"]):
        assert grp["rank"].max() <= plain["scenario"].nunique()
    # a depth variant has its scenario's agreements: same depth index and coverage
    for metric in ("depth_index", "preference_coverage"):
        d = deep[deep["metric"] == metric].assign(
            scenario=lambda x: x["scenario"].str.removesuffix(DEPTH_SUFFIX))
        merged = d.merge(plain[plain["metric"] == metric], on=["scenario", "country"])
        assert len(merged) == len(d)
        assert (merged["value_x"] == merged["value_y"]).all()


def test_elasticities_listed_are_those_of_traded_pairs() -> None:
    """The assumptions' elasticity table keeps exactly the (product, economy) pairs that
    trade the product (as importer or exporter), in the resolved table's order."""
    import dataclasses

    import pandas as pd

    from fta_compare.inputs import load_inputs
    from fta_compare.scenarios.shocks import build_universe, resolve_elasticities

    tables = load_inputs([EXAMPLE])
    tr = tables.trade  # one economy stops trading one product: its pair must drop out
    gone = (tr["hs"] == tr["hs"].iloc[0]) & ((tr["exporter"] == "USA") | (tr["importer"] == "USA"))
    tables = dataclasses.replace(tables, trade=tr[~gone].reset_index(drop=True))
    uni = build_universe(tables)
    table = resolve_elasticities(tables, uni).table
    got = api._elasticities_used(table, uni)
    c = uni.cells
    traded = pd.concat([c[["hs", "importer"]].rename(columns={"importer": "country"}),
                        c[["hs", "exporter"]].rename(columns={"exporter": "country"})])
    want = table.merge(traded.drop_duplicates(), on=["hs", "country"], how="inner")
    assert 0 < len(got) < len(table)
    pd.testing.assert_frame_equal(got, want)


def test_run_warms_the_heap_for_its_trade_rows_and_scenarios(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After the read, before validation, the run asks for WARM_BYTES_PER_ROW per trade row
    and scenario-sheet row, more with the depth channel (a no-op unless the process keeps
    freed memory)."""
    from fta_compare.inputs.reader import read_inputs

    asked: list[int] = []
    monkeypatch.setattr(api, "warm_heap", asked.append)
    api.run([EXAMPLE], model="smart", robustness=False, time_path=False)
    api.run([EXAMPLE], model="smart", robustness=False, time_path=False, depth_channel=True)
    read = read_inputs([EXAMPLE])
    rows = len(read.tables["trade"]) * len(read.tables["scenarios"])
    assert asked == [api.WARM_BYTES_PER_ROW[False] * rows,
                     api.WARM_BYTES_PER_ROW[True] * rows] and rows > 0
    assert api.WARM_BYTES_PER_ROW[True] > api.WARM_BYTES_PER_ROW[False]


def test_a_depth_variant_without_any_cut_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """A variant whose trade-cost change is zero on every traded cell equals its scenario:
    the run says so in ``warnings`` (file and sheet of the depth table); variants with a
    cut are not named."""
    plain = api.run([EXAMPLE], model="gsim", depth_channel=True, robustness=False,
                    time_path=False)
    assert not [w for w in plain.warnings if "cuts no trade cost" in w.rule]
    from fta_compare import prepare

    real = prepare._depth_cost
    victim: list[str] = []

    def no_cut(tables, compiled, scenario, uni, m):  # type: ignore[no-untyped-def]
        tc = real(tables, compiled, scenario, uni, m)
        if tc is not None and not victim:
            victim.append(scenario)
            return np.zeros_like(tc)
        return tc

    monkeypatch.setattr(prepare, "_depth_cost", no_cut)
    r = api.run([EXAMPLE], model="gsim", depth_channel=True, robustness=False,
                time_path=False)
    named = [w for w in r.warnings if "cuts no trade cost" in w.rule]
    assert [w.value for w in named] == victim and named[0].sheet == "depth"
    assert named[0].file == EXAMPLE.name and named[0].severity == "warning"
    w = r.welfare.set_index(["scenario", "country"])["net_welfare"]
    pd.testing.assert_series_equal(w[victim[0]], w[victim[0] + DEPTH_SUFFIX],
                                   check_names=False)
