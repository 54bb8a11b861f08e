"""The full pipeline on a reduced SYNTHETIC HS6 universe, from every input format.

The universe comes from :mod:`fta_compare.synthetic` (the generator of
``benchmarks/full_scale.py``): 60 products x 6 economies, 3 scenarios. The same tables are
written as one workbook, as a workbook whose ``trade`` sheet is split into ``trade_1``,
``trade_2`` (the reader joins them), as Parquet files and as CSV files; ``api.run`` on
each must give identical results and welfare tables, and the report must be writable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from fta_compare import api, synthetic
from fta_compare.api import run
from fta_compare.report.writer import write_report

P, N, S = 60, 6, 3


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    tables = synthetic.generate(P, N, S)
    root = tmp_path_factory.mktemp("synthetic")
    half = len(tables["trade"]) // 2 + 1
    return {
        "xlsx": [synthetic.write_xlsx(tables, root / "one.xlsx")],
        "split": [synthetic.write_xlsx(tables, root / "split.xlsx", max_rows=half)],
        "parquet": synthetic.write_parquet(tables, root / "parquet"),
        "csv": synthetic.write_csv(tables, root / "csv"),
    }


@pytest.fixture(scope="module")
def runs(inputs: dict[str, list[Path]]) -> dict[str, api.RunResult]:
    return {fmt: run(paths) for fmt, paths in inputs.items()}


def test_generator_is_labelled_synthetic_and_sparse() -> None:
    tables = synthetic.generate(P, N, S)
    meta = dict(zip(tables["meta"]["key"], tables["meta"]["value"], strict=True))
    assert meta["synthetic"] == "yes" and "SYNTHETIC" in meta["title"]
    assert tables["sources"]["source"].str.contains("SYNTHETIC").all()
    trade = tables["trade"]
    assert trade["hs"].str.fullmatch(r"\d{6}").all() and trade["hs"].nunique() == P
    share = len(trade) / (P * N * N)
    assert 0.15 < share < 0.45  # each product traded by ~20-40% of the pairs
    assert len(tables["scenarios"]) == S + 1  # baseline row + S scenarios
    assert set(tables["duties"]["mode"]) == {"add", "floor"}
    assert tables["preferences"]["year"].nunique() > 1  # staged


def test_split_workbook_has_two_trade_sheets(inputs: dict[str, list[Path]]) -> None:
    wb = CalamineWorkbook.from_path(str(inputs["split"][0]))
    assert {"trade_1", "trade_2"} <= set(wb.sheet_names)
    assert "trade" not in wb.sheet_names


@pytest.mark.parametrize("fmt", ["split", "parquet", "csv"])
def test_same_results_from_every_format(runs: dict[str, api.RunResult], fmt: str) -> None:
    ref, got = runs["xlsx"], runs[fmt]
    assert len(ref.results) > 0 and ref.scenarios == got.scenarios
    pd.testing.assert_frame_equal(ref.results, got.results)
    pd.testing.assert_frame_equal(ref.welfare, got.welfare)
    pd.testing.assert_frame_equal(ref.prices, got.prices)
    pd.testing.assert_frame_equal(ref.scorecard, got.scorecard)


def test_run_is_complete_and_finite(runs: dict[str, api.RunResult]) -> None:
    r = runs["parquet"]
    assert len(r.scenarios) == S + 1 or len(r.scenarios) == S  # with or without baseline
    num = r.results.select_dtypes("number").to_numpy()
    assert np.isfinite(num).all()
    changed = r.results[r.results["new_value"] != r.results["base_value"]]
    assert len(changed) > 0
    assert set(r.results["quality"]) <= {"observed", "imputed"}


def test_models_agree_across_formats(inputs: dict[str, list[Path]]) -> None:
    a = run(inputs["parquet"], model="gsim", solution="exact")
    b = run(inputs["split"], model="gsim", solution="exact")
    pd.testing.assert_frame_equal(a.results, b.results)
    pd.testing.assert_frame_equal(a.welfare, b.welfare)
    assert a.convergence["converged"].all()


def test_report_round_trip(runs: dict[str, api.RunResult], tmp_path: Path) -> None:
    r = runs["csv"]
    out = tmp_path / "report.xlsx"
    written = write_report(r, out)
    assert out in written and out.with_name("report.results.parquet") in written
    sheet = pd.read_excel(out, sheet_name="results", engine="calamine", dtype={"hs": str})
    expect = r.results.reset_index(drop=True)  # up to 100,000 rows: every row (DESIGN 5)
    assert len(sheet) == len(expect)
    assert (sheet["hs"].to_numpy() == expect["hs"].to_numpy()).all()
    for col in ("base_value", "new_value", "trade_creation", "new_rate"):
        # XlsxWriter writes numbers with 16 significant digits ('%.16G'), as Excel shows
        np.testing.assert_allclose(sheet[col].to_numpy(), expect[col].to_numpy(),
                                   rtol=1e-15, atol=0)
    detail = pd.read_parquet(out.with_name("report.results.parquet"))
    pd.testing.assert_frame_equal(detail, r.results, check_dtype=False)


# --- the fast paths used at full scale give the same output as the plain ones -----------


def _sheet_parts(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_streamed_rows_match_cell_by_cell(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from fta_compare.report import plain
    from fta_compare.report.book import Book

    rng = np.random.default_rng(3)
    n = 3000
    df = pd.DataFrame({
        "scenario": rng.choice(["cjk", "a&b<c>", " lead", "trail ", "_x0001_", "x\x01y"], n),
        "importer": pd.Categorical(rng.choice(["KOR", "", "USA"], n)),
        "hs": pd.Series(rng.choice(["010121", "", "854232"], n), dtype=object),
        "base_value": rng.lognormal(size=n),
        "new_rate": np.where(rng.random(n) < 0.2, np.nan, rng.random(n)),
        "world_price_change": np.where(rng.random(n) < 0.1, np.inf, rng.normal(size=n)),
        "iterations": rng.integers(0, 10, n),
        "year": pd.array(np.where(rng.random(n) < 0.3, None, 2020), dtype="Int64"),
        "text_na": pd.Series(np.where(rng.random(n) < 0.3, None, "z"), dtype=object),
        "override": rng.random(n) < 0.5,
    })
    monkeypatch.setattr(plain, "SHEET_ROWS", 1000)

    def build(path: Path) -> Path:
        book = Book(path)
        plain.plain_sheet(book, "results", df, human=False, split=True)
        plain.plain_sheet(book, "welfare", df.iloc[:7], human=True)
        plain.plain_sheet(book, "prices", df.iloc[:0], human=False)
        book.wb.close()
        return path

    streamed = build(tmp_path / "streamed.xlsx")
    monkeypatch.setattr(plain, "_stream_rows", lambda *_a, **_k: False)
    cells = build(tmp_path / "cells.xlsx")
    assert _sheet_parts(streamed) == _sheet_parts(cells)


def test_applied_changes_fast_path_matches_merge(runs: dict[str, api.RunResult]) -> None:
    from fta_compare.report.writer import applied_changes

    applied = runs["parquet"].applied
    fast = applied_changes(applied)
    shuffled = applied.sample(frac=1.0, random_state=0)  # not in blocks: the merge path
    slow = applied_changes(shuffled)
    key = ["scenario", "importer", "exporter", "hs"]
    pd.testing.assert_frame_equal(
        fast.sort_values(key).reset_index(drop=True),
        slow.sort_values(key).reset_index(drop=True))
    assert len(fast) < len(applied)


def test_universe_matches_groupby_reference(inputs: dict[str, list[Path]]) -> None:
    from fta_compare.inputs import load_inputs
    from fta_compare.scenarios import shocks

    tables = load_inputs(inputs["split"])
    fast = shocks.build_universe(tables)
    tr = tables.trade
    quality = tr["quality"].where(tr["quality"].astype(str).str.len() > 0, "observed")
    ref = shocks._build_universe_groupby(tr, quality)
    pd.testing.assert_frame_equal(fast.cells, ref.cells)
    assert list(fast.hs) == list(ref.hs) and list(fast.countries) == list(ref.countries)
    dense = shocks.dense(fast, fast.cells, "value")
    assert dense.sum() == pytest.approx(tr["value"].sum())
    copy = fast.cells.copy()  # not the universe's own frame: positions by lookup
    np.testing.assert_array_equal(shocks.dense(fast, copy, "value"), dense)
