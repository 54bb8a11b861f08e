"""Bit-identical sensitivity results on every engine: in this process, local worker processes
and a real Dask ``LocalCluster`` (2 single-threaded worker processes on loopback), for the
three PE models; also the written workbook, cell by cell; and the pieces that make it so
(one BLAS thread, a fixed sector-sum order, aligned shared arrays)."""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fta_compare import api
from fta_compare.inputs import load_inputs
from fta_compare.parallel import (
    _openblas_functions,
    aligned,
    blas_control,
    one_blas_thread,
    plan_chunks,
    sector_sums,
    solve_chunk,
)
from fta_compare.report.writer import write_sensitivity
from fta_compare.sensitivity import SensitivityResult, prepare_sensitivity, run_draws

SYNTHETIC = Path(__file__).resolve().parents[1] / "tariff_tables" / "example_synthetic.xlsx"
MODELS = (("smart", "linear"), ("gsim", "linear"), ("gsim", "exact"))
ENGINES = ("in-process", "local-processes", "dask")
DRAWS = {"draws": 24, "seed": 7, "chunk_size": 4}

Runs = dict[tuple[str, str], dict[str, SensitivityResult]]


@pytest.fixture(scope="module")
def runs() -> Runs:
    """The same draws on each engine for each model; the cluster is started and closed here."""
    distributed = pytest.importorskip("distributed")
    tables = load_inputs([SYNTHETIC])
    plans = {(m, s): prepare_sensitivity(tables, api.make_config([SYNTHETIC], model=m,
                                                                   solution=s))
             for m, s in MODELS}
    out: Runs = {key: {} for key in MODELS}
    for key, plan in plans.items():
        out[key]["in-process"] = run_draws(plan, workers=1, **DRAWS)
        out[key]["local-processes"] = run_draws(plan, workers=2, **DRAWS)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        with distributed.Client(address) as client:
            assert sorted(client.nthreads().values()) == [1, 1]
        for key, plan in plans.items():
            out[key]["dask"] = run_draws(plan, scheduler=address, **DRAWS)
    return out


def float_bytes(res: SensitivityResult) -> dict[str, bytes]:
    """Every number of the result as the bytes of its float64 (or bool) array."""
    out = {f"summary.{c}": res.summary[c].to_numpy(np.float64).tobytes()
           for c in res.summary.columns if pd.api.types.is_numeric_dtype(res.summary[c])}
    out |= {f"rank_first.{c}": res.rank_first[c].to_numpy(np.float64).tobytes()
            for c in ("share_first", "draws_ok")}
    out |= {name: getattr(res, name).tobytes() for name in ("welfare", "focus", "ok")}
    return out


@pytest.mark.parametrize(("model", "solution"), MODELS)
def test_every_engine_gives_the_same_bytes(runs: Runs, model: str, solution: str) -> None:
    by_engine = runs[(model, solution)]
    assert [by_engine[e].engine.engine for e in ENGINES] == list(ENGINES)
    assert by_engine["local-processes"].engine.workers == 2
    assert by_engine["dask"].engine.workers == 2
    ref = by_engine["in-process"]
    assert ref.summary["std"].max() > 0  # the draws really vary
    want = float_bytes(ref)
    for engine in ENGINES[1:]:
        res = by_engine[engine]
        got = float_bytes(res)
        assert got.keys() == want.keys()
        differ = [k for k in want if got[k] != want[k]]
        assert not differ, f"{engine} differs from in-process in {differ}"
        for col in ("scenario", "country", "metric"):
            assert res.summary[col].tolist() == ref.summary[col].tolist()
        assert res.rank_first["scenario"].tolist() == ref.rank_first["scenario"].tolist()
    if blas_control() is not None:
        for engine in ENGINES:
            assert dict(by_engine[engine].manifest)["blas_threads"].startswith("1 thread")


def sheet_part(path: Path, sheet: str) -> bytes:
    """The XML part of worksheet ``sheet`` in the xlsx at ``path``."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet name="{sheet}" sheetId="\d+" r:id="(rId\d+)"', book)
        assert rid, sheet
        target = re.search(rf'Id="{rid.group(1)}" Type="[^"]+" Target="([^"]+)"', rels)
        assert target, sheet
        return z.read("xl/" + target.group(1))


def cells(xml: bytes) -> list[tuple[str, bytes]]:
    """(reference, the cell's XML) of every cell of a worksheet part."""
    return [(m.group(1).decode(), m.group(0)) for m in
            re.finditer(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', xml)]


@pytest.mark.parametrize(("model", "solution"), MODELS)
def test_written_sensitivity_sheet_is_identical_cell_by_cell(runs: Runs, tmp_path: Path,
                                                            model: str, solution: str) -> None:
    paths = {e: write_sensitivity(r, tmp_path / f"{e}.xlsx")
             for e, r in runs[(model, solution)].items()}
    for sheet in ("sensitivity", "rank_first"):
        ref = cells(sheet_part(paths["in-process"], sheet))
        assert len(ref) > len(runs[(model, solution)]["dask"].rank_first)
        for engine in ENGINES[1:]:
            got = cells(sheet_part(paths[engine], sheet))
            assert [r for r, _ in got] == [r for r, _ in ref]
            differ = [r for (r, a), (_, b) in zip(ref, got, strict=True) if a != b]
            assert not differ, f"{sheet}: {engine} differs in cells {differ[:10]}"
            assert sheet_part(paths[engine], sheet) == sheet_part(paths["in-process"], sheet)


def test_sector_sums_do_not_depend_on_the_number_of_blas_threads() -> None:
    """A BLAS matmul (the former ``exp_p @ sectors``) may sum in another order with two
    threads (measured with OpenBLAS 0.3.31 for 5001 products); the sector sums must not."""
    control = blas_control()
    if control is None or (os.cpu_count() or 1) < 2:
        pytest.skip("needs a BLAS thread control and 2 CPUs")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 5001)) * 1e5
    sectors = (rng.random((5001, 28)) < 0.1).astype(float)
    got = {}
    for threads in (2, 1):
        undo = control[0](threads)
        try:
            got[threads] = sector_sums(x, sectors)
        finally:
            undo()
    assert got[1].tobytes() == got[2].tobytes()
    np.testing.assert_allclose(got[1], x @ sectors, rtol=1e-12, atol=1e-6)


def blas_threads_now() -> int | None:
    funcs = _openblas_functions()
    if funcs:
        return int(funcs[0][0]())
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    return blas[0] if blas else None


def test_one_blas_thread_pins_nests_and_restores() -> None:
    before = blas_threads_now()
    if blas_control() is None or before is None:
        pytest.skip("no BLAS thread control in this environment")
    with one_blas_thread() as how:
        assert how.startswith("1 thread (") and blas_threads_now() == 1
        with one_blas_thread():
            assert blas_threads_now() == 1
        assert blas_threads_now() == 1  # the inner block does not undo the outer one
    assert blas_threads_now() == before


def unaligned(a: np.ndarray) -> np.ndarray:
    """A copy of ``a`` 4 bytes off alignment, as Dask may deliver it from a network frame."""
    buf = np.empty(a.nbytes + 16, dtype=np.uint8)
    start = (-buf.ctypes.data) % 16 + 4
    out = np.ndarray(a.shape, dtype=a.dtype, buffer=buf, offset=start)
    out[...] = a
    return out


def test_unaligned_shared_arrays_are_copied_and_solve_to_the_same_bytes() -> None:
    tables = load_inputs([SYNTHETIC])
    ctx = prepare_sensitivity(tables, api.make_config([SYNTHETIC], model="gsim",
                                                      solution="exact")).context
    assert aligned(ctx) is ctx  # nothing to copy: the same object
    m = ctx.market
    odd = replace(ctx, market=replace(m, base_value=unaligned(m.base_value),
                                      base_rate=np.asfortranarray(m.base_rate)),
                  sectors=unaligned(ctx.sectors))
    assert not odd.market.base_value.flags.aligned
    fixed = aligned(odd)
    for a in (fixed.market.base_value, fixed.market.base_rate, fixed.sectors):
        assert a.flags.aligned and a.flags.c_contiguous
    assert fixed.market.base_value.tobytes() == m.base_value.tobytes()
    assert fixed.shocks is odd.shocks  # untouched parts are not copied
    chunk = plan_chunks(4, 4, seed=1)[0]
    a, b = solve_chunk(ctx, chunk), solve_chunk(odd, chunk)
    for name in ("welfare", "focus", "ok"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes(), name
