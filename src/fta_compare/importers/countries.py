"""Country codes of downloads: ISO 3166 alpha-3, numeric (ISO, BACI, WITS) and names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from fta_compare.importers.common import NES, WORLD, _fail, _text
from fta_compare.importers.sources import _read_source

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

