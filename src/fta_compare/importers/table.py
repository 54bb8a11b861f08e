"""Any CSV/xlsx table -> any contract sheet, with a column mapping (rules: package doc)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.errors import Issue
from fta_compare.importers.common import (
    CODE_KINDS,
    NES,
    REPLACE_BY,
    WORLD,
    ImportResult,
    _fail,
    _hs,
    _Issues,
    _numbers,
    _replace,
    _strs,
    _text,
)
from fta_compare.importers.countries import CountryCodes
from fta_compare.importers.safeguards import (
    MIN_SHARE_OF_BASE,
    describe_totals,
    high_note,
    low_issues,
    low_totals,
    pair_totals,
)
from fta_compare.importers.sources import _read_source, _Source
from fta_compare.importers.workbook import _base_paths, _check_out, _finish, _read_base, sha256
from fta_compare.inputs.schema import SHEETS


def parse_mapping(items: Iterable[str], map_file: Path | str | None = None,
                  option: str = "--map") -> dict[str, str]:
    """``['exporter=ReporterISO', ...]`` and/or a CSV (target, source) -> {target: source}."""
    out: dict[str, str] = {}
    if map_file:
        src = _read_source(Path(map_file))
        t, s = src.column(("target", "column", "to")), src.column(("source", "from"))
        if t is None or s is None:
            raise _fail(src.name, "mapping file needs columns 'target' (contract column) and "
                        "'source' (column of the download)", sheet=src.sheet, cell="A1")
        out.update({_text(a).lower(): _text(b) for a, b in zip(src.df[t], src.df[s],
                                                                strict=True) if _text(a)})
    for item in items:
        if "=" not in item:
            raise _fail(option, f"use COLUMN=VALUE, e.g. {option} exporter=ReporterISO", item)
        a, b = item.split("=", 1)
        out[a.strip().lower()] = b.strip()
    return out


def import_table(file: Path | str, *, sheet: str, out: Path | str,
                 mapping: Mapping[str, str] | None = None,
                 constants: Mapping[str, str] | None = None,
                 base: Sequence[Path | str] | Path | str | None = None, force: bool = False,
                 input_sheet: str | None = None, scale: float | None = None,
                 percent: bool = False, quality: str | None = None,
                 replace_by: Sequence[str] | None = None, allow_low_totals: bool = False,
                 validate: bool = True) -> ImportResult:
    """Import any CSV/xlsx table into contract sheet ``sheet`` with a column mapping.

    ``mapping``: contract column -> column of the file (unmapped contract columns are
    taken from a file column of the same name); ``constants``: contract column -> value
    for every row; ``scale`` multiplies ``value`` columns; ``percent`` divides ``rate``
    columns by 100. Replaced groups: :data:`REPLACE_BY`, else the sheet's key, else the
    whole sheet (or ``replace_by``). ``trade``: a replaced group whose total falls below
    :data:`MIN_SHARE_OF_BASE` of its base total is refused unless ``allow_low_totals``
    (then recorded).
    """
    file, out = Path(file), Path(out)
    spec = SHEETS.get(sheet.strip().lower())
    if spec is None:
        raise _fail("--sheet", f"unknown contract sheet; use one of {', '.join(SHEETS)}",
                    sheet)
    _check_out(out, force)
    bk = _read_base(_base_paths(base))
    src = _read_source(file, input_sheet)
    mapping = {k.lower(): v for k, v in (mapping or {}).items()}
    constants = {k.lower(): v for k, v in (constants or {}).items()}
    names = [c.name for c in spec.columns]
    unknown = [k for k in [*mapping, *constants] if k not in names]
    if unknown:
        raise _fail("--map", f"not a column of sheet '{spec.name}' (columns: "
                    f"{', '.join(names)})", ", ".join(unknown))
    issues = _Issues()
    cols: dict[str, pd.Series] = {}
    where: dict[str, str] = {}
    for c in spec.columns:
        if c.name in constants:
            cols[c.name] = pd.Series(constants[c.name], index=src.df.index, dtype=object)
            continue
        want = mapping.get(c.name, c.name)
        found = src.column([want])
        if found is None:
            if c.name in mapping:
                issues.add(Issue(src.name, src.sheet, "A1", want, f"column '{want}' (mapped to "
                                 f"'{c.name}') not found; columns: "
                                 f"{', '.join(map(str, src.df.columns))}"))
            elif c.required:
                issues.add(Issue(src.name, src.sheet, "A1", "", f"no column for required "
                                 f"'{c.name}': map one with --map {c.name}=COLUMN or set it "
                                 f"with --set {c.name}=VALUE"))
            continue
        cols[c.name] = src.df[found]
        where[c.name] = found
    issues.raise_if_errors()
    codes = CountryCodes(bk.regions)
    data: dict[str, pd.Series] = {}
    for name, s in cols.items():
        kind = spec.column(name).kind
        col = where.get(name, name)
        data[name] = _convert_column(src, s, kind, col, codes, issues, scale, percent,
                                     spec.column(name).allow_blank)
    issues.raise_if_errors()
    new = pd.DataFrame(data)
    if "quality" in names and "quality" not in cols:
        new["quality"] = quality or f"observed:{file.name}"
    by = tuple(replace_by) if replace_by else REPLACE_BY.get(spec.name, spec.key)
    if by and any(b not in new.columns for b in by):
        raise _fail("--replace-by", f"columns must be among {', '.join(new.columns)}",
                    ",".join(by))
    old = bk.tables.get(spec.name)
    notes, flag, records = _check_totals(old, new, by, spec.name, src, where,
                                         bk.meta.get("currency_unit", "") or "US$ thousand",
                                         allow_low_totals)
    if by:
        table, removed, groups = _replace(old, new, by)
    else:
        table, removed, groups = new, 0 if old is None else len(old), ["(whole sheet)"]
    shown = ", ".join(f"{k}={v}" for k, v in mapping.items())
    src_row = {"table": spec.name, "column": "*",
               "source": f"file {file.name}, SHA-256 {sha256(file)}",
               "transformation": f"columns mapped {shown or '(same names)'}"
               + (f"; constants {constants}" if constants else "")
               + (f"; value x {scale:g}" if scale not in (None, 1.0) else "")
               + ("; rates / 100" if percent else "")
               + f"; rows of {len(groups)} group(s) by {', '.join(by) or 'sheet'} replaced"
               + flag}
    _finish(bk, {spec.name: table}, [src_row], out, force, validate, meta=records)
    return ImportResult(out, (spec.name,), len(new), removed, tuple(groups), tuple(notes))


def _check_totals(old: pd.DataFrame | None, new: pd.DataFrame, by: Sequence[str], sheet: str,
                  src: _Source, where: Mapping[str, str], unit: str,
                  allow: bool) -> tuple[list[str], str, dict[str, str]]:
    """``trade``: refuse groups whose new total is below the threshold (unless
    ``allow``); returns notes, the sources text of the flag and the meta records."""
    if sheet != "trade" or not by or "value" not in new.columns:
        return [], "", {}
    totals = pair_totals(old, new, by)
    low = low_totals(totals)
    column = where.get("value", "value")
    if not low.empty and not allow:
        issues = _Issues()
        issues.items += low_issues(low, file=src.name, sheet=src.sheet,
                                   cell=src.letters.get(column, ""), unit=unit,
                                   what="pair" if tuple(by) == ("importer", "exporter")
                                   else "group")
        issues.raise_if_errors()
    notes = [n for n in [high_note(totals, unit)] if n]
    if not allow:
        return notes, "", {}
    said = describe_totals(low, unit) if not low.empty else "no group was below"
    share = f"{MIN_SHARE_OF_BASE:.0%}"
    if not low.empty:
        notes.append(f"--allow-low-totals: {len(low)} group(s) replaced below {share} of "
                     f"their base total: {said}")
    return (notes, f"; --allow-low-totals (groups replaced below {share} of their base total: "
            f"{said})", {"import_low_totals": f"{src.name}: {said}"})


def _convert_column(src: _Source, s: pd.Series, kind: str, col: str, codes: CountryCodes,
                    issues: _Issues, scale: float | None, percent: bool,
                    allow_blank: bool) -> pd.Series:
    """One column of a download converted to its contract kind (issues for bad cells)."""
    text = _strs(s)
    blank = (text == "").to_numpy()
    if kind in CODE_KINDS:
        star = (text == "*").to_numpy() if kind == "code_star" else np.zeros(len(s), bool)
        got = codes.series(text)
        bad = ~blank & ~star & (got.isna() | got.isin([NES, WORLD])).to_numpy()
        issues.rows(src, col, bad, text.to_numpy(), "unknown country code: use ISO 3166 "
                    "alpha-3, a numeric ISO code or a region of the base 'regions' sheet")
        return got.where(~pd.Series(star | bad, index=s.index), text).where(
            ~pd.Series(blank, index=s.index), "")
    if kind in ("hs", "hs_star"):
        hs, bad = _hs(text, star=kind == "hs_star")
        issues.rows(src, col, bad & ~blank, text.to_numpy(), "HS code must be 2 to 6 digits")
        return hs
    if kind in ("rate", "value", "elasticity", "float", "share", "year"):
        num, nblank, bad = _numbers(text)
        issues.rows(src, col, bad, text.to_numpy(), "not a number")
        if not allow_blank:
            issues.rows(src, col, nblank, text.to_numpy(), "blank (a number is required)")
        if kind == "rate" and percent:
            num = num / 100.0
        if kind == "value" and scale is not None:
            num = num * scale
        if kind == "year":
            return num.round().astype("Int64")
        return num
    return text
