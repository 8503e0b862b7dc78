"""``FilePrinter``: ``file://`` URLs, one ``.escpos`` file per ticket in a folder or all tickets in one file."""
from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from antrean.hardware.printer.base import BasePrinter, Printable, PrinterError, reason

if TYPE_CHECKING:
    from antrean.hardware.printer.base import PrinterSpec


class FilePrinter(BasePrinter):
    """One ``.escpos`` file per ticket in a directory, or every ticket appended to one file."""

    def __init__(self, spec: PrinterSpec):
        super().__init__(spec)
        self.path = Path(spec.target)
        self.per_ticket = spec.kind == "dir"

    def ticket_name(self, slip: Printable) -> str:
        number = re.sub(r"[^A-Za-z0-9_-]", "_", slip.number) or "ticket"
        return f"{number}-{slip.issued_at:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}.escpos"

    def print_slip(self, slip: Printable) -> None:
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
            raise PrinterError(f"cannot write the ticket to {self.describe()}: {reason(exc)}") from exc

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
