"""The workbook sized for people: documented selections of large detail tables, complete
tables in Parquet, the answer on the terminal and progress on stderr."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from fta_compare import api
from fta_compare.cli import main
from fta_compare.phases import Phases
from fta_compare.report.detail import select_applied, select_prices, select_results
from fta_compare.report.writer import write_report
from helpers import check_case_sheets, write_xlsx

EXAMPLE = Path(__file__).resolve().parents[1] / "tariff_tables" / "example_synthetic.xlsx"


@pytest.fixture(scope="module")
def result() -> api.RunResult:
    return api.run([EXAMPLE])


def test_results_selection_keeps_the_focus_economys_largest_changes(result) -> None:
    res = result.results
    focus = result.config.focus
    cap = 50
    sel = select_results(res, focus, "x.results.parquet", cap=cap, whole=100)
    assert len(res) > 100 and len(sel.table) == cap and sel.total == len(res)
    t = sel.table
    imp, exp = t["importer"].astype(str), t["exporter"].astype(str)
    assert ((imp == focus) | (exp == focus)).all() and (imp != exp).all()
    mine = res[((res["importer"].astype(str) == focus) | (res["exporter"].astype(str) == focus))
               & (res["importer"].astype(str) != res["exporter"].astype(str))]
    change = (mine["new_value"] - mine["base_value"]).abs()
    assert (t["new_value"] - t["base_value"]).abs().min() >= change.nlargest(cap).min()
    assert "x.results.parquet" in sel.note and f"{cap:,} of {len(res):,}" in sel.note
    whole = select_results(res, focus, "x.results.parquet", whole=len(res))
    assert len(whole.table) == len(res) and whole.complete == ""
    full = select_results(res, focus, "x", detail="full", cap=1, whole=1)
    assert len(full.table) == len(res)


def test_prices_and_applied_selections(result) -> None:
    focus = result.config.focus
    p = select_prices(result.prices, focus, "p.parquet", cap=10, whole=10)
    assert len(p.table) <= 10 and (p.table["world_price_change"] != 0).all()
    own = p.table["exporter"].astype(str) == focus
    n_own = int(((result.prices["exporter"].astype(str) == focus)
                 & (result.prices["world_price_change"] != 0)).sum())
    assert own.sum() == min(n_own, 10)  # the focus economy's own prices come first
    a = select_applied(result.applied, focus, "a.parquet", cap=20, whole=20)
    assert len(a.table) <= 20
    t = a.table
    assert ((t["importer"].astype(str) == focus) | (t["exporter"].astype(str) == focus)).all()


def test_manifest_and_summary_say_what_was_left_out(result, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from fta_compare.report import detail

    monkeypatch.setattr(detail, "WORKBOOK_ROWS", 100)
    monkeypatch.setattr(detail, "SELECTION_ROWS", 40)
    out = tmp_path / "cut.xlsx"
    write_report(result, out)
    sheet = pd.read_excel(out, sheet_name="results", engine="calamine")
    assert len(sheet) == 40
    manifest = pd.read_excel(out, sheet_name="manifest", engine="calamine", header=1)
    text = " ".join(str(x) for x in manifest.to_numpy().ravel())
    assert "results: 40 of" in text and "cut.results.parquet" in text
    full = pd.read_parquet(out.with_name("cut.results.parquet"))
    assert len(full) == len(result.results)
    everything = tmp_path / "full.xlsx"
    write_report(result, everything, detail="full")
    assert len(pd.read_excel(everything, sheet_name="results", engine="calamine")) == len(full)


def test_scorecard_sheet_has_no_empty_numeric_cells(result, tmp_path: Path) -> None:
    out = tmp_path / "card.xlsx"
    write_report(result, out)
    card = pd.read_excel(out, sheet_name="scorecard", engine="calamine")
    assert card[["value", "rank"]].notna().all().all()
    assert "baseline" not in set(card["scenario"])


def test_run_prints_the_ranked_scorecard_and_where_it_wrote(tmp_path: Path) -> None:
    case = write_xlsx(tmp_path / "check.xlsx", check_case_sheets())
    out = tmp_path / "out.xlsx"
    res = CliRunner().invoke(main, ["run", str(case), "--model", "smart", "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("fta-compare: scorecard for KOR, model smart")
    row = next(x for x in lines if "cut_kor" in x)
    assert row.split()[0] == "1"
    # net welfare of the DESIGN 3a check case for KOR, in US$ m (input in US$ thousand)
    kor = api.run([case], model="smart").welfare.set_index(["scenario", "country"])
    assert row.split()[2] == f"{kor.loc[('cut_kor', 'KOR'), 'net_welfare'] / 1e3:+,.1f}"
    assert any(x.startswith(f"wrote {out}") for x in lines)
    assert res.stderr == ""  # not a terminal: no progress display


def test_phases_show_progress_and_time_each_phase() -> None:
    stream = io.StringIO()
    ph = Phases(show=True, stream=stream)
    with ph.phase("read", "reading"):
        pass
    with ph.phase("solve", "solving"):
        ph.step(1, 2, "a")
    text = stream.getvalue()
    assert "reading done" in text and "solving done" in text
    assert [k for k, _ in ph.table()] == ["read", "solve"]
    quiet = Phases(show=False, stream=io.StringIO())
    with quiet.phase("read"):
        pass
    assert quiet.stream.getvalue() == "" and np.isfinite(quiet.seconds["read"])


def test_warnings_are_stated_on_stderr_grouped_by_sheet(tmp_path: Path) -> None:
    from fta_compare.errors import Issue
    from fta_compare.report.terminal import warning_digest

    w = [Issue("a.xlsx", "mfn", f"C{k}", "0.5", "rate overridden", "warning") for k in (2, 3)]
    w.append(Issue("model", "us_deal", "870323", "-1", "negative new trade", "warning"))
    lines = warning_digest(w, Path("out.xlsx"), shown=False)
    assert lines[0] == str(w[2])  # the model warning in full
    assert lines[1] == f"{w[0]} (and 1 more like it)"
    assert lines[-1].startswith("3 warning(s) in all") and "out.xlsx" in lines[-1]
    # the progress display already printed the model warning: not twice
    assert str(w[2]) not in warning_digest(w, Path("out.xlsx"), shown=True)


def test_detail_parquet_keeps_statistics_on_scenario_only(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The Parquet detail keeps row-group statistics on ``scenario`` (its rows run scenario
    by scenario, so they tell row groups apart), on no other column; filters read right."""
    import pyarrow.parquet as pq

    from fta_compare.report.writer import write_parquet

    rows = 300
    df = pd.DataFrame({
        "scenario": pd.Categorical(np.repeat(["a_deal", "b_deal", "c_deal"], rows)),
        "importer": pd.Categorical(np.tile(["JPN", "KOR", "USA"], rows)),
        "new_value": np.arange(3.0 * rows)})
    path = tmp_path / "d.parquet"
    pq_write = pq.write_table

    def small_groups(table, where, **kw):  # type: ignore[no-untyped-def]
        pq_write(table, where, row_group_size=rows, **kw)

    monkeypatch.setattr(pq, "write_table", small_groups)
    write_parquet(df, path)
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 3
    names = meta.schema.names
    for g in range(3):
        group = meta.row_group(g)
        stats = group.column(names.index("scenario")).statistics
        assert stats is not None and stats.min == stats.max == ["a_deal", "b_deal", "c_deal"][g]
        assert group.column(names.index("importer")).statistics is None
    got = pd.read_parquet(path, filters=[("scenario", "==", "b_deal")])
    assert got["new_value"].tolist() == list(np.arange(rows, 2.0 * rows))


def test_parquet_thread_runs_at_the_lowest_priority_and_the_caller_does_not(
        result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Parquet files are written on a thread of the lowest priority (Linux: nice 19
    for that thread alone); the thread that writes the workbook keeps its own."""
    import os
    import sys
    import threading

    from fta_compare.parallel import lowest_thread_priority
    from fta_compare.report import writer

    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    mine = priority()
    probe: list[bool] = []
    thread = threading.Thread(target=lambda: probe.append(lowest_thread_priority()))
    thread.start()
    thread.join()
    if sys.platform.startswith("linux") and not probe[0]:
        pytest.skip("this sandbox refuses setpriority on a thread")
    seen: list[int] = []
    write = writer.write_parquet
    monkeypatch.setattr(writer, "write_parquet",
                        lambda df, path: (seen.append(priority()), write(df, path)))
    write_report(result, tmp_path / "nice.xlsx")
    assert len(seen) == 4 and priority() == mine
    assert set(seen) == ({19} if sys.platform.startswith("linux") else {mine})
