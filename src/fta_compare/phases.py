"""Phases of a run: timed, and shown on stderr while they run.

A :class:`Phases` records the wall time of each phase (read, validate, compile, depth,
solve, tables, ge, write, ...) for the manifest and the benchmark, and, when enabled,
draws one status line on stderr that is rewritten in place on a terminal (``\\r``) and
printed once per phase otherwise. It never writes to stdout.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Phases:
    """Timer and progress display of the phases of one run.

    ``show``: True draws progress on ``stream`` (default stderr), False never, None only
    when ``stream`` is a terminal.
    """

    def __init__(self, show: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.show = tty if show is None else show
        self.tty = tty
        self.seconds: dict[str, float] = {}
        self.t0 = time.perf_counter()
        self._current = ""
        self._width = 0

    @contextmanager
    def phase(self, name: str, label: str = "") -> Iterator[None]:
        """Time ``name`` (added to earlier time of the same name) and show ``label``."""
        self._current = label or name
        self._draw(f"{self._current} ...")
        t = time.perf_counter()
        try:
            yield
        finally:
            dt = time.perf_counter() - t
            self.seconds[name] = self.seconds.get(name, 0.0) + dt
            self._draw(f"{self._current} done ({dt:.1f} s)", final=not self.tty)

    def step(self, done: int, total: int, what: str = "") -> None:
        """Progress inside the current phase, e.g. scenario 3 of 15."""
        if self.tty:
            self._draw(f"{self._current} {done}/{total} {what}".rstrip())

    def note(self, text: str) -> None:
        """A line that stays (a finding the user should see while the run goes on)."""
        if self.show:
            self._clear()
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.show and self.tty:
            self._clear()

    @property
    def total(self) -> float:
        return time.perf_counter() - self.t0

    def table(self) -> list[tuple[str, float]]:
        """(phase, seconds) in the order the phases first ran."""
        return list(self.seconds.items())

    def _clear(self) -> None:
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0

    def _draw(self, text: str, final: bool = False) -> None:
        if not self.show:
            return
        line = f"[{self.total:6.1f} s] {text}"
        if self.tty:
            pad = max(0, self._width - len(line))
            self.stream.write("\r" + line + " " * pad)
            self.stream.flush()
            self._width = len(line)
        elif final:
            print(line, file=self.stream, flush=True)

