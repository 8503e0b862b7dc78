"""``NullPrinter``: the ``none`` URL, tickets are not printed at all."""
from __future__ import annotations

from antrean.hardware.layouts.ticket import TicketSlip
from antrean.hardware.printer.base import BasePrinter


class NullPrinter(BasePrinter):
    """``none``: tickets are not printed at all."""

    def print_slip(self, slip: TicketSlip) -> None:
        return None

    def status(self) -> dict:
        return {"online": None, "paper": None, "detail": "no printer configured"}
