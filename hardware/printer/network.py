"""``NetworkPrinter``: ``tcp://HOST:PORT``, a raw-port network printer asked for its paper before each ticket."""
from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.printer import Network

from antrean.hardware.printer.base import PrinterError
from antrean.hardware.printer.device import DevicePrinter
from antrean.hardware.printer.status import parse_online, parse_paper

if TYPE_CHECKING:
    from antrean.hardware.printer.base import PrinterSpec

DEFAULT_TIMEOUT = 5.0          # seconds to connect to / write to a network printer
STATUS_REPLY_TIMEOUT = 0.5     # seconds to wait for a real-time status answer (DLE EOT)
CONFIRM_TIMEOUT = 2.0          # after the ticket: a printer busy printing answers later than an idle one


class NetworkPrinter(DevicePrinter):
    """``tcp://HOST:PORT``: a raw-port network printer, one connection per job.

    Before sending, it asks the printer for its paper state (DLE EOT 4, waiting at most
    STATUS_REPLY_TIMEOUT); a printer that reports paper out fails the job instead of
    buffering a ticket nobody receives. Printers that do not answer are printed to anyway.
    ``?paper_check=0`` turns the question off.

    A printer that answered that question is asked again after the ticket (DLE EOT 1 and 4): only
    when it answers online with paper is the job printed. One that accepted the bytes and then died
    (no answer, offline, paper out) fails the job with ``possible_duplicate``: it is printed again
    and staff see that the first copy may have come out too. ``?confirm=0`` turns this off.
    """

    def __init__(self, spec: PrinterSpec):
        super().__init__(spec)
        if spec.port is None:  # parse_printer_url always sets one (9100 by default)
            raise PrinterError(f"printer URL {spec.describe()} has no port")
        self.port: int = spec.port
        self.timeout = float(spec.options.get("timeout", DEFAULT_TIMEOUT))
        self.paper_check = spec.options.get("paper_check", "1") in ("1", "true", "yes", "on")
        self.confirm = spec.options.get("confirm", "1") in ("1", "true", "yes", "on")
        self.confirm_timeout = max(CONFIRM_TIMEOUT, STATUS_REPLY_TIMEOUT)

    def query(self, dev, mode: bytes, wait: float = STATUS_REPLY_TIMEOUT) -> bytes | None:
        sock = dev.device
        sock.settimeout(min(wait, self.timeout))
        try:
            return dev.query_status(mode)
        except OSError:  # no answer in time (or none at all): unknown
            return None
        finally:
            sock.settimeout(self.timeout)

    def connect(self):
        # Network.open() drops its socket unclosed when connect() fails (a ResourceWarning per
        # failed job while the printer is off), so connect here and hand Network the socket.
        dev = Network(self.spec.target, self.port, timeout=self.timeout, profile=self.profile)
        dev.device = socket.create_connection((self.spec.target, self.port), timeout=self.timeout)
        return dev

    def before_send(self, dev) -> None:
        dev.antrean_answers_status = False
        if not self.paper_check:
            return
        reply = self.query(dev, RT_STATUS_PAPER)
        if parse_paper(reply) == "out":
            raise PrinterError(f"printer at {self.describe()} reports paper out")
        dev.antrean_answers_status = reply is not None

    def after_send(self, dev) -> None:
        """A printer that answers status must say online, with paper, after the ticket: one that took
        the bytes and died may or may not have printed them."""
        if not (self.confirm and getattr(dev, "antrean_answers_status", False)):
            return
        online = parse_online(self.query(dev, RT_STATUS_ONLINE, self.confirm_timeout))
        paper = parse_paper(self.query(dev, RT_STATUS_PAPER, self.confirm_timeout)) if online else None
        if online is not True or paper == "out":
            what = "did not answer" if online is None else "is offline" if not online else "ran out of paper"
            raise PrinterError(f"printer at {self.describe()} {what} after taking the ticket: it may have printed; "
                               "printing it again", possible_duplicate=True)

    @staticmethod
    def _close(dev) -> None:
        # A late status answer left unread would make close() send a reset instead of a clean
        # end of stream, and the printer could drop the ticket still in flight: read it first.
        sock = getattr(dev, "_device", None)
        if isinstance(sock, socket.socket):
            try:
                sock.setblocking(False)
                while sock.recv(256):
                    pass
            except OSError:
                pass
        DevicePrinter._close(dev)
