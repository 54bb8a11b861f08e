"""Reuse of a written sensitivity workbook in the run report (:func:`load_rank_first`): the
manifest records the inputs' SHA-256, model, solution and focus; the table is returned only
when all of them match."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from fta_compare import api
from fta_compare.report.writer import write_sensitivity
from fta_compare.sensitivity import SensitivityResult, run_sensitivity
from fta_compare.sensitivity_rank import DEFAULT_OUT, RankFirst, load_rank_first

SYNTHETIC = Path(__file__).resolve().parents[1] / "tariff_tables" / "example_synthetic.xlsx"


@dataclass(frozen=True)
class Written:
    inputs: Path
    book: Path
    result: SensitivityResult


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Written:
    root = tmp_path_factory.mktemp("rank_first")
    inputs = shutil.copy(SYNTHETIC, root / SYNTHETIC.name)
    res = run_sensitivity([inputs], model="gsim", solution="linear", draws=8, seed=3,
                          workers=1, chunk_size=4)
    return Written(Path(inputs), write_sensitivity(res, root / "sensitivity.xlsx"), res)


def lookup(w: Written, inputs: Path | None = None, **kw: str) -> tuple[RankFirst | None, str]:
    cfg = api.make_config([inputs or w.inputs], model=kw.pop("model", "gsim"),
                          solution=kw.pop("solution", "linear"))
    return load_rank_first(w.book, input_sha256=cfg.input_sha256, model=cfg.model,
                           solution=cfg.solution, focus=kw.pop("focus", w.result.config.focus))


def test_manifest_records_what_the_check_needs(written: Written) -> None:
    wb = load_workbook(written.book, read_only=True)
    items = dict(wb["manifest"].iter_rows(min_row=2, max_col=2, values_only=True))
    wb.close()
    cfg = written.result.config
    assert (items["model"], items["solution"], items["focus"]) == ("gsim", "linear", cfg.focus)
    assert items["input example_synthetic.xlsx"] == f"sha256 {api.sha256(written.inputs)}"
    assert (items["seed"], items["draws"]) == (3, 8)


def test_same_inputs_model_and_focus_give_the_rank_first_table(written: Written) -> None:
    found, reason = lookup(written)
    assert reason == "" and found is not None
    want = written.result.rank_first
    assert found.table["scenario"].tolist() == want["scenario"].tolist()
    np.testing.assert_array_equal(found.table["share_first"], want["share_first"])
    assert found.table["draws_ok"].tolist() == want["draws_ok"].tolist()
    assert (found.draws, found.seed, found.model, found.solution) == (8, 3, "gsim", "linear")
    assert found.focus == written.result.config.focus and found.path == written.book
    assert found.table["share_first"].sum() >= 1.0


def test_a_changed_input_file_does_not_match(written: Written, tmp_path: Path) -> None:
    changed = tmp_path / SYNTHETIC.name  # same name, other contents
    wb = load_workbook(written.inputs)
    ws = wb["trade"]
    ws.cell(row=2, column=4, value=float(ws.cell(row=2, column=4).value) + 1.0)
    wb.save(changed)
    found, reason = lookup(written, inputs=changed)
    assert found is None and "other contents of example_synthetic.xlsx" in reason
    other = shutil.copy(written.inputs, tmp_path / "renamed.xlsx")
    found, reason = lookup(written, inputs=Path(other))
    assert found is None and "other input files" in reason


def test_another_model_solution_or_focus_does_not_match(written: Written) -> None:
    found, reason = lookup(written, model="smart")
    assert found is None and "model gsim (linear), not smart (linear)" in reason
    found, reason = lookup(written, solution="exact")
    assert found is None and "not gsim (exact)" in reason
    found, reason = lookup(written, focus="ZZZ")
    assert found is None and "not ZZZ" in reason


def test_an_absent_or_foreign_file_gives_none_and_a_reason(written: Written,
                                                           tmp_path: Path) -> None:
    kw = {"input_sha256": (), "model": "gsim", "solution": "linear", "focus": "KOR"}
    found, reason = load_rank_first(tmp_path / "nowhere.xlsx", **kw)
    assert found is None and "no sensitivity workbook" in reason
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"not a zip file")
    found, reason = load_rank_first(garbage, **kw)
    assert found is None and "cannot be read" in reason
    found, reason = load_rank_first(written.inputs, **kw)  # an xlsx, but not a result
    assert found is None and "no manifest or rank_first" in reason
    assert DEFAULT_OUT == Path("outputs/sensitivity.xlsx")
