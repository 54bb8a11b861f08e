"""A corpus of broken inputs: each gives exit 1, no traceback, and names file, sheet, cell.

Every workbook is generated here (openpyxl, or zipfile rewrites of an openpyxl file), never
a stored binary. Each case states the exact issue expected: file, sheet, cell and a
substring of the rule, checked both on the structured :class:`Issue` list and on the
``fta-compare validate`` output. ``test_one_run_lists_every_problem`` puts many problems
in one workbook and checks that a single run lists them all.

The builders at the top are shared with the other robustness test modules.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from defusedxml import ElementTree as SafeET
from openpyxl import load_workbook

from fta_compare import api
from fta_compare.cli import main
from fta_compare.errors import Issue
from fta_compare.inputs import check_inputs
from fta_compare.inputs import xlsx_container as container_mod
from helpers import Rows, check_case_sheets, write_xlsx

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


# ----------------------------------------------------------------------------- builders


def schedule_sheets() -> dict[str, Rows]:
    """A valid workbook built from schedules (mfn, agreements, preferences, duties...)."""
    return {
        "trade": [["exporter", "importer", "hs", "value"],
                  ["KOR", "USA", "870323", 100.0],
                  ["JPN", "USA", "870323", 200.0],
                  ["CHN", "KOR", "850760", 50.0],
                  ["JPN", "KOR", "850760", 30.0]],
        "elasticities": [["hs", "country", "import_demand", "substitution", "export_supply"],
                         ["*", "*", -1.25, 1.5, None],
                         ["87", "USA", -1.5, 2.0, 5.0]],
        "mfn": [["importer", "hs", "rate"], ["USA", "8703", 0.025], ["KOR", "85", 0.08]],
        "agreements": [["agreement", "members", "in_force", "description", "source"],
                       ["CJK", "CHN, JPN, KOR", None, "hypothetical", "test"]],
        "preferences": [["agreement", "importer", "hs", "year", "rate", "exporter"],
                        ["CJK", "KOR", "85", 2026, 0.0, None]],
        "duties": [["measure", "importer", "exporter", "hs", "rate", "mode", "start", "end",
                    "source"],
                   ["s232", "USA", "*", "8703", 0.25, "add", "2025-04-03", None,
                    "Proclamation 10908"]],
        "scenarios": [["scenario", "parent", "year", "date", "agreements", "duties",
                       "description"],
                      ["baseline", None, 2024, None, None, None, "status quo"],
                      ["cjk", None, 2026, None, "CJK", None, "CJK FTA"],
                      ["us232", None, 2025, "2025-06-01", None, "s232", "US duties"]],
        "depth": [["agreement", "area", "category", "coverage"],
                  ["CJK", "investment", "WTO-X", 2]],
        "meta": [["key", "value"], ["focus", "KOR"], ["hs_revision", "HS2017"],
                 ["base_year", 2024]],
    }


def write_text_cells(path: Path, sheets: dict[str, Rows]) -> Path:
    """Like ``write_xlsx`` but strings starting with '=' stay text (openpyxl would make
    them formulas)."""
    write_xlsx(path, sheets)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    c.data_type = "s"
    wb.save(path)
    return path


def sheet_part(path: Path, sheet: str) -> str:
    """The zip part holding ``sheet`` (workbook.xml + rels, parsed with defusedxml)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    with zipfile.ZipFile(path) as zf:
        wb = SafeET.fromstring(zf.read("xl/workbook.xml"))
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", ns)}
    for s in wb.findall("m:sheets/m:sheet", ns):
        if s.get("name") == sheet:
            target = targets[s.get(f"{{{ns['r']}}}id")]
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(sheet)


def rewrite_part(path: Path, part: str, fn: Callable[[bytes], bytes],
                 out: Path | None = None) -> Path:
    """Rewrite one zip part of a workbook (in place unless ``out`` is given)."""
    with zipfile.ZipFile(path) as zi:
        items = [(i, zi.read(i)) for i in zi.infolist()]
    dest = out or path
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zo:
        for info, data in items:
            zo.writestr(info.filename, fn(data) if info.filename == part else data)
    return dest


def set_cell_xml(path: Path, sheet: str, cell: str, xml: bytes) -> Path:
    """Replace the XML of one cell of ``sheet`` (e.g. to make it an Excel error cell)."""
    pattern = re.compile(rb'<c r="' + cell.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)

    def fn(data: bytes) -> bytes:
        new, n = pattern.subn(xml, data, count=1)
        assert n == 1, f"cell {cell} not found in {sheet}"
        return new

    return rewrite_part(path, sheet_part(path, sheet), fn)


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


def run_validate(*paths: Path) -> Any:
    return CliRunner().invoke(main, ["validate", *map(str, paths)])


# ----------------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class Case:
    """A broken input and the issue it must produce."""

    build: Callable[[Path], list[Path]]
    file: str
    sheet: str
    cell: str
    rule: str


def _edit(sheets_fn: Callable[[], dict[str, Rows]], edit: Callable[[dict[str, Rows]], Any],
          name: str = "bad.xlsx") -> Callable[[Path], list[Path]]:
    def build(tmp: Path) -> list[Path]:
        s = sheets_fn()
        edit(s)
        return [write_xlsx(tmp / name, s)]
    return build


def _cc(edit: Callable[[dict[str, Rows]], Any]) -> Callable[[Path], list[Path]]:
    return _edit(check_case_sheets, edit)


def _sc(edit: Callable[[dict[str, Rows]], Any]) -> Callable[[Path], list[Path]]:
    return _edit(schedule_sheets, edit)


def _set(sheet: str, row: int, col: int, value: Any) -> Callable[[dict[str, Rows]], None]:
    def edit(s: dict[str, Rows]) -> None:
        s[sheet][row][col] = value
    return edit


def _append(sheet: str, row: list[Any]) -> Callable[[dict[str, Rows]], None]:
    return lambda s: s[sheet].append(row)


def _drop(sheet: str) -> Callable[[dict[str, Rows]], None]:
    return lambda s: s.pop(sheet)


def _both(*edits: Callable[[dict[str, Rows]], Any]) -> Callable[[dict[str, Rows]], None]:
    def edit(s: dict[str, Rows]) -> None:
        for e in edits:
            e(s)
    return edit


def _drop_column(sheet: str, col: int) -> Callable[[dict[str, Rows]], None]:
    def edit(s: dict[str, Rows]) -> None:
        s[sheet] = [r[:col] + r[col + 1:] for r in s[sheet]]
    return edit


def _after(build: Callable[[Path], list[Path]],
           fix: Callable[[Path], Any]) -> Callable[[Path], list[Path]]:
    def run(tmp: Path) -> list[Path]:
        paths = build(tmp)
        fix(paths[0])
        return paths
    return run


def _openpyxl(fn: Callable[[Any], Any]) -> Callable[[Path], None]:
    def fix(path: Path) -> None:
        wb = load_workbook(path)
        fn(wb)
        wb.save(path)
    return fix


def _raw(name: str, data: bytes) -> Callable[[Path], list[Path]]:
    def build(tmp: Path) -> list[Path]:
        p = tmp / name
        p.write_bytes(data)
        return [p]
    return build


def _truncated(tmp: Path) -> list[Path]:
    good = write_xlsx(tmp / "good.xlsx", check_case_sheets()).read_bytes()
    p = tmp / "cut.xlsx"
    p.write_bytes(good[: len(good) // 2])
    return [p]


def _renamed_workbook_csv(tmp: Path) -> list[Path]:
    good = write_xlsx(tmp / "good.xlsx", check_case_sheets()).read_bytes()
    p = tmp / "trade.csv"
    p.write_bytes(good)
    return [p]


def _two_files_same_sheet(tmp: Path) -> list[Path]:
    s = check_case_sheets()
    a = write_xlsx(tmp / "a.xlsx", s)
    b = write_xlsx(tmp / "b.xlsx", {"trade": s["trade"]})
    return [a, b]


def _csv(name: str, text: bytes) -> Callable[[Path], list[Path]]:
    def build(tmp: Path) -> list[Path]:
        book = write_xlsx(tmp / "rest.xlsx", {k: v for k, v in check_case_sheets().items()
                                              if k != "trade"})
        p = tmp / name
        p.write_bytes(text)
        return [book, p]
    return build


def _parquet_lists(tmp: Path) -> list[Path]:
    p = tmp / "trade.parquet"
    pd.DataFrame({"exporter": [["KOR"], ["JPN"]], "importer": ["USA", "USA"],
                  "hs": ["870323", "870323"], "value": [1.0, 2.0]}).to_parquet(p)
    return [p]


def _too_big(tmp: Path) -> list[Path]:
    return [write_xlsx(tmp / "big.xlsx", check_case_sheets())]


def _merge(ws_name: str, rng: str) -> Callable[[Path], None]:
    return _openpyxl(lambda wb: wb[ws_name].merge_cells(rng))


def _formula(ws_name: str, cell: str, formula: str) -> Callable[[Path], None]:
    def fn(wb: Any) -> None:
        wb[ws_name][cell] = formula
    return _openpyxl(fn)


def _hide(ws_name: str, state: str = "hidden") -> Callable[[Path], None]:
    def fn(wb: Any) -> None:
        wb[ws_name].sheet_state = state
    return _openpyxl(fn)


NO_CACHE = "formula without a cached value"
CC = "bad.xlsx"  # most cases write this file

CASES: dict[str, Case] = {
    # --- sheets and columns
    "missing trade sheet": Case(_cc(_drop("trade")), CC, "trade", "",
                                "required sheet 'trade' is missing"),
    "missing applied and schedules": Case(_cc(_drop("applied")), CC, "applied", "",
                                          "required sheet 'applied' is missing"),
    "schedules without scenarios": Case(
        _sc(_drop("scenarios")), CC, "applied", "", "found mfn"),
    "missing column": Case(_cc(_drop_column("trade", 3)), CC, "trade", "1:1",
                           "required column 'value' is missing"),
    "misspelt header": Case(_cc(_set("trade", 0, 3, "valeu")), CC, "trade", "D1",
                            "'value' is missing in the header row; found 'valeu'"),
    "misspelt elasticity header": Case(
        _cc(_set("elasticities", 0, 2, "import_demnd")), CC, "elasticities", "C1",
        "found 'import_demnd' (misspelt?)"),
    "column given twice": Case(_cc(lambda s: [r.append(r[3]) for r in s["trade"]]), CC,
                               "trade", "E1", "appears twice in the header row (also D1)"),
    "hidden sheet": Case(_after(_cc(lambda s: None), _hide("elasticities")), CC,
                         "elasticities", "", "sheet is hidden"),
    "very hidden sheet": Case(_after(_cc(lambda s: None), _hide("applied", "veryHidden")), CC,
                              "applied", "", "sheet is hidden"),
    "sheet in two inputs": Case(_two_files_same_sheet, "b.xlsx", "trade", "",
                                "given in more than one input"),
    "no baseline scenario": Case(
        _cc(lambda s: [r.__setitem__(0, "base") for r in s["applied"][1:]]), CC, "applied",
        "A", "scenario 'baseline' is required"),
    # --- types and blanks
    "text in value": Case(_cc(_set("trade", 1, 3, "abc")), CC, "trade", "D2",
                          "value is not a number"),
    "date in value": Case(_cc(_set("trade", 2, 3, pd.Timestamp("2024-01-01").to_pydatetime())),
                          CC, "trade", "D3", "value is not a number"),
    "text in rate": Case(_cc(_set("applied", 2, 4, "ten percent")), CC, "applied", "E3",
                         "rate is not a number"),
    "text elasticity": Case(_cc(_set("elasticities", 1, 3, "high")), CC, "elasticities",
                            "D2", "elasticity is not a number"),
    "blank exporter": Case(_cc(_set("trade", 2, 0, None)), CC, "trade", "A3",
                           "required cell is blank"),
    "blank hs": Case(_cc(_set("applied", 1, 3, "  ")), CC, "applied", "D2",
                     "required cell is blank"),
    "conflicting duplicate trade": Case(_cc(_append("trade", ["KOR", "USA", "870323", 150.0])),
                                        CC, "trade", "D4", "with a conflicting value"),
    "conflicting duplicate rate": Case(
        _cc(_append("applied", ["baseline", "USA", "KOR", "870323", 0.2])), CC, "applied",
        "E5", "with a conflicting value"),
    # --- values
    "negative trade": Case(_cc(_set("trade", 2, 3, -5)), CC, "trade", "D3",
                           "trade value must be >= 0"),
    "absurd trade value": Case(_cc(_set("trade", 1, 3, 1e20)), CC, "trade", "D2",
                               "not plausible in any currency unit"),
    "infinite trade": Case(_cc(_set("trade", 1, 3, "inf")), CC, "trade", "D2",
                           "trade value must be finite"),
    "rate typed as percent": Case(_cc(_set("applied", 1, 4, 8)), CC, "applied", "E2",
                                  "looks like a percent"),
    "rate above 10": Case(_cc(_both(_append("meta", ["max_rate", 10]),
                                    _set("applied", 2, 4, 12))), CC, "applied", "E3",
                          "rate above 10 (1000%)"),
    "negative rate": Case(_cc(_set("applied", 3, 4, -0.1)), CC, "applied", "E4",
                          "rate is negative"),
    "positive import demand": Case(_cc(_set("elasticities", 1, 2, 1.5)), CC, "elasticities",
                                   "C2", "import demand elasticity must be negative"),
    "zero substitution": Case(_cc(_set("elasticities", 1, 3, 0)), CC, "elasticities", "D2",
                              "substitution elasticity must be positive"),
    "negative export supply": Case(_cc(_set("elasticities", 1, 4, -2)), CC, "elasticities",
                                   "E2", "export supply elasticity must be positive"),
    "absurd elasticity": Case(_cc(_set("elasticities", 1, 2, -1e9)), CC, "elasticities",
                              "C2", "is not plausible"),
    "meta max_rate not a number": Case(_cc(_append("meta", ["max_rate", "lots"])), CC, "meta",
                                       "B5", "meta 'max_rate': must be a positive number"),
    # --- codes
    "unknown exporter": Case(_cc(_set("trade", 1, 0, "XXX")), CC, "trade", "A2",
                             "unknown economy code"),
    "country name for code": Case(_cc(_set("applied", 1, 1, "KOREA")), CC, "applied", "B2",
                                  "unknown economy code"),
    "unknown elasticity country": Case(_cc(_set("elasticities", 1, 1, "ZZZ")), CC,
                                       "elasticities", "B2", "unknown economy code"),
    "unknown member": Case(_sc(_set("agreements", 1, 1, "CHN, XXX, KOR")), CC, "agreements",
                           "B2", "member list holds a code that is not ISO 3166"),
    "meta base_year not a year": Case(_sc(_set("meta", 3, 1, "twenty")), CC, "meta", "B4",
                                      "meta 'base_year': must be a whole year"),
    "meta baseline_date not a date": Case(_sc(_append("meta", ["baseline_date", "2025-02-30"])),
                                          CC, "meta", "B5", "meta 'baseline_date': must be"),
    "unknown focus": Case(_cc(_set("meta", 1, 1, "XYZ")), CC, "meta", "B2",
                          "meta 'focus': unknown economy code"),
    # --- HS codes
    "hs lost leading zero (applied)": Case(_cc(_set("applied", 2, 3, 10121)), CC, "applied",
                                           "D3", "lost its leading zero"),
    "hs lost leading zero (trade)": Case(
        _cc(_append("trade", ["KOR", "USA", 10121, 5.0])), CC, "trade", "C4",
        "lost its leading zero"),
    "hs too long": Case(_cc(_set("trade", 1, 2, "8703231")), CC, "trade", "C2",
                        "HS code must be 2 to 6 digits"),
    "hs with letters": Case(_cc(_set("trade", 1, 2, "87O323")), CC, "trade", "C2",
                            "HS code must be 2 to 6 digits"),
    "hs full-width digits": Case(_cc(_set("trade", 1, 2, "８７０３２３")), CC, "trade", "C2",
                                 "HS code must be 2 to 6 digits"),
    "hs code and its prefix (mixed levels)": Case(
        _cc(_append("trade", ["KOR", "USA", "8703", 10.0])), CC, "trade", "C2",
        "HS code '870323' and its own prefix '8703' (cell C4)"),
    "hs revision unknown": Case(_sc(_set("meta", 2, 1, "HS2030")), CC, "meta", "B3",
                                "meta 'hs_revision': must be one of HS1992"),
    # --- workbook structure
    "merged cells": Case(_after(_cc(lambda s: None), _merge("trade", "A2:A3")), CC, "trade",
                         "A2:A3", "merged cells are not allowed"),
    "formula without cached value": Case(
        _after(_cc(lambda s: None), _formula("trade", "D2", "=100+0")), CC, "trade", "D2",
        NO_CACHE),
    "excel error cell": Case(
        _after(_cc(lambda s: None), lambda p: set_cell_xml(
            p, "applied", "E2", b'<c r="E2" t="e"><v>#N/A</v></c>')), CC, "applied", "E2",
        "Excel error value"),
    # --- files
    ".xls renamed .xlsx": Case(_raw("old.xlsx", OLE2_MAGIC + b"\0" * 504
                                    + "Workbook".encode("utf-16-le") + b"\0\0" + b"\0" * 512),
                               "old.xlsx", "", "", "old .xls workbook"),
    "password-protected workbook": Case(_raw("locked.xlsx", OLE2_MAGIC + b"\0" * 4088),
                                        "locked.xlsx", "", "", "password-protected"),
    "encrypted package stream": Case(
        _raw("enc.xlsx", OLE2_MAGIC + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le")
             + b"\0" * 512), "enc.xlsx", "", "", "password-protected (encrypted) workbook"),
    ".csv renamed .xlsx": Case(_raw("fake.xlsx", b"exporter,importer,hs,value\nKOR,USA,01,1\n"),
                               "fake.xlsx", "", "", "not an .xlsx workbook (content is text"),
    "empty file": Case(_raw("empty.xlsx", b""), "empty.xlsx", "", "", "file is empty"),
    "truncated zip": Case(_truncated, "cut.xlsx", "", "", "damaged or truncated"),
    "zip that is no workbook": Case(_raw("other.xlsx", b"PK\x05\x06" + b"\0" * 18),
                                    "other.xlsx", "", "", "no xl/workbook.xml"),
    "xlsx renamed .csv": Case(_renamed_workbook_csv, "trade.csv", "", "",
                              "is an Excel workbook, not CSV"),
    "csv not utf-8": Case(_csv("trade.csv", "exporter,importer,hs,value\nKOR,USA,"
                                "870323,1\nKOR,USA,870324,é\n".encode("latin-1")),
                          "trade.csv", "", "", "not UTF-8"),
    "csv with a non-table name": Case(_csv("imports.csv", b"exporter\nKOR\n"), "imports.csv",
                                      "", "", "must be a contract table name"),
    "damaged parquet": Case(_raw("trade.parquet", b"PAR1" + b"\x00" * 64), "trade.parquet", "",
                            "", "cannot read Parquet"),
    "parquet with list cells": Case(_parquet_lists, "trade.parquet", "trade", "A2",
                                    "unknown economy code"),
    "unsupported extension": Case(_raw("trade.txt", b"x"), "trade.txt", "", "",
                                  "unsupported file type"),
    "file over the size limit": Case(_too_big, "big.xlsx", "", "", "larger than the"),
    # --- dates, years, enums (schedules workbook)
    "bad date": Case(_sc(_set("duties", 1, 6, "2025-13-01")), CC, "duties", "G2",
                     "not a date"),
    "relative date": Case(_sc(_set("duties", 1, 6, "today")), CC, "duties", "G2",
                          "not a date"),
    "date out of range": Case(_sc(_set("duties", 1, 6, "1900-01-01")), CC, "duties", "G2",
                              "date outside 1947-2100"),
    "year out of range": Case(_sc(_set("preferences", 1, 3, 1900)), CC, "preferences", "D2",
                              "year must be a whole number between 1947 and 2100"),
    "in_force year in the future": Case(_sc(_set("agreements", 1, 2, 3000)), CC,
                                        "agreements", "C2", "year must be a whole number"),
    "mode replace": Case(_sc(_set("duties", 1, 5, "replace")), CC, "duties", "F2",
                         "must be one of: add, floor"),
    "coverage 3": Case(_sc(_set("depth", 1, 3, 3)), CC, "depth", "D2",
                       "must be one of: 0, 1, 2"),
    "duties end before start": Case(_sc(_set("duties", 1, 7, "2025-01-01")), CC, "duties",
                                    "H2", "end date is before the start date"),
}


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_names_file_sheet_cell_and_rule(name: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES[name]
    if name == "file over the size limit":  # lowered rather than writing hundreds of MB
        monkeypatch.setattr(container_mod, "MAX_FILE_BYTES", 1000)
    paths = case.build(tmp_path)
    seen: list[tuple[Any, list[Issue]]] = []

    def recorded(inputs: list[Path]) -> list[Issue]:  # one read serves both checks
        tables, issues = check_inputs(inputs)
        seen.append((tables, issues))
        return issues

    monkeypatch.setattr(api, "validate", recorded)
    res = run_validate(*paths)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    (tables, issues), = seen
    assert tables is None
    hits = [i for i in errors(issues) if (i.file, i.sheet, i.cell) == (
        case.file, case.sheet, case.cell) and case.rule in i.rule]
    assert hits, f"expected {case} in:\n" + "\n".join(map(str, issues))
    assert all(isinstance(i.rule, str) and i.rule for i in issues)
    where = case.file + (f" [{case.sheet}" + (f"!{case.cell}]" if case.cell else "]")
                         if case.sheet else "")
    line = [ln for ln in res.output.splitlines() if ln.startswith(f"error: {where}:")
            and case.rule in ln]
    assert line, f"no line for {where} / {case.rule!r} in:\n{res.output}"


def test_bad_input_through_run_writes_nothing(tmp_path: Path) -> None:
    paths = CASES["hs code and its prefix (mixed levels)"].build(tmp_path)
    out = tmp_path / "out.xlsx"
    res = CliRunner().invoke(main, ["run", *map(str, paths), "--out", str(out)])
    assert res.exit_code == 1
    assert "Traceback" not in res.output and "nothing was written" in res.output
    assert not out.exists() and not list(tmp_path.glob(".fta-tmp-*"))


def test_one_run_lists_every_problem(tmp_path: Path) -> None:
    s = schedule_sheets()
    s["trade"][1][3] = "abc"                                  # D2 text in value
    s["trade"][2][3] = -5                                     # D3 negative trade
    s["trade"][3][0] = "XXX"                                  # A4 unknown exporter
    s["trade"].append(["KOR", "USA", "8703", 10.0])           # C2 vs C6 prefix overlap
    s["trade"].append(["JPN", "USA", 10121, 3.0])             # C7 lost leading zero
    s["trade"].append(["JPN", "KOR", "850760", 99.0])         # D8 conflicting duplicate
    s["elasticities"][1][2] = 1.5                             # C2 positive import demand
    s["elasticities"][2][3] = 0                               # D3 zero substitution
    s["mfn"][1][2] = 8                                        # C2 percent
    s["preferences"][1][3] = 1900                             # D2 year out of range
    s["duties"][1][5] = "replace"                             # F2 enum
    s["duties"][1][6] = "2025-13-01"                          # G2 bad date
    s["agreements"][1][1] = "CHN, XXX, KOR"                   # B2 unknown member
    s["depth"][0][2] = "categroy"                             # C1 misspelt header
    s["meta"][2][1] = "HS2030"                                # B3 hs revision
    p = write_xlsx(tmp_path / "many.xlsx", s)
    wb = load_workbook(p)
    wb["scenarios"]["G3"] = "=UPPER(A3)"                      # formula, no cached value
    wb["mfn"].merge_cells("A3:A4")                            # merged (A4 is past the data)
    wb.save(p)
    set_cell_xml(p, "mfn", "C3", b'<c r="C3" t="e"><v>#REF!</v></c>')  # Excel error
    expected = {
        ("trade", "D2"): "value is not a number",
        ("trade", "D3"): "trade value must be >= 0",
        ("trade", "A4"): "unknown economy code",
        ("trade", "C2"): "its own prefix '8703'",
        ("trade", "C7"): "lost its leading zero",
        ("trade", "D8"): "conflicting value",
        ("elasticities", "C2"): "must be negative",
        ("elasticities", "D3"): "must be positive",
        ("mfn", "C2"): "looks like a percent",
        ("mfn", "C3"): "Excel error value",
        ("mfn", "A3:A4"): "merged cells",
        ("preferences", "D2"): "year must be a whole number",
        ("duties", "F2"): "must be one of: add, floor",
        ("duties", "G2"): "not a date",
        ("agreements", "B2"): "not ISO 3166",
        ("depth", "C1"): "required column 'category' is missing",
        ("meta", "B3"): "hs_revision",
        ("scenarios", "G3"): NO_CACHE,
    }
    _, issues = check_inputs([p])
    found: dict[tuple[str, str], str] = {}
    for i in errors(issues):
        if i.file == "many.xlsx":
            found[(i.sheet, i.cell)] = found.get((i.sheet, i.cell), "") + "\n" + i.rule
    missing = {k: v for k, v in expected.items() if v not in found.get(k, "")}
    assert not missing, "\n".join(map(str, issues))
    res = run_validate(p)
    assert res.exit_code == 1 and "Traceback" not in res.output
    for (sheet, cell), rule in expected.items():
        assert any(ln.startswith(f"error: many.xlsx [{sheet}!{cell}]:") and rule in ln
                   for ln in res.output.splitlines()), (sheet, cell, rule)
    assert f"{len(errors(issues))} error(s)" in res.output


def test_valid_workbooks_pass(tmp_path: Path) -> None:
    """The two bases of the corpus are clean, so each case's error is its own."""
    for name, sheets in (("a.xlsx", check_case_sheets()), ("b.xlsx", schedule_sheets())):
        tables, issues = check_inputs([write_xlsx(tmp_path / name, sheets)])
        assert tables is not None, [str(i) for i in issues]
        assert errors(issues) == []


def test_formula_with_cached_value_and_errors_outside_contract_columns_pass(
        tmp_path: Path) -> None:
    s = check_case_sheets()
    s["trade"][0].append("note")
    s["trade"][1].append("x")
    p = write_xlsx(tmp_path / "ok.xlsx", s)
    set_cell_xml(p, "trade", "D2", b'<c r="D2"><f>50*2</f><v>100</v></c>')
    set_cell_xml(p, "trade", "E2", b'<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    tables, issues = check_inputs([p])
    assert tables is not None, [str(i) for i in issues]
    assert tables.trade["value"].tolist() == [100.0, 200.0]


def test_many_bad_cells_are_capped_with_a_count(tmp_path: Path) -> None:
    s = check_case_sheets()
    s["trade"] += [["KOR", "USA", f"{870000 + i}", -1.0] for i in range(60)]
    p = write_xlsx(tmp_path / "neg.xlsx", s)
    _, issues = check_inputs([p])
    neg = [i for i in issues if ">= 0" in i.rule]
    assert len([i for i in neg if i.cell != "D"]) == 25
    assert any(i.cell == "D" and "and 35 more" in i.rule for i in neg)
