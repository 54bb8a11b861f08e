"""Every column label of the report, its unit, number format and definition, in one place.

The ``glossary`` sheet is printed from :data:`LABELS`; writers look formats up here.
Contract sheets keep the bare column names (machine-readable); human sheets show
``Label.header`` (name with unit).
"""

from __future__ import annotations

from dataclasses import dataclass

MONEY = "#,##0;[Red]-#,##0"
MONEY_1 = "#,##0.0;[Red]-#,##0.0"
SHARE = "0.0%;[Red]-0.0%"
RATE = "0.0%"
ELASTICITY = "0.00"
INDEX = "0.000"
INTEGER = "0"
TEXT = "@"


@dataclass(frozen=True)
class Label:
    header: str
    fmt: str
    definition: str


def _money(name: str, definition: str) -> Label:
    return Label(f"{name} (US$ thousand)", MONEY, definition)


LABELS: dict[str, Label] = {
    "scenario": Label("Scenario", TEXT, "Scenario name from the scenarios sheet (compared "
                      "with 'baseline'); a ' (depth)' suffix adds the rule-depth trade-cost "
                      "channel (DESIGN 3d)"),
    "country": Label("Economy", TEXT, "ISO 3166 alpha-3 code or declared region"),
    "importer": Label("Importer", TEXT, "Importing economy"),
    "exporter": Label("Exporter", TEXT, "Exporting economy"),
    "partner": Label("Partner", TEXT, "Trade partner of the focus economy"),
    "hs": Label("HS code", TEXT, "Harmonized System product code (text)"),
    "description": Label("Description", TEXT, "Product or sector description"),
    "sector": Label("Sector", TEXT, "HS section or strategic sector (sectors mapping)"),
    "base_value": _money("Base trade", "Base-period imports at world prices"),
    "new_value": _money("New trade", "Imports after the scenario, at new world prices"),
    "trade_change": _money("Trade change", "new_value - base_value"),
    "trade_creation": _money("Trade creation", "Change in imports from the change in the "
                             "composite (all-source) price: SMART TC_k = M Em dt/((1+t0)"
                             "(1-Em/Ex)); GSIM M0 Em Pbar. Per economy (compare, scorecard): "
                             "summed over its exports"),
    "trade_diversion": _money("Trade diversion", "Change from substitution between sources; "
                              "nets to zero in each market. Per economy: summed over its "
                              "exports (> 0 = trade diverted towards it)"),
    "base_rate": Label("Base tariff (%)", RATE, "Applied ad valorem tariff in the baseline"),
    "new_rate": Label("New tariff (%)", RATE, "Applied ad valorem tariff in the scenario"),
    "world_price_change": Label("World price change (%)", SHARE, "Proportional change of "
                                "the exporter's world (pre-tariff) price; zero with infinitely "
                                "elastic supply"),
    "consumer_surplus": _money("Consumer surplus", "Change in importers' consumer surplus"),
    "producer_surplus": _money("Producer surplus", "Change in exporters' producer surplus"),
    "tariff_revenue": _money("Tariff revenue", "Change in tariff revenue collected"),
    "net_welfare": _money("Net welfare", "consumer_surplus + producer_surplus + "
                          "tariff_revenue"),
    "exports_change": _money("Exports change", "Change in the economy's exports to all "
                             "partners (new_value - base_value)"),
    "imports_change": _money("Imports change", "Change in the economy's imports from all "
                             "partners"),
    "base_exports": _money("Base exports", "Base-period exports"),
    "base_imports": _money("Base imports", "Base-period imports"),
    "exports_change_pct": Label("Exports change (%)", SHARE, "exports_change / base_exports"),
    "depth_index": Label("Depth index (0-1)", INDEX, "Rule depth of the agreements the "
                         "scenario adds (Hofmann, Osnago & Ruta 2017 coding, normalised)"),
    "preference_coverage": Label("Preference coverage (%)", SHARE, "Share of the economy's "
                                 "imports entering at a preferential rate below MFN"),
    "metric": Label("Metric", TEXT, "Scorecard metric"),
    "value": Label("Value", MONEY_1, "Metric value (unit per metric; see glossary)"),
    "rank": Label("Rank", INTEGER, "1 = best scenario for the economy on that metric"),
    "pairs": Label("Product-economy pairs", "#,##0", "Number of (HS product, economy) pairs "
                   "whose elasticities come from this rule"),
    "rule": Label("Rule", INTEGER, "Number of the elasticity rule (table 'elasticity_rules' "
                  "on the assumptions sheet) that set a pair's values"),
    "import_demand": Label("Import demand elasticity", ELASTICITY, "Em < 0, composite import "
                           "demand of the importer"),
    "substitution": Label("Substitution elasticity", ELASTICITY, "Es > 0, Armington "
                          "substitution among sources in the importer"),
    "export_supply": Label("Export supply elasticity", ELASTICITY, "Ex > 0 of the exporter; "
                           "'inf' = infinitely elastic"),
    "converged": Label("Converged", TEXT, "Exact solver converged for the product"),
    "residual": Label("Residual", "0.0E+00", "Max relative market-clearing residual"),
    "observed_share_of_trade": Label("Observed share of trade (%)", SHARE,
                                     "Share of base cross-border trade in cells whose value "
                                     "is observed (product x partner)"),
    "sector_observed_share_of_trade": Label(
        "Sector-observed share of trade (%)", SHARE, "Share of base cross-border trade "
        "in cells whose partner x commodity-group value is observed, the HS6 split imputed"),
    "imputed_share_of_trade": Label("Imputed share of trade (%)", SHARE,
                                    "Share of base cross-border trade in cells whose value "
                                    "is imputed"),
    "imputed_share_of_change": Label("Imputed share of trade change (%)", SHARE,
                                     "Share of the absolute cross-border trade change on "
                                     "imputed cells"),
    "observed_share_of_tariff_change": Label(
        "Observed share of tariff change (%)", SHARE, "Share of the tariff-change value "
        "(base trade x |new rate - base rate|) on tariff lines whose MFN rate is observed"),
    "sector_observed_share_of_tariff_change": Label(
        "Sector-observed share of tariff change (%)", SHARE, "Share of the tariff-change "
        "value on tariff lines whose sector rate is observed and HS6 spread imputed"),
    "imputed_share_of_tariff_change": Label(
        "Imputed share of tariff change (%)", SHARE, "Share of the tariff-change value "
        "(base trade x |new rate - base rate|) on tariff lines whose MFN rate is imputed"),
    "rate": Label("Rate (%)", RATE, "Ad valorem rate as a fraction shown in percent"),
    "mfn_rate": Label("MFN rate (%)", RATE, "MFN applied rate"),
    "preferential_rate": Label("Preferential rate (%)", RATE, "Best preferential rate "
                               "available to the pair"),
    "duty": Label("Additional duty (%)", RATE, "Additional duties in force on the date"),
    "net_welfare_rank": Label("Net welfare rank", INTEGER, "Rank of net welfare among "
                              "scenarios (1 = best)"),
    "exports_change_rank": Label("Exports change rank", INTEGER, "Rank of exports change "
                                 "(1 = best)"),
    "depth_index_rank": Label("Depth rank", INTEGER, "Rank of the depth index (1 = deepest)"),
    "first_tariff_only": Label("First (tariff only)", TEXT, "Scenario ranked first on the "
                               "metric, tariff channel only"),
    "value_tariff_only": Label("Value (tariff only)", "#,##0.000", "The first scenario's "
                               "value (unit of the metric: US$ thousand, share or index)"),
    "first_with_depth": Label("First (with depth channel)", TEXT, "Scenario ranked first "
                              "among the depth-channel variants"),
    "value_with_depth": Label("Value (with depth)", "#,##0.000", "Its value"),
    "critical_import_hhi": Label("Critical-input HHI", INDEX, "Herfindahl index of imports "
                                 "in critical sectors (lower = more diversified)"),
    "critical_china_share": Label("China share, critical inputs (%)", SHARE, "China's share "
                                  "of imports in critical sectors"),
    "composite": Label("Composite score", INDEX, "Weighted mean of scaled metrics (weights "
                       "sheet)"),
    "year": Label("Year", INTEGER, "Staging year: the baseline year, each intermediate "
                  "staging step of the agreements a scenario adds, and its full phase-in"),
    "step": Label("Step", TEXT, "'baseline' (zero), 'before: <parent>' (a scenario added "
                  "on top of another starts from that one's result), 'step k' (k-th "
                  "intermediate staging year) or 'full phase-in' (the scenario as defined)"),
    "model": Label("Model", TEXT, "smart (single market), gsim linear, gsim exact (multi-"
                   "market), ge (Caliendo-Parro sector model)"),
    "unit": Label("Unit", TEXT, "Unit of 'value'"),
    "ge_real_income": Label("GE real income change (%)", "0.000%;[Red]-0.000%", "Real income "
                            "change of the focus economy in the sector model (fraction)"),
    "rank_holds": Label("Rank holds?", TEXT, "'yes' when every model gives the scenario the "
                        "same rank for the focus economy, else 'no'"),
    "share_first_in_draws": Label("Ranks first in draws (%)", SHARE, "Share of the "
                                  "sensitivity draws in which the scenario ranks first for "
                                  "the focus economy (sensitivity run on the same inputs)"),
}
_GE_PCT = "0.000%;[Red]-0.000%"
for _name, _head, _definition in (
    ("welfare", "Real income change (%)", "GE: change in real income I / prod_j P_j^alpha_j "
     "(Caliendo & Parro 2015), fraction"),
    ("real_wage", "Real wage change (%)", "GE: w / prod_j P_j^alpha_j - 1, fraction"),
    ("terms_of_trade", "Terms of trade (%)", "GE: first-order terms-of-trade part of the "
     "real income change (Caliendo & Parro 2015, section 4), fraction"),
    ("volume_of_trade", "Volume of trade (%)", "GE: first-order volume-of-trade part of the "
     "real income change (tariff-weighted change in imports), fraction"),
    ("ge_output_change", "Output change (%)", "GE: change in the sector's gross output at "
     "producer prices, fraction"),
    ("ge_exports_change", "Exports change (%)", "GE: change in the sector's exports at "
     "producer prices, fraction"),
    ("ge_imports_change", "Imports change (%)", "GE: change in the sector's imports at "
     "producer prices, fraction"),
    ("ge_price_change", "Price index change (%)", "GE: change in the sector's price index "
     "P_hat - 1, fraction"),
    ("cost_change", "Non-tariff cost change (%)", "GE: iceberg trade-cost change of the depth "
     "channel, fraction"),
):
    LABELS[_name] = Label(_head, _GE_PCT, _definition)
for _m in ("smart", "gsim linear", "gsim exact", "ge"):
    LABELS[f"rank {_m}"] = Label(f"Rank, {_m}", INTEGER,
                                 f"Rank of the scenario for the focus economy under {_m} "
                                 "(net welfare; ge: real income)")


def label(name: str) -> Label:
    """The label of a column; unknown columns show their own name, general format."""
    return LABELS.get(name, Label(name, "General", ""))
