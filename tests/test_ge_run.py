"""The sector model in a run: beside the PE models on one scenario definition, and alone."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fta_compare import api
from fta_compare.cli import main
from fta_compare.inputs import load_inputs
from fta_compare.inputs.ge_validate import ge_inputs
from fta_compare.model import ge
from helpers import write_xlsx

ECON = ("JPN", "KOR", "ROW")
SECTORS = (("C01", "goods", "87"), ("C23", "services", None))


def ge_sheets(tariff: float = 0.1) -> dict[str, list[list[object]]]:
    """A symmetric 3-economy, 2-sector world: 100 domestic and 10 to each partner per
    sector; value added half of output, intermediates 30 from each sector; goods pay
    ``tariff`` across borders. Intermediate + value added = output exactly."""
    trade = [["exporter", "importer", "sector", "value"]]
    applied = [["scenario", "importer", "exporter", "sector", "rate"]]
    for s, _, _ in SECTORS:
        for i in ECON:
            for n in ECON:
                trade.append([i, n, s, 100.0 if i == n else 10.0])
                applied.append(["baseline", n, i, s, tariff if (s == "C01" and i != n)
                                else 0.0])
    inter = [["country", "input", "sector", "value"]]
    final = [["country", "sector", "value"]]
    va = [["country", "sector", "value"]]
    for n in ECON:
        for s, _, _ in SECTORS:
            va.append([n, s, 60.0])
            for k, _, _ in SECTORS:
                inter.append([n, k, s, 30.0])
            absorption = 100.0 + 20.0 * (1 + (tariff if s == "C01" else 0.0))
            final.append([n, s, absorption - 60.0])
    return {"ge_trade": trade, "ge_applied": applied, "ge_intermediate": inter,
            "ge_final": final, "ge_value_added": va,
            "ge_elasticities": [["sector", "theta"], ["C01", 5.0], ["C23", 5.0]],
            "ge_sectors": [["sector", "hs", "description"]] + [
                [s, h, d] for s, d, h in SECTORS if h],
            "regions": [["code", "name", "members"], ["ROW", "rest of the world", None]]}


def pe_sheets() -> dict[str, list[list[object]]]:
    trade = [["exporter", "importer", "hs", "value"]]
    applied = [["scenario", "importer", "exporter", "hs", "rate"]]
    for hs, weight in (("870321", 1.0), ("870899", 3.0)):
        for i in ECON:
            for n in ECON:
                if i != n:
                    trade.append([i, n, hs, 100.0 * weight])
                    applied.append(["baseline", n, i, hs, 0.08])
    applied += [["kj_fta", "KOR", "JPN", "870321", 0.0], ["kj_fta", "JPN", "KOR", "870321",
                                                          0.0],
                ["nothing", "KOR", "JPN", "870321", 0.08]]
    return {"trade": trade, "applied": applied,
            "regions": [["code", "name", "members"], ["ROW", "rest of the world", None]],
            "elasticities": [["hs", "country", "import_demand", "substitution",
                              "export_supply"], ["*", "*", -1.25, 4.0, 2.0]],
            "meta": [["key", "value"], ["focus", "KOR"], ["synthetic", "yes"]]}


@pytest.fixture
def both(tmp_path: Path) -> list[Path]:
    pe = write_xlsx(tmp_path / "pe.xlsx", pe_sheets(), text_columns={"trade": {2},
                                                                     "applied": {3}})
    sheets = ge_sheets()
    del sheets["regions"]  # one regions sheet across the files (in the PE workbook)
    gs = write_xlsx(tmp_path / "ge.xlsx", sheets, text_columns={"ge_sectors": {1}})
    return [pe, gs]


def test_pe_scenarios_reach_the_sector_model(both: list[Path], tmp_path: Path) -> None:
    r = api.run(both)
    assert r.ge is not None
    w = r.ge.welfare.set_index(["scenario", "country"])["welfare"]
    assert w.loc[("nothing", "KOR")] == 0.0 and w.loc[("nothing", "JPN")] == 0.0
    assert np.isfinite(w).all() and r.ge.convergence["converged"].all()
    t = r.ge.tariffs
    cut = t[(t["scenario"] == "kj_fta") & (t["importer"] == "KOR") & (t["exporter"] == "JPN")]
    factor = (100 * 1.0 / 1.08 + 300 * 1.08 / 1.08) / 400  # 870321 cut, 870899 kept
    assert cut["new_rate"].iloc[0] == pytest.approx(1.1 * factor - 1)
    assert set(cut["sector"]) == {"C01"}  # services untouched
    # the bridged shock solved directly gives the same real income
    tables = load_inputs(both)
    gin, _ = ge_inputs(tables)
    tariff = gin.tariff.copy()
    j = gin.sectors.index("C01")
    kor, jpn = gin.economies.index("KOR"), gin.economies.index("JPN")
    tariff[j, jpn, kor] = 1.1 * factor - 1
    tariff[j, kor, jpn] = 1.1 * factor - 1
    direct = ge.solve_scenarios(gin.calibrate(), {"x": (tariff, None)})["x"]
    assert w.loc[("kj_fta", "KOR")] == pytest.approx(direct.welfare[kor], rel=1e-9)
    ranks = r.model_ranks
    assert "ge" in set(ranks["model"])


def test_run_writes_ge_sheets_and_ranks(both: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "both.xlsx"
    res = CliRunner().invoke(main, ["run", *map(str, both), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert "GE real income" in res.output
    names = load_workbook(out, read_only=True).sheetnames
    for s in ("GE real income", "GE sectors", "ge_welfare", "ge_sectors", "ge_tariffs"):
        assert s in names
    gw = pd.read_excel(out, sheet_name="ge_welfare", engine="calamine")
    assert list(gw.columns[:6]) == ["scenario", "country", "welfare", "real_wage",
                                    "terms_of_trade", "volume_of_trade"]
    assert gw.notna().all().all()
    res = CliRunner().invoke(main, ["run", *map(str, both), "--no-ge", "--out",
                                    str(tmp_path / "pe_only.xlsx"), "--quiet"])
    assert res.exit_code == 0 and "GE real income" not in res.output


def test_ge_only_workbook_runs_with_model_ge(tmp_path: Path) -> None:
    sheets = ge_sheets()
    sheets["ge_applied"] += [["cut", "KOR", "JPN", "C01", 0.0], ["cut", "JPN", "KOR", "C01",
                                                                  0.0]]
    path = write_xlsx(tmp_path / "ge_only.xlsx", sheets, text_columns={"ge_sectors": {1}})
    out = tmp_path / "ge_only_out.xlsx"
    res = CliRunner().invoke(main, ["run", str(path), "--model", "ge", "--out", str(out),
                                    "--quiet"])
    assert res.exit_code == 0, res.output
    names = load_workbook(out, read_only=True).sheetnames
    assert names[0] == "summary" and "ge_welfare" in names and "results" not in names
    gw = pd.read_excel(out, sheet_name="ge_welfare", engine="calamine").set_index(
        ["scenario", "country"])
    assert gw.loc[("cut", "KOR"), "welfare"] > 0  # a bilateral cut from 10%: both gain
    assert gw.loc[("cut", "JPN"), "welfare"] == pytest.approx(gw.loc[("cut", "KOR"),
                                                                     "welfare"], rel=1e-9)
    assert gw.loc[("cut", "ROW"), "welfare"] < 0  # trade diverted away from the outsider
    assert not out.with_name("ge_only_out.results.parquet").exists()


def test_sector_model_later_in_its_worker_gives_the_same_answer_and_workbook(
        both: list[Path], tmp_path: Path) -> None:
    """``ge_later``: the sector model solves in a low-priority process while the workbook
    is written; the answer, the warnings (in order), the model ranks and every cell of the
    workbook are those of the run that waits for it."""
    from python_calamine import CalamineWorkbook

    from fta_compare.ge_worker import GEWorker
    from fta_compare.report.writer import write_report

    tables = load_inputs(both)
    cfg = api.make_config(both, model="gsim", solution="exact", focus=None,
                          depth_channel=False, command="test")
    now = api.run_tables(tables, cfg)
    with GEWorker() as worker:
        assert worker._pool.submit(os.nice, 0).result() == 19  # lowest priority
        later = api.run_tables(tables, cfg, ge_worker=worker)
        assert later.ge is None and later.pending_ge is not None
        assert "ge" not in set(later.model_ranks["model"])
        books = {}
        for name, result in (("now", now), ("later", later)):
            (tmp_path / name).mkdir()
            books[name] = tmp_path / name / "comparison.xlsx"
            write_report(result, books[name], force=True)
        done = api.complete(later)
    assert api.complete(done) is done and done.pending_ge is None
    assert [str(w) for w in done.warnings] == [str(w) for w in now.warnings]
    pd.testing.assert_frame_equal(done.model_ranks, now.model_ranks)
    pd.testing.assert_frame_equal(done.ge.welfare, now.ge.welfare)  # to the bit
    pd.testing.assert_frame_equal(done.ge.sectors, now.ge.sectors)
    a, b = (CalamineWorkbook.from_path(str(books[k])) for k in ("now", "later"))
    assert a.sheet_names == b.sheet_names
    assert "GE real income" in a.sheet_names and "model_ranks" in a.sheet_names
    def cells(book: CalamineWorkbook, sheet: str) -> list[list[object]]:
        rows = book.get_sheet_by_name(sheet).to_python()  # the manifest's phase timings vary
        return [r for r in rows if not str(r[0]).startswith("seconds ")]

    for sheet in a.sheet_names:
        assert cells(a, sheet) == cells(b, sheet), sheet


def test_failed_report_stops_the_pending_sector_model(both: list[Path], tmp_path: Path
                                                      ) -> None:
    """When the report cannot be written, nobody waits for the sector model: its worker
    process is stopped at once, not left to finish."""
    from fta_compare.errors import OutputError
    from fta_compare.ge_worker import GEWorker
    from fta_compare.report.writer import write_report

    tables = load_inputs(both)
    cfg = api.make_config(both, model="gsim", solution="exact", focus=None,
                          depth_channel=False, command="test")
    worker = GEWorker()
    procs = list(worker._pool._processes.values())
    result = api.run_tables(tables, cfg, ge_worker=worker)
    taken = tmp_path / "taken.xlsx"
    taken.write_bytes(b"an analyst's file")
    with pytest.raises(OutputError):
        write_report(result, taken)  # exists, no --force
    assert procs and not any(p.is_alive() for p in procs)
    assert taken.read_bytes() == b"an analyst's file"
