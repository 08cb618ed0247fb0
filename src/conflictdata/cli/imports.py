"""`conflictdata import SOURCE`: openly licensed upstream datasets merged into a package, with
their provenance.

Adding an importer is one command here: its own arguments, then `ImportPathArg`, `PackageOpt`,
`DryRunOpt` and `AnnotatedFormat`, and a body of one call,
`run_import(command, path, package, dry_run, format, lambda target: importer(..., package_path=target, dry_run=dry_run))`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from .common import echo_json, errors, fail, package as discovered, say
from .options import AnnotatedFormat, DryRunOpt, ImportPathArg, OutputFormat, PackageOpt
from .params import CONTEXT, Typer

__all__ = ["import_app", "run_import"]

import_app = Typer(help="Import openly licensed upstream datasets into the package, with their provenance.", no_args_is_help=True,
                   rich_markup_mode=None, context_settings=CONTEXT)


def run_import(command: str, path: Optional[Path], package: Optional[Path], dry_run: bool, format: OutputFormat,
               run: Callable[[Path], Any]) -> None:
    """Find the target package (PATH, or the hidden --package), call `run` with it and render the
    import's result: counts, warnings and retractions as notices, or the result as JSON."""
    if path is not None and package is not None and path != package:
        raise fail(f"two packages given ({path} and --package {package}); give only PATH")
    target = discovered(path or package, writes=None if dry_run else command)
    with errors(format, "import"):
        result = run(target)
    if format is OutputFormat.json:
        echo_json(result.to_dict())
        return
    for table, c in result.counts.items():
        say(format, "notice", f"{table}: {c['added']} added, {c['changed']} changed, {c['removed']} removed, {c['unchanged']} unchanged", title="import")
    for w in result.warnings:
        say(format, "warning", w, title="import")
    for r in result.retracted[:20]:
        say(format, "notice", f"retracted (gone upstream): {r}", title="import")
    verb = "would write" if dry_run else "wrote"
    say(format, "notice", f"{verb} {', '.join(result.written)}" if result.written else "nothing changed", title="import")


@import_app.command("genstaff")
def import_genstaff_command(
    file: Annotated[Path, typer.Argument(help="russia_losses_personnel.json of the 2022-Ukraine-Russia-War-Dataset (SOURCE.txt beside it).")],
    path: ImportPathArg = None,
    package: PackageOpt = None,
    dry_run: DryRunOpt = False,
    format: AnnotatedFormat = OutputFormat.text,
) -> None:
    """Import the General Staff of the Armed Forces of Ukraine's daily loss claims into casualty_claims.

    Each day's cumulative 'personnel' figure becomes one claim (and each POW figure another),
    with its qualifier as published. Ids come from the dates, so re-running changes nothing and an
    upstream correction shows up as a changed claim.

    Example:

      conflictdata import genstaff ../shared/data/ukr-genstaff-russia-losses/russia_losses_personnel.json
    """
    from ..importers.genstaff import import_genstaff

    run_import("import genstaff", path, package, dry_run, format,
               lambda target: import_genstaff(file, package_path=target, dry_run=dry_run))


@import_app.command("genstaff-equipment")
def import_genstaff_equipment_command(
    file: Annotated[Path, typer.Argument(help="russia_losses_equipment.json of the 2022-Ukraine-Russia-War-Dataset (SOURCE.txt beside it).")],
    path: ImportPathArg = None,
    corrections: Annotated[Optional[Path], typer.Option("--corrections", metavar="FILE", help="russia_losses_equipment_correction.json: its adjustments make the day's claims supersede the day before's.")] = None,
    package: PackageOpt = None,
    dry_run: DryRunOpt = False,
    format: AnnotatedFormat = OutputFormat.text,
) -> None:
    """Import the General Staff's daily cumulative equipment-loss claims (one claim per day and category).

    Needs the General Staff actor the personnel import creates (`import genstaff` first). With
    --corrections, a day whose figures include a retroactive adjustment supersedes the day before.

    Example:

      conflictdata import genstaff-equipment ../shared/data/ukr-genstaff-russia-losses/russia_losses_equipment.json --corrections ../shared/data/ukr-genstaff-russia-losses/russia_losses_equipment_correction.json
    """
    from ..importers.genstaff_equipment import import_genstaff_equipment

    run_import("import genstaff-equipment", path, package, dry_run, format,
               lambda target: import_genstaff_equipment(file, corrections, package_path=target, dry_run=dry_run))


@import_app.command("oryx")
def import_oryx_command(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Versions of russia_losses_equipment_oryx.json (SOURCE.txt beside them or in the folder above lists each version's date, commit and sha256).")],
    package: Annotated[Optional[Path], typer.Option("--package", "-p", metavar="PATH", help="The package to import into. Default: the nearest datapackage.json in this folder or above.")] = None,
    dry_run: DryRunOpt = False,
    format: AnnotatedFormat = OutputFormat.text,
) -> None:
    """Import Oryx's documented equipment losses: per version and category a claim (the sum over models), the models in claim_breakdowns.

    It takes several files, so its package is given with --package (not a trailing PATH).

    Example:

      conflictdata import oryx ../shared/data/ukr-genstaff-russia-losses/oryx-history/*.json
    """
    from ..importers.oryx import import_oryx

    run_import("import oryx", None, package, dry_run, format,
               lambda target: import_oryx(files, package_path=target, dry_run=dry_run))


@import_app.command("ucdp-ged")
def import_ucdp_command(
    file: Annotated[Path, typer.Argument(help="A UCDP GED country extract (CSV; 22.1, 20.x or 19.x layout; SOURCE.txt beside it).")],
    path: ImportPathArg = None,
    actors: Annotated[Optional[Path], typer.Option("--actors", metavar="FILE", help="The UCDP Actor dataset CSV, for actor names and types.")] = None,
    stated: Annotated[Optional[str], typer.Option("--stated", metavar="YYYY-MM-DD", help="The claims' statement date for a GED release the importer does not know: the date its codebook gives.")] = None,
    package: PackageOpt = None,
    dry_run: DryRunOpt = False,
    format: AnnotatedFormat = OutputFormat.text,
) -> None:
    """Import a UCDP GED extract: events, their sides as actors, sources, and UCDP's fatality estimates as claims.

    Columns are read by name, so older layouts work; a missing required column is named. Ids come
    from UCDP's ids (EVT-UCDP-<id>, CLM-UCDP-<id>, ACT-UCDP-<ActorId>); curated rows are never
    overwritten, and an event gone upstream is retracted, not deleted.

    Example:

      conflictdata import ucdp-ged ../shared/data/ucdp-ged-ukraine-v22/conflict_data_ukr.csv --actors ../shared/data/ucdp-actors-v22/ucdp-actor-221.csv
    """
    from ..importers.ucdp import import_ucdp_ged

    run_import("import ucdp-ged", path, package, dry_run, format,
               lambda target: import_ucdp_ged(file, actors_file=actors, package_path=target, dry_run=dry_run, statement_date=stated))
