"""Cross-table checks of the general-equilibrium sheets (``ge_*``, DESIGN 2 and 3e), and
their conversion into the arrays of :func:`fta_compare.model.ge.calibrate`.

Sheet-level checks (columns, kinds, blanks, duplicate keys) are done by ``validate.py``;
this module checks what needs several tables at once. Every problem is an
:class:`~fta_compare.errors.Issue` naming file, sheet, cell, value and rule.

The economies of the model are those of ``ge_trade`` (exporters and importers), its
sectors those of ``ge_trade`` too; arrays are in sorted code order.

Errors:

* a required sheet missing or empty (``ge_trade``, ``ge_applied``, ``ge_final``,
  ``ge_value_added``, ``ge_elasticities``; ``ge_intermediate``, ``ge_deficits`` and
  ``ge_sectors`` are optional);
* an economy or sector in one table but not in ``ge_trade``; an economy of ``ge_trade``
  without rows in ``ge_final``, ``ge_value_added`` (or ``ge_deficits`` when given); a sector
  without ``theta``;
* a clearly negative value: below ``-NEGATIVE_TOL`` (0.1%) of its reference total (flows:
  the importer's purchases of the sector; intermediate: the sector's intermediate spending;
  final: the economy's final demand; value added: the sector's gross output);
* a sector demanded (final or intermediate use) but produced nowhere (all its flows zero);
* intermediate + value added differing from gross output (the sector's sales in
  ``ge_trade``) by more than ``OUTPUT_TOL`` (1%) of the larger of the two (gaps below
  ``OUTPUT_FLOOR``, 1e-9 of world gross output, are rounding and ignored);
* ``theta <= 0``; an economy with no final demand, or with income (value added + tariff
  revenue + deficit) <= 0;
* a ``ge_applied`` sheet without ``baseline`` rows.

Warnings: a tiny negative entry (within ``NEGATIVE_TOL``) set to zero; a country-sector with
no output, or with output but no intermediate inputs (value added alone, beta = 1);
intermediate + value added within ``OUTPUT_TOL`` but off by more than ``OUTPUT_WARN``
(0.01%); an economy buying a sector (ge_final / ge_intermediate) it imports and produces
none of in ``ge_trade``; deficits that do not sum to zero (the residual is spread in
proportion to value added); a ``theta`` for a sector without flows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.errors import InputError, Issue
from fta_compare.inputs.schema import BASELINE, GE_SHEETS
from fta_compare.inputs.tables import FILE_COL, SHEET_COL, InputTables, issue_at
from fta_compare.model import ge

__all__ = ["GEInputs", "ge_frames", "ge_inputs", "validate_ge"]

NEGATIVE_TOL = 1e-3  # negative entries down to -0.1% of their reference total: set to zero
OUTPUT_TOL = 1e-2  # |intermediate + value added - gross output| above 1%: error
OUTPUT_WARN = 1e-4  # above 0.01% (and within 1%): warning
OUTPUT_FLOOR = 1e-9  # gaps below 1e-9 of world gross output are rounding, never reported
DEFICIT_TOL = 1e-6  # |sum of deficits| above 1e-6 of world value added: warning
MAX_LISTED = 25  # issues listed per (sheet, check); the rest are counted in one line
REQUIRED = ("ge_trade", "ge_applied", "ge_final", "ge_value_added", "ge_elasticities")


@dataclass(frozen=True)
class GEInputs:
    """The ``ge_*`` sheets as arrays (layout of :mod:`fta_compare.model.ge_calibrate`).

    economies[n], sectors[j]  codes, sorted; trade_value[j, i, n], tariff[j, i, n] (baseline),
    intermediate[n, k, j], final[j, n], value_added[j, n], deficit[n] (None: no
    ``ge_deficits`` sheet, computed from the flows), theta[j];
    scenarios: name -> tariff[j, i, n] of each non-baseline scenario of ``ge_applied``
    (cells it does not list keep their baseline rate), in sheet order;
    sector_hs: sector -> its HS prefixes from ``ge_sectors`` (empty without the sheet).
    """

    economies: tuple[str, ...]
    sectors: tuple[str, ...]
    trade_value: np.ndarray
    tariff: np.ndarray
    intermediate: np.ndarray
    final: np.ndarray
    value_added: np.ndarray
    deficit: np.ndarray | None
    theta: np.ndarray
    scenarios: dict[str, np.ndarray] = field(default_factory=dict)
    sector_hs: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def calibrate(self) -> ge.GEBase:
        """:func:`fta_compare.model.ge.calibrate` on these arrays."""
        return ge.calibrate(self.trade_value, self.tariff, self.intermediate, self.final,
                            self.value_added, self.deficit, self.theta)

    def solve(self, *, tol: float = ge.TOL, max_iter: int = ge.MAX_ITER
              ) -> dict[str, ge.GEResult]:
        """Every scenario of ``ge_applied`` against the baseline (one baseline solve)."""
        shocks = {name: (t, None) for name, t in self.scenarios.items()}
        return ge.solve_scenarios(self.calibrate(), shocks, tol=tol, max_iter=max_iter)


class _Issues:
    """Issues, at most MAX_LISTED per (sheet, check); the rest counted in one line."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self._seen: dict[tuple[str, str], list] = {}

    def add(self, issue: Issue, check: str) -> None:
        key = (issue.sheet, check)
        seen = self._seen.setdefault(key, [0, issue])
        seen[0] += 1
        if seen[0] <= MAX_LISTED:
            self.issues.append(issue)

    def at(self, df: pd.DataFrame, index: object, column: str, rule: str, check: str,
           severity: str = "error") -> None:
        self.add(issue_at(df, index, column, rule, severity), check)

    def finish(self) -> list[Issue]:
        for (sheet, check), (n, first) in self._seen.items():
            if n > MAX_LISTED:
                self.issues.append(Issue(first.file, sheet, "", "", f"... and {n - MAX_LISTED} "
                                         f"more: {check}", first.severity))
        return self.issues

    @property
    def errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def _where(df: pd.DataFrame) -> tuple[str, str]:
    """(file, sheet) of a table's first row."""
    if len(df) and FILE_COL in df.columns:
        return str(df[FILE_COL].iloc[0]), str(df[SHEET_COL].iloc[0])
    return "", ""


def _codes(df: pd.DataFrame, column: str, index: pd.Index) -> np.ndarray:
    return index.get_indexer(df[column].astype(str))


def _unknown(out: _Issues, df: pd.DataFrame, column: str, index: pd.Index, rule: str,
             check: str, severity: str = "error") -> np.ndarray:
    """Flag cells whose code is not in ``index``; returns the valid-row mask."""
    pos = _codes(df, column, index)
    for k in np.flatnonzero(pos < 0):
        out.at(df, df.index[k], column, rule.format(code=df[column].iloc[k]), check, severity)
    return pos >= 0


def _missing(out: _Issues, trade: pd.DataFrame, have: pd.Series, table: str,
             economies: list[str]) -> None:
    """Economies of ge_trade without rows in ``table``: error at their first ge_trade cell."""
    present = set(have.astype(str))
    for code in economies:
        if code in present:
            continue
        exp = np.flatnonzero(trade["exporter"].to_numpy() == code)
        imp = np.flatnonzero(trade["importer"].to_numpy() == code)
        col, k = ("exporter", exp[0]) if exp.size else ("importer", imp[0])
        out.at(trade, trade.index[k], col, f"economy '{code}' has no rows in '{table}': "
               "every economy of ge_trade needs them", f"economy missing from {table}")


def _signs(out: _Issues, df: pd.DataFrame, values: np.ndarray, ref: np.ndarray, what: str,
           valid: np.ndarray) -> np.ndarray:
    """Tiny negatives (>= -NEGATIVE_TOL * ref) set to zero with a warning, others errors."""
    values = values.copy()
    neg = np.flatnonzero(valid & (values < 0))
    for k in neg:
        share = -values[k] / ref[k] if ref[k] > 0 else np.inf
        if share <= NEGATIVE_TOL:
            out.at(df, df.index[k], "value", f"tiny negative value set to zero ({share:.3%} of "
                   f"{what}; below {NEGATIVE_TOL:.1%})", "tiny negative set to zero", "warning")
            values[k] = 0.0
        else:
            shown = "no positive total" if not np.isfinite(share) else f"{share:.2%}"
            out.at(df, df.index[k], "value", f"negative value ({shown} of {what}): values "
                   "must be >= 0 (tiny negatives up to "
                   f"{NEGATIVE_TOL:.1%} are set to zero)", "negative value")
    return values


def _first_rows(keys: np.ndarray, n: int) -> np.ndarray:
    """Row index of the first occurrence of each key in [0, n) (-1 where absent)."""
    first = np.full(n, -1, dtype=np.int64)
    rows = np.arange(keys.size)[::-1]
    first[keys[::-1]] = rows  # later writes win: the first occurrence
    return first


def _build(tables: InputTables) -> tuple[GEInputs | None, list[Issue]]:
    out = _Issues()
    used = {name: getattr(tables, name) for name in GE_SHEETS}
    used = {k: v for k, v in used.items() if v is not None and len(v)}
    if not used:
        return None, []
    names = ", ".join(Path(f).name for f in tables.files)
    for req in REQUIRED:
        if req not in used:
            out.add(Issue(names, req, "", "", f"required sheet '{req}' is missing or empty: "
                          "the general-equilibrium model needs ge_trade, ge_applied, ge_final, "
                          "ge_value_added and ge_elasticities (ge_intermediate, ge_deficits "
                          "and ge_sectors are optional)"), "required sheet")
    if out.errors:
        return None, out.finish()
    trade, applied = used["ge_trade"], used["ge_applied"]
    final, va_t, el = used["ge_final"], used["ge_value_added"], used["ge_elasticities"]
    inter_t, def_t, sec_t = (used.get("ge_intermediate"), used.get("ge_deficits"),
                             used.get("ge_sectors"))
    economies = sorted(set(trade["exporter"].astype(str)) | set(trade["importer"].astype(str)))
    sectors = sorted(set(trade["sector"].astype(str)))
    E, S = pd.Index(economies), pd.Index(sectors)
    N, J = len(economies), len(sectors)

    # --- membership: every code must be one of ge_trade's
    econ_rule = "economy '{code}' has no rows in ge_trade (not an economy of the model)"
    sect_rule = "sector '{code}' has no rows in ge_trade"
    demand_rule = ("sector '{code}' is demanded here but produced nowhere: it has no rows in "
                   "ge_trade")
    ok_final = (_unknown(out, final, "country", E, econ_rule, "unknown economy")
                & _unknown(out, final, "sector", S, demand_rule, "produced nowhere"))
    ok_va = (_unknown(out, va_t, "country", E, econ_rule, "unknown economy")
             & _unknown(out, va_t, "sector", S, sect_rule + " (value added without output)",
                        "unknown sector"))
    ok_ap = (_unknown(out, applied, "importer", E, econ_rule, "unknown economy")
             & _unknown(out, applied, "exporter", E, econ_rule, "unknown economy")
             & _unknown(out, applied, "sector", S, sect_rule, "unknown sector"))
    ok_el = _unknown(out, el, "sector", S, sect_rule + ": its theta is not used",
                     "theta unused", "warning")
    ok_inter = np.zeros(0, dtype=bool)
    if inter_t is not None:
        ok_inter = (_unknown(out, inter_t, "country", E, econ_rule, "unknown economy")
                    & _unknown(out, inter_t, "input", S, demand_rule, "produced nowhere")
                    & _unknown(out, inter_t, "sector", S, sect_rule + " (inputs without "
                               "output)", "unknown sector"))
    ok_def = np.zeros(0, dtype=bool)
    if def_t is not None:
        ok_def = _unknown(out, def_t, "country", E, econ_rule, "unknown economy")
        _missing(out, trade, def_t["country"], "ge_deficits", economies)
    if sec_t is not None:
        _unknown(out, sec_t, "sector", S, sect_rule, "unknown sector")
    _missing(out, trade, final["country"], "ge_final", economies)
    _missing(out, trade, va_t["country"], "ge_value_added", economies)
    have_theta = set(el["sector"].astype(str))
    for code in sectors:
        if code not in have_theta:
            k = int(np.flatnonzero(trade["sector"].astype(str).to_numpy() == code)[0])
            out.at(trade, trade.index[k], "sector", f"sector '{code}' has no theta in "
                   "ge_elasticities", "theta missing")
    if not applied["scenario"].eq(BASELINE).any():
        file, sheet = _where(applied)
        out.add(Issue(file, sheet, "A", "", "scenario 'baseline' is required in the "
                      "'ge_applied' sheet (the tariffs of the data)"), "baseline missing")

    # --- values into arrays (negatives checked against their reference totals)
    ts, ti, tn = (_codes(trade, "sector", S), _codes(trade, "exporter", E),
                  _codes(trade, "importer", E))
    v = trade["value"].to_numpy(dtype=float)
    absorb = np.zeros((J, N))
    np.add.at(absorb, (ts, tn), np.maximum(v, 0.0))
    v = _signs(out, trade, v, absorb[ts, tn], "the importer's purchases of the sector",
               np.ones(v.size, dtype=bool))
    tv = np.zeros((J, N, N))
    tv[ts, ti, tn] = v
    Y = tv.sum(axis=2)

    inter = np.zeros((N, J, J))
    if inter_t is not None:
        ic, ik, ij = (_codes(inter_t, "country", E), _codes(inter_t, "input", S),
                      _codes(inter_t, "sector", S))
        iv = inter_t["value"].to_numpy(dtype=float)
        spend = np.zeros((N, J))
        np.add.at(spend, (ic[ok_inter], ij[ok_inter]), np.maximum(iv[ok_inter], 0.0))
        ref = np.where(ok_inter, spend[ic, ij], 0.0)
        iv = _signs(out, inter_t, iv, ref, "the sector's intermediate spending", ok_inter)
        inter[ic[ok_inter], ik[ok_inter], ij[ok_inter]] = iv[ok_inter]

    fc, fs = _codes(final, "country", E), _codes(final, "sector", S)
    fv = final["value"].to_numpy(dtype=float)
    ftot = np.zeros(N)
    np.add.at(ftot, fc[ok_final], np.maximum(fv[ok_final], 0.0))
    fv = _signs(out, final, fv, np.where(ok_final, ftot[fc], 0.0),
                "the economy's final demand", ok_final)
    fin = np.zeros((J, N))
    fin[fs[ok_final], fc[ok_final]] = fv[ok_final]

    vc, vs = _codes(va_t, "country", E), _codes(va_t, "sector", S)
    vv = va_t["value"].to_numpy(dtype=float)
    vv = _signs(out, va_t, vv, np.where(ok_va, Y[vs, vc], 0.0), "the sector's gross output",
                ok_va)
    va = np.zeros((J, N))
    va[vs[ok_va], vc[ok_va]] = vv[ok_va]
    va_row = np.full((J, N), -1, dtype=np.int64)
    va_row[vs[ok_va], vc[ok_va]] = np.flatnonzero(ok_va)

    theta = np.zeros(J)
    es = _codes(el, "sector", S)
    th = el["theta"].to_numpy(dtype=float)
    for k in np.flatnonzero(~(th > 0)):
        out.at(el, el.index[k], "theta", "theta must be > 0 (the trade elasticity of the "
               "sector)", "theta not positive")
    theta[es[ok_el]] = th[ok_el]

    deficit = None
    if def_t is not None:
        deficit = np.zeros(N)
        dc = _codes(def_t, "country", E)
        deficit[dc[ok_def]] = def_t["value"].to_numpy(dtype=float)[ok_def]

    _accounting(out, trade, va_t, final, inter_t, economies, sectors, tv, Y, inter,
                fin, va, va_row, (ts, ti), (fc, fs, ok_final),
                None if inter_t is None else (ic, ik, ok_inter))
    tariff, scenarios = _tariffs(applied, ok_ap, E, S, (J, N, N))
    revenue = (tariff * tv).sum(axis=(0, 1))
    _income(out, trade, def_t, economies, va, revenue, deficit, tv, fin, final, fc, ok_final)
    if out.errors:
        return None, out.finish()
    sector_hs: dict[str, tuple[str, ...]] = {}
    if sec_t is not None:
        for code, hs in zip(sec_t["sector"].astype(str), sec_t["hs"].astype(str), strict=True):
            sector_hs[code] = (*sector_hs.get(code, ()), hs)
    return GEInputs(economies=tuple(economies), sectors=tuple(sectors), trade_value=tv,
                    tariff=tariff, intermediate=inter, final=fin, value_added=va,
                    deficit=deficit, theta=theta, scenarios=scenarios,
                    sector_hs=sector_hs), out.finish()


def _accounting(out: _Issues, trade: pd.DataFrame, va_t: pd.DataFrame,
                final: pd.DataFrame, inter_t: pd.DataFrame | None, economies: list[str],
                sectors: list[str], tv: np.ndarray, Y: np.ndarray, inter: np.ndarray,
                fin: np.ndarray, va: np.ndarray, va_row: np.ndarray,
                trade_keys: tuple[np.ndarray, np.ndarray],
                final_keys: tuple[np.ndarray, np.ndarray, np.ndarray],
                inter_keys: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> None:
    """Gross output = intermediate + value added; no output; no inputs; demand without supply."""
    J, N = Y.shape
    ts, ti = trade_keys
    first_sale = _first_rows(ts * N + ti, J * N).reshape(J, N)  # first ge_trade row of (j, i)
    inputs = inter.sum(axis=1).T  # [j, n]
    cost = inputs + va
    scale = np.maximum(Y, cost)
    gap = np.abs(cost - Y)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where((scale > 0) & (gap > OUTPUT_FLOOR * Y.sum()), gap / scale, 0.0)

    def locate(j: int, n: int) -> tuple[pd.DataFrame, object, str] | None:
        if va_row[j, n] >= 0:
            return va_t, va_t.index[va_row[j, n]], "value"
        if first_sale[j, n] >= 0:
            return trade, trade.index[first_sale[j, n]], "value"
        return None

    for j, n in zip(*np.nonzero(rel > OUTPUT_WARN), strict=True):
        where = locate(j, n)
        severity = "error" if rel[j, n] > OUTPUT_TOL else "warning"
        rule = (f"{economies[n]} {sectors[j]}: intermediate inputs {inputs[j, n]:.6g} + value "
                f"added {va[j, n]:.6g} = {cost[j, n]:.6g}, but gross output (its sales in "
                f"ge_trade) is {Y[j, n]:.6g}: off by {rel[j, n]:.3%}"
                + (f" (more than the {OUTPUT_TOL:.0%} tolerance)" if severity == "error" else
                   f" (within the {OUTPUT_TOL:.0%} tolerance; the model uses the ge_trade "
                   "output)"))
        check = "output identity" if severity == "error" else "output near-identity"
        if where is None:  # inputs without any sale or value-added row
            file, sheet = _where(inter_t if inter_t is not None else va_t)
            out.add(Issue(file, sheet, "", "", rule, severity), check)  # type: ignore[arg-type]
        else:
            out.at(*where, rule, check, severity)
    for j, n in zip(*np.nonzero((Y == 0) & (cost == 0)), strict=True):
        where = locate(j, n)
        rule = (f"{economies[n]} does not produce {sectors[j]} (no sales in ge_trade): its "
                "unit cost follows the wage and its trade shares stay zero")
        if where is None:
            file, sheet = _where(trade)
            out.add(Issue(file, sheet, "", "", rule, "warning"), "no output")
        else:
            out.at(*where, rule, "no output", "warning")
    if inter_t is None:
        file, sheet = _where(trade)
        out.add(Issue(file, "ge_intermediate", "", "", "no ge_intermediate sheet: no "
                      "intermediate inputs anywhere (every sector uses value added alone)",
                      "warning"), "no inputs")
    else:
        for j, n in zip(*np.nonzero((Y > 0) & (inputs == 0)), strict=True):
            df, index, column = locate(j, n) or (trade, trade.index[0], "value")
            rule = (f"{economies[n]} {sectors[j]} sells {Y[j, n]:.6g} but buys no "
                    "intermediate inputs (ge_intermediate): produced with value added alone "
                    "(beta = 1)")
            out.at(df, index, column, rule, "no intermediate inputs", "warning")
    world = Y.sum(axis=1)
    absorb = tv.sum(axis=1)  # [j, n]
    fc, fs, ok_final = final_keys
    rows = [(final, np.flatnonzero(ok_final), fs, fc, fin[fs.clip(0), fc.clip(0)])]
    if inter_t is not None and inter_keys is not None:
        ic, ik, ok_inter = inter_keys
        vals = inter_t["value"].to_numpy(dtype=float)
        rows.append((inter_t, np.flatnonzero(ok_inter), ik, ic, vals))
    for df, valid, sec, eco, vals in rows:
        col = "sector" if df is final else "input"
        valid = valid[vals[valid] > 0]
        j, n = sec[valid], eco[valid]
        for k in valid[world[j] == 0]:
            out.at(df, df.index[k], col, f"sector '{sectors[sec[k]]}' is demanded here but "
                   "produced nowhere: all its ge_trade flows are zero", "produced nowhere")
        for k in valid[(world[j] > 0) & (absorb[j, n] == 0)]:
            out.at(df, df.index[k], col, f"{economies[eco[k]]} buys {sectors[sec[k]]} here, "
                   "but ge_trade shows no purchases of it by this economy; its sources are "
                   "taken in proportion to world output", "demand without purchases",
                   "warning")


def _tariffs(applied: pd.DataFrame, ok: np.ndarray, E: pd.Index, S: pd.Index,
             shape: tuple[int, int, int]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Baseline tariffs (missing cells 0) and each scenario's (missing cells: baseline)."""
    s, i, n = (_codes(applied, "sector", S), _codes(applied, "exporter", E),
               _codes(applied, "importer", E))
    rate = applied["rate"].to_numpy(dtype=float)
    names = applied["scenario"].astype(str).to_numpy()
    base = np.zeros(shape)
    b = ok & (names == BASELINE)
    base[s[b], i[b], n[b]] = rate[b]
    scenarios: dict[str, np.ndarray] = {}
    for name in pd.unique(names[ok & (names != BASELINE)]):
        m = ok & (names == name)
        t = base.copy()
        t[s[m], i[m], n[m]] = rate[m]
        scenarios[str(name)] = t
    return base, scenarios


def _income(out: _Issues, trade: pd.DataFrame, def_t: pd.DataFrame | None,
            economies: list[str], va: np.ndarray, revenue: np.ndarray,
            deficit: np.ndarray | None, tv: np.ndarray, fin: np.ndarray,
            final: pd.DataFrame, fc: np.ndarray, ok_final: np.ndarray) -> None:
    """Deficits summing to zero, final demand and income positive in every economy."""
    va_n = va.sum(axis=0)
    if deficit is None:
        d = ge.deficits_from_trade(tv)
    else:
        d = deficit
        total = float(deficit.sum())
        if abs(total) > DEFICIT_TOL * max(va_n.sum(), 1e-300):
            file, sheet = _where(def_t) if def_t is not None else ("", "ge_deficits")
            out.add(Issue(file, sheet, "", f"{total:.6g}", "deficits sum to "
                          f"{total:.6g}, not zero: the residual is spread over economies in "
                          "proportion to value added", "warning"), "deficits sum")
    for n in np.flatnonzero(fin.sum(axis=0) <= 0):
        rows = np.flatnonzero(ok_final & (fc == n))
        if rows.size:
            out.at(final, final.index[rows[0]], "value", f"{economies[n]} has no final demand "
                   "(all its ge_final values are zero)", "no final demand")
    income = va_n + revenue + d
    for n in np.flatnonzero(income <= 0):
        rule = (f"{economies[n]}: income = value added {va_n[n]:.6g} + tariff revenue "
                f"{revenue[n]:.6g} + deficit {d[n]:.6g} = {income[n]:.6g} is not positive")
        if def_t is not None:
            rows = np.flatnonzero(def_t["country"].astype(str).to_numpy() == economies[n])
            if rows.size:
                out.at(def_t, def_t.index[rows[0]], "value", rule, "income not positive")
                continue
        col = "exporter" if (trade["exporter"] == economies[n]).any() else "importer"
        k = int(np.flatnonzero(trade[col].astype(str).to_numpy() == economies[n])[0])
        out.at(trade, trade.index[k], col, rule, "income not positive")


def validate_ge(tables: InputTables) -> list[Issue]:
    """Every cross-table problem of the ``ge_*`` sheets (errors and warnings); [] without
    GE sheets."""
    return _build(tables)[1]


def build_ge(tables: InputTables) -> tuple[GEInputs | None, list[Issue]]:
    """The arrays (None when any error) and every issue of the ``ge_*`` sheets."""
    return _build(tables)


def ge_inputs(tables: InputTables) -> tuple[GEInputs, list[Issue]]:
    """The ``ge_*`` sheets as model arrays, with the warnings found; raises
    :class:`InputError` listing every error (or when the inputs have no GE sheets). Uses
    the arrays built during validation when the tables carry them."""
    if isinstance(tables.ge_arrays, GEInputs):
        return tables.ge_arrays, []  # its warnings are in tables.warnings already
    inputs, issues = _build(tables)
    if inputs is None:
        if not issues:
            issues = [Issue(", ".join(Path(f).name for f in tables.files), "ge_trade", "", "",
                            "the general-equilibrium model (--model ge) needs the ge_* sheets "
                            "(ge_trade, ge_applied, ge_final, ge_value_added, "
                            "ge_elasticities)")]
        raise InputError(issues)
    return inputs, [i for i in issues if i.severity == "warning"]


def ge_frames(inputs: GEInputs, results: Mapping[str, ge.GEResult]
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The contract tables ``ge_welfare`` (scenario, country, welfare, real_wage,
    terms_of_trade, volume_of_trade) and ``ge_sectors`` (scenario, country, sector,
    output_change, exports_change, imports_change, price_change), fractions (DESIGN 5)."""
    econ = np.asarray(inputs.economies, dtype=object)
    sect = np.asarray(inputs.sectors, dtype=object)
    J, N = len(sect), len(econ)
    welfare, sectors = [], []
    for name, r in results.items():
        welfare.append(pd.DataFrame({
            "scenario": name, "country": econ, "welfare": r.welfare,
            "real_wage": r.real_wage, "terms_of_trade": r.terms_of_trade,
            "volume_of_trade": r.volume_of_trade}))
        sectors.append(pd.DataFrame({
            "scenario": name, "country": np.tile(econ, J), "sector": np.repeat(sect, N),
            "output_change": r.output_change.ravel(), "exports_change":
            r.exports_change.ravel(), "imports_change": r.imports_change.ravel(),
            "price_change": r.price_change.ravel()}))
    w_cols = ["scenario", "country", "welfare", "real_wage", "terms_of_trade",
              "volume_of_trade"]
    s_cols = ["scenario", "country", "sector", "output_change", "exports_change",
              "imports_change", "price_change"]
    return (pd.concat(welfare, ignore_index=True) if welfare else pd.DataFrame(columns=w_cols),
            pd.concat(sectors, ignore_index=True) if sectors else pd.DataFrame(columns=s_cols))
