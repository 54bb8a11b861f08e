"""The largest worksheet parsed in a process of its own while the reader scans it.

The reader parses a sheet only after its safety scan (:mod:`.xlsx_container`) has passed,
so on a large workbook the longest parse (the bundled trade sheet: about 1.3 s) waits for
the longest scan (about 1 s). :class:`EarlyParse` starts that parse at once, in a forked
process, with the reader's fast path (:func:`.reader_fast.load_columns`, header on row 1),
and hands the columns over a pipe (Arrow IPC). The reader takes them only once the scan of
that sheet has passed and shown the layout the parse assumed (header on row 1, nothing
that sends the sheet to the cell-by-cell path); in every other case it parses the sheet
itself, so what it reads and reports never depends on this process.

Parsing before the scan is safe only away from the reader: a hostile sheet (one cell at
``XFD1048576``) makes calamine allocate its whole bounding box, which aborts the process
that asked. Here that process is the child, whose address space is capped
(:data:`SPARE_BYTES` above what it had), so the reader just sees no result. Started only
where ``fork`` is safe and cheap: Linux, from a process running a single thread.
Default run: the read phase took 3.0-3.3 s without it, 2.7-2.8 s with it.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import resource
import signal
import sys
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

MIN_PART_BYTES = 32 << 20  # worksheet XML worth a process (a smaller parse is quick anyway)
SPARE_BYTES = 2 << 30  # address space the child may add: calamine's grid within the caps


class ColumnInfo(NamedTuple):
    """The fields of fastexcel's column information the fast path reads."""

    name: str
    absolute_index: int
    column_name_from: str


def _largest_sheet(path: Path) -> tuple[str, int] | None:
    """(sheet name, uncompressed bytes) of the workbook's largest worksheet part."""
    from fta_compare.inputs.xlsx_container import container_checks

    problems, _, parts = container_checks(path, defer_sheets=True)
    if problems or not parts:
        return None
    info, sheet = max(parts, key=lambda p: p[0].file_size)
    return sheet, info.file_size


def _parse(path: Path, sheet: str, conn: Connection) -> None:
    """In the child: the sheet's columns as the fast path loads them, or None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the reader's to handle
    try:
        # calamine's abort (and a fault handler's trace of it) is not the user's
        # business: the reader reports the sheet itself
        faulthandler.disable()
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        _cap(resource.RLIMIT_CORE, 0)  # an abort leaves no core file of this process
        used = _address_space()
        if used:
            _cap(resource.RLIMIT_AS, used + SPARE_BYTES)
        import pyarrow as pa

        from fta_compare.inputs.reader_fast import load_columns, open_reader

        reader = open_reader(str(path))
        loaded = None if reader is None else load_columns(reader, sheet, 1)
        if loaded is None:
            conn.send(None)
            return
        batch, infos = loaded
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        conn.send([ColumnInfo(i.name, i.absolute_index, i.column_name_from) for i in infos])
        conn.send_bytes(sink.getvalue())
    except BaseException:  # anything at all: the reader parses the sheet itself
        try:
            conn.send(None)
        except OSError:
            pass
    finally:
        conn.close()


def _cap(kind: int, soft: int) -> None:
    """Lower a resource limit of this process to ``soft`` (never above its hard limit)."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(kind, (soft, hard))


def _address_space() -> int:
    """Bytes of address space this process uses (0 where unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class EarlyParse:
    """One worksheet of ``path`` parsed in a forked process; :meth:`columns` hands it over
    once, :meth:`close` (or ``with``) ends the process."""

    def __init__(self, path: Path, sheet: str) -> None:
        self.path, self.sheet = Path(path), sheet
        st = self.path.stat()
        self._stamp = (st.st_size, st.st_mtime_ns)
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_parse, args=(self.path, sheet, child), daemon=True,
                                 name="xlsx-early-parse")
        self._proc.start()
        child.close()
        self._lock = threading.Lock()
        self._taken = False

    def covers(self, path: Path, sheet: str) -> bool:
        return not self._taken and Path(path) == self.path and sheet == self.sheet

    def columns(self) -> tuple[Any, list[ColumnInfo]] | None:
        """(Arrow record batch, column infos) of the sheet, or None (parse it here). Waits
        for the process; the file must be the one it parsed (same size and time)."""
        with self._lock:
            if self._taken:
                return None
            self._taken = True
            try:
                infos = self._conn.recv()
                if infos is None:
                    return None
                data = self._conn.recv_bytes()
            except (EOFError, OSError):  # the process died (a hostile sheet, memory)
                return None
        st = self.path.stat()
        if (st.st_size, st.st_mtime_ns) != self._stamp:
            return None
        import pyarrow as pa

        try:
            return pa.ipc.open_stream(data).read_next_batch(), infos  # the one batch sent
        except (pa.ArrowException, StopIteration):  # cut short: parse the sheet here
            return None

    def close(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()
        self._conn.close()

    def __enter__(self) -> EarlyParse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_early_parse(paths: Sequence[Path | str], min_part_bytes: int = MIN_PART_BYTES
                      ) -> EarlyParse | None:
    """An :class:`EarlyParse` of the largest worksheet of the first workbook among
    ``paths`` when that part has at least ``min_part_bytes`` of XML and ``fork`` is safe
    here (Linux, this process running a single thread); else None. Call it before
    starting threads or other processes' pools."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return None
    books = [Path(p) for p in paths if Path(p).suffix.lower() in (".xlsx", ".xlsm")]
    if not books or not books[0].is_file():
        return None
    try:
        found = _largest_sheet(books[0])
    except OSError:
        return None
    if found is None or found[1] < min_part_bytes:
        return None
    return EarlyParse(books[0], found[0])
