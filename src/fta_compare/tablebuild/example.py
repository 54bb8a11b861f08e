"""``tariff_tables/example_synthetic.xlsx``: a small, clearly SYNTHETIC workbook.

No data source: 4 economies (KOR, JPN, CHN, USA), 10 HS6 and invented round numbers exercising
every sheet of the input contract, including ``applied`` (computed here by a plain reference
implementation of the contract semantics, :func:`example_applied`). Every ``trade``, ``mfn`` and
``preferences`` row has quality ``imputed:synthetic``; ``meta.synthetic = yes``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def example_applied(
    mfn: pd.DataFrame,
    agreements: pd.DataFrame,
    prefs: pd.DataFrame,
    util: pd.DataFrame,
    duties: pd.DataFrame,
    scen: pd.DataFrame,
    hs_list: list[str],
    econ: list[str],
) -> pd.DataFrame:
    """Applied rates of the synthetic example under the contract semantics (reference).

    Per scenario: the chain of parents (blank parent = baseline) adds agreements and duty
    measures ('-name' removes). Rate = min over MFN and, for each active agreement covering the
    pair, the utilisation-weighted preference u*pref + (1-u)*MFN, where pref is the row with the
    longest matching HS prefix (exporter-specific before blank) at the latest staging year <= the
    scenario year. Then active duties in sheet order whose start <= date <= end: add = +rate,
    floor = max(rate, current).
    """
    sc = scen.fillna("").set_index("scenario")

    def chain(s: str) -> list[str]:
        out: list[str] = []
        while s:
            out.append(s)
            p = sc.loc[s, "parent"]
            s = p if p else ("baseline" if s != "baseline" else "")
        return out[::-1]

    def split(v: object) -> list[str]:
        return [x.strip() for x in str(v).split(",") if x.strip()]

    def best(rows: pd.DataFrame, h: str) -> pd.DataFrame:
        for n in (6, 4, 2):
            r = rows[rows["hs"] == h[:n]]
            if len(r):
                return r
        return rows[rows["hs"] == "*"]

    members = {
        a: set(m.split(","))
        for a, m in zip(agreements["agreement"], agreements["members"], strict=True)
    }
    mfn_r = {(i, h): r for i, h, r in zip(mfn["importer"], mfn["hs"], mfn["rate"], strict=True)}
    out: list[tuple[str, str, str, str, float]] = []
    for s in sc.index:
        year, date = int(sc.loc[s, "year"]), sc.loc[s, "date"]
        agrs: list[str] = []
        meas: list[str] = []
        for c in chain(s):
            agrs += [a for a in split(sc.loc[c, "agreements"]) if a not in agrs]
            for m in split(sc.loc[c, "duties"]):
                if m.startswith("-"):
                    meas = [x for x in meas if x != m[1:]]
                elif m not in meas:
                    meas.append(m)
        for imp in econ:
            for exp in econ:
                if imp == exp:
                    continue
                for h in hs_list:
                    r0 = mfn_r[(imp, h)]
                    r = r0
                    for a in agrs:
                        if not {imp, exp} <= members[a]:
                            continue
                        p = prefs[
                            (prefs["agreement"] == a)
                            & (prefs["importer"] == imp)
                            & (prefs["year"] <= year)
                        ]
                        for ex in (exp, ""):
                            q = best(p[p["exporter"] == ex], h)
                            if len(q):
                                pref = float(q.sort_values("year")["rate"].iloc[-1])
                                u = util[
                                    (util["agreement"] == a)
                                    & (util["importer"].isin([imp, "*"]))
                                    & (util["exporter"].isin([exp, "*"]))
                                ]
                                uu = float(best(u, h)["share"].iloc[0]) if len(best(u, h)) else 1.0
                                r = min(r, uu * pref + (1 - uu) * r0)
                                break
                    for d in duties.itertuples(index=False):
                        if (
                            d.measure not in meas
                            or d.importer != imp
                            or d.exporter not in (exp, "*")
                        ):
                            continue
                        if not (d.hs == "*" or h.startswith(d.hs)):
                            continue
                        if d.start > date or (
                            d.end is not None and not pd.isna(d.end) and d.end < date
                        ):
                            continue
                        r = r + d.rate if d.mode == "add" else max(r, d.rate)
                    out.append((s, imp, exp, h, round(r, 6)))
    return pd.DataFrame(out, columns=["scenario", "importer", "exporter", "hs", "rate"])


def build_example() -> dict[str, pd.DataFrame]:
    """A small, clearly SYNTHETIC workbook exercising every sheet (round invented numbers)."""
    D = dt.date
    hs = [
        "030389",
        "100630",
        "220300",
        "293100",
        "392690",
        "610910",
        "720839",
        "847130",
        "854232",
        "870323",
    ]
    econ = ["KOR", "JPN", "CHN", "USA"]
    size = {"KOR": 2, "JPN": 3, "CHN": 5, "USA": 6}
    trade = []
    for i, h in enumerate(hs):
        for e in econ:
            for m in econ:
                v = (100 if e == m else 10) * size[e] * (1 + i % 3)
                if e != m and (i + len(e) + len(m)) % 7 == 0:
                    continue  # some zero international cells
                trade.append((e, m, h, float(v), "imputed:synthetic"))
    trade = pd.DataFrame(trade, columns=["exporter", "importer", "hs", "value", "quality"])
    el = pd.DataFrame(
        [
            ("*", "*", -1.25, 1.5, np.inf, "synthetic: SMART defaults, infinite supply"),
            ("*", "USA", -1.0, 2.0, np.nan, "synthetic: country row (blank supply = infinite)"),
            ("85", "*", -1.5, 3.0, 5.0, "synthetic: chapter row"),
            ("854232", "*", -2.0, 5.0, 10.0, "synthetic: HS6 row"),
            ("870323", "KOR", -1.5, 4.0, 2.0, "synthetic: country + HS6 row"),
        ],
        columns=["hs", "country", "import_demand", "substitution", "export_supply", "source"],
    )
    mfn_r = {"KOR": 0.08, "JPN": 0.03, "CHN": 0.06, "USA": 0.025}
    mfn = []
    for m in econ:
        for i, h in enumerate(hs):
            r = 0.0 if h == "854232" else mfn_r[m] * (1 + (i % 3)) if h != "100630" else 0.5
            mfn.append((m, h, round(r, 6), "imputed:synthetic"))
    mfn = pd.DataFrame(mfn, columns=["importer", "hs", "rate", "quality"])
    agreements = pd.DataFrame(
        [
            ("SYN_FTA", "CHN,JPN,KOR", None, "SYNTHETIC hypothetical trilateral FTA", "synthetic"),
            ("SYN_BIL", "KOR,USA", 2012, "SYNTHETIC bilateral FTA in force", "synthetic"),
        ],
        columns=["agreement", "members", "in_force", "description", "source"],
    )
    prefs = []
    for m in ["KOR", "JPN", "CHN"]:
        for h in hs:
            if h == "100630":
                continue  # sensitive: stays at MFN
            base = float(mfn.loc[(mfn.importer == m) & (mfn.hs == h), "rate"].iloc[0])
            if base == 0:
                continue
            for y, f in ((2027, 0.5), (2031, 1.0)):
                prefs.append(
                    ("SYN_FTA", m, h, y, round(base * (1 - f), 6), "", "imputed:synthetic")
                )
    prefs.append(("SYN_BIL", "USA", "*", 2012, 0.0, "KOR", "imputed:synthetic"))
    prefs.append(("SYN_BIL", "KOR", "87", 2012, 0.04, "USA", "imputed:synthetic"))
    prefs.append(("SYN_BIL", "KOR", "870323", 2016, 0.0, "USA", "imputed:synthetic"))
    prefs = pd.DataFrame(
        prefs, columns=["agreement", "importer", "hs", "year", "rate", "exporter", "quality"]
    )
    duties = pd.DataFrame(
        [
            ("syn_add", "USA", "*", "*", 0.10, "add", D(2025, 4, 5), None, "synthetic add-on duty"),
            (
                "syn_steel",
                "USA",
                "*",
                "72",
                0.50,
                "add",
                D(2025, 6, 4),
                None,
                "synthetic sectoral duty",
            ),
            (
                "syn_floor",
                "USA",
                "JPN",
                "*",
                0.15,
                "floor",
                D(2025, 8, 7),
                None,
                "synthetic all-in floor (15% inclusive of MFN)",
            ),
            (
                "syn_chn",
                "USA",
                "CHN",
                "*",
                0.20,
                "add",
                D(2025, 3, 4),
                D(2026, 12, 31),
                "synthetic dated duty",
            ),
        ],
        columns=["measure", "importer", "exporter", "hs", "rate", "mode", "start", "end", "source"],
    )
    depth = []
    for agr, cov in (("SYN_FTA", [2, 2, 1, 0]), ("SYN_BIL", [2, 2, 2, 1])):
        for (area, cat), c in zip(
            [
                ("ftaindustrial", "WTO+"),
                ("sps", "WTO+"),
                ("competitionpolicy", "WTO-X"),
                ("environmentallaws", "WTO-X"),
            ],
            cov,
            strict=True,
        ):
            depth.append((agr, area, cat, c))
    depth = pd.DataFrame(depth, columns=["agreement", "area", "category", "coverage"])
    scen = pd.DataFrame(
        [
            ("baseline", "", 2026, D(2025, 1, 1), "SYN_BIL", "", "SYNTHETIC baseline"),
            (
                "syn_duties",
                "",
                2026,
                D(2026, 1, 1),
                "",
                "syn_add,syn_steel,syn_floor,syn_chn",
                "SYNTHETIC: baseline + all synthetic duties",
            ),
            (
                "syn_fta",
                "syn_duties",
                2031,
                D(2026, 1, 1),
                "SYN_FTA",
                "-syn_chn",
                "SYNTHETIC: parent chain syn_duties -> baseline; adds the FTA, removes one duty",
            ),
        ],
        columns=["scenario", "parent", "year", "date", "agreements", "duties", "description"],
    )
    regions = pd.DataFrame(
        [("SYN", "SYNTHETIC bloc", "CHN,JPN,KOR")], columns=["code", "name", "members"]
    )
    meta = pd.DataFrame(
        [
            (
                "title",
                "SYNTHETIC example workbook for fta-compare (invented round numbers, not data)",
            ),
            ("synthetic", "yes"),
            ("currency_unit", "US$ thousand"),
            ("base_year", "2024"),
            ("hs_revision", "HS2022"),
            ("focus", "KOR"),
            ("baseline_date", "2025-01-01"),
            ("baseline_year", "2026"),
            ("depth_beta", "0.76"),
            ("depth_beta_source", "synthetic placeholder (see default.xlsx for the cited value)"),
            ("depth_sigma", "6"),
        ],
        columns=["key", "value"],
    )
    sources = pd.DataFrame(
        [
            (t, "*", "SYNTHETIC: invented for tests and documentation", "none")
            for t in [
                "trade",
                "elasticities",
                "applied",
                "mfn",
                "agreements",
                "preferences",
                "duties",
                "depth",
                "scenarios",
                "regions",
                "meta",
                "sectors",
                "utilisation",
            ]
        ],
        columns=["table", "column", "source", "transformation"],
    )
    sectors = pd.DataFrame(
        [
            ("85", "section_16_machinery", "synthetic"),
            ("84", "section_16_machinery", "synthetic"),
            ("854232", "semiconductors", "synthetic"),
            ("8703", "autos_and_parts", "synthetic"),
            ("72", "steel_aluminium", "synthetic"),
        ],
        columns=["hs", "sector", "source"],
    )
    util = pd.DataFrame(
        [("SYN_BIL", "USA", "KOR", "*", 0.8, "synthetic")],
        columns=["agreement", "importer", "exporter", "hs", "share", "source"],
    )
    applied = example_applied(mfn, agreements, prefs, util, duties, scen, hs, econ)
    return {
        "meta": meta,
        "sources": sources,
        "regions": regions,
        "agreements": agreements,
        "preferences": prefs,
        "mfn": mfn,
        "duties": duties,
        "depth": depth,
        "scenarios": scen,
        "applied": applied,
        "trade": trade,
        "elasticities": el,
        "sectors": sectors,
        "utilisation": util,
    }
