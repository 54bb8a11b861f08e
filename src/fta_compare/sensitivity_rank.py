"""An earlier ``fta-compare sensitivity`` workbook's ``rank_first`` table, for a run's summary.

Read only when its manifest shows the same inputs (file names and SHA-256), model,
solution and focus economy as the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_OUT = Path("outputs/sensitivity.xlsx")

INPUT_PREFIX, SHA_PREFIX = "input ", "sha256 "  # manifest rows: "input <file>", "sha256 <hex>"


@dataclass(frozen=True)
class RankFirst:
    """The ``rank_first`` table of an earlier ``fta-compare sensitivity`` workbook.

    table    scenario, share_first, draws_ok (as in :attr:`SensitivityResult.rank_first`).
    """

    table: pd.DataFrame
    draws: int
    seed: int
    model: str
    solution: str
    focus: str
    path: Path
    started: str = ""
    tool_version: str = ""


def load_rank_first(path: Path = DEFAULT_OUT, *, input_sha256: tuple[tuple[str, str], ...],
                    model: str, solution: str, focus: str) -> tuple[RankFirst | None, str]:
    """The ``rank_first`` table of the sensitivity workbook at ``path`` if its manifest
    shows the same inputs (file names and SHA-256, in order, as
    :attr:`RunConfig.input_sha256`), model, solution and focus economy.

    Returns ``(RankFirst, "")``, or ``(None, reason)`` when the file is absent, unreadable
    or computed on anything else. Never raises for a bad file.
    """
    path = Path(path)
    if not path.is_file():
        return None, f"no sensitivity workbook at {path}"
    try:
        items, rows = _read_sheets(path)
    except Exception as exc:  # any unreadable file (zip, XML, cell types) is not usable
        return None, f"{path} cannot be read as a sensitivity workbook ({exc})"
    if items is None or rows is None:
        return None, f"{path} has no manifest or rank_first sheet"
    manifest = dict(items)
    got = (str(manifest.get("model", "")), str(manifest.get("solution", "")))
    if got != (model, solution):
        return None, (f"{path} was computed with model {got[0]} ({got[1]}), "
                      f"not {model} ({solution})")
    if str(manifest.get("focus", "")) != focus:
        return None, f"{path} is for focus economy {manifest.get('focus')}, not {focus}"
    hashes = tuple((k[len(INPUT_PREFIX):], str(v)[len(SHA_PREFIX):]) for k, v in items
                   if k.startswith(INPUT_PREFIX) and str(v).startswith(SHA_PREFIX))
    want = tuple((str(n), str(h)) for n, h in input_sha256)
    if not hashes:
        return None, f"{path} records no input hashes (written by an older version?)"
    if [n for n, _ in hashes] != [n for n, _ in want]:
        return None, (f"{path} was computed on other input files "
                      f"({', '.join(n for n, _ in hashes)})")
    changed = [n for (n, h), (_, w) in zip(hashes, want, strict=True) if h != w]
    if changed:
        return None, f"{path} was computed on other contents of {', '.join(changed)}"
    try:
        table = pd.DataFrame({
            "scenario": [str(r[0]) for r in rows],
            "share_first": [np.nan if r[1] is None else float(r[1]) for r in rows],
            "draws_ok": [int(r[2] or 0) for r in rows],
        })  # fmt: skip
        draws, seed = int(manifest["draws"]), int(manifest["seed"])
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        return None, f"{path} has an unreadable rank_first or manifest sheet ({exc})"
    return RankFirst(table=table, draws=draws, seed=seed, model=model, solution=solution,
                     focus=focus, path=path, started=str(manifest.get("started", "")),
                     tool_version=str(manifest.get("tool_version", ""))), ""


def _read_sheets(path: Path) -> tuple[list[tuple[str, object]] | None, list[tuple] | None]:
    """``manifest`` as (item, setting) pairs and the data rows of ``rank_first`` (None if
    a sheet is missing); read-only, values only."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        names = set(wb.sheetnames)
        manifest = rows = None
        if "manifest" in names:
            manifest = [(str(r[0]), r[1]) for r in wb["manifest"].iter_rows(
                min_row=2, max_col=2, values_only=True) if r and r[0] is not None]
        if "rank_first" in names:
            it = wb["rank_first"].iter_rows(max_col=3, values_only=True)
            head = next(it, None)
            if head is not None and tuple(head) == ("scenario", "share_first", "draws_ok"):
                rows = [r for r in it if r and r[0] is not None]
        return manifest, rows
    finally:
        wb.close()
