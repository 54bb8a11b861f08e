"""Safe outputs: atomic writes, no overwrite without --force, interrupted runs, text cells.

The interrupted-run tests start ``fta-compare run`` in a child process and stop it with
SIGINT or SIGTERM while it is writing. Writing is made slow from the test side only: a
``sitecustomize`` on the child's PYTHONPATH wraps the workbook writer so that, once the
temporary workbook is complete, it drops a marker file and sleeps. No hook in product code.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fta_compare.cli import main
from fta_compare.errors import OutputError
from fta_compare.report.atomic import TMP_PREFIX, atomic_path, atomic_paths
from helpers import check_case_sheets, write_xlsx
from test_bad_inputs import schedule_sheets, write_text_cells

SRC = Path(__file__).resolve().parents[1] / "src"
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

SLOW_WRITER = '''
import os, time
from pathlib import Path

marker = os.environ.get("FTA_TEST_WRITE_MARKER")
if marker:
    import fta_compare.report.writer as writer

    _write_workbook = writer._write_workbook

    def _slow(result, path, *args):
        _write_workbook(result, path, *args)  # the temporary workbook is complete
        Path(marker).write_text(str(path))
        # ... and the run is "still writing" when the signal comes: short sleeps, as a
        # writer runs bytecode; one long C sleep is not woken when the kernel delivers the
        # signal to another thread (the Parquet writer's), and would wait it out
        for _ in range(3000):
            time.sleep(0.1)

    writer._write_workbook = _slow
'''


def temps(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{TMP_PREFIX}*"))


@pytest.fixture
def check_case(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "check.xlsx", check_case_sheets())


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


# ----------------------------------------------------------------------------- --force


def test_existing_workbook_is_not_overwritten_and_nothing_else_written(
        check_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous work")
    res = CliRunner().invoke(main, ["run", str(check_case), "--out", str(out)])
    assert res.exit_code == 1 and "--force" in res.output and "Traceback" not in res.output
    assert out.read_bytes() == b"previous work"
    assert not out.with_name("out.results.parquet").exists() and temps(tmp_path) == []


def test_existing_detail_file_blocks_the_run_too(check_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    detail = tmp_path / "out.results.parquet"
    detail.write_bytes(b"previous detail")
    res = CliRunner().invoke(main, ["run", str(check_case), "--out", str(out)])
    assert res.exit_code == 1 and "--force" in res.output
    assert detail.read_bytes() == b"previous detail" and not out.exists()
    assert temps(tmp_path) == []


@pytest.mark.parametrize("force", [False, True])
def test_output_that_is_a_folder_or_in_a_missing_folder(check_case: Path, tmp_path: Path,
                                                       force: bool) -> None:
    folder = tmp_path / "out.xlsx"
    folder.mkdir()
    args = ["--force"] if force else []
    res = CliRunner().invoke(main, ["run", str(check_case), "--out", str(folder), *args])
    assert res.exit_code == 1 and "is a folder" in res.output
    res = CliRunner().invoke(main, ["run", str(check_case), "--out",
                                    str(tmp_path / "nowhere" / "o.xlsx"), *args])
    assert res.exit_code == 1 and "does not exist" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "nowhere").exists()


def test_force_replaces_both_outputs(check_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    detail = tmp_path / "out.results.parquet"
    out.write_bytes(b"old")
    detail.write_bytes(b"old")
    res = CliRunner().invoke(main, ["run", str(check_case), "--out", str(out), "--force"])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:2] == b"PK" and len(pd.read_parquet(detail)) > 0
    assert temps(tmp_path) == []


# ----------------------------------------------------------------------------- atomic_paths


def test_atomic_write_gives_normal_permissions(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "a.xlsx"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(TMP_PREFIX)
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new" and temps(tmp_path) == []
    assert target.stat().st_mode & 0o777 == 0o644  # not the 0o600 of a temporary file


def test_force_keeps_the_permissions_of_the_replaced_file(tmp_path: Path) -> None:
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with atomic_path(target, force=True) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failure_while_writing_leaves_previous_file(tmp_path: Path,
                                                   error: type[BaseException]) -> None:
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"previous")
    with pytest.raises(error), atomic_path(target, force=True) as tmp:
        tmp.write_bytes(b"half")
        raise error("stop")
    assert target.read_bytes() == b"previous" and temps(tmp_path) == []


def test_target_appearing_while_writing_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "a.xlsx"
    with pytest.raises(OutputError, match="appeared while writing"), \
            atomic_path(target) as tmp:
        tmp.write_bytes(b"mine")
        target.write_bytes(b"someone else's")
    assert target.read_bytes() == b"someone else's" and temps(tmp_path) == []


def test_several_outputs_commit_together_or_not_at_all(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "a.results.parquet"
    with pytest.raises(OutputError), atomic_paths([a, b]) as (ta, tb):
        ta.write_bytes(b"A")
        tb.write_bytes(b"B")
        b.write_bytes(b"appeared")  # the second cannot be placed: the first is undone
    assert not a.exists() and b.read_bytes() == b"appeared" and temps(tmp_path) == []
    with atomic_paths([a, b], force=True) as (ta, tb):
        ta.write_bytes(b"A")
        tb.write_bytes(b"B")
    assert a.read_bytes() == b"A" and b.read_bytes() == b"B"


def test_writer_that_leaves_no_file_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "a.xlsx"
    with pytest.raises(OutputError, match="left no file"), atomic_path(target) as tmp:
        tmp.unlink()
    assert not target.exists()


class _Unhandled(Exception):
    """Raised by the test's own SIGTERM handler: atomic_path did not install its own."""


def _unhandled(signum: int, frame: object) -> None:
    raise _Unhandled(signum)


@POSIX
def test_sigterm_while_writing_cleans_up_and_restores_the_handler(tmp_path: Path) -> None:
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"previous")
    original = signal.signal(signal.SIGTERM, _unhandled)  # never let SIGTERM end pytest
    try:
        with pytest.raises(KeyboardInterrupt), atomic_path(target, force=True) as tmp:
            tmp.write_bytes(b"half")
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # interrupted at once by the handler
        assert signal.getsignal(signal.SIGTERM) is _unhandled  # restored afterwards
    finally:
        signal.signal(signal.SIGTERM, original)
    assert target.read_bytes() == b"previous" and temps(tmp_path) == []


# ----------------------------------------------------------------------------- interrupted


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@POSIX
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_run_leaves_previous_output(sig: signal.Signals, check_case: Path,
                                                tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    detail = tmp_path / "out.results.parquet"
    res = CliRunner().invoke(main, ["run", str(check_case), "--out", str(out)])
    assert res.exit_code == 0, res.output
    previous = out.read_bytes()
    previous_detail = detail.read_bytes()
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SLOW_WRITER)
    marker = tmp_path / "writing.txt"
    env = dict(os.environ, FTA_TEST_WRITE_MARKER=str(marker),
               PYTHONPATH=os.pathsep.join([str(hook), str(SRC)]))
    # as a run started from a shell: Ctrl-C at its default (a child inherits SIG_IGN from
    # a parent that ignores SIGINT, and Python then keeps ignoring it)
    proc = subprocess.Popen([sys.executable, "-m", "fta_compare.cli", "run", str(check_case),
                             "--out", str(out), "--force"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)
    try:
        for _ in range(2400):  # wait (up to ~2 min) until the workbook is being written
            if (marker.exists() and marker.read_text()) or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        tmp_file = Path(marker.read_text())
        assert tmp_file.exists() and tmp_file.name.startswith(TMP_PREFIX)  # mid-write
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr + stdout
    assert out.read_bytes() == previous  # the previous output, byte for byte
    assert not tmp_file.exists() and temps(tmp_path) == []
    assert detail.read_bytes() == previous_detail  # both files kept, or neither replaced


# ----------------------------------------------------------------------------- text cells

EVIL = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1:A2)", '=HYPERLINK("http://x","y")']


def test_formula_like_input_text_is_written_as_text(tmp_path: Path) -> None:
    s = schedule_sheets()
    s["meta"].append(["title", EVIL[0]])
    s["scenarios"][2][6] = EVIL[3]  # descriptions of two scenarios
    s["scenarios"][3][6] = EVIL[1]
    s["meta"].append(["note", EVIL[2]])
    s["sources"] = [["table", "column", "source", "transformation"],
                    ["trade", "value", EVIL[4], EVIL[2]]]
    src = write_text_cells(tmp_path / "evil.xlsx", s)
    wb_in = load_workbook(src)
    assert wb_in["meta"]["B5"].data_type == "s" and wb_in["meta"]["B5"].value == EVIL[0]
    out = tmp_path / "out.xlsx"
    res = CliRunner().invoke(main, ["run", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    seen: dict[str, list[str]] = {e: [] for e in EVIL}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value in seen:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen[cell.value].append(f"{ws.title}!{cell.coordinate}")
    for text in (EVIL[0], EVIL[1], EVIL[3]):  # title, descriptions: on human sheets
        assert seen[text], f"{text!r} not found as text in the report"
    assert any(seen[e] for e in (EVIL[2], EVIL[4]))  # meta note / sources
