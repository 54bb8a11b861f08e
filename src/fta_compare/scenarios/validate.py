"""Consistency checks of the scenario definitions (:mod:`fta_compare.scenarios.definitions`).

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

import pandas as pd

from fta_compare.errors import Issue
from fta_compare.inputs.schema import BASELINE
from fta_compare.inputs.tables import FILE_COL, InputTables, issue_at
from fta_compare.scenarios.definitions import (
    REMOVE,
    TIME_PATH_SEP,
    Definitions,
    parse_definitions,
    split_codes,
    split_names,
)

__all__ = ["split_names", "validate_definitions", "validate_scenarios"]

ISO3 = re.compile(r"[A-Z]{3}")


def _scenario_issues(tables: InputTables, defs: Definitions) -> list[Issue]:
    sc = tables.scenarios
    if sc is None or sc.empty:
        return []
    issues: list[Issue] = []
    known = {r.name for r in defs.rows} | {BASELINE}
    parent_of: dict[str, str] = {}
    row_of: dict[str, object] = {}
    for r in defs.rows:
        row_of.setdefault(r.name, r.row)
        if TIME_PATH_SEP in r.name:
            issues.append(issue_at(sc, r.row, "scenario",
                                   f"scenario names may not contain '{TIME_PATH_SEP.strip()}' "
                                   "after a space (reserved for time-path steps)"))
        if r.name == BASELINE:
            if r.parent:
                issues.append(issue_at(sc, r.row, "parent",
                                       "the baseline scenario cannot have a parent"))
            continue
        if r.parent and r.parent not in known:
            issues.append(issue_at(sc, r.row, "parent", f"unknown parent scenario '{r.parent}'"))
        elif r.parent == r.name:
            issues.append(issue_at(sc, r.row, "parent", "a scenario cannot be its own parent"))
        parent_of[r.name] = r.parent or BASELINE
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
                issues.append(issue_at(sc, row_of[member], "parent",
                                       f"scenario parent chain forms a cycle: {path}"))
    for col, known_items, what, sheet in (
            ("agreements", set(defs.agreements), "agreement", "agreements"),
            ("duties", set(defs.measures), "duty measure", "duties")):
        for r in defs.rows:
            for item in getattr(r, col):
                bare = item[1:].strip() if item.startswith(REMOVE) else item
                if bare not in known_items:
                    issues.append(issue_at(
                        sc, r.row, col, f"unknown {what} '{bare}' (not in the {sheet} sheet)"))
    return issues


def _agreement_issues(tables: InputTables, defs: Definitions) -> list[Issue]:
    ag = tables.agreements
    if ag is None or ag.empty:
        return []
    issues: list[Issue] = []
    for idx, cell in zip(ag.index, ag["members"], strict=True):
        codes = split_codes(cell)
        bad = [c for c in codes if not ISO3.fullmatch(c) and c not in defs.regions]
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
    if du is None or du.empty:
        return []
    issues = []
    if "end" in du.columns:
        bad = du["end"].notna() & du["start"].notna() & (du["end"] < du["start"])
        issues += [issue_at(du, idx, "end", "end date is before the start date")
                   for idx in du.index[bad.to_numpy()]]
    imp = du["importer"].astype(str).str.strip().str.upper()
    exp = du["exporter"].astype(str).str.strip().str.upper()
    for idx in du.index[(imp == exp).to_numpy()]:
        issues.append(issue_at(du, idx, "exporter",
                               "exporter equals importer: duties apply to imports, so this "
                               "row is ignored (give a region's internal tariff as an "
                               "explicit row of the applied sheet)", severity="warning"))
    return issues


def _utilisation_issues(tables: InputTables, members: dict[str, frozenset[str]]) -> list[Issue]:
    ut = tables.utilisation
    if ut is None or ut.empty:
        return []
    agreement = ut["agreement"].astype(str).str.strip()
    bad = ~agreement.isin([*members, "*"])
    return [issue_at(ut, idx, "agreement", "unknown agreement: row ignored", severity="warning")
            for idx in ut.index[bad.to_numpy()]]


def _baseline_issues(tables: InputTables, defs: Definitions) -> list[Issue]:
    issues = list(defs.meta_issues)
    needs_year = tables.preferences is not None and not tables.preferences.empty
    if defs.baseline_year is None and needs_year:
        file = defs.file
        if tables.preferences is not None and FILE_COL in tables.preferences.columns:
            file = str(tables.preferences[FILE_COL].iloc[0])
        issues.append(Issue(
            file=file, sheet="meta", cell="", value="",
            rule="no baseline year: set meta 'baseline_year' (or 'base_year') or a "
                 "'baseline' row with a year in the scenarios sheet; staging needs it"))
    return issues


def validate_definitions(tables: InputTables, defs: Definitions) -> list[Issue]:
    """Every problem of the scenarios, agreements, preferences, duties and utilisation sheets.

    Each issue names the cell that breaks a rule (see the module docstring for the rules).
    """
    members = defs.agreement_members
    return [
        *_scenario_issues(tables, defs),
        *_agreement_issues(tables, defs),
        *_preference_issues(tables, members),
        *_duty_issues(tables),
        *_utilisation_issues(tables, members),
        *_baseline_issues(tables, defs),
    ]


def validate_scenarios(tables: InputTables) -> list[Issue]:
    """:func:`validate_definitions` on the definitions parsed from ``tables``."""
    return validate_definitions(tables, parse_definitions(tables))
