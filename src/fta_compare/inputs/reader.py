"""Read input tables from .xlsx workbooks, CSV and Parquet files, keeping cell locations.

Workbooks are read with the calamine engine (``python-calamine``; measured against
openpyxl read-only mode in ``benchmarks/read_engines.py``), after safety checks on the
zip container that run *before* calamine parses any XML:

* the file is a zip (an ``.xls``/``.csv`` renamed ``.xlsx`` or an OLE2 password-protected
  workbook is named as such), not empty, not truncated, under the size limit;
* the sum of uncompressed part sizes and each part's compression ratio are capped (zip
  bombs), and every XML part is inflated once here, in bounded chunks, so a part that
  expands beyond the size its zip header declares (a lying header) is refused without
  ever holding it in memory;
* no XML part declares a DTD or entities (entity expansion, external entities: xlsx
  never needs one), in UTF-8 or UTF-16, anywhere in the part;
* each sheet's declared dimension *and* the cells it really holds stay within the cell
  and column caps: calamine allocates the bounding box of the cells in one block and
  aborts the whole process when that fails, so a single cell at ``XFD1048576`` must be
  refused before calamine sees the sheet;
* formulas without a cached value (scripts that never recalculated) and cells holding an
  Excel error (``#N/A``, ``#REF!``: calamine reads them as blanks) are listed when they
  are in a contract column.

Any error of the third-party parsers (including a Rust panic) becomes an
:class:`~fta_compare.errors.Issue` naming the file: no user mistake gives a traceback.

Every returned table keeps where each row came from (``_file``, ``_sheet``, ``_row``)
and the column letters of each source sheet in ``df.attrs['letters']``.
"""

from __future__ import annotations

import functools
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa

from fta_compare.errors import Issue
from fta_compare.inputs.cells import map_rows
from fta_compare.inputs.schema import SHEETS
from fta_compare.inputs.tables import FILE_COL, ROW_COL, SHEET_COL, column_letter

MAX_FILE_BYTES = int(os.environ.get("FTA_COMPARE_MAX_FILE_MB", "300")) * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = int(os.environ.get("FTA_COMPARE_MAX_XML_MB", "2048")) * 1024 * 1024
MAX_COMPRESSION_RATIO = 400  # xlsx XML compresses ~10-30x; a bomb 1000x and more
MAX_COLUMNS = 200
MAX_CELLS = 20_000_000  # calamine holds ~32 bytes per cell, Python ~16 more
EXCEL_MAX_ROWS = 1_048_576
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SPLIT_SHEET = re.compile(r"^(?P<base>[a-z_]+?)_(?P<part>\d+)$")
RESERVED_COLUMNS = (FILE_COL, SHEET_COL, ROW_COL)
XML_SUFFIXES = (".xml", ".rels", ".vml")
MAX_CELLS_LISTED = 25  # per (sheet, kind); the rest are counted in one line
MAX_CELLS_KEPT = 10_000  # findings kept per part before filtering by column
FORMULA_RULE = ("formula without a cached value (the file was never recalculated); open and "
                "save it in Excel or LibreOffice, or type the value")
ERROR_RULE = ("cell holds an Excel error value (read as blank); fix the formula or type the "
              "value")
READ_CHUNK = 256 << 10  # compressed bytes read at a time
OUT_CHUNK = 1 << 20  # most decompressed bytes produced at a time (bounds memory)
MAX_CARRY = 16 << 20  # an unfinished tag longer than this is processed anyway


def _decl_pattern(encoding: str) -> bytes:
    """Regex (bytes) for '<!DOCTYPE' or '<!ENTITY' in ``encoding``, any letter case."""
    def enc(text: str) -> bytes:
        return b"".join(re.escape(ch.encode(encoding)) for ch in text)

    def word(w: str) -> bytes:
        return b"".join(b"(?:" + enc(c.lower()) + b"|" + enc(c.upper()) + b")" for c in w)

    return enc("<!") + b"(?:" + word("doctype") + b"|" + word("entity") + b")"


# xlsx never needs a DTD; quick-xml also accepts lower case, and a part may be UTF-16
DTD_DECL = re.compile(b"|".join(_decl_pattern(e) for e in ("utf-8", "utf-16-le", "utf-16-be")))
DTD_RULE = ("XML part declares a DTD/entities (entity expansion or external entity attack); "
            "refused")


@dataclass
class ReadResult:
    """Tables read from all inputs, by contract sheet name, plus problems found."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # files refused or not parsed at all
    failed_tables: set[str] = field(default_factory=set)  # sheets present but not readable


def normalise_name(name: str) -> str:
    """Sheet or column name as matched against the contract: trimmed, lower, '_' for spaces."""
    return re.sub(r"\s+", "_", str(name).strip().lower())


INFO_SHEETS = frozenset({"readme"})  # sheets for people, known and not read


def _table_name(sheet: str) -> str:
    """Contract table a sheet belongs to: 'trade_2' -> 'trade' (split tables are joined)."""
    norm = normalise_name(sheet)
    if norm in SHEETS:
        return norm
    m = SPLIT_SHEET.match(norm)
    if m and m.group("base") in SHEETS:
        return m.group("base")
    return norm


def _header_names(header: list[object], file: str, sheet: str, header_row: int,
                  issues: list[Issue]) -> list[str]:
    """Normalised header names; '' for a column that is skipped (blank, repeated, reserved)."""
    names: list[str] = []
    first: dict[str, int] = {}
    for j, h in enumerate(header):
        name = "" if _is_blank(h) else normalise_name(str(h))
        cell = f"{column_letter(j)}{header_row}"
        if name in RESERVED_COLUMNS:
            issues.append(Issue(file, sheet, cell, str(h), f"column name '{name}' is "
                                "reserved for cell locations; column ignored", "warning"))
            name = ""
        elif name and name in first:
            other = f"{column_letter(first[name])}{header_row}"
            issues.append(Issue(file, sheet, cell, str(h), f"column '{name}' appears twice "
                                f"in the header row (also {other}); keep one"))
            name = ""
        elif name:
            first[name] = j
        names.append(name)
    return names


def _frame(
    rows: list[list[object]], file: str, sheet: str, header_row: int, first_data_row: int,
    issues: list[Issue] | None = None,
) -> pd.DataFrame:
    """DataFrame from a header and data rows, with location columns and letters."""
    header = rows[0] if rows else []
    names = _header_names(list(header), file, sheet, header_row,
                          issues if issues is not None else [])
    body = rows[1:]
    width = len(names)
    keep = [i for i, n in enumerate(names) if n]
    grid = np.empty((len(body), width), dtype=object)
    if all(len(r) == width for r in body):  # calamine's rows are rectangular
        if body:
            grid[:] = body
    else:
        for i, r in enumerate(body):
            padded = list(r[:width])
            grid[i] = padded + [""] * (width - len(padded))
    df = pd.DataFrame({names[i]: grid[:, i] for i in keep}, index=pd.RangeIndex(len(body)),
                      dtype=object)
    df[FILE_COL] = file
    df[SHEET_COL] = sheet
    df[ROW_COL] = np.arange(first_data_row, first_data_row + len(df))
    # drop rows that are entirely blank (keep row numbers of the rest)
    if keep and len(df):
        blank = np.ones(len(df), dtype=bool)
        for i in keep:  # only rows blank so far are looked at in the next column
            rows_left = np.flatnonzero(blank)
            blank[rows_left] = map_rows(grid[rows_left, i], _is_blank).astype(bool)
        df = df.loc[~blank]
    df.attrs["letters"] = {(file, sheet): {names[i]: column_letter(i) for i in keep}}
    df.attrs["header_row"] = {(file, sheet): header_row}
    return df.reset_index(drop=True)


def _is_blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    if isinstance(v, float):
        return v != v  # NaN
    return False


# --------------------------------------------------------------------------- container


class _Refused(Exception):
    """A workbook part breaks a safety rule or is damaged; the message says why."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(reason)
        self.part = part
        self.reason = reason


_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # zip local file header (30 bytes)


def _part_chunks(fh: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Inflate one zip member in bounded chunks, from the raw bytes, checking its header.

    Python's ``zipfile`` silently stops at the declared size; calamine's zip reader does
    not, so a member that inflates beyond its declared size is refused here, as is one
    that is shorter, fails its CRC, is encrypted or uses a method Excel never writes.
    """
    part = info.filename
    if info.flag_bits & 0x1:
        raise _Refused(part, "zip entry is encrypted; save the workbook without a password")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Refused(part, f"zip compression method {info.compress_type} is not one Excel "
                       "writes; re-save the workbook in Excel or LibreOffice")
    fh.seek(info.header_offset)
    head = fh.read(_LOCAL.size)
    if len(head) < _LOCAL.size or head[:4] != b"PK\x03\x04":
        raise _Refused(part, "workbook is damaged (bad zip entry header)")
    fields = _LOCAL.unpack(head)
    fh.seek(info.header_offset + _LOCAL.size + fields[9] + fields[10])
    declared = info.file_size
    remaining = info.compress_size
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced = 0
    crc = 0

    def emit(data: bytes) -> bytes:
        nonlocal produced, crc
        produced += len(data)
        if produced > declared:
            raise _Refused(part, "part inflates beyond the size its zip header declares "
                           f"({declared:,} bytes): refused as a zip bomb")
        crc = zlib.crc32(data, crc)
        return data

    try:
        while remaining > 0:
            raw = fh.read(min(READ_CHUNK, remaining))
            if not raw:
                raise _Refused(part, "workbook is truncated (zip entry ends early)")
            remaining -= len(raw)
            if inflate is None:
                yield emit(raw)
                continue
            data = inflate.decompress(raw, OUT_CHUNK)
            while True:
                if data:
                    yield emit(data)
                if not inflate.unconsumed_tail:
                    break
                data = inflate.decompress(inflate.unconsumed_tail, OUT_CHUNK)
        if inflate is not None:
            tail = inflate.flush()
            if tail:
                yield emit(tail)
            if not inflate.eof:
                raise _Refused(part, "workbook is damaged (compressed part ends early)")
    except zlib.error as exc:
        raise _Refused(part, f"workbook is damaged (part does not inflate: {exc})") from None
    if produced != declared:
        raise _Refused(part, f"workbook is damaged (part holds {produced:,} bytes, its "
                       f"header says {declared:,})")
    if crc != info.CRC:
        raise _Refused(part, "workbook is damaged (CRC check failed)")


def _pieces(chunks: Iterable[bytes], sep: bytes) -> Iterator[bytes]:
    """Regroup chunks so that no piece ends inside a tag: cut after the last ``sep``/``>``."""
    carry = b""
    for chunk in chunks:
        buf = carry + chunk if carry else chunk
        cut = buf.rfind(sep)
        cut = cut + len(sep) if cut >= 0 else buf.rfind(b">") + 1
        if cut <= 0 and len(buf) < MAX_CARRY:
            carry = buf
            continue
        if cut <= 0:
            cut = len(buf)
        yield buf[:cut]
        carry = buf[cut:]
    if carry:
        yield carry


def _read_part(fh: BinaryIO, info: zipfile.ZipInfo, limit: int = 64 << 20) -> bytes:
    """A small part in full (workbook.xml and its rels), through the checked inflater."""
    if info.file_size > limit:
        raise _Refused(info.filename, f"part is implausibly large ({info.file_size:,} bytes)")
    return b"".join(_part_chunks(fh, info))


_DIM = re.compile(rb'<(?:[\w.-]+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
# Fast path: a "canonical" sheet (every <c>/<row> tag starts with r="...", no namespace
# prefixes on them) is bounded by a few cheap scans. Anything else takes the exact path.
_ODD_CELL = re.compile(rb'<c(?! r=")[\s/>]')  # two literal-prefixed scans beat one
_ODD_ROW = re.compile(rb'<row(?! r=")[\s/>]')
_PREFIXED = re.compile(rb":(?:c|row|f)[\s/>]")
_ROW_TAG = re.compile(rb'<row r="(\d{1,12})"')
# Exact path: any spacing and quoting calamine accepts, any letter case.
_ANY_REF = re.compile(rb"""r\s*=\s*["']([A-Za-z]*)(\d+)""")
_RLESS_CELL = re.compile(rb"<(?:[\w.-]+:)?c(?=[\s/>])(?![^>]*\sr\s*=)")
_RLESS_ROW = re.compile(rb"<(?:[\w.-]+:)?row(?=[\s/>])(?![^>]*\sr\s*=)")
_ROW_START = re.compile(rb"<(?:[\w.-]+:)?row(?=[\s/>])")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c(\s[^>]*)?(?<!/)>(.*?)</(?:[\w.-]+:)?c>", re.S)
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]+\d+)""")
# a formula ('</f>' or '<f .../>') then, at most, an empty cached value, then the cell ends
_F_BARE = re.compile(rb"(?:</f>|<f\s[^>]*/>|<f/>)\s*(?:<v\s*/>|<v(?:\s[^>]*)?>\s*</v>)?\s*</c>")
_ERROR_CELL = re.compile(rb"""<(?:[\w.-]+:)?c(\s[^>]*?\st\s*=\s*["']e["'][^>]*)(?<!/)>""")
_V_TEXT = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>([^<]*)<")
_HAS_F = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
_CACHED_V = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>[^<]")
_ABSURD = 1 << 40


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.decode().upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _max_col(letters: Iterable[bytes]) -> int:
    """Largest column number among column letters (any case); absurd when > 6 letters."""
    uniq = set(letters)
    if not uniq:
        return 0
    if max(len(x) for x in uniq) > 6:
        return _ABSURD
    return max(_col_index(x) for x in uniq)


def _max_row(digits: list[bytes]) -> int:
    """Largest row number among digit strings (vectorised); absurd when > 12 digits."""
    if not digits:
        return 0
    if max(map(len, digits)) > 12:  # leading zeros, or a number beyond any sheet
        digits = [d.lstrip(b"0") or b"0" for d in digits]
        if max(map(len, digits)) > 12:
            return _ABSURD
    return int(np.array(digits, dtype="S12").astype(np.int64).max())


def _above_number(n: int) -> bytes:
    """Regex for a whole decimal number greater than ``n`` (leading zeros count as longer)."""
    digits = str(n)
    alts = [rb"\d{%d,}" % (len(digits) + 1)]
    for i, ch in enumerate(digits):
        if ch != "9":
            rest = len(digits) - i - 1
            alts.append(digits[:i].encode() + b"[%d-9]" % (int(ch) + 1)
                        + (rb"\d{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(alts) + rb")(?!\d)"


def _above_letters(letters: str) -> bytes:
    """Regex for column letters (any case) after ``letters`` (upper case) in Excel order.

    Explicit character classes (no inline flags) keep the per-match cost low; the caller
    makes sure a non-letter follows.
    """
    def either(ch: str) -> bytes:
        return b"[" + ch.encode() + ch.lower().encode() + b"]"

    alts = [b"[A-Za-z]{%d,}" % (len(letters) + 1)]
    for i, ch in enumerate(letters):
        if ch != "Z":
            nxt = chr(ord(ch) + 1)
            rest = len(letters) - i - 1
            alts.append(b"".join(either(c) for c in letters[:i])
                        + b"[%s-Z%s-z]" % (nxt.encode(), nxt.lower().encode())
                        + (b"[A-Za-z]{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(alts) + b")"


@functools.lru_cache(maxsize=512)
def _beyond(col: int, digits: int, lead: int) -> re.Pattern[bytes]:
    """References past column ``col`` -> (letters, ''), or, within it, past the rows with
    ``digits`` digits led by ``lead`` -> ('', row digits). Built to be cheap per match."""
    letters = column_letter(col - 1)
    width = len(letters)
    rows = [rb"\d{%d,}" % (digits + 1)]
    if lead < 9:
        rows.append(b"[%d-9]" % (lead + 1) + (rb"\d{%d}" % (digits - 1) if digits > 1 else b""))
    return re.compile(rb' r="(?:(' + _above_letters(letters) + rb")\d|[A-Za-z]{1,%d}(" % width
                      + b"|".join(rows) + rb")(?!\d))")


class _SheetScan:
    """Upper bounds of the cell grid calamine will allocate, and formula cells.

    Accumulated piece by piece (pieces end at a tag boundary). ``rows``/``cols`` bound
    the grid from above; the bound is exact where it matters (near the caps).
    """

    def __init__(self, strict: bool = True) -> None:
        self.strict = strict  # refuse a part that is not UTF-8
        self.rows = 0
        self.cols = 0
        self.first = True
        self.dimension: tuple[int, int, str] | None = None
        self.findings: list[tuple[str, str, str]] = []  # (rule, cell, value) per odd cell
        self.n_findings = 0
        self.refusal = ""  # why the part is refused outright ("" = not refused)
        self._open_row = 0  # cells without 'r' in the row the previous piece ended in

    def feed(self, piece: bytes) -> None:
        if self.first:
            self.first = False
            m = _DIM.search(piece)
            if m and m.group(3):
                cols = _col_index(m.group(3)) - _col_index(m.group(1)) + 1
                rows = int(m.group(4)) - int(m.group(2)) + 1
                self.dimension = (rows, cols, m.group(0).decode(errors="replace"))
        if b"!" in piece and DTD_DECL.search(piece):  # memchr first: '!' is rare in XML
            self.refusal = DTD_RULE
            return
        if self.strict and b"\x00" in piece:
            self.refusal = ("XML part is not UTF-8 (UTF-16 or binary data); Excel writes "
                            "UTF-8: re-save the workbook; refused")
            return
        odd = _ODD_CELL.search(piece) or _ODD_ROW.search(piece)
        prefixed = _PREFIXED.search(piece) is not None
        if odd is None and not prefixed:
            rows, cols = self._fast_bounds(piece)
            if rows * cols > MAX_CELLS or rows > EXCEL_MAX_ROWS:
                rows, cols = self._exact_bounds(piece)
        else:
            rows, cols = self._exact_bounds(piece)
        self.rows = max(self.rows, rows)
        self.cols = max(self.cols, cols)
        if prefixed or b"<f" in piece:
            self._formulas(piece, prefixed)
        if prefixed or odd is not None or b't="e"' in piece:
            self._errors(piece)

    @staticmethod
    def _fast_bounds(piece: bytes) -> tuple[int, int]:
        """Bounds of a canonical piece from one C-speed scan and few Python objects.

        Guess the extent -- rows below the next leading digit of the last ``<row r>``
        (317321 -> 399999), columns up to the widest reference in the first 64 KB -- and
        parse only the references beyond the guess, which one cached regex finds.
        """
        last = _ROW_TAG.match(piece, max(piece.rfind(b'<row r="'), 0))
        top = int(last.group(1)) if last else 0
        digits = len(str(top))
        lead = top // 10 ** (digits - 1)
        guess_col = max(_max_col(re.findall(rb' r="([A-Za-z]+)\d', piece[:65536])), 1)
        beyond = _beyond(guess_col, digits, lead).findall(piece)
        rows = max((lead + 1) * 10 ** (digits - 1) - 1, _max_row([d for _, d in beyond if d]))
        return rows, max(guess_col, _max_col(x for x, _ in beyond if x))

    def _exact_bounds(self, piece: bytes) -> tuple[int, int]:
        """Bounds from every r attribute, plus cells and rows placed by order (no r).

        calamine places a cell without ``r`` after the previous one in its row, and a row
        without ``r`` after the previous row, so those add at most their count.
        """
        refs = _ANY_REF.findall(piece)
        cols = _max_col(x[0] for x in refs if x[0])
        # a row without 'r' comes after the previous row, which may be in an earlier piece
        top = max(self.rows, _max_row([x[1] for x in refs]))
        rows = top + len(_RLESS_ROW.findall(piece))
        if _RLESS_CELL.search(piece) or self._open_row:
            segments = _ROW_START.split(piece)
            counts = [len(_RLESS_CELL.findall(s)) for s in segments]
            counts[0] += self._open_row
            self._open_row = counts[-1]
            cols += max(counts)
        return rows, cols

    def _keep(self, found: list[tuple[int, bytes, str, bytes]]) -> None:
        for _pos, ref, rule, value in sorted(set(found)):
            self.n_findings += 1
            if len(self.findings) < MAX_CELLS_KEPT:
                self.findings.append((rule, ref.decode(errors="replace").upper(),
                                      value.decode(errors="replace")))

    def _formulas(self, piece: bytes, prefixed: bool) -> None:
        """Cells holding a formula and no cached value, in sheet order."""
        found: list[tuple[int, bytes, str, bytes]] = []
        for m in _F_BARE.finditer(piece):  # a formula followed by the cell's end
            start = piece.rfind(b"<c", 0, m.start())
            ref = _CELL_REF.search(piece, max(start, 0), m.start())
            found.append((m.start(), ref.group(1) if ref else b"", FORMULA_RULE, b""))
        if prefixed:  # namespace-prefixed tags: slow general form
            for m in _CELL.finditer(piece):
                body = m.group(2)
                if _HAS_F.search(body) and not _CACHED_V.search(body):
                    ref = _CELL_REF.search(m.group(1) or b"")
                    found.append((m.start(), ref.group(1) if ref else b"", FORMULA_RULE,
                                  b""))
        self._keep(found)

    def _errors(self, piece: bytes) -> None:
        """Cells of type 'e' (#N/A, #REF!, #DIV/0! ...), with the error shown."""
        found: list[tuple[int, bytes, str, bytes]] = []
        for m in _ERROR_CELL.finditer(piece):
            ref = _CELL_REF.search(m.group(1))
            end = piece.find(b"</c", m.end())
            value = _V_TEXT.search(piece, m.end(), end if end >= 0 else len(piece))
            found.append((m.start(), ref.group(1) if ref else b"", ERROR_RULE,
                          value.group(1)[:40] if value else b""))
        self._keep(found)


def _extent_issue(file: str, sheet: str, part: str, scan: _SheetScan) -> Issue | None:
    if scan.dimension is not None:
        rows, cols, tag = scan.dimension
        if cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
            return Issue(file, sheet, "", f"{rows} rows x {cols} columns",
                         f"sheet part {part} claims absurd dimensions ({tag}; limit "
                         f"{MAX_COLUMNS} columns, {MAX_CELLS:,} cells); refused")
    rows, cols = scan.rows, scan.cols
    if cols > MAX_COLUMNS or rows > EXCEL_MAX_ROWS or rows * cols > MAX_CELLS:
        shown_rows = f"{rows:,}" if rows < _ABSURD else "beyond any sheet"
        shown_cols = f"{cols:,}" if cols < _ABSURD else "beyond any sheet"
        return Issue(file, sheet, "", f"{shown_rows} rows x {shown_cols} columns",
                     f"sheet part {part} has cells far outside any table (absurd "
                     f"dimensions; limit {MAX_COLUMNS} columns, {EXCEL_MAX_ROWS:,} rows, "
                     f"{MAX_CELLS:,} cells); refused before reading (delete the stray "
                     "cells far from the table)")
    return None


Findings = dict[str, list[tuple[str, str, str]]]  # sheet -> [(rule, cell, value)]


def _ole2_kind(path: Path) -> str:
    """What an OLE2 (compound file) document is, from the stream names it declares."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
    except OSError:
        head = b""
    if "EncryptedPackage".encode("utf-16-le") in head:
        return ("file is a password-protected (encrypted) workbook; remove the password "
                "(File > Info > Protect Workbook) and save it as .xlsx")
    if any(s.encode("utf-16-le") + b"\x00\x00" in head for s in ("Workbook", "Book")):
        return "file is an old .xls workbook (OLE2), not .xlsx; save it as .xlsx"
    return ("file is an OLE2 document: a password-protected (encrypted) workbook or an old "
            ".xls; save it unprotected as .xlsx")


def _zip_checks(path: Path) -> tuple[list[Issue], Findings]:
    """Container checks, before calamine parses anything: (fatal issues, odd cells by sheet).

    Odd cells (formulas without a cached value, Excel error values) do not stop the sheet
    being read; they are reported with every other problem once the sheet's columns are
    known (see :func:`_cell_findings`). Every part is scanned here, in container order;
    :func:`_read_xlsx` defers the worksheet parts to :class:`_SheetScans` instead.
    """
    problems, findings, _ = _container_checks(path, defer_sheets=False)
    return problems, findings


def _container_checks(path: Path, defer_sheets: bool
                      ) -> tuple[list[Issue], Findings, list[tuple[zipfile.ZipInfo, str]]]:
    """:func:`_zip_checks`; with ``defer_sheets`` the worksheet parts are not scanned but
    returned as (part, sheet name) to scan before calamine reads each sheet."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        return [Issue(name, "", "", "", f"cannot read file: {exc.strerror}")], {}, []
    if size == 0:
        return [Issue(name, "", "", "", "file is empty (0 bytes)")], {}, []
    if size > MAX_FILE_BYTES:
        return [Issue(name, "", "", f"{size / 2**20:.0f} MB",
                      f"file is larger than the {MAX_FILE_BYTES // 2**20} MB limit "
                      "(set FTA_COMPARE_MAX_FILE_MB to raise it, or use Parquet/CSV)")], {}, []
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return [Issue(name, "", "", "", f"cannot read file: {exc.strerror}")], {}, []
    if head == OLE2_MAGIC:
        return [Issue(name, "", "", "", _ole2_kind(path))], {}, []
    if not head.startswith(b"PK"):
        kind = "text (CSV?)" if all(32 <= b < 127 or b in (9, 10, 13) for b in head) else "not"
        return [Issue(name, "", "", "", f"file is not an .xlsx workbook (content is {kind} "
                      "a zip container); rename a CSV to .csv or save as .xlsx")], {}, []
    later: list[tuple[zipfile.ZipInfo, str]] | None = [] if defer_sheets else None
    try:
        with zipfile.ZipFile(path) as zf, path.open("rb") as fh:
            fatal, cells = _scan_container(name, zf, fh, later)
    except Exception as exc:  # any failure of a hostile container is an issue
        return [_container_failure(name, exc)], {}, []
    return fatal, cells, later or []


def _container_failure(name: str, exc: Exception) -> Issue:
    """The issue for an exception raised while scanning a workbook's container."""
    if isinstance(exc, _Refused):
        return Issue(name, "", "", exc.part, exc.reason)
    if isinstance(exc, (zipfile.BadZipFile, zipfile.LargeZipFile)):
        return Issue(name, "", "", "", f"workbook is damaged or truncated ({exc})")
    return Issue(name, "", "", "", "workbook is damaged or truncated (zip container "
                 f"unreadable: {type(exc).__name__}: {exc})")


def _scan_container(name: str, zf: zipfile.ZipFile, fh: BinaryIO,
                    later: list[tuple[zipfile.ZipInfo, str]] | None = None,
                    ) -> tuple[list[Issue], Findings]:
    """Scan every XML part in container order; worksheet parts go to ``later`` instead
    when it is given (scanned by :class:`_SheetScans` while calamine reads)."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return [Issue(name, "", "", f"{total / 2**20:.0f} MB uncompressed",
                      "workbook expands beyond the uncompressed size limit "
                      f"({MAX_UNCOMPRESSED_BYTES // 2**20} MB): refused as a zip bomb")], {}
    for info in infos:
        if info.file_size > 2**20 and (info.compress_size == 0 or
                                       info.file_size / info.compress_size
                                       > MAX_COMPRESSION_RATIO):
            ratio = info.file_size / max(info.compress_size, 1)
            return [Issue(name, "", "", info.filename,
                          f"part compresses {ratio:.0f}:1, far beyond any real workbook: "
                          "refused as a zip bomb")], {}
    by_name = {i.filename: i for i in infos}
    if "EncryptedPackage" in by_name:
        return [Issue(name, "", "", "", "workbook is encrypted; save it without a "
                      "password")], {}
    if "xl/workbook.xml" not in by_name:
        return [Issue(name, "", "", "", "zip file is not an Excel workbook "
                      "(no xl/workbook.xml)")], {}
    rels = by_name.get("xl/_rels/workbook.xml.rels")
    sheets = _sheet_part_names(_read_part(fh, by_name["xl/workbook.xml"]),
                               _read_part(fh, rels) if rels is not None else b"")
    fatal: list[Issue] = []
    cells: Findings = {}
    for info in infos:
        if not info.filename.lower().endswith(XML_SUFFIXES):
            continue
        sheet = sheets.get(info.filename, "")
        if sheet and later is not None:
            later.append((info, sheet))
            continue
        problem, found = _scan_part(name, fh, info, sheet)
        if problem is not None:
            fatal.append(problem)
        if found:
            cells[sheet] = found
    return fatal, cells


def _scan_part(name: str, fh: BinaryIO, info: zipfile.ZipInfo, sheet: str
               ) -> tuple[Issue | None, list[tuple[str, str, str]]]:
    """One XML part: (fatal issue or None, odd cells of a worksheet)."""
    part = info.filename
    # every XML part gets the grid bounds (calamine resolves sheet paths itself);
    # parts calamine never reads may be in another encoding
    scan = _SheetScan(strict=not part.startswith(("docProps/", "customXml/")))
    for piece in _pieces(_part_chunks(fh, info), b"</c>"):
        scan.feed(piece)
        if scan.refusal:
            return Issue(name, sheet, "", part, scan.refusal), []
    found: list[tuple[str, str, str]] = []
    if sheet and scan.findings:
        found = list(scan.findings)
        if scan.n_findings > len(scan.findings):
            found.append(("", "", f"{scan.n_findings - len(scan.findings)}"))
    return _extent_issue(name, sheet, part, scan), found


class _SheetScans:
    """The worksheet parts' safety scans, run in one background thread in workbook order.

    calamine parses a sheet without holding the GIL, so the scan of the next sheets runs
    while it parses the current one; :meth:`wait` blocks until a sheet's own scan is done,
    so calamine never reads a part that has not passed. Parts are scanned smallest first
    (:meth:`order`), so the first wait is short. Use as a context manager.
    """

    def __init__(self, path: Path, parts: list[tuple[zipfile.ZipInfo, str]]) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor

        self.path, self.parts = path, parts
        self._rank = {sheet: k for k, (_, sheet) in enumerate(
            sorted(parts, key=lambda p: p[0].file_size))}  # smallest part first
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-scan")
        self._fh = path.open("rb")
        self._by_sheet: dict[str, Future[tuple[Issue | None, list[tuple[str, str, str]]]]] = {
            sheet: self._pool.submit(_scan_part, path.name, self._fh, info, sheet)
            for info, sheet in sorted(parts, key=lambda p: p[0].file_size)}

    def order(self, sheet: str) -> int:
        """Position of a sheet's scan in the queue (sheets without a scan here: first)."""
        return self._rank.get(sheet, -1)

    def __enter__(self) -> _SheetScans:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._fh.close()

    def wait(self, sheet: str) -> tuple[Issue | None, list[tuple[str, str, str]]]:
        """(fatal issue or None, odd cells) of a sheet; (None, []) if it has no scan here."""
        fut = self._by_sheet.get(sheet)
        if fut is None:
            return None, []
        try:
            return fut.result()
        except Exception as exc:  # a damaged or hostile part
            return _container_failure(self.path.name, exc), []

    def fatal(self) -> list[Issue]:
        """Fatal issues of every worksheet part (waits for all scans), in workbook order."""
        return [i for i in (self.wait(s)[0] for _, s in self.parts) if i is not None]


def _is_panic(exc: BaseException) -> bool:
    """A Rust panic inside python-calamine (pyo3's PanicException is a BaseException)."""
    return type(exc).__name__ == "PanicException"


def _read_xlsx(path: Path, result: ReadResult) -> None:
    """Read a workbook once every part has passed the container checks.

    The non-sheet parts are scanned first (calamine reads them on opening); each worksheet
    part is scanned by :class:`_SheetScans` before calamine reads that sheet, overlapping
    the parse of the previous one. The sheets go to a scratch result that joins
    ``result`` only if no part of the workbook is refused, as with a scan done up front.
    """
    name = path.name
    problems, _, later = _container_checks(path, defer_sheets=True)  # sheets: in `later`
    if problems:
        result.issues.extend(problems)
        result.unreadable.add(name)
        return
    local = ReadResult()
    with _SheetScans(path, later) as scans:
        try:
            _read_xlsx_sheets(path, local, scans)
        except Exception as exc:  # a parser failure on user data is an issue
            _unreadable(local, name, f"cannot read workbook: {type(exc).__name__}: {exc}")
        except BaseException as exc:
            if not _is_panic(exc):
                raise
            _unreadable(local, name, f"cannot read workbook (the xlsx parser failed: {exc})")
        fatal = scans.fatal()
    if fatal:
        result.issues.extend(fatal)
        result.unreadable.add(name)
        return
    result.issues.extend(local.issues)
    result.unreadable |= local.unreadable
    result.failed_tables |= local.failed_tables
    for table, df in local.tables.items():
        _append(result, table, df)


def _read_xlsx_sheets(path: Path, result: ReadResult, scans: _SheetScans) -> None:
    """Every contract sheet of the workbook into ``result``, in workbook order.

    Sheets are parsed smallest part first, the order :class:`_SheetScans` scans them, so
    calamine starts on sheets already cleared while the large ones are still scanned; each
    sheet's rows and issues are kept apart and joined in workbook order at the end.
    """
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    name = path.name
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # CalamineError, XmlError, ZipError, ...
        _unreadable(result, name, f"cannot open workbook: {exc}")
        return
    try:
        per_sheet: list[ReadResult] = []
        to_read: list[tuple[int, str, str]] = []  # (position, sheet, table)
        for k, meta in enumerate(wb.sheets_metadata):
            sheet = meta.name
            table = _table_name(sheet)
            part = ReadResult()
            per_sheet.append(part)
            if table in INFO_SHEETS:
                continue  # a sheet for people (the template's README): not data
            if table not in SHEETS:
                part.issues.append(Issue(name, sheet, "", "", "unknown sheet ignored "
                                         f"(contract sheets: {', '.join(SHEETS)})", "warning"))
            elif meta.visible != SheetVisibleEnum.Visible:
                part.issues.append(Issue(name, sheet, "", "", "sheet is hidden; contract "
                                         "sheets must be visible so reviewers see what is "
                                         "used (unhide it or delete it)"))
                part.failed_tables.add(table)
            else:
                to_read.append((k, sheet, table))
        for k, sheet, table in sorted(to_read, key=lambda x: scans.order(x[1])):
            refused, found = scans.wait(sheet)
            if refused is not None:  # the workbook is refused as a whole (see _read_xlsx)
                return
            _read_one_sheet(wb, name, sheet, table, per_sheet[k], found)
        for part in per_sheet:  # workbook order
            result.issues.extend(part.issues)
            result.failed_tables |= part.failed_tables
            for table, df in part.tables.items():
                _append(result, table, df)
    finally:
        wb.close()


def _read_one_sheet(wb: object, name: str, sheet: str, table: str, result: ReadResult,
                    found: list[tuple[str, str, str]]) -> None:
    """One cleared sheet: calamine's rows -> a table with cell locations, plus its issues."""
    try:
        ws = wb.get_sheet_by_name(sheet)  # type: ignore[attr-defined]
        if ws.width > MAX_COLUMNS or ws.width * ws.height > MAX_CELLS:
            result.issues.append(Issue(name, sheet, "", f"{ws.height}x{ws.width}",
                                       "sheet has absurd dimensions; refused"))
            result.failed_tables.add(table)
            return
        rows = ws.to_python(skip_empty_area=False)
        merged = ws.merged_cell_ranges or []
    except Exception as exc:  # calamine raises several types
        result.issues.append(Issue(name, sheet, "", "", f"cannot read sheet: {exc}"))
        result.failed_tables.add(table)
        return
    for (r0, c0), (r1, c1) in merged:
        result.issues.append(Issue(
            name, sheet, f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}",
            "", "merged cells are not allowed in data sheets (unmerge and fill "
            "every cell)"))
    df = _add_sheet_rows(rows, name, sheet, table, result)
    if df is not None:
        result.issues.extend(_cell_findings(name, sheet, table, df, found))


_REF_PARTS = re.compile(r"([A-Z]+)(\d+)")


def _cell_findings(file: str, sheet: str, table: str, df: pd.DataFrame,
                   found: list[tuple[str, str, str]]) -> list[Issue]:
    """Odd cells (formula without value, Excel error) that lie in a contract column."""
    if not found:
        return []
    letters = df.attrs.get("letters", {}).get((file, sheet), {})
    wanted = {letter for col, letter in letters.items()
              if col in {c.name for c in SHEETS[table].columns}}
    issues: list[Issue] = []
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for rule, cell, value in found:
        if not rule:  # the scan kept only the first findings of a huge sheet
            issues.append(Issue(file, sheet, "", "", f"... and {value} more cell(s) with a "
                                "formula and no value, or an Excel error"))
            continue
        m = _REF_PARTS.fullmatch(cell)
        if m is not None and m.group(1) not in wanted:
            continue
        if shown.get(rule, 0) >= MAX_CELLS_LISTED:
            hidden[rule] = hidden.get(rule, 0) + 1
            continue
        shown[rule] = shown.get(rule, 0) + 1
        issues.append(Issue(file, sheet, cell, value, rule))
    issues.extend(Issue(file, sheet, "", "", f"... and {n} more cell(s): {rule}")
                  for rule, n in hidden.items())
    return issues


def _add_sheet_rows(
    rows: list[list[object]], file: str, sheet: str, table: str, result: ReadResult
) -> pd.DataFrame | None:
    start = next((i for i, r in enumerate(rows) if any(not _is_blank(v) for v in r)), None)
    if start is None:
        result.issues.append(Issue(file, sheet, "", "", "sheet is empty (no header row)",
                                   "warning"))
        return None
    df = _frame(rows[start:], file, sheet, header_row=start + 1, first_data_row=start + 2,
                issues=result.issues)
    _append(result, table, df)
    return df


def _append(result: ReadResult, table: str, df: pd.DataFrame) -> None:
    """Add a sheet's rows to a table; ``trade_1``, ``trade_2`` join, a repeated name is an error."""
    old = result.tables.get(table)
    if old is None:
        result.tables[table] = df
        return
    seen = {normalise_name(s) for (_f, s) in old.attrs.get("letters", {})}
    for f, s in df.attrs["letters"]:
        if normalise_name(s) in seen:
            result.issues.append(Issue(f, s, "", "", f"sheet '{s}' is given in more than one "
                                       "input; each sheet may appear once (split a large "
                                       f"table as '{table}_1', '{table}_2')"))
            return
    merged = pd.concat([old, df], ignore_index=True, sort=False)
    merged.attrs["letters"] = {**old.attrs.get("letters", {}), **df.attrs["letters"]}
    merged.attrs["header_row"] = {**old.attrs.get("header_row", {}), **df.attrs["header_row"]}
    result.tables[table] = merged


_ATTR = r"""\s%s\s*=\s*["']([^"']*)["']"""


def _attr(tag: bytes, name: str) -> str | None:
    m = re.search((_ATTR % name).encode(), tag)
    return m.group(1).decode(errors="replace") if m else None


def _sheet_part_names(wb: bytes, rels: bytes) -> dict[str, str]:
    """Map worksheet part path -> sheet name, from workbook.xml and its rels (regex only)."""
    targets: dict[str, str] = {}
    for m in re.finditer(rb"<(?:[\w.-]+:)?Relationship\s[^>]*>", rels):
        rid, target = _attr(m.group(0), "Id"), _attr(m.group(0), "Target")
        if rid and target:
            targets[rid] = target
    out: dict[str, str] = {}
    for m in re.finditer(rb"<(?:[\w.-]+:)?sheet\s[^>]*>", wb):
        tag = m.group(0)
        nm, rid = _attr(tag, "name"), _attr(tag, r"[\w.-]+:id")
        target = targets.get(rid or "", "")
        if nm is None or not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[_normpath(part)] = _unescape(nm)
    return out


def _normpath(part: str) -> str:
    """'xl/worksheets/../worksheets/sheet1.xml' -> 'xl/worksheets/sheet1.xml'."""
    out: list[str] = []
    for seg in part.split("/"):
        if seg == "..":
            if out:
                out.pop()
        elif seg not in ("", "."):
            out.append(seg)
    return "/".join(out)


def _unescape(s: str) -> str:
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _unreadable(result: ReadResult, file: str, rule: str, value: str = "") -> None:
    result.issues.append(Issue(file, "", "", value, rule))
    result.unreadable.add(file)


def _read_csv(path: Path, result: ReadResult) -> None:
    name = path.name
    table = _table_name(path.stem)
    if table not in SHEETS:
        _unreadable(result, name, "CSV/Parquet file name must be a contract table name "
                    f"(e.g. trade.csv); got '{path.stem}'")
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        _unreadable(result, name, f"cannot read file: {exc.strerror}")
        return
    if not head:
        _unreadable(result, name, "file is empty (0 bytes)")
        return
    if head.startswith(b"PK") or head == OLE2_MAGIC:
        _unreadable(result, name, "file is an Excel workbook, not CSV text; name it .xlsx "
                    "(or save the sheet as CSV UTF-8)")
        return
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, header=None,
                          encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        _unreadable(result, name, "file is empty (no header row)")
        return
    except UnicodeDecodeError:
        _unreadable(result, name, "CSV is not UTF-8 text; save it as 'CSV UTF-8'")
        return
    except Exception as exc:  # ParserError, OSError, csv.Error, ...
        _unreadable(result, name, f"cannot parse CSV: {exc}")
        return
    rows = raw.to_numpy(dtype=object).tolist()
    _add_sheet_rows(rows, name, path.stem, table, result)


def _read_parquet(path: Path, result: ReadResult) -> None:
    name = path.name
    table = _table_name(path.stem)
    if table not in SHEETS:
        _unreadable(result, name, "CSV/Parquet file name must be a contract table name "
                    f"(e.g. trade.parquet); got '{path.stem}'")
        return
    try:
        import pyarrow.parquet as pq

        arrow = pq.read_table(path)
        df = arrow.to_pandas()
    except Exception as exc:  # pyarrow raises many types for damaged files
        _unreadable(result, name, f"cannot read Parquet: {exc}")
        return
    for column in arrow.schema:  # list/struct cells: shown as text, reported by validation
        if pa.types.is_nested(column.type) and column.name in df.columns:
            df[column.name] = df[column.name].map(
                lambda v: None if v is None else str(v.tolist() if hasattr(v, "tolist") else v))
    header = [str(c) for c in df.columns]
    names = _header_names(list(header), name, path.stem, 1, result.issues)
    keep = [i for i, n in enumerate(names) if n]
    df = df.iloc[:, keep]
    df.columns = [names[i] for i in keep]
    df = df.reset_index(drop=True)
    df[FILE_COL] = name
    df[SHEET_COL] = path.stem
    df[ROW_COL] = range(2, 2 + len(df))
    df.attrs["letters"] = {(name, path.stem): {names[i]: column_letter(i) for i in keep}}
    df.attrs["header_row"] = {(name, path.stem): 1}
    _append(result, table, df)


def read_inputs(paths: Sequence[Path | str] | Iterable[Path | str]) -> ReadResult:
    """Read every contract table from the given files (xlsx, csv, parquet).

    Never raises for a user's file: every problem is an :class:`Issue` naming the file.
    """
    result = ReadResult()
    for p in paths:
        path = Path(p)
        result.files.append(str(path))
        name = path.name
        try:
            if not path.exists():
                _unreadable(result, name, "file not found", str(path))
                continue
            if path.is_dir():
                _unreadable(result, name, "is a folder, not a file", str(path))
                continue
            suffix = path.suffix.lower()
            if suffix in (".xlsx", ".xlsm"):
                _read_xlsx(path, result)
            elif suffix == ".csv":
                _read_csv(path, result)
            elif suffix in (".parquet", ".pq"):
                _read_parquet(path, result)
            elif suffix == ".xls":
                _unreadable(result, name, "old .xls format is not read; save the workbook "
                            "as .xlsx")
            else:
                _unreadable(result, name, "unsupported file type (use .xlsx, .csv or "
                            ".parquet)", suffix)
        except (OSError, ValueError) as exc:  # e.g. a name the OS refuses, a vanished file
            _unreadable(result, name, f"cannot read file: {exc}")
    return result
