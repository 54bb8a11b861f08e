"""The bundled tariff tables: reproducible from ../shared/data, and sane.

* ``test_rebuild_*`` rebuilds the default workbook(s) with the package ``fta_compare.tablebuild``
  from the shared data into a temporary folder, compares every sheet with the committed
  ``tariff_tables/default*.xlsx`` and then the files byte for byte; skipped when
  ``<repo>/../shared/data`` is absent. The example workbook is rebuilt through the thin script
  ``scripts/build_tariff_tables.py`` (no shared data needed).
* The sanity tests read the committed workbooks and need no shared data.
* Each source module has its own tests on slices of the real files: ``test_tablebuild_*.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fta_compare.inputs.hs import keyed_prefix_match, longest_prefix_index
from fta_compare.inputs.schema import SHEETS
from fta_compare.tablebuild import helpers
from fta_compare.tablebuild.cli import main as build_main

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).parents[1].parent / "shared" / "data"
TABLES = REPO / "tariff_tables"
SCRIPT = REPO / "scripts" / "build_tariff_tables.py"
SECTORS_CSV = REPO / "src" / "fta_compare" / "data" / "sectors.csv"
QUALITY = re.compile(r"^(observed|imputed:[a-z0-9_]+|[a-z_]+:[a-z0-9_]+)$")
REQUIRED_SCENARIOS = {
    "baseline",
    "cjk_fta",
    "kor_cptpp",
    "kor_chn_cptpp",
    "jk_plus",
    "jk_plus_eu",
    "us_deal",
    "us_deal_jpn_only",
    "us_no_deal",
    "us_post_ruling",
    "kor_cptpp+us_deal",
    "cjk_fta+us_deal",
    "jk_plus+us_deal",
}
HYPOTHETICAL = {"CJK", "CPTPP_KOR", "CPTPP_KOR_CHN", "JK_PLUS", "JK_PLUS_EU"}
GE_SHEETS = {"ge_trade", "ge_applied", "ge_intermediate", "ge_final", "ge_value_added",
             "ge_deficits", "ge_elasticities", "ge_sectors"}


def _read_book(path: Path) -> dict[str, pd.DataFrame]:
    """All sheets; HS codes kept as text (pandas would turn '010121' into 10121 otherwise)."""
    return pd.read_excel(path, sheet_name=None, engine="calamine", dtype={"hs": str})


def _read(paths: list[Path]) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for p in paths:
        for name, df in _read_book(p).items():
            assert name not in out, f"sheet {name} appears twice"
            out[name] = df
    return out


def _default_paths(folder: Path) -> list[Path]:
    return sorted(folder.glob("default*.xlsx"))


@pytest.fixture(scope="module")
def committed() -> dict[str, pd.DataFrame]:
    paths = _default_paths(TABLES)
    assert paths, "no tariff_tables/default*.xlsx committed"
    return _read(paths)


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    if not SHARED.is_dir():
        pytest.skip(
            f"shared data folder not found at {SHARED}: the rebuild test needs "
            "../shared/data next to the repository"
        )
    out = tmp_path_factory.mktemp("tariff_tables")
    rc = build_main(["--shared", str(SHARED), "--out", str(out), "--quiet"], repo=REPO)
    assert rc == 0
    return out


# ------------------------------------------------------------------------------ reproducibility
@pytest.mark.shared
def test_rebuild_matches_committed_workbooks(rebuilt: Path) -> None:
    new_paths = _default_paths(rebuilt)
    assert [p.name for p in new_paths] == [p.name for p in _default_paths(TABLES)]
    for new, old in zip(new_paths, _default_paths(TABLES), strict=True):
        a = _read_book(new)
        b = _read_book(old)
        assert list(a) == list(b), f"{new.name}: sheet names differ"
        for name in a:
            pd.testing.assert_frame_equal(
                a[name], b[name], check_exact=True, obj=f"{new.name}:{name}"
            )
        # same values are not enough: the build is deterministic, the files must be identical
        assert new.read_bytes() == old.read_bytes(), f"{new.name} differs byte-wise"


@pytest.mark.shared
def test_rebuild_matches_committed_sectors_csv(rebuilt: Path) -> None:
    new = pd.read_csv(rebuilt / "sectors.csv", dtype=str)
    old = pd.read_csv(SECTORS_CSV, dtype=str)
    pd.testing.assert_frame_equal(new, old)
    assert (rebuilt / "sectors.csv").read_bytes() == SECTORS_CSV.read_bytes()


def test_example_rebuild_matches_committed(tmp_path: Path) -> None:
    """Through the thin script, as ``make tables`` runs it."""
    cmd = [sys.executable, str(SCRIPT), "--example-only", "--out", str(tmp_path), "--quiet"]
    subprocess.run(cmd, check=True, cwd=tmp_path)
    a = _read_book(tmp_path / "example_synthetic.xlsx")
    b = _read_book(TABLES / "example_synthetic.xlsx")
    assert list(a) == list(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)
    assert (tmp_path / "example_synthetic.xlsx").read_bytes() == (
        TABLES / "example_synthetic.xlsx"
    ).read_bytes()


# ------------------------------------------------------------------------------ contract
def test_every_contract_sheet_and_required_column_present(committed) -> None:
    wanted = {
        "meta",
        "sources",
        "regions",
        "agreements",
        "preferences",
        "mfn",
        "duties",
        "depth",
        "scenarios",
        "trade",
        "elasticities",
        "sectors",
        "utilisation",
    } | GE_SHEETS
    assert wanted <= set(committed)
    for name, df in committed.items():
        assert name in SHEETS, f"unknown sheet {name}"
        missing = set(SHEETS[name].required_columns) - set(df.columns)
        assert not missing, f"{name}: missing columns {missing}"


def test_trade_sanity(committed) -> None:
    t = committed["trade"]
    assert t["hs"].nunique() >= 4000
    assert t["hs"].map(lambda h: isinstance(h, str) and len(h) == 6 and h.isdigit()).all()
    assert (t["value"] >= 0).all()
    assert t["quality"].map(lambda q: isinstance(q, str) and bool(QUALITY.match(q))).all()
    assert not t.duplicated(["exporter", "importer", "hs"]).any()
    assert (t["quality"] == "observed").any()
    universe = set(t["exporter"]) | set(t["importer"])
    regions = set(committed["regions"]["code"])
    assert all(len(c) == 3 and c.isupper() for c in universe)
    assert {"ROW", "EUN"} <= regions and {"ROW", "EUN"} <= universe
    assert {"VNM", "MYS", "SGP", "CHL", "PER", "NZL", "TWN", "IND", "IDN", "AUS"} <= universe
    assert not universe & {"DEU", "FRA", "BRN"}  # EU members in EUN, Brunei in ROW
    assert len(t) < 1_048_576  # one Excel sheet


def test_rates_are_fractions_with_quality(committed) -> None:
    for name in ("mfn", "preferences", "duties"):
        r = committed[name]["rate"]
        assert r.notna().all() and (r >= 0).all() and (r <= 10).all(), name
    for name in ("mfn", "preferences"):
        q = committed[name]["quality"]
        assert q.map(lambda x: isinstance(x, str) and bool(QUALITY.match(x))).all(), name
    mfn = committed["mfn"]
    assert mfn["hs"].map(lambda h: isinstance(h, str) and len(h) == 6 and h.isdigit()).all()
    assert not mfn.duplicated(["importer", "hs"]).any()
    meta = dict(zip(committed["meta"]["key"], committed["meta"]["value"].astype(str), strict=True))
    for name in ("mfn", "preferences", "duties"):
        assert committed[name]["rate"].max() <= float(meta["max_rate"]) < 10, name
    # the out-of-quota staples: Japan's rice at its AVE, Korea's at 513%, not in-quota 0
    m = mfn.set_index(["importer", "hs"])["rate"]
    assert m[("JPN", "100630")] == 7.78 and m[("KOR", "100630")] == 5.13
    d = committed["duties"]
    assert set(d["mode"]) <= {"add", "floor"}
    assert d["source"].notna().all()
    assert d["hs"].map(lambda h: h == "*" or (h.isdigit() and len(h) in (2, 4, 6))).all()


def test_preferences_never_exceed_mfn_after_prefix_expansion(committed) -> None:
    pr = committed["preferences"].copy()
    pr["exporter"] = pr["exporter"].fillna("")
    mfn = committed["mfn"]
    assert pr["hs"].map(lambda h: h.isdigit() and len(h) in (2, 4, 6)).all()
    for (_a, imp, _e, _y), g in pr.groupby(["agreement", "importer", "exporter", "year"]):
        m = mfn[mfn["importer"] == imp]
        target = pd.DataFrame({"k": 0, "hs": m["hs"].to_numpy()})
        rules = g.assign(k=0).reset_index(drop=True)
        idx = keyed_prefix_match(target, rules, ["k"])
        hit = idx >= 0
        r = rules["rate"].to_numpy()[idx[hit]]
        assert (r <= m["rate"].to_numpy()[hit] + 1e-9).all(), (_a, imp, _e, _y)


def test_elasticities_signs_and_bounds(committed) -> None:
    e = committed["elasticities"]
    assert ((e["import_demand"] < 0) & (e["import_demand"] >= -5)).all()
    assert ((e["substitution"] > 0) & (e["substitution"] <= 15)).all()
    xs = pd.to_numeric(e["export_supply"], errors="coerce")
    assert (xs > 0).all()
    assert ((e["hs"] == "*") & (e["country"] == "*")).sum() == 1
    assert not e.duplicated(["hs", "country"]).any()


def test_scenarios_are_consistent(committed) -> None:
    s = committed["scenarios"].fillna("")
    assert REQUIRED_SCENARIOS <= set(s["scenario"])
    agreements = set(committed["agreements"]["agreement"])
    measures = set(committed["duties"]["measure"])
    for r in s.itertuples(index=False):
        assert r.parent == "" or r.parent in set(s["scenario"])
        for a in filter(None, (x.strip() for x in str(r.agreements).split(","))):
            assert a in agreements, a
        for m in filter(None, (x.strip() for x in str(r.duties).split(","))):
            assert m.lstrip("-") in measures, m
    hypo = committed["agreements"]
    assert hypo.loc[hypo["agreement"].isin(HYPOTHETICAL), "in_force"].isna().all()
    assert HYPOTHETICAL <= set(hypo["agreement"])
    used = set(committed["preferences"]["agreement"]) | set(committed["depth"]["agreement"])
    assert used <= agreements


def test_depth_and_meta(committed) -> None:
    d = committed["depth"]
    assert set(d["category"]) <= {"WTO+", "WTO-X"}
    assert set(d["coverage"]) <= {0, 1, 2}
    assert HYPOTHETICAL | {"CPTPP", "RCEP", "KOR_CHN", "KORUS", "KOR_EU", "JPN_EU"} <= set(
        d["agreement"]
    )
    meta = dict(zip(committed["meta"]["key"], committed["meta"]["value"].astype(str), strict=True))
    for k in (
        "currency_unit",
        "base_year",
        "hs_revision",
        "focus",
        "title",
        "baseline_date",
        "baseline_year",
        "depth_beta",
        "depth_beta_source",
        "data_gaps",
        "synthetic",
    ):
        assert k in meta, k
    assert meta["synthetic"] == "no" and meta["hs_revision"] == "HS2022"
    assert 0 < float(meta["depth_beta"]) < 2


def test_sources_cite_every_column(committed) -> None:
    src = committed["sources"]
    cited = set(zip(src["table"], src["column"], strict=True))
    for name, df in committed.items():
        for col in df.columns:
            assert (name, col) in cited, f"sources lacks a row for {name}.{col}"
    quals = set()
    for name in ("trade", "mfn", "preferences"):
        quals |= {q for q in committed[name]["quality"].unique() if q.startswith("imputed:")}
    for q in quals:
        assert any(c.endswith(q) for c in src["column"]), f"no sources row for {q}"


def test_sectors_sheet_equals_package_csv(committed) -> None:
    csv = pd.read_csv(SECTORS_CSV, dtype=str)
    sheet = committed["sectors"].astype(str)
    pd.testing.assert_frame_equal(sheet.reset_index(drop=True), csv)
    assert {
        "semiconductors",
        "batteries",
        "autos_and_parts",
        "hydrogen_clean_energy",
        "critical_minerals",
        "steel_aluminium",
        "shipbuilding",
    } <= set(csv["sector"])
    assert csv["sector"].str.startswith("section_").sum() >= 96


def test_ge_tables(committed) -> None:
    ge = {k: committed[k] for k in GE_SHEETS}
    t = ge["ge_trade"]
    E = set(t["exporter"]) | set(t["importer"])
    assert len(E) == 44 and {"DEU", "KOR", "ROW"} <= E and t["sector"].nunique() == 50
    a = ge["ge_applied"]
    assert set(a["scenario"]) == {"baseline"}
    assert set(a["quality"]) == {"observed:pe_baseline_2026", "observed:wiod2014"}
    q = a.set_index(["importer", "exporter", "sector"])["quality"]
    assert q[("KOR", "DEU", "C20")] == "observed:pe_baseline_2026"  # EUN -> EU members
    assert q[("KOR", "ROW", "C20")] == "observed:wiod2014"  # PE VNM, MYS... have no GE twin
    y = t.groupby(["exporter", "sector"])["value"].sum()
    cost = ge["ge_intermediate"].groupby(["country", "sector"])["value"].sum()
    cost = cost.reindex(y.index, fill_value=0) + ge["ge_value_added"].set_index(
        ["country", "sector"])["value"].reindex(y.index)
    assert np.allclose(cost, y, rtol=1e-6, atol=1.0)  # intermediate + VA = output, US$ 1
    assert (ge["ge_elasticities"]["theta"] > 0).all()
    assert "description" in ge["ge_sectors"].columns


# ------------------------------------------------------------------------------ example
def test_example_is_synthetic_and_exercises_every_sheet() -> None:
    x = _read([TABLES / "example_synthetic.xlsx"])
    meta = dict(zip(x["meta"]["key"], x["meta"]["value"].astype(str), strict=True))
    assert meta["synthetic"] == "yes" and "SYNTHETIC" in meta["title"]
    for name in SHEETS:
        if name in ("weights", "elasticity_draws") or name.startswith("ge_"):
            continue  # the GE sheets are exercised by default_ge.xlsx (test_ge_tables)
        assert name in x, name
    t = x["trade"]
    assert (t["exporter"] == t["importer"]).any()
    e = x["elasticities"]
    assert (e["hs"] == "*").any() and (e["country"] == "*").any()
    assert (e["export_supply"].astype(str) == "inf").any()
    assert {"add", "floor"} <= set(x["duties"]["mode"])
    assert {"baseline"} < set(x["applied"]["scenario"])
    s = x["scenarios"].fillna("")
    assert (s["parent"] != "").any()
    assert x["preferences"].groupby(["agreement", "importer"])["year"].nunique().max() >= 2


# ------------------------------------------------------------------------------ helpers
def test_prefix_compression_is_lossless() -> None:
    mod = helpers
    universe = ["010121", "010129", "010130", "010221", "020110", "020120", "030111", "030119"]
    values = {
        "010121": 0.1,
        "010129": 0.1,
        "010130": 0.0,
        "010221": 0.1,
        "020110": 0.2,
        "020120": 0.2,
        "030111": 0.0,
        "030119": 0.05,
    }
    rows = mod.compress_override(values, universe)
    pats = pd.Series([p for p, _ in rows])
    idx = longest_prefix_index(pd.Series(universe), pats)
    got = {h: rows[i][1] for h, i in zip(universe, idx, strict=True)}
    assert got == values
    part = mod.compress_partition(values, universe)
    pats = pd.Series([p for p, _ in part])
    idx = longest_prefix_index(pd.Series(universe), pats)
    got = {h: (part[i][1] if i >= 0 else 0.0) for h, i in zip(universe, idx, strict=True)}
    assert got == values
    covered = [h for h in universe if any(h.startswith(p) for p, _ in part)]
    assert len(covered) == sum(1 for v in values.values() if v > 0)  # no overlaps, no extras
    assert np.isclose(mod.progress(2026, 2015, 20), 0.6)
