"""Bounded fuzzing of the reader: mutated workbook XML never escapes as an exception.

A seeded loop (fixed iterations, so the run is deterministic) mutates the XML parts of a
valid workbook -- byte flips, truncation, tag deletion, huge numbers, random unicode,
changed attributes, swapped or missing parts -- and runs ``check_inputs``. Every outcome
must be clean tables or a clean list of issues naming the file. A small Hypothesis test
does the same for cell values typed by a user.
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from fta_compare.errors import Issue
from fta_compare.inputs import check_inputs
from helpers import check_case_sheets, write_xlsx
from test_bad_inputs import schedule_sheets

ITERATIONS = 150
SEED = 20250101
HUGE = [b"9" * 400, b"1e999", b"-1e308", b"NaN", b"inf", b"-0", b"99999999999999999999",
        b"1E+308", b"0x1F", b"\xef\xbc\x91"]
ATTRS = [(b'r="', [b"ZZZ9", b"A0", b"", b"1", b"XFD1048576", b"A-1", b"a1", b"A99999999",
                   b"\xff"]),
         (b't="', [b"s", b"e", b"b", b"d", b"str", b"x", b"n", b"inlineStr"]),
         (b's="', [b"999", b"-1", b"x"]),
         (b'state="', [b"hidden", b"veryHidden", b"bogus"]),
         (b'ref="', [b"A1:XFD1048576", b"B2:A1", b"", b"A1:A1"])]


def _mutate(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    b = bytearray(data)
    op = rng.randrange(9)
    if op == 0 and b:  # byte flips
        for _ in range(rng.randint(1, 12)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif op == 1:  # truncation
        del b[rng.randrange(len(b) + 1):]
    elif op == 2:  # delete a tag
        starts = [i for i, ch in enumerate(b) if ch == ord("<")]
        if starts:
            i = rng.choice(starts)
            j = b.find(b">", i)
            del b[i: j + 1 if j >= 0 else len(b)]
    elif op == 3:  # huge or odd numbers in values
        for _ in range(rng.randint(1, 3)):
            i = b.find(b"<v>", rng.randrange(len(b) + 1))
            if i >= 0:
                j = b.find(b"</v>", i)
                b[i + 3: j if j >= 0 else i + 3] = rng.choice(HUGE)
    elif op == 4:  # random unicode (any plane, surrogates excluded)
        text = "".join(chr(rng.choice([rng.randrange(0x20, 0xD800),
                                       rng.randrange(0xE000, 0x10FFFF)]))
                       for _ in range(rng.randint(1, 40)))
        i = rng.randrange(len(b) + 1)
        b[i:i] = text.encode()
    elif op == 5:  # repeat a chunk
        i = rng.randrange(len(b) + 1)
        b[i:i] = bytes(b[i: i + rng.randint(1, 300)]) * rng.randint(2, 30)
    elif op == 6:  # change an attribute value
        name, values = rng.choice(ATTRS)
        i = b.find(name, rng.randrange(len(b) + 1))
        if i < 0:
            i = b.find(name)
        if i >= 0:
            j = b.find(b'"', i + len(name))
            b[i + len(name): j if j >= 0 else len(b)] = rng.choice(values)
    elif op == 7:  # another part's content
        b = bytearray(rng.choice(others))
    else:  # text where markup is expected
        i = rng.randrange(len(b) + 1)
        b[i:i] = rng.choice([b"&amp", b"&#0;", b"&#xD800;", b"]]>", b"<![CDATA[", b"\x00",
                             b"<?pi?>", b"</worksheet>", b"<c r=\"A1\"><f>1/0</f></c>"])
    return bytes(b)


def _fuzzed(base: dict[str, bytes], rng: random.Random, path: Path) -> Path:
    parts = dict(base)
    names = [n for n in parts if n.endswith((".xml", ".rels"))]
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(names)
        parts[name] = _mutate(rng, parts[name], [parts[n] for n in names if n != name])
    if rng.random() < 0.05:
        parts.pop(rng.choice(names))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _check_outcome(path: Path, tables: Any, issues: list[Issue]) -> None:
    assert isinstance(issues, list)
    for i in issues:
        assert isinstance(i, Issue) and i.severity in ("error", "warning")
        assert all(isinstance(x, str) for x in (i.file, i.sheet, i.cell, i.value, i.rule))
        assert str(i)  # printable
    errors = [i for i in issues if i.severity == "error"]
    if tables is None:
        assert errors, "no tables but no error either"
        assert any(i.file.startswith(path.name) or path.name in i.file for i in errors)
    else:
        assert not errors


@pytest.mark.parametrize("make,iterations", [(check_case_sheets, ITERATIONS * 2 // 3),
                                             (schedule_sheets, ITERATIONS // 3)])
def test_mutated_workbooks_give_tables_or_issues(make: Any, iterations: int,
                                                 tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", make())
    with zipfile.ZipFile(good) as zf:
        base = {i.filename: zf.read(i) for i in zf.infolist()}
    rng0 = random.Random(SEED + len(base))
    outcomes = {"tables": 0, "issues": 0}
    for it in range(iterations):
        seed = rng0.randrange(1 << 30)
        path = _fuzzed(base, random.Random(seed), tmp_path / f"fuzz{it % 3}.xlsx")
        try:
            tables, issues = check_inputs([path])
        except Exception as exc:  # report the seed that reproduces it
            pytest.fail(f"seed {seed}: {type(exc).__name__}: {exc}")
        _check_outcome(path, tables, issues)
        outcomes["tables" if tables is not None else "issues"] += 1
    assert outcomes["issues"] > 0  # the mutations do break things, and are all reported


CELL_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12),
    st.sampled_from(["*", "KOR", "kor", "XXX", "0101", "10121", "baseline", "add", "inf",
                     "2025-13-01", "today", "=1+1", "-", " ", "HS2030"]),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    st.dates(), st.times(),
)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["trade", "elasticities", "applied", "meta"]),
                                st.integers(0, 3), st.integers(0, 5), CELL_VALUES),
                      min_size=1, max_size=6))
def test_any_cell_value_gives_tables_or_issues(edits: list[tuple[str, int, int, Any]],
                                               tmp_path: Path) -> None:
    s = check_case_sheets()
    for sheet, r, c, v in edits:
        rows = s[sheet]
        row = rows[min(r, len(rows) - 1)]
        row.extend([None] * (c + 1 - len(row)))
        row[c] = v
    try:
        path = write_xlsx(tmp_path / "cells.xlsx", s)
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses some values
        return
    tables, issues = check_inputs([path])
    _check_outcome(path, tables, issues)
