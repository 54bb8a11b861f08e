"""The schedule sheets matched to the trade cells: MFN, preferences, duties, applied rows.

Each sheet is encoded once (:func:`fta_compare.scenarios.rules.encode_rules`); per
agreement, duty measure or scenario only integer selections and matches follow. The rules
each class applies are those of :mod:`fta_compare.scenarios.compiler` (its docstring).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fta_compare.inputs.hs import WILDCARD
from fta_compare.inputs.tables import InputTables
from fta_compare.scenarios.definitions import Definitions, partner_matrix
from fta_compare.scenarios.rules import Cells, Rules, encode_rules, match, match_cells


def _labels(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, stripped text of the distinct values) of a text column."""
    codes, uniq = pd.factorize(col, use_na_sentinel=False)
    text = np.array(["" if u is None or (isinstance(u, float) and u != u) or u is pd.NA
                     else str(u).strip() for u in uniq], dtype=object)
    return codes.astype(np.int64), text


def _code_of(text: np.ndarray, name: str) -> int:
    hit = np.flatnonzero(text == name)
    return int(hit[0]) if hit.size else -1


# --------------------------------------------------------------------------- MFN


def mfn_rates(tables: InputTables, cells: Cells, regions: Mapping[str, tuple[str, ...]]
              ) -> tuple[np.ndarray, np.ndarray]:
    """MFN rate per cell and whether one was found (domestic cells: 0, found).

    The ``mfn`` row of the importer with the longest HS prefix of the cell's code; rows of
    a region importer apply to its members unless a member has its own row.
    """
    rate = np.zeros(cells.n)
    found = cells.domestic.copy()
    mfn = tables.mfn
    if mfn is None or mfn.empty:
        return rate, found
    rules = encode_rules(mfn, cells, regions, exporter=None).by_priority()
    todo = np.flatnonzero(~cells.domestic)
    nh = len(cells.hs_uniq)
    upair, inv = np.unique(cells.ci[todo] * nh + cells.hi[todo], return_inverse=True)
    ui, uh = upair // nh, upair % nh
    pos = match(cells, ui, np.zeros_like(ui), uh, rules)
    ok = pos >= 0
    values = mfn["rate"].to_numpy(dtype=float)[rules.row[np.maximum(pos, 0)]]
    rate[todo] = np.where(ok, values, 0.0)[inv]
    found[todo] = ok[inv]
    return rate, found


# --------------------------------------------------------------------------- preferences


@dataclass
class AgreementRates:
    """Preference lines of one agreement matched to the cells it covers."""

    pos: np.ndarray  # cell positions covered by a line
    line: np.ndarray  # line index per covered cell
    util: np.ndarray  # utilisation share per covered cell
    step_line: np.ndarray  # staging steps sorted by (line, year)
    step_year: np.ndarray
    step_rate: np.ndarray
    n_lines: int

    def rate_at(self, year: int | None) -> np.ndarray:
        """Scheduled preferential rate per covered cell in ``year`` (NaN before step 1)."""
        lr = np.full(self.n_lines, np.nan)
        if year is not None and self.n_lines:
            idx = np.flatnonzero(self.step_year <= year)
            if idx.size:
                ln = self.step_line[idx]
                last = idx[np.r_[ln[1:] != ln[:-1], True]]
                lr[self.step_line[last]] = self.step_rate[last]
        return lr[self.line]


class Preferences:
    """Each agreement's preference lines and utilisation shares, matched to the cells on
    first use (the sheets are encoded once)."""

    def __init__(self, tables: InputTables, cells: Cells, defs: Definitions) -> None:
        self.cells = cells
        self.defs = defs
        pr = tables.preferences
        self.pref = pr if pr is not None and not pr.empty else None
        if self.pref is not None:
            if "exporter" not in self.pref.columns:
                self.pref = self.pref.assign(exporter="")
            self.rules = encode_rules(self.pref, cells, defs.regions,
                                      blank_exporter=WILDCARD)
            self.ag_code, self.ag_text = _labels(self.pref["agreement"])
            of_rule = self.ag_code[self.rules.row]
            order = np.argsort(of_rule, kind="stable")
            starts = np.searchsorted(of_rule[order], np.arange(len(self.ag_text) + 1))
            self.by_agreement = {k: order[starts[k]:starts[k + 1]]
                                 for k in range(len(self.ag_text))}
            self.year = pd.to_numeric(self.pref["year"], errors="coerce").to_numpy(
                dtype=float)
            self.rate = self.pref["rate"].to_numpy(dtype=float)
        ut = tables.utilisation
        self.util = ut if ut is not None and not ut.empty else None
        if self.util is not None:
            self.u_rules = encode_rules(self.util, cells, defs.regions)
            self.u_code, self.u_text = _labels(self.util["agreement"])
            self.u_share = self.util["share"].to_numpy(dtype=float)
        self._cache: dict[str, AgreementRates | None] = {}

    def get(self, agreement: str) -> AgreementRates | None:
        if agreement not in self._cache:
            self._cache[agreement] = self._build(agreement)
        return self._cache[agreement]

    def _build(self, agreement: str) -> AgreementRates | None:
        cells = self.cells
        ag = self.defs.agreements.get(agreement)
        if self.pref is None or ag is None:
            return None
        code = _code_of(self.ag_text, agreement)
        if code < 0:
            return None
        party = ag.party_codes(cells.countries)
        member = party >= 0
        r = self.rules.take(self.by_agreement[code])  # this agreement's rules, order kept
        sel = (r.imp >= 0) & member[np.maximum(r.imp, 0)]
        sel &= (r.exp == -1) | ((r.exp >= 0) & member[np.maximum(r.exp, 0)])
        rules = r.take(np.flatnonzero(sel))
        if not len(rules):
            return None
        # a line (importer, exporter, hs) keeps only its steps of the best rank: a member's
        # own rows beat its region's rows; rules in ascending priority for the matcher
        rules = rules.by_priority()
        kid = _line_ids(rules, len(cells.countries))
        best = np.full(int(kid.max()) + 1, np.iinfo(np.int64).min)
        np.maximum.at(best, kid, rules.rank)
        keep = np.flatnonzero(rules.rank == best[kid])
        rules = rules.take(keep)
        line_of = pd.factorize(kid[keep])[0]
        n_lines = int(line_of.max()) + 1
        first = np.unique(line_of, return_index=True)[1]  # head row of line k, ascending
        sub = cells.pair_cells(partner_matrix(party))  # cells between different parties
        m = match(cells, cells.ci[sub], cells.ce[sub], cells.hi[sub], rules.take(first))
        covered = m >= 0
        pos, line = sub[covered], m[covered]
        year = np.nan_to_num(self.year[rules.row], nan=-np.inf)
        # per (line, year) the step of the last sheet row (later rows win), by line and year
        by_row = np.argsort(rules.row, kind="stable")
        o = by_row[np.lexsort((np.arange(len(by_row)), year[by_row], line_of[by_row]))]
        last = np.r_[(line_of[o][1:] != line_of[o][:-1]) | (year[o][1:] != year[o][:-1]),
                     True]
        steps = o[last]
        return AgreementRates(
            pos=pos, line=line, util=self._utilisation(agreement, pos),
            step_line=line_of[steps].astype(np.int64), step_year=year[steps],
            step_rate=self.rate[rules.row[steps]], n_lines=n_lines,
        )

    def _utilisation(self, agreement: str, pos: np.ndarray) -> np.ndarray:
        """Share u per covered cell: rows of this agreement first, then ``*`` rows."""
        u = np.ones(len(pos))
        if self.util is None or not len(pos):
            return u
        cells = self.cells
        todo = np.arange(len(pos))
        for name in (agreement, WILDCARD):
            code = _code_of(self.u_text, name)
            if code < 0 or not todo.size:
                continue
            rules = self.u_rules.take(np.flatnonzero(self.u_code[self.u_rules.row] == code))
            rules = rules.by_priority()
            p = pos[todo]
            m = match(cells, cells.ci[p], cells.ce[p], cells.hi[p], rules)
            hit = m >= 0
            u[todo[hit]] = self.u_share[rules.row[m[hit]]]
            todo = todo[~hit]
        return u


def _line_ids(rules: Rules, n_countries: int) -> np.ndarray:
    """Id of each rule's (importer, exporter, hs) line, in order of first appearance."""
    nc = n_countries + 2
    key = ((rules.imp + 2) * nc + (rules.exp + 2)) * len(rules.hs_text) + rules.hs_code
    return pd.factorize(key)[0]


# --------------------------------------------------------------------------- duties


class Duties:
    """Each duty measure's rows in force on a date, matched to the cells (cached)."""

    def __init__(self, tables: InputTables, cells: Cells, defs: Definitions) -> None:
        self.cells = cells
        du = tables.duties
        self.du = du if du is not None and not du.empty else None
        self.order: list[str] = list(defs.measures)
        if self.du is None:
            return
        rules = encode_rules(self.du, cells, defs.regions)
        self.m_code, self.m_text = _labels(self.du["measure"])
        of_rule = self.m_code[rules.row]
        self.by_measure = {k: rules.take(np.flatnonzero(of_rule == k)).by_priority()
                           for k in range(len(self.m_text))}
        self.start = _days(self.du["start"], -np.inf)
        end = self.du["end"] if "end" in self.du.columns else pd.Series(pd.NaT,
                                                                        index=self.du.index)
        self.end = _days(end, np.inf)
        self.rate = self.du["rate"].to_numpy(dtype=float)
        self.floor = (self.du["mode"].astype(str).str.strip().str.lower() == "floor"
                      ).to_numpy(dtype=bool)
        self._cache: dict[tuple[str, bytes], tuple[np.ndarray, ...] | None] = {}

    def active_rows(self, measure: str, date: pd.Timestamp) -> np.ndarray:
        """Source-row positions of ``measure`` in force on ``date`` (both ends inclusive)."""
        if self.du is None:
            return np.zeros(0, dtype=np.int64)
        d = _day(date)
        code = _code_of(self.m_text, measure)
        return np.flatnonzero((self.m_code == code) & (self.start <= d) & (d <= self.end))

    def match(self, measure: str, date: pd.Timestamp) -> tuple[np.ndarray, ...] | None:
        """(cell positions, duty rate, is-floor) of the cells the measure covers on ``date``."""
        if self.du is None:
            return None
        rows = self.active_rows(measure, date)
        key = (measure, rows.tobytes())
        if key not in self._cache:
            self._cache[key] = self._match_rows(_code_of(self.m_text, measure), rows)
        return self._cache[key]

    def _match_rows(self, code: int, rows: np.ndarray) -> tuple[np.ndarray, ...] | None:
        if not rows.size:
            return None
        cells = self.cells
        on = np.zeros(len(self.du), dtype=bool)
        on[rows] = True
        rules = self.by_measure[code]
        rules = rules.take(np.flatnonzero(on[rules.row]))  # priority order kept
        importers = np.zeros(len(cells.countries), dtype=bool)
        importers[rules.imp[rules.imp >= 0]] = True
        if (rules.imp == -1).any():
            importers[:] = True
        pos, r = match_cells(cells, rules, np.flatnonzero(importers[cells.ci]),
                             domestic=False)
        if not pos.size:
            return None
        src = rules.row[r]
        return pos, self.rate[src], self.floor[src]


def _days(col: pd.Series, fill: float) -> np.ndarray:
    """Dates as float days since the epoch (NaT -> ``fill``)."""
    ts = pd.to_datetime(col)
    out = ts.to_numpy(dtype="datetime64[ns]").astype("int64").astype(float) / 86_400e9
    out[ts.isna().to_numpy()] = fill
    return out


def _day(date: pd.Timestamp) -> float:
    return pd.Timestamp(date).value / 86_400e9


# --------------------------------------------------------------------------- applied rows


class AppliedRows:
    """Rows of the ``applied`` sheet per scenario, encoded once, in ascending priority."""

    def __init__(self, tables: InputTables, cells: Cells, defs: Definitions) -> None:
        ap = tables.applied
        self.cells = cells
        self.names: list[str] = []
        if ap is None or ap.empty:
            return
        self.rate = ap["rate"].to_numpy(dtype=float)
        rules = encode_rules(ap, cells, defs.regions)
        code, text = _labels(ap["scenario"])
        self.names = [str(t) for t in text]
        self.by_scenario = {
            str(name): rules.take(np.flatnonzero(code[rules.row] == k)).by_priority()
            for k, name in enumerate(text)}

    def cover(self, scenario: str) -> tuple[np.ndarray, np.ndarray]:
        """(cell positions, rates) the scenario's rows set."""
        rules = self.by_scenario[scenario]
        pos, r = match_cells(self.cells, rules)
        return pos, self.rate[rules.row[r]]


__all__ = ["AgreementRates", "AppliedRows", "Duties", "Preferences", "Rules", "mfn_rates"]
