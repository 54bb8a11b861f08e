"""The input workbook contract (DESIGN.md section 2), as data.

One place defines every sheet, its columns, their kind and whether they are required;
the reader, the validator, ``fta-compare template`` and the data build all use it.

Column kinds
------------
code       ISO 3166 alpha-3 economy code or a region declared in ``regions``
code_star  as ``code``, or ``*`` (any)
codes      comma-separated list of ``code``
hs         HS code as text, 2 to 6 digits (leading zeros kept)
hs_star    as ``hs``, or ``*`` (any product)
rate       ad valorem rate as a fraction, 0 <= rate <= 10 (a value > 1 on a sheet whose
           other rates are all <= 1 is flagged as a probable percent)
value      trade value >= 0
elasticity float; sign rules per column
year       integer year 1947..2100
date       calendar date
text       free text
enum:a|b   one of the listed words
share      fraction in [0, 1]
float      any finite number
flow       money value of the sector (general-equilibrium) tables: a finite number; its sign
           is checked across tables by ``inputs/ge_validate.py`` (a tiny negative entry is
           set to zero with a warning, a clearly negative one is an error)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str
    required: bool = True  # column must be present
    allow_blank: bool = False  # cells may be empty
    doc: str = ""


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    doc: str
    key: tuple[str, ...] = ()  # columns that identify a row (duplicates are errors)

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


C = ColumnSpec
QUALITY = C("quality", "text", required=False, allow_blank=True,
            doc="'observed' or 'imputed:<method>'; blank = observed")

SHEETS: dict[str, SheetSpec] = {
    s.name: s
    for s in (
        SheetSpec(
            "trade",
            (
                C("exporter", "code", doc="exporting economy (ISO3 or region)"),
                C("importer", "code", doc="importing economy (ISO3 or region)"),
                C("hs", "hs", doc="HS code, text, 2-6 digits"),
                C("value", "value", doc="base-period imports at world prices, >= 0, unit in meta"),
                QUALITY,
            ),
            "Base-period bilateral imports by product; exporter == importer allowed (domestic).",
            key=("exporter", "importer", "hs"),
        ),
        SheetSpec(
            "elasticities",
            (
                C("hs", "hs_star", doc="HS code or * (any)"),
                C("country", "code_star", doc="economy or * (any)"),
                C("import_demand", "elasticity", allow_blank=True,
                  doc="composite import demand elasticity, < 0 (default -1.25)"),
                C("substitution", "elasticity", allow_blank=True,
                  doc="Armington substitution elasticity among sources, > 0 (default 1.5)"),
                C("export_supply", "elasticity", allow_blank=True,
                  doc="export supply elasticity, > 0; blank or inf = infinitely elastic"),
                C("source", "text", required=False, allow_blank=True,
                  doc="where the value is from"),
            ),
            "Elasticities; the most specific row wins (country+hs > hs > country > *).",
            key=("hs", "country"),
        ),
        SheetSpec(
            "applied",
            (
                C("scenario", "text"),
                C("importer", "code"),
                C("exporter", "code_star"),
                C("hs", "hs_star"),
                C("rate", "rate", doc="applied ad valorem tariff, fraction"),
            ),
            "Applied tariffs per scenario; 'baseline' required; missing rows keep the baseline.",
            key=("scenario", "importer", "exporter", "hs"),
        ),
        SheetSpec(
            "mfn",
            (C("importer", "code"), C("hs", "hs"), C("rate", "rate"), QUALITY),
            "MFN applied rate by importer and product.",
            key=("importer", "hs"),
        ),
        SheetSpec(
            "agreements",
            (
                C("agreement", "text"),
                C("members", "codes", doc="comma-separated ISO3 codes"),
                C("in_force", "year", allow_blank=True, doc="year in force; blank = hypothetical"),
                C("description", "text", required=False, allow_blank=True),
                C("source", "text", required=False, allow_blank=True),
            ),
            "Trade agreements and their members.",
            key=("agreement",),
        ),
        SheetSpec(
            "preferences",
            (
                C("agreement", "text"),
                C("importer", "code"),
                C("hs", "hs_star"),
                C("year", "year", doc="staging step applies from this year on"),
                C("rate", "rate"),
                C("exporter", "code", required=False, allow_blank=True,
                  doc="blank = every other member"),
                QUALITY,
            ),
            "Preferential rates by staging year; the last step holds after.",
            key=("agreement", "importer", "exporter", "hs", "year"),
        ),
        SheetSpec(
            "duties",
            (
                C("measure", "text"),
                C("importer", "code"),
                C("exporter", "code_star"),
                C("hs", "hs_star"),
                C("rate", "rate"),
                C("mode", "enum:add|floor"),
                C("start", "date"),
                C("end", "date", allow_blank=True),
                C("source", "text", allow_blank=False, doc="legal source of the measure"),
            ),
            "Additional duties (Section 232, reciprocal, deal floors), applied in sheet order.",
        ),
        SheetSpec(
            "depth",
            (
                C("agreement", "text"),
                C("area", "text"),
                C("category", "enum:WTO+|WTO-X"),
                C("coverage", "enum:0|1|2", doc="0 not covered, 1 covered, 2 legally enforceable"),
            ),
            "Rule-depth coding (World Bank Deep Trade Agreements style).",
            key=("agreement", "area"),
        ),
        SheetSpec(
            "scenarios",
            (
                C("scenario", "text"),
                C("parent", "text", allow_blank=True, doc="blank = baseline"),
                C("year", "year", allow_blank=True),
                C("date", "date", allow_blank=True),
                C("agreements", "text", allow_blank=True, doc="comma list of agreements added"),
                C("duties", "text", allow_blank=True,
                  doc="comma list of duty measures added; '-name' removes"),
                C("description", "text", required=False, allow_blank=True),
            ),
            "Scenarios: parent plus agreements and duty measures.",
            key=("scenario",),
        ),
        SheetSpec(
            "regions",
            (
                C("code", "text"),
                C("name", "text", required=False, allow_blank=True),
                C("members", "codes", allow_blank=True),
            ),
            "Aggregates usable wherever a country code is.",
            key=("code",),
        ),
        SheetSpec(
            "meta",
            (C("key", "text"), C("value", "text", allow_blank=True)),
            "Key/value settings: currency_unit, base_year, hs_revision, focus, title, ...",
            key=("key",),
        ),
        SheetSpec(
            "sources",
            (
                C("table", "text"),
                C("column", "text", allow_blank=True),
                C("source", "text"),
                C("transformation", "text", required=False, allow_blank=True),
            ),
            "Citation of the public source of every table and column.",
        ),
        SheetSpec(
            "utilisation",
            (
                C("agreement", "text"),
                C("importer", "code_star"),
                C("exporter", "code_star"),
                C("hs", "hs_star"),
                C("share", "share", doc="share of trade claiming the preference, 0..1"),
                C("source", "text", required=False, allow_blank=True),
            ),
            "Optional preference utilisation: effective = u*preferential + (1-u)*MFN.",
        ),
        SheetSpec(
            "sectors",
            (
                C("hs", "hs"),
                C("sector", "text"),
                C("source", "text", required=False, allow_blank=True),
            ),
            "Optional strategic-sector mapping by HS prefix (a product may be in several).",
            key=("hs", "sector"),
        ),
        SheetSpec(
            "weights",
            (C("metric", "text"), C("weight", "float")),
            "Optional weights of scorecard metrics for a composite score.",
            key=("metric",),
        ),
        SheetSpec(
            "elasticity_draws",
            (
                C("parameter", "enum:import_demand|substitution|export_supply"),
                C("hs", "hs_star"),
                C("country", "code_star"),
                C("distribution", "enum:lognormal|normal|uniform|fixed"),
                C("spread", "float", doc="lognormal: sd of log; normal: sd; uniform: half-width"),
                C("lower", "float", required=False, allow_blank=True),
                C("upper", "float", required=False, allow_blank=True),
            ),
            "Optional distributions for the sensitivity analysis.",
            key=("parameter", "hs", "country"),
        ),
        # Sector tables of the general-equilibrium model (DESIGN 2 and 3e, --model ge).
        SheetSpec(
            "ge_trade",
            (
                C("exporter", "code"),
                C("importer", "code"),
                C("sector", "text", doc="sector code, e.g. C01 (same codes in every ge_ sheet)"),
                C("value", "flow", doc="flow at producer prices (net of the importer's tariff)"),
            ),
            "GE: bilateral flows by sector at producer prices; exporter == importer = "
            "domestic sales (required for --model ge).",
            key=("exporter", "importer", "sector"),
        ),
        SheetSpec(
            "ge_applied",
            (
                C("scenario", "text"),
                C("importer", "code"),
                C("exporter", "code"),
                C("sector", "text"),
                C("rate", "rate", doc="ad valorem tariff of the importer on the exporter"),
            ),
            "GE: applied tariffs by sector; 'baseline' required; a missing cell keeps its "
            "baseline rate (a missing baseline cell is 0).",
            key=("scenario", "importer", "exporter", "sector"),
        ),
        SheetSpec(
            "ge_intermediate",
            (
                C("country", "code"),
                C("input", "text", doc="sector of the goods bought"),
                C("sector", "text", doc="sector of the producers buying them"),
                C("value", "flow"),
            ),
            "GE: purchases of input goods by sector producers (tariff-inclusive); absent = no "
            "intermediate inputs.",
            key=("country", "input", "sector"),
        ),
        SheetSpec(
            "ge_final",
            (C("country", "code"), C("sector", "text"), C("value", "flow")),
            "GE: final demand of the country for the sector's goods.",
            key=("country", "sector"),
        ),
        SheetSpec(
            "ge_value_added",
            (C("country", "code"), C("sector", "text"), C("value", "flow")),
            "GE: value added of the sector; intermediate + value added = gross output "
            "(the sector's sales in ge_trade).",
            key=("country", "sector"),
        ),
        SheetSpec(
            "ge_deficits",
            (C("country", "code"),
             C("value", "float", doc="imports minus exports at producer prices")),
            "GE: trade deficits held fixed (optional; absent = computed from ge_trade).",
            key=("country",),
        ),
        SheetSpec(
            "ge_elasticities",
            (C("sector", "text"), C("theta", "float", doc="trade elasticity, > 0"),
             C("source", "text", required=False, allow_blank=True)),
            "GE: sector trade elasticities theta > 0 (Caliendo & Parro 2015 estimate one per "
            "sector).",
            key=("sector",),
        ),
        SheetSpec(
            "ge_sectors",
            (C("sector", "text"), C("hs", "hs", doc="HS prefix belonging to the sector")),
            "GE: optional HS prefixes of each sector, to carry HS6 scenarios into the "
            "sector model.",
            key=("sector", "hs"),
        ),
    )
}

GE_SHEETS: tuple[str, ...] = tuple(name for name in SHEETS if name.startswith("ge_"))

DEFAULT_IMPORT_DEMAND = -1.25  # WITS-SMART default
DEFAULT_SUBSTITUTION = 1.5  # WITS-SMART default
DEFAULT_EXPORT_SUPPLY = float("inf")
BASELINE = "baseline"
