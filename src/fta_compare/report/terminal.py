"""The answer on the terminal: the focus economy's scorecard as a short text table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.errors import Issue
from fta_compare.results import RunResult

DEPTH = " (depth)"


def _money(x: float, unit: str) -> str:
    """US$ thousand -> 'US$ m' with sign; other units as they are."""
    if unit.lower().replace(" ", "") in ("us$thousand", "usdthousand"):
        return f"{x / 1e3:+,.1f}"
    return f"{x:+,.0f}"


def _size(path: Path) -> str:
    try:
        n = path.stat().st_size
    except OSError:
        return ""
    return f"{n / 1e6:,.1f} MB" if n >= 1e5 else f"{n / 1e3:,.0f} kB"


def _ge_column(result: RunResult) -> dict[str, float]:
    if result.ge is None:
        return {}
    w = result.ge.welfare
    mine = w[w["country"] == result.config.focus]
    return dict(zip(mine["scenario"], mine["welfare"], strict=True))


def _pe_rows(result: RunResult, names: Sequence[str]) -> pd.DataFrame:
    card = result.scorecard
    f = card[(card["country"] == result.config.focus) & card["scenario"].isin(list(names))]
    wide = f.pivot_table(index="scenario", columns="metric", values="value", aggfunc="first")
    cols = [c for c in ("net_welfare", "exports_change", "imports_change") if c in wide]
    return wide.reindex(list(names))[cols]


def scorecard_text(result: RunResult, written: Sequence[Path], seconds: float) -> str:
    """Scenarios ranked by net welfare for the focus economy (tariff-only scenarios, then
    depth-channel variants), with exports and imports change and, when the sector model
    ran, real income; then where the workbook and the detail were written."""
    cfg = result.config
    unit = result.meta.get("currency_unit", "US$ thousand") or "US$ thousand"
    money = "US$ m" if unit.lower().replace(" ", "") in ("us$thousand", "usdthousand") \
        else unit
    ge = _ge_column(result)
    label = cfg.model if cfg.model != "gsim" else f"gsim {cfg.solution}"
    lines = [f"fta-compare: scorecard for {cfg.focus}, model {label}"
             f"{' + sector model (GE)' if ge and cfg.model != 'ge' else ''}, "
             f"{seconds:.1f} s"]
    names = result.scenarios if not result.welfare.empty else list(ge)
    groups = [("", [s for s in names if not s.endswith(DEPTH)]),
              ("with the rule-depth channel (ranked separately)",
               [s for s in names if s.endswith(DEPTH)])]
    width = max([len(s) for s in names] + [8])
    for title, group in groups:
        if not group:
            continue
        if result.welfare.empty:  # GE only: rank by real income
            table = pd.DataFrame({"ge": [ge.get(s, np.nan) for s in group]}, index=group)
            table = table.sort_values("ge", ascending=False)
            head = f"  rank  {'scenario':<{width}}  GE real income"
            rows = [f"  {k:>4}  {s:<{width}}  {v:+.3%}"
                    for k, (s, v) in enumerate(table["ge"].items(), 1)]
        else:
            table = _pe_rows(result, group).sort_values("net_welfare", ascending=False)
            head = (f"  rank  {'scenario':<{width}}  {'net welfare':>14}  {'exports':>14}  "
                    f"{'imports':>14}" + ("  GE real income" if ge else ""))
            rows = []
            for k, (s, r) in enumerate(table.iterrows(), 1):
                line = (f"  {k:>4}  {s:<{width}}  {_money(r['net_welfare'], unit):>14}  "
                        f"{_money(r.get('exports_change', 0.0), unit):>14}  "
                        f"{_money(r.get('imports_change', 0.0), unit):>14}")
                if ge:
                    g = ge.get(s)
                    line += f"  {g:+14.3%}" if g is not None else f"  {'':>14}"
                rows.append(line)
            if title == "":
                lines.append(f"  (changes from the baseline, {money}; GE: real income change)"
                             if ge else f"  (changes from the baseline, {money})")
        if title:
            lines.append(f"  {title}:")
        lines += [head, *rows]
    bad = [w for w in result.warnings if w.file == "model"]
    if bad:
        lines.append(f"  {len(bad)} model warning(s): see stderr and the 'warnings' sheet")
    for p in written:
        lines.append(f"wrote {p} ({_size(Path(p))})")
    return "\n".join(lines)


def warning_digest(warnings: Sequence[Issue], workbook: Path, shown: bool) -> list[str]:
    """Lines for stderr: every model warning (unless ``shown`` already, by the progress
    display), and the input warnings grouped by file and sheet with a count and the first
    one, pointing at the workbook's ``warnings`` sheet for the full list."""
    lines = [str(w) for w in warnings if w.file == "model" and not shown]
    groups: dict[tuple[str, str], list[Issue]] = {}
    for w in warnings:
        if w.file != "model":
            groups.setdefault((w.file, w.sheet), []).append(w)
    for items in groups.values():
        first = items[0]
        more = f" (and {len(items) - 1} more like it)" if len(items) > 1 else ""
        lines.append(f"{first}{more}")
    if warnings:
        lines.append(f"{len(warnings)} warning(s) in all, each listed with its cell in the "
                     f"'warnings' sheet of {workbook}")
    return lines
