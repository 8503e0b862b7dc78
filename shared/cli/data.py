"""`antrean backup`, `restore`, `purge` and `copy-db` (docs/operations.md, docs/deployment.md)."""
from __future__ import annotations

import click

from antrean.shared.cli.common import configured_sessions, safe_url


@click.command()
@click.option("--to", "target", default=None,
              help="File, or folder ending in / (default: <instance>/backups/), for the copy.")
def backup(target: str | None) -> None:
    """A consistent copy of the database while the server runs (SQLite), or pg_dump (PostgreSQL)."""
    from antrean.shared.config import load_config
    from antrean.shared.services.backup import (
        BackupError,
        backup_postgresql,
        backup_sqlite,
        default_target,
        sqlite_path,
    )

    cfg = load_config()
    try:
        db = sqlite_path(cfg["DATABASE_URL"])
        if db is None:
            path = backup_postgresql(cfg["DATABASE_URL"], target or f"{cfg['INSTANCE'] / 'backups'}/")
            click.echo(f"backup written with pg_dump: {path}")
            return
        info = backup_sqlite(db, target or default_target(cfg["INSTANCE"]))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written: {info.describe()}")


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path: str, yes: bool) -> None:
    """Replace the SQLite database with a backup (the replaced one is kept under <instance>/backups/)."""
    from pathlib import Path

    from antrean.shared.config import load_config
    from antrean.shared.services.backup import BackupError, inspect, pg_dump_advice, restore_sqlite, sqlite_path
    from antrean.shared.store.db import upgrade

    cfg = load_config()
    db = sqlite_path(cfg["DATABASE_URL"])
    if db is None:
        raise click.ClickException("restore works on SQLite only.\n" + pg_dump_advice(cfg["DATABASE_URL"]))
    try:
        info = inspect(Path(path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup: {info.describe()}")
    click.echo("Warning: stop `antrean serve` first. A running server keeps working on the restored data,\n"
               "but tickets issued since the backup are gone (the current database is kept as a copy).")
    if not yes:
        click.confirm(f"Replace {db} with this backup?", abort=True)
    try:
        info, kept = restore_sqlite(Path(path), db, cfg["INSTANCE"] / "backups")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    upgrade(cfg["DATABASE_URL"])  # an older backup is brought to this version's schema
    kept_note = f"; the replaced database is kept at {kept}" if kept else ""
    click.echo(f"restored {info.tickets} tickets into {db}{kept_note}")


@click.command()
@click.option("--days", type=int, default=None, help="Override ANTREAN_RETENTION_DAYS.")
@click.option("--dry-run", is_flag=True, help="Only count the tickets whose personal data would be removed.")
def purge(days: int | None, dry_run: bool) -> None:
    """Remove personal data of tickets finished more than the retention period ago (statistics stay)."""
    from antrean.shared.config import load_config
    from antrean.shared.services import retention

    days = load_config()["RETENTION_DAYS"] if days is None else days
    if days < 1:
        raise click.ClickException("no retention period: set ANTREAN_RETENTION_DAYS or give --days N")
    sessions = configured_sessions()
    if dry_run:
        click.echo(f"{retention.pending(sessions, days)} finished tickets older than {days} days hold personal data")
        return
    result = retention.purge(sessions, days)
    click.echo(f"personal data removed from {result.tickets} tickets, {result.step_notes} step notes, "
               f"{result.survey_comments} survey comments (finished before {result.cutoff:%Y-%m-%d %H:%M} UTC)")


@click.command("copy-db")
@click.option("--from", "source", required=True, help="Source database URL, e.g. sqlite:///instance/antrean.db")
@click.option("--to", "target", required=True, help="Target database URL (a new, empty database), e.g. postgresql://antrean@localhost/antrean")
def copy_db(source: str, target: str) -> None:
    """Copy every table to a new database (SQLite -> PostgreSQL), then fix its id sequences."""
    from antrean.shared.store.copy_db import CopyError, copy_database

    try:
        result = copy_database(source, target, progress=lambda t, n: click.echo(f"  {t:<18} {n:>9} rows"))
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"copied {result.total} rows from {safe_url(source)} to {safe_url(target)}")
