"""WITS / UNCTAD TRAINS tariff downloads -> ``mfn`` and ``preferences`` (rules: package doc)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.importers.common import (
    WORLD,
    ImportResult,
    _fail,
    _hs,
    _Issues,
    _key,
    _numbers,
    _replace,
    _strs,
    revision,
)
from fta_compare.importers.concordance import _convert, _target_revision, _uncovered
from fta_compare.importers.countries import CountryCodes, _iso3_set
from fta_compare.importers.sources import _read_source, _Source
from fta_compare.importers.workbook import (
    _Base,
    _base_paths,
    _check_out,
    _finish,
    _read_base,
    sha256,
)

WITS_CITATION = ("UNCTAD TRAINS via World Bank WITS (World Integrated Trade Solution), "
                 "tariff download")
DUTY_TYPES = ("MFN", "PRF")
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
                        drop_unmapped: bool = False, validate: bool = True) -> ImportResult:
    """Replace base ``mfn`` / ``preferences`` rows with a WITS or TRAINS tariff download.

    ``agreement`` names the agreement of every PRF row not matched by ``program_map``.
    ``keep_base_rows`` keeps base rows for products the file gives no rate for (they stay
    labelled imputed); by default every row of a replaced group goes. ``drop_unmapped``
    drops the rows whose code the concordance lacks (else they are an error); recorded.
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
    dropped = ""
    if conc is not None:
        frame, dropped = _uncovered(frame, conc, file=src.name, sheet=src.sheet,
                                    letter=src.letters.get(cols["hs"], ""), given=str(rev),
                                    drop=drop_unmapped, issues=issues)
        issues.raise_if_errors()
        if dropped:
            notes.append(f"dropped (--drop-unmapped-codes): {dropped}")
    dropped_text = f"; --drop-unmapped-codes ({dropped})" if dropped else ""
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
                           "file)") + f"; quality {label} MFN <year>{dropped_text}"})
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
                        f"{', '.join(groups)} replaced; quality {label} PRF <year>"
                        f"{dropped_text}"})
    if not updates:
        raise _fail(src.name, "no usable MFN or PRF rows with an ad valorem rate in the file")
    ap = bk.tables.get("applied")
    if ap is not None and "importer" in ap.columns:
        over = sorted(set(_strs(ap["importer"]).str.upper()) & set(frame["importer"]))
        if over:
            notes.append(f"the base's 'applied' sheet has rows for {', '.join(over)}: they "
                         "override the mfn/preferences schedules for the cells they cover")
    _finish(bk, updates, sources, out, force, validate,
            meta={"import_dropped_codes": f"{file.name}: {dropped}"} if dropped else None)
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
        m = _convert(m, conc, None)
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
        p = _convert(p, conc, None)
        p = p.groupby(keys, as_index=False, sort=True)["rate"].mean()
    p["quality"] = label + " PRF" + _year_text(p["year"])
    p = p[["agreement", "importer", "hs", "year", "rate", "exporter", "quality"]]
    old = bk.tables.get("preferences")
    keep = None
    if keep_base and old is not None and not old.empty:
        have = set(_key(p, ("agreement", "importer", "hs")))
        keep = ~_key(old, ("agreement", "importer", "hs")).isin(have)
    table, removed, groups = _replace(old, p, ("agreement", "importer"), keep)
    return table, len(p), removed, groups, notes

