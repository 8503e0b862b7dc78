"""``RecordingSender``: the test double, which keeps every message it was given."""
from __future__ import annotations

import threading

from antrean.hardware.messaging.base import SendError
from antrean.shared.domain.contact import Message


class RecordingSender:
    """``.sent`` grows by one ``(to, message)`` per message. ``fail=True`` raises ``SendError`` until
    set back to False."""

    def __init__(self, fail: bool = False, name: str = "recording"):
        self.fail = fail
        self.name = name
        self.sent: list[tuple[str, Message]] = []
        self._lock = threading.Lock()

    def send(self, to: str, message: Message) -> None:
        if self.fail:
            raise SendError(f"{self.name}: gateway unavailable")
        with self._lock:
            self.sent.append((to, message))

    def describe(self) -> str:
        return f"{self.name} (test sender)"
