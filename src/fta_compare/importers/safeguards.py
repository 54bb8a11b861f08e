"""Guards that keep an import from destroying base data (issue 13, item 7).

* :func:`aggregate_gaps`: a pair whose exporter or importer is an aggregate (``ROW`` or a
  region of the base) is replaced only by a file holding every member of that aggregate.
* :func:`pair_totals` / :func:`low_totals`: a replaced group whose imported total is below
  :data:`MIN_SHARE_OF_BASE` of its base total is refused unless the user accepts it.

Each check returns what it found; the importers turn it into issues (refusal) or, with the
user's flag, into a ``sources`` transformation and a ``meta`` record of the workbook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from fta_compare.errors import Issue
from fta_compare.importers.common import MAX_LISTED, _key, listing

MIN_SHARE_OF_BASE = 0.25  # a replaced group below 25% of its base total is refused
HIGH_MULTIPLE_OF_BASE = 4.0  # a replaced group above 4x its base total gets a note
# ISO members that BACI reports inside another code (see NUMERIC_SPECIAL): covered by it
REPORTED_WITH: dict[str, str] = {"MCO": "FRA", "SJM": "NOR", "LIE": "CHE", "PRI": "USA",
                                 "VIR": "USA"}
SIDES = ("exporter", "importer")


def group_labels(keys: pd.Series | pd.Index, by: Sequence[str]) -> pd.Series | pd.Index:
    """'KOR\\x1fROW' -> 'KOR<-ROW' for (importer, exporter), else 'a/b'."""
    join = "<-" if tuple(by) == ("importer", "exporter") else "/"
    return keys.str.replace("\x1f", join, regex=False)


# --------------------------------------------------------------------------- aggregates


@dataclass(frozen=True)
class Gap:
    """An aggregate on one side of replaced pairs, and the members the file lacks there."""

    aggregate: str
    side: str  # 'exporter' or 'importer'
    pairs: tuple[str, ...]  # 'KOR<-ROW' (importer<-exporter)
    present: tuple[str, ...]
    missing: tuple[str, ...]

    def text(self) -> str:
        n = len(self.present) + len(self.missing)
        return (f"{self.aggregate} as {self.side} of {', '.join(self.pairs)}: "
                f"{len(self.present)} of {n} members in the file, missing "
                f"{listing(list(self.missing))}")


def aggregate_gaps(pairs: pd.DataFrame, members: Mapping[str, set[str]],
                   present: Mapping[str, set[str]]) -> list[Gap]:
    """Aggregates on a side of the replaced ``pairs`` (importer, exporter) whose members
    are not all ``present`` on that side of the file (a member BACI reports inside another
    code, e.g. LIE in CHE, is present when that code is)."""
    gaps = []
    for agg in sorted(members):
        for side in SIDES:
            hit = pairs.loc[pairs[side] == agg]
            if hit.empty or not members[agg]:
                continue
            have = present.get(side, set())
            ok = {m for m in members[agg] if m in have or REPORTED_WITH.get(m, "") in have}
            missing = sorted(members[agg] - ok)
            if missing:
                labels = tuple(sorted(hit["importer"] + "<-" + hit["exporter"]))
                gaps.append(Gap(agg, side, labels, tuple(sorted(ok)), tuple(missing)))
    return gaps


def gap_issues(gaps: Sequence[Gap], totals: pd.DataFrame, *, file: str, sheet: str,
               cells: Mapping[str, str], columns: Mapping[str, str],
               unit: str) -> list[Issue]:
    """One issue per aggregate side: members present and missing, pairs with their totals."""
    out = []
    for g in gaps:
        n = len(g.present) + len(g.missing)
        pairs = "; ".join(f"{p} (base {totals.at[p, 'base']:,.0f}, file "
                          f"{totals.at[p, 'new']:,.0f})" for p in g.pairs[:10])
        if len(g.pairs) > 10:
            pairs += f"; ... ({len(g.pairs)} pairs)"
        out.append(Issue(file, sheet, cells.get(g.side, ""), g.aggregate, (
            f"{g.aggregate} as {g.side} (column '{columns.get(g.side, g.side)}'): the file "
            f"holds {len(g.present)} of the {n} members of {g.aggregate} "
            f"({listing(list(g.present))}); missing {len(g.missing):,}: "
            f"{listing(list(g.missing))}. Replacing {pairs} ({unit}; importer<-exporter) "
            "with these members' flows alone would delete every other member's trade, and "
            "the base has no member detail to take out only their part. Import the "
            "complete file (every exporter, e.g. an extract by importer, column j), or "
            "pass --complete-aggregates if the file does hold every member (one without "
            "a row did not trade); the flag is recorded in the workbook")))
    return out


# --------------------------------------------------------------------------- totals


def pair_totals(old: pd.DataFrame | None, new: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Per replaced group (label index): ``base`` total of the base rows, ``new`` total."""
    nk = group_labels(_key(new, by), by)
    got = pd.to_numeric(new["value"], errors="coerce").fillna(0.0).groupby(nk.to_numpy()).sum()
    out = pd.DataFrame({"new": got})
    out["base"] = 0.0
    if old is not None and not old.empty and "value" in old.columns:
        ok = group_labels(_key(old, by), by)
        base = pd.to_numeric(old["value"], errors="coerce").fillna(0.0) \
            .groupby(ok.to_numpy()).sum()
        out["base"] = base.reindex(out.index).fillna(0.0)
    out["share"] = out["new"] / out["base"].where(out["base"] > 0)
    return out


def low_totals(totals: pd.DataFrame) -> pd.DataFrame:
    """Groups whose new total is below :data:`MIN_SHARE_OF_BASE` of a positive base total,
    largest base first."""
    low = totals.loc[(totals["base"] > 0) & (totals["new"] < MIN_SHARE_OF_BASE * totals["base"])]
    return low.sort_values("base", ascending=False)


def describe_totals(rows: pd.DataFrame, unit: str) -> str:
    """'KOR<-ROW 1,104 of 398,212,134 (0.28%); ...' (first :data:`MAX_LISTED`), unit last."""
    parts = [f"{label} {r.new:,.0f} of {r.base:,.0f} ({r.share:.2%})"
             for label, r in zip(rows.index[:MAX_LISTED], rows.itertuples(), strict=False)]
    more = f"; ... ({len(rows):,} in all)" if len(rows) > MAX_LISTED else ""
    return "; ".join(parts) + more + f" ({unit})"


def low_issues(low: pd.DataFrame, *, file: str, sheet: str, cell: str, unit: str,
               what: str = "pair") -> list[Issue]:
    """One issue per group below the threshold (first :data:`MAX_LISTED`) and a summary."""
    out = [Issue(file, sheet, cell, str(label),
                 f"{what} {label}: the file's total {r.new:,.0f} is {r.share:.2%} of the "
                 f"base total {r.base:,.0f} ({unit}), below {MIN_SHARE_OF_BASE:.0%}")
           for label, r in zip(low.index[:MAX_LISTED], low.itertuples(), strict=False)]
    more = f" ({len(low) - MAX_LISTED:,} more not listed)" if len(low) > MAX_LISTED else ""
    out.append(Issue(file, sheet, cell, "", (
        f"{len(low):,} replaced {what}(s) would fall below {MIN_SHARE_OF_BASE:.0%} of their "
        f"base total{more}: the file looks like a partial extract (some exporters, products "
        "or months only), and replacing would delete the rest of the base's trade. Import a "
        "complete file, or pass --allow-low-totals if the fall is real (the pairs and both "
        "totals are then recorded in the workbook's sources and meta)")))
    return out


def high_note(totals: pd.DataFrame, unit: str) -> str | None:
    """A note for groups imported at more than :data:`HIGH_MULTIPLE_OF_BASE` times their base."""
    high = totals.loc[(totals["base"] > 0)
                      & (totals["new"] > HIGH_MULTIPLE_OF_BASE * totals["base"])]
    if high.empty:
        return None
    high = high.sort_values("new", ascending=False)
    return (f"{len(high)} replaced group(s) are more than {HIGH_MULTIPLE_OF_BASE:g}x their base "
            f"total (check the unit and year): {describe_totals(high, unit)}")
