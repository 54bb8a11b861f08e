"""Consistency checks of the scenario-related sheets, and the parsing helpers they share.

:func:`validate_scenarios` reports every problem at once, each as an
:class:`~fta_compare.errors.Issue` naming the exact cell (``issue_at``):

- ``scenarios``: unknown parent, a parent chain that loops, a ``baseline`` row with a
  parent, agreements or duty measures named that do not exist (a leading ``-`` removes
  an inherited item and is allowed on both lists);
- ``agreements``: members that are neither ISO 3166 alpha-3 codes (three upper-case
  letters) nor regions declared in ``regions``; an agreement with fewer than two members;
- ``preferences``: unknown agreement, importer (or a named exporter) not a member,
  exporter equal to the importer (warning);
- ``duties``: ``end`` before ``start``;
- ``utilisation``: unknown agreement (warning);
- ``meta``: no baseline year (``baseline_year``/``base_year`` or a ``baseline`` scenario
  row) although agreements with preferences exist; unparsable ``baseline_year`` or
  ``baseline_date``.

Sheet-level checks (columns, types, duplicate keys) belong to the reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from fta_compare.errors import Issue
from fta_compare.inputs.schema import BASELINE
from fta_compare.inputs.tables import FILE_COL, InputTables, issue_at

ISO3 = re.compile(r"[A-Z]{3}")
REMOVE = "-"


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


def region_members(tables: InputTables) -> dict[str, tuple[str, ...]]:
    """Region code -> member ISO3 codes (empty tuple when ``members`` is blank)."""
    if tables.regions is None or tables.regions.empty:
        return {}
    reg = tables.regions
    return {str(c).strip().upper(): tuple(split_codes(m))
            for c, m in zip(reg["code"], reg["members"], strict=True)}


def expand_codes(codes: Iterable[str], regions: Mapping[str, tuple[str, ...]]) -> set[str]:
    """Codes plus the members of every region among them (the region code itself is kept)."""
    out: set[str] = set()
    for c in codes:
        out.add(c)
        out.update(regions.get(c, ()))
    return out


def agreement_parties(tables: InputTables) -> dict[str, dict[str, int]]:
    """Agreement -> {code: party number}: the k-th listed member is party k; a region's
    members share its number, so two members of one listed region are not partners."""
    if tables.agreements is None or tables.agreements.empty:
        return {}
    regions = region_members(tables)
    ag = tables.agreements
    out: dict[str, dict[str, int]] = {}
    for a, m in zip(ag["agreement"], ag["members"], strict=True):
        parties: dict[str, int] = {}
        for k, code in enumerate(split_codes(m)):
            parties[code] = k
            for member in regions.get(code, ()):
                parties.setdefault(member, k)
        out[str(a)] = parties
    return out


def agreement_members(tables: InputTables) -> dict[str, frozenset[str]]:
    """Agreement -> member codes, regions expanded to their members (codes kept too)."""
    return {a: frozenset(p) for a, p in agreement_parties(tables).items()}


def _meta_issue(key: str, value: str, rule: str, severity: str = "error") -> Issue:
    return Issue(file="", sheet="meta", cell="", value=value, rule=f"{key}: {rule}",
                 severity=severity)  # type: ignore[arg-type]


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


def baseline_row(tables: InputTables) -> pd.Series | None:
    """The ``baseline`` row of the scenarios sheet, if there is one."""
    sc = tables.scenarios
    if sc is None or sc.empty:
        return None
    hit = sc[sc["scenario"].astype(str).str.strip() == BASELINE]
    return None if hit.empty else hit.iloc[0]


def baseline_year_date(
    tables: InputTables,
) -> tuple[int | None, pd.Timestamp | None, list[Issue]]:
    """Baseline (year, date) and the issues met finding them.

    Year: the ``baseline`` scenario row, else meta ``baseline_year``, else meta
    ``base_year``, else the year of the baseline date. Date: the ``baseline`` row, else meta
    ``baseline_date``, else 31 December of the baseline year (duties in force at the end of
    the baseline year).
    """
    issues: list[Issue] = []
    row = baseline_row(tables)
    year: int | None = None
    date: pd.Timestamp | None = None
    if row is not None:
        year = as_year(row.get("year"))
        date = as_date(row.get("date"))
    for key in ("baseline_year", "base_year"):
        try:
            y = parse_meta_year(tables.meta, key)
        except ValueError:
            issues.append(_meta_issue(key, str(tables.meta.get(key)), "not a year 1947..2100"))
            continue
        if year is None and y is not None:
            year = y
    try:
        d = parse_meta_date(tables.meta, "baseline_date")
    except ValueError:
        issues.append(_meta_issue("baseline_date", str(tables.meta.get("baseline_date")),
                                  "not a date"))
        d = None
    if date is None:
        date = d
    if year is None and date is not None:
        year = int(date.year)
    if date is None and year is not None:
        date = pd.Timestamp(year=year, month=12, day=31)
    return year, date, issues


def _scenario_issues(tables: InputTables) -> list[Issue]:
    sc = tables.scenarios
    if sc is None or sc.empty:
        return []
    issues: list[Issue] = []
    names = sc["scenario"].astype(str).str.strip()
    parents = (sc["parent"].fillna("").astype(str).str.strip() if "parent" in sc.columns
               else pd.Series("", index=sc.index))
    known = set(names) | {BASELINE}
    known_agreements = (set(tables.agreements["agreement"].astype(str))
                        if tables.agreements is not None else set())
    known_measures = (set(tables.duties["measure"].astype(str))
                      if tables.duties is not None else set())
    parent_of: dict[str, str] = {}
    index_of: dict[str, object] = {}
    for idx, name, parent in zip(sc.index, names, parents, strict=True):
        index_of.setdefault(name, idx)
        if name == BASELINE:
            if parent:
                issues.append(issue_at(sc, idx, "parent",
                                       "the baseline scenario cannot have a parent"))
            continue
        if parent and parent not in known:
            issues.append(issue_at(sc, idx, "parent", f"unknown parent scenario '{parent}'"))
        elif parent == name:
            issues.append(issue_at(sc, idx, "parent", "a scenario cannot be its own parent"))
        parent_of[name] = parent or BASELINE
    # cycles: walk each chain; a chain that meets itself again is a cycle
    in_cycle: set[str] = set()
    for start in parent_of:
        seen: list[str] = []
        node = start
        while node in parent_of and node not in seen:
            seen.append(node)
            node = parent_of[node]
        if node in seen and node not in in_cycle and node != parent_of.get(node):
            loop = seen[seen.index(node):]
            in_cycle.update(loop)
            path = " -> ".join([*loop, node])
            for member in loop:
                issues.append(issue_at(sc, index_of[member], "parent",
                                       f"scenario parent chain forms a cycle: {path}"))
    for col, known_items, what in (("agreements", known_agreements, "agreement"),
                                   ("duties", known_measures, "duty measure")):
        if col not in sc.columns:
            continue
        for idx, cell in zip(sc.index, sc[col], strict=True):
            for item in split_names(cell):
                bare = item[1:].strip() if item.startswith(REMOVE) else item
                if bare not in known_items:
                    sheet = "agreements" if col == "agreements" else "duties"
                    issues.append(issue_at(
                        sc, idx, col, f"unknown {what} '{bare}' (not in the {sheet} sheet)"))
    return issues


def _agreement_issues(tables: InputTables) -> list[Issue]:
    ag = tables.agreements
    if ag is None or ag.empty:
        return []
    regions = region_members(tables)
    issues: list[Issue] = []
    for idx, cell in zip(ag.index, ag["members"], strict=True):
        codes = split_codes(cell)
        bad = [c for c in codes if not ISO3.fullmatch(c) and c not in regions]
        for c in bad:
            issues.append(issue_at(
                ag, idx, "members",
                f"member '{c}' is neither an ISO3 code (3 upper-case letters) "
                "nor a region declared in the regions sheet"))
        if len(set(codes)) < 2:
            issues.append(issue_at(ag, idx, "members",
                                   "an agreement needs at least two members"))
    return issues


def _preference_issues(tables: InputTables, members: dict[str, frozenset[str]]) -> list[Issue]:
    pr = tables.preferences
    if pr is None or pr.empty:
        return []
    issues: list[Issue] = []
    agreement = pr["agreement"].astype(str)
    importer = pr["importer"].astype(str).str.upper()
    exporter = (pr["exporter"].fillna("").astype(str).str.strip().str.upper()
                if "exporter" in pr.columns else pd.Series("", index=pr.index))
    known = agreement.isin(list(members))
    for idx in pr.index[~known.to_numpy()]:
        issues.append(issue_at(pr, idx, "agreement",
                               f"unknown agreement '{pr.at[idx, 'agreement']}'"))
    pairs = pd.MultiIndex.from_tuples(
        [(a, c) for a, ms in members.items() for c in ms], names=["a", "c"]
    ) if members else pd.MultiIndex.from_tuples([], names=["a", "c"])
    imp_ok = pd.MultiIndex.from_arrays([agreement, importer]).isin(pairs)
    exp_ok = pd.MultiIndex.from_arrays([agreement, exporter]).isin(pairs) | (exporter == "")
    for idx in pr.index[known.to_numpy() & ~imp_ok]:
        issues.append(issue_at(pr, idx, "importer",
                               f"importer is not a member of '{pr.at[idx, 'agreement']}'"))
    for idx in pr.index[known.to_numpy() & ~exp_ok]:
        issues.append(issue_at(pr, idx, "exporter",
                               f"exporter is not a member of '{pr.at[idx, 'agreement']}'"))
    for idx in pr.index[(exporter == importer).to_numpy()]:
        issues.append(issue_at(pr, idx, "exporter",
                               "exporter equals importer: a preference needs a partner",
                               severity="warning"))
    return issues


def _duty_issues(tables: InputTables) -> list[Issue]:
    du = tables.duties
    if du is None or du.empty or "end" not in du.columns:
        return []
    bad = du["end"].notna() & du["start"].notna() & (du["end"] < du["start"])
    return [issue_at(du, idx, "end", "end date is before the start date")
            for idx in du.index[bad.to_numpy()]]


def _utilisation_issues(tables: InputTables, members: dict[str, frozenset[str]]) -> list[Issue]:
    ut = tables.utilisation
    if ut is None or ut.empty:
        return []
    agreement = ut["agreement"].astype(str).str.strip()
    bad = ~agreement.isin([*members, "*"])
    return [issue_at(ut, idx, "agreement", "unknown agreement: row ignored", severity="warning")
            for idx in ut.index[bad.to_numpy()]]


def _baseline_issues(tables: InputTables) -> list[Issue]:
    year, _, issues = baseline_year_date(tables)
    needs_year = tables.preferences is not None and not tables.preferences.empty
    if year is None and needs_year:
        file = ""
        if tables.preferences is not None and FILE_COL in tables.preferences.columns:
            file = str(tables.preferences[FILE_COL].iloc[0])
        issues.append(Issue(
            file=file, sheet="meta", cell="", value="",
            rule="no baseline year: set meta 'baseline_year' (or 'base_year') or a "
                 "'baseline' row with a year in the scenarios sheet; staging needs it"))
    return issues


def validate_scenarios(tables: InputTables) -> list[Issue]:
    """Every problem of the scenarios, agreements, preferences, duties and utilisation sheets.

    Each issue names the cell that breaks a rule (see the module docstring for the rules).
    """
    members = agreement_members(tables)
    return [
        *_scenario_issues(tables),
        *_agreement_issues(tables),
        *_preference_issues(tables, members),
        *_duty_issues(tables),
        *_utilisation_issues(tables, members),
        *_baseline_issues(tables),
    ]
