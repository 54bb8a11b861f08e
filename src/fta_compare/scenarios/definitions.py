"""Scenario definitions, parsed once from the validated input tables.

The ``regions``, ``agreements``, ``duties`` and ``scenarios`` sheets and the baseline
``meta`` keys become typed definitions here, and nowhere else:

    InputTables -> :func:`parse_definitions` -> :class:`Definitions`
        -> :mod:`fta_compare.scenarios.validate` (checks them, reports cells)
        -> :mod:`fta_compare.scenarios.compiler` (reads them, builds applied tariffs)

Neither the validator nor the compiler imports the other; both read these definitions.

Rules of the definitions (items marked * are choices where DESIGN.md is silent):

- A region's members are its ``members`` comma list (blank = none).
- An agreement's parties: the k-th listed member is party k; the members of a listed
  region share its number, so two members of one listed region are not partners (the EU
  as one party of an EU-Korea agreement).
- Baseline year: the ``baseline`` scenario row's ``year``, else meta ``baseline_year``,
  else meta ``base_year`` (*), else the year of the baseline date. Baseline date: the
  row's ``date``, else meta ``baseline_date``, else 31 December of the baseline year (*).
- Baseline agreements: every agreement with ``in_force`` <= the baseline year, plus or
  minus those listed on a ``baseline`` row; baseline duty measures: every measure with a
  row in force on the baseline date, plus or minus those listed.
- Every other scenario is its parent (blank = baseline) plus the agreements and duty
  measures listed; ``-name`` removes an inherited one. ``year`` and ``date`` inherit from
  the parent when blank.
- Time path (*): a scenario that adds agreements to the baseline is also evaluated at each
  staging year of those agreements' preference lines between the baseline year
  (exclusive) and the scenario's own year (exclusive); see :func:`staging_years`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from fta_compare.errors import InputError, Issue
from fta_compare.inputs.schema import BASELINE
from fta_compare.inputs.tables import InputTables

REMOVE = "-"
TIME_PATH_SEP = " @"  # "cjk_fta @2027": scenario cjk_fta at its 2027 staging step


# --------------------------------------------------------------------------- cell parsing


def split_names(value: object) -> list[str]:
    """A comma (or semicolon) list cell -> its stripped, non-empty items (lists pass)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return []
    items: Iterable[object] = (value if isinstance(value, list | tuple)
                               else str(value).replace(";", ",").split(","))
    return [s for s in (str(x).strip() for x in items) if s]


def split_codes(value: object) -> list[str]:
    """A comma-list of economy codes -> upper-case codes."""
    return [s.upper() for s in split_names(value)]


def as_year(value: object) -> int | None:
    """A year cell -> int, None when blank (NA, NaN, '')."""
    if value is None or value is pd.NA or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return int(float(value))  # type: ignore[arg-type]


def as_date(value: object) -> pd.Timestamp | None:
    """A date cell -> normalised Timestamp, None when blank (NaT, NA, '')."""
    if value is None or value is pd.NA or (isinstance(value, str) and not value.strip()):
        return None
    ts = pd.Timestamp(value)  # type: ignore[arg-type]
    return None if pd.isna(ts) else ts.normalize()


def parse_meta_year(meta: Mapping[str, str], key: str) -> int | None:
    """Integer year from ``meta[key]`` (None when absent/blank); ValueError if not a year."""
    raw = str(meta.get(key, "") or "").strip()
    if not raw:
        return None
    year = float(raw)
    if not year.is_integer() or not 1947 <= year <= 2100:
        raise ValueError(raw)
    return int(year)


def parse_meta_date(meta: Mapping[str, str], key: str) -> pd.Timestamp | None:
    """Timestamp from ``meta[key]`` (None when absent/blank); ValueError if unparsable."""
    raw = str(meta.get(key, "") or "").strip()
    if not raw:
        return None
    ts = pd.Timestamp(raw)
    if pd.isna(ts):
        raise ValueError(raw)
    return ts.normalize()


def _meta_file(tables: InputTables) -> str:
    """The file of the meta sheet (or the first input), so meta issues name a file."""
    from fta_compare.inputs.tables import FILE_COL

    for df in (tables.scenarios, tables.agreements, tables.trade):
        if df is not None and len(df) and FILE_COL in df.columns:
            return str(df[FILE_COL].iloc[0])
    return tables.files[0] if tables.files else ""


# --------------------------------------------------------------------------- definitions


@dataclass(frozen=True)
class Agreement:
    """One row of the ``agreements`` sheet, with its parties resolved."""

    name: str
    members: tuple[str, ...]  # codes as listed (ISO3 or regions)
    parties: Mapping[str, int]  # code -> party number; a region's members share its number
    in_force: int | None  # year; None = hypothetical
    row: object = None  # index label in the agreements table (for cell references)

    def party_codes(self, countries: pd.Index) -> np.ndarray:
        """Party number of each economy of ``countries`` (-1 = not a party)."""
        out = np.full(len(countries), -1, dtype=np.int64)
        pos = countries.get_indexer(list(self.parties))
        num = np.fromiter(self.parties.values(), dtype=np.int64, count=len(self.parties))
        out[pos[pos >= 0]] = num[pos >= 0]
        return out


def partner_matrix(party: np.ndarray) -> np.ndarray:
    """(N, N) bool: True where two economies are different parties of one agreement.

    ``party`` as :meth:`Agreement.party_codes`. Indexed ``[importer, exporter]`` or the
    other way round (it is symmetric).
    """
    member = party >= 0
    return member[:, None] & member[None, :] & (party[:, None] != party[None, :])


@dataclass(frozen=True)
class ScenarioRow:
    """One row of the ``scenarios`` sheet as written (edits not yet resolved)."""

    name: str
    parent: str  # '' = baseline
    year: int | None
    date: pd.Timestamp | None
    agreements: tuple[str, ...]  # items as written; '-name' removes
    duties: tuple[str, ...]
    description: str
    row: object  # index label in the scenarios table


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
    origin: str = "scenarios"  # 'implicit' | 'scenarios' | 'applied' | 'time_path'
    base_scenario: str = ""  # for a time-path step: the scenario it belongs to


@dataclass(frozen=True)
class Definitions:
    """Everything the scenario sheets define, parsed once."""

    regions: Mapping[str, tuple[str, ...]]
    agreements: Mapping[str, Agreement]  # agreements-sheet order
    measures: tuple[str, ...]  # duty measures in duties-sheet order
    rows: tuple[ScenarioRow, ...]  # the scenarios sheet, baseline row included
    baseline_year: int | None
    baseline_date: pd.Timestamp | None
    meta_issues: tuple[Issue, ...] = ()
    file: str = ""  # file to name in issues about the definitions as a whole
    staging: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # agreement -> years
    baseline_measures: tuple[str, ...] = ()  # measures with a row in force on the base date

    @property
    def agreement_parties(self) -> dict[str, dict[str, int]]:
        """Agreement -> {code: party number} (regions expanded)."""
        return {a: dict(ag.parties) for a, ag in self.agreements.items()}

    @property
    def agreement_members(self) -> dict[str, frozenset[str]]:
        """Agreement -> member codes (regions expanded, region codes kept)."""
        return {a: frozenset(ag.parties) for a, ag in self.agreements.items()}

    @property
    def baseline_row(self) -> ScenarioRow | None:
        return next((r for r in self.rows if r.name == BASELINE), None)

    def party_matrix(self, countries: pd.Index) -> np.ndarray:
        """(A, N) party number of every economy in every agreement (-1 = not a party)."""
        out = np.full((len(self.agreements), len(countries)), -1, dtype=np.int64)
        for k, ag in enumerate(self.agreements.values()):
            out[k] = ag.party_codes(countries)
        return out

    def resolve(self) -> list[ScenarioSpec]:
        """Baseline first, then the scenarios in sheet order, parent chains resolved.

        The definitions must be valid (:func:`fta_compare.scenarios.validate
        .validate_definitions` finds no error): parents exist and chains end at the baseline.
        """
        ag_order = list(self.agreements)
        base_ag = [a for a, ag in self.agreements.items()
                   if ag.in_force is not None and self.baseline_year is not None
                   and ag.in_force <= self.baseline_year]
        base_du = list(self.baseline_measures)
        row = self.baseline_row
        desc, origin = "baseline", "implicit"
        if row is not None:
            base_ag = _edit(base_ag, row.agreements)
            base_du = _edit(base_du, row.duties)
            desc, origin = row.description or "baseline", "scenarios"
        specs: dict[str, ScenarioSpec] = {BASELINE: ScenarioSpec(
            BASELINE, "", self.baseline_year, self.baseline_date,
            _in_order(base_ag, ag_order), _in_order(base_du, list(self.measures)), desc, origin)}
        pending = [r for r in self.rows if r.name != BASELINE]
        while pending:  # parents first
            left = []
            for r in pending:
                parent = r.parent or BASELINE
                if parent not in specs:
                    left.append(r)
                    continue
                p = specs[parent]
                specs[r.name] = ScenarioSpec(
                    r.name, parent, p.year if r.year is None else r.year,
                    p.date if r.date is None else r.date,
                    _in_order(_edit(list(p.agreements), r.agreements), ag_order),
                    _in_order(_edit(list(p.duties), r.duties), list(self.measures)),
                    r.description, "scenarios")
            if len(left) == len(pending):  # excluded by validation; say which, never loop
                names = ", ".join(r.name for r in left)
                raise InputError([Issue(self.file, "scenarios", "", names,
                                        "scenario parent chain forms a cycle or names an "
                                        f"unknown parent: {names}")])
            pending = left
        order = [BASELINE] + [r.name for r in self.rows if r.name != BASELINE]
        return [specs[n] for n in dict.fromkeys(order)]


def _edit(current: list[str], items: Iterable[str]) -> list[str]:
    """Apply a scenario cell's items (``name`` adds, ``-name`` removes) to ``current``."""
    out = list(current)
    for item in items:
        if item.startswith(REMOVE):
            bare = item[1:].strip()
            out = [x for x in out if x != bare]
        elif item not in out:
            out.append(item)
    return out


def _in_order(items: Iterable[str], order: list[str]) -> tuple[str, ...]:
    rank = {name: i for i, name in enumerate(order)}
    return tuple(sorted(set(items), key=lambda x: (rank.get(x, len(rank)), x)))


def active_duty_rows(duties: pd.DataFrame, date: pd.Timestamp) -> np.ndarray:
    """Mask of duty rows in force on ``date`` (start and end inclusive, blank end = open)."""
    start = duties["start"]
    end = duties["end"] if "end" in duties.columns else pd.Series(pd.NaT, index=duties.index)
    ok = (start.isna() | (start <= date)) & (end.isna() | (date <= end))
    return ok.to_numpy(dtype=bool)


def _regions(tables: InputTables) -> dict[str, tuple[str, ...]]:
    reg = tables.regions
    if reg is None or reg.empty:
        return {}
    return {str(c).strip().upper(): tuple(split_codes(m))
            for c, m in zip(reg["code"], reg["members"], strict=True)}


def _agreements(tables: InputTables, regions: Mapping[str, tuple[str, ...]]
                ) -> dict[str, Agreement]:
    ag = tables.agreements
    if ag is None or ag.empty:
        return {}
    out: dict[str, Agreement] = {}
    for idx, name, members, in_force in zip(ag.index, ag["agreement"], ag["members"],
                                            ag["in_force"], strict=True):
        codes = split_codes(members)
        parties: dict[str, int] = {}
        for k, code in enumerate(codes):
            parties[code] = k
            for member in regions.get(code, ()):
                parties.setdefault(member, k)
        out.setdefault(str(name), Agreement(str(name), tuple(codes), parties,
                                            as_year(in_force), idx))
    return out


def _rows(tables: InputTables) -> tuple[ScenarioRow, ...]:
    sc = tables.scenarios
    if sc is None or sc.empty:
        return ()
    cols = set(sc.columns)

    def col(name: str) -> list[object]:
        return sc[name].tolist() if name in cols else [None] * len(sc)

    out = []
    for idx, name, parent, year, date, ags, dus, desc in zip(
            sc.index, col("scenario"), col("parent"), col("year"), col("date"),
            col("agreements"), col("duties"), col("description"), strict=True):
        out.append(ScenarioRow(
            str(name).strip(), str(parent or "").strip() if not _blank(parent) else "",
            as_year(year), as_date(date), tuple(split_names(ags)), tuple(split_names(dus)),
            "" if _blank(desc) else str(desc), idx))
    return tuple(out)


def _blank(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or (
        isinstance(v, str) and not v.strip())


def _baseline(tables: InputTables, rows: tuple[ScenarioRow, ...], file: str
              ) -> tuple[int | None, pd.Timestamp | None, list[Issue]]:
    issues: list[Issue] = []
    row = next((r for r in rows if r.name == BASELINE), None)
    year = row.year if row is not None else None
    date = row.date if row is not None else None
    for key in ("baseline_year", "base_year"):
        try:
            y = parse_meta_year(tables.meta, key)
        except ValueError:
            issues.append(Issue(file, "meta", "", str(tables.meta.get(key)),
                                f"{key}: not a year 1947..2100"))
            continue
        if year is None and y is not None:
            year = y
    try:
        d = parse_meta_date(tables.meta, "baseline_date")
    except ValueError:
        issues.append(Issue(file, "meta", "", str(tables.meta.get("baseline_date")),
                            "baseline_date: not a date"))
        d = None
    if date is None:
        date = d
    if year is None and date is not None:
        year = int(date.year)
    if date is None and year is not None:
        date = pd.Timestamp(year=year, month=12, day=31)
    return year, date, issues


def _staging_years(tables: InputTables) -> dict[str, tuple[int, ...]]:
    """Agreement -> distinct staging years of its preference lines, ascending."""
    pr = tables.preferences
    if pr is None or pr.empty:
        return {}
    years = pd.DataFrame({"a": pr["agreement"].astype(str).to_numpy(dtype=object),
                          "y": pd.to_numeric(pr["year"], errors="coerce").to_numpy()})
    years = years.dropna().drop_duplicates()
    return {str(a): tuple(sorted(int(y) for y in g["y"])) for a, g in years.groupby("a")}


def parse_definitions(tables: InputTables) -> Definitions:
    """Regions, agreements, duty measures, scenario rows and the baseline, parsed once."""
    regions = _regions(tables)
    agreements = _agreements(tables, regions)
    du = tables.duties
    measures = (tuple(str(m) for m in pd.unique(du["measure"].astype(str).to_numpy(
        dtype=object))) if du is not None and not du.empty else ())
    rows = _rows(tables)
    file = _meta_file(tables)
    year, date, issues = _baseline(tables, rows, file)
    base_measures: tuple[str, ...] = ()
    if du is not None and not du.empty and date is not None:
        active = active_duty_rows(du, date)
        base_measures = tuple(str(m) for m in pd.unique(
            du.loc[active, "measure"].astype(str).to_numpy(dtype=object)))
    return Definitions(regions=regions, agreements=agreements, measures=measures, rows=rows,
                       baseline_year=year, baseline_date=date, meta_issues=tuple(issues),
                       file=file, staging=_staging_years(tables),
                       baseline_measures=base_measures)


def staging_years(defs: Definitions, spec: ScenarioSpec, baseline: ScenarioSpec
                  ) -> list[int]:
    """Intermediate staging years of a scenario that adds agreements to the baseline.

    The distinct preference-line years of the agreements the scenario adds, after the
    baseline year and before the scenario's own year (which is its full phase-in step as
    the scenario defines it). Empty when the scenario adds no agreement or has no year.
    """
    added = [a for a in spec.agreements if a not in baseline.agreements]
    if not added or spec.year is None:
        return []
    lo = baseline.year if baseline.year is not None else -10**9
    years = {y for a in added for y in defs.staging.get(a, ()) if lo < y < spec.year}
    return sorted(years)


def time_path_specs(defs: Definitions, specs: list[ScenarioSpec]) -> list[ScenarioSpec]:
    """For every scenario adding agreements: the same scenario at each intermediate staging
    year (named ``<scenario> @<year>``), in scenario then year order."""
    base = specs[0]
    out = []
    for sp in specs[1:]:
        for y in staging_years(defs, sp, base):
            out.append(replace(sp, name=f"{sp.name}{TIME_PATH_SEP}{y}", year=y,
                               origin="time_path", base_scenario=sp.name,
                               description=f"{sp.name} at its {y} staging step"))
    return out
