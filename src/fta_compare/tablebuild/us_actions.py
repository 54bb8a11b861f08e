# ruff: noqa: E501  (long citation strings are kept on one line for grep-ability)
"""The ``duties`` sheet: the US tariff actions (2018-2026) as dated HS-prefix rows.

Sources (shared ``us_tariff_actions_2025/``): White House executive orders and proclamations and
the Budget Lab tariff-rate-tracker (commit 8315fff), namely

* ``us_reciprocal_tariff_rates_by_country_2025.csv``: ``iso3, annexI_eo14326_jul31_2025_pct``
  (EO 14326 Annex I rates, %), for every named partner without its own rule (AUS, GBR, TWN,
  IND, IDN, VNM, MYS, SGP, THA, CHL, PER, NZL; 10% when unlisted) and the ROW composite;
* ``budgetlab_ieepa_exempt_products.csv`` (``hts10``): IEEPA Annex II exemptions;
* ``budgetlab_s301_product_lists.csv`` (``hts8, ch99_code``): Section 301 China lists;
* ``budgetlab_s232_derivative_products.csv`` (``hts_prefix, derivative_type``): 232 derivatives;

plus the HTS 2025 basic edition and HTS8 lines (``us_hts.py``: ``HTS Number``; ``hts8, hs6``) to
count the lines under each HS6, and the US Census imports (``us_imports.py``) to weight the ROW
composites. Rates, dates and legal sources of each measure are written below (``SRC``), taken
from the legal texts and ``us_tariff_events_2025.csv``.

Transformation: product lists are mapped to HS6 as the share (fraction) of the HS6's HTS lines
covered (:class:`Scopes`); add-mode rate = statutory rate x covered share; floor-mode scopes = HS6
with >= 50% of lines covered; rows are non-overlapping 2/4/6-digit prefixes
(``helpers.compress_partition``) or ``*``. Importer always USA. The sheet has no quality column:
``nodeal_*`` measures are hypothetical (named so), ROW rates are composites (``meta``).

Duties imposed by other importers (e.g. China's retaliation) would get their own module and
``importer`` value; this module only writes importer USA.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .helpers import Info, compress_partition, read_csv
from .universe import EU27, IEEPA_END, NAMED, S122_END, S122_START

EXPORTERS: list[str] = [c for c in NAMED if c != "USA"] + ["ROW"]  # every partner of the USA
USMCA_PARTNERS: list[str] = ["CAN", "MEX"]  # no reciprocal / 232 autos layer (USMCA goods)
S232_2018_EXEMPT: list[str] = ["KOR", "JPN", "AUS", "CAN", "MEX", "GBR", "EUN"]  # quota/TRQ/exempt
RECIP_SPECIAL: list[str] = ["CHN", "KOR", "JPN", "EUN", "CAN", "MEX", "ROW"]  # own rules below

DIR = "us_tariff_actions_2025/"
DUTY_COLUMNS = ["measure", "importer", "exporter", "hs", "rate", "mode", "start", "end", "source"]


@dataclass(frozen=True)
class UsActions:
    """The Budget Lab / White House tables used by the duties (raw, as read)."""

    recip: pd.DataFrame
    exempt: pd.DataFrame
    s301: pd.DataFrame
    s232d: pd.DataFrame


def load(shared: Path) -> UsActions:
    """Read the four US tariff-action tables (product codes as text)."""
    return UsActions(
        recip=read_csv(shared, DIR + "us_reciprocal_tariff_rates_by_country_2025.csv"),
        exempt=read_csv(shared, DIR + "budgetlab_ieepa_exempt_products.csv", dtype=str),
        s301=read_csv(shared, DIR + "budgetlab_s301_product_lists.csv", dtype=str),
        s232d=read_csv(shared, DIR + "budgetlab_s232_derivative_products.csv", dtype=str),
    )


# --------------------------------------------------------------------------------------
# US duty scopes (HS6 shares)
# --------------------------------------------------------------------------------------
STEEL_HS4: list[str] = [f"{h}" for h in range(7206, 7230)] + "7301 7302 7303 7304 7305 7306".split()
ALU_HS4: list[str] = "7601 7604 7605 7606 7607 7608 7609".split()
AUTO_VEHICLES: list[str] = (
    "870321 870322 870323 870324 870331 870332 870333 870340 870350 870360 870370 870380 "
    "870390 870421 870431 870441 870451"
).split()
AUTO_PARTS_PREFIX: list[str] = (
    "840731 840732 840733 840734 840820 8706 8707 8708 401110 401120 700711 700721 851220 "
    "851230 851240 854430 940120 830230"
).split()
COPPER_HS4: list[str] = "7407 7408 7409 7410 7411 7412 7413".split()
MHD_TRUCKS: list[str] = (
    "870121 870122 870123 870124 870129 870422 870423 870432 870442 870443 870452"
).split()
BUSES: list[str] = ["8702"]


def _covers(universe: list[str], prefixes: Iterable[str]) -> dict[str, float]:
    """HS6 -> 1.0 for every HS6 of the universe starting with one of the prefixes."""
    p = tuple(prefixes)
    return {h: 1.0 for h in universe if h.startswith(p)}

    p = tuple(prefixes)
    return {h: 1.0 for h in universe if h.startswith(p)}


class Scopes:
    """HS6 -> covered share (fraction) of each US measure's product scope.

    ``hts_basic``: HTS 2025 basic edition (``us_hts.load_basic``); ``hts8``: HTS8 rate lines
    (``us_hts.load_hts8``); ``exempt`` and ``s232d``: Budget Lab Annex II and 232 derivative lists.
    """

    def __init__(
        self,
        universe: list[str],
        hts_basic: pd.DataFrame,
        hts8: pd.DataFrame,
        exempt: pd.DataFrame,
        s232d: pd.DataFrame,
    ) -> None:
        U = universe
        self.U = U
        # HTS lines under each HS6 (10-digit statistical lines, else 8-digit rate lines)
        n = hts_basic["HTS Number"].str.replace(".", "", regex=False)
        n = n[n.str.fullmatch(r"\d{8}|\d{10}") & ~n.str[:2].isin(["98", "99"])]
        ten = set(n[n.str.len() == 10])
        eight = set(n[n.str.len() == 8])
        has_child = {t[:8] for t in ten}
        lines = sorted(ten | {e for e in eight if e not in has_child})
        ex = set(exempt["hts10"])
        lines_all = sorted(set(lines) | ex)
        df = pd.DataFrame({"line": lines_all})
        df["hs"] = df["line"].str[:6]
        df["ex"] = df["line"].isin(ex) | df["line"].str[:8].isin({e[:8] for e in ex if len(e) == 8})
        self.annex2_share = df.groupby("hs")["ex"].mean().to_dict()
        # HTS8 lines for list coverage shares
        h8 = hts8[["hts8", "hs6"]].drop_duplicates()
        self.h8 = h8
        self.n8 = h8.groupby("hs6").size().to_dict()
        self.steel = _covers(U, STEEL_HS4)
        self.alu = _covers(U, ALU_HS4)
        # Aug-2025 derivative lists (8-digit prefixes): only those in chapters 72/73/76 are taxed on
        # full value; others (metal content only, share unknown) are left out.
        der = s232d[s232d["hts_prefix"].str[:2].isin(["72", "73", "76"])]
        for typ, target in (("steel", self.steel), ("aluminum", self.alu)):
            pre = der[der["derivative_type"] == typ]["hts_prefix"]
            cov = h8[h8["hts8"].str.startswith(tuple(pre))] if len(pre) else h8.iloc[0:0]
            share = (cov.groupby("hs6").size() / h8.groupby("hs6").size()).dropna()
            for h, s in share.items():
                target[h] = max(target.get(h, 0.0), float(s))
        self.autos = _covers(U, AUTO_VEHICLES)
        self.parts = _covers(U, AUTO_PARTS_PREFIX)
        self.copper = _covers(U, COPPER_HS4)
        self.mhd = _covers(U, MHD_TRUCKS)
        self.buses = _covers(U, BUSES)
        s232: dict[str, float] = {}
        for m in (self.steel, self.alu, self.autos, self.parts, self.copper, self.mhd, self.buses):
            for h, s in m.items():
                s232[h] = max(s232.get(h, 0.0), s)
        self.s232_any = s232
        self.recip: dict[str, float] = {}
        for h in U:
            share = (1.0 - self.annex2_share.get(h, 0.0)) * (1.0 - s232.get(h, 0.0))
            if share > 1e-9:
                self.recip[h] = share
        self.recip_floor = {h: 1.0 for h, s in self.recip.items() if s >= 0.5}


SRC: dict[str, str] = {  # legal source text of each measure group
    "fent": "EO 14195 (2025-02-01) 'Imposing Duties to Address the Synthetic Opioid Supply Chain in "
    "the PRC', as amended (20% from 2025-03-04); cut to 10% from 2025-11-10 by the EO of "
    "2025-11-04; ended by Learning Resources v. Trump (2026-02-20)",
    "recip": "EO 14257 (2025-04-02) reciprocal tariff, 10% baseline from 2025-04-05; Annex I rates "
    "of EO 14326 (2025-07-31) from 2025-08-07; IEEPA duties ended by Learning Resources v. "
    "Trump (2026-02-20; CBP stopped collecting 2026-02-24)",
    "recip_eun": "EO 14326 (2025-07-31) Annex I note for the European Union: goods with a Column 1 "
    "(MFN) rate below 15% pay 15% minus MFN, goods at or above 15% pay nothing more (all-in 15% "
    "floor) from 2025-08-07; IEEPA duties ended by Learning Resources v. Trump (2026-02-20)",
    "recip_chn": "EO 14257 (10% from 2025-04-05); EO 14259/EO 14266 (84% on 2025-04-09, 125% from "
    "2025-04-10); EO 14298 (10% from 2025-05-14, suspension extended by the EO of "
    "2025-11-04); ended by Learning Resources v. Trump (2026-02-20)",
    "s232_sa": "Proclamations 10895/10896 (2025-02-10; 25% from 2025-03-12, exemptions/quotas "
    "revoked) and 10947 (2025-06-03; 50% from 2025-06-04, UK stays 25%)",
    "s232_sa_2018": "Section 232 steel 25% / aluminium 10% (Proclamations 9705/9704 of 2018) as "
    "described in us_tariff_events_2025 event 2 (exemptions/quotas for KOR JPN AUS "
    "CAN MEX EU UK); superseded 2025-03-12",
    "autos": "Proclamation 10908 (2025-03-26) Section 232 autos: vehicles 25% from 2025-04-03; "
    "90 FR 14705",
    "parts": "Proclamation 10908 (2025-03-26) Section 232 auto parts 25% from 2025-05-03",
    "copper": "Proclamation 10962 (2025-07-30) Section 232 copper 50% from 2025-08-01 (US note 36)",
    "mhd": "Proclamation 10984 (2025-10-17) Section 232 medium/heavy-duty trucks 25%, buses 10% "
    "from 2025-11-01; 90 FR 48451",
    "jpn_deal": "EO 14345 (2025-09-04) 'Implementing the United States-Japan Agreement': all-in 15% "
    "floor (additional = max(0, 15% - MFN)), retroactive to 2025-08-07; civil aircraft "
    "exempted",
    "jpn_autos": "EO 14345 (2025-09-04) sec. 3-4: Section 232 autos/parts for Japan 15% all-in "
    "(HTS 2025 rev.23, 2025-09-12 per Budget Lab tracker; legal date to verify)",
    "kor_deal": "US-Korea Joint Fact Sheet (2025-11-13): Korean goods pay the higher of KORUS/MFN or "
    "15%; HTS 9903.02.79-80 (HTS 2025 rev.32, 2025-11-15 per Budget Lab tracker; may be "
    "retroactive to 2025-11-01 - verify)",
    "kor_autos": "US-Korea Joint Fact Sheet (2025-11-13): Section 232 autos/parts 15% all-in; HTS "
    "9903.94.60-65 (2025-11-15 per Budget Lab tracker; verify)",
    "s122": "Section 122 (Trade Act of 1974) proclamation of 2026-02-20: 10% for up to 150 days "
    "from 2026-02-24 (to 2026-07-23) replacing the IEEPA reciprocal layer; per Budget Lab "
    "tariff-rate-tracker config/policy_params.yaml (section_122)",
    "s301": "Section 301 China lists 1, 2, 3, 3-addl (+25%, HTS 9903.88.01-04) and 4A (+7.5%, "
    "9903.88.15); list 4B suspended; product lists from Budget Lab tariff-rate-tracker "
    "resources/s301_product_lists; rates from the HTS 2025 chapter 99 text",
    "s301r": "Section 301 four-year review increases (USTR 2024): HTS 9903.91.01-.03 (+25/50/100% "
    "from 2024-09-27), 9903.91.05/.11 (+50/25% from 2025-01-01), 9903.91.06-.08 "
    "(+25/50/100% from 2026-01-01), 9903.92.10 cranes (+25%); increments over the list "
    "1-4A rate (the higher rate applies, not the sum)",
    "nodeal_kor": "HYPOTHETICAL: no US-Korea deal: EO 14257 Annex I rate for Korea (25%) applies "
    "from 2025-08-07 (the rate announced for Korea absent a deal) until the IEEPA "
    "ruling; 10% baseline before",
    "nodeal_jpn": "HYPOTHETICAL: no US-Japan deal: EO 14257 Annex I rate for Japan (24%) from "
    "2025-08-07 until the IEEPA ruling; 10% baseline before",
    "nodeal_autos": "HYPOTHETICAL: no deal: Section 232 autos/parts 25% (Proclamation 10908) keep "
    "applying to KOR and JPN after the dates the deals replaced them",
}


def build_duties(
    sc: Scopes,
    acts: UsActions,
    us_imports: pd.DataFrame,
    us_mfn: pd.Series,
) -> tuple[pd.DataFrame, Info]:
    """(``duties`` sheet, notes). ``us_mfn``: US HS6 MFN (fraction) for the floors and EU rates."""
    U = sc.U
    rows: list[tuple] = []
    info: Info = {}

    def add(
        measure: str,
        exporter: str,
        values: dict[str, float],
        rate: float,
        mode: str,
        start: dt.date,
        end: dt.date | None,
        src: str,
    ) -> None:
        """Rows of one dated measure: rate x covered share per HS6, as prefix rows."""
        vals = {h: round(rate * s, 6) for h, s in values.items() if rate * s > 0}
        for p, v in compress_partition(vals, U):
            rows.append((measure, "USA", exporter, p, v, mode, start, end, SRC[src]))

    def add_star(
        measure: str, exporter: str, rate: float, mode: str, start: dt.date, end: dt.date, src: str
    ) -> None:
        rows.append((measure, "USA", exporter, "*", rate, mode, start, end, SRC[src]))

    D = dt.date
    # --- baseline-era measures (in force on 2025-01-01)
    # Section 301 lists: HS6 rate = mean over HTS8 lines of the line's list rate
    s301 = acts.s301.copy()
    list_rate = {
        "9903.88.01": 0.25,
        "9903.88.02": 0.25,
        "9903.88.03": 0.25,
        "9903.88.04": 0.25,
        "9903.88.15": 0.075,
    }
    review = {  # ch99 code -> (rate, start, end)
        "9903.91.01": (0.25, D(2024, 9, 27), None),
        "9903.91.02": (0.50, D(2024, 9, 27), None),
        "9903.91.03": (1.00, D(2024, 9, 27), None),
        "9903.91.05": (0.50, D(2025, 1, 1), None),
        "9903.91.11": (0.25, D(2025, 1, 1), None),
        "9903.91.06": (0.25, D(2026, 1, 1), None),
        "9903.91.07": (0.50, D(2026, 1, 1), None),
        "9903.91.08": (1.00, D(2026, 1, 1), None),
        "9903.92.10": (0.25, D(2024, 9, 27), None),
    }
    base = s301[s301["ch99_code"].isin(list_rate)].copy()
    base["r"] = base["ch99_code"].map(list_rate)
    base_line = base.groupby("hts8")["r"].max()
    # HTS8 lines per HS6: HTS 2025 rate lines plus any listed HTS8 not among them
    lines8 = pd.Index(sorted(set(sc.h8["hts8"]) | set(s301["hts8"])))
    n8 = pd.Series(1, index=lines8).groupby(lines8.str[:6]).sum()
    h6 = (
        base_line.groupby(base_line.index.str[:6]).sum()
        / n8.reindex(base_line.index.str[:6].unique())
    ).dropna()
    add("s301_chn_lists", "CHN", h6.to_dict(), 1.0, "add", D(2020, 2, 14), None, "s301")
    # review increments by phase (boundaries 2024-09-27, 2025-01-01, 2026-01-01)
    rev = s301[s301["ch99_code"].isin(review)].copy()
    phases = [
        (D(2024, 9, 27), D(2024, 12, 31)),
        (D(2025, 1, 1), D(2025, 12, 31)),
        (D(2026, 1, 1), None),
    ]
    for ps, pe in phases:
        active = rev[rev["ch99_code"].map(lambda c, ps=ps: review[c][1] <= ps)]
        if active.empty:
            continue
        r = (
            active.assign(r=active["ch99_code"].map(lambda c: review[c][0]))
            .groupby("hts8")["r"]
            .max()
        )
        inc = (r - base_line.reindex(r.index).fillna(0.0)).clip(lower=0.0)
        inc = inc[inc > 0]
        h6r = (
            inc.groupby(inc.index.str[:6]).sum() / n8.reindex(inc.index.str[:6].unique())
        ).dropna()
        add("s301_chn_2024_review", "CHN", h6r.to_dict(), 1.0, "add", ps, pe, "s301r")

    # Section 232 steel/aluminium 2018 regime (quota/TRQ/exempt partners: S232_2018_EXEMPT)
    for exp in [c for c in EXPORTERS if c not in S232_2018_EXEMPT]:
        for scope, rate in ((sc.steel, 0.25), (sc.alu, 0.10)):
            vals = dict(scope.items())
            add(
                "s232_steel_alu_2018",
                exp,
                vals,
                rate,
                "add",
                D(2018, 3, 23),
                D(2025, 3, 11),
                "s232_sa_2018",
            )

    # --- 2025 measures
    add_star("ieepa_fentanyl_CHN", "CHN", 0.10, "add", D(2025, 2, 4), D(2025, 3, 3), "fent")
    add_star("ieepa_fentanyl_CHN", "CHN", 0.20, "add", D(2025, 3, 4), D(2025, 11, 9), "fent")
    add_star("ieepa_fentanyl_CHN", "CHN", 0.10, "add", D(2025, 11, 10), IEEPA_END, "fent")

    for r, s, e in (
        (0.10, D(2025, 4, 5), D(2025, 4, 8)),
        (0.84, D(2025, 4, 9), D(2025, 4, 9)),
        (1.25, D(2025, 4, 10), D(2025, 5, 13)),
        (0.10, D(2025, 5, 14), IEEPA_END),
    ):
        add("ieepa_recip_CHN", "CHN", sc.recip, r, "add", s, e, "recip_chn")
    add("ieepa_recip_KOR", "KOR", sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "recip")
    add("ieepa_recip_KOR", "KOR", sc.recip, 0.15, "add", D(2025, 8, 7), D(2025, 11, 14), "recip")
    add("ieepa_recip_JPN", "JPN", sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "recip")
    for c in [x for x in EXPORTERS if x not in RECIP_SPECIAL]:
        jul = acts.recip.set_index("iso3")["annexI_eo14326_jul31_2025_pct"].get(c, np.nan)
        r2 = 0.10 if pd.isna(jul) else float(jul) / 100.0
        add(f"ieepa_recip_{c}", c, sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "recip")
        add(f"ieepa_recip_{c}", c, sc.recip, r2, "add", D(2025, 8, 7), IEEPA_END, "recip")
    # EU: 10% until Aug 6; then the all-in 15% floor of EO 14326 (MFN >= 15%: nothing added)
    add("ieepa_recip_EUN", "EUN", sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "recip")
    add("ieepa_recip_EUN", "EUN", sc.recip_floor, 0.15, "floor", D(2025, 8, 7), IEEPA_END,
        "recip_eun")
    # ROW: 10% until Aug 6; then a US-import-weighted composite of partner rates per HS6
    add("ieepa_recip_ROW", "ROW", sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "recip")
    rec = acts.recip.set_index("iso3")
    jul = rec["annexI_eo14326_jul31_2025_pct"].dropna() / 100.0
    us = us_imports
    row_part = us[~us["iso3"].isin(NAMED) & ~us["iso3"].isin(EU27) & us["hs6"].isin(set(U))]
    part = row_part.groupby(["iso3", "hs6"], dropna=False)["imports_usd"].sum().reset_index()
    part["iso3"] = part["iso3"].fillna("UNK")
    part["r"] = part["iso3"].map(jul).fillna(0.10).to_numpy()
    part["rw"] = part["r"] * part["imports_usd"]
    g = part.groupby("hs6")[["rw", "imports_usd"]].sum()
    comp = (g["rw"] / g["imports_usd"]).dropna().to_dict()
    # HS6 with no ROW imports: the partners' mean rate weighted by their US imports
    pw = part.groupby("iso3")["imports_usd"].sum()
    pr = part.groupby("iso3")["r"].mean()
    fallback = float((pw * pr).sum() / pw.sum())
    vals = {h: s * comp.get(h, fallback) for h, s in sc.recip.items()}
    add("ieepa_recip_ROW", "ROW", vals, 1.0, "add", D(2025, 8, 7), IEEPA_END, "recip")
    info["row_recip"] = (
        f"ROW composite reciprocal rate from 2025-08-07: US-2024-import-weighted mean "
        f"over the ROW partners (outside the named economies and the EU) of the EO 14326 Annex I "
        f"rate (10% if unlisted); all-product import-weighted mean "
        f"{float(part['rw'].sum() / part['imports_usd'].sum()):.4f}"
    )

    for c in EXPORTERS:
        for scope in (sc.steel, sc.alu):
            add("s232_steel_alu", c, scope, 0.25, "add", D(2025, 3, 12), D(2025, 6, 3), "s232_sa")
            add(
                "s232_steel_alu",
                c,
                scope,
                0.25 if c == "GBR" else 0.50,
                "add",
                D(2025, 6, 4),
                None,
                "s232_sa",
            )
        add("s232_copper", c, sc.copper, 0.50, "add", D(2025, 8, 1), None, "copper")
    auto_end = {"JPN": D(2025, 9, 11), "KOR": D(2025, 11, 14)}
    for c in [x for x in EXPORTERS if x not in USMCA_PARTNERS]:
        add("s232_autos", c, sc.autos, 0.25, "add", D(2025, 4, 3), auto_end.get(c), "autos")
        add("s232_auto_parts", c, sc.parts, 0.25, "add", D(2025, 5, 3), auto_end.get(c), "parts")
        add("s232_mhd_trucks_buses", c, sc.mhd, 0.25, "add", D(2025, 11, 1), None, "mhd")
        add("s232_mhd_trucks_buses", c, sc.buses, 0.10, "add", D(2025, 11, 1), None, "mhd")

    # deals (floors), after the add-on measures
    jp_floor = {h: 1.0 for h in sc.recip_floor if not h.startswith("88")}
    add("us_jpn_deal", "JPN", jp_floor, 0.15, "floor", D(2025, 8, 7), IEEPA_END, "jpn_deal")
    autos_parts = {**sc.autos, **sc.parts}
    add("us_jpn_deal_autos", "JPN", autos_parts, 0.15, "floor", D(2025, 9, 12), None, "jpn_autos")
    add("us_kor_deal", "KOR", sc.recip_floor, 0.15, "floor", D(2025, 11, 15), IEEPA_END, "kor_deal")
    add("us_kor_deal_autos", "KOR", autos_parts, 0.15, "floor", D(2025, 11, 15), None, "kor_autos")

    # hypothetical no-deal measures
    add(
        "nodeal_recip_KOR", "KOR", sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "nodeal_kor"
    )
    add("nodeal_recip_KOR", "KOR", sc.recip, 0.25, "add", D(2025, 8, 7), IEEPA_END, "nodeal_kor")
    add(
        "nodeal_recip_JPN", "JPN", sc.recip, 0.10, "add", D(2025, 4, 5), D(2025, 8, 6), "nodeal_jpn"
    )
    add("nodeal_recip_JPN", "JPN", sc.recip, 0.24, "add", D(2025, 8, 7), IEEPA_END, "nodeal_jpn")
    for c, s in (("JPN", D(2025, 9, 12)), ("KOR", D(2025, 11, 15))):
        add("nodeal_s232_autos", c, sc.autos, 0.25, "add", s, None, "nodeal_autos")
        add("nodeal_s232_autos", c, sc.parts, 0.25, "add", s, None, "nodeal_autos")

    # Section 122 after the ruling (CAN/MEX left out, as under the IEEPA reciprocal regime)
    for c in [x for x in EXPORTERS if x not in USMCA_PARTNERS]:
        add("s122_balance_of_payments", c, sc.recip, 0.10, "add", S122_START, S122_END, "s122")

    duties = pd.DataFrame(
        rows,
        columns=DUTY_COLUMNS,
    )
    info["n_recip_scope"] = (
        f"{len(sc.recip)} HS6 in the reciprocal scope ({sum(1 for v in sc.recip.values() if v < 1)} "
        f"partially exempt: rate x covered line share); {len(sc.recip_floor)} HS6 "
        "in the floor scope (>= 50% of lines covered)"
    )
    return duties, info
