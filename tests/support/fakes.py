"""Test doubles: a controllable clock, a cheap password hash, and a real TCP printer on 127.0.0.1.

The printer and speech doubles of the production code (``RecordingPrinter``, ``NullPrinter``,
the tone synthesizer) live in ``antrean.hardware``; these are the ones only tests use.
"""
from __future__ import annotations

import socket
import threading
from datetime import datetime, timedelta


def fast_hash(password: str) -> str:
    """A cheap password hash for test users (the real one, scrypt, costs ~100 ms a user)."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method="pbkdf2:sha256:1000")


class FakeClock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> datetime:
        self.now = self.now + timedelta(**kw)
        return self.now


class FakeNetworkPrinter:
    """A raw-port printer on 127.0.0.1: keeps every connection's bytes (one job each) and, like a
    real ESC/POS printer, answers real-time status requests (DLE EOT n) from ``replies``."""

    def __init__(self, port: int = 0, replies: dict[int, bytes] | None = None, answers_per_job: int | None = None):
        self.replies = {1: b"\x12", 4: b"\x12"} if replies is None else replies
        self.answers_per_job = answers_per_job  # a printer that dies mid-job stops answering after this many
        self.jobs: list[bytes] = []
        self._done = threading.Condition()
        self._stop = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(5)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"tcp://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(5)
                buf, scanned, answered = bytearray(), 0, 0
                try:
                    while chunk := conn.recv(65536):
                        buf += chunk
                        while (at := buf.find(b"\x10\x04", scanned)) >= 0 and at + 2 < len(buf):
                            reply = self.replies.get(buf[at + 2])
                            if reply and (self.answers_per_job is None or answered < self.answers_per_job):
                                conn.sendall(reply)
                                answered += 1
                            scanned = at + 3
                except OSError:
                    pass
            with self._done:
                self.jobs.append(bytes(buf))
                self._done.notify_all()

    def wait_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        with self._done:
            assert self._done.wait_for(lambda: len(self.jobs) >= count, timeout), self.jobs
            return list(self.jobs)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()
