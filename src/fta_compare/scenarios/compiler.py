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
  - * Cells with exporter == importer (domestic / intra-bloc sales) get rate 0 from the
    schedules and duties; an ``applied`` row naming the cell explicitly (importer and
    exporter written as the same code, e.g. ROW/ROW) sets its rate (DESIGN 2).
  - * Region codes (``regions`` sheet) are expanded to their members wherever a country
    code is; the region code itself still matches cells that use it. A member's own row
    beats a region row at the same HS level.
  - HS rows finer than a cell's code never apply to it (concord the trade sheet first).

Vectorised: each rule table is matched to the cells with one hash lookup per HS prefix
length (:func:`_match`); loops run over scenarios, agreements and duty measures only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fta_compare.categorical import codes_dtype
from fta_compare.errors import InputError, Issue
from fta_compare.inputs.schema import BASELINE
from fta_compare.inputs.tables import FILE_COL, InputTables
from fta_compare.scenarios.definitions import (
    Definitions,
    ScenarioSpec,
    parse_definitions,
    time_path_specs,
)
from fta_compare.scenarios.rules import Cells
from fta_compare.scenarios.schedules import AppliedRows, Duties, Preferences, mfn_rates

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
    definitions      the parsed scenario sheets (regions, agreements and their parties).
    specs            the resolved scenarios, in the order of ``scenario_info``.
    block_rows       when set, ``applied`` is scenario-major in blocks of this many rows
                     (scenario k = rows ``k * block_rows`` to ``(k + 1) * block_rows``).
    """

    applied: pd.DataFrame
    scenario_info: pd.DataFrame
    warnings: list[Issue]
    definitions: Definitions | None = None
    specs: tuple[ScenarioSpec, ...] = ()
    block_rows: int | None = None

    @property
    def agreement_parties(self) -> dict[str, dict[str, int]]:
        """Agreement -> {code: party number}; regions expanded, a region's members share
        its number (two members of one listed region are not partners)."""
        return {} if self.definitions is None else self.definitions.agreement_parties

    @property
    def agreement_members(self) -> dict[str, frozenset[str]]:
        """Agreement -> member codes (regions expanded, region codes kept)."""
        return {} if self.definitions is None else self.definitions.agreement_members

    def spec(self, scenario: str) -> ScenarioSpec:
        """The resolved definition of one scenario (KeyError if unknown)."""
        for sp in self.specs:
            if sp.name == scenario:
                return sp
        raise KeyError(f"unknown scenario {scenario!r}")

    @property
    def scenarios(self) -> list[str]:
        """Scenario names, baseline first."""
        return [str(s) for s in self.scenario_info["scenario"]]

    def rates(self, scenario: str) -> pd.DataFrame:
        """The applied rows of one scenario, in the order of the products given."""
        out = self.applied[self.applied["scenario"] == scenario]
        return out.reset_index(drop=True)


# --------------------------------------------------------------------------- scenarios


def resolve_scenarios(tables: InputTables) -> list[ScenarioSpec]:
    """Baseline first, then the scenarios of the sheet, parent chains resolved."""
    return parse_definitions(tables).resolve()


def _first_file(df: pd.DataFrame | None) -> str:
    if df is None or df.empty or FILE_COL not in df.columns:
        return ""
    return str(df[FILE_COL].iloc[0])


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

    def frame(self, cells: Cells, names: list[str], agreements: list[str]) -> pd.DataFrame:
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
    return pd.Categorical.from_codes(codes.astype(codes_dtype(len(cats)), copy=False),
                                     categories=cats)


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


@dataclass
class _Best:
    """Best effective preference per cell for one set of agreements at one year."""

    eff: np.ndarray  # effective preferential rate (inf where no agreement applies)
    pref: np.ndarray  # its scheduled rate (NaN where none)
    util: np.ndarray  # its utilisation share (NaN where none)
    agreement: np.ndarray  # agreement index (sheet order), -1 where none


class _BestCache:
    """Step 2-4 minima per (agreements, year), built incrementally: a set is computed from
    the largest cached subset at the same year plus the agreements it adds. Ties go to the
    agreement first in the agreements sheet, whatever the order agreements are added in,
    so the result equals the one-pass computation."""

    def __init__(self, n: int, mfn: np.ndarray, prefs: Preferences,
                 ag_index: Mapping[str, int]) -> None:
        self.n, self.mfn, self.prefs, self.ag_index = n, mfn, prefs, ag_index
        self.done: dict[tuple[frozenset[str], int | None], _Best] = {}
        self.unstaged: set[tuple[str, int | None]] = set()  # no staging step by that year

    def get(self, agreements: tuple[str, ...], year: int | None) -> _Best:
        key = (frozenset(agreements), year)
        if key in self.done:
            return self.done[key]
        start = max((k for k in self.done if k[1] == year and k[0] <= key[0]),
                    key=lambda k: len(k[0]), default=None)
        if start is None:
            best = _Best(np.full(self.n, np.inf), np.full(self.n, np.nan),
                         np.full(self.n, np.nan), np.full(self.n, -1, dtype=np.int32))
            todo = list(agreements)
        else:
            b0 = self.done[start]
            best = _Best(b0.eff.copy(), b0.pref.copy(), b0.util.copy(), b0.agreement.copy())
            todo = [a for a in agreements if a not in start[0]]
        for a in todo:
            ar = self.prefs.get(a)
            if ar is None:
                continue
            raw = ar.rate_at(year)
            ok = ~np.isnan(raw)
            if not ok.any():
                self.unstaged.add((a, year))
                continue
            pos, raw, u = ar.pos[ok], raw[ok], ar.util[ok]
            eff = u * raw + (1.0 - u) * self.mfn[pos]
            k = self.ag_index[a]
            cur = best.eff[pos]
            better = (eff < cur) | ((eff == cur) & (best.agreement[pos] > k))
            p = pos[better]
            best.eff[p], best.pref[p], best.util[p] = eff[better], raw[better], u[better]
            best.agreement[p] = k
        self.done[key] = best
        return best


def _scenario_rates(
    spec: ScenarioSpec, cells: Cells, best_of: _BestCache, duties: Duties, block: _Block,
    out: _Rates, warnings: list[Issue], file: str = "",
) -> None:
    """Steps 2-5 of the module rules for one scenario, written into ``out``; ``file`` (of
    the scenarios sheet) is named in the warnings."""
    mfn = best_of.mfn
    best = best_of.get(spec.agreements, spec.year)
    for a in spec.agreements:  # every scenario lists its own unstaged agreements
        if (a, spec.year) in best_of.unstaged:
            warnings.append(Issue(
                file, "scenarios", "", spec.name,
                f"scenario '{spec.name}': agreement '{a}' has no staging step by year "
                f"{spec.year}, so it grants no preference", "warning"))
    out.mfn[:] = mfn
    take = best.eff < mfn
    np.copyto(out.rate, np.where(take, best.eff, mfn))
    np.copyto(out.pref, best.pref)
    np.copyto(out.util, best.util)
    np.copyto(out.agreement, np.where(take, best.agreement, -1))
    out.duty[:] = 0.0
    rate = out.rate
    rate[cells.domestic] = 0.0  # schedules and duties never tax domestic sales
    flags: list[tuple[str, np.ndarray]] = []
    if spec.duties and spec.date is None:
        warnings.append(Issue(file, "scenarios", "", spec.name,
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
    block.set_measures(out, *_combos(flags, cells.n))


def _override(out: _Rates, rows: AppliedRows, scenario: str) -> np.ndarray:
    """Set the rate of every cell the scenario's applied rows cover (domestic cells only
    when a row names them explicitly); returns the covered cell positions."""
    pos, rate = rows.cover(scenario)
    out.rate[pos] = rate
    out.override[pos] = True
    return pos


def _copy_into(dst: _Rates, src: _Rates) -> None:
    for name in ("rate", "mfn", "pref", "util", "duty", "agreement", "measure"):
        np.copyto(getattr(dst, name), getattr(src, name))


def _info(specs: list[ScenarioSpec], duties: Duties | None) -> pd.DataFrame:
    rows = []
    for sp in specs:
        in_force = ([m for m in sp.duties if duties.active_rows(m, sp.date).size]
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


def _missing_mfn_issue(tables: InputTables, cells: Cells, missing: np.ndarray) -> Issue:
    where = np.flatnonzero(missing)
    pairs = pd.unique(pd.Series(cells.countries.to_numpy()[cells.ci[where]] + " "
                                + cells.hs_uniq.to_numpy()[cells.hi[where]]))
    shown = ", ".join(pairs[:5]) + (", ..." if len(pairs) > 5 else "")
    return Issue(
        _first_file(tables.mfn), "mfn", "", str(int(missing.sum())),
        f"{int(missing.sum())} trade cells ({len(pairs)} importer/HS pairs, e.g. {shown}) "
        "have no MFN rate; treated as 0", "warning")


def compile_applied(tables: InputTables, products: pd.DataFrame,
                    defs: Definitions | None = None, time_path: bool = False
                    ) -> CompiledScenarios:
    """Applied tariffs of the baseline and every scenario for every trade cell.

    ``products``: columns importer, exporter, hs (the finest codes of the trade sheet).
    ``defs``: the parsed definitions (parsed here when not given). With ``time_path``, each
    scenario that adds agreements is also compiled at its intermediate staging years
    (:func:`~fta_compare.scenarios.definitions.time_path_specs`), after the others.
    Rules: module docstring. Raises :class:`InputError` if the parent chains cannot be
    resolved (validate the definitions first for cell-level messages).
    """
    defs = parse_definitions(tables) if defs is None else defs
    specs = defs.resolve()
    if time_path:
        specs += time_path_specs(defs, specs)
    cells = Cells(products)
    warnings: list[Issue] = []
    mfn, found = mfn_rates(tables, cells, defs.regions)
    if (~found).any():
        warnings.append(_missing_mfn_issue(tables, cells, ~found))
    agreements = list(defs.agreements)
    ag_index = {a: i for i, a in enumerate(agreements)}
    prefs = Preferences(tables, cells, defs)
    best_of = _BestCache(cells.n, mfn, prefs, ag_index)
    duties = Duties(tables, cells, defs)
    rules = AppliedRows(tables, cells, defs)
    base = specs[0]
    for name in rules.names:
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
            _scenario_rates(sp, cells, best_of, duties, block, block.view(k), warnings,
                            defs.file)
    for name in rules.names:
        _override(block.view(names.index(name)), rules, name)
    return CompiledScenarios(
        applied=block.frame(cells, names, agreements),
        scenario_info=_info(specs, duties), warnings=warnings, definitions=defs,
        specs=tuple(specs), block_rows=cells.n,
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
    defs = parse_definitions(tables)
    cells = Cells(products)
    warnings: list[Issue] = []
    mfn, found = mfn_rates(tables, cells, defs.regions)
    rules = AppliedRows(tables, cells, defs)
    names = [BASELINE] + [s for s in rules.names if s != BASELINE]
    block = _Block(len(names), cells.n)
    base = block.view(0)
    base.rate[:] = np.where(found, mfn, 0.0)
    base.mfn[:] = (np.where(found, mfn, np.nan) if tables.mfn is not None
                   else np.where(cells.domestic, 0.0, np.nan))
    base.pref[:] = np.nan
    base.util[:] = np.nan
    base.duty[:] = 0.0
    hit = np.zeros(cells.n, dtype=bool)
    hit[_override(base, rules, BASELINE)] = True
    unset = ~hit & ~cells.domestic
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
        _override(out, rules, name)
    desc: dict[str, str] = {}
    if tables.scenarios is not None and "description" in tables.scenarios.columns:
        sc = tables.scenarios
        desc = dict(zip(sc["scenario"].astype(str).str.strip(),
                        sc["description"].fillna("").astype(str), strict=True))
    specs = [ScenarioSpec(nm, "" if nm == BASELINE else BASELINE, None, None, (), (),
                          desc.get(nm, ""), "applied") for nm in names]
    return CompiledScenarios(
        applied=block.frame(cells, names, []),
        scenario_info=_info(specs, None), warnings=warnings, definitions=defs,
        specs=tuple(specs),
    )
