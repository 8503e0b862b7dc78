"""The print worker: prints the tickets the printer outbox holds, off the request thread.

A ticket is committed with a pending print job. The worker prints each due job once, marks it
printed, and on failure keeps it pending with a growing delay, so the ticket is printed exactly
once when the printer comes back, even after a restart.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import select

from antrean.hardware.layouts.notice import TmsNotice
from antrean.hardware.layouts.ticket import TicketSlip
from antrean.hardware.printer import NullPrinter, PrinterError, TicketPrinter, parse_printer_url
from antrean.shared.domain.clock import local
from antrean.shared.domain.events import TICKET_ISSUED
from antrean.shared.domain.queue import PRIORITY_TEXT, priority_label
from antrean.shared.services import print_queue, tickets
from antrean.shared.services.context import Context
from antrean.shared.services.errors import NotFound
from antrean.shared.store.db import reading
from antrean.shared.store.models import Ticket

log = logging.getLogger(__name__)

TICKET_LANGS = ("id", "en")  # the languages a printed ticket comes in (the kiosk page's)


def _priority_line(desk: Context, ticket: Ticket, lang: str) -> str:
    if not (ticket.priority or ticket.priority_reason in PRIORITY_TEXT):
        return ""
    translate = desk.translators.get(lang)
    return priority_label(ticket.priority_reason, translate) if translate else priority_label(ticket.priority_reason)


def slip_for(desk: Context, view: dict, ticket, public_url: str) -> TicketSlip | TmsNotice:
    """The document a print job prints: the queue ticket, or the TMS slip of a returned file."""
    office = desk.catalogue.office
    lines = tuple(x for x in (office.regency, office.address,
                              f"Telp. {office.phone}" if office.phone else "") if x)
    lang = ticket.lang if ticket.lang in TICKET_LANGS else "id"
    if view.get("print_kind") == "tms_slip":
        return TmsNotice(office_name=office.name, office_lines=lines, service_name=ticket.service_name,
                         number=ticket.number, issued_at=local(ticket.finished_at or ticket.current_since,
                                                               office.timezone),
                         missing=tuple(ticket.missing_documents or ()), note=ticket.tms_note or "", lang=lang)
    url = view["status_url"]
    if url.startswith("/"):  # the base the kiosk used for this ticket, else the office's
        url = (view.get("print_base") or public_url) + url
    return TicketSlip(
        office_name=office.name, office_lines=lines, service_name=ticket.service_name,
        number=ticket.number, issued_at=local(ticket.created_at, office.timezone),
        people_ahead=view["position"], wait_minutes=view["estimated_wait_minutes"],
        documents=tuple(view["requirements"]), status_url=url,
        priority_label=_priority_line(desk, ticket, lang),
        pickup_code=ticket.pickup_code, lang=lang,
    )



def preview_png(desk: Context, public_id: str, public_url: str, printer_url: str, instance: str) -> bytes:
    """The printed ticket as a PNG (the same layout at the configured printer's width). The pickup
    code is masked: it is for the paper and the person holding it, and this image is reachable from
    the address in the QR code. NotFound for an unknown ticket."""
    from antrean.hardware.layouts.preview import render_png  # Pillow, only when a preview is asked for

    with reading(desk.sessions) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        if ticket is None:
            raise NotFound("ticket not found")
        view = tickets.view(desk, s, ticket, desk.clock())
        slip = slip_for(desk, view, ticket, public_url)
    assert isinstance(slip, TicketSlip)  # a public view names no print kind: always the queue ticket
    if slip.pickup_code:
        slip = replace(slip, pickup_code="*" * len(slip.pickup_code))
    try:
        width = parse_printer_url(printer_url, instance).width
    except Exception:  # agent://... or a printer URL the server cannot parse: the usual 80 mm roll
        width = 42
    return render_png(slip, width)


def prints_nothing(worker: PrintWorker | None) -> bool:
    """The server's printer is ``ANTREAN_PRINTER=none``: nothing is printed."""
    return isinstance(getattr(worker, "printer", None), NullPrinter)


class PrintWorker:
    def __init__(self, desk: Context, printer: TicketPrinter, public_url: Callable[[], str],
                 retry_seconds: float = 5.0, poll_seconds: float = 1.0, probe_seconds: float | None = None,
                 batch: int = 20, lease_seconds: float = print_queue.LEASE_SECONDS):
        self.desk = desk
        self.printer = printer
        self.public_url = public_url
        self.retry_seconds = retry_seconds
        self.poll_seconds = poll_seconds
        self.batch = batch  # jobs claimed together (one UPDATE), printed one by one
        self.lease_seconds = lease_seconds  # a claimed job not printed by then is due again (any worker)
        # While the printer is faulty its status is read this often; when it reports ready again
        # the waiting jobs are printed at once instead of after their back-off.
        self.probe_seconds = min(retry_seconds, 5.0) if probe_seconds is None else probe_seconds
        self._last_probe = 0.0
        # views of tickets just issued (the ``ticket.issued`` events), used by their first print
        self._fresh: OrderedDict[int, dict] = OrderedDict()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="antrean-print", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def wake(self, event=None) -> None:
        if (event is not None and event.name == TICKET_ISSUED and "id" in event.payload
                and event.payload.get("print_target") is None):  # for this server's printer
            self._fresh[event.payload["id"]] = event.payload
            while len(self._fresh) > 500:  # a bound, should the printer be slow or off for long
                self._fresh.popitem(last=False)
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.probe()
                self.run_due()
            except Exception:
                log.exception("print worker loop failed")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def probe(self) -> bool:
        """While faulty, read the printer's status now and then; once it reports ready (or cannot
        tell), make the waiting jobs due now. Returns True when it did."""
        if self.last_error is None or time.monotonic() - self._last_probe < self.probe_seconds:
            return False
        self._last_probe = time.monotonic()
        try:
            status = self.printer.status()
        except Exception:  # a status query must never stop the worker
            return False
        if status.get("online") is False or status.get("paper") == "out":
            return False
        return print_queue.make_due_now(self.desk, target=None) > 0

    def run_due(self) -> int:
        """Print the due jobs once (at most ``batch`` of them); returns how many printed."""
        claims = print_queue.claim_due(self.desk, target=None, limit=self.batch,
                                       lease_seconds=self.lease_seconds, fresh=self._fresh)
        started = time.monotonic()
        printed = 0
        for i, claim in enumerate(claims):
            if i and time.monotonic() - started > self.lease_seconds / 2:
                # a slow printer: give the rest back before their lease could run out
                print_queue.release(self.desk, claims[i:])
                break
            if claim.kind == "ticket":
                self._fresh.pop(claim.ticket_id, None)  # tried now: a retry works the view out again
            try:
                # every printer prints a TmsNotice too; hardware's TicketPrinter protocol names TicketSlip only
                self.printer.print_slip(slip_for(self.desk, claim.view, claim.ticket, self.public_url()))
            except PrinterError as exc:
                self.last_error = str(exc)
                log.warning("printer fault on job %s (ticket %s): %s", claim.job, claim.ticket.number, exc)
                print_queue.finish(self.desk, claim.job, str(exc), self.retry_seconds,
                                   possible_duplicate=exc.possible_duplicate)
                print_queue.release(self.desk, claims[i + 1:])  # the printer is down: the rest wait, in order
                break
            except Exception as exc:  # a bug in the layout: keep the job, tell staff, go on
                log.exception("could not print job %s (ticket %s)", claim.job, claim.ticket.number)
                print_queue.finish(self.desk, claim.job, f"{type(exc).__name__}: {exc}", self.retry_seconds)
                continue
            self.last_error = None
            print_queue.finish(self.desk, claim.job, None, claim=claim)
            printed += 1
            # Under gevent this worker shares the event loop with the requests, and a job never waits
            # on anything that would yield: let a waiting kiosk or counter go first between jobs.
            time.sleep(0)
        return printed
