"""Sensitivity analysis over elasticities: determinism across engines, the point estimate,
known percentiles, failed draws, the distribution rules and the CLI (real workbooks)."""

from __future__ import annotations

import io
import itertools
import math
import multiprocessing
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from scipy.stats import norm

from fta_compare import api
from fta_compare.cli import main
from fta_compare.errors import InputError, ModelError
from fta_compare.inputs import load_inputs
from fta_compare.inputs.tables import InputTables
from fta_compare.model.smart import solve_smart
from fta_compare.parallel import KINDS, Progress, plan_chunks, run_chunks, sample
from fta_compare.sensitivity import (
    SensitivityResult,
    draw_spec,
    prepare_sensitivity,
    run_draws,
    sensitivity,
)
from helpers import Rows, check_case_sheets, write_xlsx

DRAW_HEADER = ["parameter", "hs", "country", "distribution", "spread", "lower", "upper"]
ECON = ["KOR", "JPN", "CHN", "USA"]
HS = ["870323", "854231", "260500"]


def multi_sheets(draw_rows: Rows | None = None, elasticity_rows: Rows = ()) -> dict[str, Rows]:
    """Four economies, three products (domestic cells included), three scenarios."""
    trade: Rows = [["exporter", "importer", "hs", "value"]]
    for k, (h, e, i) in enumerate(itertools.product(HS, ECON, ECON)):
        trade.append([e, i, h, 400.0 if e == i else 20.0 + 7.0 * ((k * 37) % 11)])
    applied: Rows = [["scenario", "importer", "exporter", "hs", "rate"]]
    applied += [["baseline", i, e, h, 0.08] for h, e, i in itertools.product(HS, ECON, ECON)
                if e != i]
    for h in HS:
        applied += [["cjk", b, a, h, 0.0] for a, b in itertools.permutations(ECON[:3], 2)]
        applied += [["kor_usa", "USA", "KOR", h, 0.0], ["kor_usa", "KOR", "USA", h, 0.0],
                    ["us_duty", "USA", "CHN", h, 0.33]]
    sheets: dict[str, Rows] = {
        "trade": trade,
        "elasticities": [["hs", "country", "import_demand", "substitution", "export_supply"],
                         ["*", "*", -1.25, 3.0, 2.0], ["87", "*", -1.8, 5.0, 4.0],
                         *elasticity_rows],
        "applied": applied,
        "meta": [["key", "value"], ["focus", "KOR"], ["synthetic", "yes"]],
    }
    if draw_rows:
        sheets["elasticity_draws"] = [DRAW_HEADER, *draw_rows]
    return sheets


def tables_of(path: Path) -> InputTables:
    return load_inputs([path])


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_xlsx(tmp_path_factory.mktemp("multi") / "multi.xlsx", multi_sheets())


@pytest.fixture(scope="module")
def dask_address() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def assert_identical(a: SensitivityResult, b: SensitivityResult) -> None:
    pd.testing.assert_frame_equal(a.summary, b.summary, check_exact=True)
    pd.testing.assert_frame_equal(a.rank_first, b.rank_first, check_exact=True)
    for name in ("welfare", "focus", "ok"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_same_seed_is_bit_identical_in_process_local_pool_and_dask(multi: Path,
                                                                     dask_address: str) -> None:
    tables = tables_of(multi)
    cfg = api.make_config([multi], model="gsim", solution="exact")
    plan = prepare_sensitivity(tables, cfg)
    kw = {"draws": 24, "seed": 11, "chunk_size": 4}
    one = run_draws(plan, workers=1, **kw)
    two = run_draws(plan, workers=2, **kw)
    dask = run_draws(plan, scheduler=dask_address, **kw)
    assert (one.engine.engine, two.engine.engine, dask.engine.engine) == (
        "in-process", "local-processes", "dask")
    assert two.engine.workers == 2 and dask.engine.workers == 2
    assert_identical(one, two)
    assert_identical(one, dask)
    assert one.summary["std"].max() > 0  # the draws really vary
    other = run_draws(plan, workers=1, draws=24, seed=12, chunk_size=4)
    assert not np.array_equal(one.welfare, other.welfare)


def test_chunks_do_not_depend_on_workers_and_longer_runs_extend_shorter_ones(multi: Path
                                                                              ) -> None:
    chunks = plan_chunks(10, 4, seed=5)
    assert [(c.start, c.size) for c in chunks] == [(0, 4), (4, 4), (8, 2)]
    plan = prepare_sensitivity(tables_of(multi), api.make_config([multi], model="gsim",
                                                                 solution="linear"))
    short = run_draws(plan, draws=8, seed=5, chunk_size=4, workers=1)
    long = run_draws(plan, draws=16, seed=5, chunk_size=4, workers=2)
    np.testing.assert_array_equal(long.welfare[:8], short.welfare)
    np.testing.assert_array_equal(long.focus[:8], short.focus)


@pytest.mark.parametrize(("model", "solution"),
                         [("smart", "linear"), ("gsim", "linear"), ("gsim", "exact")])
def test_zero_spread_reproduces_the_point_estimate_exactly(tmp_path: Path, model: str,
                                                           solution: str) -> None:
    rows = [[p, "*", "*", "lognormal", 0.0, None, None]
            for p in ("import_demand", "substitution", "export_supply")]
    path = write_xlsx(tmp_path / "zero.xlsx", multi_sheets(rows))
    tables = tables_of(path)
    cfg = api.make_config([path], model=model, solution=solution)
    point = api.run_tables(tables, cfg)
    res = sensitivity(tables, cfg, draws=6, seed=1, workers=1, chunk_size=4)
    s = res.summary[res.summary["metric"] == "net_welfare"].merge(
        point.welfare[["scenario", "country", "net_welfare"]], on=["scenario", "country"])
    assert len(s) == len(point.welfare) == 3 * len(ECON)
    for col in ("mean", "p5", "p50", "p95", "point"):
        np.testing.assert_array_equal(s[col].to_numpy(), s["net_welfare"].to_numpy(), col)
    assert (s["std"] == 0).all() and (s["draws_failed"] == 0).all()
    # every scorecard metric of the focus economy is reported, at the point values
    card = point.scorecard[(point.scorecard["country"] == "KOR")
                           & (point.scorecard["scenario"] != "baseline")]
    got = res.summary[res.summary["country"] == "KOR"].merge(card, on=["scenario", "metric"])
    assert len(got) == len(card)
    np.testing.assert_allclose(got["p50"], got["value"], rtol=1e-12, atol=1e-9)


def test_lognormal_import_demand_gives_the_known_percentiles(tmp_path: Path) -> None:
    """Check case (DESIGN 3a): SMART, one product, Ex infinite. The importer's net welfare
    is affine in Em, so with Em = -1.5 exp(s z) its percentiles are those of z."""
    s_log, n = 0.3, 4000
    sheets = check_case_sheets()
    sheets["elasticity_draws"] = [DRAW_HEADER,
                                  ["import_demand", "*", "*", "lognormal", s_log, None, None],
                                  ["substitution", "*", "*", "fixed", 0.0, None, None]]
    path = write_xlsx(tmp_path / "check.xlsx", sheets)
    tables = tables_of(path)
    plan = prepare_sensitivity(tables, api.make_config([path], model="smart",
                                                       solution="linear"))
    res = run_draws(plan, draws=n, seed=2024, chunk_size=500, workers=1)
    m = plan.context.market
    usa = list(res.countries).index("USA")
    shock = plan.context.shocks[0][1]

    def net(em: float) -> float:
        r = solve_smart(replace(m, import_demand=np.full_like(m.import_demand, em)), shock)
        return float(r.net_welfare[0, usa])

    b = net(-2.0) - net(-1.0)
    a = net(-1.0) - b  # net(Em) = a - b Em
    assert net(-3.5) == pytest.approx(a + 3.5 * b, rel=1e-12)
    assert b > 0  # welfare rises with |Em|: the quantiles of net map to those of z
    row = res.summary[(res.summary["country"] == "USA")
                      & (res.summary["metric"] == "net_welfare")].iloc[0]
    for p, col in ((0.05, "p5"), (0.5, "p50"), (0.95, "p95")):
        z_hat = math.log((row[col] - a) / (1.5 * b)) / s_log
        se = math.sqrt(p * (1 - p) / n) / norm.pdf(norm.ppf(p))
        assert abs(z_hat - norm.ppf(p)) < 4 * se, (col, z_hat)
    mean = a + 1.5 * b * math.exp(s_log**2 / 2)
    sd = 1.5 * b * math.sqrt((math.exp(s_log**2) - 1) * math.exp(s_log**2))
    assert row["mean"] == pytest.approx(mean, abs=4 * sd / math.sqrt(n))
    assert row["std"] == pytest.approx(sd, rel=0.1)
    assert row["point"] == pytest.approx(a + 1.5 * b, rel=1e-12)
    assert row["draws_ok"] == n and row["draws_failed"] == 0


def test_failed_draws_are_counted_and_left_out(tmp_path: Path) -> None:
    """Wide draws make some exact (Newton) solves fail: counted per scenario, never mixed
    into the statistics; the same draws fail when solved one at a time."""
    rows = [[p, "*", "*", "lognormal", 4.0, None, None]
            for p in ("import_demand", "substitution", "export_supply")]
    path = write_xlsx(tmp_path / "wild.xlsx", multi_sheets(rows))
    plan = prepare_sensitivity(tables_of(path), api.make_config([path], model="gsim",
                                                                solution="exact"))
    res = run_draws(plan, draws=64, seed=3, chunk_size=16, workers=1)
    failed = (~res.ok).sum(axis=0)
    assert failed.sum() > 0 and (failed < 64).all()
    summary = res.summary
    for s, scen in enumerate(res.scenarios):
        rows_s = summary[summary["scenario"] == scen]
        assert (rows_s["draws_failed"] == failed[s]).all()
        assert (rows_s["draws_ok"] == 64 - failed[s]).all()
        kor = rows_s[(rows_s["country"] == "KOR") & (rows_s["metric"] == "net_welfare")].iloc[0]
        ok_values = res.welfare[res.ok[:, s], s, 0, list(res.countries).index("KOR")]
        assert kor["p50"] == np.quantile(ok_values, 0.5)
    assert (res.rank_first["draws_ok"] == res.ok.all(axis=1).sum()).all()
    assert res.draws_failed == int((~res.ok.all(axis=1)).sum())
    # independent check: solve the failing draws one at a time
    solver = api.solver_for("gsim", "exact")
    ctx = plan.context
    for chunk in plan_chunks(64, 16, 3):
        (em, es, ex), _ = sample(ctx.spec, chunk.seed, chunk.size)
        for d in range(chunk.size):
            m = replace(ctx.market, import_demand=em[d], substitution=es[d],
                        export_supply=ex[d])
            for s, (_, shock) in enumerate(ctx.shocks):
                with np.errstate(all="ignore"):
                    conv = solver(m, shock).converged.all()
                assert conv == res.ok[chunk.start + d, s]


def test_distribution_rules_most_specific_row_wins_and_signs_hold(tmp_path: Path) -> None:
    rows = [
        ["import_demand", "*", "*", "normal", 0.5, None, None],
        ["import_demand", "87", "*", "uniform", 0.2, -2.0, -1.0],
        ["import_demand", "870323", "KOR", "fixed", 0.0, None, None],
        ["substitution", "*", "USA", "normal", 100.0, None, None],
        ["export_supply", "26", "CHN", "uniform", 0.5, 1.0, 3.0],
    ]
    path = write_xlsx(tmp_path / "rules.xlsx", multi_sheets(
        rows, elasticity_rows=[["26", "*", None, None, None]]))
    tables = tables_of(path)
    prep = api.prepare_run(tables, api.make_config([path]))
    m = prep.market
    spec = draw_spec(tables, m)
    p = {h: i for i, h in enumerate(m.hs)}
    c = {e: i for i, e in enumerate(m.countries)}
    assert spec.kind[0, p["870323"], c["KOR"]] == KINDS["fixed"]
    assert spec.kind[0, p["870323"], c["JPN"]] == KINDS["uniform"]
    assert spec.kind[0, p["854231"], c["JPN"]] == KINDS["normal"]
    assert spec.kind[1, p["854231"], c["JPN"]] == KINDS["lognormal"]  # default
    assert spec.spread[1, p["854231"], c["JPN"]] == 0.25
    (em, es, ex), clipped = sample(spec, np.random.SeedSequence(9), 500)
    assert (em[:, p["870323"], c["KOR"]] == m.import_demand[p["870323"], c["KOR"]]).all()
    u = em[:, p["870323"], c["JPN"]]
    assert u.min() >= -2.0 and u.max() <= -1.0
    assert (em < 0).all() and (es > 0).all() and (ex > 0).all()
    assert clipped > 0 and es[:, :, c["USA"]].min() == pytest.approx(0.01)
    # infinite export supply stays infinite unless a row bounds it on both sides
    assert np.isinf(m.export_supply[p["260500"]]).all()
    assert np.isinf(ex[:, p["260500"], c["JPN"]]).all()
    chn = ex[:, p["260500"], c["CHN"]]
    assert np.isfinite(chn).all() and chn.min() >= 1.5 and chn.max() <= 2.5


def test_bad_distribution_rows_are_reported_with_their_cells(tmp_path: Path) -> None:
    rows = [["import_demand", "*", "*", "lognormal", -0.1, None, None],
            ["substitution", "*", "*", "normal", 0.3, None, -1.0],
            ["export_supply", "*", "*", "uniform", 0.3, 3.0, 2.0]]
    path = write_xlsx(tmp_path / "bad.xlsx", multi_sheets(rows))
    tables = tables_of(path)
    with pytest.raises(InputError) as info:
        sensitivity(tables, api.make_config([path]), draws=2, seed=0, workers=1)
    cells = sorted(i.cell for i in info.value.issues)
    assert cells == ["E2", "F4", "G3"]
    assert all(i.sheet == "elasticity_draws" for i in info.value.issues)


def test_cli_sensitivity_writes_the_workbook_and_refuses_to_overwrite(multi: Path,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "sens.xlsx"
    args = ["sensitivity", str(multi), "--draws", "16", "--seed", "7", "--model", "gsim",
            "--workers", "1", "--chunk-size", "4", "--out", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert f"wrote {out}" in res.output and "\r" not in res.output  # no bar off a terminal
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["summary", "sensitivity", "rank_first", "manifest"]
    sens = pd.read_excel(out, sheet_name="sensitivity", engine="openpyxl")
    assert list(sens.columns[:10]) == ["scenario", "country", "metric", "mean", "std", "p5",
                                       "p50", "p95", "draws_ok", "draws_failed"]
    assert set(sens["scenario"]) == {"cjk", "kor_usa", "us_duty"}
    assert set(sens.loc[sens["metric"] == "net_welfare", "country"]) == set(ECON)
    assert {"exports_change", "trade_diversion"} <= set(sens.loc[sens["country"] == "KOR",
                                                                 "metric"])
    assert sens[["mean", "std", "p5", "p50", "p95"]].notna().all().all()
    assert {"critical_import_hhi", "critical_china_share"} <= set(sens["metric"])
    assert (sens["p5"] <= sens["p50"]).all() and (sens["p50"] <= sens["p95"]).all()
    first = pd.read_excel(out, sheet_name="rank_first", engine="openpyxl")
    assert list(first.columns[:2]) == ["scenario", "share_first"]
    assert first["share_first"].sum() >= 1.0 - 1e-12
    man = pd.read_excel(out, sheet_name="manifest", engine="openpyxl")
    kv = dict(zip(man["item"], man["setting"], strict=True))
    assert (kv["seed"], kv["draws"], kv["workers"], kv["chunk_size"]) == (7, 16, 1, 4)
    assert (kv["engine"], kv["model"]) == ("in-process", "gsim")
    with zipfile.ZipFile(out) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert '<c:errValType val="cust"/>' in chart and "<c:plus>" in chart
    before = out.read_bytes()
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "--force" in again.output
    assert out.read_bytes() == before
    forced = CliRunner().invoke(main, [*args, "--force", "--quiet"])
    assert forced.exit_code == 0, forced.output


def test_cli_sensitivity_rejects_a_bad_model_combination(multi: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["sensitivity", str(multi), "--model", "smart",
                                    "--solution", "exact",
                                    "--out", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 1 and "gsim only" in res.output
    assert not (tmp_path / "x.xlsx").exists()


def test_missing_dask_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ModelError, match=r"fta-compare\[dask\]"):
        run_chunks(len, None, [1], scheduler="tcp://127.0.0.1:1")


def test_progress_bar_reports_rate_and_time_left_only_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    bar = Progress(10, stream=tty, min_interval=0.0)
    bar.update(4)
    bar.update(6)
    bar.close()
    text = tty.getvalue()
    assert text.startswith("\rsensitivity: 4/10 draws") and "10/10 draws (100%)" in text
    assert "draws/s" in text and "left" in text and text.endswith("\n")
    pipe = io.StringIO()
    quiet = Progress(10, stream=pipe, min_interval=0.0)
    quiet.update(10)
    quiet.close()
    assert pipe.getvalue() == ""


def test_a_failing_chunk_stops_the_local_pool_and_leaves_no_worker() -> None:
    before = set(multiprocessing.active_children())
    with pytest.raises(ZeroDivisionError):
        run_chunks(divmod, 1, [1, 0, 2, 3], workers=2)  # divmod(1, 0) fails in a worker
    assert set(multiprocessing.active_children()) <= before
