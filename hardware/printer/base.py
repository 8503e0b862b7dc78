"""The printer interface: PrinterError, TicketPrinter, the ticket's bytes and the base every printer builds on."""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeAlias

from escpos.capabilities import CAPABILITIES

from antrean.hardware.layouts.notice import TmsNotice
from antrean.hardware.layouts.ticket import TicketSlip, render_ticket
from antrean.hardware.printer.dummy import SlipDummy

DEFAULT_WIDTH = 42
# What a printer prints: the queue ticket, or the TMS slip of a returned file (it renders itself)
Printable: TypeAlias = TicketSlip | TmsNotice


class PrinterError(Exception):
    """A ticket could not be printed (or the printer URL is wrong). The message says what failed,
    in English, and never contains ticket contents. ``possible_duplicate``: the printer took the
    ticket's bytes and then failed, so it may have printed; printing it again may make a second copy."""

    def __init__(self, message: str, *, possible_duplicate: bool = False):
        super().__init__(message)
        self.possible_duplicate = possible_duplicate


class TicketPrinter(Protocol):
    def print_slip(self, slip: Printable) -> None:
        """Print one ticket; raises PrinterError on any failure."""

    def describe(self) -> str:
        """Where tickets go, e.g. ``"tcp://127.0.0.1:9100"``."""

    def status(self) -> dict:
        """``{"online": bool|None, "paper": "ok"|"near_end"|"out"|None, "detail": str}``; None = unknown."""


def render_ticket_bytes(slip: Printable, profile: str | None = None, width: int = DEFAULT_WIDTH) -> bytes:
    """The complete ESC/POS byte stream of one ticket (rendered into python-escpos's ``Dummy``, in
    the form of ``SlipDummy``: the same bytes, less CPU for plain ASCII text).

    Other documents for the same roll (the TMS slip) render themselves: ``slip.render(printer, width)``."""
    dummy = SlipDummy(profile=profile)
    if isinstance(slip, TicketSlip):
        render_ticket(dummy, slip, width)
    else:
        slip.render(dummy, width)
    return dummy.output


def check_profile(name: str) -> None:
    """Raise PrinterError unless python-escpos knows the printer profile ``name``."""
    if name not in CAPABILITIES["profiles"]:
        known = ", ".join(sorted(CAPABILITIES["profiles"]))
        raise PrinterError(f"unknown python-escpos printer profile {name!r}; known profiles: {known}")


def reason(exc: BaseException) -> str:
    """A short English reason: the underlying OS error if there is one (python-escpos wraps it)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError):
            if isinstance(seen, (socket.timeout, TimeoutError)):
                return "timed out"
            return seen.strerror or type(seen).__name__
        seen = seen.__cause__ or seen.__context__
    first = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {first[0]}" if first else type(exc).__name__


class BasePrinter:
    """What every printer shares: its parsed URL, profile and width, and the ticket laid out into bytes."""

    def __init__(self, spec: PrinterSpec):
        self.spec = spec
        self.profile = spec.profile
        self.width = spec.width

    def describe(self) -> str:
        return self.spec.describe()

    def render(self, slip: Printable) -> bytes:
        try:
            return render_ticket_bytes(slip, self.profile, self.width)
        except Exception as exc:  # a layout problem must reach the caller as a printer fault
            raise PrinterError(f"could not lay out the ticket ({type(exc).__name__})") from exc

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


@dataclass(frozen=True)
class PrinterSpec:
    """A parsed printer URL. ``kind``: none, dir, file, tcp, usb, serial, cups or win32."""
    kind: str
    target: str = ""                 # path, host, device file, queue or printer name
    port: int | None = None          # tcp port
    vendor: int | None = None        # usb ids
    product: int | None = None
    profile: str | None = None
    width: int = DEFAULT_WIDTH
    options: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        if self.kind == "none":
            return "none"
        if self.kind in ("dir", "file"):
            return Path(self.target).as_uri() + ("/" if self.kind == "dir" else "")
        if self.kind == "tcp":
            host = f"[{self.target}]" if ":" in self.target else self.target
            return f"tcp://{host}:{self.port}"
        if self.kind == "usb":
            return f"usb://{self.vendor:04x}:{self.product:04x}"
        if self.kind == "serial":
            return f"serial://{self.target}"
        return f"{self.kind}://{self.target}"
