"""Printer URLs: ``PrinterSpec``, ``parse_printer_url`` and ``printer_from_url`` (which printer class a kind gets).

    none                                  no printer: print_slip does nothing
    file:///abs/dir/   or an existing dir one ``.escpos`` file per ticket (relative: under instance_dir)
    file:///abs/tickets.bin               every ticket appended to one file
    tcp://HOST[:PORT]                     network printer (raw port, default 9100)
    usb://VENDOR:PRODUCT                  hex ids, e.g. usb://04b8:0e15    (python-escpos[usb])
    serial:///dev/ttyUSB0?baudrate=19200  serial port                      (python-escpos[serial])
    cups://QUEUE                          a raw CUPS queue                 (python-escpos[cups])
    win32://PRINTER NAME                  a Windows printer                (python-escpos[win32])

Every form takes ``?profile=TM-T20II`` (a python-escpos printer profile) and ``?width=42``
(characters per line). Each ticket is rendered into python-escpos's ``Dummy`` first and sent in one
write on a connection opened for that job, so a printer that is off fails the job with
``PrinterError`` (never half a ticket counted as printed) and a later job simply works again.
``RecordingPrinter`` is the test double.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from escpos.printer import CupsPrinter, Serial, Usb, Win32Raw

from antrean.hardware.printer.base import (
    DEFAULT_WIDTH,
    PrinterError,
    PrinterSpec,
    TicketPrinter,
    check_profile,
)
from antrean.hardware.printer.device import DevicePrinter
from antrean.hardware.printer.file import FilePrinter
from antrean.hardware.printer.network import NetworkPrinter
from antrean.hardware.printer.null import NullPrinter

DEFAULT_TCP_PORT = 9100

ACCEPTED_FORMS = ("none, file:///DIR/, file:///FILE, an existing directory, tcp://HOST:PORT, "
                  "usb://VENDOR:PRODUCT, serial:///dev/ttyUSB0, cups://QUEUE, win32://PRINTER NAME")

_COMMON_OPTIONS = ("profile", "width")
_KIND_OPTIONS = {
    "none": (),
    "dir": (),
    "file": (),
    "tcp": ("timeout", "paper_check", "confirm"),
    "usb": ("timeout",),
    "serial": ("baudrate", "timeout"),
    "cups": (),
    "win32": (),
}
_DRIVERS = {  # kind -> (python-escpos class, what to install when its library is missing)
    "usb": (Usb, "USB printing needs python-escpos[usb] (pyusb)"),
    "serial": (Serial, "serial printing needs python-escpos[serial] (pyserial)"),
    "cups": (CupsPrinter, "CUPS printing needs python-escpos[cups] (pycups)"),
    "win32": (Win32Raw, "Windows printing needs python-escpos[win32] (pywin32)"),
}
PRINTER_CLASSES: dict[str, Callable[[PrinterSpec], TicketPrinter]] = {  # kind -> the printer that serves it
    "none": NullPrinter,
    "dir": FilePrinter,
    "file": FilePrinter,
    "tcp": NetworkPrinter,
    "usb": DevicePrinter,
    "serial": DevicePrinter,
    "cups": DevicePrinter,
    "win32": DevicePrinter,
}


def _number(options: dict[str, str], key: str, cast: Callable[[str], Any], low: float, high: float):
    raw = options[key]
    try:
        value = cast(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise PrinterError(f"printer URL option {key}={raw!r} must be a number from {low} to {high}")
    return value


def parse_printer_url(url: str, instance_dir: Path | str) -> PrinterSpec:
    """Parse a printer URL without touching any device (see the module docstring for the forms)."""
    text = (url or "").strip()
    base, _, query = text.partition("?")
    options = dict(parse_qsl(query, keep_blank_values=True))
    instance_dir = Path(instance_dir)

    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", base)
    scheme = match.group(1).lower() if match and (len(match.group(1)) > 1 or "://" in base) else ""
    rest = base[match.end():] if match and scheme else base
    if scheme and rest.startswith("//"):
        rest = rest[2:]

    spec: dict[str, Any] = {}
    if base.lower() == "none" and not scheme:
        kind = "none"
    elif scheme == "file" or (not scheme and base):
        path = Path(unquote(rest)).expanduser() if rest else Path("")
        if not rest or (not scheme and not (rest.endswith(("/", os.sep)) or (instance_dir / path).is_dir())):
            raise PrinterError(f"printer URL {text!r}: a plain path must be an existing directory or end "
                               f"with '/'; accepted forms: {ACCEPTED_FORMS}")
        path = path if path.is_absolute() else instance_dir / path
        kind = "dir" if rest.endswith(("/", os.sep)) or path.is_dir() else "file"
        spec["target"] = str(path.resolve())
    elif scheme == "tcp":
        try:
            parts = urlsplit(f"tcp://{rest}")
            port = parts.port or DEFAULT_TCP_PORT
        except ValueError as exc:
            raise PrinterError(f"printer URL {text!r}: bad port ({exc})") from None
        if not parts.hostname or parts.path not in ("", "/"):
            raise PrinterError(f"printer URL {text!r}: expected tcp://HOST or tcp://HOST:PORT")
        kind, spec["target"], spec["port"] = "tcp", parts.hostname, port
    elif scheme == "usb":
        ids = re.fullmatch(r"(?:0x)?([0-9A-Fa-f]{1,4}):(?:0x)?([0-9A-Fa-f]{1,4})/?", rest)
        if not ids:
            raise PrinterError(f"printer URL {text!r}: expected usb://VENDOR:PRODUCT in hex, "
                               "e.g. usb://04b8:0e15")
        kind, spec["vendor"], spec["product"] = "usb", int(ids.group(1), 16), int(ids.group(2), 16)
    elif scheme == "serial":
        if not rest:
            raise PrinterError(f"printer URL {text!r}: expected serial:///dev/ttyUSB0 or serial://COM3")
        kind, spec["target"] = "serial", unquote(rest)
    elif scheme in ("cups", "win32"):
        kind, spec["target"] = scheme, unquote(rest).rstrip("/")  # empty: the system's default printer
    else:
        shown = f"scheme {scheme!r}" if scheme else f"value {text!r}"
        raise PrinterError(f"unsupported printer URL {shown}; accepted forms: {ACCEPTED_FORMS}")

    allowed = _COMMON_OPTIONS + _KIND_OPTIONS[kind]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise PrinterError(f"unknown printer URL option(s) {', '.join(unknown)} for {kind}; "
                           f"accepted: {', '.join(allowed)}")
    profile = options.pop("profile", None) or None
    if profile is not None:
        check_profile(profile)
    width = _number(options, "width", int, 16, 100) if "width" in options else DEFAULT_WIDTH
    options.pop("width", None)
    for key, cast, low, high in (("timeout", float, 0.01, 600), ("baudrate", int, 300, 921600)):
        if key in options:
            _number(options, key, cast, low, high)
    for flag in ("paper_check", "confirm"):
        if options.get(flag, "1") not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
            raise PrinterError(f"printer URL option {flag} must be 1 or 0")
    return PrinterSpec(kind=kind, profile=profile, width=width, options=options, **spec)


def printer_from_url(url: str, instance_dir: Path) -> TicketPrinter:
    """The printer a URL names. Raises PrinterError for a bad URL, an unknown profile or a missing
    driver library; never touches the device (a printer that is off fails at print time)."""
    spec = parse_printer_url(url, instance_dir)
    if spec.kind in _DRIVERS:
        cls, missing = _DRIVERS[spec.kind]
        if not cls.is_usable():
            raise PrinterError(missing)
    return PRINTER_CLASSES[spec.kind](spec)
