"""Scenario compiler: MFN schedules + agreements + preferences + duties -> applied tariffs.

Produces, for every scenario and every trade cell (importer, exporter, hs), the applied
ad valorem rate and how it was built (DESIGN.md section 2, sheets ``mfn``, ``agreements``,
``preferences``, ``duties``, ``scenarios``, ``utilisation``, ``regions``, ``applied``).

Rules (items marked * are choices made where DESIGN.md is silent):

Scenarios
  - ``baseline`` always exists. Its year is the ``baseline`` row's ``year``, else meta
    ``baseline_year``, else meta ``base_year`` (*), else the year of its date. Its date is the
    row's ``date``, else meta ``baseline_date``, else 31 December of the baseline year (*).
  - Baseline agreements: every agreement with ``in_force`` not blank and <= baseline year,
    plus/minus those listed on a ``baseline`` row. Baseline duty measures: every measure
    with a row in force on the baseline date, plus/minus those listed.
  - Every other scenario = its parent (blank = baseline) plus the agreements and duty
    measures listed; ``-name`` removes an inherited one (* allowed for agreements too, e.g.
    a no-deal counterfactual). ``year`` and ``date`` inherit from the parent when blank.
  - A scenario found only in the ``applied`` sheet is baseline + its applied rows (*).

Applied rate of a cell (importer i, exporter e, product h) in scenario s
  1. MFN: the ``mfn`` row of importer i with the longest HS prefix of h (rows of a region
     importer apply to its members unless a member has its own row). Missing -> 0, with one
     warning Issue giving the count.
  2. Preferences: for every agreement of s where i and e are different parties (regions
     expanded to their members; two members of one listed region are not partners),
     the preference line of importer i (exporter e, or blank = any other member) with the
     longest HS prefix of h; * ties on the HS length go to the line naming the exporter.
     The line's staging step is the last with ``year`` <= the scenario year; before its first
     step the agreement gives no preference (* a finer line that has not started yet is not
     replaced by a coarser started one: the finer row is the schedule of that product).
  3. Utilisation (optional sheet): effective preferential rate = u * pref + (1 - u) * MFN,
     u from the most specific ``utilisation`` row (agreement named before ``*``, then longest
     HS prefix, then exporter named, then importer named); default u = 1. This is the
     expected rate of a shipment when a share u of trade claims the preference.
  4. rate = min(MFN, effective preferential rate of every applicable agreement); the
     ``agreement`` column names the one giving the minimum (first in the agreements sheet
     on ties) and is '' when no preference is below MFN.
  5. Duties: measures of s with rows in force on the scenario date
     (start <= date and (end blank or date <= end), both ends inclusive), applied one
     measure after another in the order of their first row in the ``duties`` sheet (*).
     Within one measure each cell takes its most specific row in force (* longest HS
     prefix, then exporter named over a region over ``*``, then importer named over a
     region; a later row wins a full tie), so a measure can carry exemptions (rate 0 rows)
     and partner-specific rates. ``add``: rate + duty; ``floor``: max(rate, duty).
     ``duty`` = total increase from measures; ``measures`` lists those that raised the rate.
  6. Rows of the ``applied`` sheet for scenario s override the compiled rate (most specific
     row: longest HS prefix, then exporter named over ``*``); ``override`` flags them.
  - * Cells with exporter == importer (domestic / intra-bloc sales) always get rate 0.
  - * Region codes (``regions`` sheet) are expanded to their members wherever a country
    code is; the region code itself still matches cells that use it. A member's own row
    beats a region row at the same HS level.
  - HS rows finer than a cell's code never apply to it (concord the trade sheet first).

Vectorised: each rule table is matched to the cells with one hash lookup per HS prefix
length (:func:`_match`); loops run over scenarios, agreements and duty measures only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fta_compare.errors import InputError, Issue
from fta_compare.inputs.hs import WILDCARD
from fta_compare.inputs.schema import BASELINE
from fta_compare.inputs.tables import FILE_COL, InputTables
from fta_compare.scenarios.validate import (
    REMOVE,
    agreement_parties,
    as_date,
    as_year,
    baseline_row,
    baseline_year_date,
    region_members,
    split_names,
    validate_scenarios,
)

APPLIED_COLUMNS = (
    "scenario", "importer", "exporter", "hs", "rate", "mfn_rate", "preferential_rate",
    "utilisation", "agreement", "duty", "measures", "override",
)
INFO_COLUMNS = (
    "scenario", "parent", "year", "date", "agreements", "duties", "duties_in_force",
    "description", "origin",
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ScenarioSpec:
    """A resolved scenario: the full sets of agreements and duty measures it contains."""

    name: str
    parent: str  # '' for the baseline
    year: int | None  # staging year
    date: pd.Timestamp | None  # date at which duty rows must be in force
    agreements: tuple[str, ...]  # agreements-sheet order
    duties: tuple[str, ...]  # duties-sheet order (= application order)
    description: str = ""
    origin: str = "scenarios"  # 'implicit' | 'scenarios' | 'applied'


@dataclass(frozen=True)
class CompiledScenarios:
    """Applied tariffs of every scenario.

    applied          one row per scenario per trade cell (long), columns
                     ``APPLIED_COLUMNS``: rate (final applied rate), mfn_rate,
                     preferential_rate (scheduled rate of the best agreement, NaN if none),
                     utilisation (u used for it, NaN if none), agreement ('' = MFN),
                     duty (total added by measures), measures (comma list), override
                     (rate set by the ``applied`` sheet). String columns are categoricals.
    scenario_info    one row per scenario: ``INFO_COLUMNS``.
    warnings         non-fatal issues (missing MFN count, agreements not yet staged, ...).
    agreement_parties agreement -> {code: party number}; regions expanded, a region's
                     members share its number (see :func:`partner_mask`).
    """

    applied: pd.DataFrame
    scenario_info: pd.DataFrame
    warnings: list[Issue]
    agreement_parties: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def agreement_members(self) -> dict[str, frozenset[str]]:
        """Agreement -> member codes (regions expanded, region codes kept)."""
        return {a: frozenset(p) for a, p in self.agreement_parties.items()}

    @property
    def scenarios(self) -> list[str]:
        """Scenario names, baseline first."""
        return [str(s) for s in self.scenario_info["scenario"]]

    def rates(self, scenario: str) -> pd.DataFrame:
        """The applied rows of one scenario, in the order of the products given."""
        out = self.applied[self.applied["scenario"] == scenario]
        return out.reset_index(drop=True)


def partner_mask(parties: Mapping[str, int], importer: np.ndarray,
                 exporter: np.ndarray) -> np.ndarray:
    """True where importer and exporter are different parties of one agreement.

    ``parties`` as in :attr:`CompiledScenarios.agreement_parties`: the listed members and
    the members of listed regions (two members of one listed region are not partners).
    """
    codes = pd.Index(list(parties), dtype=object)
    num = np.array([*parties.values(), -1], dtype=np.int64)
    pi = num[codes.get_indexer(np.asarray(importer, dtype=object))]
    pe = num[codes.get_indexer(np.asarray(exporter, dtype=object))]
    return (pi >= 0) & (pe >= 0) & (pi != pe)


# --------------------------------------------------------------------------- scenarios


def _edit(current: list[str], cell: object) -> list[str]:
    """Apply a comma list cell (``name`` adds, ``-name`` removes) to ``current``."""
    out = list(current)
    for item in split_names(cell):
        if item.startswith(REMOVE):
            bare = item[1:].strip()
            out = [x for x in out if x != bare]
        elif item not in out:
            out.append(item)
    return out


def _in_order(items: Iterable[str], order: list[str]) -> tuple[str, ...]:
    rank = {name: i for i, name in enumerate(order)}
    return tuple(sorted(set(items), key=lambda x: (rank.get(x, len(rank)), x)))


def _active_rows(duties: pd.DataFrame, date: pd.Timestamp) -> np.ndarray:
    """Mask of duty rows in force on ``date`` (start and end inclusive, blank end = open)."""
    start = duties["start"]
    end = duties["end"] if "end" in duties.columns else pd.Series(pd.NaT, index=duties.index)
    ok = (start.isna() | (start <= date)) & (end.isna() | (date <= end))
    return ok.to_numpy(dtype=bool)


def resolve_scenarios(tables: InputTables) -> list[ScenarioSpec]:
    """Resolve the parent chains of the scenarios sheet (baseline first, then sheet order).

    Raises :class:`InputError` with every error :func:`validate_scenarios` finds.
    """
    errors = [i for i in validate_scenarios(tables) if i.severity == "error"]
    if errors:
        raise InputError(errors)
    ag = tables.agreements
    ag_order = [str(a) for a in ag["agreement"]] if ag is not None else []
    du = tables.duties
    du_order = [str(m) for m in pd.unique(du["measure"].astype(str))] if du is not None else []
    year, date, _ = baseline_year_date(tables)
    base_ag: list[str] = []
    if ag is not None and year is not None:
        inf = ag["in_force"]
        ok = inf.notna() & (inf.fillna(0).astype("int64") <= year)
        base_ag = [str(a) for a in ag.loc[ok.to_numpy(dtype=bool), "agreement"]]
    base_du: list[str] = []
    if du is not None and date is not None and not du.empty:
        active = _active_rows(du, date)
        base_du = [str(m) for m in pd.unique(du.loc[active, "measure"].astype(str))]
    row = baseline_row(tables)
    desc = "baseline"
    origin = "implicit"
    if row is not None:
        base_ag = _edit(base_ag, row.get("agreements", ""))
        base_du = _edit(base_du, row.get("duties", ""))
        desc = str(row.get("description", "") or "baseline")
        origin = "scenarios"
    specs: dict[str, ScenarioSpec] = {
        BASELINE: ScenarioSpec(BASELINE, "", year, date, _in_order(base_ag, ag_order),
                               _in_order(base_du, du_order), desc, origin)
    }
    sc = tables.scenarios
    rows = [] if sc is None else [r for _, r in sc.iterrows()
                                  if str(r["scenario"]).strip() != BASELINE]
    pending = rows
    while pending:  # parents first; validation guarantees the chains end at the baseline
        left = []
        for r in pending:
            parent = str(r.get("parent", "") or "").strip() or BASELINE
            if parent not in specs:
                left.append(r)
                continue
            p = specs[parent]
            y = as_year(r.get("year"))
            y = p.year if y is None else y
            d = as_date(r.get("date"))
            d = p.date if d is None else d
            name = str(r["scenario"]).strip()
            specs[name] = ScenarioSpec(
                name, parent, y, d,
                _in_order(_edit(list(p.agreements), r.get("agreements", "")), ag_order),
                _in_order(_edit(list(p.duties), r.get("duties", "")), du_order),
                str(r.get("description", "") or ""), "scenarios",
            )
        if len(left) == len(pending):  # pragma: no cover - excluded by validation
            raise InputError([Issue("", "scenarios", "", "", "unresolvable parent chain")])
        pending = left
    order = [BASELINE] + [str(r["scenario"]).strip() for r in rows]
    return [specs[n] for n in order]


# --------------------------------------------------------------------------- cells


class _Cells:
    """The trade cells encoded as integers: country and HS codes factorised once."""

    def __init__(self, products: pd.DataFrame) -> None:
        # normalise the distinct values only, then drop duplicate cells by integer key
        ic, iu = pd.factorize(products["importer"].astype(str))
        ec, eu = pd.factorize(products["exporter"].astype(str))
        hc, hu = pd.factorize(products["hs"].astype(str))
        iu = pd.Series(np.asarray(iu, dtype=object)).str.strip().str.upper()
        eu = pd.Series(np.asarray(eu, dtype=object)).str.strip().str.upper()
        self.countries = pd.Index(pd.unique(pd.concat([iu, eu], ignore_index=True)),
                                  dtype=object)
        ci = self.countries.get_indexer(iu)[ic].astype(np.int64)
        ce = self.countries.get_indexer(eu)[ec].astype(np.int64)
        hsn = pd.Series(np.asarray(hu, dtype=object)).str.strip()
        hmap, huniq = pd.factorize(hsn)
        hi = hmap[hc].astype(np.int64)
        nc, nh = len(self.countries), len(huniq)
        first = ~pd.Index((ci * nc + ce) * nh + hi).duplicated()
        self.ci, self.ce, self.hi = ci[first], ce[first], hi[first]
        self.n = len(self.ci)
        self.hs_uniq = pd.Series(np.asarray(huniq, dtype=object), dtype=object)
        self.domestic = self.ci == self.ce
        self._prefix: dict[int, tuple[np.ndarray, pd.Index]] = {}

    def country_idx(self, codes: pd.Series) -> np.ndarray:
        """Country index of each code; ``*`` -> -1, a code absent from the cells -> -2."""
        c = codes.astype(str).to_numpy(dtype=object)
        idx = self.countries.get_indexer(c).astype(np.int64)
        idx[idx < 0] = -2
        idx[c == WILDCARD] = -1
        return idx

    def prefix(self, length: int) -> tuple[np.ndarray, pd.Index]:
        """Per distinct HS code, the id of its first ``length`` digits (-1 if shorter)."""
        if length not in self._prefix:
            s = self.hs_uniq
            pre = s.str[:length].where(s.str.len() >= length)
            ids, uniq = pd.factorize(pre)
            self._prefix[length] = (ids.astype(np.int64), pd.Index(uniq))
        return self._prefix[length]


def _key(i: np.ndarray | int, e: np.ndarray | int, p: np.ndarray, nc: int, npre: int) -> np.ndarray:
    return ((np.asarray(i) + 1) * nc + (np.asarray(e) + 1)) * npre + p


def _match(
    cells: _Cells, ci: np.ndarray, ce: np.ndarray, hi: np.ndarray,
    r_i: np.ndarray, r_e: np.ndarray, r_hs: pd.Series,
) -> np.ndarray:
    """Position of the best rule for each cell (arrays ``ci``, ``ce``, ``hi``), -1 if none.

    A rule (importer ``r_i``, exporter ``r_e``: country index, -1 = any, -2 = never;
    ``r_hs``: HS prefix or ``*``) matches a cell when its codes equal the cell's (or are
    ``*``) and its HS code prefixes the cell's. Priority: longest HS prefix (``*`` last),
    then exporter named over ``*``, then importer named over ``*``; among rules with the
    same key the later one wins, so callers sort rules by ascending priority.
    One hash lookup per (HS length, wildcard pattern): no loop over cells or rules.
    Generalises :func:`fta_compare.inputs.hs.keyed_prefix_match` (same answers on exact
    keys) to ``*`` keys with a priority order, on integer keys (about 5x faster on
    a million cells than its merge on string keys).
    """
    n = len(ci)
    out = np.full(n, -1, dtype=np.int64)
    if n == 0 or len(r_i) == 0:
        return out
    hs = pd.Series(np.asarray(r_hs, dtype=object), dtype=object).str.strip()
    r_len = np.where(hs == WILDCARD, 0, hs.str.len()).astype(np.int64)
    valid = (r_i >= -1) & (r_e >= -1)
    nc = len(cells.countries) + 1
    for length in sorted(set(r_len[valid].tolist()), reverse=True):
        rows = np.flatnonzero(valid & (r_len == length))
        if length:
            pid_u, pidx = cells.prefix(length)
            c_pid = pid_u[hi]
            r_pid = pidx.get_indexer(hs.to_numpy()[rows]).astype(np.int64)
            npre = len(pidx) + 1
        else:
            c_pid = np.zeros(n, dtype=np.int64)
            r_pid = np.zeros(len(rows), dtype=np.int64)
            npre = 1
        keep = r_pid >= 0
        rows, r_pid = rows[keep], r_pid[keep]
        for e_star in (False, True):
            for i_star in (False, True):
                g = ((r_e[rows] < 0) == e_star) & ((r_i[rows] < 0) == i_star)
                if not g.any():
                    continue
                gr, gp = rows[g], r_pid[g]
                rk = _key(-1 if i_star else r_i[gr], -1 if e_star else r_e[gr], gp, nc, npre)
                last = ~pd.Index(rk).duplicated(keep="last")
                gr, rk = gr[last], rk[last]
                open_ = np.flatnonzero((out < 0) & (c_pid >= 0))
                if open_.size == 0:
                    return out
                ck = _key(-1 if i_star else ci[open_], -1 if e_star else ce[open_],
                          c_pid[open_], nc, npre)
                hit = pd.Index(rk).get_indexer(ck)
                ok = hit >= 0
                out[open_[ok]] = gr[hit[ok]]
    return out


def _expand(
    df: pd.DataFrame, col: str, regions: Mapping[str, tuple[str, ...]],
) -> pd.DataFrame:
    """Rows whose ``col`` is a region, repeated once per member; adds rank ``_r_<col>``.

    Rank 2 = code as written, 1 = reached through a region, 0 = ``*``.
    """
    df = df.copy()
    df[col] = df[col].fillna("").astype(str).str.strip().str.upper()
    rank = f"_r_{col}"
    df[rank] = np.where(df[col] == WILDCARD, 0, 2)
    is_region = df[col].isin(list(regions))
    if not is_region.any():
        return df
    reg = df[is_region.to_numpy()].copy()
    reg[col] = reg[col].map(lambda c: list(regions[c]))
    reg = reg.explode(col).dropna(subset=[col])
    reg[rank] = 1
    return pd.concat([df, reg], ignore_index=True)


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    """Sort rules by ascending priority (ranks, then sheet order): later rows win ties."""
    ranks = [c for c in df.columns if c.startswith("_r_")]
    df = df.assign(_rank=df[ranks].sum(axis=1) if ranks else 0)
    return df.sort_values(["_rank", "_order"], kind="stable").reset_index(drop=True)


def _first_file(df: pd.DataFrame | None) -> str:
    if df is None or df.empty or FILE_COL not in df.columns:
        return ""
    return str(df[FILE_COL].iloc[0])


# --------------------------------------------------------------------------- MFN


def _mfn(tables: InputTables, cells: _Cells,
         regions: Mapping[str, tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """MFN rate per cell and whether one was found (domestic cells: 0, found)."""
    rate = np.zeros(cells.n)
    found = cells.domestic.copy()
    mfn = tables.mfn
    if mfn is None or mfn.empty:
        return rate, found
    rules = _ordered(_expand(mfn.assign(_order=np.arange(len(mfn))), "importer", regions))
    r_i = cells.country_idx(rules["importer"])
    r_e = np.full(len(rules), -1, dtype=np.int64)
    todo = np.flatnonzero(~cells.domestic)
    pair = cells.ci[todo] * len(cells.hs_uniq) + cells.hi[todo]
    upair, inv = np.unique(pair, return_inverse=True)
    ui, uh = upair // len(cells.hs_uniq), upair % len(cells.hs_uniq)
    pos = _match(cells, ui, np.zeros_like(ui), uh, r_i, r_e, rules["hs"])
    ok = pos >= 0
    vals = np.where(ok, rules["rate"].to_numpy(dtype=float)[np.maximum(pos, 0)], 0.0)
    rate[todo] = vals[inv]
    found[todo] = ok[inv]
    return rate, found


# --------------------------------------------------------------------------- preferences


@dataclass
class _AgreementRates:
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


class _Preferences:
    """Lazily matches each agreement's preference lines and utilisation to the cells."""

    def __init__(self, tables: InputTables, cells: _Cells,
                 regions: Mapping[str, tuple[str, ...]],
                 parties: Mapping[str, Mapping[str, int]]) -> None:
        self.cells = cells
        self.regions = regions
        self.parties = parties
        pr = tables.preferences
        if pr is None:
            pr = pd.DataFrame(columns=["agreement", "importer", "hs", "year", "rate"])
        pr = pr.assign(_order=np.arange(len(pr)))
        if "exporter" not in pr.columns:
            pr["exporter"] = ""
        pr["exporter"] = pr["exporter"].fillna("").astype(str).str.strip()
        pr.loc[pr["exporter"] == "", "exporter"] = WILDCARD
        self.pref = pr
        ut = tables.utilisation
        self.util = None if ut is None or ut.empty else ut.assign(_order=np.arange(len(ut)))
        self._cache: dict[str, _AgreementRates | None] = {}

    def get(self, agreement: str) -> _AgreementRates | None:
        if agreement not in self._cache:
            self._cache[agreement] = self._build(agreement)
        return self._cache[agreement]

    def _build(self, agreement: str) -> _AgreementRates | None:
        cells = self.cells
        rows = self.pref[self.pref["agreement"].astype(str) == agreement]
        if rows.empty:
            return None
        parties = self.parties.get(agreement, {})
        party = np.full(len(cells.countries) + 1, -1, dtype=np.int64)
        where = cells.countries.get_indexer(list(parties))
        party[where[where >= 0]] = np.array(list(parties.values()), dtype=np.int64)[where >= 0]
        party = party[:-1]
        member = party >= 0
        rows = _expand(_expand(rows, "importer", self.regions), "exporter", self.regions)
        rows = _ordered(rows)
        r_i = cells.country_idx(rows["importer"])
        r_e = cells.country_idx(rows["exporter"])
        ok = (r_i >= 0) & member[np.maximum(r_i, 0)] & (
            (r_e == -1) | ((r_e >= 0) & member[np.maximum(r_e, 0)]))
        rows = rows[ok].reset_index(drop=True)
        r_i, r_e = r_i[ok], r_e[ok]
        if rows.empty:
            return None
        hs = rows["hs"].astype(str).str.strip()
        # a line keeps only its steps of the best rank (own rows beat region rows)
        hcode, huniq = pd.factorize(hs)
        nc = len(cells.countries) + 2
        kid = pd.factorize(((r_i + 2) * nc + (r_e + 2)) * len(huniq) + hcode)[0]
        rank = rows["_rank"].to_numpy()
        keep = rank == pd.Series(rank).groupby(kid).transform("max").to_numpy()
        rows, r_i, r_e, hs = rows[keep], r_i[keep], r_e[keep], hs[keep]
        line_of = pd.factorize(kid[keep])[0]
        n_lines = int(line_of.max()) + 1
        first = np.unique(line_of, return_index=True)[1]
        pi, pe = party[cells.ci], party[cells.ce]
        sub = np.flatnonzero((pi >= 0) & (pe >= 0) & (pi != pe))
        m = _match(cells, cells.ci[sub], cells.ce[sub], cells.hi[sub],
                   r_i[first], r_e[first], hs.iloc[first].reset_index(drop=True))
        covered = m >= 0
        pos, line = sub[covered], m[covered]
        years = rows["year"].astype("float64").fillna(-np.inf).to_numpy()
        steps = pd.DataFrame({"line": line_of, "year": years,
                              "rate": rows["rate"].to_numpy(dtype=float)})
        steps = steps.drop_duplicates(["line", "year"], keep="last")
        steps = steps.sort_values(["line", "year"], kind="stable")
        return _AgreementRates(
            pos=pos, line=line, util=self._utilisation(agreement, pos),
            step_line=steps["line"].to_numpy(np.int64), step_year=steps["year"].to_numpy(),
            step_rate=steps["rate"].to_numpy(), n_lines=n_lines,
        )

    def _utilisation(self, agreement: str, pos: np.ndarray) -> np.ndarray:
        """Share u per covered cell: rows of this agreement first, then ``*`` rows."""
        u = np.ones(len(pos))
        if self.util is None or not len(pos):
            return u
        cells = self.cells
        name = self.util["agreement"].astype(str).str.strip()
        todo = np.arange(len(pos))
        for pick in (name == agreement, name == WILDCARD):
            rows = self.util[pick.to_numpy()]
            if rows.empty or not todo.size:
                continue
            rows = _ordered(_expand(_expand(rows, "importer", self.regions), "exporter",
                                    self.regions))
            p = pos[todo]
            m = _match(cells, cells.ci[p], cells.ce[p], cells.hi[p],
                       cells.country_idx(rows["importer"]), cells.country_idx(rows["exporter"]),
                       rows["hs"])
            hit = m >= 0
            u[todo[hit]] = rows["share"].to_numpy(dtype=float)[m[hit]]
            todo = todo[~hit]
        return u


# --------------------------------------------------------------------------- duties


class _Duties:
    """Matches each duty measure's rows in force on a date to the cells (cached)."""

    def __init__(self, tables: InputTables, cells: _Cells,
                 regions: Mapping[str, tuple[str, ...]]) -> None:
        self.cells = cells
        self.regions = regions
        du = tables.duties
        self.du = None if du is None or du.empty else du.assign(_order=np.arange(len(du)))
        self.order: list[str] = ([] if self.du is None
                                 else [str(m) for m in pd.unique(self.du["measure"].astype(str))])
        self._cache: dict[tuple[str, tuple[int, ...]], tuple[np.ndarray, ...] | None] = {}

    def active(self, measure: str, date: pd.Timestamp) -> pd.DataFrame:
        """Rows of ``measure`` in force on ``date``."""
        assert self.du is not None
        rows = self.du[self.du["measure"].astype(str) == measure]
        return rows[_active_rows(rows, date)]

    def match(self, measure: str, date: pd.Timestamp) -> tuple[np.ndarray, ...] | None:
        """(cell positions, duty rate, is-floor) of the cells the measure covers on ``date``."""
        if self.du is None:
            return None
        rows = self.active(measure, date)
        key = (measure, tuple(rows["_order"].tolist()))
        if key not in self._cache:
            self._cache[key] = self._match_rows(rows)
        return self._cache[key]

    def _match_rows(self, rows: pd.DataFrame) -> tuple[np.ndarray, ...] | None:
        if rows.empty:
            return None
        cells = self.cells
        rows = _ordered(_expand(_expand(rows, "importer", self.regions), "exporter",
                                self.regions))
        r_i = cells.country_idx(rows["importer"])
        r_e = cells.country_idx(rows["exporter"])
        in_rules = np.zeros(len(cells.countries), dtype=bool)
        in_rules[r_i[r_i >= 0]] = True
        sub = np.flatnonzero(in_rules[cells.ci] & ~cells.domestic)
        m = _match(cells, cells.ci[sub], cells.ce[sub], cells.hi[sub], r_i, r_e, rows["hs"])
        hit = m >= 0
        if not hit.any():
            return None
        mode = rows["mode"].astype(str).str.strip().str.lower().to_numpy()
        r = m[hit]
        return sub[hit], rows["rate"].to_numpy(dtype=float)[r], mode[r] == "floor"


# --------------------------------------------------------------------------- assembly


@dataclass
class _Rates:
    """One scenario's columns: views into the shared output block, aligned with the cells."""

    rate: np.ndarray
    mfn: np.ndarray
    pref: np.ndarray
    util: np.ndarray
    duty: np.ndarray
    agreement: np.ndarray  # index into the agreement list, -1 = none
    measure: np.ndarray  # index into the block's measure labels
    override: np.ndarray


class _Block:
    """Preallocated long output (scenario-major); each scenario writes its slice in place."""

    FLOATS = ("rate", "mfn_rate", "preferential_rate", "utilisation", "duty")

    def __init__(self, n_scenarios: int, n: int) -> None:
        self.n = n
        self.floats = np.empty((len(self.FLOATS), n_scenarios * n))
        self.agreement = np.full(n_scenarios * n, -1, dtype=np.int32)
        self.measure = np.zeros(n_scenarios * n, dtype=np.int32)
        self.override = np.zeros(n_scenarios * n, dtype=bool)
        self.labels: dict[str, int] = {"": 0}

    def view(self, k: int) -> _Rates:
        cut = slice(k * self.n, (k + 1) * self.n)
        f = self.floats[:, cut]
        return _Rates(f[0], f[1], f[2], f[3], f[4], self.agreement[cut], self.measure[cut],
                      self.override[cut])

    def set_measures(self, out: _Rates, codes: np.ndarray, labels: list[str]) -> None:
        lookup = np.array([self.labels.setdefault(lab, len(self.labels)) for lab in labels],
                          dtype=np.int32)
        out.measure[:] = lookup[codes]

    def frame(self, cells: _Cells, names: list[str], agreements: list[str]) -> pd.DataFrame:
        """The long DataFrame (float columns share the block's memory)."""
        s = len(names)
        df = pd.DataFrame(self.floats.T, columns=list(self.FLOATS), copy=False)
        small = _cat(np.zeros(0, dtype=np.int64), cells.countries).codes.dtype
        hs_small = _cat(np.zeros(0, dtype=np.int64), cells.hs_uniq).codes.dtype
        df.insert(0, "scenario", _cat(np.repeat(np.arange(s, dtype=np.int32), self.n), names))
        df.insert(1, "importer", _cat(np.tile(cells.ci.astype(small), s), cells.countries))
        df.insert(2, "exporter", _cat(np.tile(cells.ce.astype(small), s), cells.countries))
        df.insert(3, "hs", _cat(np.tile(cells.hi.astype(hs_small), s), cells.hs_uniq))
        df.insert(8, "agreement", _cat(self.agreement + 1, ["", *agreements]))
        df.insert(10, "measures", _cat(self.measure, list(self.labels)))
        df["override"] = self.override
        return df


def _cat(codes: np.ndarray, cats: Iterable[object]) -> pd.Categorical:
    """Categorical from codes, cast first to the small integer type pandas would pick."""
    cats = pd.Index(list(cats), dtype=object)
    dtype = next(t for t in (np.int8, np.int16, np.int32, np.int64)
                 if len(cats) < np.iinfo(t).max)
    return pd.Categorical.from_codes(codes.astype(dtype, copy=False), categories=cats)


def _combos(flags: list[tuple[str, np.ndarray]], n: int) -> tuple[np.ndarray, list[str]]:
    """Per cell, the comma list of measures flagged at it, as (codes, labels).

    Flags are packed into 64-bit words (bit j = measure j); only the touched cells are
    grouped, so the cost is proportional to the cells a measure raised.
    """
    codes = np.zeros(n, dtype=np.int64)
    if not flags:
        return codes, [""]
    words = np.zeros((-(-len(flags) // 64), n), dtype=np.uint64)
    for j, (_, pos) in enumerate(flags):
        words[j // 64, pos] |= np.uint64(1) << np.uint64(j % 64)
    touched = np.flatnonzero((words != 0).any(axis=0))
    if touched.size == 0:
        return codes, [""]
    sub = words[:, touched].T
    if sub.shape[1] == 1:
        uniq, inv = np.unique(sub[:, 0], return_inverse=True)
        uniq = uniq[:, None]
    else:
        uniq, inv = np.unique(sub, axis=0, return_inverse=True)
    codes[touched] = inv.reshape(-1) + 1
    labels = [""]
    for row in uniq:
        on = [j for j in range(len(flags)) if int(row[j // 64]) >> (j % 64) & 1]
        labels.append(",".join(flags[j][0] for j in on))
    return codes, labels


def _scenario_rates(
    spec: ScenarioSpec, cells: _Cells, mfn: np.ndarray, prefs: _Preferences,
    duties: _Duties, ag_index: Mapping[str, int], block: _Block, out: _Rates,
    warnings: list[Issue],
) -> None:
    """Steps 2-5 of the module rules for one scenario, written into ``out``."""
    eff_best = np.full(cells.n, np.inf)
    out.mfn[:] = mfn
    out.pref[:] = np.nan
    out.util[:] = np.nan
    for a in spec.agreements:
        ar = prefs.get(a)
        if ar is None:
            continue
        raw = ar.rate_at(spec.year)
        ok = ~np.isnan(raw)
        if not ok.any():
            warnings.append(Issue(
                "", "scenarios", "", spec.name,
                f"scenario '{spec.name}': agreement '{a}' has no staging step by year "
                f"{spec.year}, so it grants no preference", "warning"))
            continue
        pos, raw, u = ar.pos[ok], raw[ok], ar.util[ok]
        eff = u * raw + (1.0 - u) * mfn[pos]
        better = eff < eff_best[pos]
        p = pos[better]
        eff_best[p], out.pref[p], out.util[p] = eff[better], raw[better], u[better]
        out.agreement[p] = ag_index[a]
    take = eff_best < mfn
    np.copyto(out.rate, np.where(take, eff_best, mfn))
    out.agreement[~take] = -1
    out.duty[:] = 0.0
    rate = out.rate
    flags: list[tuple[str, np.ndarray]] = []
    if spec.duties and spec.date is None:
        warnings.append(Issue("", "scenarios", "", spec.name,
                              f"scenario '{spec.name}' has no date: its duties are ignored",
                              "warning"))
    elif spec.date is not None:
        chosen = set(spec.duties)
        for m in duties.order:
            if m not in chosen:
                continue
            hit = duties.match(m, spec.date)
            if hit is None:
                continue
            pos, d, floor = hit
            cur = rate[pos]
            new = np.where(floor, np.maximum(cur, d), cur + d)
            added = new - cur
            rate[pos] = new
            out.duty[pos] += added
            flags.append((m, pos[added > 0]))
    rate[cells.domestic] = 0.0
    block.set_measures(out, *_combos(flags, cells.n))


def _applied_rules(tables: InputTables, regions: Mapping[str, tuple[str, ...]],
                   cells: _Cells) -> dict[str, pd.DataFrame]:
    """Rows of the ``applied`` sheet per scenario, expanded and sorted by priority."""
    ap = tables.applied
    if ap is None or ap.empty:
        return {}
    ap = ap.assign(_order=np.arange(len(ap)), scenario=ap["scenario"].astype(str).str.strip())
    ap = _ordered(_expand(_expand(ap, "importer", regions), "exporter", regions))
    ap["_i"] = cells.country_idx(ap["importer"])
    ap["_e"] = cells.country_idx(ap["exporter"])
    order = pd.unique(tables.applied["scenario"].astype(str).str.strip())
    return {str(s): ap[ap["scenario"] == s].reset_index(drop=True) for s in order}


def _override(out: _Rates, rules: pd.DataFrame, cells: _Cells) -> np.ndarray:
    """Set the rate of every non-domestic cell a rule covers; returns the covered mask."""
    sub = np.flatnonzero(~cells.domestic)
    m = _match(cells, cells.ci[sub], cells.ce[sub], cells.hi[sub],
               rules["_i"].to_numpy(), rules["_e"].to_numpy(), rules["hs"])
    hit = m >= 0
    out.rate[sub[hit]] = rules["rate"].to_numpy(dtype=float)[m[hit]]
    out.override[sub[hit]] = True
    return hit


def _copy_into(dst: _Rates, src: _Rates) -> None:
    for name in ("rate", "mfn", "pref", "util", "duty", "agreement", "measure"):
        np.copyto(getattr(dst, name), getattr(src, name))


def _info(specs: list[ScenarioSpec], duties: _Duties | None) -> pd.DataFrame:
    rows = []
    for sp in specs:
        in_force = ([m for m in sp.duties if not duties.active(m, sp.date).empty]
                    if sp.date is not None and duties is not None and duties.du is not None
                    else [])
        rows.append({
            "scenario": sp.name, "parent": sp.parent,
            "year": sp.year, "date": sp.date,
            "agreements": ",".join(sp.agreements), "duties": ",".join(sp.duties),
            "duties_in_force": ",".join(in_force), "description": sp.description,
            "origin": sp.origin,
        })
    info = pd.DataFrame(rows, columns=list(INFO_COLUMNS))
    info["year"] = info["year"].astype("Int64")
    info["date"] = pd.to_datetime(info["date"])
    return info


def _missing_mfn_issue(tables: InputTables, cells: _Cells, missing: np.ndarray) -> Issue:
    where = np.flatnonzero(missing)
    pairs = pd.unique(pd.Series(cells.countries.to_numpy()[cells.ci[where]] + " "
                                + cells.hs_uniq.to_numpy()[cells.hi[where]]))
    shown = ", ".join(pairs[:5]) + (", ..." if len(pairs) > 5 else "")
    return Issue(
        _first_file(tables.mfn), "mfn", "", str(int(missing.sum())),
        f"{int(missing.sum())} trade cells ({len(pairs)} importer/HS pairs, e.g. {shown}) "
        "have no MFN rate; treated as 0", "warning")


def compile_applied(tables: InputTables, products: pd.DataFrame) -> CompiledScenarios:
    """Applied tariffs of the baseline and every scenario for every trade cell.

    ``products``: columns importer, exporter, hs (the finest codes of the trade sheet).
    Rules: module docstring. Raises :class:`InputError` if the scenario sheets are
    inconsistent (see :func:`~fta_compare.scenarios.validate.validate_scenarios`).
    """
    specs = resolve_scenarios(tables)
    cells = _Cells(products)
    regions = region_members(tables)
    parties = agreement_parties(tables)
    warnings: list[Issue] = []
    mfn, found = _mfn(tables, cells, regions)
    if (~found).any():
        warnings.append(_missing_mfn_issue(tables, cells, ~found))
    agreements = list(parties)
    ag_index = {a: i for i, a in enumerate(agreements)}
    prefs = _Preferences(tables, cells, regions, parties)
    duties = _Duties(tables, cells, regions)
    rules = _applied_rules(tables, regions, cells)
    base = specs[0]
    for name in rules:
        if name not in {sp.name for sp in specs}:
            specs.append(ScenarioSpec(name, BASELINE, base.year, base.date, base.agreements,
                                      base.duties, "baseline with the rows of the applied sheet",
                                      "applied"))
    names = [sp.name for sp in specs]
    block = _Block(len(specs), cells.n)
    for k, sp in enumerate(specs):
        if sp.origin == "applied":
            _copy_into(block.view(k), block.view(0))
        else:
            _scenario_rates(sp, cells, mfn, prefs, duties, ag_index, block, block.view(k),
                            warnings)
    for name, r in rules.items():
        _override(block.view(names.index(name)), r, cells)
    return CompiledScenarios(
        applied=block.frame(cells, names, agreements),
        scenario_info=_info(specs, duties), warnings=warnings, agreement_parties=parties,
    )


def applied_from_sheet(tables: InputTables, products: pd.DataFrame) -> CompiledScenarios:
    """Applied tariffs straight from the ``applied`` sheet (no schedules needed).

    ``baseline`` rows are required. Each cell takes the most specific row of its scenario
    (longest HS prefix, then exporter named over ``*``); a cell without a row in a scenario
    keeps its baseline rate; a cell without a baseline row gets its MFN rate when an ``mfn``
    sheet is given, else 0 (one warning with the count). Domestic cells get 0.
    """
    ap = tables.applied
    if ap is None or ap.empty or not (ap["scenario"].astype(str).str.strip() == BASELINE).any():
        raise InputError([Issue(_first_file(ap), "applied", "", "",
                                "the applied sheet needs rows for scenario 'baseline'")])
    cells = _Cells(products)
    regions = region_members(tables)
    warnings: list[Issue] = []
    mfn, found = _mfn(tables, cells, regions)
    rules = _applied_rules(tables, regions, cells)
    names = [BASELINE] + [s for s in rules if s != BASELINE]
    block = _Block(len(names), cells.n)
    base = block.view(0)
    base.rate[:] = np.where(found, mfn, 0.0)
    base.mfn[:] = (np.where(found, mfn, np.nan) if tables.mfn is not None
                   else np.where(cells.domestic, 0.0, np.nan))
    base.pref[:] = np.nan
    base.util[:] = np.nan
    base.duty[:] = 0.0
    hit = _override(base, rules[BASELINE], cells)
    unset = np.zeros(cells.n, dtype=bool)
    unset[np.flatnonzero(~cells.domestic)[~hit]] = True
    if unset.any():
        rule = (f"{int(unset.sum())} trade cells have no baseline row in the applied sheet; "
                f"they take {'their MFN rate' if tables.mfn is not None else '0'}")
        lacking = unset & ~found
        if lacking.any() and tables.mfn is not None:
            rule += f" ({int(lacking.sum())} without an MFN rate take 0)"
        warnings.append(Issue(_first_file(ap), "applied", "", str(int(unset.sum())), rule,
                              "warning"))
    for k, name in enumerate(names[1:], start=1):
        out = block.view(k)
        _copy_into(out, base)
        _override(out, rules[name], cells)
    desc: dict[str, str] = {}
    if tables.scenarios is not None and "description" in tables.scenarios.columns:
        sc = tables.scenarios
        desc = dict(zip(sc["scenario"].astype(str).str.strip(),
                        sc["description"].fillna("").astype(str), strict=True))
    specs = [ScenarioSpec(nm, "" if nm == BASELINE else BASELINE, None, None, (), (),
                          desc.get(nm, ""), "applied") for nm in names]
    return CompiledScenarios(
        applied=block.frame(cells, names, []),
        scenario_info=_info(specs, None), warnings=warnings,
        agreement_parties=agreement_parties(tables),
    )
