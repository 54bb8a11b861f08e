"""Hostile workbooks: entity expansion, external entities, zip bombs, absurd dimensions.

Each is refused before any XML parser or grid allocation sees it, with an error naming the
file and the reason. No timing asserts: memory is bounded instead (``tracemalloc`` peak of
the check in this process; for what calamine would allocate, the peak RSS of a child
process under an address-space limit, so a regression aborts the child, not the suite).
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from fta_compare.errors import Issue
from fta_compare.inputs import check_inputs
from fta_compare.inputs.xlsx_container import zip_checks
from helpers import check_case_sheets, write_xlsx
from test_bad_inputs import errors, rewrite_part, sheet_part

SRC = Path(__file__).resolve().parents[1] / "src"
MB = 1 << 20
LAUGHS = b"""<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""
XXE = b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
DTD_RULE = "declares a DTD/entities"


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "base.xlsx", check_case_sheets())


def checked(paths: list[Path]) -> tuple[list[Issue], int]:
    """Issues of ``check_inputs`` and the peak Python memory it used (bytes)."""
    tracemalloc.start()
    try:
        tables, issues = check_inputs(paths)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert tables is None
    return issues, peak


def _after_declaration(payload: bytes, entity_ref: bytes = b"") -> Callable[[bytes], bytes]:
    """Put ``payload`` after the XML declaration (or first) and use an entity in a cell."""
    def fn(data: bytes) -> bytes:
        m = re.match(rb"<\?xml[^>]*\?>", data)
        at = m.end() if m else 0
        out = data[:at] + payload + data[at:]
        if entity_ref:
            out = out.replace(b"<t>KOR</t>", b"<t>" + entity_ref + b"</t>", 1)
        return out
    return fn


def _utf16(payload: bytes) -> Callable[[bytes], bytes]:
    def fn(data: bytes) -> bytes:
        text = re.sub(rb"^<\?xml[^>]*\?>", b"", data).decode()
        head = '<?xml version="1.0" encoding="UTF-16"?>' + payload.decode()
        return (head + text).encode("utf-16")
    return fn


DTD_CASES: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "billion laughs in a sheet": ("trade", _after_declaration(LAUGHS, b"&lol9;")),
    "external entity in a sheet": ("trade", _after_declaration(XXE, b"&xxe;")),
    "external entity in workbook.xml": ("xl/workbook.xml", _after_declaration(XXE)),
    "billion laughs in [Content_Types].xml": ("[Content_Types].xml",
                                              _after_declaration(LAUGHS)),
    "external entity in docProps": ("docProps/core.xml", _after_declaration(XXE)),
    "lower-case doctype": ("trade", _after_declaration(XXE.replace(b"DOCTYPE", b"doctype")
                                                       .replace(b"ENTITY", b"entity"))),
    "doctype after 10 KB of comment": ("trade", _after_declaration(
        b"<!--" + b"x" * 10_000 + b"-->" + XXE, b"&xxe;")),
    "doctype in a UTF-16 sheet": ("trade", _utf16(XXE)),
}


@pytest.mark.parametrize("name", list(DTD_CASES))
def test_dtd_and_entities_are_refused(name: str, base: Path, tmp_path: Path) -> None:
    where, fn = DTD_CASES[name]
    part = sheet_part(base, where) if "/" not in where and "." not in where else where
    bad = rewrite_part(base, part, fn, tmp_path / "evil.xlsx")
    issues, peak = checked([bad])
    hits = [i for i in errors(issues) if i.file == "evil.xlsx" and DTD_RULE in i.rule]
    assert hits and hits[0].value == part, [str(i) for i in issues]
    assert peak < 32 * MB


def test_utf16_sheet_without_dtd_is_refused(base: Path, tmp_path: Path) -> None:
    bad = rewrite_part(base, sheet_part(base, "trade"), _utf16(b""), tmp_path / "u16.xlsx")
    issues, _ = checked([bad])
    assert any(i.file == "u16.xlsx" and "not UTF-8" in i.rule for i in errors(issues))


def test_openpyxl_reads_through_defusedxml(base: Path, tmp_path: Path) -> None:
    """The reader uses calamine; where openpyxl reads a file, defusedxml guards it."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
    bad = rewrite_part(base, sheet_part(base, "trade"), _after_declaration(LAUGHS, b"&lol9;"),
                       tmp_path / "laughs.xlsx")
    tracemalloc.start()
    try:
        with pytest.raises(Exception) as exc:
            openpyxl.load_workbook(bad)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    chain: list[BaseException] = []
    err: BaseException | None = exc.value
    while err is not None and len(chain) < 10:
        chain.append(err)
        err = err.__cause__ or err.__context__
    # defusedxml's EntitiesForbidden (wrapped by openpyxl in a ValueError)
    assert any("Forbidden" in type(e).__name__ for e in chain), chain
    assert peak < 64 * MB


# ----------------------------------------------------------------------------- zip bombs


def _zero_part(path: Path, part: str, size: int) -> None:
    """Replace ``part`` with ``size`` bytes of zeros, written in 1 MB steps."""
    with zipfile.ZipFile(path) as zi:
        items = [(i.filename, zi.read(i)) for i in zi.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zo:
        for name, data in items:
            if name != part:
                zo.writestr(name, data)
                continue
            with zo.open(name, "w", force_zip64=True) as fh:
                chunk = b"\0" * MB
                for _ in range(size // MB):
                    fh.write(chunk)


def test_zip_bomb_is_refused_from_its_header(base: Path) -> None:
    part = sheet_part(base, "trade")
    _zero_part(base, part, 200 * MB)
    assert base.stat().st_size < 2 * MB  # 200 MB of zeros compress to ~200 KB
    issues, peak = checked([base])
    hits = [i for i in errors(issues) if i.file == "base.xlsx" and "zip bomb" in i.rule]
    assert hits and hits[0].value == part, [str(i) for i in issues]
    assert peak < 16 * MB


def _central_entries(data: bytes) -> dict[str, int]:
    """Offsets of the central-directory records, by member name."""
    out: dict[str, int] = {}
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        n, m, k = struct.unpack_from("<HHH", data, pos + 28)
        out[data[pos + 46: pos + 46 + n].decode()] = pos
        pos = data.find(b"PK\x01\x02", pos + 46 + n + m + k)
    return out


def _patch_member(path: Path, part: str, *, size: int | None = None,
                  flags: int | None = None) -> None:
    """Rewrite the declared uncompressed size or the flags of one member, in both headers."""
    data = bytearray(path.read_bytes())
    central = _central_entries(bytes(data))[part]
    local = struct.unpack_from("<I", data, central + 42)[0]
    if size is not None:
        struct.pack_into("<I", data, central + 24, size)
        struct.pack_into("<I", data, local + 22, size)
    if flags is not None:
        struct.pack_into("<H", data, central + 8, flags)
        struct.pack_into("<H", data, local + 6, flags)
    path.write_bytes(bytes(data))


def test_part_inflating_beyond_its_declared_size_is_refused(base: Path) -> None:
    """A lying header: 1 KB declared, 64 MB of XML inside; stopped after the first chunk."""
    part = sheet_part(base, "trade")
    filler = b"<row/>" * (64 * MB // 6)
    rewrite_part(base, part, lambda d: d.replace(b"<sheetData>", b"<sheetData>" + filler))
    _patch_member(base, part, size=1024)
    issues, peak = checked([base])
    hits = [i for i in errors(issues) if "beyond the size its zip header declares" in i.rule]
    assert hits and hits[0].file == "base.xlsx" and hits[0].value == part
    assert peak < 32 * MB


@pytest.mark.parametrize("damage,rule", [
    ("shorter", "its header says"),
    ("crc", "CRC check failed"),
    ("encrypted", "zip entry is encrypted"),
    ("bzip2", "compression method 12"),
])
def test_damaged_members_are_refused(damage: str, rule: str, base: Path,
                                     tmp_path: Path) -> None:
    part = sheet_part(base, "trade")
    bad = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(base) as zi:
        items = [(i.filename, zi.read(i)) for i in zi.infolist()]
    method = zipfile.ZIP_BZIP2 if damage == "bzip2" else zipfile.ZIP_STORED
    with zipfile.ZipFile(bad, "w") as zo:
        for name, data in items:
            zo.writestr(name, data, compress_type=method if name == part else
                        zipfile.ZIP_DEFLATED)
    if damage == "shorter":  # declares 100 bytes more than it holds
        _patch_member(bad, part, size=len(dict(items)[part]) + 100)
    elif damage == "crc":
        raw = bytearray(bad.read_bytes())
        at = raw.find(b"<sheetData>")
        raw[at + 1] = ord("S")
        bad.write_bytes(bytes(raw))
    elif damage == "encrypted":
        _patch_member(bad, part, flags=0x1)
    issues, _ = checked([bad])
    assert any(i.file == "damaged.xlsx" and rule in i.rule for i in errors(issues)), [
        str(i) for i in issues]


# ----------------------------------------------------------------------------- dimensions


def test_absurd_declared_dimension_is_refused(base: Path) -> None:
    part = sheet_part(base, "trade")
    rewrite_part(base, part, lambda d: re.sub(rb'<dimension ref="[^"]*"',
                                              b'<dimension ref="A1:XFD1048576"', d))
    issues, peak = checked([base])
    hit = [i for i in errors(issues) if "claims absurd dimensions" in i.rule]
    assert hit and hit[0].file == "base.xlsx" and hit[0].sheet == "trade"
    assert "A1:XFD1048576" in hit[0].rule and peak < 16 * MB


# Cells that would make calamine allocate its grid from A1 to the far cell: one block of
# rows x columns x ~32 bytes, 550 GB for XFD1048576; calamine aborts the process when the
# allocation fails, so the reader must refuse before calamine opens the sheet. One case per
# way of writing a cell reference that calamine accepts.
FAR: dict[str, bytes] = {
    "XFD1048576": b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>',
    "lower-case reference": b'<row r="3"><c r="xfd3" t="n"><v>1</v></c></row>',
    "spaces around =": b'<row r="3"><c r = "XFD3" t="n"><v>1</v></c></row>',
    "single quotes": b"<row r='3'><c r='XFD3' t='n'><v>1</v></c></row>",
    "newline before r": b'<row r="3"><c\nr="XFD3" t="n"><v>1</v></c></row>',
    "namespace prefix": b'<row r="3"><x:c r="XFD3" t="n"><x:v>1</x:v></x:c></row>',
    "cells without r": b'<row r="3">' + b"<c/>" * 5000 + b'<c t="n"><v>1</v></c></row>',
    "row beyond Excel": b'<row r="3"><c r="A99999999" t="n"><v>1</v></c></row>',
    # varied attributes keep the part under the compression-ratio cap
    "rows without r": b"".join(b'<row ht="%d"/>' % (i * 7919 % 100_003)
                               for i in range(1_100_000)) + b'<row><c t="n"><v>1</v></c></row>',
    "cell row far from its row tag": b'<row r="3"><c r="GR900000" t="n"><v>1</v></c></row>',
}

CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from fta_compare.inputs import check_inputs
from fta_compare.inputs.xlsx_container import zip_checks
for p in sys.argv[1:]:
    tables, issues = check_inputs([p])
    print(json.dumps({"file": p, "ok": tables is not None, "issues": [
        [i.file, i.sheet, i.cell, i.value, i.rule, i.severity] for i in issues]}), flush=True)
def peak_kb():
    # VmHWM: this process image's peak (ru_maxrss survives execve and would count the
    # memory of the pytest process that started this one)
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"maxrss_kb": peak_kb(),
                  "openpyxl": sorted(m for m in sys.modules if m.startswith("openpyxl"))}))
"""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")])
    return env


@pytest.mark.skipif(os.name != "posix", reason="resource limits of a POSIX child process")
def test_far_cells_are_refused_before_calamine_allocates(base: Path, tmp_path: Path) -> None:
    part = sheet_part(base, "trade")
    files = []
    for k, (name, row) in enumerate(FAR.items()):
        p = tmp_path / f"far{k}.xlsx"
        rewrite_part(base, part, lambda d, row=row: re.sub(
            rb'<row r="3">.*?</row>', lambda _m: row, d, count=1, flags=re.S), p)
        files.append((name, p))
    ok_file = tmp_path / "legit.xlsx"  # a stray cell far down but within limits: read
    rewrite_part(base, part, lambda d: d.replace(
        b"</sheetData>", b'<row r="60000"><c r="D60000" t="n"><v>5</v></c></row>'
        b"</sheetData>"), ok_file)
    proc = subprocess.run([sys.executable, "-c", CHILD, *[str(p) for _, p in files],
                           str(ok_file)], capture_output=True, text=True, env=_child_env(),
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    results, footer = lines[:-1], lines[-1]
    assert len(results) == len(FAR) + 1
    for (name, p), res in zip(files, results, strict=False):
        assert not res["ok"], name
        hit = [i for i in res["issues"] if i[5] == "error" and "far outside any table" in i[4]]
        assert hit, (name, res["issues"])
        assert hit[0][0] == p.name and hit[0][1] == "trade"
    legit = results[-1]  # read: its stray row is named like any other row
    assert not any("far outside" in i[4] for i in legit["issues"]), legit
    assert any(i[2] == "A60000" and "blank" in i[4] for i in legit["issues"]), legit
    assert footer["maxrss_kb"] < 2_000_000  # < 2 GB, where calamine alone would need 550 GB
    assert footer["openpyxl"] == []  # untrusted input is never parsed by openpyxl


def test_cell_far_down_within_limits_is_read(base: Path) -> None:
    part = sheet_part(base, "trade")
    rewrite_part(base, part, lambda d: d.replace(
        b"</sheetData>", b'<row r="20000"><c r="A20000" t="inlineStr"><is><t>KOR</t></is>'
        b"</c></row></sheetData>"))
    tables, issues = check_inputs([base])
    assert tables is None  # the stray row lacks importer/hs/value: named, not refused
    assert any(i.cell == "B20000" and "blank" in i.rule for i in issues)
    assert not any("outside" in i.rule for i in issues)


def test_inflated_stream_is_never_held_whole(base: Path) -> None:
    """A big honest part (~24 MB of XML) is scanned in bounded chunks, never held whole."""
    part = sheet_part(base, "trade")
    rows = b"".join(b'<row r="%d"><c r="A%d" t="n"><v>%d</v></c></row>' % (r, r, r * 7919)
                    for r in range(4, 400_000))
    rewrite_part(base, part, lambda d: d.replace(b"</sheetData>", rows + b"</sheetData>"))

    with zipfile.ZipFile(base) as zf:
        size = zf.getinfo(part).file_size
    assert size > 20 * MB
    tracemalloc.start()
    try:
        fatal, _ = zip_checks(base)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert fatal == []
    assert peak < size // 3


def test_compressed_size_zero_with_content_is_refused(tmp_path: Path) -> None:
    """A member claiming 0 compressed bytes but MBs of content is refused, never divided."""
    p = tmp_path / "zero.xlsx"
    body = zlib.compress(b"<a/>" * MB)[2:-4]
    name = b"xl/workbook.xml"
    crc = zlib.crc32(b"<a/>" * MB)
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, 0, 4 * MB,
                        len(name), 0) + name + body
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, 0,
                          4 * MB, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local), 0)
    p.write_bytes(local + central + end)
    issues, _ = checked([p])
    assert any(i.file == "zero.xlsx" and ("zip bomb" in i.rule or "damaged" in i.rule)
               for i in errors(issues)), [str(i) for i in issues]


def test_refused_last_sheet_discards_the_sheets_read_before_it(base: Path,
                                                               tmp_path: Path) -> None:
    """Worksheet parts are scanned while calamine reads the sheets before them; a refusal
    in the last sheet still refuses the whole workbook (nothing of it is kept), and the
    other inputs are read as usual."""
    from fta_compare.inputs.reader import read_inputs

    last = openpyxl.load_workbook(base, read_only=True).sheetnames[-1]
    bad = rewrite_part(base, sheet_part(base, last), _after_declaration(XXE),
                       tmp_path / "evil_last.xlsx")
    other = tmp_path / "meta.csv"
    other.write_text("key,value\nfocus,KOR\n", encoding="utf-8")
    read = read_inputs([bad, other])
    assert "evil_last.xlsx" in read.unreadable
    assert any(i.file == "evil_last.xlsx" and DTD_RULE in i.rule and i.sheet == last
               for i in read.issues)
    kept = {f for df in read.tables.values() for f, _ in df.attrs["letters"]}
    assert kept == {"meta.csv"}
    fine = read_inputs([base])
    assert not fine.unreadable and len(fine.tables) > 1


def test_sheets_read_on_threads_equal_the_sequential_read(base: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """Parsing sheets side by side (and scanning them on two threads) changes nothing:
    the same tables, cell locations and issues, in the same order, as one at a time."""
    import pandas as pd

    from fta_compare.inputs import reader, xlsx_container
    from fta_compare.inputs.reader import read_inputs

    wb = openpyxl.load_workbook(base)
    wb.create_sheet("notes")["A1"] = "an unknown sheet gives a warning"
    wb["trade"]["A2"] = "=1+1"  # a formula without a cached value: an issue in a cell
    odd = tmp_path / "odd.xlsx"
    wb.save(odd)
    threaded = read_inputs([odd])
    monkeypatch.setattr(reader, "READ_THREADS", 1)
    monkeypatch.setattr(xlsx_container.SheetScans, "THREADS", 1)
    single = read_inputs([odd])
    assert [str(i) for i in threaded.issues] == [str(i) for i in single.issues]
    assert any("unknown sheet" in i.rule for i in single.issues)
    assert any(i.sheet == "trade" and i.cell == "A2" for i in single.issues)
    assert list(threaded.tables) == list(single.tables)
    for name, df in single.tables.items():
        pd.testing.assert_frame_equal(threaded.tables[name], df)
        assert threaded.tables[name].attrs == df.attrs
