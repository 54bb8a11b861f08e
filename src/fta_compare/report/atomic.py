"""Atomic output: write to a temporary file in the target folder, then rename.

An interrupted run (exception, Ctrl-C, SIGTERM, SIGHUP) removes the temporary files and
leaves any previous output untouched; an existing output is replaced only with ``force``.

* Temporary files are ``.fta-tmp-*`` beside their target (same file system, so the final
  rename is atomic), created and removed with the interrupt signals blocked, so a signal
  can never land between creating a file and recording it for cleanup.
* Without ``force`` the final step is a hard link, which fails if the target appeared
  meanwhile (no check-then-rename race); file systems without hard links fall back to a
  check and ``os.replace``.
* :func:`atomic_paths` commits several outputs together (the workbook and its Parquet
  detail): nothing is renamed until every file is complete, and the renames run with the
  signals blocked, so an interrupted run leaves either all new files or all old ones.
* The output gets the permissions of the file it replaces, else the usual ones
  (``0o666 & ~umask``), not the private ``0o600`` of a temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from fta_compare.errors import OutputError

TMP_PREFIX = ".fta-tmp-"
# signals that end a run: turned into KeyboardInterrupt while writing (SIGINT already is)
_STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_NO_LINK = {errno.EPERM, errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EMLINK}


def check_targets(targets: list[Path], force: bool) -> None:
    """Refuse before any work starts: existing outputs without ``force``, missing folders."""
    for t in targets:
        if t.exists() and t.is_dir():
            raise OutputError(f"{t} is a folder, not a file")
        if t.exists() and not force:
            raise OutputError(f"{t} exists; pass --force to replace it (nothing was written)")
        if not t.parent.exists():
            raise OutputError(f"folder {t.parent} does not exist (nothing was written)")


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """SIGTERM/SIGHUP raise KeyboardInterrupt inside the block (main thread only)."""
    previous: dict[signal.Signals, signal.Handlers | Callable[..., object] | int | None] = {}
    try:
        for sig in _STOP_SIGNALS:
            try:
                previous[sig] = signal.signal(sig, _raise_interrupt)
            except (ValueError, OSError):  # not in the main thread: leave handlers alone
                break
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """Defer Ctrl-C and the stop signals during a short critical section (POSIX).

    A signal that arrives meanwhile is delivered, as usual, when the section ends.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    sigs = {signal.SIGINT, *_STOP_SIGNALS}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _fsync(path: Path) -> None:
    """Flush a file (or a folder entry) to disk; best effort."""
    flags = (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _place(tmp: Path, target: Path, force: bool) -> None:
    """Move ``tmp`` onto ``target``; without ``force`` never replace an existing file."""
    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if the target exists: no check-then-rename race
    except FileExistsError:
        raise OutputError(f"{target} appeared while writing; not replaced "
                          "(nothing was written)") from None
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise
        if target.exists():
            raise OutputError(f"{target} appeared while writing; not replaced "
                              "(nothing was written)") from None
        os.replace(tmp, target)
        return
    tmp.unlink()


def _commit(temps: list[Path], targets: list[Path], force: bool) -> None:
    """Rename every finished temporary file onto its target (all or nothing, best effort)."""
    for tmp, target in zip(temps, targets, strict=True):
        if not tmp.exists():
            raise OutputError(f"the writer left no file for {target} (nothing was written)")
        try:
            mode = target.stat().st_mode & 0o7777 if target.exists() else _default_mode()
            os.chmod(tmp, mode)
        except OSError:
            pass
        _fsync(tmp)
    placed: list[Path] = []
    try:
        for tmp, target in zip(temps, targets, strict=True):
            _place(tmp, target, force)
            placed.append(target)
    except BaseException:
        if not force:  # undo the links made before the failure: all or nothing
            for target in placed:
                with contextlib.suppress(OSError):
                    target.unlink()
        raise
    for folder in {t.parent for t in targets}:
        _fsync(folder)


@contextmanager
def atomic_paths(targets: Sequence[Path], force: bool = False) -> Iterator[list[Path]]:
    """Yield temporary paths beside ``targets``; rename all onto them only on success.

    SIGTERM/SIGHUP are turned into KeyboardInterrupt while writing, so cleanup runs; the
    temporary files are removed whatever happens.
    """
    paths = [Path(t) for t in targets]
    check_targets(paths, force)
    temps: list[Path] = []
    with _stop_signals_interrupt():
        try:
            for target in paths:
                with _signals_blocked():
                    fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=target.suffix,
                                                dir=target.parent)
                    os.close(fd)
                    temps.append(Path(name))
            yield list(temps)
            with _signals_blocked():
                _commit(temps, paths, force)
        finally:
            with _signals_blocked():
                for tmp in temps:
                    with contextlib.suppress(OSError):
                        tmp.unlink()


@contextmanager
def atomic_path(target: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename onto it only on success.

    SIGTERM is turned into KeyboardInterrupt while writing, so cleanup runs.
    """
    with atomic_paths([target], force) as (tmp,):
        yield tmp
