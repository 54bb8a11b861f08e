"""The comparison workbook: sheet order, traceability of human sheets, visual rendering."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from fta_compare import api
from fta_compare.report.writer import write_report

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "tariff_tables" / "example_synthetic.xlsx"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, api.RunResult]:
    out = tmp_path_factory.mktemp("rep") / "comparison.xlsx"
    result = api.run([EXAMPLE], model="gsim")
    write_report(result, out)
    return out, result


def test_sheet_order_human_first_then_contract(report: tuple[Path, api.RunResult]) -> None:
    out, result = report
    names = load_workbook(out, read_only=True).sheetnames
    assert names[:2] == ["summary", "compare"]
    for s in result.scenarios:
        assert s[:31] in names
    tail = ["results", "prices", "welfare", "scorecard", "applied"]
    assert names[-5:] == tail
    for s in ("sectors", "assumptions", "sources", "manifest", "warnings", "glossary"):
        assert names.index(s) < names.index("results")


def test_every_data_block_is_a_named_table_with_frozen_header(
        report: tuple[Path, api.RunResult]) -> None:
    out, _ = report
    wb = load_workbook(out)
    assert len(wb["summary"].tables) >= 3
    assert wb["compare"].freeze_panes == "C3"
    assert wb["results"].freeze_panes == "A2"
    assert wb.properties.title


def test_compare_totals_equal_sums_over_contract_sheets(
        report: tuple[Path, api.RunResult]) -> None:
    out, _ = report
    compare = pd.read_excel(out, sheet_name="compare", header=1, engine="openpyxl")
    welfare = pd.read_excel(out, sheet_name="welfare", engine="openpyxl")
    results = pd.read_parquet(out.with_name("comparison.results.parquet"))
    merged = compare.merge(welfare, left_on=["Scenario", "Economy"],
                           right_on=["scenario", "country"])
    assert len(merged) == len(welfare)
    np.testing.assert_allclose(merged["Net welfare (US$ thousand)"], merged["net_welfare"],
                               rtol=1e-9, atol=1e-6)
    intl = results[results["exporter"] != results["importer"]]
    exports = (intl.assign(d=intl["new_value"] - intl["base_value"])
               .groupby(["scenario", "exporter"])["d"].sum())
    for _, row in merged.iterrows():
        want = exports.get((row["scenario"], row["country"]), 0.0)
        assert row["Exports change (US$ thousand)"] == pytest.approx(want, abs=1e-6)


def test_small_results_keep_every_row_in_the_workbook_and_parquet(
        report: tuple[Path, api.RunResult]) -> None:
    """Up to 100,000 result rows the results sheet holds every row (DESIGN 5), the same as
    the Parquet detail."""
    out, result = report
    sheet = pd.read_excel(out, sheet_name="results", dtype={"hs": str}, engine="openpyxl")
    full = pd.read_parquet(out.with_name("comparison.results.parquet"))
    assert len(full) == len(result.results) == len(sheet) < 100_000
    assert sheet["trade_creation"].sum() == pytest.approx(full["trade_creation"].sum())
    np.testing.assert_array_equal(sheet["hs"].to_numpy(), full["hs"].astype(str).to_numpy())


def test_many_elasticity_pairs_go_to_a_plain_sheet_with_their_rules(
        report: tuple[Path, api.RunResult], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond ELASTICITIES_LISTED pairs, 'assumptions' lists the rules (each with the number
    of pairs it sets) and every pair is on the plain sheet 'elasticities'."""
    from fta_compare.report import sheets
    from fta_compare.report.labels import label

    _, result = report
    used = result.elasticities
    monkeypatch.setattr(sheets, "ELASTICITIES_LISTED", len(used) - 1)
    out = tmp_path / "many.xlsx"
    write_report(result, out)
    plain = pd.read_excel(out, sheet_name="elasticities", dtype={"hs": str}, engine="calamine")
    assert len(plain) == len(used)
    pd.testing.assert_series_equal(plain["import_demand"], used["import_demand"],
                                   check_names=False, check_index=False)
    wb = load_workbook(out)
    tables = wb["assumptions"].tables
    assert "elasticity_rules" in tables and "elasticities_used" not in tables
    ref = tables["elasticity_rules"].ref
    rules = pd.DataFrame([[c.value for c in row] for row in wb["assumptions"][ref]])
    rules.columns = rules.iloc[0]
    rules = rules.iloc[1:].set_index("Rule")
    assert rules["Product-economy pairs"].sum() == len(used)
    # each pair's rule gives back its values and sources
    back = rules.loc[plain["rule"]].reset_index(drop=True)
    for p in ("import_demand", "substitution"):
        np.testing.assert_allclose(back[label(p).header].astype(float), used[p])
        assert (back[f"{p}_source"].to_numpy() == used[f"{p}_source"].to_numpy()).all()


def test_no_formula_cells_from_text(report: tuple[Path, api.RunResult]) -> None:
    out, _ = report
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in zf.read(name), name


@pytest.mark.skipif(shutil.which("libreoffice") is None and shutil.which("soffice") is None,
                    reason="LibreOffice is not installed (apt-get install libreoffice-calc)")
def test_libreoffice_renders_summary_with_charts(report: tuple[Path, api.RunResult],
                                                 tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "scripts"))
    from report_preview import workbook_to_pdf

    out, _ = report
    pdf = workbook_to_pdf(out, tmp_path)
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed to read the PDF text")
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Scorecard for KOR" in text
    assert "Net welfare by scenario" in text  # chart title rendered on the summary page
    assert "Welfare parts by scenario" in text
    assert "exports change by partner" in text


def test_sector_view_equals_a_groupby_over_the_results(
        report: tuple[Path, api.RunResult]) -> None:
    """The bincount sector view equals the plain pandas reading of its definition."""
    from fta_compare.report import views
    from fta_compare.report.sectors import assign_sectors

    _, result = report
    got = views.sector_view(result.results, result.sectors)
    r = result.results.astype({c: str for c in ("scenario", "importer", "exporter", "hs")})
    r = r[r["exporter"] != r["importer"]].assign(d=lambda x: x["new_value"] - x["base_value"])
    m = r.merge(assign_sectors(r["hs"], result.sectors), on="hs")
    exp = m.groupby(["scenario", "sector", "exporter"]).agg(
        base_exports=("base_value", "sum"), exports_change=("d", "sum"))
    imp = m.groupby(["scenario", "sector", "importer"]).agg(
        base_imports=("base_value", "sum"), imports_change=("d", "sum"))
    exp.index.names = imp.index.names = ["scenario", "sector", "country"]
    want = exp.join(imp, how="outer").fillna(0.0).sort_index()
    assert len(got) == len(want) > 0
    got = got.set_index(["scenario", "sector", "country"]).sort_index()
    pd.testing.assert_frame_equal(got, want[got.columns], check_exact=False, rtol=1e-9,
                                  atol=1e-6)


def test_partner_chart_shows_the_scenarios_first_by_net_welfare(tmp_path: Path) -> None:
    """More than a handful of series per partner cannot be read: the chart under the
    partner table draws the scenarios given as leaders, in their order, and no other."""
    import re

    from fta_compare.report.book import Book
    from fta_compare.report.summary import PARTNER_CHART_SCENARIOS, _partner_chart

    scen = [f"s{k}" for k in range(8)]
    wide = pd.DataFrame({"partner": ["CHN", "JPN", "USA"],
                         **{s: [float(k), -float(k), 2.0 * k] for k, s in enumerate(scen)}})
    leaders = ["s6", "s2", "s7", "s0", "s5"][:PARTNER_CHART_SCENARIOS]
    path = tmp_path / "chart.xlsx"
    book = Book(path)
    ws = book.wb.add_worksheet("summary")
    for j, c in enumerate(wide.columns):
        ws.write(0, j, c)
        for i, v in enumerate(wide[c]):
            ws.write(1 + i, j, v)
    assert _partner_chart(book, ws, 0, wide, "KOR", 6, leaders) > 0
    assert _partner_chart(book, ws, 0, wide, "KOR", 40, []) == 0  # no leader: no chart
    book.wb.close()
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 1
    refs = re.findall(r"<c:tx><c:strRef><c:f>summary!\$([A-Z]+)\$1</c:f>", charts[0])
    assert [wide.columns[ord(r) - ord("A")] for r in refs] == leaders
    assert "first by net welfare" in charts[0]


def test_reserved_sheets_keep_their_place_and_same_names_never_take_it(
        tmp_path: Path) -> None:
    """A reserved sheet holds its tab place until it is filled; a sheet of the same name
    written meanwhile (a scenario called 'results' beside the 'results' contract sheet)
    gets a place of its own; a name reserved twice is filled in the order reserved."""
    from python_calamine import CalamineWorkbook

    from fta_compare.report.book import Book

    path = tmp_path / "reserved.xlsx"
    book = Book(path)
    book.reserve("summary")
    book.reserve("results")  # a scenario's sheet
    book.reserve("sectors")  # a scenario's sheet
    book.reserve("sectors")  # the sectors sheet
    book.sheet("results").write(0, 0, "contract rows")  # not inside filling: a new sheet
    for name, text in (("sectors", "scenario sectors"), ("sectors", "sector table"),
                       ("results", "scenario results"), ("summary", "the answer")):
        with book.filling(name):
            book.sheet(name).write(0, 0, text)
    book.wb.close()
    wb = CalamineWorkbook.from_path(str(path))
    cells = {n: wb.get_sheet_by_name(n).to_python()[0][0] for n in wb.sheet_names}
    assert wb.sheet_names == ["summary", "results", "sectors", "sectors~2", "results~2"]
    assert cells == {"summary": "the answer", "results": "scenario results",
                     "sectors": "scenario sectors", "sectors~2": "sector table",
                     "results~2": "contract rows"}


def test_xml_scratch_is_a_private_memory_folder_removed_after(monkeypatch) -> None:
    """XlsxWriter's parts go to a folder of their own under /dev/shm for a bounded workbook
    with room there, removed after the block (also on an error); otherwise None."""
    import os

    from fta_compare.report import book as book_mod

    if not (book_mod.MEMORY_SCRATCH.is_dir() and os.access(book_mod.MEMORY_SCRATCH, os.W_OK)):
        pytest.skip("no writable /dev/shm here")
    with book_mod.xml_scratch(bounded=True) as tmp:
        assert tmp is not None and Path(tmp).parent == book_mod.MEMORY_SCRATCH
        (Path(tmp) / "left.xml").write_text("<x/>")
        kept = Path(tmp)
    assert not kept.exists()
    with pytest.raises(KeyboardInterrupt), book_mod.xml_scratch(bounded=True) as tmp:
        kept = Path(tmp)
        raise KeyboardInterrupt
    assert not kept.exists()
    with book_mod.xml_scratch(bounded=False) as tmp:
        assert tmp is None  # --detail full: parts of any size, on disk
    monkeypatch.setattr(book_mod, "SCRATCH_ROOM", 1 << 62)
    with book_mod.xml_scratch(bounded=True) as tmp:
        assert tmp is None  # no room in memory


def test_workbook_through_memory_scratch_equals_the_one_through_disk(tmp_path: Path) -> None:
    """The same cells whether XlsxWriter's parts went through /dev/shm or the disk."""
    from openpyxl import load_workbook

    from fta_compare.report.book import Book, write_table, xml_scratch

    frame = pd.DataFrame({"scenario": ["a", "b"], "value": [1.5, -2.0]})
    books = []
    for k, bounded in enumerate((True, False)):
        path = tmp_path / f"b{k}.xlsx"
        with xml_scratch(bounded) as tmp:
            book = Book(path, tmp)
            write_table(book, book.sheet("data"), frame, 0, 0, "data")
            book.wb.close()
        ws = load_workbook(path, read_only=True)["data"]
        books.append([tuple(c.value for c in row) for row in ws.iter_rows()])
    assert books[0] == books[1]
    assert books[0][1:] == [("a", 1.5), ("b", -2.0)]


def test_workbook_container_is_deflated_by_zlib_ng(tmp_path: Path, monkeypatch) -> None:
    """Every part of a Book's container is deflated by zlib-ng at DEFLATE_LEVEL on the
    packager's threads (its raw stream is zlib-ng's, byte for byte), the container is a
    valid zip that openpyxl reads, and XlsxWriter's own ZipFile is back in place after."""
    import xlsxwriter.workbook as xw
    from zlib_ng import zlib_ng

    from fta_compare.report import deflate as deflate_mod
    from fta_compare.report.book import Book, write_table
    from fta_compare.report.deflate import DEFLATE_LEVEL

    on_threads: list[str] = []
    real = deflate_mod._deflate_file
    monkeypatch.setattr(deflate_mod, "_deflate_file",
                        lambda path: on_threads.append(path) or real(path))

    frame = pd.DataFrame({"scenario": [f"s{k % 7}" for k in range(3000)],
                          "value": np.linspace(-1.0, 1.0, 3000)})
    path = tmp_path / "z.xlsx"
    book = Book(path)
    write_table(book, book.sheet("data"), frame, 0, 0, "data")
    book.wb.close()
    assert xw.ZipFile is zipfile.ZipFile
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        infos = z.infolist()
        assert infos and all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos)
        assert len(on_threads) == len(infos)  # every part deflated while packing
        raw = z.open("xl/worksheets/sheet1.xml").read()
        sheet = z.getinfo("xl/worksheets/sheet1.xml")
    c = zlib_ng.compressobj(DEFLATE_LEVEL, zlib_ng.DEFLATED, -15)
    assert sheet.compress_size == len(c.compress(raw) + c.flush())
    ws = load_workbook(path, read_only=True)["data"]
    rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
    assert len(rows) == 3001 and rows[1] == ("s0", -1.0)
    assert rows[-1] == ("s3", 1.0)  # row 2999: 2999 % 7 = 3


def test_zip_takes_a_part_deflated_beforehand_only_while_it_is_unchanged(tmp_path: Path
                                                                         ) -> None:
    """ZlibNgZipFile writes a part's stream deflated beforehand (on the packager's
    threads) as it is; a part whose size changed since, or whose deflating failed, is
    deflated again as it is zipped. Every entry reads back as the file's bytes."""
    from concurrent.futures import Future

    from zlib_ng import zlib_ng

    from fta_compare.report.deflate import Deflated, ZlibNgZipFile, deflate

    data = b"".join(b"<row r='%d'><c><v>%d</v></c></row>" % (k, k * k) for k in range(4000))
    files = {}
    for name in ("same", "grown", "failed"):
        files[name] = tmp_path / f"{name}.xml"
        files[name].write_bytes(data)
    files["grown"].write_bytes(data + b"<row/>")  # written again after it was deflated

    def done(value: object) -> Future:
        fut: Future = Future()
        if isinstance(value, Exception):
            fut.set_exception(value)
        else:
            fut.set_result(value)
        return fut

    c9 = zlib_ng.compressobj(9, zlib_ng.DEFLATED, -15)  # a stream ours would not make
    level9 = c9.compress(data) + c9.flush()
    deflated = {str(files["same"]): done(Deflated(len(data), level9)),
                str(files["grown"]): done(Deflated(len(data), level9)),
                str(files["failed"]): done(OSError("gone"))}
    out = tmp_path / "parts.zip"
    with ZlibNgZipFile(out, "w", compression=zipfile.ZIP_DEFLATED,
                       deflated=deflated) as z:
        for name, path in files.items():
            z.write(path, f"{name}.xml")
    assert not deflated  # each taken once
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert z.read("same.xml") == data and z.read("failed.xml") == data
        assert z.read("grown.xml") == data + b"<row/>"
        assert z.getinfo("same.xml").compress_size == len(level9)  # taken as it was
        assert z.getinfo("grown.xml").compress_size == len(deflate(data + b"<row/>"))
        assert z.getinfo("failed.xml").compress_size == len(deflate(data))
