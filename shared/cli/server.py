"""`antrean serve` and `antrean init-db`: the production server and the database schema."""
from __future__ import annotations

import sys

import click

from antrean.shared.cli.common import safe_url


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the production server (gevent WSGI server with WebSocket support)."""
    import logging

    from antrean.shared.app import create_app
    from antrean.shared.realtime.hub import socketio

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from antrean.shared.cli.serving import NoDelayHandler, freeze_startup_objects, quiet_repeated_errors

    quiet_repeated_errors()  # warnings and errors once per kind per minute, with a count
    app = create_app({"ASYNC_MODE": "gevent"})
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    desk = app.extensions["antrean"]
    click.echo(f"Antrean for {desk.catalogue.office.name}: {len(desk.catalogue.services)} services")
    click.echo(f"  database : {safe_url(app.config['DATABASE_URL'])}")
    click.echo(f"  printer  : {app.extensions['antrean.printer'].printer.describe()}")
    click.echo(f"  speech   : {app.extensions['antrean.display'].summary()}")
    click.echo(f"  kiosk    : {base}/kiosk/")
    click.echo(f"  display  : {base}/display/")
    click.echo(f"  counter  : {base}/counter/   (staff accounts: `antrean demo` creates demo ones)")
    click.echo(f"  API      : {base}/api/v1/services")
    sys.stdout.flush()
    freeze_startup_objects()
    socketio.run(app, host=host, port=port, log_output=False, handler_class=NoDelayHandler,
                 error_log=logging.getLogger("gevent.pywsgi"))  # through the log throttle


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from antrean.shared.config import load_config
    from antrean.shared.store.db import upgrade

    url = load_config()["DATABASE_URL"]
    upgrade(url)
    click.echo(f"database ready: {safe_url(url)}")
