"""The ticket printer behind one small interface, chosen by a URL (like DATABASE_URL).

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
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from escpos.capabilities import CAPABILITIES  # noqa: E402
from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER  # noqa: E402
from escpos.printer import CupsPrinter, Network, Serial, Usb, Win32Raw  # noqa: E402

from antrean.hardware.slip_buffer import SlipDummy  # noqa: E402

# Imported before escpos: it sets ESCPOS_CAPABILITIES_PICKLE_DIR (else every import makes a temp folder).
from antrean.hardware.ticket_layout import TicketSlip, render_ticket

DEFAULT_WIDTH = 42
DEFAULT_TCP_PORT = 9100
DEFAULT_TIMEOUT = 5.0          # seconds to connect to / write to a network printer
STATUS_REPLY_TIMEOUT = 0.5     # seconds to wait for a real-time status answer (DLE EOT)

ACCEPTED_FORMS = ("none, file:///DIR/, file:///FILE, an existing directory, tcp://HOST:PORT, "
                  "usb://VENDOR:PRODUCT, serial:///dev/ttyUSB0, cups://QUEUE, win32://PRINTER NAME")

_COMMON_OPTIONS = ("profile", "width")
_KIND_OPTIONS = {
    "none": (),
    "dir": (),
    "file": (),
    "tcp": ("timeout", "paper_check"),
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


class PrinterError(Exception):
    """A ticket could not be printed (or the printer URL is wrong). The message says what failed,
    in English, and never contains ticket contents."""


class TicketPrinter(Protocol):
    def print_slip(self, slip: TicketSlip) -> None:
        """Print one ticket; raises PrinterError on any failure."""

    def describe(self) -> str:
        """Where tickets go, e.g. ``"tcp://127.0.0.1:9100"``."""

    def status(self) -> dict:
        """``{"online": bool|None, "paper": "ok"|"near_end"|"out"|None, "detail": str}``; None = unknown."""


def render_ticket_bytes(slip: TicketSlip, profile: str | None = None, width: int = DEFAULT_WIDTH) -> bytes:
    """The complete ESC/POS byte stream of one ticket (rendered into python-escpos's ``Dummy``, in
    the form of ``SlipDummy``: the same bytes, less CPU for plain ASCII text).

    Other documents for the same roll (the TMS slip) render themselves: ``slip.render(printer, width)``."""
    dummy = SlipDummy(profile=profile)
    if isinstance(slip, TicketSlip):
        render_ticket(dummy, slip, width)
    else:
        slip.render(dummy, width)
    return dummy.output


# -- URL parsing -----------------------------------------------------------------------------


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


def _number(options: dict[str, str], key: str, cast: Callable[[str], Any], low: float, high: float):
    raw = options[key]
    try:
        value = cast(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise PrinterError(f"printer URL option {key}={raw!r} must be a number from {low} to {high}")
    return value


def _check_profile(name: str) -> None:
    if name not in CAPABILITIES["profiles"]:
        known = ", ".join(sorted(CAPABILITIES["profiles"]))
        raise PrinterError(f"unknown python-escpos printer profile {name!r}; known profiles: {known}")


def parse_printer_url(url: str, instance_dir: Path | str) -> PrinterSpec:
    """Parse a printer URL without touching any device (see the module docstring for the forms)."""
    text = (url or "").strip()
    base, _, query = text.partition("?")
    options = dict(parse_qsl(query, keep_blank_values=True))
    instance_dir = Path(instance_dir)

    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", base)
    scheme = match.group(1).lower() if match and (len(match.group(1)) > 1 or "://" in base) else ""
    rest = base[match.end():] if scheme else base
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
        _check_profile(profile)
    width = _number(options, "width", int, 16, 100) if "width" in options else DEFAULT_WIDTH
    options.pop("width", None)
    for key, cast, low, high in (("timeout", float, 0.01, 600), ("baudrate", int, 300, 921600)):
        if key in options:
            _number(options, key, cast, low, high)
    if options.get("paper_check", "1") not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        raise PrinterError("printer URL option paper_check must be 1 or 0")
    return PrinterSpec(kind=kind, profile=profile, width=width, options=options, **spec)


def printer_from_url(url: str, instance_dir: Path) -> TicketPrinter:
    """The printer a URL names. Raises PrinterError for a bad URL, an unknown profile or a missing
    driver library; never touches the device (a printer that is off fails at print time)."""
    spec = parse_printer_url(url, instance_dir)
    if spec.kind == "none":
        return NullPrinter(spec)
    if spec.kind in ("dir", "file"):
        return FilePrinter(spec)
    if spec.kind == "tcp":
        return NetworkPrinter(spec)
    cls, missing = _DRIVERS[spec.kind]
    if not cls.is_usable():
        raise PrinterError(missing)
    return DevicePrinter(spec)


# -- implementations -------------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    """A short English reason: the underlying OS error if there is one (python-escpos wraps it)."""
    seen = exc
    while seen is not None:
        if isinstance(seen, OSError):
            if isinstance(seen, (socket.timeout, TimeoutError)):
                return "timed out"
            return seen.strerror or type(seen).__name__
        seen = seen.__cause__ or seen.__context__
    first = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {first[0]}" if first else type(exc).__name__


class _Printer:
    def __init__(self, spec: PrinterSpec):
        self.spec = spec
        self.profile = spec.profile
        self.width = spec.width

    def describe(self) -> str:
        return self.spec.describe()

    def render(self, slip: TicketSlip) -> bytes:
        try:
            return render_ticket_bytes(slip, self.profile, self.width)
        except Exception as exc:  # a layout problem must reach the caller as a printer fault
            raise PrinterError(f"could not lay out the ticket ({type(exc).__name__})") from exc

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


class NullPrinter(_Printer):
    """``none``: tickets are not printed at all."""

    def print_slip(self, slip: TicketSlip) -> None:
        return None

    def status(self) -> dict:
        return {"online": None, "paper": None, "detail": "no printer configured"}


class FilePrinter(_Printer):
    """One ``.escpos`` file per ticket in a directory, or every ticket appended to one file."""

    def __init__(self, spec: PrinterSpec):
        super().__init__(spec)
        self.path = Path(spec.target)
        self.per_ticket = spec.kind == "dir"

    def ticket_name(self, slip: TicketSlip) -> str:
        number = re.sub(r"[^A-Za-z0-9_-]", "_", slip.number) or "ticket"
        return f"{number}-{slip.issued_at:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}.escpos"

    def print_slip(self, slip: TicketSlip) -> None:
        data = self.render(slip)
        try:
            if self.per_ticket:
                self._write_new(self.ticket_name(slip), data)
            else:
                try:
                    out = open(self.path, "ab")
                except FileNotFoundError:  # its folder is not there (yet, or any more)
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    out = open(self.path, "ab")
                with out:
                    out.write(data)
        except OSError as exc:
            raise PrinterError(f"cannot write the ticket to {self.describe()}: {_reason(exc)}") from exc

    def _write_new(self, name: str, data: bytes) -> None:
        """The ticket's file, atomically: one open of a temporary name in the same folder, one write
        (more only if the kernel takes less), one rename; a reader never sees half a ticket, and a
        failure (a full disk) leaves no half file behind. The folder is made when it is missing."""
        folder = str(self.path)
        partial = os.path.join(folder, f".{name}.part")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(partial, flags, 0o666)
        except FileNotFoundError:  # the folder is not there (yet, or any more)
            os.makedirs(folder, exist_ok=True)
            fd = os.open(partial, flags, 0o666)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(partial, os.path.join(folder, name))
        except BaseException:
            try:
                os.unlink(partial)
            except OSError:
                pass
            raise

    def status(self) -> dict:
        folder = self.path if self.per_ticket else self.path.parent
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        ok = os.access(existing, os.W_OK) and (not self.path.exists() or os.access(self.path, os.W_OK))
        detail = f"tickets are written to {self.describe()}" if ok else f"cannot write to {self.describe()}"
        return {"online": ok, "paper": None, "detail": detail}


def _status_byte(reply: bytes | None) -> int | None:
    """The byte of a DLE EOT answer, or None when there is none (fixed bits: 0xx1xx10)."""
    if not reply:
        return None
    byte = reply[0]
    return byte if byte & 0x93 == 0x12 else None


def parse_online(reply: bytes | None) -> bool | None:
    byte = _status_byte(reply)
    return None if byte is None else not byte & 0x08


def parse_paper(reply: bytes | None) -> str | None:
    byte = _status_byte(reply)
    if byte is None:
        return None
    if byte & 0x60:
        return "out"
    if byte & 0x0C:
        return "near_end"
    return "ok"


def _status_detail(online: bool | None, paper: str | None) -> str:
    if online is None and paper is None:
        return "connected; the printer does not answer status queries"
    if paper == "out":
        return "paper out"
    if online is False:
        return "printer offline (cover open, paper out or error)"
    if paper == "near_end":
        return "paper near end"
    return "printer ready"


class DevicePrinter(_Printer):
    """A python-escpos device (USB, serial, CUPS, Windows), built and opened anew for every job."""

    def connect(self):
        spec, opts = self.spec, self.spec.options
        kind = spec.kind
        if kind == "usb":
            dev = Usb(spec.vendor, spec.product, timeout=int(float(opts.get("timeout", 5)) * 1000),
                      profile=self.profile)
        elif kind == "serial":
            dev = Serial(spec.target, baudrate=int(opts.get("baudrate", 9600)),
                         timeout=float(opts.get("timeout", 1)), profile=self.profile)
        elif kind == "cups":
            dev = CupsPrinter(spec.target, profile=self.profile)
        elif kind == "win32":
            dev = Win32Raw(spec.target, profile=self.profile)
        else:  # pragma: no cover - printer_from_url never builds one
            raise PrinterError(f"no device driver for {kind}")
        if kind in ("cups", "win32"):
            dev.open(job_name="antrean ticket")
        else:
            dev.open()  # python-escpos raises DeviceNotFoundError here, wrapping the OS error
        return dev

    @staticmethod
    def _close(dev) -> None:
        if dev is None:
            return
        try:
            dev.close()
        except Exception:  # closing a broken connection has nothing more to tell
            pass

    def before_send(self, dev) -> None:
        """Hook: a last check on the open device before the ticket is sent."""

    def print_slip(self, slip: TicketSlip) -> None:
        data = self.render(slip)
        dev = None
        try:
            dev = self.connect()
            self.before_send(dev)
            dev._raw(data)  # the whole ticket in one write
            if self.spec.kind in ("cups", "win32"):
                dev.close()  # CUPS sends, Windows ends the document, on close: a failure there counts
        except PrinterError:
            raise
        except Exception as exc:  # OSError, escpos.exceptions.*, driver errors: all one fault
            raise PrinterError(f"printing to {self.describe()} failed: {_reason(exc)}") from exc
        finally:
            self._close(dev)

    def query(self, dev, mode: bytes) -> bytes | None:
        """Send a real-time status request and read the answer; None when nothing came back."""
        try:
            return dev.query_status(mode)
        except Exception:
            return None

    def status(self) -> dict:
        kind = self.spec.kind
        if kind == "win32":
            return {"online": None, "paper": None, "detail": "status is not available for Windows printers"}
        dev = None
        try:
            try:
                dev = self.connect()
            except Exception as exc:
                return {"online": False, "paper": None,
                        "detail": f"cannot reach {self.describe()}: {_reason(exc)}"}
            if kind == "cups":
                # CupsPrinter._read reports the queue state; query_status would queue a print job.
                state = dev._read()
                online = state == b"0"
                return {"online": online, "paper": None,
                        "detail": "CUPS queue ready" if online else "CUPS queue stopped or busy"}
            online = parse_online(self.query(dev, RT_STATUS_ONLINE))
            paper = parse_paper(self.query(dev, RT_STATUS_PAPER))
            return {"online": online, "paper": paper, "detail": _status_detail(online, paper)}
        except Exception as exc:
            return {"online": None, "paper": None, "detail": f"status query failed: {_reason(exc)}"}
        finally:
            self._close(dev)


class NetworkPrinter(DevicePrinter):
    """``tcp://HOST:PORT``: a raw-port network printer, one connection per job.

    Before sending, it asks the printer for its paper state (DLE EOT 4, waiting at most
    STATUS_REPLY_TIMEOUT); a printer that reports paper out fails the job instead of
    buffering a ticket nobody receives. Printers that do not answer are printed to anyway.
    ``?paper_check=0`` turns the question off.
    """

    def __init__(self, spec: PrinterSpec):
        super().__init__(spec)
        self.timeout = float(spec.options.get("timeout", DEFAULT_TIMEOUT))
        self.paper_check = spec.options.get("paper_check", "1") in ("1", "true", "yes", "on")

    def query(self, dev, mode: bytes) -> bytes | None:
        sock = dev.device
        sock.settimeout(min(STATUS_REPLY_TIMEOUT, self.timeout))
        try:
            return dev.query_status(mode)
        except OSError:  # no answer in time (or none at all): unknown
            return None
        finally:
            sock.settimeout(self.timeout)

    def connect(self):
        # Network.open() drops its socket unclosed when connect() fails (a ResourceWarning per
        # failed job while the printer is off), so connect here and hand Network the socket.
        dev = Network(self.spec.target, self.spec.port, timeout=self.timeout, profile=self.profile)
        dev.device = socket.create_connection((self.spec.target, self.spec.port), timeout=self.timeout)
        return dev

    def before_send(self, dev) -> None:
        if self.paper_check and parse_paper(self.query(dev, RT_STATUS_PAPER)) == "out":
            raise PrinterError(f"printer at {self.describe()} reports paper out")

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


class RecordingPrinter:
    """Test double: renders every ticket with python-escpos's ``Dummy`` and keeps it.

    ``.slips`` and ``.outputs`` (the ESC/POS bytes) grow by one per printed ticket.
    ``RecordingPrinter(fail=True)`` raises ``PrinterError("printer offline")`` until ``.fail = False``.
    Layout errors are not wrapped, so a bad slip fails the test that made it.
    """

    def __init__(self, fail: bool = False, profile: str | None = None, width: int = DEFAULT_WIDTH):
        if profile is not None:
            _check_profile(profile)
        self.fail = fail
        self.profile = profile
        self.width = width
        self.slips: list[TicketSlip] = []
        self.outputs: list[bytes] = []
        self._lock = threading.Lock()

    def print_slip(self, slip: TicketSlip) -> None:
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
