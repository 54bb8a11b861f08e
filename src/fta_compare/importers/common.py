"""Shared parts of the importers: results, issues, cell conversion, replacing groups."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fta_compare.errors import InputError, Issue

if TYPE_CHECKING:
    from fta_compare.importers.sources import _Source

EXCEL_MAX_ROWS = 1_048_576
MAX_LISTED = 20  # issues listed per (file, column, rule); the rest are counted
HS_REVISIONS = ("HS1992", "HS1996", "HS2002", "HS2007", "HS2012", "HS2017", "HS2022")
NOMEN_CODES = {"H0": "HS1992", "H1": "HS1996", "H2": "HS2002", "H3": "HS2007",
               "H4": "HS2012", "H5": "HS2017", "H6": "HS2022"}
NES = "<nes>"  # a 'not elsewhere specified' aggregate: goes to ROW
WORLD = "<world>"  # partner 'World' (000): MFN rows

# contract sheet -> the columns whose groups an import replaces as a whole
REPLACE_BY: dict[str, tuple[str, ...]] = {
    "trade": ("importer", "exporter"),
    "mfn": ("importer",),
    "preferences": ("agreement", "importer"),
    "duties": ("measure",),
    "utilisation": ("agreement", "importer"),
}
CODE_KINDS = ("code", "code_star")
KEY_KINDS = {"importer": "code", "exporter": "code", "country": "code", "hs": "hs"}
BLANK_WORDS = frozenset({"", "na", "n/a", "nan", "..", "-", "none", "null"})



# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: the file, the sheets changed, row counts and notes."""

    out: Path
    sheets: tuple[str, ...]
    added: int  # rows written from the download
    removed: int  # base rows replaced
    groups: tuple[str, ...]  # replaced groups, e.g. 'KOR<-JPN' or 'KOR'
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        shown = ", ".join(self.groups[:12]) + (", ..." if len(self.groups) > 12 else "")
        return (f"wrote {self.out}: {'/'.join(self.sheets)}: {self.added:,} rows imported, "
                f"{self.removed:,} base rows replaced ({len(self.groups)} groups: {shown})")


class _Issues:
    """Issues of one import, listing at most ``MAX_LISTED`` rows per column and rule."""

    def __init__(self) -> None:
        self.items: list[Issue] = []
        self._hidden: dict[tuple[str, str, str], int] = {}
        self._shown: dict[tuple[str, str, str], int] = {}

    def add(self, issue: Issue) -> None:
        self.items.append(issue)

    def rows(self, src: _Source, column: str, mask: np.ndarray, values: pd.Series | np.ndarray,
             rule: str, rows: np.ndarray | None = None) -> None:
        """One issue per flagged row (cell = column letter + row number)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        key = (src.name, column, rule)
        rownums = (rows if rows is not None else src.rownums())[mask]
        vals = np.asarray(values, dtype=object)[mask]
        room = MAX_LISTED - self._shown.get(key, 0)
        letter = src.letters.get(column, "")
        for r, v in zip(rownums[:max(room, 0)], vals[:max(room, 0)], strict=True):
            self.items.append(Issue(src.name, src.sheet, f"{letter}{int(r)}", str(v),
                                    f"column '{column}': {rule}"))
        self._shown[key] = self._shown.get(key, 0) + min(max(room, 0), len(rownums))
        extra = len(rownums) - max(room, 0)
        if extra > 0:
            self._hidden[key] = self._hidden.get(key, 0) + extra

    def raise_if_errors(self) -> None:
        for (name, column, rule), n in self._hidden.items():
            self.items.append(Issue(name, "", "", "", f"... and {n:,} more row(s): column "
                                    f"'{column}': {rule}"))
        self._hidden.clear()
        if any(i.severity == "error" for i in self.items):
            raise InputError(list(self.items))


def _fail(file: str, rule: str, value: str = "", sheet: str = "", cell: str = "") -> InputError:
    return InputError([Issue(file, sheet, cell, value, rule)])



# --------------------------------------------------------------------------- cells


def _text(v: object) -> str:
    """A cell as trimmed text: integral floats without '.0', dates as ISO, blanks ''."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def _strs(s: pd.Series) -> pd.Series:
    """Trimmed text of every cell (object dtype)."""
    if s.dtype == object:
        if pd.api.types.infer_dtype(s, skipna=False) == "string":  # all str: vectorised
            return s.str.strip().astype(object)
        return s.map(_text).astype(object)
    return s.astype(str).str.strip().astype(object)


def _numbers(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Numbers, a mask of blank cells and a mask of non-blank cells that are not numbers."""
    t = _strs(s)
    blank = t.str.lower().isin(BLANK_WORDS).to_numpy()
    num = pd.to_numeric(t.str.replace(r"[\s\u00a0]", "", regex=True).where(~blank),
                        errors="coerce").astype(float)
    bad = ~blank & (num.isna().to_numpy() | ~np.isfinite(num.to_numpy()))
    return num, blank, bad


def _hs(s: pd.Series, width: int | None = None, star: bool = False) -> tuple[pd.Series,
                                                                              np.ndarray]:
    """HS codes as text with leading zeros restored; and a mask of bad codes.

    ``width``: pad every code to that many digits (BACI: 6); else a code with an odd
    number of digits gets one leading zero back ('10121' -> '010121', '1' -> '01').
    """
    t = _strs(s).str.replace(r"\.0+$", "", regex=True)
    ok = t.str.fullmatch(r"\d{1,6}").fillna(False).to_numpy(dtype=bool)
    if width:
        fixed = t.where(~ok, t.str.zfill(width))
    else:
        odd = ok & (t.str.len().to_numpy() % 2 == 1)
        fixed = t.where(~odd, "0" + t)
    if star:
        ok |= t.eq("*").to_numpy()
    return fixed, ~ok


def revision(text: object) -> str | None:
    """'HS22', 'hs2022', 'H6', '22' -> 'HS2022'; None if not an HS revision."""
    s = re.sub(r"[\s_\-]", "", _text(text)).upper()
    if s in NOMEN_CODES:
        return NOMEN_CODES[s]
    m = re.fullmatch(r"(?:HS)?(\d{2}|\d{4})", s)
    if not m:
        return None
    y = int(m.group(1))
    if y < 100:
        y += 1900 if y >= 88 else 2000
    name = f"HS{y}"
    return name if name in HS_REVISIONS else None



def listing(items: Sequence[str], n: int = MAX_LISTED) -> str:
    """'A, B, C' or 'A, B, ... (N in all)' for long lists."""
    if not items:
        return "none"
    return ", ".join(items[:n]) + (f", ... ({len(items):,} in all)" if len(items) > n else "")


def _norm(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


# --------------------------------------------------------------------------- replacing


def _key(df: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    parts = []
    for c in cols:
        s = _strs(df[c]) if c in df.columns else pd.Series("", index=df.index, dtype=object)
        kind = KEY_KINDS.get(c, "text")
        if kind in CODE_KINDS:
            s = s.str.upper()
        elif kind == "hs":
            s = _hs(s)[0]
        parts.append(s.astype(str))
    out = parts[0]
    for p in parts[1:]:
        out = out + "\x1f" + p
    return out


def _replace(old: pd.DataFrame | None, new: pd.DataFrame, by: Sequence[str],
             keep: pd.Series | None = None) -> tuple[pd.DataFrame, int, list[str]]:
    """Base rows whose ``by`` group occurs in ``new`` dropped, ``new`` appended.

    ``keep``: optional mask of old rows kept although their group is replaced.
    Returns the table, the number of base rows removed and the replaced groups.
    """
    groups = sorted(set(_key(new, by)))
    shown = [g.replace("\x1f", "<-" if tuple(by) == ("importer", "exporter") else "/")
             for g in groups]
    if old is None or old.empty:
        return new.reset_index(drop=True), 0, shown
    drop = _key(old, by).isin(groups).to_numpy()
    if keep is not None:
        drop = drop & ~keep.to_numpy(dtype=bool)
    cols = list(old.columns) + [c for c in new.columns if c not in old.columns]
    kept = old.loc[~drop].reindex(columns=cols, fill_value="")
    added = new.reindex(columns=cols, fill_value="")
    return pd.concat([kept, added], ignore_index=True), int(drop.sum()), shown

