"""Scenario compiler: hand-built cases with answers worked out by hand, and a naive
per-cell reference implementation checked against the vectorised one on random data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fta_compare.errors import InputError
from fta_compare.inputs.tables import InputTables
from fta_compare.scenarios.compiler import (
    APPLIED_COLUMNS,
    applied_from_sheet,
    compile_applied,
    resolve_scenarios,
)

# --------------------------------------------------------------------------- builders


def _df(columns: list[str], rows: list[tuple], ints: tuple[str, ...] = (),
        dates: tuple[str, ...] = ()) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    for c in ints:
        df[c] = pd.array([None if v in ("", None) else int(v) for v in df[c]], dtype="Int64")
    for c in dates:
        df[c] = pd.to_datetime(df[c].replace("", None))
    return df


def products(importers: list[str], exporters: list[str], hs: list[str]) -> pd.DataFrame:
    rows = [(i, e, h) for i in importers for e in exporters for h in hs]
    return pd.DataFrame(rows, columns=["importer", "exporter", "hs"])


def mfn(rows: list[tuple]) -> pd.DataFrame:
    return _df(["importer", "hs", "rate"], rows)


def agreements(rows: list[tuple]) -> pd.DataFrame:
    return _df(["agreement", "members", "in_force"], rows, ints=("in_force",))


def prefs(rows: list[tuple]) -> pd.DataFrame:
    """rows: (agreement, importer, hs, year, rate, exporter)."""
    return _df(["agreement", "importer", "hs", "year", "rate", "exporter"], rows, ints=("year",))


def duties(rows: list[tuple]) -> pd.DataFrame:
    """rows: (measure, importer, exporter, hs, rate, mode, start, end)."""
    df = _df(["measure", "importer", "exporter", "hs", "rate", "mode", "start", "end"], rows,
             dates=("start", "end"))
    df["source"] = "test"
    return df


def scenarios(rows: list[tuple]) -> pd.DataFrame:
    """rows: (scenario, parent, year, date, agreements, duties)."""
    df = _df(["scenario", "parent", "year", "date", "agreements", "duties"], rows,
             ints=("year",), dates=("date",))
    df["description"] = ""
    return df


def make(prod: pd.DataFrame, **sheets: object) -> InputTables:
    meta = sheets.pop("meta", {"baseline_year": "2024"})
    return InputTables(trade=prod.assign(value=1.0), meta=meta, **sheets)  # type: ignore[arg-type]


def rate(out, scenario: str, importer: str, exporter: str, hs: str,
         col: str = "rate") -> object:
    a = out.applied
    hit = a[(a["scenario"] == scenario) & (a["importer"] == importer)
            & (a["exporter"] == exporter) & (a["hs"] == hs)]
    assert len(hit) == 1, (scenario, importer, exporter, hs, len(hit))
    return hit[col].iloc[0]


# --------------------------------------------------------------------------- tests


def test_staging_before_first_step_between_steps_and_after_last() -> None:
    prod = products(["KOR"], ["JPN"], ["870321"])
    t = make(
        prod,
        mfn=mfn([("KOR", "8703", 0.08)]),
        agreements=agreements([("KJ", "KOR,JPN", "")]),
        preferences=prefs([("KJ", "KOR", "8703", 2020, 0.06, ""),
                           ("KJ", "KOR", "8703", 2025, 0.03, ""),
                           ("KJ", "KOR", "8703", 2030, 0.0, "")]),
        scenarios=scenarios([("y2019", "", 2019, "", "KJ", ""),
                             ("y2020", "", 2020, "", "KJ", ""),
                             ("y2027", "", 2027, "", "KJ", ""),
                             ("y2030", "", 2030, "", "KJ", ""),
                             ("y2050", "", 2050, "", "KJ", "")]),
    )
    out = compile_applied(t, prod)
    expect = {"baseline": 0.08, "y2019": 0.08, "y2020": 0.06, "y2027": 0.03, "y2030": 0.0,
              "y2050": 0.0}
    for scen, r in expect.items():
        assert rate(out, scen, "KOR", "JPN", "870321") == pytest.approx(r), scen
    assert rate(out, "y2019", "KOR", "JPN", "870321", "agreement") == ""
    assert np.isnan(rate(out, "y2019", "KOR", "JPN", "870321", "preferential_rate"))
    assert rate(out, "y2027", "KOR", "JPN", "870321", "agreement") == "KJ"
    assert rate(out, "y2027", "KOR", "JPN", "870321", "preferential_rate") == pytest.approx(0.03)
    # y2019: the agreement exists but has not started: a warning says so
    assert any("no staging step" in w.rule and w.value == "y2019" for w in out.warnings)


def test_overlapping_agreements_take_the_lowest_rate() -> None:
    prod = products(["KOR"], ["JPN", "CHN"], ["010121", "020110"])
    t = make(
        prod,
        mfn=mfn([("KOR", "01", 0.10), ("KOR", "02", 0.20)]),
        agreements=agreements([("RCEP", "KOR,JPN,CHN", 2022), ("CJK", "CHN,JPN,KOR", "")]),
        preferences=prefs([("RCEP", "KOR", "01", 2022, 0.05, ""),
                           ("RCEP", "KOR", "02", 2022, 0.10, ""),
                           ("CJK", "KOR", "01", 2026, 0.07, ""),
                           ("CJK", "KOR", "02", 2026, 0.02, "")]),
        scenarios=scenarios([("cjk", "", 2026, "", "CJK", "")]),
    )
    out = compile_applied(t, prod)
    for exp in ("JPN", "CHN"):
        assert rate(out, "baseline", "KOR", exp, "010121") == pytest.approx(0.05)
        assert rate(out, "baseline", "KOR", exp, "020110", "agreement") == "RCEP"
        assert rate(out, "cjk", "KOR", exp, "010121") == pytest.approx(0.05)
        assert rate(out, "cjk", "KOR", exp, "010121", "agreement") == "RCEP"
        assert rate(out, "cjk", "KOR", exp, "020110") == pytest.approx(0.02)
        assert rate(out, "cjk", "KOR", exp, "020110", "agreement") == "CJK"


def _stack(order: list[str]) -> float:
    prod = products(["USA"], ["JPN"], ["870321"])
    rows = {"add": ("add10", "USA", "*", "*", 0.10, "add", "2025-01-01", ""),
            "floor": ("floor15", "USA", "JPN", "*", 0.15, "floor", "2025-01-01", "")}
    t = make(prod, mfn=mfn([("USA", "8703", 0.02)]),
             duties=duties([rows[k] for k in order]),
             scenarios=scenarios([("s", "", "", "2025-06-01", "", "add10,floor15")]))
    out = compile_applied(t, prod)
    return float(rate(out, "s", "USA", "JPN", "870321"))


def test_add_then_floor_vs_floor_then_add_follow_sheet_order() -> None:
    # add first: 0.02 + 0.10 = 0.12, then floor: max(0.12, 0.15) = 0.15
    assert _stack(["add", "floor"]) == pytest.approx(0.15)
    # floor first: max(0.02, 0.15) = 0.15, then add: 0.25
    assert _stack(["floor", "add"]) == pytest.approx(0.25)


def test_duty_dates_inclusive_windows_and_baseline_date() -> None:
    prod = products(["USA"], ["CHN"], ["840110"])
    t = make(
        prod,
        mfn=mfn([("USA", "84", 0.0)]),
        duties=duties([("win", "USA", "CHN", "*", 0.20, "add", "2025-04-05", "2025-08-01")]),
        scenarios=scenarios([("d0", "", "", "2025-04-04", "", "win"),
                             ("d1", "", "", "2025-04-05", "", "win"),
                             ("d2", "", "", "2025-08-01", "", "win"),
                             ("d3", "", "", "2025-08-02", "", "win")]),
    )
    out = compile_applied(t, prod)
    got = [rate(out, s, "USA", "CHN", "840110") for s in ("d0", "d1", "d2", "d3")]
    assert got == pytest.approx([0.0, 0.2, 0.2, 0.0])
    # the implicit baseline date is 31 Dec of the baseline year: 2025 -> in force? no (ended)
    t2 = make(prod, mfn=t.mfn, duties=t.duties, meta={"baseline_date": "2025-05-01"})
    out2 = compile_applied(t2, prod)
    assert rate(out2, "baseline", "USA", "CHN", "840110") == pytest.approx(0.2)
    info = out2.scenario_info.set_index("scenario")
    assert info.loc["baseline", "duties"] == "win"
    assert info.loc["baseline", "year"] == 2025


def test_hs_prefix_scopes_and_exemptions_within_a_measure() -> None:
    prod = products(["USA"], ["KOR"], ["870321", "871000", "840110"])
    t = make(
        prod,
        mfn=mfn([("USA", "87", 0.025), ("USA", "84", 0.0)]),
        duties=duties([("s232", "USA", "*", "87", 0.25, "add", "2025-04-03", ""),
                       ("s232", "USA", "*", "8703", 0.0, "add", "2025-04-03", "")]),
        scenarios=scenarios([("s", "", "", "2025-06-01", "", "s232")]),
    )
    out = compile_applied(t, prod)
    assert rate(out, "s", "USA", "KOR", "870321") == pytest.approx(0.025)  # exempt line
    assert rate(out, "s", "USA", "KOR", "871000") == pytest.approx(0.275)
    assert rate(out, "s", "USA", "KOR", "840110") == pytest.approx(0.0)  # out of scope
    assert rate(out, "s", "USA", "KOR", "871000", "measures") == "s232"
    assert rate(out, "s", "USA", "KOR", "870321", "measures") == ""  # raised nothing


def test_star_exporter_vs_named_exporter_and_longest_hs_first() -> None:
    prod = products(["USA"], ["CHN", "JPN"], ["270900", "840110"])
    t = make(
        prod,
        mfn=mfn([("USA", "27", 0.0), ("USA", "84", 0.01)]),
        duties=duties([("recip", "USA", "*", "*", 0.10, "add", "2025-04-05", ""),
                       ("recip", "USA", "CHN", "*", 0.34, "add", "2025-04-05", ""),
                       ("recip", "USA", "*", "27", 0.0, "add", "2025-04-05", "")]),
        scenarios=scenarios([("s", "", "", "2025-05-01", "", "recip")]),
    )
    out = compile_applied(t, prod)
    assert rate(out, "s", "USA", "CHN", "840110") == pytest.approx(0.35)
    assert rate(out, "s", "USA", "JPN", "840110") == pytest.approx(0.11)
    # energy exemption (hs 27) beats the China row: longer HS prefix first
    assert rate(out, "s", "USA", "CHN", "270900") == pytest.approx(0.0)
    assert rate(out, "s", "USA", "CHN", "840110", "duty") == pytest.approx(0.34)


def test_parent_chain_three_deep_inheritance_and_removal() -> None:
    prod = products(["USA", "KOR"], ["KOR", "JPN"], ["870321"])
    t = make(
        prod,
        mfn=mfn([("USA", "87", 0.025), ("KOR", "87", 0.08)]),
        agreements=agreements([("KJ", "KOR,JPN", "")]),
        preferences=prefs([("KJ", "KOR", "87", 2026, 0.04, ""),
                           ("KJ", "KOR", "87", 2030, 0.0, "")]),
        duties=duties([("s232", "USA", "*", "8703", 0.25, "add", "2025-04-03", ""),
                       ("deal", "USA", "KOR", "*", 0.15, "floor", "2025-11-01", "")]),
        scenarios=scenarios([("a", "", 2026, "2025-06-01", "KJ", "s232"),
                             ("b", "a", "", "2025-12-01", "", "-s232,deal"),
                             ("c", "b", 2031, "", "", "")]),
    )
    out = compile_applied(t, prod)
    info = out.scenario_info.set_index("scenario")
    assert info.loc["c", "parent"] == "b"
    assert info.loc["b", "year"] == 2026  # inherited from a
    assert info.loc["c", "date"] == pd.Timestamp("2025-12-01")  # inherited from b
    assert info.loc["c", "agreements"] == "KJ"
    assert info.loc["c", "duties"] == "deal"
    assert rate(out, "a", "USA", "KOR", "870321") == pytest.approx(0.275)
    assert rate(out, "b", "USA", "KOR", "870321") == pytest.approx(0.15)  # 232 removed, floor
    assert rate(out, "b", "USA", "JPN", "870321") == pytest.approx(0.025)
    assert rate(out, "b", "KOR", "JPN", "870321") == pytest.approx(0.04)
    assert rate(out, "c", "KOR", "JPN", "870321") == pytest.approx(0.0)
    assert rate(out, "c", "USA", "KOR", "870321", "measures") == "deal"
    specs = resolve_scenarios(t)
    assert [s.name for s in specs] == ["baseline", "a", "b", "c"]


def test_utilisation_blend_and_specificity() -> None:
    prod = products(["KOR"], ["JPN"], ["870321", "010121"])
    util = pd.DataFrame({"agreement": ["KJ", "*"], "importer": ["*", "*"],
                         "exporter": ["*", "*"], "hs": ["8703", "*"], "share": [0.5, 0.25]})
    t = make(
        prod,
        mfn=mfn([("KOR", "87", 0.08), ("KOR", "01", 0.20)]),
        agreements=agreements([("KJ", "KOR,JPN", 2020)]),
        preferences=prefs([("KJ", "KOR", "*", 2020, 0.0, "")]),
        utilisation=util,
    )
    out = compile_applied(t, prod)
    # 0.5 * 0 + 0.5 * 0.08 = 0.04; '*' agreement row: 0.25 * 0 + 0.75 * 0.20 = 0.15
    assert rate(out, "baseline", "KOR", "JPN", "870321") == pytest.approx(0.04)
    assert rate(out, "baseline", "KOR", "JPN", "870321", "utilisation") == pytest.approx(0.5)
    assert rate(out, "baseline", "KOR", "JPN", "010121") == pytest.approx(0.15)
    assert rate(out, "baseline", "KOR", "JPN", "010121", "preferential_rate") == 0.0


def test_region_expansion_in_members_duties_and_mfn() -> None:
    regions = pd.DataFrame({"code": ["EUN"], "name": ["EU"], "members": ["DEU,FRA"]})
    prod = products(["USA", "KOR", "DEU"], ["DEU", "FRA", "KOR"], ["870321"])
    t = make(
        prod,
        regions=regions,
        mfn=mfn([("USA", "87", 0.025), ("KOR", "87", 0.08), ("EUN", "87", 0.10),
                 ("FRA", "87", 0.5)]),
        agreements=agreements([("KEU", "KOR,EUN", 2011)]),
        preferences=prefs([("KEU", "KOR", "87", 2011, 0.0, ""),
                           ("KEU", "EUN", "87", 2011, 0.01, "")]),
        duties=duties([("eu15", "USA", "EUN", "*", 0.15, "floor", "2025-08-01", "")]),
        meta={"baseline_year": "2025", "baseline_date": "2025-09-01"},
    )
    out = compile_applied(t, prod)
    assert rate(out, "baseline", "USA", "DEU", "870321") == pytest.approx(0.15)
    assert rate(out, "baseline", "USA", "FRA", "870321") == pytest.approx(0.15)
    assert rate(out, "baseline", "USA", "KOR", "870321") == pytest.approx(0.025)
    assert rate(out, "baseline", "KOR", "DEU", "870321") == pytest.approx(0.0)
    assert rate(out, "baseline", "KOR", "FRA", "870321", "agreement") == "KEU"
    # a region importer's rows apply to its members: DEU imports from KOR at 1%
    assert rate(out, "baseline", "DEU", "KOR", "870321") == pytest.approx(0.01)
    assert rate(out, "baseline", "DEU", "KOR", "870321", "mfn_rate") == pytest.approx(0.10)
    # DEU-FRA are not partners under KEU: both belong to the same party (EUN)
    assert rate(out, "baseline", "DEU", "FRA", "870321", "agreement") == ""
    assert rate(out, "baseline", "DEU", "FRA", "870321") == pytest.approx(0.10)
    assert "KOR" in out.agreement_members["KEU"] and "DEU" in out.agreement_members["KEU"]


def test_exporter_specific_preference_line_and_blank_exporter() -> None:
    prod = products(["JPN"], ["KOR", "AUS", "USA"], ["100630"])
    t = make(
        prod,
        mfn=mfn([("JPN", "1006", 0.30)]),
        agreements=agreements([("TPP", "JPN,AUS,KOR", "")]),
        preferences=prefs([("TPP", "JPN", "1006", 2025, 0.20, ""),
                           ("TPP", "JPN", "1006", 2025, 0.10, "AUS")]),
        scenarios=scenarios([("tpp", "", 2025, "", "TPP", "")]),
    )
    out = compile_applied(t, prod)
    assert rate(out, "tpp", "JPN", "KOR", "100630") == pytest.approx(0.20)
    assert rate(out, "tpp", "JPN", "AUS", "100630") == pytest.approx(0.10)
    assert rate(out, "tpp", "JPN", "USA", "100630") == pytest.approx(0.30)  # not a member


def test_missing_mfn_one_warning_with_count_and_domestic_zero() -> None:
    prod = products(["KOR"], ["KOR", "JPN", "CHN"], ["010121", "020110", "030111"])
    t = make(prod, mfn=mfn([("KOR", "01", 0.10)]))
    out = compile_applied(t, prod)
    assert len(out.applied) == 9
    assert rate(out, "baseline", "KOR", "JPN", "020110") == 0.0
    assert rate(out, "baseline", "KOR", "KOR", "010121") == 0.0  # domestic
    mfn_w = [w for w in out.warnings if w.sheet == "mfn"]
    assert len(mfn_w) == 1 and mfn_w[0].value == "4" and mfn_w[0].severity == "warning"


def test_applied_sheet_overrides_compiled_rates_most_specific_wins() -> None:
    prod = products(["KOR"], ["JPN", "CHN"], ["870321", "870322"])
    ap = pd.DataFrame({"scenario": ["baseline", "baseline", "extra"],
                       "importer": ["KOR"] * 3, "exporter": ["*", "JPN", "*"],
                       "hs": ["87", "870321", "8703"], "rate": [0.05, 0.01, 0.5]})
    t = make(prod, mfn=mfn([("KOR", "87", 0.08)]), applied=ap)
    out = compile_applied(t, prod)
    assert rate(out, "baseline", "KOR", "JPN", "870321") == pytest.approx(0.01)
    assert rate(out, "baseline", "KOR", "JPN", "870322") == pytest.approx(0.05)
    assert bool(rate(out, "baseline", "KOR", "JPN", "870321", "override"))
    assert rate(out, "extra", "KOR", "CHN", "870322") == pytest.approx(0.5)
    assert out.scenarios == ["baseline", "extra"]


def test_applied_from_sheet_keeps_baseline_where_missing() -> None:
    prod = products(["USA"], ["CHN", "JPN"], ["720851", "870321"])
    ap = pd.DataFrame({
        "scenario": ["baseline", "baseline", "tariffs", "tariffs"],
        "importer": ["USA"] * 4, "exporter": ["*", "*", "CHN", "*"],
        "hs": ["72", "87", "*", "72"], "rate": [0.0, 0.025, 0.30, 0.25]})
    t = make(prod, applied=ap)
    out = applied_from_sheet(t, prod)
    assert out.scenarios == ["baseline", "tariffs"]
    assert rate(out, "tariffs", "USA", "CHN", "870321") == pytest.approx(0.30)
    assert rate(out, "tariffs", "USA", "CHN", "720851") == pytest.approx(0.25)  # hs 72 > *
    assert rate(out, "tariffs", "USA", "JPN", "870321") == pytest.approx(0.025)  # baseline kept
    assert rate(out, "tariffs", "USA", "JPN", "720851") == pytest.approx(0.25)
    assert list(out.applied.columns) == list(APPLIED_COLUMNS)
    with pytest.raises(InputError):
        applied_from_sheet(make(prod, applied=ap[ap["scenario"] != "baseline"]), prod)


def test_implicit_baseline_agreements_in_force_by_year() -> None:
    prod = products(["KOR"], ["USA", "CHN"], ["870321"])
    t = make(
        prod,
        mfn=mfn([("KOR", "87", 0.08)]),
        agreements=agreements([("KORUS", "KOR,USA", 2012), ("KCN", "KOR,CHN", 2030)]),
        preferences=prefs([("KORUS", "KOR", "87", 2012, 0.0, ""),
                           ("KCN", "KOR", "87", 2015, 0.0, "")]),
        scenarios=scenarios([("nodeal", "", "", "", "-KORUS", "")]),
    )
    out = compile_applied(t, prod)
    assert rate(out, "baseline", "KOR", "USA", "870321") == 0.0
    assert rate(out, "baseline", "KOR", "CHN", "870321") == pytest.approx(0.08)  # not yet
    assert rate(out, "nodeal", "KOR", "USA", "870321") == pytest.approx(0.08)
    assert out.scenario_info.set_index("scenario").loc["baseline", "agreements"] == "KORUS"


def test_broken_scenarios_raise_input_error() -> None:
    prod = products(["KOR"], ["JPN"], ["870321"])
    t = make(prod, mfn=mfn([("KOR", "87", 0.08)]),
             scenarios=scenarios([("a", "b", "", "", "", ""), ("b", "a", "", "", "", "")]))
    with pytest.raises(InputError) as err:
        compile_applied(t, prod)
    assert "cycle" in str(err.value)


# --------------------------------------------------------------------------- reference


def _reference(t: InputTables, prod: pd.DataFrame) -> pd.DataFrame:
    """Naive per-cell implementation of the module rules (no regions, no utilisation)."""
    specs = resolve_scenarios(t)
    members = {a: set(m.split(",")) for a, m in zip(t.agreements["agreement"],
                                                    t.agreements["members"], strict=True)}
    mfn_rows = list(t.mfn.itertuples(index=False))
    pref_rows = list(t.preferences.itertuples(index=False))
    duty_rows = list(t.duties.itertuples(index=False))
    measures = list(dict.fromkeys(t.duties["measure"]))

    def longest(rows: list, h: str) -> list:
        """Rows whose hs prefixes h ('*' = length 0), keeping only the longest."""
        def n(x: str) -> int:
            return 0 if x == "*" else len(x) if h.startswith(x) else -1
        ok = [r for r in rows if n(r.hs) >= 0]
        top = max((n(r.hs) for r in ok), default=-1)
        return [r for r in ok if n(r.hs) == top]

    out = []
    for sp in specs:
        for i, e, h in prod.itertuples(index=False):
            if i == e:
                out.append((sp.name, i, e, h, 0.0))
                continue
            m = longest([r for r in mfn_rows if r.importer == i], h)
            r = float(m[0].rate) if m else 0.0
            best = r
            for a in sp.agreements:
                if not {i, e} <= members[a]:
                    continue
                p = longest([x for x in pref_rows if x.agreement == a and x.importer == i
                             and x.exporter in ("", e)], h)
                if any(x.exporter == e for x in p):
                    p = [x for x in p if x.exporter == e]
                steps = sorted((x for x in p if int(x.year) <= sp.year), key=lambda x: x.year)
                if steps:
                    best = min(best, float(steps[-1].rate))
            r = best
            for meas in measures:
                if meas not in sp.duties:
                    continue
                d = longest([x for x in duty_rows if x.measure == meas and x.importer == i
                             and x.start <= sp.date and (pd.isna(x.end) or sp.date <= x.end)
                             and x.exporter in ("*", e)], h)
                if any(x.exporter == e for x in d):
                    d = [x for x in d if x.exporter == e]
                if d:
                    row = d[-1]
                    r = max(r, row.rate) if row.mode == "floor" else r + row.rate
            out.append((sp.name, i, e, h, r))
    return pd.DataFrame(out, columns=["scenario", "importer", "exporter", "hs", "ref"])


def _random_tables(seed: int) -> tuple[InputTables, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    cs = ["KOR", "JPN", "CHN", "USA", "AUS"]
    hs6 = sorted({f"{rng.integers(1, 4):02d}{rng.integers(0, 3):02d}{rng.integers(0, 3):02d}"
                  for _ in range(12)})
    prod = products(cs, cs, hs6)

    def some_hs() -> str:
        h = hs6[rng.integers(len(hs6))]
        return h[: int(rng.choice([2, 4, 6]))]

    mfn_rows = {(i, some_hs()): round(float(rng.uniform(0, 0.3)), 3)
                for i in cs for _ in range(6)}
    ags = {"A1": "KOR,JPN,CHN", "A2": "KOR,USA", "A3": "JPN,AUS,KOR,USA"}
    pref_rows = {}
    for a, m in ags.items():
        for i in m.split(","):
            for _ in range(4):
                e = rng.choice(["", *[x for x in m.split(",") if x != i]])
                h = some_hs()
                for y in sorted(rng.choice([2018, 2022, 2026, 2030], 2, replace=False)):
                    pref_rows[(a, i, h, int(y), e)] = round(float(rng.uniform(0, 0.2)), 3)
    du_rows = []
    for k in range(8):
        du_rows.append((f"m{k % 3}", str(rng.choice(cs)), str(rng.choice(["*", *cs])),
                        rng.choice(["*", some_hs()]), round(float(rng.uniform(0, 0.3)), 3),
                        str(rng.choice(["add", "floor"])),
                        str(rng.choice(["2025-01-01", "2025-06-01"])),
                        str(rng.choice(["", "2025-09-30"]))))
    du = duties(du_rows).drop_duplicates(["measure", "importer", "exporter", "hs"], keep="last")
    t = make(
        prod,
        mfn=mfn([(i, h, r) for (i, h), r in mfn_rows.items()]),
        agreements=agreements([(a, m, 2020 if a != "A3" else "") for a, m in ags.items()]),
        preferences=prefs([(a, i, h, y, r, e) for (a, i, h, y, e), r in pref_rows.items()]),
        duties=du.reset_index(drop=True),
        scenarios=scenarios([("s1", "", 2027, "2025-07-01", "A3", "m0,m1"),
                             ("s2", "s1", 2019, "2025-03-01", "-A2", "m2,-m0"),
                             ("s3", "s2", 2031, "2025-12-01", "", "m0")]),
        meta={"baseline_year": "2021", "baseline_date": "2025-05-01"},
    )
    return t, prod


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_vectorised_matches_naive_reference(seed: int) -> None:
    t, prod = _random_tables(seed)
    out = compile_applied(t, prod)
    a = out.applied.astype({c: str for c in ("scenario", "importer", "exporter", "hs")})
    ref = _reference(t, prod)
    m = ref.merge(a, on=["scenario", "importer", "exporter", "hs"], how="left")
    assert len(m) == len(a) == len(ref)
    np.testing.assert_allclose(m["rate"], m["ref"], atol=1e-12)


@pytest.mark.slow
def test_large_grid_every_rate_as_worked_out() -> None:
    """~1,500 HS6 x 12 x 12 x 6 scenarios: every one of the 1.3 million rates equals the
    rule worked out by hand (speed is measured in ``benchmarks/``, not here)."""
    rng = np.random.default_rng(0)
    cs = [f"ZZ{chr(65 + i)}" for i in range(12)]
    hs6 = [f"{x:06d}" for x in rng.choice(999_999, 1500, replace=False)]
    prod = products(cs, cs, hs6)
    t = make(
        prod,
        mfn=mfn([(i, h, 0.05) for i in cs for h in hs6]),
        agreements=agreements([("A", ",".join(cs[:6]), 2020), ("B", ",".join(cs[3:]), "")]),
        preferences=prefs([(a, i, h, y, 0.01 * k, "") for a, ms in (("A", cs[:6]),
                                                                    ("B", cs[3:]))
                           for i in ms for h in hs6[:300]
                           for k, y in enumerate((2020, 2025))]),
        duties=duties([("d", cs[0], "*", "*", 0.1, "add", "2025-01-01", "")]),
        scenarios=scenarios([(f"s{k}", "", 2020 + k, "2025-06-01", "B", "d")
                             for k in range(5)]),
    )
    out = compile_applied(t, prod)
    a = out.applied
    assert len(a) == 6 * len(prod)
    s, i, e, h = (a[c].astype(str).to_numpy() for c in ("scenario", "importer", "exporter",
                                                         "hs"))
    base = s == "baseline"
    in_a, in_b = np.isin(i, cs[:6]) & np.isin(e, cs[:6]), np.isin(i, cs[3:]) & np.isin(e, cs[3:])
    # A (in force 2020) everywhere, B in the scenarios (years 2020-2024: the 2020 step, 0)
    pref = (i != e) & np.isin(h, hs6[:300]) & (in_a | (~base & in_b))
    want = np.where(pref, 0.0, 0.05) + np.where(~base & (i == cs[0]), 0.1, 0.0)
    want[i == e] = 0.0
    np.testing.assert_array_equal(a["rate"].to_numpy(), want)


def test_prefix_positions_agree_with_the_index() -> None:
    """The matcher's cached HS-prefix lookup gives what ``Index.get_indexer`` gives."""
    from fta_compare.scenarios.rules import Cells

    cells = Cells(pd.DataFrame({"importer": ["USA", "KOR", "USA", "JPN"],
                                "exporter": ["KOR", "USA", "JPN", "USA"],
                                "hs": ["870323", "850760", "8703", "010121"]}))
    texts = np.array(["87", "85", "01", "99", "87", "8703", "850760", ""], dtype=object)
    for length in (2, 4, 6):
        want = cells.prefix(length)[1].get_indexer(texts)
        assert cells.prefix_positions(length, texts).tolist() == want.tolist()
    assert cells.prefix_positions(2, np.zeros(0, dtype=object)).size == 0


def test_pair_cells_are_the_cells_of_the_marked_pairs() -> None:
    """``Cells.pair_cells`` (cells grouped by pair once) gives, in ascending order, the
    cells a full scan of every cell's pair gives."""
    from fta_compare.scenarios.rules import Cells

    rng = np.random.default_rng(3)
    cs = ["AAA", "BBB", "CCC", "DDD"]
    prod = pd.DataFrame({"importer": rng.choice(cs, 200), "exporter": rng.choice(cs, 200),
                         "hs": rng.choice(["01", "02", "03", "04", "05"], 200)})
    cells = Cells(prod)
    n = len(cells.countries)
    for _ in range(20):
        pairs = rng.random((n, n)) < 0.3
        want = np.flatnonzero(pairs[cells.ci, cells.ce])
        assert cells.pair_cells(pairs).tolist() == want.tolist()
    assert cells.pair_cells(np.zeros((n, n), dtype=bool)).size == 0


def test_rule_prefix_ids_are_looked_up_once_per_table() -> None:
    """``Rules.prefix_ids`` equals the per-text lookup, also on a subset taken from the
    table, and the subset shares the table's lookups."""
    from fta_compare.scenarios.rules import Cells, encode_rules

    cells = Cells(pd.DataFrame({"importer": ["USA", "KOR", "USA", "JPN"],
                                "exporter": ["KOR", "USA", "JPN", "USA"],
                                "hs": ["870323", "850760", "8703", "010121"]}))
    table = pd.DataFrame({"importer": ["USA", "KOR", "JPN", "USA", "KOR"],
                          "exporter": ["*", "USA", "*", "JPN", "*"],
                          "hs": ["87", " 8703 ", "99", "8703", "850760"]})
    rules = encode_rules(table, cells, {})
    assert rules.hs.tolist() == ["87", "8703", "99", "8703", "850760"]  # stripped
    sub = rules.take(np.array([3, 1, 4]))
    for r in (rules, sub):
        for length in (2, 4, 6):
            want = cells.prefix_positions(length, r.hs)
            assert r.prefix_ids(cells, length).tolist() == want.tolist()
    assert sub._prefix_ids is rules._prefix_ids and set(rules._prefix_ids) == {2, 4, 6}


def test_staging_steps_later_row_wins_a_year_and_years_sort() -> None:
    """Two rows of one line for one year: the later row gives the step; steps apply by
    year whatever their row order (a 2025 row written first)."""
    prod = products(["KOR"], ["JPN"], ["870323"])
    t = make(
        prod,
        mfn=mfn([("KOR", "87", 0.08)]),
        agreements=agreements([("A", "KOR,JPN", 2020)]),
        preferences=prefs([("A", "KOR", "87", 2025, 0.01, ""),
                           ("A", "KOR", "87", 2020, 0.03, ""),
                           ("A", "KOR", "87", 2020, 0.02, "")]),
        scenarios=scenarios([("later", "", 2026, "", "", "")]),
    )
    out = compile_applied(t, prod)
    assert rate(out, "baseline", "KOR", "JPN", "870323") == pytest.approx(0.02)
    assert rate(out, "later", "KOR", "JPN", "870323") == pytest.approx(0.01)
