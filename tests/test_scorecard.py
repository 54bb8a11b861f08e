"""Scorecard metrics and ranks on a tiny case whose answers are obvious."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fta_compare.inputs.tables import InputTables
from fta_compare.scenarios.compiler import compile_applied
from fta_compare.scorecard import (
    SCORECARD_COLUMNS,
    build_scorecard,
    first_by_metric,
    focus_table,
    scorecard,
    sector_map,
)

RES_COLS = ["scenario", "importer", "exporter", "hs", "base_value", "new_value",
            "trade_creation", "trade_diversion", "base_rate", "new_rate"]


def results() -> pd.DataFrame:
    rows = [
        # scenario A: KOR exports +20 of chips to JPN; KOR buys minerals mostly from China
        ("A", "JPN", "KOR", "854231", 100, 120, 15, 5, 0.05, 0.0),
        ("A", "KOR", "CHN", "280530", 60, 90, 0, 0, 0.0, 0.0),
        ("A", "KOR", "JPN", "280530", 40, 10, 0, 0, 0.0, 0.0),
        ("A", "KOR", "KOR", "280530", 500, 400, 0, 0, 0.0, 0.0),  # domestic: ignored
        # scenario B: KOR exports +10; mineral imports split evenly
        ("B", "JPN", "KOR", "854231", 100, 110, 12, -2, 0.05, 0.02),
        ("B", "KOR", "CHN", "280530", 60, 50, 0, 0, 0.0, 0.0),
        ("B", "KOR", "JPN", "280530", 40, 50, 0, 0, 0.0, 0.0),
        ("B", "KOR", "KOR", "280530", 500, 500, 0, 0, 0.0, 0.0),
    ]
    return pd.DataFrame(rows, columns=RES_COLS)


def welfare() -> pd.DataFrame:
    return pd.DataFrame({
        "scenario": ["A", "A", "B", "B"], "country": ["KOR", "JPN", "KOR", "JPN"],
        "consumer_surplus": [1.0, 2.0, 3.0, 1.0], "producer_surplus": [4.0, 0.0, 9.0, -1.0],
        "tariff_revenue": [5.0, 3.0, 8.0, -1.0], "net_welfare": [10.0, 5.0, 20.0, -1.0]})


def sectors() -> pd.DataFrame:
    return pd.DataFrame({"hs": ["8542", "2805", "28"],
                         "sector": ["semiconductors", "critical_minerals", "chemicals"]})


def applied() -> pd.DataFrame:
    rows = [("baseline", "JPN", "KOR", "854231", 0.05, np.nan, np.nan),
            ("A", "JPN", "KOR", "854231", 0.05, 0.0, 1.0),
            ("B", "JPN", "KOR", "854231", 0.05, 0.02, 0.5)]
    df = pd.DataFrame(rows, columns=["scenario", "importer", "exporter", "hs", "mfn_rate",
                                     "preferential_rate", "utilisation"])
    return df


def card(**kw: object) -> pd.DataFrame:
    return scorecard(results(), welfare(), sectors=sectors(), applied=applied(),
                     depth=pd.DataFrame({"scenario": ["A", "B"], "country": ["KOR", "KOR"],
                                         "depth_index": [0.4, 0.9]}), **kw)  # type: ignore


def val(c: pd.DataFrame, scen: str, country: str, metric: str, col: str = "value") -> float:
    hit = c[(c["scenario"] == scen) & (c["country"] == country) & (c["metric"] == metric)]
    assert len(hit) == 1, (scen, country, metric)
    return float(hit[col].iloc[0])


def test_values_and_ranks_tiny_case() -> None:
    c = card()
    assert list(c.columns) == list(SCORECARD_COLUMNS)
    # welfare: B is better for KOR, A for JPN
    assert val(c, "B", "KOR", "net_welfare", "rank") == 1
    assert val(c, "A", "KOR", "net_welfare", "rank") == 2
    assert val(c, "A", "JPN", "net_welfare", "rank") == 1
    # exports: KOR +20 in A vs +10 in B
    assert val(c, "A", "KOR", "exports_change") == 20
    assert val(c, "A", "KOR", "exports_change", "rank") == 1
    assert val(c, "A", "KOR", "exports_change:semiconductors") == 20
    assert val(c, "A", "KOR", "trade_creation") == 15
    assert val(c, "B", "KOR", "trade_diversion") == -2
    # imports (domestic row left out): A 100 -> 100, B 100 -> 100
    assert val(c, "A", "KOR", "imports_change") == 0
    assert val(c, "A", "JPN", "imports_change") == 20
    # critical minerals: A 90/10 -> HHI 0.82, China 0.9; B 50/50 -> 0.5, 0.5 (lower better)
    assert val(c, "A", "KOR", "critical_import_hhi") == pytest.approx(0.82)
    assert val(c, "B", "KOR", "critical_import_hhi") == pytest.approx(0.5)
    assert val(c, "B", "KOR", "critical_import_hhi", "rank") == 1
    assert val(c, "A", "KOR", "critical_china_share") == pytest.approx(0.9)
    assert val(c, "B", "KOR", "critical_china_share", "rank") == 1
    # baseline: base-period levels, no rank
    assert val(c, "baseline", "KOR", "critical_china_share") == pytest.approx(0.6)
    assert np.isnan(val(c, "baseline", "KOR", "net_welfare", "rank"))
    assert val(c, "baseline", "KOR", "exports_change") == 0
    # depth and preference coverage (KOR's trade: 100 exports + 100 imports)
    assert val(c, "B", "KOR", "depth_index", "rank") == 1
    assert val(c, "baseline", "KOR", "depth_index") == 0
    assert val(c, "A", "KOR", "preference_coverage") == pytest.approx(100 / 200)
    assert val(c, "B", "KOR", "preference_coverage") == pytest.approx(50 / 200)  # u = 0.5
    assert val(c, "baseline", "KOR", "preference_coverage") == 0
    assert val(c, "A", "JPN", "preference_coverage") == pytest.approx(100 / 140)
    # a country in no scenario's trade has every metric too
    metrics = set(c["metric"])
    for country in ("KOR", "JPN", "CHN"):
        assert set(c.loc[c["country"] == country, "metric"]) == metrics
    assert "exports_change:chemicals" in metrics


def test_composite_and_focus_helpers() -> None:
    w = pd.DataFrame({"metric": ["net_welfare", "critical_import_hhi"], "weight": [1.0, 1.0]})
    c = card(weights=w)
    # KOR: B best on both -> composite 1, A worst on both -> 0
    assert val(c, "B", "KOR", "composite") == 1.0
    assert val(c, "A", "KOR", "composite") == 0.0
    assert np.isnan(val(c, "baseline", "KOR", "composite"))
    wide = focus_table(c, "KOR")
    assert list(wide.index) == ["baseline", "A", "B"]
    assert wide.loc["B", "net_welfare"] == 20 and wide.loc["B", "net_welfare rank"] == 1
    assert "composite rank" in wide.columns
    first = first_by_metric(c, "KOR").set_index("metric")
    assert first.loc["net_welfare", "scenario"] == "B"
    assert first.loc["exports_change", "scenario"] == "A"
    assert first.loc["composite", "scenario"] == "B"
    assert first.loc["critical_china_share", "value"] == pytest.approx(0.5)
    # ties share rank 1
    first_cn = first_by_metric(c, "CHN").set_index("metric")
    assert first_cn.loc["net_welfare", "scenario"] == "A, B"


def test_optional_inputs_omit_their_metrics() -> None:
    c = scorecard(results(), welfare())
    assert set(c["metric"]) == {"net_welfare", "consumer_surplus", "producer_surplus",
                                "tariff_revenue", "exports_change", "imports_change",
                                "trade_creation", "trade_diversion"}
    assert c["value"].notna().all()


def test_sector_map_prefixes_multi_membership() -> None:
    m = sector_map(pd.Series(["280530", "854231", "010121"]), sectors())
    pairs = set(map(tuple, m[["hs", "sector"]].to_numpy()))
    assert pairs == {("280530", "critical_minerals"), ("280530", "chemicals"),
                     ("854231", "semiconductors")}


def test_build_scorecard_with_depth_per_agreement() -> None:
    cs = ["KOR", "JPN", "CHN"]
    prod = pd.DataFrame([(i, e, h) for i in cs for e in cs for h in ("854231", "280530")],
                        columns=["importer", "exporter", "hs"])
    t = InputTables(
        trade=prod.assign(value=1.0),
        mfn=pd.DataFrame({"importer": cs, "hs": "28", "rate": 0.05}),
        agreements=pd.DataFrame({"agreement": ["CJK"], "members": ["CHN,JPN,KOR"],
                                 "in_force": pd.array([None], dtype="Int64")}),
        scenarios=pd.DataFrame({"scenario": ["A", "B"], "parent": ["", ""],
                                "year": pd.array([2030, 2030], dtype="Int64"),
                                "date": pd.to_datetime([None, None]),
                                "agreements": ["CJK", ""], "duties": ["", ""]}),
        meta={"baseline_year": "2024"})
    comp = compile_applied(t, prod)
    depth = pd.DataFrame({"agreement": ["CJK"], "depth_index": [0.6]})
    c = build_scorecard(results(), welfare(), depth=depth, compiled=comp)
    assert val(c, "A", "KOR", "depth_index") == 0.6
    assert val(c, "B", "KOR", "depth_index") == 0.0
    with pytest.raises(ValueError):
        build_scorecard(results(), welfare(), depth=depth)
    empty = build_scorecard(results(), welfare(), depth=depth.iloc[:0])
    assert "depth_index" not in set(empty["metric"])


def test_variants_take_policy_metrics_and_rank_among_themselves() -> None:
    """A depth-channel variant has its scenario's agreements and tariffs: it takes the
    scenario's depth_index and preference_coverage, and is ranked only against the other
    variants, so adding variants leaves the scenarios' own ranks as they were."""
    res, wel = results(), welfare()
    deep_res = res.assign(scenario=res["scenario"] + " (depth)",
                          new_value=res["new_value"] * 2.0)
    deep_wel = wel.assign(scenario=wel["scenario"] + " (depth)",
                          net_welfare=wel["net_welfare"] * np.array([1, 1, -1, 1]))
    depth = pd.DataFrame({"scenario": ["A", "B"], "country": ["KOR", "KOR"],
                          "depth_index": [0.4, 0.9]})
    alone = scorecard(res, wel, sectors=sectors(), applied=applied(), depth=depth)
    both = scorecard(pd.concat([res, deep_res]), pd.concat([wel, deep_wel]), sectors=sectors(),
                     applied=applied(), depth=depth,
                     variants={"A (depth)": "A", "B (depth)": "B"})
    for metric in ("net_welfare", "exports_change", "preference_coverage"):
        for scen in ("A", "B"):
            assert val(both, scen, "KOR", metric, "rank") == val(alone, scen, "KOR", metric,
                                                                    "rank")
    assert val(both, "A (depth)", "KOR", "depth_index") == pytest.approx(0.4)
    assert val(both, "B (depth)", "KOR", "depth_index") == pytest.approx(0.9)
    assert val(both, "A (depth)", "KOR", "preference_coverage") == pytest.approx(
        val(alone, "A", "KOR", "preference_coverage"))
    # among the variants B's welfare is negated (-20 < 10): A (depth) ranks first
    assert val(both, "A (depth)", "KOR", "net_welfare", "rank") == 1
    assert val(both, "B (depth)", "KOR", "net_welfare", "rank") == 2
    # variants come after the scenarios, the baseline once
    order = list(dict.fromkeys(both["scenario"]))
    assert order == ["baseline", "A", "B", "A (depth)", "B (depth)"]


def test_values_equal_to_rounding_tie() -> None:
    """Two scenarios whose value differs only by the order of a sum (0.1 + 0.2 vs 0.3)
    share a rank; a real difference does not."""
    wel = pd.DataFrame({"scenario": ["A", "B", "C"], "country": ["KOR"] * 3,
                        "consumer_surplus": [0.0] * 3, "producer_surplus": [0.0] * 3,
                        "tariff_revenue": [0.0] * 3,
                        "net_welfare": [0.1 + 0.2, 0.3, 0.3 * (1 + 1e-9)]})
    assert wel["net_welfare"].iloc[0] != wel["net_welfare"].iloc[1]
    c = scorecard(results().iloc[:0], wel)
    assert val(c, "C", "KOR", "net_welfare", "rank") == 1
    assert val(c, "A", "KOR", "net_welfare", "rank") == 2
    assert val(c, "B", "KOR", "net_welfare", "rank") == 2


@pytest.mark.parametrize("step", [1, 2, 3, 100])
def test_present_labels_stop_early_and_match_a_full_count(
        step: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scorecard's lists of scenarios and economies: a categorical's categories present
    in its rows, in category order (unused ones and missing values left out), whatever the
    chunk size at which the count stops; the same as counting every row."""
    from fta_compare import results
    from fta_compare.scorecard import _codes, _present

    monkeypatch.setattr(results, "CHUNK_ROWS", step)
    col = pd.Series(pd.Categorical(["JPN", None, "JPN", "KOR", "JPN", "CHN"],
                                   categories=["USA", "KOR", "JPN", "EU", "CHN"]))
    used = col.cat.remove_unused_categories()  # every row counted (pandas)
    assert _present(col) == ["KOR", "JPN", "CHN"] == list(used.cat.categories)
    every = col.astype(pd.CategoricalDtype(["KOR", "JPN", "CHN"]))
    assert _present(every) == ["KOR", "JPN", "CHN"] == _codes(every)[1]
    text = col.astype(object)
    assert _present(text) == ["JPN", "KOR", "CHN"] == _codes(text)[1]
