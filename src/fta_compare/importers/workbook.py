"""The base workbook: read it, write base + updates atomically, cite the download."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.errors import InputError, Issue, OutputError
from fta_compare.importers.common import EXCEL_MAX_ROWS, _strs, _text
from fta_compare.inputs.schema import SHEETS


@dataclass
class _Base:
    """The base workbook(s): contract tables (values as read) and other sheets (raw rows)."""

    paths: list[Path]
    order: list[str]
    tables: dict[str, pd.DataFrame]
    extra: dict[str, list[list[object]]] = field(default_factory=dict)

    @property
    def meta(self) -> dict[str, str]:
        m = self.tables.get("meta")
        if m is None or not {"key", "value"} <= set(m.columns):
            return {}
        return {_text(k).lower(): _text(v) for k, v in zip(m["key"], m["value"], strict=True)
                if _text(k)}

    @property
    def regions(self) -> dict[str, list[str]]:
        r = self.tables.get("regions")
        if r is None or "code" not in r.columns:
            return {}
        members = r["members"] if "members" in r.columns else pd.Series("", index=r.index)
        return {_text(c).upper(): [m.strip().upper() for m in _text(ms).replace(";", ",")
                                   .split(",") if m.strip()]
                for c, ms in zip(r["code"], members, strict=True) if _text(c)}

    def economies(self) -> set[str]:
        tr = self.tables.get("trade")
        if tr is None:
            return set()
        return set(_strs(tr["exporter"]).str.upper()) | set(_strs(tr["importer"]).str.upper())

    def agreements(self) -> dict[str, set[str]]:
        ag = self.tables.get("agreements")
        if ag is None or not {"agreement", "members"} <= set(ag.columns):
            return {}
        return {_text(a): {m.strip().upper() for m in _text(ms).replace(";", ",").split(",")
                           if m.strip()}
                for a, ms in zip(ag["agreement"], ag["members"], strict=True)}


def _base_paths(base: Sequence[Path | str] | Path | str | None) -> list[Path]:
    if base is None or (not isinstance(base, str | Path) and len(base) == 0):
        from fta_compare.api import default_inputs

        return default_inputs()
    if isinstance(base, str | Path):
        return [Path(base)]
    return [Path(p) for p in base]


def _contract_name(sheet: str) -> str | None:
    from fta_compare.inputs.reader import normalise_name

    norm = normalise_name(sheet)
    if norm in SHEETS:
        return norm
    m = re.fullmatch(r"([a-z_]+?)_\d+", norm)
    return m.group(1) if m and m.group(1) in SHEETS else None


def _read_base(paths: list[Path]) -> _Base:
    """Read the base with the project's reader (safety checks, split sheets joined)."""
    from fta_compare.inputs.reader import read_inputs
    from fta_compare.inputs.tables import FILE_COL, ROW_COL, SHEET_COL

    read = read_inputs(paths)
    errors = [i for i in read.issues if i.severity == "error"]
    if errors:
        raise InputError(errors)
    order: list[str] = []
    extra: dict[str, list[list[object]]] = {}
    for p in paths:
        if p.suffix.lower() not in (".xlsx", ".xlsm"):
            name = _contract_name(p.stem)
            if name and name not in order:
                order.append(name)
            continue
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(p))
        try:
            for sheet in wb.sheet_names:
                name = _contract_name(sheet)
                if name is None:
                    if sheet not in extra:
                        extra[sheet] = wb.get_sheet_by_name(sheet).to_python(
                            skip_empty_area=False)
                        order.append(sheet)
                elif name not in order:
                    order.append(name)
        finally:
            wb.close()
    tables = {}
    for name, df in read.tables.items():
        tables[name] = df.drop(columns=[FILE_COL, SHEET_COL, ROW_COL], errors="ignore") \
            .reset_index(drop=True)
        if name not in order:
            order.append(name)
    return _Base(paths=paths, order=order, tables=tables, extra=extra)


class _SheetWriter:
    """Fast cell writer for xlsxwriter (constant-memory mode: rows written in order)."""

    def __init__(self, wb: object) -> None:
        self.datef = wb.add_format({"num_format": "yyyy-mm-dd"})  # type: ignore[attr-defined]
        self.head = wb.add_format({"bold": True})  # type: ignore[attr-defined]
        self.textf = wb.add_format({"num_format": "@"})  # type: ignore[attr-defined]

    def cell(self, ws: object, i: int, j: int, v: object) -> None:
        if v is None or v is pd.NaT or v is pd.NA:
            return
        if isinstance(v, str):
            if v:
                ws.write_string(i, j, v)  # type: ignore[attr-defined]
        elif isinstance(v, bool | np.bool_):
            ws.write_boolean(i, j, bool(v))  # type: ignore[attr-defined]
        elif isinstance(v, float | int | np.integer | np.floating):
            f = float(v)
            if f != f:
                return
            if f in (np.inf, -np.inf):
                ws.write_string(i, j, "inf" if f > 0 else "-inf")  # type: ignore[attr-defined]
            else:
                ws.write_number(i, j, f)  # type: ignore[attr-defined]
        elif isinstance(v, dt.datetime | dt.date):
            d = v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)
            ws.write_datetime(i, j, d, self.datef)  # type: ignore[attr-defined]
        else:
            ws.write_string(i, j, str(v))  # type: ignore[attr-defined]

    def frame(self, ws: object, df: pd.DataFrame) -> None:
        cols = list(df.columns)
        for j, c in enumerate(cols):
            if c == "hs":
                ws.set_column(j, j, 10, self.textf)  # type: ignore[attr-defined]
            ws.write_string(0, j, str(c), self.head)  # type: ignore[attr-defined]
        values = [df[c].to_numpy(dtype=object) for c in cols]
        put = self.cell
        for i, row in enumerate(zip(*values, strict=True), start=1):
            for j, v in enumerate(row):
                put(ws, i, j, v)
        ws.freeze_panes(1, 0)  # type: ignore[attr-defined]

    def rows(self, ws: object, rows: list[list[object]]) -> None:
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.cell(ws, i, j, v)


def _write_book(path: Path, order: list[str], tables: Mapping[str, pd.DataFrame],
                extra: Mapping[str, list[list[object]]]) -> None:
    """Write every sheet with xlsxwriter; a table over Excel's row limit is split."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False,
                                         "strings_to_urls": False})
    try:
        w = _SheetWriter(wb)
        for name in order:
            if name in tables:
                df = tables[name]
                size = EXCEL_MAX_ROWS - 1
                parts = [df] if len(df) <= size else [df.iloc[k:k + size]
                                                      for k in range(0, len(df), size)]
                for n, part in enumerate(parts, start=1):
                    sheet = name if len(parts) == 1 else f"{name}_{n}"
                    w.frame(wb.add_worksheet(sheet), part)
            elif name in extra:
                w.rows(wb.add_worksheet(name), extra[name])
    finally:
        wb.close()


def sha256(path: Path) -> str:
    """SHA-256 of a file (the same digest as the run manifest's)."""
    from fta_compare.api import sha256 as digest

    return digest(Path(path))


def _with_sources(base: _Base, rows: list[dict[str, str]]) -> pd.DataFrame:
    old = base.tables.get("sources")
    new = pd.DataFrame(rows, columns=["table", "column", "source", "transformation"])
    if old is None:
        return new
    return pd.concat([old, new], ignore_index=True, sort=False).fillna("")


def _with_meta(base: _Base, items: Mapping[str, str]) -> pd.DataFrame | None:
    """The base ``meta`` with ``items`` set; a key already there keeps its value before
    the new one (' | '), so chained imports keep every record."""
    if not items:
        return None
    old = base.tables.get("meta")
    if old is None or not {"key", "value"} <= set(old.columns):
        old = pd.DataFrame({"key": pd.Series(dtype=object), "value": pd.Series(dtype=object)})
    meta = old.copy()
    keys = _strs(meta["key"]).str.lower()
    add = []
    for key, value in items.items():
        hit = np.flatnonzero(keys.to_numpy() == key.lower())
        if hit.size:
            j = meta.index[hit[-1]]
            was = _text(meta.at[j, "value"])
            meta["value"] = meta["value"].astype(object)
            meta.at[j, "value"] = f"{was} | {value}" if was else value
        else:
            add.append({"key": key, "value": value})
    if add:
        meta = pd.concat([meta, pd.DataFrame(add)], ignore_index=True, sort=False)
    return meta


def _finish(base: _Base, updates: dict[str, pd.DataFrame], sources: list[dict[str, str]],
            out: Path, force: bool, validate: bool,
            meta: Mapping[str, str] | None = None) -> None:
    """Write base + updates + sources (+ ``meta`` keys) atomically; validate it first."""
    from fta_compare.report.atomic import atomic_path

    tables = {**base.tables, **updates, "sources": _with_sources(base, sources)}
    new_meta = _with_meta(base, meta or {})
    if new_meta is not None:
        tables["meta"] = new_meta
    order = list(base.order) + [n for n in tables if n not in base.order]
    with atomic_path(out, force) as tmp:
        _write_book(tmp, order, tables, base.extra)
        if validate:
            from fta_compare.inputs import check_inputs

            _, issues = check_inputs([tmp])
            errors = [dataclasses.replace(i, file=out.name if i.file == tmp.name else i.file)
                      for i in issues if i.severity == "error"]
            if errors:
                errors.append(Issue(out.name, "", "", "", "the imported workbook does not "
                                    "pass 'fta-compare validate'; nothing was written"))
                raise InputError(errors)


def _check_out(out: Path, force: bool) -> None:
    from fta_compare.report.atomic import check_targets

    if out.suffix.lower() != ".xlsx":
        raise OutputError(f"{out}: the output must be an .xlsx workbook")
    check_targets([out], force)

