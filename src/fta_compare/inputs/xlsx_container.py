"""The xlsx container, checked before any parser sees it (used by :mod:`.reader`).

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
* formulas without a cached value and cells holding an Excel error are found here and
  reported by the reader when they are in a contract column.
"""

from __future__ import annotations

import os
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from fta_compare.errors import Issue
from fta_compare.inputs.sheet_scan import (
    SheetLayout,
    SheetScan,
    extent_issue,
)

MAX_FILE_BYTES = int(os.environ.get("FTA_COMPARE_MAX_FILE_MB", "300")) * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = int(os.environ.get("FTA_COMPARE_MAX_XML_MB", "2048")) * 1024 * 1024
MAX_COMPRESSION_RATIO = 400  # xlsx XML compresses ~10-30x; a bomb 1000x and more
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XML_SUFFIXES = (".xml", ".rels", ".vml")
MAX_CELLS_LISTED = 25  # per (sheet, kind); the rest are counted in one line
READ_CHUNK = 256 << 10  # compressed bytes read at a time
OUT_CHUNK = 1 << 20  # most decompressed bytes produced at a time (bounds memory)
MAX_CARRY = 16 << 20  # an unfinished tag longer than this is processed anyway





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


def zip_checks(path: Path) -> tuple[list[Issue], Findings]:
    """Container checks, before calamine parses anything: (fatal issues, odd cells by sheet).

    Odd cells (formulas without a cached value, Excel error values) do not stop the sheet
    being read; they are reported with every other problem once the sheet's columns are
    known (see :func:`_cell_findings`). Every part is scanned here, in container order;
    :func:`_read_xlsx` defers the worksheet parts to :class:`SheetScans` instead.
    """
    problems, findings, _ = container_checks(path, defer_sheets=False)
    return problems, findings


def container_checks(path: Path, defer_sheets: bool
                      ) -> tuple[list[Issue], Findings, list[tuple[zipfile.ZipInfo, str]]]:
    """:func:`zip_checks`; with ``defer_sheets`` the worksheet parts are not scanned but
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
    when it is given (scanned by :class:`SheetScans` while calamine reads)."""
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
    problem, found, _ = _scan_part_layout(name, fh, info, sheet)
    return problem, found


def _scan_part_layout(name: str, fh: BinaryIO, info: zipfile.ZipInfo, sheet: str
                      ) -> tuple[Issue | None, list[tuple[str, str, str]], SheetLayout | None]:
    """:func:`_scan_part`, plus the part's layout (None when the part is refused)."""
    part = info.filename
    # every XML part gets the grid bounds (calamine resolves sheet paths itself);
    # parts calamine never reads may be in another encoding
    scan = SheetScan(strict=not part.startswith(("docProps/", "customXml/")))
    for piece in _pieces(_part_chunks(fh, info), b"</c>"):
        scan.feed(piece)
        if scan.refusal:
            return Issue(name, sheet, "", part, scan.refusal), [], None
    found: list[tuple[str, str, str]] = []
    if sheet and scan.findings:
        found = list(scan.findings)
        if scan.n_findings > len(scan.findings):
            found.append(("", "", f"{scan.n_findings - len(scan.findings)}"))
    return (extent_issue(name, sheet, part, scan), found,
            SheetLayout(scan.first_value_row, scan.merged))


def _scan_file_part(path: Path, info: zipfile.ZipInfo, sheet: str
                    ) -> tuple[Issue | None, list[tuple[str, str, str]], SheetLayout | None]:
    """:func:`_scan_part_layout` through a file handle of its own."""
    with path.open("rb") as fh:
        return _scan_part_layout(path.name, fh, info, sheet)


class SheetScans:
    """The worksheet parts' safety scans, run on a background thread, largest first.

    calamine parses a sheet without holding the GIL, so scans run while it parses other
    sheets; :meth:`wait` blocks until a sheet's own scan is done, so calamine never reads
    a part that has not passed. The largest part (a long trade sheet) is scanned first,
    so its parse, the longest, can start early (:meth:`order`). One thread: scans hold
    the GIL, and a second one only slowed the first (read of the bundled tables: 3.8 s
    with two, 3.2 s with one). Each scan reads the file through its own handle. Use as a
    context manager.
    """

    THREADS = 1

    def __init__(self, path: Path, parts: list[tuple[zipfile.ZipInfo, str]],
                 done: threading.Event | None = None) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor
        from concurrent.futures import wait as wait_all

        self.path, self.parts = path, parts
        ordered = sorted(parts, key=lambda p: -p[0].file_size)  # largest first
        self._rank = {sheet: k for k, (_, sheet) in enumerate(ordered)}
        self._pool = ThreadPoolExecutor(max_workers=self.THREADS,
                                        thread_name_prefix="xlsx-scan")
        self._by_sheet: dict[str, Future[tuple[Issue | None, list[tuple[str, str, str]],
                                               SheetLayout | None]]] = {
            sheet: self._pool.submit(_scan_file_part, path, info, sheet)
            for info, sheet in ordered}
        if done is not None:  # set once every scan has finished (passed or not)
            jobs = list(self._by_sheet.values())
            self._pool.submit(lambda: (wait_all(jobs), done.set()))

    def order(self, sheet: str) -> int:
        """Position of a sheet's scan in the queue, largest part first (sheets without a
        scan here: first)."""
        return self._rank.get(sheet, -1)

    def __enter__(self) -> SheetScans:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def wait(self, sheet: str) -> tuple[Issue | None, list[tuple[str, str, str]]]:
        """(fatal issue or None, odd cells) of a sheet; (None, []) if it has no scan here."""
        fut = self._by_sheet.get(sheet)
        if fut is None:
            return None, []
        try:
            problem, found, _ = fut.result()
        except Exception as exc:  # a damaged or hostile part
            return _container_failure(self.path.name, exc), []
        return problem, found

    def layout(self, sheet: str) -> SheetLayout | None:
        """The layout of a sheet whose scan passed (see :meth:`wait`); None otherwise."""
        fut = self._by_sheet.get(sheet)
        if fut is None or fut.exception() is not None:
            return None
        problem, _, layout = fut.result()
        return layout if problem is None else None

    def fatal(self) -> list[Issue]:
        """Fatal issues of every worksheet part (waits for all scans), in workbook order."""
        return [i for i in (self.wait(s)[0] for _, s in self.parts) if i is not None]


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
