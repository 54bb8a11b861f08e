"""validate_scenarios on broken sheets: every problem reported, at its exact cell."""

from __future__ import annotations

import pandas as pd

from fta_compare.errors import Issue
from fta_compare.inputs.tables import InputTables
from fta_compare.scenarios.validate import split_names, validate_scenarios

FILE = "policy.xlsx"


def sheet(name: str, columns: list[str], rows: list[tuple], file: str = FILE,
          dates: tuple[str, ...] = (), ints: tuple[str, ...] = ()) -> pd.DataFrame:
    """A table as the reader returns it: hidden _file/_sheet/_row columns and letters."""
    df = pd.DataFrame(rows, columns=columns)
    for c in dates:
        df[c] = pd.to_datetime(df[c].replace("", None))
    for c in ints:
        df[c] = pd.array([None if v == "" else int(v) for v in df[c]], dtype="Int64")
    df["_file"] = file
    df["_sheet"] = name
    df["_row"] = range(2, len(df) + 2)  # header is row 1
    df.attrs["letters"] = {(file, name): {c: chr(65 + k) for k, c in enumerate(columns)}}
    return df


SC_COLS = ["scenario", "parent", "year", "date", "agreements", "duties", "description"]
AG_COLS = ["agreement", "members", "in_force"]
PR_COLS = ["agreement", "importer", "hs", "year", "rate", "exporter"]
DU_COLS = ["measure", "importer", "exporter", "hs", "rate", "mode", "start", "end", "source"]


def good() -> dict[str, object]:
    return dict(
        trade=pd.DataFrame({"exporter": ["JPN"], "importer": ["KOR"], "hs": ["870321"],
                            "value": [1.0]}),
        regions=sheet("regions", ["code", "name", "members"], [("EUN", "EU", "DEU,FRA")]),
        agreements=sheet("agreements", AG_COLS, [("KJ", "KOR,JPN", ""),
                                                 ("KEU", "KOR,EUN", "2011")], ints=("in_force",)),
        preferences=sheet("preferences", PR_COLS, [("KJ", "KOR", "87", "2026", 0.0, ""),
                                                   ("KEU", "DEU", "87", "2011", 0.0, "KOR")],
                          ints=("year",)),
        duties=sheet("duties", DU_COLS, [("s232", "USA", "*", "87", 0.25, "add", "2025-04-03",
                                          "", "Proclamation 10908")], dates=("start", "end")),
        scenarios=sheet("scenarios", SC_COLS, [("cjk", "", "2026", "", "KJ", "s232", "")],
                        ints=("year",)),
        meta={"baseline_year": "2024"},
    )


def where(issues: list[Issue]) -> set[tuple[str, str, str]]:
    return {(i.file, i.sheet, i.cell) for i in issues if i.severity == "error"}


def test_clean_sheets_have_no_issues() -> None:
    assert validate_scenarios(InputTables(**good())) == []  # type: ignore[arg-type]


def test_scenario_sheet_errors_name_the_exact_cell() -> None:
    t = good()
    t["scenarios"] = sheet("scenarios", SC_COLS, [
        ("a", "b", "", "", "", "", ""),              # row 2: cycle a -> b -> a
        ("b", "a", "", "", "", "", ""),              # row 3
        ("c", "nowhere", "", "", "", "", ""),        # row 4: unknown parent
        ("d", "", "", "", "KJ, NOPE", "-s232,ghost", ""),  # row 5: unknown names
        ("baseline", "a", "", "", "", "", ""),       # row 6: baseline with a parent
        ("e", "e", "", "", "", "", ""),              # row 7: its own parent
    ], ints=("year",))
    issues = validate_scenarios(InputTables(**t))  # type: ignore[arg-type]
    assert where(issues) == {(FILE, "scenarios", c) for c in ("B2", "B3", "B4", "E5", "F5",
                                                                 "B6", "B7")}
    by_cell = {i.cell: i for i in issues}
    assert "cycle" in by_cell["B2"].rule and "a -> b -> a" in by_cell["B2"].rule
    assert "unknown parent scenario 'nowhere'" in by_cell["B4"].rule
    assert "unknown agreement 'NOPE'" in by_cell["E5"].rule
    assert "unknown duty measure 'ghost'" in by_cell["F5"].rule
    assert by_cell["E5"].value == "KJ, NOPE"
    assert "baseline" in by_cell["B6"].rule
    assert "policy.xlsx [scenarios!B4]" in str(by_cell["B4"])


def test_agreement_member_codes_must_be_iso3_or_regions() -> None:
    t = good()
    t["agreements"] = sheet("agreements", AG_COLS, [
        ("KJ", "KOR,JPN", ""),
        ("BAD", "KOR,JP1,EUN", ""),   # row 3: JP1 not ISO3, EUN a declared region
        ("SOLO", "KOR", ""),          # row 4: one member
        ("XX", "KOR,EU", ""),         # row 5: EU neither ISO3 nor declared
    ], ints=("in_force",))
    t["preferences"] = None
    issues = validate_scenarios(InputTables(**t))  # type: ignore[arg-type]
    assert where(issues) == {(FILE, "agreements", "B3"), (FILE, "agreements", "B4"),
                             (FILE, "agreements", "B5")}
    rules = " | ".join(i.rule for i in issues)
    assert "'JP1'" in rules and "'EU'" in rules and "'EUN'" not in rules


def test_preference_rows_unknown_agreement_and_non_members() -> None:
    t = good()
    t["preferences"] = sheet("preferences", PR_COLS, [
        ("KJ", "KOR", "87", "2026", 0.0, ""),      # row 2 fine
        ("NOPE", "KOR", "87", "2026", 0.0, ""),    # row 3 unknown agreement -> A3
        ("KJ", "USA", "87", "2026", 0.0, ""),      # row 4 importer not member -> B4
        ("KJ", "KOR", "87", "2026", 0.0, "CHN"),   # row 5 exporter not member -> F5
        ("KEU", "FRA", "87", "2011", 0.0, ""),     # row 6 member through region EUN: fine
        ("KJ", "KOR", "87", "2026", 0.0, "KOR"),   # row 7 exporter == importer: warning
    ], ints=("year",))
    issues = validate_scenarios(InputTables(**t))  # type: ignore[arg-type]
    assert where(issues) == {(FILE, "preferences", "A3"), (FILE, "preferences", "B4"),
                             (FILE, "preferences", "F5")}
    warn = [i for i in issues if i.severity == "warning"]
    assert [(w.sheet, w.cell) for w in warn] == [("preferences", "F7")]


def test_duty_end_before_start_and_missing_baseline_year() -> None:
    t = good()
    t["duties"] = sheet("duties", DU_COLS, [
        ("s232", "USA", "*", "87", 0.25, "add", "2025-04-03", "", "x"),
        ("old", "USA", "CHN", "*", 0.10, "add", "2025-04-03", "2025-01-01", "x"),  # row 3
        ("same", "USA", "CHN", "*", 0.10, "add", "2025-04-03", "2025-04-03", "x"),  # ok
    ], dates=("start", "end"))
    t["meta"] = {"baseline_year": "20x4"}
    issues = validate_scenarios(InputTables(**t))  # type: ignore[arg-type]
    errs = [i for i in issues if i.severity == "error"]
    assert {(i.sheet, i.cell) for i in errs} == {("duties", "H3"), ("meta", "")}
    assert len([i for i in errs if i.sheet == "meta"]) == 2  # bad value + no year at all
    assert any("baseline_year" in i.rule for i in errs)


def test_files_and_split_sheets_are_kept_apart() -> None:
    t = good()
    sc = sheet("scenarios", SC_COLS, [("x", "ghost", "", "", "", "", "")], file="b.xlsx",
               ints=("year",))
    t["scenarios"] = sc
    (issue,) = validate_scenarios(InputTables(**t))  # type: ignore[arg-type]
    assert (issue.file, issue.sheet, issue.cell, issue.value) == ("b.xlsx", "scenarios", "B2",
                                                                  "ghost")


def test_split_names() -> None:
    assert split_names(" a, b ,,-c ") == ["a", "b", "-c"]
    assert split_names("") == [] and split_names(None) == [] and split_names(float("nan")) == []
    assert split_names(["x", " y"]) == ["x", "y"]
