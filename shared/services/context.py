"""The explicit context every operation runs in: the catalogue in force, the database sessions, the
event bus, the clock and the office's time zone, and the installation's switches.

``Desk`` (``services.desk``) is this context with the operations as methods; the operations
themselves live one family per module and take the context as their first argument.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from antrean.shared.domain.catalogue import Catalogue, Service
from antrean.shared.domain.clock import utcnow
from antrean.shared.domain.events import TICKET_UPDATED, Event, EventBus
from antrean.shared.services import estimate
from antrean.shared.services.errors import NotFound
from antrean.shared.store.catalogue_versions import CatalogueStore


def default_status_url(public_id: str) -> str:
    return f"/kiosk/t/{public_id}"


class Context:
    """The office's operations run over one database and one catalogue."""

    # Set by the app from its configuration; these class defaults serve tests and the CLI.
    always_open = False  # ANTREAN_ALWAYS_OPEN=1: office hours and holidays do not stop the kiosk
    print_target: str | None = None  # a print agent's name (ANTREAN_PRINTER=agent://NAME), else None
    message_channels: tuple[str, ...] = ()  # the channels the office sends messages on (docs/notifications.md)

    def __init__(
        self,
        catalogue: Catalogue,
        sessions: sessionmaker[Session],
        events: EventBus | None = None,
        clock: Callable[[], datetime] = utcnow,
        status_url: Callable[[str], str] = default_status_url,
    ):
        self._catalogue = catalogue
        self.catalogue_store: CatalogueStore | None = None  # the administrator's edits, newest first
        self.sessions = sessions
        self.events = events or EventBus()
        self.clock = clock
        self.status_url = status_url
        # text made outside a request (the printed ticket) in another language: {lang: gettext}; set by the
        # bootstrap from the translation catalogues; a language without one prints Indonesian
        self.translators: dict[str, Callable[[str], str]] = {}

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue in force now. A ticket keeps the flow it was issued with (``Ticket.flow``)."""
        return self.catalogue_store.current() if self.catalogue_store is not None else self._catalogue

    @property
    def catalogue_version(self) -> int:
        """0 for the shipped file, else the administrator's newest saved version (kiosks reload on change)."""
        return self.catalogue_store.version if self.catalogue_store is not None else 0

    @property
    def tz(self) -> str:
        return self.catalogue.office.timezone

    def publish(self, events: Iterable[Event]) -> None:
        """Publish after the commit, in order."""
        for event in events:
            if event.name == TICKET_UPDATED:  # a call or a step may end a desk visit
                estimate.forget_visits()
            self.events.publish(event)

    _publish = publish  # the name the print queue and the print hub use

    def service(self, code: Any) -> Service:
        if not isinstance(code, str) or code not in self.catalogue.services:
            raise NotFound(f"unknown service {code!r:.60}")
        return self.catalogue.services[code]
