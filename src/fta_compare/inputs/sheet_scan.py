"""One worksheet part's XML, scanned in chunks before calamine parses it (no DOM).

:class:`SheetScan` follows the declared dimension and the cells really present (rows,
columns, ``r``-less cells) so that a sheet whose bounding box would exceed the cell caps is
refused before calamine allocates it, and collects formulas without a cached value and
Excel error cells for the reader to report. Used by :mod:`.xlsx_container`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from fta_compare.errors import Issue
from fta_compare.inputs.tables import column_letter

MAX_COLUMNS = 200
MAX_CELLS = 20_000_000  # calamine holds ~32 bytes per cell, Python ~16 more
EXCEL_MAX_ROWS = 1_048_576
MAX_CELLS_KEPT = 10_000  # findings kept per part before filtering by column
FORMULA_RULE = ("formula without a cached value (the file was never recalculated); open and "
                "save it in Excel or LibreOffice, or type the value")
ERROR_RULE = ("cell holds an Excel error value (read as blank); fix the formula or type the "
              "value")


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
_VALUE_TAG = re.compile(rb"<(?:v|is)[\s>]")  # a cell's value (or inline string), unprefixed
# triggers of the slower passes; a literal-prefixed regex finds these about twice as fast
# as ``bytes.__contains__`` in sheet XML, where '<' is everywhere
_F_TAG = re.compile(rb"<f[\s/>]")
_E_ATTR = re.compile(rb't="e"')
_MERGE = re.compile(rb"mergeCell")
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


class SheetScan:
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
        # layout for the reader's fast path (reader_fast): the sheet row (1-based) of the
        # first cell holding a value, 0 while unknown, -1 if the part is not canonical
        self.first_value_row = 0
        self.merged = False  # the part lists merged cells
        self._row_before = 0  # last '<row r>' seen before the first value

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
        if _MERGE.search(piece):
            self.merged = True
        if self.first_value_row == 0:
            self._find_first_value(piece, canonical=odd is None and not prefixed)
        if odd is None and not prefixed:
            rows, cols = self._fast_bounds(piece)
            if rows * cols > MAX_CELLS or rows > EXCEL_MAX_ROWS:
                rows, cols = self._exact_bounds(piece)
        else:
            rows, cols = self._exact_bounds(piece)
        self.rows = max(self.rows, rows)
        self.cols = max(self.cols, cols)
        if prefixed or _F_TAG.search(piece):
            self._formulas(piece, prefixed)
        if prefixed or odd is not None or _E_ATTR.search(piece):
            self._errors(piece)

    def _find_first_value(self, piece: bytes, canonical: bool) -> None:
        """Row of the first cell with a value, if this piece holds it (canonical parts)."""
        if not canonical:
            self.first_value_row = -1
            return
        m = _VALUE_TAG.search(piece)
        end = m.start() if m else len(piece)
        k = piece.rfind(b'<row r="', 0, end)
        if k >= 0:
            row = _ROW_TAG.match(piece, k)
            self._row_before = int(row.group(1)) if row else -1
        if m:
            self.first_value_row = self._row_before if self._row_before > 0 else -1

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


@dataclass(frozen=True)
class SheetLayout:
    """What the reader's fast path needs to know of a worksheet part (:mod:`.reader_fast`)."""

    first_value_row: int  # sheet row (1-based) of the first cell with a value; <= 0 unknown
    merged: bool  # the part lists merged cells


def extent_issue(file: str, sheet: str, part: str, scan: SheetScan) -> Issue | None:
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
