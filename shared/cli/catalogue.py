"""`antrean catalogue` and `antrean catalogue-import`: the SOP catalogue in force, shown, exported, replaced."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the whole catalogue as JSON.")
@click.option("--yaml", "as_yaml", is_flag=True, help="Print it as a data file (export; `catalogue-import` reads it).")
@click.option("--file", "path", default=None, help="A catalogue file (default: the one in force in the database).")
def catalogue(as_json: bool, as_yaml: bool, path: str | None) -> None:
    """Show the SOP catalogue in force: every service with its steps."""
    from antrean.shared.bootstrap import open_office
    from antrean.shared.domain.catalogue import CatalogueError, dump_catalogue, load_catalogue

    try:
        cat = load_catalogue(path) if path else open_office().catalogue
    except CatalogueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(cat.to_json())
        return
    if as_yaml:
        click.echo(dump_catalogue(cat), nl=False)
        return
    click.echo(f"{cat.office.name} ({cat.office.code}), {cat.office.address}")
    for service in cat.services.values():
        sop = cat.sop_of(service)
        click.echo("")
        click.echo(f"[{service.prefix}] {service.code:<17} {service.name}  ({service.group_name}"
                   f"{', ' + sop.number if sop else ''}; {service.total_minutes} menit)")
        for step in service.steps:
            mark = " MS/TMS" if step.decision else ""
            click.echo(f"    {step.number}. {step.activity[:62]:<62} {step.actor_name:<29} {step.minutes:>3} mnt{mark}")


@click.command("catalogue-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--note", default="", help="A note for the version history.")
def catalogue_import(path: str, note: str) -> None:
    """Put a catalogue data file in force (validated; audited as `cli`). New tickets follow it at once;
    tickets in progress keep their flow. The same as importing on /counter/admin/."""

    from antrean.shared.bootstrap import open_office
    from antrean.shared.services import administration
    from antrean.shared.services.desk import Actor, OperationError

    desk = open_office()
    try:
        version = administration.import_catalogue(desk, Actor(None, "cli", frozenset({"admin"})),
                                                  Path(path).read_bytes(), note or f"impor {Path(path).name}")
    except OperationError as exc:
        raise click.ClickException(str(exc)) from None
    cat = desk.catalogue
    click.echo(f"catalogue version {version} in force: {cat.office.name}, {len(cat.services)} services")
