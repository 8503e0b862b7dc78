"""Repeated warnings and errors logged once per kind per minute, with a count: a flood of failing
requests or socket events cannot fill the disk (docs/operations.md, "The log").

A *kind* is the logger, the level, the message before its arguments are filled in (``"database
unavailable for %s %s: %s"``) and the exception's type. The first record of a kind passes; the
others of that kind in the next ``per_seconds`` are counted and dropped (not formatted: a flood of
tracebacks costs no formatting either). The first record of the kind after that passes with the
count appended (``[312 more like this in the last 60 s]``); a kind that does not come back gets a
line of its own with the count at the next record of any kind, or at the next ``flush()``.
Records below ``level`` (INFO: start-up lines) always pass.

Plain Python (``logging`` only): the CLI installs it on the server's log handlers.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

KINDS = 1000  # kinds remembered at once; past this, the oldest expired ones are forgotten


class _Kind:
    __slots__ = ("since", "count", "name", "level", "msg")

    def __init__(self, since: float, record: logging.LogRecord):
        self.since, self.count = since, 0
        self.name, self.level, self.msg = record.name, record.levelno, str(record.msg)


class LogThrottle(logging.Filter):
    """A filter for a ``logging.Handler``: ``handler.addFilter(LogThrottle(handler))``. The handler
    is where the count lines of kinds that did not come back are written."""

    def __init__(self, handler: logging.Handler | None = None, per_seconds: float = 60.0,
                 level: int = logging.WARNING, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.handler, self.per_seconds, self.level, self.clock = handler, per_seconds, level, clock
        self._kinds: dict[tuple, _Kind] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    @staticmethod
    def kind_of(record: logging.LogRecord) -> tuple:
        exc = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        # a line another library formatted itself (gevent's WSGI server: "<socket at 0x...>: (from
        # (address)) Invalid HTTP method: <the client's bytes>") is of its logger's one kind
        text = str(record.msg) if record.args or record.name.startswith("antrean") else ""
        return record.name, record.levelno, text, exc

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.level or getattr(record, "throttle_summary", False):
            return True
        now = self.clock()
        key = self.kind_of(record)
        with self._lock:
            kind = self._kinds.get(key)
            due = self._due(now, key) if now >= self._next_sweep else []
            if kind is not None and now - kind.since < self.per_seconds:
                kind.count += 1
                passed, repeated = False, 0
            else:
                repeated = kind.count if kind is not None else 0
                self._kinds[key] = _Kind(now, record)
                if len(self._kinds) > KINDS:
                    self._forget(now)
                passed = True
        self._write(due)
        if passed and repeated:
            record.msg = f"{record.msg} [{repeated} more like this in the last {self.per_seconds:g} s]"
        return passed

    def flush(self) -> None:
        """Write the count lines of the kinds whose minute is over (a timer calls this)."""
        with self._lock:
            due = self._due(self.clock())
        self._write(due)

    def _due(self, now: float, keep: tuple | None = None) -> list[_Kind]:
        """The kinds whose minute is over with records dropped in it (taken out: counted once);
        ``keep``: the kind of the record at hand, which carries its own count."""
        self._next_sweep = now + min(5.0, self.per_seconds)
        over = [key for key, k in self._kinds.items() if now - k.since >= self.per_seconds and key != keep]
        due = [self._kinds[key] for key in over if self._kinds[key].count]
        for key in over:
            del self._kinds[key]
        return due

    def _forget(self, now: float) -> None:
        for key in [key for key, k in self._kinds.items() if now - k.since >= self.per_seconds and not k.count]:
            del self._kinds[key]
        while len(self._kinds) > KINDS:  # a flood of distinct messages: the oldest kinds go
            del self._kinds[next(iter(self._kinds))]

    def _write(self, due: list[_Kind]) -> None:
        if self.handler is None:
            return
        for kind in due:
            line = logging.LogRecord(kind.name, kind.level, __file__, 0,
                                     "%d more like this in the last %g s: %s",
                                     (kind.count, self.per_seconds, kind.msg), None)
            line.throttle_summary = True
            self.handler.handle(line)


def install(handlers: list[logging.Handler], per_seconds: float = 60.0,
            start_timer: Callable[[Callable[[], None]], object] | None = None) -> list[LogThrottle]:
    """A throttle on each handler (the root logger's, after ``logging.basicConfig``).
    ``start_timer(fn)`` runs ``fn`` in the background (it loops): the count lines of kinds that did
    not come back are written within ``per_seconds`` of their minute's end even when nothing else is
    logged."""
    throttles = []
    for handler in handlers:
        throttle = LogThrottle(handler, per_seconds)
        handler.addFilter(throttle)
        throttles.append(throttle)

    def flush_forever() -> None:
        while True:
            time.sleep(per_seconds / 2)
            for throttle in throttles:
                throttle.flush()

    if start_timer is not None:
        start_timer(flush_forever)
    return throttles
