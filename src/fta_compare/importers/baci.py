"""CEPII BACI (t, i, j, k, v, q) -> the ``trade`` sheet, pair by pair (rules: package doc)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.errors import InputError
from fta_compare.importers.common import (
    HS_REVISIONS,
    NES,
    ImportResult,
    _fail,
    _hs,
    _Issues,
    _key,
    _letter,
    _numbers,
    _replace,
    _strs,
    _text,
    listing,
    revision,
)
from fta_compare.importers.concordance import _convert, _target_revision, _uncovered
from fta_compare.importers.countries import TAIWAN_NES, CountryCodes, _read_country_codes
from fta_compare.importers.safeguards import (
    MIN_SHARE_OF_BASE,
    aggregate_gaps,
    describe_totals,
    gap_issues,
    high_note,
    low_issues,
    low_totals,
    pair_totals,
)
from fta_compare.importers.sources import _Source
from fta_compare.importers.workbook import _base_paths, _check_out, _finish, _read_base, sha256

BACI_CITATION = ("CEPII BACI, Gaulier, G. & Zignago, S. (2010) 'BACI: International Trade "
                 "Database at the Product-Level. The 1994-2007 Version', CEPII Working "
                 "Paper 2010-23")
BACI_COLUMNS = ("t", "i", "j", "k", "v")
SIDE_COLUMN = {"exporter": "i", "importer": "j"}


def _csv_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    return [h.strip() for h in next(csv.reader([first]))] if first.strip() else []


def _baci_batches(path: Path, columns: dict[str, str]) -> Iterator[tuple[int, pd.DataFrame]]:
    """Stream the BACI CSV (text columns) with pyarrow: (first row number, batch)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = list(columns.values())
    conv = pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                include_columns=names, strings_can_be_null=False)
    reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=32 << 20),
                            convert_options=conv)
    row = 2
    for batch in reader:
        df = batch.to_pandas()
        df.columns = list(columns)
        yield row, df
        row += len(df)


def _iso_of(codes: CountryCodes, raw: str) -> str | None:
    """ISO3 of a raw BACI code (490 'Other Asia, nes' -> TWN); None for nes or unknown."""
    iso = codes.lookup(raw)
    if iso == NES and _text(raw).isdigit() and int(raw) == TAIWAN_NES:
        return "TWN"
    return None if iso == NES else iso


def _baci_mapper(codes: CountryCodes, universe: set[str], region_of: dict[str, str],
                 row: str | None) -> Callable[[str], str | None]:
    """Raw BACI code -> model code ('' = dropped, None = unknown code)."""
    def model(raw: str) -> str | None:
        iso = codes.lookup(raw)
        if iso is None:
            return None
        if iso == NES and _iso_of(codes, raw) == "TWN" and ("TWN" in universe
                                                            or "TWN" in region_of):
            iso = "TWN"
        if iso in universe:
            return iso
        if iso in region_of:
            return region_of[iso]
        return row or ""
    return model


@dataclass
class _Read:
    """What :func:`_read_baci` found: flows into the importers, notes, codes seen."""

    flows: pd.DataFrame  # exporter, importer, hs, value, row
    notes: list[str]
    seen: dict[str, set[str]] = field(default_factory=dict)  # 'i'/'j' -> raw codes of year
    letters: dict[str, str] = field(default_factory=dict)


def import_baci(file: Path | str, *, countries: Sequence[str] | str, year: int,
                out: Path | str, base: Sequence[Path | str] | Path | str | None = None,
                force: bool = False, hs_revision: str | None = None,
                concordance: Path | str | None = None,
                country_codes: Path | str | None = None,
                complete_aggregates: bool = False, allow_low_totals: bool = False,
                drop_unmapped: bool = False, validate: bool = True) -> ImportResult:
    """Replace the base ``trade`` rows of the pairs a CEPII BACI file covers.

    ``countries``: the importers to take from BACI (ISO3 or base regions, e.g. KOR, JPN,
    CHN or ROW). ``complete_aggregates``: the file holds every member of the aggregates
    whose pairs it replaces; ``allow_low_totals``: replace pairs whose total falls below
    :data:`MIN_SHARE_OF_BASE` of the base's; ``drop_unmapped``: drop codes the concordance
    lacks. Each flag is recorded in the workbook. Rules: package docstring.
    """
    file, out = Path(file), Path(out)
    _check_out(out, force)
    if not file.is_file():
        raise _fail(file.name, "file not found" if not file.exists() else "not a file",
                    str(file))
    bk = _read_base(_base_paths(base))
    rev = _file_revision(file, hs_revision)
    conc = _target_revision(bk, rev, file.name, Path(concordance) if concordance else None,
                            "BACI")
    regions = bk.regions
    codes = CountryCodes(regions, _read_country_codes(Path(country_codes))
                         if country_codes else None, names=False)
    wanted = _country_list(countries, codes)
    universe = bk.economies() | set(wanted)
    row_code = "ROW" if "ROW" in universe or "ROW" in regions else None
    region_of: dict[str, str] = {}
    for reg in sorted(regions, key=lambda r: r == "ROW"):
        if reg in universe:
            for m_ in regions[reg]:
                region_of.setdefault(m_, reg)
    model = _baci_mapper(codes, universe, region_of, row_code)
    read = _read_baci(file, year, model, set(wanted))
    flows, notes = read.flows, read.notes
    unit_text = bk.meta.get("currency_unit", "") or "US$ thousand"
    scale = _scale(unit_text.lower(), out.name)
    flows["value"] = flows["value"] * scale
    issues = _Issues()
    records: dict[str, str] = {}
    sheet, into = file.stem, ", ".join(wanted)
    dropped = ""
    if conc is not None:
        flows, dropped = _uncovered(
            flows, conc, file=file.name, sheet=sheet, letter=read.letters["k"], given=rev,
            drop=drop_unmapped, issues=issues, value="value", unit=unit_text,
            scope=f" of the file's flows into {into}")
        flows = _convert(flows, conc, "value")
        if dropped and drop_unmapped:
            notes.append(f"dropped (--drop-unmapped-codes): {dropped}")
            records["import_dropped_codes"] = f"{file.name}: {dropped}"
    flows = (flows.groupby(["exporter", "importer", "hs"], as_index=False, sort=True)["value"]
             .sum())
    flows["quality"] = f"observed:BACI {year}"
    by = ("importer", "exporter")
    old = bk.tables.get("trade")
    members = _members(codes, model, regions, universe, row_code, read.seen)
    more, flags, kept = _safeguards(read, flows, old, codes, members, file.name, unit_text,
                                    complete_aggregates, allow_low_totals, issues)
    issues.raise_if_errors()
    notes += more
    records.update(kept)
    table, removed, groups = _replace(old, flows[["exporter", "importer", "hs", "value",
                                                  "quality"]], by)
    notes += _residue_notes(old, flows, wanted)
    base_year = bk.meta.get("base_year", "")
    if base_year and base_year != str(year):
        notes.append(f"BACI year {year} differs from the base's meta base_year {base_year}: "
                     f"replaced pairs are in {year} values, the other pairs are not")
    converted = (f" converted to {revision(bk.meta.get('hs_revision', ''))} with "
                 f"{Path(concordance).name}" if conc is not None and concordance else "")
    if dropped and drop_unmapped:
        flags.append(f"--drop-unmapped-codes ({dropped})")
    src = {"table": "trade", "column": "*",
           "source": f"{BACI_CITATION}; file {file.name}, SHA-256 {sha256(file)}",
           "transformation": (
               f"year {year}, {rev}{converted}; "
               f"i -> exporter, j -> importer, k -> hs (6 digits), v (US$ thousand)"
               f"{f' x {scale:g}' if scale != 1 else ''} -> value; importers "
               f"{into}; partners outside the model -> "
               f"{row_code or 'dropped'}; all base rows of {len(groups)} importer-exporter "
               "pairs replaced; quality observed:BACI"
               + "".join(f"; {f}" for f in flags))}
    _finish(bk, {"trade": table}, [src], out, force, validate, meta=records)
    return ImportResult(out, ("trade",), len(flows), removed, tuple(groups), tuple(notes))


def _safeguards(read: _Read, flows: pd.DataFrame, old: pd.DataFrame | None,
                codes: CountryCodes, members: dict[str, set[str]], file: str, unit: str,
                complete_aggregates: bool, allow_low_totals: bool,
                issues: _Issues) -> tuple[list[str], list[str], dict[str, str]]:
    """Rules 1 (aggregates) and 2 (low totals) of the package doc: issues that refuse the
    import, or, where the user's flag accepts it, notes, ``sources`` texts and ``meta``."""
    totals = pair_totals(old, flows, ("importer", "exporter"))
    present = {side: {iso for raw in read.seen.get(col, set())
                      if (iso := _iso_of(codes, raw)) is not None}
               for side, col in SIDE_COLUMN.items()}
    gaps = aggregate_gaps(flows[["importer", "exporter"]].drop_duplicates(), members, present)
    sheet = Path(file).stem
    if gaps and not complete_aggregates:
        issues.items += gap_issues(
            gaps, totals, file=file, sheet=sheet,
            cells={s: read.letters[c] for s, c in SIDE_COLUMN.items()},
            columns=SIDE_COLUMN, unit=unit)
    low = low_totals(totals)
    if not low.empty and not allow_low_totals:
        issues.items += low_issues(low, file=file, sheet=sheet, cell="", unit=unit)
    notes, flags, records = [], [], {}
    if complete_aggregates:
        said = "; ".join(g.text() for g in gaps) or "no member was missing"
        flags.append(f"--complete-aggregates (the file was declared to hold every member of "
                     f"the aggregates it replaces: {said})")
        records["import_complete_aggregates"] = f"{file}: {said}"
        if gaps:
            notes.append(f"--complete-aggregates: {said}")
    if allow_low_totals:
        said = describe_totals(low, unit) if not low.empty else "no pair was below"
        share = f"{MIN_SHARE_OF_BASE:.0%}"
        flags.append(f"--allow-low-totals (pairs replaced below {share} of their base total: "
                     f"{said})")
        records["import_low_totals"] = f"{file}: {said}"
        if not low.empty:
            notes.append(f"--allow-low-totals: {len(low)} pair(s) replaced below {share} of "
                         f"their base total: {said}")
    high = high_note(totals, unit)
    return [*notes, *([high] if high else [])], flags, records


def _file_revision(file: Path, hs_revision: str | None) -> str:
    """The HS revision given, else the one the file name says (BACI_HS22_...)."""
    rev = revision(hs_revision) if hs_revision else None
    if hs_revision and rev is None:
        raise _fail("--hs-revision", f"unknown HS revision; use one of {', '.join(HS_REVISIONS)}"
                    " or HS92 ... HS22", str(hs_revision))
    if rev is None:
        m = re.search(r"HS(\d{2})", file.name, re.IGNORECASE)
        rev = revision(m.group(1)) if m else None
    if rev is None:
        raise _fail(file.name, "cannot tell the HS revision of this BACI file (its name "
                    "usually says it, e.g. BACI_HS22_Y2022_V202501.csv): pass --hs-revision "
                    "HS22 (or HS92, HS96, HS02, HS07, HS12, HS17)")
    return rev


def _scale(unit: str, out: str) -> float:
    """Factor from BACI's US$ thousand to the base's ``currency_unit``."""
    if "million" in unit:
        return 1e-3
    if "thousand" in unit or "000" in unit:
        return 1.0
    if re.search(r"us\$|usd|dollar", unit):
        return 1e3
    raise _fail(out, f"base meta currency_unit '{unit}' is not US dollars: BACI values are "
                "US$ thousand; convert the base or import with 'fta-compare import table "
                "--scale'")


def _members(codes: CountryCodes, model: Callable[[str], str | None],
             regions: dict[str, list[str]], universe: set[str], row_code: str | None,
             seen: dict[str, set[str]]) -> dict[str, set[str]]:
    """Members of each aggregate of the model (ROW and the regions among its economies):
    those the ``regions`` sheet lists, else (none listed) every country of the file, in
    either column, that goes to it. Economies of the model are never members."""
    aggs = {r for r in regions if r in universe}
    if row_code:
        aggs.add(row_code)
    out: dict[str, set[str]] = {a: set(regions.get(a, [])) - universe for a in aggs}
    undeclared = {a for a, m in out.items() if not m}
    for raw in seen.get("i", set()) | seen.get("j", set()):
        iso, to = _iso_of(codes, raw), model(raw)
        if iso is not None and to in undeclared and iso not in universe:
            out[to].add(iso)
    return out


def _country_list(countries: Sequence[str] | str, codes: CountryCodes) -> list[str]:
    items = countries.split(",") if isinstance(countries, str) else list(countries)
    out, bad = [], []
    for c in items:
        s = str(c).strip().upper()
        if not s:
            continue
        (out if s in codes.known else bad).append(s)
    if bad or not out:
        raise _fail("--countries", "unknown economy code(s): use ISO 3166 alpha-3 (KOR, JPN, "
                    "CHN) or a region declared in the base 'regions' sheet (e.g. ROW)",
                    ",".join(bad) or "(none)")
    return list(dict.fromkeys(out))


def _read_baci(path: Path, year: int, model: Callable[[str], str | None],
               importers: set[str]) -> _Read:
    """Flows of ``year`` into ``importers`` (exporter, importer, hs, value, row), notes,
    and the raw country codes of every row of ``year`` in columns i and j."""
    if not path.exists():
        raise _fail(path.name, "file not found", str(path))
    header = _csv_header(path)
    names = {h.lower(): h for h in header}
    missing = [c for c in BACI_COLUMNS if c not in names]
    if missing:
        raise _fail(path.name, f"missing column(s) {', '.join(missing)}: a BACI file has the "
                    "columns t, i, j, k, v, q", ",".join(header)[:80], path.stem, "A1")
    letters = {c: _letter(header.index(names[c])) for c in BACI_COLUMNS}
    src = _Source(path, path.stem, pd.DataFrame(), letters)
    issues = _Issues()
    parts: list[pd.DataFrame] = []
    years: set[str] = set()
    seen: dict[str, set[str]] = {"i": set(), "j": set()}
    n_year = 0
    dropped = {"unmapped": 0.0, "intra": 0.0}
    cache: dict[str, str | None] = {}
    try:
        for row0, df in _baci_batches(path, {c: names[c] for c in BACI_COLUMNS}):
            t = df["t"].str.strip()
            years.update(t.unique())
            sel = (t == str(year)).to_numpy()
            if not sel.any():
                continue
            d = df.loc[sel].reset_index(drop=True)
            rows = row0 + np.flatnonzero(sel)
            n_year += len(d)
            mapped = {}
            for col in ("i", "j"):
                raw = d[col].str.strip()
                uniq = pd.unique(raw.to_numpy())
                seen[col].update(uniq)
                for u in uniq:
                    if u not in cache:
                        cache[u] = model(u)
                mapped[col] = raw.map(cache)
                issues.rows(src, col, mapped[col].isna().to_numpy(), raw.to_numpy(),
                            "unknown country code (not ISO 3166 numeric nor a BACI code); "
                            "pass BACI's country_codes_V*.csv with --country-codes",
                            rows=rows)
            exp, imp = mapped["i"].fillna(""), mapped["j"].fillna("")
            into = imp.isin(importers).to_numpy()
            hs, bad_hs = _hs(d["k"], width=6)
            hs_ok = ~bad_hs & (hs.str.len().to_numpy() == 6)
            value, blank, bad_v = _numbers(d["v"])
            issues.rows(src, "k", into & ~hs_ok, d["k"].to_numpy(),
                        "HS6 code must be a number of at most 6 digits", rows=rows)
            issues.rows(src, "v", into & (blank | bad_v), d["v"].to_numpy(),
                        "value (US$ thousand) is blank or not a number", rows=rows)
            issues.rows(src, "v", into & (value.to_numpy() < 0), d["v"].to_numpy(),
                        "value is negative", rows=rows)
            keep = into & (exp != "").to_numpy() & (exp != imp).to_numpy() & hs_ok \
                & ~blank & ~bad_v
            dropped["unmapped"] += float(value[into & (exp == "").to_numpy()].sum())
            dropped["intra"] += float(value[into & (exp == imp).to_numpy()].sum())
            parts.append(pd.DataFrame({"exporter": exp[keep], "importer": imp[keep],
                                       "hs": hs[keep], "value": value[keep],
                                       "row": rows[keep]}))
    except InputError:
        raise
    except Exception as exc:  # pyarrow.ArrowInvalid (ragged rows), OSError, decoding
        raise _fail(path.name, f"cannot parse the BACI CSV: {exc}") from None
    issues.raise_if_errors()
    if n_year == 0:
        shown = ", ".join(sorted(years)[:10]) or "none"
        raise _fail(path.name, f"no rows with t = {year} (years in the file: {shown})",
                    str(year), path.stem, f"{letters['t']}2")
    flows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["exporter", "importer", "hs", "value", "row"])
    if flows.empty:
        raise _fail(path.name, f"no flows of {year} into {', '.join(sorted(importers))} in "
                    "the file (column j holds the importer)")
    notes = []
    if dropped["unmapped"]:
        notes.append(f"US$ {dropped['unmapped']:,.0f} thousand of imports from economies "
                     "outside the model dropped (the base has no ROW)")
    if dropped["intra"]:
        notes.append(f"US$ {dropped['intra']:,.0f} thousand of flows inside one model "
                     "region (e.g. ROW -> ROW) dropped; the base's rows for them are kept")
    return _Read(flows, notes, seen, letters)


def _residue_notes(old: pd.DataFrame | None, new: pd.DataFrame,
                   importers: Sequence[str]) -> list[str]:
    """Pairs of the imported importers that keep imputed base rows (not in the file)."""
    if old is None or old.empty or "quality" not in old.columns:
        return []
    imp, exp = _strs(old["importer"]).str.upper(), _strs(old["exporter"]).str.upper()
    covered = set(_key(new, ("importer", "exporter")))
    left = old.assign(_k=_key(old, ("importer", "exporter")))
    mask = (imp.isin(importers) & (imp != exp) & ~left["_k"].isin(covered)
            & _strs(old["quality"]).str.startswith("imputed")).to_numpy()
    if not mask.any():
        return []
    pairs = sorted(set(left.loc[mask, "_k"].str.replace("\x1f", "<-")))
    return [f"{len(pairs)} pair(s) of the imported importers are not in the file and keep "
            f"their imputed base rows: {listing(pairs, 10)}"]
