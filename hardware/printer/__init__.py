"""Ticket printers, one module per transport as in python-escpos, chosen by a URL (like DATABASE_URL).

``url`` parses the URL and picks the class: ``null`` (``none``), ``file`` (``file://`` and folders),
``network`` (``tcp://``), ``device`` (``usb://``, ``serial://``, ``cups://``, ``win32://``), all on
``base`` (the interface, ``PrinterError`` and the ticket's bytes, rendered through ``dummy``);
``status`` reads the printer's status bytes; ``recording`` is the test double. Each ticket is
rendered into python-escpos's ``Dummy`` first and sent in one write on a connection opened for that
job, so a printer that is off fails the job with ``PrinterError`` (never half a ticket counted as
printed) and a later job simply works again.
"""
# First, before any module below imports python-escpos: its capability cache in one fixed folder.
from antrean.hardware.printer import capabilities  # noqa: F401

# isort: split
from antrean.hardware.printer.base import (
    DEFAULT_WIDTH,
    BasePrinter,
    PrinterError,
    TicketPrinter,
    check_profile,
    render_ticket_bytes,
)
from antrean.hardware.printer.device import DevicePrinter
from antrean.hardware.printer.file import FilePrinter
from antrean.hardware.printer.network import NetworkPrinter
from antrean.hardware.printer.null import NullPrinter
from antrean.hardware.printer.recording import RecordingPrinter
from antrean.hardware.printer.status import parse_online, parse_paper
from antrean.hardware.printer.url import ACCEPTED_FORMS, PrinterSpec, parse_printer_url, printer_from_url

__all__ = [
    "ACCEPTED_FORMS", "DEFAULT_WIDTH", "BasePrinter", "DevicePrinter", "FilePrinter", "NetworkPrinter",
    "NullPrinter", "PrinterError", "PrinterSpec", "RecordingPrinter", "TicketPrinter", "check_profile",
    "parse_online", "parse_paper", "parse_printer_url", "printer_from_url", "render_ticket_bytes",
]
