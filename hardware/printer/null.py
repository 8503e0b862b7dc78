"""``NullPrinter``: the ``none`` URL, tickets are not printed at all."""
from __future__ import annotations

from antrean.hardware.printer.base import BasePrinter, Printable


class NullPrinter(BasePrinter):
    """``none``: tickets are not printed at all."""

    def print_slip(self, slip: Printable) -> None:
        return None

    def status(self) -> dict:
        return {"online": None, "paper": None, "detail": "no printer configured"}
