"""Importers: replace imputed parts of an input workbook with the files analysts download.

Each importer reads a download, converts it to a contract sheet (DESIGN.md section 2) and
writes a new workbook: the base workbook (default: the bundled tables) with the rows the
download covers *replaced* (whole groups, so no imputed residue is left inside a group),
every other sheet copied unchanged, a ``sources`` row citing the file (name + SHA-256),
and the new rows labelled ``quality = observed:<source>``. The output is written
atomically (nothing is left behind on failure; an existing file is replaced only with
``force``) and, unless ``validate=False``, re-read and validated before it is committed.

BACI (CEPII; Gaulier & Zignago 2010) -> ``trade``
    ``t`` year, ``i`` exporter, ``j`` importer (numeric country codes), ``k`` HS6 (a
    number: leading zeros restored to 6 digits), ``v`` value in US$ thousand, ``q``
    (quantity, not used). Country codes: ISO 3166 numeric via pycountry plus the BACI /
    UN Comtrade specials in :data:`NUMERIC_SPECIAL` (251 France, 381 Italy, 579 Norway,
    699 India, 757 Switzerland, 842 USA, ...); the 'not elsewhere specified' codes in
    :data:`NUMERIC_NES` (490 'Other Asia, nes', 839 'Special categories', ...) and every
    economy outside the model go to ``ROW`` when the base has ``ROW`` (490 goes to TWN
    when TWN is an economy of the model). BACI's own ``country_codes_V*.csv`` can be
    given instead (``country_codes``). Importers kept: the ``countries`` given. An
    exporter keeps its code when it is one of ``countries`` or an economy of the base
    ``trade`` sheet (so USA stays USA even when only KOR, JPN, CHN are listed: summing it
    into ROW would double count the base's own USA rows), else it goes to the base region
    listing it as a member, else to ``ROW``, else it is dropped (reported). Flows whose
    exporter and importer map to the same code (ROW -> ROW) are dropped: BACI has no
    domestic sales and the base's domestic cells are kept. Every base row of an
    (importer, exporter) pair present in the BACI result is replaced (all HS codes of the
    pair); other pairs keep their base rows.

WITS / UNCTAD TRAINS tariffs -> ``mfn`` and ``preferences``
    Two layouts are recognised by their headers (see :data:`WITS_COLUMNS`): the WITS
    query / DataJob download (``Reporter``, ``Reporter Name``, ``Partner``, ``Partner
    Name``, ``Product``, ``Tariff Year``, ``DutyType``, ``Simple Average``, ``Nbr of
    Total Lines``, ...) and the TRAINS bulk files (``NomenCode``, ``Reporter_ISO_N``,
    ``Year``, ``ProductCode``, ``Partner`` (preference files only), ``SimpleAverage``,
    ``TotalNoOfLines``, ...). Rates are percent and are divided by 100. ``MFN`` rows ->
    ``mfn`` (latest year per importer and product); ``PRF`` rows -> ``preferences`` of
    the agreement given by a program map (partner code or name -> agreement, exporter)
    or by ``agreement``; ``AHS``/``BND`` rows are ignored. Bulk files without a duty type
    column are MFN when they have no ``Partner`` column, else PRF (or ``duty_type``).
    All base ``mfn`` rows of each importer in the file are replaced; all base
    ``preferences`` rows of each (agreement, importer) in the file are replaced.

Any table (``import_table``) -> any contract sheet, with a column mapping.

HS revisions: a download in another HS revision than the base's ``meta hs_revision`` is
refused unless a concordance CSV (columns ``from``, ``to``, optional ``weight``) is given:
values are split over the ``to`` codes (by ``weight``, else equally) and rates averaged.
Codes absent from the concordance are kept as they are (reported).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.errors import InputError, Issue, OutputError
from fta_compare.inputs.schema import SHEETS

EXCEL_MAX_ROWS = 1_048_576
MAX_LISTED = 20  # issues listed per (file, column, rule); the rest are counted
HS_REVISIONS = ("HS1992", "HS1996", "HS2002", "HS2007", "HS2012", "HS2017", "HS2022")
NOMEN_CODES = {"H0": "HS1992", "H1": "HS1996", "H2": "HS2002", "H3": "HS2007",
               "H4": "HS2012", "H5": "HS2017", "H6": "HS2022"}
NES = "<nes>"  # a 'not elsewhere specified' aggregate: goes to ROW
WORLD = "<world>"  # partner 'World' (000): MFN rows

# BACI / UN Comtrade / WITS numeric codes that are not ISO 3166 numeric codes
NUMERIC_SPECIAL: dict[int, str] = {
    58: "BEL",  # Belgium-Luxembourg (BACI HS92 before 1999)
    251: "FRA",  # France incl. Monaco
    280: "DEU",  # Fed. Rep. of Germany (before 1991)
    381: "ITA",  # Italy (Comtrade code)
    579: "NOR",  # Norway incl. Svalbard and Jan Mayen
    699: "IND",  # India (Comtrade code)
    711: "ZAF",  # Southern African Customs Union (to 1999), then South Africa
    736: "SDN",  # Sudan (before 2012)
    757: "CHE",  # Switzerland incl. Liechtenstein
    842: "USA",  # USA incl. Puerto Rico and US Virgin Islands
    849: "UMI",  # US Miscellaneous Pacific Islands
    918: "EUN",  # European Union (WITS reporter code; needs EUN in 'regions')
}
NUMERIC_NES: frozenset[int] = frozenset({
    97, 129, 200, 221, 278, 290, 471, 472, 473, 490, 492, 527, 530, 536, 568, 577, 636,
    637, 697, 720, 810, 837, 838, 839, 879, 890, 891, 899,
})
TAIWAN_NES = 490  # 'Other Asia, nes': Taiwan in practice; TWN when the model has it

# WITS / TRAINS column names (normalised: lower case, letters and digits only)
WITS_COLUMNS: dict[str, tuple[str, ...]] = {
    "reporter_iso3": ("reporteriso3", "reporteriso", "reporteralpha3"),
    "reporter_code": ("reporterison", "reporter", "reportercode"),
    "reporter_name": ("reportername",),
    "partner_iso3": ("partneriso3", "partneriso", "partneralpha3"),
    "partner_code": ("partner", "partnercode", "partnerison"),
    "partner_name": ("partnername",),
    "hs": ("product", "productcode", "hs6", "hscode", "hs"),
    "year": ("tariffyear", "year"),
    "duty_type": ("dutytype", "tarifftype"),
    "rate": ("simpleaverage", "simpleaveragepercent", "obsvalue"),
    "lines": ("nbroftotallines", "totalnooflines"),
    "nomen": ("nomencode", "selectednomen"),
}
WITS_NAMES: dict[str, str] = {  # WITS / World Bank country names pycountry does not know
    "korea, rep.": "KOR", "korea, dem. rep.": "PRK", "united states": "USA",
    "hong kong, china": "HKG", "macao": "MAC", "taiwan, china": "TWN",
    "vietnam": "VNM", "lao pdr": "LAO", "iran, islamic rep.": "IRN",
    "egypt, arab rep.": "EGY", "yemen, rep.": "YEM", "venezuela": "VEN",
    "venezuela, rb": "VEN", "congo, dem. rep.": "COD", "congo, rep.": "COG",
    "gambia, the": "GMB", "bahamas, the": "BHS", "kyrgyz republic": "KGZ",
    "slovak republic": "SVK", "russian federation": "RUS", "turkey": "TUR",
    "micronesia, fed. sts.": "FSM", "st. lucia": "LCA", "st. kitts and nevis": "KNA",
    "st. vincent and the grenadines": "VCT", "european union": "EUN",
    "bolivia": "BOL", "tanzania": "TZA", "moldova": "MDA", "czech republic": "CZE",
    "world": WORLD,
}
DUTY_TYPES = ("MFN", "PRF")
# contract sheet -> the columns whose groups an import replaces as a whole
REPLACE_BY: dict[str, tuple[str, ...]] = {
    "trade": ("importer", "exporter"),
    "mfn": ("importer",),
    "preferences": ("agreement", "importer"),
    "duties": ("measure",),
    "utilisation": ("agreement", "importer"),
}
CODE_KINDS = ("code", "code_star")
KEY_KINDS = {"importer": "code", "exporter": "code", "country": "code", "hs": "hs"}
BLANK_WORDS = frozenset({"", "na", "n/a", "nan", "..", "-", "none", "null"})
BACI_CITATION = ("CEPII BACI, Gaulier, G. & Zignago, S. (2010) 'BACI: International Trade "
                 "Database at the Product-Level. The 1994-2007 Version', CEPII Working "
                 "Paper 2010-23")
WITS_CITATION = ("UNCTAD TRAINS via World Bank WITS (World Integrated Trade Solution), "
                 "tariff download")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: the file, the sheets changed, row counts and notes."""

    out: Path
    sheets: tuple[str, ...]
    added: int  # rows written from the download
    removed: int  # base rows replaced
    groups: tuple[str, ...]  # replaced groups, e.g. 'KOR<-JPN' or 'KOR'
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        shown = ", ".join(self.groups[:12]) + (", ..." if len(self.groups) > 12 else "")
        return (f"wrote {self.out}: {'/'.join(self.sheets)}: {self.added:,} rows imported, "
                f"{self.removed:,} base rows replaced ({len(self.groups)} groups: {shown})")


class _Issues:
    """Issues of one import, listing at most ``MAX_LISTED`` rows per column and rule."""

    def __init__(self) -> None:
        self.items: list[Issue] = []
        self._hidden: dict[tuple[str, str, str], int] = {}
        self._shown: dict[tuple[str, str, str], int] = {}

    def add(self, issue: Issue) -> None:
        self.items.append(issue)

    def rows(self, src: _Source, column: str, mask: np.ndarray, values: pd.Series | np.ndarray,
             rule: str, rows: np.ndarray | None = None) -> None:
        """One issue per flagged row (cell = column letter + row number)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        key = (src.name, column, rule)
        rownums = (rows if rows is not None else src.rownums())[mask]
        vals = np.asarray(values, dtype=object)[mask]
        room = MAX_LISTED - self._shown.get(key, 0)
        letter = src.letters.get(column, "")
        for r, v in zip(rownums[:max(room, 0)], vals[:max(room, 0)], strict=True):
            self.items.append(Issue(src.name, src.sheet, f"{letter}{int(r)}", str(v),
                                    f"column '{column}': {rule}"))
        self._shown[key] = self._shown.get(key, 0) + min(max(room, 0), len(rownums))
        extra = len(rownums) - max(room, 0)
        if extra > 0:
            self._hidden[key] = self._hidden.get(key, 0) + extra

    def raise_if_errors(self) -> None:
        for (name, column, rule), n in self._hidden.items():
            self.items.append(Issue(name, "", "", "", f"... and {n:,} more row(s): column "
                                    f"'{column}': {rule}"))
        self._hidden.clear()
        if any(i.severity == "error" for i in self.items):
            raise InputError(list(self.items))


def _fail(file: str, rule: str, value: str = "", sheet: str = "", cell: str = "") -> InputError:
    return InputError([Issue(file, sheet, cell, value, rule)])


# --------------------------------------------------------------------------- countries


def _iso3_set() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


def _numeric_table() -> dict[int, str]:
    import pycountry

    table = {int(c.numeric): c.alpha_3 for c in pycountry.countries}
    table.update(NUMERIC_SPECIAL)
    return table


def _name_table() -> dict[str, str]:
    import pycountry

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            v = getattr(c, attr, None)
            if v:
                names[v.strip().lower()] = c.alpha_3
    names.update(WITS_NAMES)
    return names


class CountryCodes:
    """ISO 3166 alpha-3 for alpha-3 codes, numeric codes (ISO, BACI, WITS) and names.

    ``lookup`` returns the code, :data:`NES` for 'not elsewhere specified' aggregates,
    :data:`WORLD` for the world partner, or None when the code is unknown.
    """

    def __init__(self, regions: Iterable[str] = (), numeric: Mapping[int, str] | None = None,
                 names: bool = True) -> None:
        self.iso3 = _iso3_set()
        self.known = self.iso3 | frozenset(regions)
        self.numeric = dict(_numeric_table())
        if numeric:
            self.numeric.update(numeric)
        self.names = _name_table() if names else {}

    def lookup(self, text: object) -> str | None:
        s = _text(text)
        if s == "":
            return None
        up = s.upper()
        if up in self.known:
            return up
        if up in ("WLD", "WORLD"):
            return WORLD
        if re.fullmatch(r"\d{1,4}(\.0+)?", s):
            n = int(float(s))
            if n == 0:
                return WORLD
            if n in self.numeric:
                return self.numeric[n]
            return NES if n in NUMERIC_NES else None
        return self.names.get(s.lower())

    def series(self, values: pd.Series) -> pd.Series:
        """Vectorised :meth:`lookup` (one call per distinct value); unknown -> NaN."""
        uniq = pd.unique(values.to_numpy(dtype=object))
        table = {u: self.lookup(u) for u in uniq}
        return values.map(table)


def _read_country_codes(path: Path) -> dict[int, str]:
    """BACI's ``country_codes_V*.csv``: country_code -> ISO3 (non-ISO iso3 -> NES)."""
    src = _read_source(path)
    code = src.column(("countrycode", "code"))
    iso = src.column(("countryiso3", "iso3"))
    if code is None or iso is None:
        raise _fail(path.name, "country code file needs columns country_code and "
                    "country_iso3 (the country_codes_V*.csv shipped with BACI)")
    iso3 = _iso3_set()
    out: dict[int, str] = {}
    for c, i in zip(src.df[code], src.df[iso], strict=True):
        c, i = _text(c), _text(i).upper()
        if re.fullmatch(r"\d{1,4}", c):
            out[int(c)] = i if i in iso3 else NES
    return out


# --------------------------------------------------------------------------- cells


def _text(v: object) -> str:
    """A cell as trimmed text: integral floats without '.0', dates as ISO, blanks ''."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def _strs(s: pd.Series) -> pd.Series:
    """Trimmed text of every cell (object dtype)."""
    if s.dtype == object:
        return s.map(_text).astype(object)
    return s.astype(str).str.strip().astype(object)


def _numbers(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Numbers, a mask of blank cells and a mask of non-blank cells that are not numbers."""
    t = _strs(s)
    blank = t.str.lower().isin(BLANK_WORDS).to_numpy()
    num = pd.to_numeric(t.str.replace(r"[\s\u00a0]", "", regex=True).where(~blank),
                        errors="coerce").astype(float)
    bad = ~blank & (num.isna().to_numpy() | ~np.isfinite(num.to_numpy()))
    return num, blank, bad


def _hs(s: pd.Series, width: int | None = None, star: bool = False) -> tuple[pd.Series,
                                                                              np.ndarray]:
    """HS codes as text with leading zeros restored; and a mask of bad codes.

    ``width``: pad every code to that many digits (BACI: 6); else a code with an odd
    number of digits gets one leading zero back ('10121' -> '010121', '1' -> '01').
    """
    t = _strs(s).str.replace(r"\.0+$", "", regex=True)
    ok = t.str.fullmatch(r"\d{1,6}").fillna(False).to_numpy(dtype=bool)
    if width:
        fixed = t.where(~ok, t.str.zfill(width))
    else:
        odd = ok & (t.str.len().to_numpy() % 2 == 1)
        fixed = t.where(~odd, "0" + t)
    if star:
        ok |= t.eq("*").to_numpy()
    return fixed, ~ok


def revision(text: object) -> str | None:
    """'HS22', 'hs2022', 'H6', '22' -> 'HS2022'; None if not an HS revision."""
    s = re.sub(r"[\s_\-]", "", _text(text)).upper()
    if s in NOMEN_CODES:
        return NOMEN_CODES[s]
    m = re.fullmatch(r"(?:HS)?(\d{2}|\d{4})", s)
    if not m:
        return None
    y = int(m.group(1))
    if y < 100:
        y += 1900 if y >= 88 else 2000
    name = f"HS{y}"
    return name if name in HS_REVISIONS else None


# --------------------------------------------------------------------------- sources


@dataclass
class _Source:
    """A downloaded table: text cells, original headers, column letters, row numbers."""

    path: Path
    sheet: str
    df: pd.DataFrame
    letters: dict[str, str]
    row_numbers: np.ndarray | None = None  # row number of each df row (default 2, 3, ...)

    @property
    def name(self) -> str:
        return self.path.name

    def rownums(self) -> np.ndarray:
        if self.row_numbers is not None:
            return self.row_numbers
        return 2 + np.arange(len(self.df))

    def column(self, candidates: Iterable[str]) -> str | None:
        """The first header whose normalised name is among ``candidates`` (in their order)."""
        norm = {_norm(c): c for c in reversed(list(self.df.columns))}
        for cand in candidates:
            if _norm(cand) in norm:
                return norm[_norm(cand)]
        return None


def _norm(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def _sniff_sep(path: Path, encoding: str) -> str:
    with path.open("r", encoding=encoding, newline="") as fh:
        head = fh.readline()
    counts = {sep: head.count(sep) for sep in (",", ";", "\t", "|")}
    return max(counts, key=lambda k: counts[k]) if any(counts.values()) else ","


def _read_source(path: Path, sheet: str | None = None) -> _Source:
    """Read a CSV/TSV, xlsx or Parquet download as text cells; every problem an Issue."""
    path = Path(path)
    if not path.exists():
        raise _fail(path.name, "file not found", str(path))
    if path.is_dir():
        raise _fail(path.name, "is a folder, not a file", str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx_source(path, sheet)
    if suffix in (".parquet", ".pq"):
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types
            raise _fail(path.name, f"cannot read Parquet: {exc}") from None
        df = df.astype(object).map(_text)
        df.columns = [str(c).strip() for c in df.columns]
        return _Source(path, path.stem, df, {c: _letter(j) for j, c in enumerate(df.columns)})
    if suffix == ".xls":
        raise _fail(path.name, "old .xls format is not read; save it as .xlsx or CSV")
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK"):
        raise _fail(path.name, "file is an Excel workbook or a zip, not CSV text; unzip "
                    "the download or name the workbook .xlsx")
    df = None
    for encoding in ("utf-8-sig", "latin-1"):  # WITS CSVs are often ISO-8859-1
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding,
                             sep=_sniff_sep(path, encoding), skipinitialspace=True)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            raise _fail(path.name, "file is empty (no header row)") from None
        except Exception as exc:  # ParserError, csv.Error, OSError
            raise _fail(path.name, f"cannot parse CSV: {exc}") from None
    if df is None:
        raise _fail(path.name, "cannot decode the file as UTF-8 or Latin-1 text")
    df.columns = [str(c).strip() for c in df.columns]
    return _Source(path, path.stem, df, {c: _letter(j) for j, c in enumerate(df.columns)})


def _read_xlsx_source(path: Path, sheet: str | None) -> _Source:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise _fail(path.name, f"cannot open workbook: {exc}") from None
    try:
        names = wb.sheet_names
        if sheet is None:
            sheet = names[0] if names else ""
        if sheet not in names:
            raise _fail(path.name, f"no sheet '{sheet}' (sheets: {', '.join(names)})")
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except InputError:
        raise
    except Exception as exc:  # calamine raises several types
        raise _fail(path.name, f"cannot read sheet: {exc}", sheet=sheet or "") from None
    finally:
        wb.close()
    start = next((i for i, r in enumerate(rows) if any(_text(v) for v in r)), None)
    if start is None:
        raise _fail(path.name, "sheet is empty (no header row)", sheet=sheet)
    header = [_text(h) or f"column_{j + 1}" for j, h in enumerate(rows[start])]
    width = len(header)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[start + 1:]]
    df = pd.DataFrame(body, columns=header, dtype=object).map(_text)
    df = df.loc[(df != "").any(axis=1)] if len(df) else df
    rows_kept = df.index.to_numpy() + start + 2  # Excel row numbers of the kept rows
    return _Source(path, sheet, df.reset_index(drop=True),
                   {c: _letter(j) for j, c in enumerate(header)}, rows_kept)


# --------------------------------------------------------------------------- base workbook


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


def _finish(base: _Base, updates: dict[str, pd.DataFrame], sources: list[dict[str, str]],
            out: Path, force: bool, validate: bool) -> None:
    """Write base + updates + sources atomically; validate the written file first."""
    from fta_compare.report.atomic import atomic_path

    tables = {**base.tables, **updates, "sources": _with_sources(base, sources)}
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


# --------------------------------------------------------------------------- replacing


def _key(df: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    parts = []
    for c in cols:
        s = _strs(df[c]) if c in df.columns else pd.Series("", index=df.index, dtype=object)
        kind = KEY_KINDS.get(c, "text")
        if kind in CODE_KINDS:
            s = s.str.upper()
        elif kind == "hs":
            s = _hs(s)[0]
        parts.append(s.astype(str))
    out = parts[0]
    for p in parts[1:]:
        out = out + "\x1f" + p
    return out


def _replace(old: pd.DataFrame | None, new: pd.DataFrame, by: Sequence[str],
             keep: pd.Series | None = None) -> tuple[pd.DataFrame, int, list[str]]:
    """Base rows whose ``by`` group occurs in ``new`` dropped, ``new`` appended.

    ``keep``: optional mask of old rows kept although their group is replaced.
    Returns the table, the number of base rows removed and the replaced groups.
    """
    groups = sorted(set(_key(new, by)))
    shown = [g.replace("\x1f", "<-" if tuple(by) == ("importer", "exporter") else "/")
             for g in groups]
    if old is None or old.empty:
        return new.reset_index(drop=True), 0, shown
    drop = _key(old, by).isin(groups).to_numpy()
    if keep is not None:
        drop = drop & ~keep.to_numpy(dtype=bool)
    cols = list(old.columns) + [c for c in new.columns if c not in old.columns]
    kept = old.loc[~drop].reindex(columns=cols, fill_value="")
    added = new.reindex(columns=cols, fill_value="")
    return pd.concat([kept, added], ignore_index=True), int(drop.sum()), shown


# --------------------------------------------------------------------------- concordance


def _read_concordance(path: Path) -> pd.DataFrame:
    """Concordance CSV/xlsx: from, to (HS codes), optional weight -> from, to, weight."""
    src = _read_source(Path(path))
    cf, ct = src.column(("from", "hsfrom", "source")), src.column(("to", "hsto", "target"))
    issues = _Issues()
    if cf is None or ct is None:
        raise _fail(src.name, "concordance needs columns 'from' and 'to' (HS codes), and "
                    "optionally 'weight'", ", ".join(map(str, src.df.columns)), src.sheet, "A1")
    fr, bad_f = _hs(src.df[cf])
    to, bad_t = _hs(src.df[ct])
    issues.rows(src, cf, bad_f, src.df[cf], "HS code must be 2 to 6 digits")
    issues.rows(src, ct, bad_t, src.df[ct], "HS code must be 2 to 6 digits")
    cw = src.column(("weight", "share"))
    if cw is not None:
        w, blank, bad = _numbers(src.df[cw])
        issues.rows(src, cw, bad | (w.to_numpy() < 0), src.df[cw],
                    "weight must be a number >= 0")
        w = w.where(~pd.Series(blank, index=w.index), np.nan)
    else:
        w = pd.Series(np.nan, index=src.df.index)
    issues.raise_if_errors()
    conc = pd.DataFrame({"from": fr, "to": to, "weight": w}).drop_duplicates(["from", "to"])
    n = conc.groupby("from")["to"].transform("size")
    conc["weight"] = conc["weight"].fillna(1.0 / n)
    return conc.reset_index(drop=True)


def _convert(df: pd.DataFrame, conc: pd.DataFrame, value: str | None) -> tuple[pd.DataFrame,
                                                                               int]:
    """Map ``hs`` through the concordance; ``value`` is split by weight (rates are copied)."""
    m = df.merge(conc, how="left", left_on="hs", right_on="from")
    hit = m["to"].notna()
    unmatched = int(df["hs"][~df["hs"].isin(conc["from"])].nunique())
    m["hs"] = m["to"].where(hit, m["hs"])
    if value is not None:
        m[value] = m[value] * m["weight"].where(hit, 1.0)
    return m.drop(columns=["from", "to", "weight"]), unmatched


def _target_revision(base: _Base, given: str | None, file: str, conc: Path | None,
                     what: str) -> pd.DataFrame | None:
    """The concordance to use (None if the revisions agree); refuse if one is needed."""
    target = revision(base.meta.get("hs_revision", ""))
    if given is None or target is None or given == target:
        return None
    if conc is None:
        raise _fail(file, f"{what} codes are {given} but the base workbook is {target} "
                    "(meta 'hs_revision'): the codes must be converted. Pass a concordance "
                    f"CSV with columns from,to[,weight] ({given} -> {target}), e.g. from the "
                    "UN Statistics Division HS correlation tables, with --concordance FILE",
                    given)
    return _read_concordance(conc)


# --------------------------------------------------------------------------- BACI


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


def _baci_mapper(codes: CountryCodes, universe: set[str], region_of: dict[str, str],
                 row: str | None) -> Callable[[str], str | None]:
    """Raw BACI code -> model code ('' = dropped, None = unknown code)."""
    def model(raw: str) -> str | None:
        iso = codes.lookup(raw)
        if iso is None:
            return None
        if iso == NES and _text(raw).isdigit() and int(raw) == TAIWAN_NES \
                and "TWN" in universe:
            iso = "TWN"
        if iso in universe:
            return iso
        if iso in region_of:
            return region_of[iso]
        return row or ""
    return model


def import_baci(file: Path | str, *, countries: Sequence[str] | str, year: int,
                out: Path | str, base: Sequence[Path | str] | Path | str | None = None,
                force: bool = False, hs_revision: str | None = None,
                concordance: Path | str | None = None,
                country_codes: Path | str | None = None,
                validate: bool = True) -> ImportResult:
    """Replace the base ``trade`` rows of the pairs a CEPII BACI file covers.

    ``countries``: the importers to take from BACI (ISO3 or base regions, e.g. KOR, JPN,
    CHN or ROW). Mapping rules: module docstring.
    """
    file, out = Path(file), Path(out)
    _check_out(out, force)
    if not file.is_file():
        raise _fail(file.name, "file not found" if not file.exists() else "not a file",
                    str(file))
    bk = _read_base(_base_paths(base))
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
    flows, notes = _read_baci(file, year, _baci_mapper(codes, universe, region_of, row_code),
                              set(wanted))
    unit = bk.meta.get("currency_unit", "US$ thousand").lower()
    scale = 1.0
    if "million" in unit:
        scale = 1e-3
    elif "thousand" not in unit and "000" not in unit:
        scale = 1e3 if re.search(r"us\$|usd|dollar", unit) else float("nan")
    if scale != scale:
        raise _fail(out.name, f"base meta currency_unit '{unit}' is not US dollars: BACI "
                    "values are US$ thousand; convert the base or import with "
                    "'fta-compare import table --scale'")
    flows["value"] = flows["value"] * scale
    if conc is not None:
        flows, unmatched = _convert(flows, conc, "value")
        if unmatched:
            notes.append(f"{unmatched} HS code(s) not in the concordance were kept as they are")
    flows = (flows.groupby(["exporter", "importer", "hs"], as_index=False, sort=True)["value"]
             .sum())
    flows["quality"] = f"observed:BACI {year}"
    by = ("importer", "exporter")
    old = bk.tables.get("trade")
    table, removed, groups = _replace(old, flows[["exporter", "importer", "hs", "value",
                                                  "quality"]], by)
    notes += _residue_notes(old, flows, wanted)
    base_year = bk.meta.get("base_year", "")
    if base_year and base_year != str(year):
        notes.append(f"BACI year {year} differs from the base's meta base_year {base_year}: "
                     f"replaced pairs are in {year} values, the other pairs are not")
    converted = (f" converted to {revision(bk.meta.get('hs_revision', ''))} with "
                 f"{Path(concordance).name}" if conc is not None and concordance else "")
    src = {"table": "trade", "column": "*",
           "source": f"{BACI_CITATION}; file {file.name}, SHA-256 {sha256(file)}",
           "transformation": (
               f"year {year}, {rev}{converted}; "
               f"i -> exporter, j -> importer, k -> hs (6 digits), v (US$ thousand)"
               f"{f' x {scale:g}' if scale != 1 else ''} -> value; importers "
               f"{', '.join(wanted)}; partners outside the model -> "
               f"{row_code or 'dropped'}; all base rows of {len(groups)} importer-exporter "
               "pairs replaced; quality observed:BACI")}
    _finish(bk, {"trade": table}, [src], out, force, validate)
    return ImportResult(out, ("trade",), len(flows), removed, tuple(groups), tuple(notes))


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
               importers: set[str]) -> tuple[pd.DataFrame, list[str]]:
    """Flows of ``year`` into ``importers``: exporter, importer, hs, value; and notes."""
    if not path.exists():
        raise _fail(path.name, "file not found", str(path))
    header = _csv_header(path)
    names = {h.lower(): h for h in header}
    missing = [c for c in ("t", "i", "j", "k", "v") if c not in names]
    if missing:
        raise _fail(path.name, f"missing column(s) {', '.join(missing)}: a BACI file has the "
                    "columns t, i, j, k, v, q", ",".join(header)[:80], path.stem, "A1")
    letters = {c: _letter(header.index(names[c])) for c in ("t", "i", "j", "k", "v")}
    src = _Source(path, path.stem, pd.DataFrame(), letters)
    issues = _Issues()
    parts: list[pd.DataFrame] = []
    years: set[str] = set()
    n_year = 0
    dropped = {"unmapped": 0.0, "intra": 0.0}
    cache: dict[str, str | None] = {}
    try:
        for row0, df in _baci_batches(path, {c: names[c] for c in ("t", "i", "j", "k", "v")}):
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
                for u in pd.unique(raw.to_numpy()):
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
                                       "hs": hs[keep], "value": value[keep]}))
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
        columns=["exporter", "importer", "hs", "value"])
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
    return flows, notes


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
            f"their imputed base rows: {', '.join(pairs[:10])}{', ...' if len(pairs) > 10 else ''}"]


# --------------------------------------------------------------------------- WITS


def _wits_columns(src: _Source) -> dict[str, str]:
    found = {}
    for key, cands in WITS_COLUMNS.items():
        col = src.column(cands)
        if col is not None and col not in found.values():
            found[key] = col
    return found


def _wits_country(src: _Source, cols: dict[str, str], side: str, codes: CountryCodes,
                  issues: _Issues | None) -> pd.Series:
    """ISO3 of reporter/partner from the best available column (alpha-3 > code > name)."""
    out = pd.Series(np.nan, index=src.df.index, dtype=object)
    used = None
    for kind in ("iso3", "code", "name"):
        col = cols.get(f"{side}_{kind}")
        if col is None:
            continue
        got = codes.series(_strs(src.df[col]))
        out = out.where(out.notna(), got)
        used = used or col
    if issues is not None and used is not None:
        issues.rows(src, used, out.isna().to_numpy(), src.df[used].to_numpy(),
                    f"unknown {side} (not ISO 3166 alpha-3, a numeric country code or a "
                    "country name)")
    return out


def _read_program_map(path: Path) -> pd.DataFrame:
    """Program map: program (partner code or name) -> agreement [, exporter, importer]."""
    src = _read_source(path)
    prog = src.column(("program", "partner", "partnercode", "partnername", "regime"))
    ag = src.column(("agreement",))
    if prog is None or ag is None:
        raise _fail(src.name, "program map needs columns 'program' (WITS partner code or name "
                    "of the preference program) and 'agreement' (optional: 'exporter', "
                    "'importer')", ", ".join(map(str, src.df.columns)), src.sheet, "A1")
    exp, imp = src.column(("exporter",)), src.column(("importer", "reporter"))
    return pd.DataFrame({
        "program": _strs(src.df[prog]).str.lower(),
        "agreement": _strs(src.df[ag]),
        "exporter": _strs(src.df[exp]).str.upper() if exp else "",
        "importer": _strs(src.df[imp]).str.upper() if imp else "",
    })


def import_wits_tariffs(file: Path | str, *, out: Path | str,
                        base: Sequence[Path | str] | Path | str | None = None,
                        force: bool = False, agreement: str | None = None,
                        program_map: Path | str | None = None,
                        duty_type: str | None = None, keep_base_rows: bool = False,
                        hs_revision: str | None = None,
                        concordance: Path | str | None = None, sheet: str | None = None,
                        validate: bool = True) -> ImportResult:
    """Replace base ``mfn`` / ``preferences`` rows with a WITS or TRAINS tariff download.

    ``agreement`` names the agreement of every PRF row not matched by ``program_map``.
    ``keep_base_rows`` keeps base rows for products the file gives no rate for (they stay
    labelled imputed); by default every row of a replaced group goes.
    """
    file, out = Path(file), Path(out)
    _check_out(out, force)
    bk = _read_base(_base_paths(base))
    src = _read_source(file, sheet)
    cols = _wits_columns(src)
    issues = _Issues()
    needed = {"hs": "Product / ProductCode", "rate": "Simple Average / SimpleAverage"}
    missing = [v for k, v in needed.items() if k not in cols]
    if not any(f"reporter_{k}" in cols for k in ("iso3", "code", "name")):
        missing.append("Reporter ISO3 / Reporter / Reporter_ISO_N / Reporter Name")
    if missing:
        raise _fail(src.name, f"not a WITS/TRAINS tariff file: missing column(s) "
                    f"{'; '.join(missing)}", ", ".join(map(str, src.df.columns))[:120],
                    src.sheet, "A1")
    df = src.df
    codes = CountryCodes(bk.regions)
    reporter = _wits_country(src, cols, "reporter", codes, issues)
    has_partner = any(f"partner_{k}" in cols for k in ("iso3", "code", "name"))
    partner = _wits_country(src, cols, "partner", codes, None) if has_partner else \
        pd.Series(WORLD, index=df.index, dtype=object)
    if "duty_type" in cols:
        dtype_ = _strs(df[cols["duty_type"]]).str.upper()
    else:
        fixed = (duty_type or ("PRF" if has_partner else "MFN")).upper()
        dtype_ = pd.Series(fixed, index=df.index, dtype=object)
    if duty_type and "duty_type" in cols:
        dtype_ = dtype_.where(dtype_.isin(DUTY_TYPES), duty_type.upper())
    hs, bad_hs = _hs(df[cols["hs"]])
    total = _strs(df[cols["hs"]]).str.lower().isin({"total", "all", "999999"}).to_numpy()
    rate, blank, bad_r = _numbers(df[cols["rate"]])
    use = dtype_.isin(DUTY_TYPES).to_numpy() & ~total
    issues.rows(src, cols["hs"], use & bad_hs, df[cols["hs"]], "HS code must be 2 to 6 digits")
    issues.rows(src, cols["rate"], use & bad_r, df[cols["rate"]],
                "rate is not a number (WITS gives percent, e.g. 8 for 8%)")
    issues.rows(src, cols["rate"], use & (rate.to_numpy() < 0), df[cols["rate"]],
                "rate is negative")
    prf_rows = use & (dtype_ == "PRF").to_numpy()
    if "year" in cols:
        year, yblank, bad_y = _numbers(df[cols["year"]])
        issues.rows(src, cols["year"], use & bad_y, df[cols["year"]], "year is not a number")
        issues.rows(src, cols["year"], prf_rows & yblank, df[cols["year"]],
                    "PRF row without a tariff year (the year its rate applies from)")
    elif prf_rows.any():
        raise _fail(src.name, "PRF rows need a year column (Tariff Year / Year): it becomes "
                    "the preferences 'year' (the rate applies from that year on)",
                    sheet=src.sheet, cell="A1")
    else:
        year = pd.Series(np.nan, index=df.index)
    notes: list[str] = []
    ignored = (~dtype_.isin(DUTY_TYPES)).sum()
    if ignored:
        kinds = ", ".join(sorted(set(dtype_[~dtype_.isin(DUTY_TYPES)])))
        notes.append(f"{ignored} row(s) of duty type {kinds} ignored (only MFN and PRF used)")
    rev = revision(hs_revision) if hs_revision else None
    if rev is None and "nomen" in cols:
        revs = {revision(v) for v in _strs(df[cols["nomen"]]).unique()} - {None}
        if len(revs) > 1:
            shown = ", ".join(sorted(str(r) for r in revs))
            raise _fail(src.name, f"file mixes HS revisions ({shown}); download one "
                        "nomenclature", sheet=src.sheet)
        rev = revs.pop() if revs else None
    conc = _target_revision(bk, rev, src.name, Path(concordance) if concordance else None,
                            "WITS")
    if rev is None:
        notes.append("the file does not say its HS revision; codes taken as "
                     f"{bk.meta.get('hs_revision') or 'the base revision'}")
    issues.raise_if_errors()
    usable = use & ~blank & ~bad_r & ~bad_hs & reporter.notna().to_numpy()
    if (use & blank).any():
        notes.append(f"{int((use & blank).sum())} row(s) without an ad valorem rate "
                     "(specific duties only) skipped")
    frame = pd.DataFrame({"importer": reporter, "partner": partner, "hs": hs,
                          "rate": rate / 100.0, "year": year, "duty": dtype_,
                          "row": src.rownums()}).loc[usable]
    label = "observed:WITS"
    updates, sources, groups_all = {}, [], []
    removed_all, added_all = 0, 0
    sha = sha256(file)
    mfn = frame[frame["duty"] == "MFN"]
    if not mfn.empty:
        table, added, removed, groups, more = _wits_mfn(bk, mfn, conc, keep_base_rows, label)
        updates["mfn"] = table
        notes += more
        added_all, removed_all = added_all + added, removed_all + removed
        groups_all += [f"mfn:{g}" for g in groups]
        sources.append({"table": "mfn", "column": "*",
                        "source": f"{WITS_CITATION}; file {file.name}, SHA-256 {sha}",
                        "transformation": "DutyType MFN; Simple Average (percent) / 100; "
                        "latest tariff year per importer and HS code; all base mfn rows of "
                        f"{', '.join(groups)} replaced"
                        + ("" if not keep_base_rows else " (except codes absent from the "
                           "file)") + f"; quality {label} MFN <year>"})
    prf = frame[frame["duty"] == "PRF"]
    if not prf.empty:
        pm = _read_program_map(Path(program_map)) if program_map else None
        table, added, removed, groups, more = _wits_prf(bk, src, prf, pm, agreement, conc,
                                                        keep_base_rows, label)
        updates["preferences"] = table
        notes += more
        added_all, removed_all = added_all + added, removed_all + removed
        groups_all += [f"preferences:{g}" for g in groups]
        sources.append({"table": "preferences", "column": "*",
                        "source": f"{WITS_CITATION}; file {file.name}, SHA-256 {sha}",
                        "transformation": "DutyType PRF; Simple Average (percent) / 100; "
                        "tariff year -> year (staging step); partner/program -> agreement "
                        "and exporter; all base preferences rows of (agreement/importer) "
                        f"{', '.join(groups)} replaced; quality {label} PRF <year>"})
    if not updates:
        raise _fail(src.name, "no usable MFN or PRF rows with an ad valorem rate in the file")
    ap = bk.tables.get("applied")
    if ap is not None and "importer" in ap.columns:
        over = sorted(set(_strs(ap["importer"]).str.upper()) & set(frame["importer"]))
        if over:
            notes.append(f"the base's 'applied' sheet has rows for {', '.join(over)}: they "
                         "override the mfn/preferences schedules for the cells they cover")
    _finish(bk, updates, sources, out, force, validate)
    return ImportResult(out, tuple(updates), added_all, removed_all, tuple(groups_all),
                        tuple(notes))


def _year_text(year: pd.Series) -> pd.Series:
    """' 2023' for a year, '' for a missing one (vectorised)."""
    y = pd.to_numeric(year, errors="coerce")
    return (" " + y.round().astype("Int64").astype(str)).where(y.notna(), "")


def _wits_mfn(bk: _Base, mfn: pd.DataFrame, conc: pd.DataFrame | None, keep_base: bool,
              label: str) -> tuple[pd.DataFrame, int, int, list[str], list[str]]:
    notes = []
    latest = mfn.groupby("importer")["year"].transform("max")
    older = mfn["year"].notna() & (mfn["year"] < latest)
    if older.any():
        notes.append(f"{int(older.sum())} MFN row(s) of earlier tariff years dropped (the "
                     "latest year per importer is used)")
    m = mfn.loc[~older, ["importer", "hs", "rate", "year"]]
    if conc is not None:
        m, unmatched = _convert(m, conc, None)
        if unmatched:
            notes.append(f"{unmatched} HS code(s) not in the concordance kept as they are")
    m = m.groupby(["importer", "hs"], as_index=False, sort=True).agg(
        rate=("rate", "mean"), year=("year", "max"))
    m["quality"] = label + " MFN" + _year_text(m["year"])
    m = m.drop(columns="year")
    old = bk.tables.get("mfn")
    keep = None
    if old is not None and not old.empty:
        have = set(_key(m, ("importer", "hs")))
        old_key = _key(old, ("importer", "hs"))
        absent = ~old_key.isin(have) & _key(old, ("importer",)).isin(set(m["importer"]))
        if keep_base:
            keep = absent
        elif absent.any():
            notes.append(f"{int(absent.sum())} base mfn row(s) of the imported importers have "
                         "no rate in the file and were removed (those products now have no "
                         "MFN rate: 0); --keep-base-rows keeps them")
    table, removed, groups = _replace(old, m, ("importer",), keep)
    return table, len(m), removed, groups, notes


def _wits_prf(bk: _Base, src: _Source, prf: pd.DataFrame, pm: pd.DataFrame | None,
              agreement: str | None, conc: pd.DataFrame | None, keep_base: bool,
              label: str) -> tuple[pd.DataFrame, int, int, list[str], list[str]]:
    issues = _Issues()
    notes = []
    df = src.df.loc[prf.index]
    cols = _wits_columns(src)
    rep_col = next(cols[k] for k in ("reporter_iso3", "reporter_code", "reporter_name")
                   if k in cols)
    par_col = next((cols[k] for k in ("partner_code", "partner_iso3", "partner_name")
                    if k in cols), "Partner")
    raw = pd.Series("", index=prf.index, dtype=object)
    for key in ("partner_code", "partner_iso3", "partner_name"):
        col = cols.get(key)
        if col is not None:
            raw = raw.where(raw != "", _strs(df[col]).str.lower())
    ag = pd.Series("", index=prf.index, dtype=object)
    exp = pd.Series("", index=prf.index, dtype=object)
    if pm is not None:
        names = pd.Series("", index=prf.index, dtype=object)
        col = cols.get("partner_name")
        if col is not None:
            names = _strs(df[col]).str.lower()
        for p in pm.itertuples(index=False):  # one pass per program (a short table)
            hit = ((raw == p.program) | (names == p.program)) & (ag == "")
            if p.importer:
                hit &= prf["importer"] == p.importer
            ag = ag.where(~hit, p.agreement)
            exp = exp.where(~hit, p.exporter)
    if agreement:
        rest = ag == ""
        ag = ag.where(~rest, agreement)
        iso = prf["partner"].where(prf["partner"].isin(list(_iso3_set())), "")
        exp = exp.where(~rest, iso.fillna(""))
    known = bk.agreements()
    no_ag = (ag == "").to_numpy()
    issues.rows(src, par_col, no_ag,
                raw.to_numpy(), "PRF row without an agreement: pass --agreement NAME or a "
                "--program-map CSV (program, agreement[, exporter])", rows=prf["row"].to_numpy())
    unknown = ~no_ag & ~ag.isin(list(known)).to_numpy()
    issues.rows(src, par_col, unknown, ag.to_numpy(), "agreement is not in the base "
                f"'agreements' sheet ({', '.join(sorted(known)) or 'none'})",
                rows=prf["row"].to_numpy())
    members = ag.map(lambda a: known.get(a, set()))
    imp_ok = np.array([i in m for i, m in zip(prf["importer"], members, strict=True)])
    exp_ok = np.array([e == "" or e in m for e, m in zip(exp, members, strict=True)])
    issues.rows(src, rep_col, ~no_ag & ~unknown & ~imp_ok, prf["importer"].to_numpy(),
                "importer is not a member of the agreement", rows=prf["row"].to_numpy())
    issues.rows(src, par_col, ~no_ag & ~unknown & ~exp_ok, exp.to_numpy(),
                "partner is not a member of the agreement (map it with --program-map or "
                "drop the row)", rows=prf["row"].to_numpy())
    issues.raise_if_errors()
    p = pd.DataFrame({"agreement": ag, "importer": prf["importer"], "hs": prf["hs"],
                      "year": prf["year"].round().astype("Int64"), "rate": prf["rate"],
                      "exporter": exp.where(exp != prf["importer"], "")})
    keys = ["agreement", "importer", "exporter", "hs", "year"]
    dup = p.duplicated(keys, keep=False)
    if dup.any():
        notes.append(f"{int(dup.sum())} PRF row(s) for the same agreement, exporter, product "
                     "and year: the lowest rate kept")
    p = p.groupby(keys, as_index=False, sort=True)["rate"].min()
    if conc is not None:
        p, unmatched = _convert(p, conc, None)
        p = p.groupby(keys, as_index=False, sort=True)["rate"].mean()
        if unmatched:
            notes.append(f"{unmatched} HS code(s) not in the concordance kept as they are")
    p["quality"] = label + " PRF" + _year_text(p["year"])
    p = p[["agreement", "importer", "hs", "year", "rate", "exporter", "quality"]]
    old = bk.tables.get("preferences")
    keep = None
    if keep_base and old is not None and not old.empty:
        have = set(_key(p, ("agreement", "importer", "hs")))
        keep = ~_key(old, ("agreement", "importer", "hs")).isin(have)
    table, removed, groups = _replace(old, p, ("agreement", "importer"), keep)
    return table, len(p), removed, groups, notes


# --------------------------------------------------------------------------- any table


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
                 replace_by: Sequence[str] | None = None,
                 validate: bool = True) -> ImportResult:
    """Import any CSV/xlsx table into contract sheet ``sheet`` with a column mapping.

    ``mapping``: contract column -> column of the file (unmapped contract columns are
    taken from a file column of the same name); ``constants``: contract column -> value
    for every row; ``scale`` multiplies ``value`` columns; ``percent`` divides ``rate``
    columns by 100. Replaced groups: :data:`REPLACE_BY`, else the sheet's key, else the
    whole sheet (or ``replace_by``).
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
               + f"; rows of {len(groups)} group(s) by {', '.join(by) or 'sheet'} replaced"}
    _finish(bk, {spec.name: table}, [src_row], out, force, validate)
    return ImportResult(out, (spec.name,), len(new), removed, tuple(groups))


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
