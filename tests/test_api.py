"""The Python API end to end on the synthetic example: depth channel reported side by side."""

from __future__ import annotations

from pathlib import Path

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
