"""The workbook's zip container deflated by zlib-ng instead of the system's zlib.

XlsxWriter zips a workbook's XML parts one after the other when the workbook is closed,
at zlib's default level 6: on the default run about 100 MB of XML, 0.87 s of one core at
the very end of the run, while little else is left to do. zlib-ng (``zlib_ng.zlib_ng``, the
`python-zlib-ng <https://github.com/pycompression/python-zlib-ng>`_ bindings) writes the
same raw deflate streams, which every zip reader reads; at :data:`DEFLATE_LEVEL` it takes
0.34 s for a container of the same size (13.5 MB; measured on the default workbook).

XlsxWriter has no option for its compressor: :class:`Workbook` gives it, while it stores
the workbook, a :class:`zipfile.ZipFile` whose deflated entries are written by zlib-ng.
"""

from __future__ import annotations

import threading
import zipfile
from typing import IO, Any

import xlsxwriter
from xlsxwriter import workbook as _xlsxwriter_workbook
from zlib_ng import zlib_ng

DEFLATE_LEVEL = 4  # zlib-ng level 4: the size of zlib's level 6 here, 2.6x faster

_STORE_LOCK = threading.Lock()  # one workbook at a time swaps XlsxWriter's ZipFile


class ZlibNgZipFile(zipfile.ZipFile):
    """A :class:`zipfile.ZipFile` whose deflated entries are compressed by zlib-ng.

    The entry writer is made by the standard library and only its compressor is replaced,
    before anything is written to it; should a later Python name it otherwise, the entry
    keeps the standard compressor (same format, slower)."""

    def _open_to_write(self, zinfo: zipfile.ZipInfo, force_zip64: bool = False) -> IO[bytes]:
        dest = super()._open_to_write(zinfo, force_zip64)  # type: ignore[misc]
        if zinfo.compress_type == zipfile.ZIP_DEFLATED and hasattr(dest, "_compressor"):
            dest._compressor = zlib_ng.compressobj(DEFLATE_LEVEL, zlib_ng.DEFLATED, -15)
        return dest


class Workbook(xlsxwriter.Workbook):
    """An XlsxWriter workbook whose container is deflated by zlib-ng (:class:`ZlibNgZipFile`).

    XlsxWriter makes its ``ZipFile`` by the name in its own module: the name points to
    :class:`ZlibNgZipFile` while this workbook is stored, under a lock."""

    def _store_workbook(self) -> None:
        with _STORE_LOCK:
            standard: Any = _xlsxwriter_workbook.ZipFile
            _xlsxwriter_workbook.ZipFile = ZlibNgZipFile  # type: ignore[misc]
            try:
                super()._store_workbook()
            finally:
                _xlsxwriter_workbook.ZipFile = standard
