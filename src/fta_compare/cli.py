"""``fta-compare`` command line: a thin layer over :mod:`fta_compare.api`.

Exit codes: 0 ok, 1 input or model failure (explained on stderr), 2 usage error.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from fta_compare import __version__, api
from fta_compare.errors import InputError, Issue, ModelError, OutputError
from fta_compare.phases import Phases
from fta_compare.report.detail import DETAIL_MODES

DEFAULT_OUT = Path("outputs/comparison.xlsx")
PE_MODELS = ("smart", "gsim")


def _print_issues(issues: list[Issue]) -> None:
    for i in issues:
        click.echo(str(i), err=True)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn user mistakes into messages and exit code 1; never a bare traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.pop("debug", False)
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            _print_issues(exc.issues)
            n = sum(1 for i in exc.issues if i.severity == "error")
            click.echo(f"fta-compare: {n} input error(s); nothing was written.", err=True)
            sys.exit(1)
        except (ModelError, OutputError) as exc:
            click.echo(f"fta-compare: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("fta-compare: interrupted; no partial output was left.", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug, not a user mistake: short message, details on demand
            if debug:
                raise
            click.echo(f"fta-compare: internal error: {type(exc).__name__}: {exc}\n"
                       "Re-run with --debug for the traceback and please report it.", err=True)
            sys.exit(1)

    return click.option("--debug", is_flag=True, hidden=True)(wrapper)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fta-compare")
def main() -> None:
    """Compare trade agreements and tariff deals: product-level partial-equilibrium
    models (SMART, GSIM) beside a general-equilibrium sector lens (Caliendo-Parro).

    \b
    Examples:
      fta-compare run                              # bundled default tables
      fta-compare run my_tariffs.xlsx --model gsim --solution exact
      fta-compare validate my_tariffs.xlsx
      fta-compare template blank_inputs.xlsx
    """


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--model", type=click.Choice(api.MODELS), default=api.DEFAULT_MODEL,
              show_default=True, help="smart: single market (WITS-SMART); gsim: multi-market "
              "(GSIM); ge: the sector model (Caliendo-Parro) as headline, with exact GSIM "
              "for product detail.")
@click.option("--solution", type=click.Choice(api.SOLUTIONS), default=None,
              help="gsim: linearised or exact constant-elasticity (default exact; smart is "
              "linear).")
@click.option("--focus", default=None, help="Focus economy (ISO3); default meta 'focus', "
              "else KOR, else the largest economy.")
@click.option("--depth-channel", is_flag=True,
              help="Also report each scenario with the rule-depth trade-cost cut (DESIGN 3d).")
@click.option("--detail", type=click.Choice(DETAIL_MODES), default="summary",
              show_default=True, help="summary: large detail tables hold a documented "
              "selection in the workbook (complete in the Parquet files); full: every row.")
@click.option("--no-ge", is_flag=True, help="Skip the sector model even when the inputs "
              "have ge_* sheets.")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT,
              show_default=True, help="Output workbook.")
@click.option("--force", is_flag=True, help="Replace existing outputs.")
@click.option("--quiet", is_flag=True, help="No progress display on stderr.")
@_guard
def run(inputs: tuple[Path, ...], model: str, solution: str | None, focus: str | None,
        depth_channel: bool, detail: str, no_ge: bool, out: Path, force: bool,
        quiet: bool) -> None:
    """Run every scenario against the baseline and write the comparison workbook.

    \b
    With no INPUTS the bundled tables in tariff_tables/ are used. Progress goes to
    stderr (on a terminal); the focus economy's scorecard is printed at the end.
    Examples:
      fta-compare run
      fta-compare run tariffs.xlsx trade.parquet --model smart --out outputs/smart.xlsx
    """
    from fta_compare.report.atomic import check_targets
    from fta_compare.report.terminal import scorecard_text, warning_digest
    from fta_compare.report.writer import write_report

    check_targets([out], force)  # fail before the run; the detail files are checked later
    phases = Phases(show=False if quiet else None)
    # the sector model solves in a low-priority process while the workbook is written
    result = api.run(list(inputs) or None, model=model, solution=solution, focus=focus,
                     depth_channel=depth_channel, ge_lens=not no_ge, phases=phases,
                     command=" ".join(["fta-compare", *sys.argv[1:]]), ge_later=True)
    result = api.with_sensitivity(result, out.with_name("sensitivity.xlsx"))
    with phases.phase("write", "writing the workbook"):
        written = write_report(result, out, force=force, detail=detail)
        result = api.complete(result)  # in already: the workbook needed it
    phases.close()
    for line in warning_digest(result.warnings, out, shown=bool(phases.show)):
        click.echo(line, err=True)
    click.echo(scorecard_text(result, written, phases.total))


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--draws", type=click.IntRange(min=1), default=200, show_default=True,
              help="Number of elasticity draws.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Random seed: same seed and chunk size, same results on any engine "
              "or number of workers.")
@click.option("--model", type=click.Choice(PE_MODELS), default=api.DEFAULT_MODEL,
              show_default=True, help="smart: single-market (WITS-SMART); gsim: multi-market "
              "(GSIM).")
@click.option("--solution", type=click.Choice(api.SOLUTIONS), default=None,
              help="gsim only: linearised or exact constant-elasticity (default exact; smart "
              "is linear).")
@click.option("--focus", default=None, help="Focus economy (ISO3); default meta 'focus' or KOR.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Run on this Dask scheduler (needs the 'dask' extra) instead of locally.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local processes (default: CPU count; 1 = in this process; ignored "
              "with --scheduler).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=8, show_default=True,
              help="Draws solved together in one vectorised task.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("outputs/sensitivity.xlsx"),
              show_default=True, help="Output workbook.")
@click.option("--force", is_flag=True, help="Replace an existing output.")
@_guard
def sensitivity(inputs: tuple[Path, ...], draws: int, seed: int, model: str,
                solution: str | None,
                focus: str | None, scheduler: str | None, workers: int | None,
                chunk_size: int, quiet: bool, out: Path, force: bool) -> None:
    """Monte Carlo over the elasticities: rerun every scenario for each draw.

    \b
    Distributions come from the optional 'elasticity_draws' sheet, else lognormal with
    sd of log 0.25 around the point values. Writes mean, std, p5/p50/p95 per metric and
    how often each scenario ranks first for the focus economy.
    Examples:
      fta-compare sensitivity --draws 500 --seed 1
      fta-compare sensitivity tariffs.xlsx --draws 2000 --scheduler tcp://10.0.0.5:8786
    """
    from fta_compare.report.atomic import check_targets
    from fta_compare.report.writer import write_sensitivity
    from fta_compare.sensitivity import run_sensitivity

    check_targets([out], force)
    result = run_sensitivity(list(inputs) or None, model=model,
                             solution=api.default_solution(model, solution), focus=focus,
                             draws=draws, seed=seed, workers=workers, scheduler=scheduler,
                             chunk_size=chunk_size, progress=not quiet,
                             command=" ".join(["fta-compare", *sys.argv[1:]]))
    if result.draws_failed:
        click.echo(f"{result.draws_failed} of {result.draws} draws failed in at least one "
                   "scenario (counted in draws_failed)", err=True)
    click.echo(f"wrote {write_sensitivity(result, out, force=force)}")


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@_guard
def validate(inputs: tuple[Path, ...]) -> None:
    """Check input files; list every problem (file, sheet, cell, value, rule).

    \b
    Exit 1 if any error is found. Example:
      fta-compare validate tariffs.xlsx trade.csv
    """
    issues = api.validate(list(inputs))
    _print_issues(issues)
    errors = sum(1 for i in issues if i.severity == "error")
    warnings = len(issues) - errors
    if errors:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
        sys.exit(1)
    click.echo(f"ok: no errors, {warnings} warning(s)")


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing file.")
@_guard
def template(path: Path, force: bool) -> None:
    """Write an empty input workbook with every sheet, headers, validation and a README.

    \b
    Example:
      fta-compare template my_inputs.xlsx
    """
    from fta_compare.report.template import write_template

    click.echo(f"wrote {write_template(path, force=force)}")


@main.group("import")
def import_group() -> None:
    """Replace imputed parts of an input workbook with BACI, WITS or other downloads.

    \b
    Each command writes a copy of the base workbook (default: the bundled tables) in
    which the rows the download covers are replaced (quality = observed:<source>),
    then validates it. Examples:
      fta-compare import baci BACI_HS22_Y2022_V202501.csv --year 2022 \\
          --countries KOR,JPN,CHN --out tariffs_baci.xlsx
      fta-compare import wits-tariffs kor_mfn.csv --base tariffs_baci.xlsx \\
          --out tariffs_obs.xlsx
      fta-compare import table imports.csv --sheet trade --map importer=ReporterISO \\
          --map exporter=PartnerISO --map hs=Cmd --map value=TradeValue --out t.xlsx
    """


def _base_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed([
        click.option("--base", type=click.Path(path_type=Path), multiple=True,
                     help="Base workbook (repeatable); default: the bundled tables."),
        click.option("--out", type=click.Path(path_type=Path), required=True,
                     help="Output workbook (.xlsx)."),
        click.option("--force", is_flag=True, help="Replace an existing output."),
        click.option("--no-validate", is_flag=True,
                     help="Skip validating the written workbook (faster)."),
    ]):
        fn = opt(fn)
    return fn


def _echo_import(result: Any) -> None:
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(result.summary())


@import_group.command("baci")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--year", type=int, required=True, help="Year of the flows (BACI column t).")
@click.option("--countries", required=True, metavar="KOR,JPN,CHN",
              help="Importers to take from BACI (ISO3 or base regions, e.g. ROW).")
@click.option("--hs-revision", default=None, metavar="HS22",
              help="HS revision of the file (default: from its name, BACI_HS22_...).")
@click.option("--concordance", type=click.Path(path_type=Path), default=None,
              help="CSV from,to[,weight] to convert codes to the base's HS revision.")
@click.option("--country-codes", type=click.Path(path_type=Path), default=None,
              help="BACI's country_codes_V*.csv (default: built-in ISO + BACI codes).")
@click.option("--complete-aggregates", is_flag=True,
              help="The file holds every member of the aggregates (ROW, regions) whose "
              "pairs it replaces; recorded in the workbook.")
@click.option("--allow-low-totals", is_flag=True,
              help="Replace pairs even where the file's total is below 25% of the base's; "
              "recorded in the workbook.")
@click.option("--drop-unmapped-codes", is_flag=True,
              help="Drop codes the --concordance lacks (value lost reported and recorded) "
              "instead of refusing.")
@_base_option
@_guard
def import_baci_cmd(file: Path, year: int, countries: str, hs_revision: str | None,
                    concordance: Path | None, country_codes: Path | None,
                    complete_aggregates: bool, allow_low_totals: bool,
                    drop_unmapped_codes: bool, base: tuple[Path, ...], out: Path, force: bool,
                    no_validate: bool) -> None:
    """Import CEPII BACI flows (t,i,j,k,v,q) into the trade sheet, pair by pair."""
    from fta_compare.importers import import_baci

    _echo_import(import_baci(file, year=year, countries=countries, base=base or None,
                             out=out, force=force, hs_revision=hs_revision,
                             concordance=concordance, country_codes=country_codes,
                             complete_aggregates=complete_aggregates,
                             allow_low_totals=allow_low_totals,
                             drop_unmapped=drop_unmapped_codes, validate=not no_validate))


@import_group.command("wits-tariffs")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--agreement", default=None,
              help="Agreement of PRF rows not matched by --program-map.")
@click.option("--program-map", type=click.Path(path_type=Path), default=None,
              help="CSV program,agreement[,exporter,importer] (WITS partner code/name).")
@click.option("--duty-type", type=click.Choice(["MFN", "PRF"], case_sensitive=False),
              default=None, help="Duty type of files without a DutyType column.")
@click.option("--keep-base-rows", is_flag=True,
              help="Keep base rows of products the file has no rate for.")
@click.option("--hs-revision", default=None, help="HS revision (default: NomenCode).")
@click.option("--concordance", type=click.Path(path_type=Path), default=None,
              help="CSV from,to to convert codes to the base's HS revision.")
@click.option("--input-sheet", default=None, help="Sheet of an xlsx download.")
@click.option("--drop-unmapped-codes", is_flag=True,
              help="Drop codes the --concordance lacks (reported and recorded) instead of "
              "refusing.")
@_base_option
@_guard
def import_wits_cmd(file: Path, agreement: str | None, program_map: Path | None,
                    duty_type: str | None, keep_base_rows: bool, hs_revision: str | None,
                    concordance: Path | None, input_sheet: str | None,
                    drop_unmapped_codes: bool, base: tuple[Path, ...], out: Path, force: bool,
                    no_validate: bool) -> None:
    """Import a WITS/TRAINS tariff download: MFN -> mfn, PRF -> preferences."""
    from fta_compare.importers import import_wits_tariffs

    _echo_import(import_wits_tariffs(
        file, base=base or None, out=out, force=force, agreement=agreement,
        program_map=program_map, duty_type=duty_type, keep_base_rows=keep_base_rows,
        hs_revision=hs_revision, concordance=concordance, sheet=input_sheet,
        drop_unmapped=drop_unmapped_codes, validate=not no_validate))


@import_group.command("table")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--sheet", required=True, help="Contract sheet to fill (trade, mfn, ...).")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=SOURCE",
              help="Contract column = column of the file (repeatable).")
@click.option("--map-file", type=click.Path(path_type=Path), default=None,
              help="CSV with columns target,source.")
@click.option("--set", "sets", multiple=True, metavar="COLUMN=VALUE",
              help="Constant value of a contract column (repeatable).")
@click.option("--input-sheet", default=None, help="Sheet of an xlsx file.")
@click.option("--scale", type=float, default=None, help="Multiply 'value' columns.")
@click.option("--percent", is_flag=True, help="Rates are percent: divide by 100.")
@click.option("--quality", default=None, help="Quality label (default observed:<file>).")
@click.option("--allow-low-totals", is_flag=True,
              help="trade: replace pairs even where the file's total is below 25% of the "
              "base's; recorded in the workbook.")
@_base_option
@_guard
def import_table_cmd(file: Path, sheet: str, maps: tuple[str, ...], map_file: Path | None,
                     sets: tuple[str, ...], input_sheet: str | None, scale: float | None,
                     percent: bool, quality: str | None, allow_low_totals: bool,
                     base: tuple[Path, ...], out: Path, force: bool,
                     no_validate: bool) -> None:
    """Import any CSV/xlsx table into a contract sheet with a column mapping."""
    from fta_compare.importers import import_table, parse_mapping

    _echo_import(import_table(
        file, sheet=sheet, mapping=parse_mapping(maps, map_file),
        constants=parse_mapping(sets, option="--set"), base=base or None, out=out, force=force,
        input_sheet=input_sheet, scale=scale, percent=percent, quality=quality,
        allow_low_totals=allow_low_totals, validate=not no_validate))


if __name__ == "__main__":  # pragma: no cover
    main()
