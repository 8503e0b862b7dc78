"""``DevicePrinter``: a python-escpos device (``usb://``, ``serial://``, ``cups://``, ``win32://``), opened per job."""
from __future__ import annotations

from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.printer import CupsPrinter, Serial, Usb, Win32Raw

from antrean.hardware.printer.base import BasePrinter, Printable, PrinterError, reason
from antrean.hardware.printer.status import parse_online, parse_paper, status_detail


class DevicePrinter(BasePrinter):
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

    def after_send(self, dev) -> None:
        """Hook: a check that the device really took the ticket (raise PrinterError if not)."""

    def print_slip(self, slip: Printable) -> None:
        data = self.render(slip)
        dev = None
        try:
            dev = self.connect()
            self.before_send(dev)
            dev._raw(data)  # the whole ticket in one write
            self.after_send(dev)
            if self.spec.kind in ("cups", "win32"):
                dev.close()  # CUPS sends, Windows ends the document, on close: a failure there counts
        except PrinterError:
            raise
        except Exception as exc:  # OSError, escpos.exceptions.*, driver errors: all one fault
            raise PrinterError(f"printing to {self.describe()} failed: {reason(exc)}") from exc
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
                        "detail": f"cannot reach {self.describe()}: {reason(exc)}"}
            if kind == "cups":
                # CupsPrinter._read reports the queue state; query_status would queue a print job.
                state = dev._read()
                online = state == b"0"
                return {"online": online, "paper": None,
                        "detail": "CUPS queue ready" if online else "CUPS queue stopped or busy"}
            online = parse_online(self.query(dev, RT_STATUS_ONLINE))
            paper = parse_paper(self.query(dev, RT_STATUS_PAPER))
            return {"online": online, "paper": paper, "detail": status_detail(online, paper)}
        except Exception as exc:
            return {"online": None, "paper": None, "detail": f"status query failed: {reason(exc)}"}
        finally:
            self._close(dev)
