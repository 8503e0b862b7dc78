"""What the command groups share: the configured database, through the one bootstrap, and safe printing.

The command modules import the application lazily, inside each command: `antrean serve` patches the
standard library with gevent before anything imports threading or sockets (``main.main``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


def configured_sessions() -> sessionmaker[Session]:
    """Sessions over the configured database (ANTREAN_DATABASE_URL), brought to the newest schema."""
    from antrean.shared.bootstrap import open_database
    from antrean.shared.config import load_config

    return open_database(load_config()["DATABASE_URL"]).sessions


def safe_url(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"
