"""The `antrean` command: serve, init-db, catalogue, demo."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        # gevent must patch the standard library before anything else imports it.
        from gevent import monkey

        monkey.patch_all()
    cli(args=argv, prog_name="antrean")


import click  # noqa: E402  (after main, so `serve` can patch first)


@click.group()
def cli() -> None:
    """Antrean: queue, display and SOP workflow for a kecamatan service desk."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the production server (gevent WSGI server with WebSocket support)."""
    import logging

    from antrean.shared.app import create_app
    from antrean.shared.realtime.hub import socketio

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app({"ASYNC_MODE": "gevent"})
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    desk = app.extensions["antrean"]
    click.echo(f"Antrean for {desk.catalogue.office.name}: {len(desk.catalogue.services)} services")
    click.echo(f"  database : {_safe_url(app.config['DATABASE_URL'])}")
    click.echo(f"  printer  : {app.extensions['antrean.printer'].printer.describe()}")
    click.echo(f"  speech   : {app.extensions['antrean.display'].summary()}")
    click.echo(f"  kiosk    : {base}/kiosk/")
    click.echo(f"  display  : {base}/display/")
    click.echo(f"  counter  : {base}/counter/   (staff accounts: `antrean demo` creates demo ones)")
    click.echo(f"  API      : {base}/api/v1/services")
    sys.stdout.flush()
    from antrean.shared.cli.serving import NoDelayHandler, freeze_startup_objects

    freeze_startup_objects()
    socketio.run(app, host=host, port=port, log_output=False, handler_class=NoDelayHandler)


@cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from antrean.shared.config import load_config
    from antrean.shared.store.db import upgrade

    url = load_config()["DATABASE_URL"]
    upgrade(url)
    click.echo(f"database ready: {_safe_url(url)}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the whole catalogue as JSON.")
@click.option("--yaml", "as_yaml", is_flag=True, help="Print it as a data file (export; `catalogue-import` reads it).")
@click.option("--file", "path", default=None, help="A catalogue file (default: the one in force in the database).")
def catalogue(as_json: bool, as_yaml: bool, path: str | None) -> None:
    """Show the SOP catalogue in force: every service with its steps."""
    from antrean.shared.domain.catalogue import CatalogueError, dump_catalogue, load_catalogue

    try:
        cat = load_catalogue(path) if path else _office_desk().catalogue
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


@cli.command("catalogue-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--note", default="", help="A note for the version history.")
def catalogue_import(path: str, note: str) -> None:
    """Put a catalogue data file in force (validated; audited as `cli`). New tickets follow it at once;
    tickets in progress keep their flow. The same as importing on /counter/admin/."""
    from pathlib import Path

    from antrean.shared.services import administration
    from antrean.shared.services.desk import Actor, OperationError

    desk = _office_desk()
    try:
        version = administration.import_catalogue(desk, Actor(None, "cli", frozenset({"admin"})),
                                                  Path(path).read_bytes(), note or f"impor {Path(path).name}")
    except OperationError as exc:
        raise click.ClickException(str(exc)) from None
    cat = desk.catalogue
    click.echo(f"catalogue version {version} in force: {cat.office.name}, {len(cat.services)} services")


def _office_desk():
    """A Desk over the configured database with the catalogue in force (the file, or the newest edit)."""
    from antrean.shared.config import load_config
    from antrean.shared.domain.catalogue import load_catalogue
    from antrean.shared.services.desk import Desk
    from antrean.shared.store.catalogue_versions import CatalogueStore
    from antrean.shared.store.db import make_engine, make_sessionmaker, upgrade

    cfg = load_config()
    upgrade(cfg["DATABASE_URL"])
    sessions = make_sessionmaker(make_engine(cfg["DATABASE_URL"]))
    shipped = load_catalogue(cfg["CATALOGUE"])
    desk = Desk(shipped, sessions)
    desk.catalogue_store = CatalogueStore(sessions, shipped)
    return desk


DEMO_LOKETS = [
    (1, "Loket 1", ["adminduk"]),
    (2, "Loket 2", ["surat_keterangan"]),
    (3, "Loket 3", ["perizinan", "pengaduan"]),
]
DEMO_USERS = [
    ("pelayanan1", "Petugas Pelayanan 1", ["petugas_pelayanan"], 1),
    ("pelayanan2", "Petugas Pelayanan 2", ["petugas_pelayanan"], 2),
    ("verifikasi", "Petugas Verifikasi", ["petugas_verifikasi"], 1),
    ("register", "Petugas Register", ["petugas_register"], None),
    ("kasi", "Kasi Pelayanan dan Perizinan", ["kasi_pelayanan"], None),
    ("sekcam", "Sekretaris Kecamatan", ["sekcam"], None),
    ("camat", "Camat", ["camat"], None),
    ("teknis", "Tim Teknis OSS", ["tim_teknis"], 3),
    ("pengolah", "Pengolah Data OSS", ["pengolah_data"], None),
    ("pengaduan", "Tim Pengaduan", ["tim_pengaduan"], 3),
    ("admin", "Administrator", ["admin"], None),
]


@cli.command()
def demo() -> None:
    """Create demo lokets and one user per role; print each new password once."""
    from antrean.shared.config import load_config
    from antrean.shared.store.db import make_engine, make_sessionmaker, upgrade

    url = load_config()["DATABASE_URL"]
    upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    made = create_demo(sessions)
    if not made:
        click.echo("demo users already exist; nothing created")
        return
    click.echo("Demo accounts (passwords are shown only now):")
    for username, password, roles in made:
        click.echo(f"  {username:<12} {password:<16} {', '.join(roles)}")


def create_demo(sessions, hasher=None) -> list[tuple[str, str, list[str]]]:
    from sqlalchemy import select

    from antrean.shared.services.passwords import hash_password, new_password
    from antrean.shared.store.db import transaction
    from antrean.shared.store.models import Loket, User

    made = []
    with transaction(sessions) as s:
        lokets = {}
        for number, name, groups in DEMO_LOKETS:
            loket = s.scalar(select(Loket).where(Loket.number == number))
            if loket is None:
                loket = Loket(number=number, name=name, groups=groups, active=True)
                s.add(loket)
                s.flush()
            lokets[number] = loket
        for username, full_name, roles, loket in DEMO_USERS:
            if s.scalar(select(User).where(User.username == username)) is not None:
                continue
            password = new_password()
            s.add(User(username=username, full_name=full_name, password_hash=(hasher or hash_password)(password),
                       roles=roles, active=True, loket_id=lokets[loket].id if loket else None))
            made.append((username, password, roles))
    return made


# -- agents and other commands are added below this line ------------------------------------


@cli.command("speaker-agent")
@click.option("--server", required=True, help="The Antrean server, e.g. http://10.0.0.5:5000")
@click.option("--wav-dir", default=None, type=click.Path(file_okay=False),
              help="Write each announcement to a numbered WAV file here instead of playing it.")
@click.option("--lang", type=click.Choice(["id", "en", "id+en"]), default=None,
              help="Announce in this language (default: as the office's display settings say).")
@click.option("--reading", type=click.Choice(["number", "digits"]), default=None,
              help="Read A012 as 'A dua belas' (number) or 'A nol satu dua' (digits).")
@click.option("--rate", default=150, show_default=True, type=int, help="Speaking rate, words per minute.")
@click.option("--voice-id", default=None, help="pyttsx3 voice for Indonesian (default: poz/id or an id-ID voice).")
@click.option("--voice-en", default=None, help="pyttsx3 voice for English.")
@click.option("--player", default=None, help="Command that plays a WAV file (default: found on PATH; winsound on Windows).")
@click.option("--cache", default=None, type=click.Path(file_okay=False), help="Phrase cache folder.")
@click.option("--no-chime", is_flag=True, help="Speak without the chime before each call.")
def speaker_agent(server, wav_dir, lang, reading, rate, voice_id, voice_en, player, cache, no_chime) -> None:
    """Speak every call on this machine's speakers (a PA system), in order, through pyttsx3."""
    import logging
    import signal

    from antrean.hardware.agents.speaker_agent import make_agent

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    agent = make_agent(server, wav_dir=wav_dir, lang=lang, reading=reading, chime=not no_chime, cache=cache,
                       rate=rate, voice_id=voice_id, voice_en=voice_en, player=player)
    ok, why = agent.synth.available((lang or "id").split("+")[0])
    click.echo(f"Antrean speaker agent for {server}")
    click.echo(f"  speech : {agent.synth.describe() if ok else f'unavailable ({why}); chime only'}")
    click.echo(f"  output : {agent.output.describe()}")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: agent.stop())
    try:
        agent.run()
    except KeyboardInterrupt:
        pass
    finally:
        agent.stop()


@cli.group()
def token() -> None:
    """Device tokens for print agents, speaker agents, call buttons and scripts."""


@token.command("create")
@click.option("--name", required=True, help="A name for the device, e.g. kiosk-1 or loket-2-button.")
@click.option("--kind", type=click.Choice(["api", "print_agent", "speaker_agent"]), required=True)
@click.option("--user", "username", default=None, help="The user an api token acts for (its roles apply).")
def token_create(name: str, kind: str, username: str | None) -> None:
    """Make a token and print it once (only its hash is stored)."""
    from antrean.shared.config import load_config
    from antrean.shared.services.tokens import create_token
    from antrean.shared.store.db import make_engine, make_sessionmaker, upgrade

    url = load_config()["DATABASE_URL"]
    upgrade(url)
    try:
        value = create_token(make_sessionmaker(make_engine(url)), name, kind, username)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(value)


def _sessions():
    from antrean.shared.config import load_config
    from antrean.shared.store.db import make_engine, make_sessionmaker, upgrade

    url = load_config()["DATABASE_URL"]
    upgrade(url)
    return make_sessionmaker(make_engine(url))


@token.command("list")
def token_list() -> None:
    """The devices with a token (never the tokens)."""
    from antrean.shared.services.print_queue import list_tokens

    for t in list_tokens(_sessions()):
        seen = f"{t['last_seen_at']:%Y-%m-%d %H:%M} UTC" if t["last_seen_at"] else "never"
        click.echo(f"{t['name']:<20} {t['kind']:<14} {'active' if t['active'] else 'revoked':<8} last seen {seen}")


@token.command("revoke")
@click.argument("name")
def token_revoke(name: str) -> None:
    """Delete a device's token: the device is refused from its next connection on."""
    from antrean.shared.services.print_queue import revoke_token

    if not revoke_token(_sessions(), name):
        raise click.ClickException(f"no device named {name!r}")
    click.echo(f"revoked {name!r}")


@cli.command("print-agent")
@click.option("--server", required=True, help="The Antrean server, e.g. http://192.168.1.10:5000")
@click.option("--token", "token_value", envvar="ANTREAN_AGENT_TOKEN", required=True,
              help="The device token (`antrean token create` on the server); or ANTREAN_AGENT_TOKEN.")
@click.option("--printer", "printer_url", required=True,
              help="This machine's printer as a URL: usb://04b8:0e15, serial:///dev/ttyUSB0?baudrate=19200, "
                   "tcp://HOST:9100, cups://QUEUE, win32://PRINTER NAME, file:///PATH (see docs/printing.md).")
@click.option("--state", default=None, type=click.Path(dir_okay=False),
              help="File remembering the printed jobs (default: the user's state folder).")
def print_agent(server: str, token_value: str, printer_url: str, state: str | None) -> None:
    """Print the server's tickets on this machine's printer (kiosk PC with a USB printer)."""
    import logging
    import signal
    from pathlib import Path

    from antrean.hardware.agents.print_agent import AgentRefused, PrintAgent, default_state_file
    from antrean.hardware.printer import PrinterError, printer_from_url

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        printer = printer_from_url(printer_url, Path.cwd())
    except PrinterError as exc:
        raise click.ClickException(str(exc)) from None
    agent = PrintAgent(server, token_value, printer, state=Path(state) if state else default_state_file())
    click.echo(f"Antrean print agent for {server}")
    click.echo(f"  printer : {printer.describe()}")
    click.echo(f"  state   : {agent.printed.path}")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: agent.stop())
    try:
        agent.run()
    except AgentRefused as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        pass
    finally:
        agent.stop()


# -- backup, restore, retention, copy-db (docs/operations.md, docs/deployment.md) --------------


@cli.command()
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


@cli.command()
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
    click.echo(f"restored {info.tickets} tickets into {db}" + (f"; the replaced database is kept at {kept}" if kept else ""))


@cli.command()
@click.option("--days", type=int, default=None, help="Override ANTREAN_RETENTION_DAYS.")
@click.option("--dry-run", is_flag=True, help="Only count the tickets whose personal data would be removed.")
def purge(days: int | None, dry_run: bool) -> None:
    """Remove personal data of tickets finished more than the retention period ago (statistics stay)."""
    from antrean.shared.config import load_config
    from antrean.shared.services import retention

    days = load_config()["RETENTION_DAYS"] if days is None else days
    if days < 1:
        raise click.ClickException("no retention period: set ANTREAN_RETENTION_DAYS or give --days N")
    sessions = _sessions()
    if dry_run:
        click.echo(f"{retention.pending(sessions, days)} finished tickets older than {days} days hold personal data")
        return
    result = retention.purge(sessions, days)
    click.echo(f"personal data removed from {result.tickets} tickets, {result.step_notes} step notes, "
               f"{result.survey_comments} survey comments (finished before {result.cutoff:%Y-%m-%d %H:%M} UTC)")


@cli.command("copy-db")
@click.option("--from", "source", required=True, help="Source database URL, e.g. sqlite:///instance/antrean.db")
@click.option("--to", "target", required=True, help="Target database URL (a new, empty database), e.g. postgresql://antrean@localhost/antrean")
def copy_db(source: str, target: str) -> None:
    """Copy every table to a new database (SQLite -> PostgreSQL), then fix its id sequences."""
    from antrean.shared.store.copy_db import CopyError, copy_database

    try:
        result = copy_database(source, target, progress=lambda t, n: click.echo(f"  {t:<18} {n:>9} rows"))
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"copied {result.total} rows from {_safe_url(source)} to {_safe_url(target)}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


if __name__ == "__main__":
    main()
