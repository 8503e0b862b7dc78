"""The guard of the fast tier (after Indico's ``indico/testing/fixtures/disallow.py``): a unit,
service or web test may not open a network socket, a real printer or a speech engine.

Such a test would be slow, depend on the machine, or print and speak for real; it belongs in
tests/integration or tests/hardware, or uses the doubles (``RecordingPrinter``, ``NullPrinter``,
the tone synthesizer). PostgreSQL and Redis on this machine stay allowed: service tests on
PostgreSQL are legitimate. Unix sockets are allowed.

A forbidden call fails the test where it happens (``pytest.fail`` raises a BaseException, which
no ``except Exception`` of the code under test swallows) and again at teardown, so one made in
another thread is not lost.
"""
from __future__ import annotations

import socket
import sys
from urllib.parse import urlsplit

import pytest

from tests.support.env import PG_ADMIN_URL, REDIS_TEST_URL

GUARDED_TIERS = ("unit", "service", "web")
PRINTER_CLASSES = ("Network", "Usb", "Serial", "File", "CupsPrinter", "LP", "Win32Raw")


def _allowed_services() -> set[tuple[str, int]]:
    allowed = {(host, port) for host in ("127.0.0.1", "localhost", "::1") for port in (5432, 6379)}
    for url, port in ((PG_ADMIN_URL, 5432), (REDIS_TEST_URL, 6379)):
        parts = urlsplit(url)
        if parts.hostname:
            allowed.add((parts.hostname, parts.port or port))
    return allowed


ALLOWED = _allowed_services()


def guarded(path) -> bool:
    """Whether the test file at ``path`` is in a guarded tier (tests/unit, tests/service, tests/web)."""
    parts = list(path.parts)
    for i in range(len(parts) - 1, 0, -1):
        if parts[i - 1] == "tests":
            return parts[i] in GUARDED_TIERS
    return False


class Guard:
    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.monkeypatch = monkeypatch
        self.violations: list[str] = []

    def refuse(self, what: str):
        message = (f"{what}: a unit, service or web test may not open a network socket, a printer or a "
                   "speech engine. Use the test doubles (RecordingPrinter, NullPrinter, the tone "
                   "synthesizer, the Flask and Socket.IO test clients) or move the test to "
                   "tests/integration or tests/hardware.")
        self.violations.append(message)
        pytest.fail(message, pytrace=False)

    def forgive(self) -> list[str]:
        """Forget the violations so far (for the guard's own tests); returns them."""
        seen, self.violations[:] = list(self.violations), []
        return seen

    def allows(self, family, address) -> bool:
        if family == getattr(socket, "AF_UNIX", None):
            return True
        if not isinstance(address, tuple) or len(address) < 2:
            return False
        return (address[0], address[1]) in ALLOWED

    def install(self) -> Guard:
        guard = self

        def wrap(cls, name):
            real = getattr(cls, name)

            def connect(sock, address, *args, **kw):
                if not guard.allows(sock.family, address):
                    sock.close()  # the caller (socket.create_connection) will not: no unclosed-socket warning
                    guard.refuse(f"socket {name} to {address!r}")
                return real(sock, address, *args, **kw)

            self.monkeypatch.setattr(cls, name, connect)

        for name in ("connect", "connect_ex"):
            wrap(socket.socket, name)
        if "gevent.socket" in sys.modules:  # gevent's sockets do not go through socket.socket.connect
            for name in ("connect", "connect_ex"):
                wrap(sys.modules["gevent.socket"].socket, name)

        import escpos.printer

        import antrean.hardware.printer  # noqa: F401  (sets up python-escpos's capability cache first)

        for name in PRINTER_CLASSES:
            cls = getattr(escpos.printer, name, None)
            if cls is not None:
                self.monkeypatch.setattr(cls, "open", self._refusing(f"python-escpos {name} printer opened"))

        import pyttsx3

        self.monkeypatch.setattr(pyttsx3, "init", self._refusing("pyttsx3.init() (a real speech engine)"))
        return self

    def _refusing(self, what: str):
        def refused(*args, **kw):
            self.refuse(what)
        return refused

    def check(self) -> None:
        if self.violations:
            pytest.fail(self.violations[0], pytrace=False)
