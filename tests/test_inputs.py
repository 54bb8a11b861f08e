"""Reader and validator on real .xlsx files written by the tests (good and broken)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fta_compare.errors import InputError
from fta_compare.inputs import check_inputs, load_inputs
from fta_compare.inputs.hs import keyed_prefix_match, longest_prefix_index
from helpers import check_case_sheets, write_xlsx


def test_good_workbook_reads_with_text_hs_and_fractions(tmp_path: Path) -> None:
    p = write_xlsx(tmp_path / "ok.xlsx", check_case_sheets())
    t = load_inputs([p])
    assert list(t.trade["hs"]) == ["870323", "870323"]
    assert t.trade["value"].tolist() == [100.0, 200.0]
    assert t.applied["rate"].tolist() == [0.1, 0.1, 0.0]
    assert t.meta["focus"] == "KOR"
    # export_supply blank = infinitely elastic
    assert t.elasticities["export_supply"].iloc[0] == float("inf")


def test_leading_zero_hs_kept_as_text(tmp_path: Path) -> None:
    s = check_case_sheets()
    s["trade"].append(["KOR", "USA", "010121", 5.0])
    p = write_xlsx(tmp_path / "z.xlsx", s, text_columns={"trade": {2}})
    t = load_inputs([p])
    assert "010121" in set(t.trade["hs"])


def _errors(tmp_path: Path, sheets: dict) -> list[str]:
    p = write_xlsx(tmp_path / "bad.xlsx", sheets)
    tables, issues = check_inputs([p])
    assert tables is None
    return [str(i) for i in issues if i.severity == "error"]


def test_every_broken_cell_is_named_in_one_run(tmp_path: Path) -> None:
    s = check_case_sheets()
    s["applied"][1][4] = 8  # percent typed for a fraction
    s["applied"][2][3] = 10121  # HS as a number, leading zero lost
    s["applied"][3][1] = "XXX"  # unknown economy
    s["elasticities"][1][2] = 1.5  # positive import demand elasticity
    s["trade"][2][3] = -5  # negative trade
    errs = _errors(tmp_path, s)
    joined = "\n".join(errs)
    assert "bad.xlsx [applied!E2]" in joined and "percent" in joined
    assert "[applied!D3]" in joined and "leading zero" in joined
    assert "[applied!B4]" in joined and "'XXX'" in joined
    assert "[elasticities!C2]" in joined and "must be negative" in joined
    assert "[trade!D3]" in joined and ">= 0" in joined
    assert len(errs) == 5


def test_misspelt_header_is_named_with_suggestion(tmp_path: Path) -> None:
    s = check_case_sheets()
    s["trade"][0] = ["exporter", "importer", "hs", "valeu"]
    errs = _errors(tmp_path, s)
    assert any("[trade!D1]" in e and "'value' is missing" in e and "valeu" in e for e in errs)


def test_conflicting_duplicates_are_errors_exact_ones_warnings(tmp_path: Path) -> None:
    s = check_case_sheets()
    s["trade"].append(["KOR", "USA", "870323", 100.0])  # exact copy -> warning
    ok = write_xlsx(tmp_path / "dup.xlsx", s)
    tables, issues = check_inputs([ok])
    assert tables is not None and len(tables.trade) == 2
    assert any(i.severity == "warning" and "duplicate" in i.rule for i in issues)
    s["trade"].append(["KOR", "USA", "870323", 150.0])  # conflicting -> error
    errs = _errors(tmp_path, s)
    assert any("[trade!D5]" in e and "conflicting" in e for e in errs)


def test_rate_above_10_is_rejected_even_with_max_rate(tmp_path: Path) -> None:
    s = check_case_sheets()
    s["meta"].append(["max_rate", 10])
    s["applied"][1][4] = 1.45  # 145% is allowed when max_rate says so
    s["applied"][2][4] = 12  # 1200%
    errs = _errors(tmp_path, s)
    assert len(errs) == 1 and "[applied!E3]" in errs[0] and "above 10" in errs[0]


def test_missing_trade_sheet_and_baseline(tmp_path: Path) -> None:
    s = check_case_sheets()
    del s["trade"]
    s["applied"] = [r for r in s["applied"] if r[0] != "baseline"]
    errs = _errors(tmp_path, s)
    assert any("no 'trade' sheet" in e for e in errs)
    assert any("'baseline' is required" in e for e in errs)


def test_two_workbooks_union_and_duplicate_sheet_error(tmp_path: Path) -> None:
    s = check_case_sheets()
    a = write_xlsx(tmp_path / "a.xlsx", {"trade": s["trade"], "meta": s["meta"]})
    b = write_xlsx(tmp_path / "b.xlsx", {"applied": s["applied"],
                                         "elasticities": s["elasticities"]})
    t = load_inputs([a, b])
    assert len(t.trade) == 2 and len(t.applied) == 3
    c = write_xlsx(tmp_path / "c.xlsx", {"trade": s["trade"]})
    with pytest.raises(InputError) as exc:
        load_inputs([a, b, c])
    assert "more than one input" in str(exc.value)


def test_workbooks_read_together_as_one_by_one(tmp_path: Path) -> None:
    """Several inputs are read side by side and joined in the order given: the issues
    and the joined tables are those of reading each file in turn."""
    from fta_compare.inputs.reader import read_inputs
    from fta_compare.inputs.tables import SHEET_COL

    s = check_case_sheets()
    head, body = s["trade"][0], s["trade"][1:]
    a = write_xlsx(tmp_path / "a.xlsx", {"trade_1": [head, body[0]], "meta": s["meta"],
                                         "notes": [["free text"]]})
    b = write_xlsx(tmp_path / "b.xlsx", {"trade_2": [head, body[1]],
                                         "elasticities": s["elasticities"],
                                         "scratch": [["more"]]})
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    pd.DataFrame(s["applied"][1:], columns=s["applied"][0]).to_csv(tmp_path / "applied.csv",
                                                                   index=False)
    files = [a, b, empty, tmp_path / "applied.csv"]
    together = read_inputs(files)
    alone = [read_inputs([f]) for f in files]
    assert together.files == [str(f) for f in files]
    assert together.issues == [i for r in alone for i in r.issues]
    assert len(together.issues) == 3  # two unknown sheets, one empty file
    assert together.tables["trade"][SHEET_COL].tolist() == ["trade_1", "trade_2"]
    assert together.tables["trade"]["value"].tolist() == [100.0, 200.0]
    assert together.unreadable == {"empty.xlsx"}


def test_split_sheets_are_joined_and_csv_parquet_mix(tmp_path: Path) -> None:
    s = check_case_sheets()
    body = s["trade"][1:]
    wb = write_xlsx(tmp_path / "w.xlsx", {
        "trade_1": [s["trade"][0], body[0]], "trade_2": [s["trade"][0], body[1]],
        "meta": s["meta"], "elasticities": s["elasticities"]})
    pd.DataFrame(s["applied"][1:], columns=s["applied"][0]).to_csv(tmp_path / "applied.csv",
                                                                   index=False)
    t = load_inputs([wb, tmp_path / "applied.csv"])
    assert sorted(t.trade["value"]) == [100.0, 200.0]
    assert len(t.applied) == 3
    pd.DataFrame(s["applied"][1:], columns=s["applied"][0]).to_parquet(
        tmp_path / "applied.parquet")
    t2 = load_inputs([wb, tmp_path / "applied.parquet"])
    assert t2.applied["rate"].tolist() == t.applied["rate"].tolist()


def test_not_a_workbook_renamed_and_empty_file(tmp_path: Path) -> None:
    csv = tmp_path / "fake.xlsx"
    csv.write_text("exporter,importer,hs,value\nKOR,USA,01,1\n")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    _, issues = check_inputs([csv, empty])
    text = "\n".join(map(str, issues))
    assert "fake.xlsx" in text and "not an .xlsx workbook" in text
    assert "empty.xlsx" in text and "empty" in text


def test_longest_prefix_index_prefers_specific_code() -> None:
    got = longest_prefix_index(pd.Series(["010121", "020110", "870323"]),
                               pd.Series(["01", "0101", "*", "8703"]))
    assert got.tolist() == [1, 2, 3]


def test_keyed_prefix_match_respects_keys() -> None:
    target = pd.DataFrame({"importer": ["USA", "JPN", "USA"], "hs": ["870323", "870323",
                                                                     "010121"]})
    rules = pd.DataFrame({"importer": ["USA", "USA", "JPN"], "hs": ["87", "8703", "*"]})
    assert keyed_prefix_match(target, rules, ["importer"]).tolist() == [1, 2, -1]


def test_meta_settings_are_typed_and_every_bad_key_is_reported() -> None:
    from fta_compare.inputs.settings import parse_meta

    codes = frozenset({"KOR", "JPN"})
    ok, problems = parse_meta({"focus": "kor", "max_rate": "3.5", "depth_sigma": "6",
                               "baseline_date": "2025-01-01", "note": "kept"}, codes)
    assert problems == [] and ok.focus == "KOR" and ok.rate_cap == 3.5
    assert ok.depth_sigma == 6.0 and ok.baseline_date.year == 2025
    assert ok.model_extra == {"note": "kept"}
    bad, problems = parse_meta({"focus": "XXX", "max_rate": "lots", "depth_sigma": "1",
                                "hs_revision": "HS2099"}, codes)
    keys = sorted(k for k, _, _ in problems)
    assert keys == ["depth_sigma", "focus", "hs_revision", "max_rate"]
    assert bad.max_rate == 1.0  # defaults kept so validation can go on


def test_cyclic_gc_paused_while_reading_and_restored(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The collector is off while the rows are read and back on after (also on error)."""
    import gc

    from fta_compare.inputs import reader

    path = write_xlsx(tmp_path / "in.xlsx", check_case_sheets())
    seen: list[bool] = []
    real = reader._read_paths

    def spy(*args: object) -> None:
        seen.append(gc.isenabled())
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "_read_paths", spy)
    assert gc.isenabled()
    assert "trade" in reader.read_inputs([path]).tables
    assert seen == [False] and gc.isenabled()

    def boom(*args: object) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(reader, "_read_paths", boom)
    with pytest.raises(RuntimeError):
        reader.read_inputs([path])
    assert gc.isenabled()


def test_dates_parsed_once_per_distinct_cell_flag_every_row() -> None:
    """A date column is parsed once per distinct cell and expanded back to its rows: every
    row of a repeated bad cell is named, each good one gets its date, blanks stay blank."""
    import datetime

    import numpy as np

    from fta_compare.inputs.cells import Column
    from fta_compare.inputs.columns import Collector, convert_column
    from fta_compare.inputs.schema import ColumnSpec
    from fta_compare.inputs.tables import FILE_COL, ROW_COL, SHEET_COL

    cells = ["2025-04-05", "today", datetime.date(2025, 4, 5), None, "today",
             "2025-04-05T00:00:00+09:00", 45000.0, "1900-01-01", "2025-04-05"]
    df = pd.DataFrame({"date": pd.Series(cells, dtype=object), FILE_COL: "w.xlsx",
                       SHEET_COL: "duties", ROW_COL: np.arange(2, 2 + len(cells))})
    out = Collector()
    got = convert_column(df, Column(df["date"]), ColumnSpec("date", "date", allow_blank=True),
                         None, frozenset(), 10.0, out)  # type: ignore[arg-type]
    day = pd.Timestamp("2025-04-05")
    assert [got[i] for i in (0, 2, 5, 8)] == [day] * 4
    assert got[[1, 3, 4, 6, 7]].isna().all()
    named = sorted((i.cell, i.rule) for i in out.issues)
    assert named == [("date3", "not a date (use a date cell or text YYYY-MM-DD)"),
                     ("date6", "not a date (use a date cell or text YYYY-MM-DD)"),
                     ("date8", "not a date (use a date cell or text YYYY-MM-DD)"),
                     ("date9", "date outside 1947-2100 (a typing error?)")]
