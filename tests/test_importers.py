"""Importers (BACI, WITS/TRAINS, any table): small download files written here, real base
workbooks, the written workbook validated and run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from fta_compare import api
from fta_compare.cli import main
from fta_compare.errors import InputError, OutputError
from fta_compare.importers import (
    NES,
    WORLD,
    CountryCodes,
    import_baci,
    import_table,
    import_wits_tariffs,
    parse_mapping,
    revision,
)
from helpers import write_xlsx

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "tariff_tables" / "example_synthetic.xlsx"

# CEPII BACI layout: t, i, j, k, v, q; numeric country codes, HS6 as a number
BACI_ROWS = [
    ["t", "i", "j", "k", "v", "q"],
    [2022, 392, 410, 30389, 55.5, 1.2],  # JPN -> KOR, leading zero lost
    [2022, 392, 410, 870323, 900.0, 10],
    [2022, 392, 410, 847130, 210.0, 3],
    [2022, 392, 410, 854232, 480.0, 0.5],
    [2022, 156, 410, 610910, 321.0, "NA"],  # CHN -> KOR
    [2022, 156, 410, 847130, 640.0, 12],
    [2022, 156, 410, 392690, 77.0, 4],
    [2022, 842, 410, 870323, 150.25, 2],  # BACI's USA code
    [2022, 842, 410, 100630, 80.0, 9],  # KOR<-USA 230.25: above 25% of the base's 840
    [2022, 276, 410, 847130, 80.0, 1],  # DEU: outside the model
    [2022, 490, 410, 854232, 70.0, ""],  # 'Other Asia, nes'
    [2022, 410, 392, 870323, 400.0, 3],  # KOR -> JPN
    [2022, 410, 392, 854232, 260.0, 1],
    [2022, 410, 392, 392690, 35.0, 1],
    [2022, 251, 392, 220300, 44.0, 2],  # France (BACI code 251): outside the model
    [2021, 392, 410, 870323, 1000.0, 1],  # other year: filtered out
    [2021, 156, 410, 610910, 999.0, 1],
    [2022, 156, 842, 847130, 5000.0, 1],  # into USA: not a listed importer
    [2022, 392, 156, 870323, 333.0, 1],  # into CHN: not listed
]


def _csv(path: Path, rows: list[list[object]]) -> Path:
    path.write_text("\n".join(",".join(str(v) for v in r) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    wb = CalamineWorkbook.from_path(str(path))
    try:
        return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}
    finally:
        wb.close()


def _table(path: Path, sheet: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet, engine="calamine", dtype={"hs": str})


def _errors(exc: pytest.ExceptionInfo[InputError]) -> str:
    return "\n".join(str(i) for i in exc.value.issues)


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return Path(shutil.copy(SYNTHETIC, tmp_path / "base.xlsx"))


@pytest.fixture
def schedules_base(tmp_path: Path) -> Path:
    """The synthetic example without its 'applied' sheet (whose rows override schedules)."""
    wb = load_workbook(SYNTHETIC)
    del wb["applied"]
    wb.save(tmp_path / "schedules.xlsx")
    return tmp_path / "schedules.xlsx"


@pytest.fixture
def baci(tmp_path: Path) -> Path:
    return _csv(tmp_path / "BACI_HS22_Y2022_V202501.csv", BACI_ROWS)


def row_base(tmp_path: Path) -> Path:
    """A small base with a ROW region, an extra README sheet and an applied sheet."""
    hs = ["870323", "847130", "854232"]
    trade = [["exporter", "importer", "hs", "value", "quality"]]
    for imp in ("KOR", "JPN", "USA", "ROW"):
        for exp in ("KOR", "JPN", "USA", "ROW"):
            for h in hs:
                q = "observed" if imp == "USA" else "imputed:test"
                trade.append([exp, imp, h, 100.0 if exp != imp else 1000.0, q])
    applied = [["scenario", "importer", "exporter", "hs", "rate"]]
    for imp in ("KOR", "JPN", "USA", "ROW"):
        applied.append(["baseline", imp, "*", "*", 0.08])
    applied.append(["cut", "KOR", "JPN", "*", 0.0])
    return write_xlsx(tmp_path / "rowbase.xlsx", {
        "README": [["notes"], ["kept as it is"]],
        "meta": [["key", "value"], ["hs_revision", "HS2022"], ["base_year", "2022"]],
        "regions": [["code", "name", "members"], ["ROW", "rest of the world", "DEU,TWN,FRA"]],
        "trade": trade,
        "applied": applied,
    }, text_columns={"trade": {2}})


# --------------------------------------------------------------------------- BACI


def test_baci_replaces_whole_pairs_and_changes_the_results(base: Path, baci: Path,
                                                           tmp_path: Path) -> None:
    """Done-when: the affected trade rows become observed and the model results change
    for the affected pairs only (unaffected pairs keep their base values)."""
    out = tmp_path / "with_baci.xlsx"
    res = import_baci(baci, year=2022, countries="KOR,JPN", base=base, out=out)
    assert set(res.groups) == {"KOR<-JPN", "KOR<-CHN", "KOR<-USA", "JPN<-KOR"}
    assert any("dropped" in n for n in res.notes)  # DEU, 490, FRA: the base has no ROW

    before, after = _table(base, "trade"), _table(out, "trade")
    pair = after["importer"] + "<-" + after["exporter"]
    new = after[pair.isin(res.groups)]
    assert (new["quality"] == "observed:BACI 2022").all()
    assert len(new) == 12  # every BACI flow of the year into KOR/JPN from model economies
    assert new.set_index(["importer", "exporter", "hs"]).loc[("KOR", "JPN", "030389"),
                                                              "value"] == 55.5
    old_pair = before["importer"] + "<-" + before["exporter"]
    assert len(before[old_pair.isin(res.groups)]) == res.removed
    # every other pair keeps its base rows, untouched
    keep_b = before[~old_pair.isin(res.groups)].reset_index(drop=True)
    keep_a = after[~pair.isin(res.groups)].reset_index(drop=True)
    pd.testing.assert_frame_equal(keep_b, keep_a, check_dtype=False)
    # the file passes validation and runs; results move for the replaced pairs only
    assert not [i for i in api.validate([out]) if i.severity == "error"]
    r0, r1 = api.run([base]), api.run([out])
    key = ["scenario", "importer", "exporter", "hs"]
    m = r0.results.merge(r1.results, on=key, how="outer", suffixes=("_0", "_1"),
                         indicator=True)
    hit = (m["importer"].astype(str) + "<-" + m["exporter"].astype(str)).isin(res.groups)
    both = m["_merge"] == "both"
    assert (m.loc[hit & both, "base_value_0"] != m.loc[hit & both, "base_value_1"]).any()
    assert (m.loc[~hit, "_merge"] == "both").all()
    assert (m.loc[~hit, "base_value_0"] == m.loc[~hit, "base_value_1"]).all()
    r1_pair = r1.results["importer"].astype(str) + "<-" + r1.results["exporter"].astype(str)
    assert set(r1.results.loc[r1_pair.isin(res.groups), "quality"]) == {"observed"}
    w0 = r0.welfare.set_index(["scenario", "country"])["net_welfare"]
    w1 = r1.welfare.set_index(["scenario", "country"])["net_welfare"]
    assert w0.loc[("syn_fta", "KOR")] != pytest.approx(w1.loc[("syn_fta", "KOR")])
    q0 = r0.quality.set_index("scenario")["imputed_share_of_trade"]
    q1 = r1.quality.set_index("scenario")["imputed_share_of_trade"]
    assert (q1 < q0).all()


def test_baci_copies_every_other_sheet_and_cites_the_file(base: Path, baci: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    import_baci(baci, year=2022, countries=["KOR"], base=base, out=out)
    a, b = _sheets(base), _sheets(out)
    assert list(a) == list(b)
    for name in a:
        if name not in ("trade", "sources"):
            assert a[name] == b[name], name
    src = _table(out, "sources")
    assert len(src) == len(_table(base, "sources")) + 1
    last = src.iloc[-1]
    assert last["table"] == "trade"
    assert "Gaulier" in last["source"] and baci.name in last["source"]
    assert api.sha256(baci) in last["source"]
    assert isinstance(_sheets(out)["trade"][1][2], str)  # hs stays text


def test_baci_partners_outside_the_model_go_to_row(tmp_path: Path) -> None:
    b = row_base(tmp_path)
    rows = [["t", "i", "j", "k", "v", "q"],
            [2022, 392, 410, 870323, 10.0, 1],
            [2022, 276, 410, 870323, 5.0, 1],  # DEU -> ROW (member)
            [2022, 251, 410, 870323, 6.0, 1],  # BACI France -> ROW
            [2022, 490, 410, 854232, 7.0, 1],  # Other Asia nes -> ROW
            [2022, 704, 410, 854232, 8.0, 1],  # VNM: not listed anywhere -> ROW
            [2022, 842, 410, 847130, 9.0, 1],  # USA stays USA (an economy of the base)
            [2022, 276, 251, 870323, 50.0, 1]]  # DEU -> FRA = ROW -> ROW: dropped
    f = _csv(tmp_path / "baci.csv", rows)
    out = tmp_path / "o.xlsx"
    res = import_baci(f, year=2022, countries="KOR,ROW", hs_revision="HS22", base=b, out=out,
                      allow_low_totals=True)  # tiny flows against a base of 300 per pair
    t = _table(out, "trade")
    new = t[t["quality"] == "observed:BACI 2022"].set_index(["exporter", "importer", "hs"])
    assert new.loc[("ROW", "KOR", "870323"), "value"] == 11.0
    assert new.loc[("ROW", "KOR", "854232"), "value"] == 15.0
    assert new.loc[("USA", "KOR", "847130"), "value"] == 9.0
    assert set(res.groups) == {"KOR<-JPN", "KOR<-ROW", "KOR<-USA"}
    assert any("ROW -> ROW" in n for n in res.notes)
    # the ROW -> ROW and domestic base rows stay; README copied
    assert len(t[(t["exporter"] == "ROW") & (t["importer"] == "ROW")]) == 3
    assert _sheets(out)["README"] == [["notes"], ["kept as it is"]]
    assert len(api.run([out]).results)


def test_baci_taiwan_code_490_goes_to_twn_when_the_model_has_it(tmp_path: Path) -> None:
    b = row_base(tmp_path)
    f = _csv(tmp_path / "b.csv", [["t", "i", "j", "k", "v", "q"],
                                  [2022, 490, 410, 854232, 7.0, 1],
                                  [2022, 410, 490, 854232, 3.0, 1]])
    out = tmp_path / "o.xlsx"
    import_baci(f, year=2022, countries="KOR,TWN", hs_revision="HS22", base=b, out=out,
                validate=False)
    t = _table(out, "trade")
    obs = t[t["quality"].str.startswith("observed:BACI")]
    assert set(zip(obs["exporter"], obs["importer"], strict=True)) == {("TWN", "KOR"),
                                                                       ("KOR", "TWN")}


def test_baci_country_codes_file_of_the_download(tmp_path: Path) -> None:
    b = row_base(tmp_path)
    cc = _csv(tmp_path / "country_codes_V202501.csv", [
        ["country_code", "country_name", "country_iso2", "country_iso3"],
        [392, "Japan", "JP", "JPN"], [410, "Rep. of Korea", "KR", "KOR"],
        [490, "Other Asia nes", "N/A", "S19"], [901, "Some new aggregate", "", "X99"]])
    f = _csv(tmp_path / "b.csv", [["t", "i", "j", "k", "v", "q"],
                                  [2022, 392, 410, 870323, 10.0, 1],
                                  [2022, 901, 410, 870323, 4.0, 1],
                                  [2022, 490, 410, 870323, 3.0, 1]])
    out = tmp_path / "o.xlsx"
    with pytest.raises(InputError, match="--country-codes"):
        import_baci(f, year=2022, countries="KOR", hs_revision="HS22", base=b, out=out)
    import_baci(f, year=2022, countries="KOR", hs_revision="HS22", base=b, out=out,
                country_codes=cc, complete_aggregates=True, allow_low_totals=True)
    t = _table(out, "trade")
    obs = t[t["quality"] == "observed:BACI 2022"].set_index("exporter")["value"]
    assert obs.to_dict() == {"JPN": 10.0, "ROW": 7.0}


def test_baci_bad_cells_are_errors_naming_file_column_and_row(base: Path,
                                                              tmp_path: Path) -> None:
    f = _csv(tmp_path / "BACI_HS22_bad.csv", [
        ["t", "i", "j", "k", "v", "q"],
        [2022, 392, 410, 30389, "abc", 1],
        [2022, 999, 410, 870323, 5, 1],
        [2022, 392, 410, 1234567, 5, 1],
        [2022, 392, 410, 870323, -5, 1],
    ])
    out = tmp_path / "o.xlsx"
    with pytest.raises(InputError) as exc:
        import_baci(f, year=2022, countries="KOR", base=base, out=out)
    text = _errors(exc)
    assert "BACI_HS22_bad.csv [BACI_HS22_bad!E2]" in text and "column 'v'" in text
    assert "[BACI_HS22_bad!B3]: value '999': column 'i': unknown country code" in text
    assert "[BACI_HS22_bad!D4]" in text and "column 'k'" in text
    assert "[BACI_HS22_bad!E5]" in text and "negative" in text
    assert not out.exists()
    missing = _csv(tmp_path / "BACI_HS22_cols.csv", [["t", "i", "k", "v"], [2022, 1, 2, 3]])
    with pytest.raises(InputError, match="missing column"):
        import_baci(missing, year=2022, countries="KOR", base=base, out=out)
    with pytest.raises(InputError) as exc:
        import_baci(tmp_path / "BACI_HS22_bad.csv", year=2022, countries="KOR,XYZ",
                    base=base, out=out)
    assert "--countries" in _errors(exc)
    with pytest.raises(InputError, match="no rows with t = 2019"):
        import_baci(_csv(tmp_path / "BACI_HS22_ok.csv", BACI_ROWS), year=2019,
                    countries="KOR", base=base, out=out)


def test_baci_other_hs_revision_needs_a_concordance(base: Path, tmp_path: Path) -> None:
    f = _csv(tmp_path / "BACI_HS17_Y2022_V202501.csv", [
        ["t", "i", "j", "k", "v", "q"],
        [2022, 392, 410, 854231, 100.0, 1],  # splits into two HS 2022 codes
        [2022, 392, 410, 870323, 40.0, 1],  # unchanged
    ])
    out = tmp_path / "o.xlsx"
    with pytest.raises(InputError) as exc:
        import_baci(f, year=2022, countries="KOR", base=base, out=out)
    assert "HS2017" in _errors(exc) and "HS2022" in _errors(exc)
    assert "--concordance" in _errors(exc)
    rows = [["from", "to", "weight"], ["854231", "854232", 0.75], ["854231", "847130", 0.25]]
    partial = _csv(tmp_path / "hs17_hs22_partial.csv", rows)
    with pytest.raises(InputError) as exc:  # 870323 is not in it: never kept as it is
        import_baci(f, year=2022, countries="KOR", base=base, out=out, concordance=partial)
    assert "[BACI_HS17_Y2022_V202501!D3]: value '870323'" in _errors(exc)
    assert not out.exists()
    conc = _csv(tmp_path / "hs17_hs22.csv", [*rows, ["870323", "870323", ""]])
    import_baci(f, year=2022, countries="KOR", base=base, out=out, concordance=conc)
    t = _table(out, "trade")
    obs = t[t["quality"] == "observed:BACI 2022"].set_index("hs")["value"]
    assert obs.to_dict() == {"847130": 25.0, "854232": 75.0, "870323": 40.0}


def test_baci_refuses_to_overwrite_without_force(base: Path, baci: Path,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"previous")
    with pytest.raises(OutputError, match="--force"):
        import_baci(baci, year=2022, countries="KOR", base=base, out=out)
    assert out.read_bytes() == b"previous"
    import_baci(baci, year=2022, countries="KOR", base=base, out=out, force=True)
    assert out.read_bytes()[:2] == b"PK"
    assert not list(tmp_path.glob(".fta-tmp-*"))


def test_country_codes_numeric_specials_and_names() -> None:
    c = CountryCodes(regions=["ROW"])
    assert c.lookup("842") == "USA" and c.lookup("840") == "USA"
    assert c.lookup(251) == "FRA" and c.lookup("699") == "IND" and c.lookup("757") == "CHE"
    assert c.lookup("410") == "KOR" and c.lookup("4") == "AFG"
    assert c.lookup("490") == NES and c.lookup("0") == WORLD and c.lookup("999") is None
    assert c.lookup("Korea, Rep.") == "KOR" and c.lookup("Japan") == "JPN"
    assert c.lookup("row") == "ROW" and c.lookup("kor") == "KOR"
    assert revision("HS22") == "HS2022" and revision("H5") == "HS2017"
    assert revision("hs 1992") == "HS1992" and revision("HS3000") is None


# --------------------------------------------------------------------------- WITS

# WITS query / DataJob download (percent rates, numeric reporter and partner codes)
WITS_ROWS = [
    ["Selected Nomen", "Native Nomen", "Reporter", "Reporter Name", "Product",
     "Product Name", "Partner", "Partner Name", "Tariff Year", "Trade Year", "Trade Source",
     "DutyType", "Simple Average", "Weighted Average", "Minimum Rate", "Maximum Rate",
     "Nbr of Total Lines", "Imports Value in 1000 USD"],
    ["H6", "H6", 410, "Korea, Rep.", "030389", "Fish", "000", "World", 2023, 2023, "Comtrade",
     "MFN", 10, 10, 10, 10, 3, 100],
    ["H6", "H6", 410, "Korea, Rep.", "870323", "Cars", "000", "World", 2023, 2023, "Comtrade",
     "MFN", 8, 8, 8, 8, 2, 500],
    ["H6", "H6", 410, "Korea, Rep.", "220300", "Beer", "000", "World", 2023, 2023, "Comtrade",
     "MFN", 30, 30, 30, 30, 1, 20],
    ["H6", "H6", 410, "Korea, Rep.", "100630", "Rice", "000", "World", 2023, 2023, "Comtrade",
     "MFN", "", "", "", "", 1, 1],  # specific duty only: no ad valorem rate
    ["H6", "H6", 410, "Korea, Rep.", "610910", "Shirts", "000", "World", 2022, 2022,
     "Comtrade", "MFN", 12, 12, 12, 12, 2, 30],  # an earlier year
    ["H6", "H6", 410, "Korea, Rep.", "610910", "Shirts", "000", "World", 2023, 2023,
     "Comtrade", "MFN", 13, 13, 13, 13, 2, 30],
    ["H6", "H6", 410, "Korea, Rep.", "870323", "Cars", "000", "World", 2023, 2023, "Comtrade",
     "AHS", 0, 0, 0, 8, 2, 500],
    ["H6", "H6", 410, "Korea, Rep.", "030389", "Fish", "000", "World", 2023, 2023, "Comtrade",
     "BND", 20, 20, 20, 20, 3, 100],
    ["H6", "H6", 410, "Korea, Rep.", "870323", "Cars", 842, "United States", 2023, 2023,
     "Comtrade", "PRF", 0, 0, 0, 0, 2, 150],
    ["H6", "H6", 410, "Korea, Rep.", "220300", "Beer", 842, "United States", 2023, 2023,
     "Comtrade", "PRF", 5, 5, 5, 5, 1, 10],
    ["H6", "H6", 410, "Korea, Rep.", "220300", "Beer", 842, "United States", 2025, 2025,
     "Comtrade", "PRF", 2.5, 2.5, 2.5, 2.5, 1, 10],  # a later staging step
    ["H6", "H6", 392, "Japan", "870323", "Cars", "000", "World", 2023, 2023, "Comtrade",
     "MFN", 0, 0, 0, 0, 2, 800],
    ["H6", "H6", 392, "Japan", "220300", "Beer", "000", "World", 2023, 2023, "Comtrade",
     "MFN", 0, 0, 0, 0, 1, 10],
    ["H6", "H6", 392, "Japan", "030389", "Fish", "000", "World", 2023, 2023, "Comtrade",
     "MFN", 3.5, 3.5, 3.5, 3.5, 2, 40],
]


def test_wits_download_replaces_mfn_and_preferences(schedules_base: Path,
                                                    tmp_path: Path) -> None:
    base = schedules_base
    f = _csv(tmp_path / "wits_kor.csv", [[f'"{v}"' if "," in str(v) else v for v in r]
                                         for r in WITS_ROWS])
    out = tmp_path / "o.xlsx"
    res = import_wits_tariffs(f, base=base, out=out, agreement="SYN_BIL")
    assert res.sheets == ("mfn", "preferences")
    mfn = _table(out, "mfn")
    obs = mfn[mfn["quality"].str.startswith("observed:WITS")]
    assert set(obs["importer"]) == {"KOR", "JPN"}
    assert not (mfn["importer"].isin(["KOR", "JPN"])
                & mfn["quality"].str.startswith("imputed")).any()
    rate = obs.set_index(["importer", "hs"])["rate"]
    assert rate[("KOR", "030389")] == pytest.approx(0.10)  # percent -> fraction
    assert rate[("KOR", "610910")] == pytest.approx(0.13)  # latest year
    assert ("KOR", "100630") not in rate.index  # no ad valorem rate
    assert set(obs["quality"]) == {"observed:WITS MFN 2023"}
    pd.testing.assert_frame_equal(
        mfn[mfn["importer"] == "USA"].reset_index(drop=True),
        _table(base, "mfn").query("importer == 'USA'").reset_index(drop=True))
    pr = _table(out, "preferences")
    kor = pr[(pr["agreement"] == "SYN_BIL") & (pr["importer"] == "KOR")]
    assert set(kor["quality"].str[:17]) == {"observed:WITS PRF"}
    assert set(zip(kor["hs"], kor["year"], kor["rate"], kor["exporter"], strict=True)) == {
        ("870323", 2023, 0.0, "USA"), ("220300", 2023, 0.05, "USA"),
        ("220300", 2025, 0.025, "USA")}
    assert len(pr[pr["agreement"] == "SYN_FTA"]) == len(
        _table(base, "preferences").query("agreement == 'SYN_FTA'"))
    notes = " ".join(res.notes)
    assert "AHS, BND ignored" in notes and "earlier tariff years" in notes
    assert "without an ad valorem rate" in notes and "--keep-base-rows" in notes
    r0, r1 = api.run([base]), api.run([out])
    key = ["scenario", "importer", "exporter", "hs"]
    m = r0.results.merge(r1.results, on=key, suffixes=("_0", "_1"))
    kor = m[(m["importer"] == "KOR") & (m["exporter"] == "JPN") & (m["hs"] == "030389")]
    assert len(kor) and kor["base_rate_0"].round(9).eq(0.08).all()
    assert kor["base_rate_1"].round(9).eq(0.10).all()
    usa = m[m["importer"] == "USA"]
    assert (usa["base_rate_0"] == usa["base_rate_1"]).all()


def test_wits_keep_base_rows_fills_products_without_a_rate(base: Path,
                                                           tmp_path: Path) -> None:
    f = _csv(tmp_path / "wits.csv", [[f'"{v}"' if "," in str(v) else v for v in r]
                                     for r in WITS_ROWS])
    out = tmp_path / "o.xlsx"
    import_wits_tariffs(f, base=base, out=out, agreement="SYN_BIL", keep_base_rows=True)
    mfn = _table(out, "mfn")
    kor = mfn[mfn["importer"] == "KOR"].set_index("hs")
    assert kor.loc["100630", "quality"] == "imputed:synthetic"  # kept: no WITS rate
    assert kor.loc["030389", "quality"] == "observed:WITS MFN 2023"
    assert len(kor) == len(_table(base, "mfn").query("importer == 'KOR'"))


def test_wits_trains_bulk_files_xlsx_and_program_map(base: Path, tmp_path: Path) -> None:
    """TRAINS bulk layout: AVEMFN (no Partner) and AVEPref (Partner = program code)."""
    mfn = write_xlsx(tmp_path / "AVEMFN_H6_156_2023.xlsx", {"data": [
        ["NomenCode", "Reporter_ISO_N", "Year", "ProductCode", "Sum_Of_Rates", "Min_Rate",
         "Max_Rate", "SimpleAverage", "Nbr_NA_Lines", "TotalNoOfLines", "EstCode"],
        ["H6", 156, 2023, 30389, 21, 7, 14, 10.5, 0, 2, "A"],  # number: zero restored
        ["H6", 156, 2023, 870323, 15, 15, 15, 15, 0, 1, "A"],
        ["H6", 156, 2023, 220300, 0, 0, 0, 0, 0, 1, "A"],
    ]})
    res = import_wits_tariffs(mfn, base=base, out=tmp_path / "m.xlsx")
    got = _table(tmp_path / "m.xlsx", "mfn").query("importer == 'CHN'")
    assert dict(zip(got["hs"], got["rate"], strict=True)) == {
        "030389": 0.105, "870323": 0.15, "220300": 0.0}
    assert res.groups == ("mfn:CHN",)
    pref = _csv(tmp_path / "AVEPref_H6_156_2027.csv", [
        ["NomenCode", "Reporter_ISO_N", "Year", "ProductCode", "Partner", "Sum_Of_Rates",
         "Min_Rate", "Max_Rate", "SimpleAverage", "TotalNoOfLines", "Nbr_Pref_Lines",
         "Nbr_MFN_Lines", "Nbr_NA_Lines", "EstCode"],
        ["H6", 156, 2027, "870323", "R901", 4, 2, 2, 2, 2, 2, 0, 0, "A"],
        ["H6", 156, 2027, "220300", "R901", 0, 0, 0, 0, 1, 1, 0, 0, "A"],
        ["H6", 156, 2027, "870323", "R902", 3, 3, 3, 3, 1, 1, 0, 0, "A"],
    ])
    pm = _csv(tmp_path / "programs.csv", [["program", "agreement", "exporter"],
                                          ["R901", "SYN_FTA", ""],
                                          ["R902", "SYN_FTA", "KOR"]])
    out = tmp_path / "p.xlsx"
    import_wits_tariffs(pref, base=tmp_path / "m.xlsx", out=out, program_map=pm)
    pr = _table(out, "preferences")
    chn = pr[(pr["agreement"] == "SYN_FTA") & (pr["importer"] == "CHN")].fillna("")
    assert set(zip(chn["hs"], chn["rate"], chn["exporter"], strict=True)) == {
        ("870323", 0.02, ""), ("220300", 0.0, ""), ("870323", 0.03, "KOR")}
    assert (chn["year"] == 2027).all()
    # the earlier import's observed CHN mfn rows are still there (other sheet untouched)
    assert (_table(out, "mfn").query("importer == 'CHN'")["quality"]
            .str.startswith("observed").all())


def test_wits_errors(base: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    prf = _csv(tmp_path / "prf.csv", [
        ["Reporter", "Product", "Partner", "Tariff Year", "DutyType", "Simple Average"],
        [410, "870323", 124, 2023, "PRF", 0],
    ])
    with pytest.raises(InputError) as exc:
        import_wits_tariffs(prf, base=base, out=out)
    assert "prf.csv [prf!C2]" in _errors(exc) and "--agreement" in _errors(exc)
    with pytest.raises(InputError) as exc:  # CAN is not a member of SYN_BIL
        import_wits_tariffs(prf, base=base, out=out, agreement="SYN_BIL")
    assert "not a member" in _errors(exc)
    with pytest.raises(InputError, match="not in the base 'agreements'"):
        import_wits_tariffs(prf, base=base, out=out, agreement="NOPE")
    bad = _csv(tmp_path / "bad.csv", [
        ["Reporter", "Product", "Tariff Year", "DutyType", "Simple Average", "NomenCode"],
        [410, "8703x3", 2023, "MFN", 5, "H6"],
        [999, "870323", 2023, "MFN", "five", "H6"],
    ])
    with pytest.raises(InputError) as exc:
        import_wits_tariffs(bad, base=base, out=out)
    text = _errors(exc)
    assert "bad.csv [bad!B2]" in text and "HS code" in text
    assert "[bad!A3]: value '999'" in text and "unknown reporter" in text
    assert "[bad!E3]: value 'five'" in text
    old = _csv(tmp_path / "h5.csv", [
        ["Reporter", "Product", "Tariff Year", "DutyType", "Simple Average", "NomenCode"],
        [410, "870323", 2020, "MFN", 8, "H5"],
    ])
    with pytest.raises(InputError, match="HS2017 but the base workbook is HS2022"):
        import_wits_tariffs(old, base=base, out=out)
    with pytest.raises(InputError, match="not a WITS/TRAINS tariff file"):
        import_wits_tariffs(_csv(tmp_path / "x.csv", [["a", "b"], [1, 2]]), base=base,
                            out=out)
    assert not out.exists()


# --------------------------------------------------------------------------- any table


def test_import_table_with_a_column_mapping(base: Path, tmp_path: Path) -> None:
    f = _csv(tmp_path / "comtrade.csv", [
        ["ReporterISO", "PartnerISO", "Cmd", "TradeValue", "Flow"],
        ["KOR", "JPN", 870323, 1500000, "M"],
        ["KOR", "JPN", 30389, 25000, "M"],
        ["KOR", 156, 610910, 300000, "M"],  # numeric partner code
    ])
    out = tmp_path / "o.xlsx"
    res = import_table(f, sheet="trade", base=base, out=out, scale=0.001,
                       mapping=parse_mapping(["importer=ReporterISO", "exporter=PartnerISO",
                                              "hs=Cmd", "value=TradeValue"]))
    assert set(res.groups) == {"KOR<-JPN", "KOR<-CHN"}
    t = _table(out, "trade")
    new = t[t["quality"] == "observed:comtrade.csv"].set_index(["exporter", "hs"])["value"]
    assert new.to_dict() == {("JPN", "870323"): 1500.0, ("JPN", "030389"): 25.0,
                             ("CHN", "610910"): 300.0}
    assert not ((t["importer"] == "KOR") & t["exporter"].isin(["JPN", "CHN"])
                & t["quality"].str.startswith("imputed")).any()


def test_import_table_map_file_constants_and_percent(base: Path, tmp_path: Path) -> None:
    f = write_xlsx(tmp_path / "kor_tariff.xlsx", {"Sheet1": [
        ["HS Code", "Applied %"], ["030389", 10], ["870323", 8]]},
        text_columns={"Sheet1": {0}})
    mf = _csv(tmp_path / "map.csv", [["target", "source"], ["hs", "HS Code"],
                                     ["rate", "Applied %"]])
    out = tmp_path / "o.xlsx"
    import_table(f, sheet="mfn", base=base, out=out, mapping=parse_mapping([], mf),
                 constants={"importer": "KOR"}, percent=True, quality="observed:customs")
    kor = _table(out, "mfn").query("importer == 'KOR'")
    assert dict(zip(kor["hs"], kor["rate"], strict=True)) == {"030389": 0.10,
                                                               "870323": 0.08}
    assert set(kor["quality"]) == {"observed:customs"}


def test_import_table_errors(base: Path, tmp_path: Path) -> None:
    f = _csv(tmp_path / "bad.csv", [["ReporterISO", "PartnerISO", "Cmd", "TradeValue"],
                                    ["KOR", "XXJ", 870323, "abc"],
                                    ["KOR", "JPN", "87x323", 5]])
    m = parse_mapping(["importer=ReporterISO", "exporter=PartnerISO", "hs=Cmd",
                       "value=TradeValue"])
    out = tmp_path / "o.xlsx"
    with pytest.raises(InputError) as exc:
        import_table(f, sheet="trade", base=base, out=out, mapping=m)
    text = _errors(exc)
    assert "bad.csv [bad!B2]: value 'XXJ': column 'PartnerISO': unknown country code" in text
    assert "[bad!C3]" in text and "[bad!D2]: value 'abc'" in text
    with pytest.raises(InputError) as exc:
        import_table(f, sheet="trade", base=base, out=out, mapping={"importer": "Nope"})
    assert "column 'Nope'" in _errors(exc) and "required 'exporter'" in _errors(exc)
    with pytest.raises(InputError, match="unknown contract sheet"):
        import_table(f, sheet="flows", base=base, out=out, mapping=m)
    with pytest.raises(InputError, match="COLUMN=VALUE"):
        parse_mapping(["exporter"])
    assert not out.exists()


# --------------------------------------------------------------------------- CLI


def test_cli_import_commands(base: Path, baci: Path, tmp_path: Path) -> None:
    run = CliRunner().invoke
    out = tmp_path / "b.xlsx"
    r = run(main, ["import", "baci", str(baci), "--year", "2022", "--countries", "KOR,JPN",
                   "--base", str(base), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output and "KOR<-JPN" in r.output
    r = run(main, ["import", "baci", str(baci), "--year", "2022", "--countries", "KOR",
                   "--base", str(base), "--out", str(out)])
    assert r.exit_code == 1 and "--force" in r.output
    r = run(main, ["validate", str(out)])
    assert r.exit_code == 0, r.output
    w = _csv(tmp_path / "w.csv", [[f'"{v}"' if "," in str(v) else v for v in row]
                                  for row in WITS_ROWS])
    r = run(main, ["import", "wits-tariffs", str(w), "--base", str(out), "--agreement",
                   "SYN_BIL", "--out", str(tmp_path / "w.xlsx")])
    assert r.exit_code == 0, r.output
    r = run(main, ["import", "table", str(tmp_path / "w.csv"), "--sheet", "mfn", "--map",
                   "importer=Reporter", "--map", "hs=Product", "--map", "rate=Simple Average",
                   "--percent", "--base", str(base), "--out", str(tmp_path / "t.xlsx")])
    assert r.exit_code == 1  # duplicate (importer, hs) rows: the validator says so
    assert "Traceback" not in r.output and "nothing was written" in r.output
    r = run(main, ["import", "baci", str(tmp_path / "missing.csv"), "--year", "2022",
                   "--countries", "KOR", "--base", str(base), "--out",
                   str(tmp_path / "x.xlsx")])
    assert r.exit_code == 1 and "file not found" in r.output
