"""The largest sheet parsed in a forked process while the reader scans it
(:mod:`fta_compare.inputs.early_parse`): the reader takes that parse only when it is the
one it would make itself, and reads exactly what it reads without it in every case,
hostile sheets included."""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from fta_compare.inputs import check_inputs, early_parse, reader
from fta_compare.inputs.early_parse import EarlyParse, start_early_parse
from helpers import check_case_sheets, write_xlsx
from test_bad_inputs import rewrite_part, sheet_part
from test_hostile_files import FAR
from test_reader_fast import _assert_same

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the early parse forks (Linux only)")


def _loaded(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """Sheet -> whether the fast path was handed the early parse's columns."""
    seen: dict[str, bool] = {}
    real = reader.fast_frame

    def spy(*args: Any, **kw: Any) -> Any:
        seen[args[2]] = args[6] is not None
        return real(*args, **kw)

    monkeypatch.setattr(reader, "fast_frame", spy)
    return seen


def _with_early(path: Path, sheet: str = "trade") -> Any:
    with EarlyParse(path, sheet) as early:
        return check_inputs([path], early=early)


def _parsed_by_the_reader(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the early parse, the reader parses the trade sheet itself and reads what it
    reads without it."""
    plain = check_inputs([path])
    seen = _loaded(monkeypatch)
    early = _with_early(path)
    assert seen["trade"] is False
    _assert_same(early, plain)


def test_early_parse_is_taken_and_reads_the_assert_same(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "plain.xlsx", check_case_sheets())
    plain = check_inputs([path])
    seen = _loaded(monkeypatch)
    early = _with_early(path)
    assert seen["trade"] is True and seen["meta"] is False
    assert early[0] is not None
    _assert_same(early, plain)


def test_header_below_row_one_is_parsed_again(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The early parse assumed the header on row 1: a table starting lower is parsed by
    the reader itself."""
    sheets = check_case_sheets()
    sheets["trade"] = [[None, None, None, None], *sheets["trade"]]
    _parsed_by_the_reader(write_xlsx(tmp_path / "lower.xlsx", sheets), monkeypatch)


def test_a_child_that_dies_leaves_the_parse_to_the_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "plain.xlsx", check_case_sheets())
    monkeypatch.setattr(early_parse, "_parse", lambda *_a: os._exit(3))  # forked with it
    _parsed_by_the_reader(path, monkeypatch)


def test_columns_cut_short_leave_the_parse_to_the_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child sent its column list, then not a whole Arrow stream (it died writing)."""
    path = write_xlsx(tmp_path / "plain.xlsx", check_case_sheets())

    def cut(_path: Path, _sheet: str, conn: Any) -> None:
        conn.send([early_parse.ColumnInfo("exporter", 0, "looked_up")])
        conn.send_bytes(b"ARROW1 cut short")
        conn.close()

    monkeypatch.setattr(early_parse, "_parse", cut)  # forked with it
    _parsed_by_the_reader(path, monkeypatch)


def test_a_file_changed_after_the_parse_is_parsed_again(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", check_case_sheets())
    with EarlyParse(path, "trade") as early:
        early._proc.join()  # the parse of the first version is done and sent
        sheets = check_case_sheets()
        sheets["trade"][1][3] = 999.0
        write_xlsx(path, sheets)
        os.utime(path, ns=(1, 1))  # a different time even on a coarse clock
        assert early.columns() is None
    with EarlyParse(path, "trade") as early:
        tables, _ = check_inputs([path], early=early)
    assert tables is not None and tables.trade["value"].tolist() == [999.0, 200.0]


@pytest.mark.parametrize("case", ["XFD1048576", "cell row far from its row tag"])
def test_hostile_sheet_ends_only_the_child(case: str, tmp_path: Path) -> None:
    """A sheet whose bounding box calamine cannot allocate: the child dies, the reader's
    scan refuses the sheet exactly as without the early parse."""
    base = write_xlsx(tmp_path / "base.xlsx", check_case_sheets())
    path = tmp_path / "far.xlsx"
    rewrite_part(base, sheet_part(base, "trade"), lambda d: re.sub(
        rb'<row r="3">.*?</row>', lambda _m: FAR[case], d, count=1, flags=re.S), path)
    plain = check_inputs([path])
    with EarlyParse(path, "trade") as early:
        got = check_inputs([path], early=early)
        early._proc.join(timeout=120)
        assert early.columns() is None  # died (calamine aborts) or refused the grid
    assert plain[0] is None and any("far outside any table" in i.rule for i in plain[1])
    _assert_same(got, plain)


def test_started_only_for_a_large_part_in_a_single_thread(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "small.xlsx", check_case_sheets())
    assert start_early_parse([path]) is None  # far below MIN_PART_BYTES
    assert start_early_parse([tmp_path / "trade.csv"], min_part_bytes=0) is None
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait)
    busy.start()
    try:
        assert start_early_parse([path], min_part_bytes=0) is None  # threads: no fork
    finally:
        stop.set()
        busy.join()
    if threading.active_count() != 1:
        pytest.skip("this test process runs other threads")
    early = start_early_parse([tmp_path / "trade.csv", path], min_part_bytes=0)
    assert early is not None and early.path == path  # the first workbook's largest sheet
    with early:
        sheet = early.sheet
        assert early.covers(path, sheet) and not early.covers(path, sheet + "x")
        assert early.columns() is not None and not early.covers(path, sheet)  # taken once
