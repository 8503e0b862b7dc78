"""``RecordingPrinter``: the test double, which keeps every ticket and its ESC/POS bytes."""
from __future__ import annotations

import threading

from antrean.hardware.printer.base import DEFAULT_WIDTH, Printable, PrinterError, check_profile, render_ticket_bytes


class RecordingPrinter:
    """Test double: renders every ticket with python-escpos's ``Dummy`` and keeps it.

    ``.slips`` and ``.outputs`` (the ESC/POS bytes) grow by one per printed ticket.
    ``RecordingPrinter(fail=True)`` raises ``PrinterError("printer offline")`` until ``.fail = False``.
    Layout errors are not wrapped, so a bad slip fails the test that made it.
    """

    def __init__(self, fail: bool = False, profile: str | None = None, width: int = DEFAULT_WIDTH):
        if profile is not None:
            check_profile(profile)
        self.fail = fail
        self.profile = profile
        self.width = width
        self.slips: list[Printable] = []
        self.outputs: list[bytes] = []
        self._lock = threading.Lock()

    def print_slip(self, slip: Printable) -> None:
        if self.fail:
            raise PrinterError("printer offline")
        data = render_ticket_bytes(slip, self.profile, self.width)
        with self._lock:
            self.slips.append(slip)
            self.outputs.append(data)

    def describe(self) -> str:
        return "recording (test printer)"

    def status(self) -> dict:
        if self.fail:
            return {"online": False, "paper": None, "detail": "printer offline"}
        return {"online": True, "paper": "ok", "detail": "test printer"}
