"""Cell checks run once per distinct cell, not once per row.

A 1.5M-row trade table holds a few dozen distinct economy codes and a few thousand HS
codes; a Python check per row would cost seconds where one per distinct cell costs
milliseconds. :class:`Distinct` factorises a column, the check runs on ``uniques`` and
``rows()`` expands its answer back to one value per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import infer_dtype

# infer_dtype kinds where equal values may differ in Python type in a way the checks see:
# True == 1 == 1.0 hash alike, but a boolean cell is not a number.
_MIXED_KINDS = frozenset({"mixed", "mixed-integer"})
NUMERIC_KINDS = frozenset({"floating", "integer", "mixed-integer-float", "empty"})


@dataclass(frozen=True)
class Distinct:
    """Distinct cells of one column (by value and, for mixed columns, by Python type).

    ``uniques`` is an object Series of representative cells; ``codes[i]`` is the
    position of row ``i``'s cell in ``uniques``. None and NaN stay distinct cells.
    """

    uniques: pd.Series
    codes: np.ndarray

    @classmethod
    def of(cls, column: pd.Series | np.ndarray) -> Distinct:
        if isinstance(column, pd.Series) and isinstance(column.dtype, pd.StringDtype):
            codes, uniques = pd.factorize(column, use_na_sentinel=True)  # no Python objects
            return cls._with_na(codes, np.asarray(uniques, dtype=object),
                                np.zeros(int((codes < 0).sum()), dtype=bool))
        values = np.asarray(column, dtype=object)
        if values.size == 0:
            return cls(pd.Series([], dtype=object), np.zeros(0, dtype=np.intp))
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if infer_dtype(values, skipna=True) in _MIXED_KINDS:
            types, _ = pd.factorize(np.frompyfunc(type, 1, 1)(values))
            codes, first = _pair_codes(codes, types)
            uniques = values[first]
        else:
            uniques = np.asarray(uniques, dtype=object)
        na = codes < 0
        is_none = (np.frompyfunc(lambda v: v is None, 1, 1)(values[na]).astype(bool)
                   if na.any() else np.zeros(0, dtype=bool))
        return cls._with_na(codes, uniques, is_none)

    @classmethod
    def _with_na(cls, codes: np.ndarray, uniques: np.ndarray, is_none: np.ndarray
                 ) -> Distinct:
        """Codes -1 (missing) become two more distinct cells: None and NaN."""
        codes = codes.astype(np.intp, copy=False)
        na = codes < 0
        if na.any():
            n = len(uniques)
            codes = codes.copy()
            codes[np.flatnonzero(na)] = np.where(is_none, n, n + 1)
            uniques = np.concatenate([uniques, np.array([None, np.nan], dtype=object)])
        return cls(pd.Series(uniques, dtype=object), codes)

    def rows(self, per_distinct: pd.Series | np.ndarray) -> np.ndarray:
        """One value per row from one value per distinct cell."""
        return np.asarray(per_distinct)[self.codes]

    def strings(self, per_distinct: pd.Series, index: pd.Index) -> pd.Series:
        """A text column (pandas ``str``) from one string per distinct cell, built in Arrow."""
        text = pa.array(np.asarray(per_distinct, dtype=object), type=pa.large_string())
        return pd.Series(text.take(pa.array(self.codes)), dtype="str", index=index)


class Column:
    """One input column; its object values, distinct cells and blanks computed once each."""

    def __init__(self, series: pd.Series) -> None:
        # without the frame's attrs (cell-location maps), which pandas deep-copies per step;
        # a shallow copy keeps the dtype (a new Series of objects would infer text)
        self.series = series.copy(deep=False)
        self.series.attrs = {}

    @cached_property
    def values(self) -> np.ndarray:
        return self.series.to_numpy(dtype=object)

    @cached_property
    def distinct(self) -> Distinct:
        if isinstance(self.series.dtype, pd.StringDtype):
            return Distinct.of(self.series)
        return Distinct.of(self.values)

    @cached_property
    def numeric(self) -> bool:
        """Plain numbers and blanks only (no text, booleans or dates)."""
        dtype = self.series.dtype
        if dtype.kind in "fiu":
            return True
        if isinstance(dtype, pd.StringDtype) or dtype.kind == "b":
            return False
        return infer_dtype(self.values, skipna=True) in NUMERIC_KINDS

    @cached_property
    def blank(self) -> np.ndarray:
        """True where a cell is empty: None, NaN, '' or whitespace (or 'nan'/'None')."""
        if self.numeric:
            return pd.isna(self.values) if self.series.dtype == object else (
                self.series.isna().to_numpy())
        return self.distinct.rows(blank_cells(self.distinct.uniques))


def _pair_codes(values: np.ndarray, types: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the (value, type) pairs and the first row of each; NA values keep -1."""
    na = values < 0
    key = np.where(na, -1, values.astype(np.int64) * (int(types.max()) + 1) + types)
    uniq, first, codes = np.unique(key, return_index=True, return_inverse=True)
    if uniq.size and uniq[0] == -1:  # NA rows: back to -1, drop from the uniques
        codes = codes - 1
        first = first[1:]
    return codes.reshape(-1), first


def blank_cells(values: pd.Series | np.ndarray) -> np.ndarray:
    """True per distinct cell that is empty: None, NaN, '' or whitespace (or 'nan'/'None')."""
    s = pd.Series(np.asarray(values, dtype=object), dtype=object)
    text = s.astype(str).str.strip()
    return (s.isna() | text.isin(["", "nan", "None"])).to_numpy()


def map_rows(column: pd.Series | np.ndarray, fn: object) -> np.ndarray:
    """``fn`` applied once per distinct cell, expanded to one result per row."""
    d = Distinct.of(column)
    return d.rows(d.uniques.map(fn).to_numpy())  # type: ignore[arg-type]


def row_groups(df: pd.DataFrame, columns: list[str], within: np.ndarray | None = None
               ) -> np.ndarray:
    """Group id of each row over ``columns`` (NaN equals NaN), refining ``within`` if given.

    Ids are dense (0..n-1) in order of first appearance; one hash per column, on integers
    after the first, instead of hashing tuples of Python objects.
    """
    ids = np.zeros(len(df), dtype=np.int64) if within is None else within.astype(np.int64)
    for c in columns:
        codes, uniques = pd.factorize(df[c], use_na_sentinel=False)
        ids = pd.factorize(ids * len(uniques) + codes)[0]
    return ids


def first_rows(groups: np.ndarray) -> np.ndarray:
    """True at the first row of each group (``groups`` dense in order of first appearance)."""
    seen = np.maximum.accumulate(np.concatenate([[-1], groups[:-1]])) if len(groups) else groups
    return groups > seen
