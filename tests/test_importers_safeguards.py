"""Imports never destroy data (issue 13, item 7): partial aggregates, totals far below the
base, concordance gaps. Download files are written here in CEPII BACI's own layout (header
t,i,j,k,v,q; k an integer without leading zeros; v with decimals; q right-aligned in 11
characters with NA); bases are the real default tables or small real workbooks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from fta_compare import api
from fta_compare.cli import main
from fta_compare.errors import InputError
from fta_compare.importers import import_baci, import_table, import_wits_tariffs, parse_mapping
from helpers import write_xlsx

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO / "tariff_tables" / "default.xlsx"
SYNTHETIC = REPO / "tariff_tables" / "example_synthetic.xlsx"
HS = ["870323", "847130", "854232"]
MEMBERS = "DEU,FRA,CHE,LIE,ZAF,AFG"  # LIE: BACI reports it inside 757 (Switzerland)


def baci_file(path: Path, rows: list[tuple[int, int, int, str | int, float]]) -> Path:
    """A CSV exactly as CEPII writes BACI: q padded to 11 characters, NA when unknown."""
    lines = ["t,i,j,k,v,q"]
    for n, (t, i, j, k, v) in enumerate(rows):
        q = "NA" if n % 3 == 0 else f"{v / 7:.3f}"
        lines.append(f"{t},{i},{j},{int(k)},{v:.3f},{q:>11}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def small_base(tmp_path: Path, name: str = "base.xlsx", members: str = MEMBERS) -> Path:
    """KOR, JPN, USA and ROW (members DEU, FRA, CHE, LIE, ZAF, AFG); 100 per pair and HS."""
    trade = [["exporter", "importer", "hs", "value", "quality"]]
    for imp in ("KOR", "JPN", "USA", "ROW"):
        for exp in ("KOR", "JPN", "USA", "ROW"):
            trade += [[exp, imp, h, 1000.0 if exp == imp else 100.0, "imputed:test"]
                      for h in HS]
    applied = [["scenario", "importer", "exporter", "hs", "rate"]]
    applied += [["baseline", imp, "*", "*", 0.08] for imp in ("KOR", "JPN", "USA", "ROW")]
    applied.append(["cut", "KOR", "JPN", "*", 0.0])
    return write_xlsx(tmp_path / name, {
        "meta": [["key", "value"], ["hs_revision", "HS2022"], ["base_year", "2022"],
                 ["currency_unit", "US$ thousand"]],
        "regions": [["code", "name", "members"], ["ROW", "rest of the world", members]],
        "trade": trade,
        "applied": applied,
    }, text_columns={"trade": {2}})


# every member of ROW exports (CHE stands for LIE too), plus JPN -> KOR and ROW -> ROW
COMPLETE = [
    (2022, 276, 410, 870323, 120.5), (2022, 251, 410, 847130, 60.25),
    (2022, 757, 410, 854232, 40.125), (2022, 710, 410, 870323, 10.0),
    (2022, 4, 410, 854232, 0.5), (2022, 276, 392, 870323, 90.0),
    (2022, 710, 392, 847130, 30.0), (2022, 392, 410, 870323, 150.0),
    (2022, 392, 410, 847130, 50.0), (2022, 276, 251, 870323, 500.0),
    (2021, 276, 410, 870323, 999.0),
]
# South Africa (710) and Afghanistan (4) only: their exports to everyone
PARTIAL = [
    (2022, 710, 410, 870323, 200.0), (2022, 4, 410, 854232, 0.75),
    (2022, 710, 392, 847130, 80.0), (2022, 710, 276, 870323, 310.5),
    (2022, 710, 842, 847130, 55.0), (2022, 4, 251, 854232, 1.25),
]


def _errors(exc: pytest.ExceptionInfo[InputError]) -> str:
    return "\n".join(str(i) for i in exc.value.issues)


def _sheet(path: Path, name: str) -> pd.DataFrame:
    wb = CalamineWorkbook.from_path(str(path))
    try:
        rows = wb.get_sheet_by_name(name).to_python()
    finally:
        wb.close()
    return pd.DataFrame(rows[1:], columns=rows[0])


def _meta(path: Path) -> dict[str, str]:
    m = _sheet(path, "meta")
    return dict(zip(m["key"], m["value"], strict=True))


def _pair_totals(path: Path) -> pd.Series:
    t = _sheet(path, "trade")
    return t.groupby(["importer", "exporter"])["value"].sum()


# --------------------------------------------------------------------------- aggregates


def test_south_africa_and_afghanistan_extract_is_refused_on_the_default_tables(
        tmp_path: Path) -> None:
    """The reported case: an HS17 extract of two ROW members' exports, imported for
    KOR, JPN, CHN with a concordance. ROW's pairs must not be replaced by 2 members."""
    codes = [10121, 80810, 260111, 710231, 270112, 720241, 260200]
    rows = [(2020, exp, imp, k, round(1000 * (n + 1) * 1.337, 3))
            for n, (exp, imp, k) in enumerate(
                (e, i, k) for e in (710, 4) for i in (410, 392, 156, 276, 842, 699, 36)
                for k in codes)]
    rows.append((2019, 710, 410, 260111, 5.0))
    f = baci_file(tmp_path / "BACI_HS17_Y2020_V202401_ZAF_AFG.csv", rows)
    conc = tmp_path / "hs17_hs22.csv"
    conc.write_text("from,to\n" + "".join(f"{k:06d},{k:06d}\n" for k in codes))
    out = tmp_path / "tariffs_baci.xlsx"
    with pytest.raises(InputError) as exc:
        import_baci(f, year=2020, countries="KOR,JPN,CHN", base=DEFAULT, out=out,
                    concordance=conc)
    text = _errors(exc)
    base = _pair_totals(DEFAULT)
    regions = _sheet(DEFAULT, "regions")
    members = sorted(str(regions.loc[regions["code"] == "ROW", "members"].iloc[0]).split(","))
    missing = [m for m in members if m not in ("AFG", "ZAF")]
    n = len(members)
    assert (f"ROW as exporter (column 'i'): the file holds 2 of the {n} members of ROW "
            f"(AFG, ZAF); missing {n - 2}: {', '.join(missing[:3])}") in text
    assert f"({n - 2} in all)" in text
    for imp in ("KOR", "JPN", "CHN"):
        assert f"{imp}<-ROW (base {base[(imp, 'ROW')]:,.0f}, file " in text
        assert f"pair {imp}<-ROW: the file's total" in text  # and far below the base
    assert f"of the base total {base[('KOR', 'ROW')]:,.0f} (US$ thousand)" in text
    assert "--complete-aggregates" in text and "--allow-low-totals" in text
    assert "BACI_HS17_Y2020_V202401_ZAF_AFG.csv [BACI_HS17_Y2020_V202401_ZAF_AFG!B]" in text
    assert not out.exists()
    # declaring the file complete does not let ROW's totals collapse either
    with pytest.raises(InputError) as exc:
        import_baci(f, year=2020, countries="KOR,JPN,CHN", base=DEFAULT, out=out,
                    concordance=conc, complete_aggregates=True)
    text = _errors(exc)
    assert "ROW as exporter" not in text
    assert "pair KOR<-ROW" in text and "pair CHN<-ROW" in text
    assert not out.exists()
    # and from the command line: a clear message, no traceback, nothing written
    r = CliRunner().invoke(main, ["import", "baci", str(f), "--year", "2020", "--countries",
                                  "KOR,JPN,CHN", "--concordance", str(conc), "--out", str(out),
                                  "--base", str(DEFAULT)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "ROW as exporter" in r.output and "nothing was written" in r.output
    assert not out.exists()


def test_a_file_with_every_row_member_passes_on_the_default_tables(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a full BACI file holds for ROW: every member of the default 'regions' sheet
    by their BACI codes (251 France, 699 India, 757 Switzerland incl. Liechtenstein, 490
    Taiwan). It is accepted without a flag (the workbook write is skipped: 30 s)."""
    import pycountry

    from fta_compare.importers import baci as baci_module

    regions = _sheet(DEFAULT, "regions")
    members = str(regions.loc[regions["code"] == "ROW", "members"].iloc[0]).split(",")
    baci_code = {"FRA": 251, "ITA": 381, "NOR": 579, "IND": 699, "CHE": 757, "TWN": 490}
    rows = [(2022, baci_code.get(m) or int(pycountry.countries.get(alpha_3=m).numeric), 410,
             870323, 3_000_000.5) for m in members if m != "LIE"]
    f = baci_file(tmp_path / "BACI_HS22_Y2022_V202501.csv", rows)
    written: dict[str, pd.DataFrame] = {}
    monkeypatch.setattr(baci_module, "_finish",
                        lambda bk, updates, *a, **k: written.update(updates))
    res = import_baci(f, year=2022, countries="KOR", base=DEFAULT, out=tmp_path / "o.xlsx")
    assert res.groups == ("KOR<-ROW",)
    t = written["trade"]
    kor_row = t[(t["importer"] == "KOR") & (t["exporter"] == "ROW")]
    assert kor_row[["hs", "value"]].values.tolist() == [["870323", len(rows) * 3_000_000.5]]


def test_partial_aggregate_refused_and_an_existing_output_kept(tmp_path: Path) -> None:
    b = small_base(tmp_path)
    f = baci_file(tmp_path / "BACI_HS22_Y2022_V202501.csv", PARTIAL)
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"an earlier import")
    with pytest.raises(InputError) as exc:
        import_baci(f, year=2022, countries="KOR,JPN", base=b, out=out, force=True)
    text = _errors(exc)
    assert "[BACI_HS22_Y2022_V202501!B]: value 'ROW': ROW as exporter (column 'i')" in text
    assert "holds 2 of the 6 members of ROW (AFG, ZAF); missing 4: CHE, DEU, FRA, LIE" in text
    assert "JPN<-ROW (base 300, file 80); KOR<-ROW (base 300, file 201)" in text
    assert out.read_bytes() == b"an earlier import"
    assert not list(tmp_path.glob(".fta-tmp-*"))


def test_complete_file_replaces_the_aggregate_pair_with_every_member(tmp_path: Path) -> None:
    b = small_base(tmp_path)
    f = baci_file(tmp_path / "BACI_HS22_Y2022_V202501.csv", COMPLETE)
    out = tmp_path / "o.xlsx"
    res = import_baci(f, year=2022, countries="KOR,JPN", base=b, out=out)
    assert set(res.groups) == {"KOR<-ROW", "JPN<-ROW", "KOR<-JPN"}
    t = _sheet(out, "trade")
    obs = t[t["quality"] == "observed:BACI 2022"].set_index(["importer", "exporter", "hs"])
    obs = obs.sort_index()
    kor_row = obs.loc[("KOR", "ROW"), "value"]
    assert kor_row.to_dict() == {"870323": 130.5, "847130": 60.25, "854232": 40.625}
    assert obs.loc[("JPN", "ROW"), "value"].sum() == pytest.approx(120.0)
    # every other pair keeps its base rows; ROW -> ROW is not touched
    tot = _pair_totals(out)
    assert tot[("USA", "ROW")] == 300.0 and tot[("ROW", "ROW")] == 3000.0
    assert tot[("ROW", "KOR")] == 300.0
    assert not any(k.startswith("import_") for k in _meta(out))
    assert "--complete-aggregates" not in _sheet(out, "sources").iloc[-1]["transformation"]
    assert not [i for i in api.validate([out]) if i.severity == "error"]


def test_complete_aggregates_flag_is_recorded_in_the_workbook(tmp_path: Path) -> None:
    b = small_base(tmp_path)
    f = baci_file(tmp_path / "BACI_HS22_Y2022_V202501.csv", PARTIAL)
    out = tmp_path / "o.xlsx"
    res = import_baci(f, year=2022, countries="KOR,JPN", base=b, out=out,
                      complete_aggregates=True)
    assert _pair_totals(out)[("KOR", "ROW")] == pytest.approx(200.75)
    meta = _meta(out)
    assert meta["import_complete_aggregates"].startswith("BACI_HS22_Y2022_V202501.csv: ROW as "
                                                         "exporter of JPN<-ROW, KOR<-ROW: 2 "
                                                         "of 6 members in the file, missing "
                                                         "CHE, DEU, FRA, LIE")
    src = _sheet(out, "sources").iloc[-1]
    assert "--complete-aggregates (the file was declared to hold every member" in \
        src["transformation"]
    assert any(n.startswith("--complete-aggregates: ROW as exporter") for n in res.notes)


def test_aggregate_as_importer_needs_every_member_in_column_j(tmp_path: Path) -> None:
    b = small_base(tmp_path)
    f = baci_file(tmp_path / "BACI_HS22_Y2022_V202501.csv",
                  [(2022, 410, 276, int(h), 150.0) for h in HS])  # KOR -> DEU only
    out = tmp_path / "o.xlsx"
    with pytest.raises(InputError) as exc:
        import_baci(f, year=2022, countries="ROW", base=b, out=out)
    text = _errors(exc)
    assert "[BACI_HS22_Y2022_V202501!C]: value 'ROW': ROW as importer (column 'j')" in text
    assert "holds 1 of the 6 members of ROW (DEU)" in text and "ROW<-KOR (base 300" in text
    assert not out.exists()


def test_undeclared_row_members_are_the_countries_of_the_file(tmp_path: Path) -> None:
    """ROW without a member list: the countries of the file that go to ROW are its members,
    so an extract of ZAF and AFG exports (DEU, FRA as importers) is still refused."""
    b = small_base(tmp_path, members="")
    f = baci_file(tmp_path / "BACI_HS22_Y2022_V202501.csv", PARTIAL[:1] + PARTIAL[3:])
    with pytest.raises(InputError) as exc:
        import_baci(f, year=2022, countries="KOR", base=b, out=tmp_path / "o.xlsx")
    assert "holds 2 of the 4 members of ROW (AFG, ZAF); missing 2: DEU, FRA" in _errors(exc)


# --------------------------------------------------------------------------- low totals


def test_far_below_base_is_refused_and_the_flag_recorded(tmp_path: Path) -> None:
    b = small_base(tmp_path)
    small = [(t, i, j, k, v / 10) for t, i, j, k, v in COMPLETE]
    f = baci_file(tmp_path / "BACI_HS22_Y2022_V202501.csv", small)
    out = tmp_path / "o.xlsx"
    with pytest.raises(InputError) as exc:
        import_baci(f, year=2022, countries="KOR,JPN", base=b, out=out)
    text = _errors(exc)
    assert ("value 'KOR<-ROW': pair KOR<-ROW: the file's total 23 is 7.71% of the base "
            "total 300 (US$ thousand), below 25%") in text
    assert "pair JPN<-ROW: the file's total 12 is 4.00%" in text
    assert "pair KOR<-JPN: the file's total 20 is 6.67%" in text
    assert "3 replaced pair(s) would fall below 25% of their base total" in text
    assert not out.exists()

    res = import_baci(f, year=2022, countries="KOR,JPN", base=b, out=out,
                      allow_low_totals=True)
    assert _pair_totals(out)[("KOR", "ROW")] == pytest.approx(23.1375, abs=1e-3)
    said = _meta(out)["import_low_totals"]
    assert said.startswith("BACI_HS22_Y2022_V202501.csv: ")
    assert "KOR<-ROW 23 of 300 (7.71%)" in said and "JPN<-ROW 12 of 300 (4.00%)" in said
    assert said.endswith("(US$ thousand)")
    assert "--allow-low-totals (pairs replaced below 25% of their base total: " in \
        _sheet(out, "sources").iloc[-1]["transformation"]
    assert any(n.startswith("--allow-low-totals: 3 pair(s)") for n in res.notes)
    # a second import on that output keeps the first record in meta
    out2 = tmp_path / "o2.xlsx"
    import_baci(f, year=2022, countries="KOR,JPN", base=out, out=out2, allow_low_totals=True)
    m2 = _meta(out2)["import_low_totals"]
    assert m2.count("BACI_HS22_Y2022_V202501.csv: ") == 2 and " | " in m2


def test_cli_allow_low_totals_flag(tmp_path: Path) -> None:
    b = small_base(tmp_path)
    f = baci_file(tmp_path / "BACI_HS22_Y2022_V202501.csv",
                  [(t, i, j, k, v / 10) for t, i, j, k, v in COMPLETE])
    out = tmp_path / "o.xlsx"
    args = ["import", "baci", str(f), "--year", "2022", "--countries", "KOR,JPN",
            "--base", str(b), "--out", str(out)]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 1 and "pair KOR<-ROW" in r.output and not out.exists()
    r = CliRunner().invoke(main, [*args, "--allow-low-totals"])
    assert r.exit_code == 0, r.output
    assert "note: --allow-low-totals: 3 pair(s)" in r.output
    assert "import_low_totals" in _meta(out)


def test_import_table_trade_far_below_base(tmp_path: Path) -> None:
    f = tmp_path / "comtrade.csv"
    f.write_text("ReporterISO,PartnerISO,Cmd,TradeValue\nKOR,JPN,870323,40000\n")
    m = parse_mapping(["importer=ReporterISO", "exporter=PartnerISO", "hs=Cmd",
                       "value=TradeValue"])
    out = tmp_path / "o.xlsx"
    with pytest.raises(InputError) as exc:
        import_table(f, sheet="trade", base=SYNTHETIC, out=out, mapping=m, scale=0.001)
    assert ("comtrade.csv [comtrade!D]: value 'KOR<-JPN': pair KOR<-JPN: the file's total 40 "
            "is 9.52% of the base total 420") in _errors(exc)
    assert not out.exists()
    import_table(f, sheet="trade", base=SYNTHETIC, out=out, mapping=m, scale=0.001,
                 allow_low_totals=True)
    assert "KOR<-JPN 40 of 420 (9.52%)" in _meta(out)["import_low_totals"]


# --------------------------------------------------------------------------- concordance


def _hs17_case(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    missing = [f"{c:06d}" for c in range(30110, 30135)]  # 25 HS17 codes not in it
    rows = [(2022, 392, 410, 854231, 200.0), (2022, 392, 410, 870323, 150.0)]
    rows += [(2022, 392, 410, int(c), 2.0) for c in missing]
    f = baci_file(tmp_path / "BACI_HS17_Y2022_V202501.csv", rows)
    conc = tmp_path / "hs17_hs22.csv"
    conc.write_text("from,to,weight\n854231,854232,0.75\n854231,847130,0.25\n"
                    "870323,870323,\n")
    return f, conc, missing


def test_concordance_gaps_are_an_error_listing_codes_rows_and_value(tmp_path: Path) -> None:
    f, conc, _ = _hs17_case(tmp_path)
    out = tmp_path / "o.xlsx"
    with pytest.raises(InputError) as exc:
        import_baci(f, year=2022, countries="KOR", base=small_base(tmp_path), out=out,
                    concordance=conc)
    text = _errors(exc)
    name = "BACI_HS17_Y2022_V202501.csv [BACI_HS17_Y2022_V202501"
    assert f"{name}!D4]: value '030110': HS2017 code not in hs17_hs22.csv" in text
    assert f"{name}!D23]: value '030129'" in text  # the 20th code
    assert "'030130'" not in text and text.count("HS2017 code not in") == 20  # first 20
    assert ("25 HS2017 code(s) in 25 row(s) are not in hs17_hs22.csv (column 'from'), "
            "carrying 50 US$ thousand (12.50% of the value of the file's flows into KOR): "
            "030110, 030111") in text
    assert "... (25 in all)" in text and "--drop-unmapped-codes" in text
    assert not out.exists()


def test_drop_unmapped_codes_reports_the_value_lost(tmp_path: Path) -> None:
    f, conc, missing = _hs17_case(tmp_path)
    out = tmp_path / "o.xlsx"
    res = import_baci(f, year=2022, countries="KOR", base=small_base(tmp_path), out=out,
                      concordance=conc, drop_unmapped=True)
    t = _sheet(out, "trade")
    obs = t[t["quality"] == "observed:BACI 2022"].set_index("hs")["value"]
    assert obs.to_dict() == {"847130": 50.0, "854232": 150.0, "870323": 150.0}
    assert not t["hs"].isin(missing).any()
    note = next(n for n in res.notes if n.startswith("dropped (--drop-unmapped-codes)"))
    assert "carrying 50 US$ thousand (12.50% of the value" in note
    assert "carrying 50 US$ thousand (12.50%" in _meta(out)["import_dropped_codes"]
    assert "--drop-unmapped-codes (25 HS2017 code(s)" in \
        _sheet(out, "sources").iloc[-1]["transformation"]


def test_wits_concordance_gap_error_and_drop(tmp_path: Path) -> None:
    f = tmp_path / "wits_h5.csv"
    f.write_text("Reporter,Product,Tariff Year,DutyType,Simple Average,NomenCode\n"
                 "410,870323,2020,MFN,8,H5\n410,854231,2020,MFN,0,H5\n"
                 "410,030110,2020,MFN,10,H5\n")
    conc = tmp_path / "h5_h6.csv"
    conc.write_text("from,to\n870323,870323\n854231,854232\n")
    out = tmp_path / "o.xlsx"
    with pytest.raises(InputError) as exc:
        import_wits_tariffs(f, base=SYNTHETIC, out=out, concordance=conc)
    text = _errors(exc)
    assert "wits_h5.csv [wits_h5!B4]: value '030110': HS2017 code not in h5_h6.csv" in text
    assert "1 HS2017 code(s) in 1 row(s) are not in h5_h6.csv" in text
    assert not out.exists()
    res = import_wits_tariffs(f, base=SYNTHETIC, out=out, concordance=conc,
                              drop_unmapped=True)
    kor = _sheet(out, "mfn").query("importer == 'KOR'")
    assert set(kor["hs"]) == {"870323", "854232"}
    assert any("030110" in n for n in res.notes)
    assert "030110" in _meta(out)["import_dropped_codes"]


def test_concordance_weights_must_sum_to_one(tmp_path: Path) -> None:
    f, _, _ = _hs17_case(tmp_path)
    conc = tmp_path / "bad_weights.csv"
    conc.write_text("from,to,weight\n870323,870323,\n854231,854232,0.75\n"
                    "854231,847130,0.5\n")
    with pytest.raises(InputError) as exc:
        import_baci(f, year=2022, countries="KOR", base=small_base(tmp_path),
                    out=tmp_path / "o.xlsx", concordance=conc)
    assert ("bad_weights.csv [bad_weights!C3]: value '1.25': column 'weight': the weights of "
            "this 'from' code do not sum to 1") in _errors(exc)
