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
