"""Passes over the long tables a chunk of rows at a time (``results.row_chunks``) give the
same numbers whatever the chunk size: chunk boundaries inside a scenario, across
scenarios, and at every row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fta_compare import api, results
from fta_compare.inputs import load_inputs
from fta_compare.quality import quality_shares
from fta_compare.report import views
from fta_compare.report.detail import select_results

EXAMPLE = Path(__file__).resolve().parents[1] / "tariff_tables" / "example_synthetic.xlsx"


@pytest.fixture(scope="module")
def run() -> api.RunResult:
    return api.run([EXAMPLE], model="gsim", robustness=False, time_path=False)


def _tables(r: api.RunResult, mfn: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    from fta_compare.scorecard import build_scorecard

    return {
        "scorecard": build_scorecard(r.results, r.welfare, applied=r.applied,
                                     sectors=r.sectors),
        "country_totals": views.country_totals(r.results, r.welfare),
        "sector_view": views.sector_view(r.results, r.sectors),
        "quality": quality_shares(r.results, mfn),
        "selection": select_results(r.results, r.config.focus, "", cap=7, whole=0).table,
    }


def test_chunk_size_does_not_change_any_table(run: api.RunResult,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(run.results) > 40
    mfn = load_inputs([EXAMPLE]).mfn
    whole = _tables(run, mfn)
    for step in (1, 7, len(run.results) // 3 + 1):
        monkeypatch.setattr(results, "CHUNK_ROWS", step)
        assert sum(1 for _ in results.row_chunks(len(run.results))) > 1
        chunked = _tables(run, mfn)
        for name, table in whole.items():
            pd.testing.assert_frame_equal(chunked[name], table, check_exact=False,
                                          rtol=1e-12, atol=1e-9, obj=f"{name} ({step})")


def test_views_same_on_categorical_and_text_labels(run: api.RunResult) -> None:
    """The views read the results table's own category codes when exporter and importer
    share their categories; text labels (or categories in another order) give the same."""
    plain = run.results.assign(exporter=run.results["exporter"].astype(str),
                               importer=run.results["importer"].astype(str))
    shuffled = run.results.assign(
        importer=run.results["importer"].cat.reorder_categories(
            run.results["importer"].cat.categories[::-1]))
    e, i, labels = views.shared_codes(run.results["exporter"], run.results["importer"])
    assert (labels[e] == run.results["exporter"].astype(str).to_numpy()).all()
    assert (labels[i] == run.results["importer"].astype(str).to_numpy()).all()
    for other in (plain, shuffled):
        pd.testing.assert_frame_equal(views.country_totals(other, run.welfare),
                                      views.country_totals(run.results, run.welfare))
        pd.testing.assert_frame_equal(views.sector_view(other, run.sectors),
                                      views.sector_view(run.results, run.sectors))


def test_scenario_blocks_finds_the_repeated_runs_only() -> None:
    """(blocks, n): runs of one scenario each listing the first run's cells in its order;
    a run that breaks the pattern ends the blocks (and fewer than two is none)."""
    import numpy as np

    s = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 1])
    cell = np.array([5, 6, 7, 5, 6, 7, 5, 6, 7, 5, 9])
    assert results.scenario_blocks(s, cell) == (3, 3)  # rows 9.. are not a block
    broken = cell.copy()
    broken[7] = 8  # the third run lists another cell
    assert results.scenario_blocks(s, broken) == (2, 3)
    mixed = s.copy()
    mixed[4] = 2  # the second run holds two scenarios
    assert results.scenario_blocks(mixed, cell) == (0, 0)
    assert results.scenario_blocks(np.zeros(5, dtype=int), np.arange(5)) == (0, 0)
    assert results.scenario_blocks(np.zeros(0, dtype=int)) == (0, 0)


def test_scenario_blocks_pass_equals_the_row_pass(run: api.RunResult) -> None:
    """The aggregations that take the results table's scenario blocks with each cell's keys
    made once give the numbers of the row-by-row pass: on the run's table (all blocks), on
    the same rows in another order (no blocks), and with rows after the blocks."""
    import numpy as np

    from fta_compare.report.views import shared_codes

    mfn = load_inputs([EXAMPLE]).mfn
    r = run.results
    s_code = results.label_codes(r["scenario"])[0]
    e, i, _ = shared_codes(r["exporter"], r["importer"])
    n_scen = r["scenario"].nunique()
    assert results.scenario_blocks(s_code, e, i)[0] == n_scen > 1
    extra = r.iloc[: len(r) // n_scen // 2].copy()
    extra["scenario"] = r["scenario"].iloc[[-1] * len(extra)].to_numpy()
    for table in (r, pd.concat([r, extra], ignore_index=True)):
        rolled = table.iloc[np.roll(np.arange(len(table)), 1)].reset_index(drop=True)
        assert results.scenario_blocks(results.label_codes(rolled["scenario"])[0],
                                       results.label_codes(rolled["exporter"])[0]) == (0, 0)
        by_block = _tables(_with(run, table), mfn)
        by_row = _tables(_with(run, rolled), mfn)
        for name in ("scorecard", "country_totals", "sector_view", "quality"):
            # rows in the order the labels first appear: the rolled table starts elsewhere
            pd.testing.assert_frame_equal(_sorted(by_block[name]), _sorted(by_row[name]),
                                          check_exact=False, rtol=1e-12, atol=1e-9, obj=name)


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    labels = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    return table.sort_values(labels, kind="stable").reset_index(drop=True)


def _with(run: api.RunResult, table: pd.DataFrame) -> api.RunResult:
    from dataclasses import replace

    return replace(run, results=table)
