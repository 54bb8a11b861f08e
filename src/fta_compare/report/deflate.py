"""The workbook's zip container deflated by zlib-ng, on threads, while XlsxWriter packs it.

XlsxWriter writes a workbook's XML parts when the workbook is closed, then zips them one
after the other at zlib's default level 6: on the default run about 100 MB of XML, 0.87 s
of one core at the very end of the run, while little else is left to do. Here:

* zlib-ng (``zlib_ng.zlib_ng``, the `python-zlib-ng
  <https://github.com/pycompression/python-zlib-ng>`_ bindings) writes the same raw
  deflate streams, which every zip reader reads; at :data:`DEFLATE_LEVEL` it takes 0.35 s
  for a container of the same size (13.5 MB; the default workbook);
* each part is deflated on a thread (zlib-ng releases the GIL) as soon as XlsxWriter has
  written it and moved on to the next, so the parts deflate while the others are still
  being written and two at a time after that; the zip then takes each part's stream as
  it is. A part whose size is not the size deflated (written again after; XlsxWriter
  does not) is deflated again as it is zipped.

XlsxWriter has no option for any of this: :class:`Workbook` gives it, while it stores the
workbook, a packager that hands each finished part to the threads and a
:class:`zipfile.ZipFile` that takes their streams.
"""

from __future__ import annotations

import os
import threading
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, NamedTuple

import xlsxwriter
from xlsxwriter import workbook as _xlsxwriter_workbook
from xlsxwriter.packager import Packager
from zlib_ng import zlib_ng

DEFLATE_LEVEL = 4  # zlib-ng level 4: the size of zlib's level 6 here, 2.5x faster
THREADS = 2  # parts deflated at once

_STORE_LOCK = threading.Lock()  # one workbook at a time swaps XlsxWriter's ZipFile


class Deflated(NamedTuple):
    """One part's raw deflate stream and the size of the data it holds."""

    size: int
    stream: bytes


def deflate(data: bytes) -> bytes:
    """``data`` as a raw deflate stream (zlib-ng, :data:`DEFLATE_LEVEL`)."""
    c = zlib_ng.compressobj(DEFLATE_LEVEL, zlib_ng.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _deflate_file(path: str) -> Deflated:
    data = Path(path).read_bytes()
    return Deflated(len(data), deflate(data))


class _Ready:
    """A compressor stand-in that writes a stream deflated beforehand when the entry is
    closed (the entry writer still counts the data and its CRC as it streams)."""

    def __init__(self, stream: bytes) -> None:
        self._stream = stream

    def compress(self, data: bytes) -> bytes:
        return b""

    def flush(self, *mode: int) -> bytes:
        stream, self._stream = self._stream, b""
        return stream


class ZlibNgZipFile(zipfile.ZipFile):
    """A :class:`zipfile.ZipFile` whose deflated entries are compressed by zlib-ng; a file
    written with :meth:`write` takes its stream from ``deflated`` (file name -> future of a
    :class:`Deflated`) when one is there and the file still has that size.

    The entry writer is made by the standard library and only its compressor is replaced,
    before anything is written to it; should a later Python name it otherwise, the entry
    keeps the standard compressor (same format, slower)."""

    def __init__(self, *args: Any, deflated: dict[str, Future[Deflated]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deflated = {} if deflated is None else deflated
        self._stream: bytes | None = None

    def write(self, filename: Any, arcname: Any = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        job = self._deflated.pop(os.fspath(filename), None)
        self._stream = None
        if job is not None:
            try:
                part = job.result()
                if part.size == os.stat(filename).st_size:
                    self._stream = part.stream
            except Exception:  # deflated again below, as any other entry
                self._stream = None
        try:
            super().write(filename, arcname, compress_type, compresslevel)
        finally:
            self._stream = None

    def _open_to_write(self, zinfo: zipfile.ZipInfo, force_zip64: bool = False) -> IO[bytes]:
        dest = super()._open_to_write(zinfo, force_zip64)  # type: ignore[misc]
        if zinfo.compress_type == zipfile.ZIP_DEFLATED and hasattr(dest, "_compressor"):
            stream, self._stream = self._stream, None
            dest._compressor = (_Ready(stream) if stream is not None else
                                zlib_ng.compressobj(DEFLATE_LEVEL, zlib_ng.DEFLATED, -15))
        return dest


class _Packager(Packager):  # type: ignore[misc]
    """XlsxWriter's packager, handing each part it has finished to ``pool``: a part is
    finished when the next one is started (XlsxWriter writes them one at a time) or when
    the package is complete."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        super().__init__()
        self._pool = pool
        self._writing: str | None = None
        self.deflated: dict[str, Future[Deflated]] = {}

    def _finished(self) -> None:
        if self._writing is not None:
            self.deflated[self._writing] = self._pool.submit(_deflate_file, self._writing)
            self._writing = None

    def _filename(self, xml_filename: str) -> Any:
        self._finished()
        name = super()._filename(xml_filename)
        self._writing = name if isinstance(name, str) else None  # not in memory
        return name

    def _create_package(self) -> Any:
        files = super()._create_package()
        self._finished()
        return files


class Workbook(xlsxwriter.Workbook):
    """An XlsxWriter workbook whose container is deflated by zlib-ng on threads (module
    docstring). XlsxWriter makes its ``ZipFile`` by the name in its own module: the name
    points to :class:`ZlibNgZipFile` while this workbook is stored, under a lock."""

    _packager: _Packager | None = None

    def _get_packager(self) -> Packager:
        return self._packager if self._packager is not None else super()._get_packager()

    def _store_workbook(self) -> None:
        with _STORE_LOCK, ThreadPoolExecutor(THREADS, thread_name_prefix="deflate") as pool:
            packager = self._packager = _Packager(pool)
            standard: Any = _xlsxwriter_workbook.ZipFile

            def zip_file(*args: Any, **kwargs: Any) -> ZlibNgZipFile:
                return ZlibNgZipFile(*args, deflated=packager.deflated, **kwargs)

            _xlsxwriter_workbook.ZipFile = zip_file  # type: ignore[misc]
            try:
                super()._store_workbook()
            finally:
                _xlsxwriter_workbook.ZipFile = standard
                self._packager = None
