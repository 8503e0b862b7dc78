"""The log throttle (shared/domain/log_throttle.py): a flood of one warning or error writes one line
a minute with a count, so it cannot fill the disk; different kinds and INFO lines are not held back."""
from __future__ import annotations

import io
import logging

from antrean.shared.domain.log_throttle import LogThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def logger_with_throttle(clock: Clock) -> tuple[logging.Logger, io.StringIO, LogThrottle]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    throttle = LogThrottle(handler, per_seconds=60, clock=clock)
    handler.addFilter(throttle)
    log = logging.getLogger(f"antrean.test.throttle.{id(out)}")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    return log, out, throttle


def test_a_flood_of_one_error_is_one_line_a_minute_with_its_count():
    clock = Clock()
    log, out, _ = logger_with_throttle(clock)
    for i in range(10_000):
        log.error("database unavailable for %s %s: %s", "POST", f"/api/v1/tickets/{i}", "QueuePool limit")
        clock.now += 0.001  # ten seconds of errors
    assert out.getvalue().count("\n") == 1
    assert "database unavailable for POST /api/v1/tickets/0" in out.getvalue()
    clock.now += 60
    log.error("database unavailable for %s %s: %s", "POST", "/api/v1/tickets", "QueuePool limit")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[1].endswith("[9999 more like this in the last 60 s]")


def test_tracebacks_of_one_exception_type_are_one_kind():
    clock = Clock()
    log, out, _ = logger_with_throttle(clock)
    for _ in range(500):
        try:
            raise TimeoutError("QueuePool limit of size 10 overflow 20 reached")
        except TimeoutError:
            log.exception("display snapshot could not be read")
    assert out.getvalue().count("Traceback (most recent call last)") == 1


def test_other_kinds_and_info_lines_pass():
    clock = Clock()
    log, out, _ = logger_with_throttle(clock)
    for _ in range(3):
        log.warning("Socket.IO connection dropped: more than %d events in %g s", 30, 10)
        log.error("database unavailable for %s %s: %s", "GET", "/kiosk/", "locked")
        log.info("speech: %s", "off")
    text = out.getvalue()
    assert text.count("Socket.IO connection dropped") == 1
    assert text.count("database unavailable") == 1
    assert text.count("speech: off") == 3


def test_a_kind_that_does_not_come_back_gets_its_count_line():
    clock = Clock()
    log, out, throttle = logger_with_throttle(clock)
    for _ in range(42):
        log.warning("followed ticket could not be read: %s", "TimeoutError")
    clock.now += 61
    throttle.flush()  # the server's timer; the next line of any kind does the same
    lines = out.getvalue().splitlines()
    assert lines == ["WARNING " + log.name + ": followed ticket could not be read: TimeoutError",
                     "WARNING " + log.name + ": 41 more like this in the last 60 s: "
                     "followed ticket could not be read: %s"]
    throttle.flush()
    assert len(out.getvalue().splitlines()) == 2  # counted once


def test_lines_another_library_formatted_itself_are_one_kind_per_logger():
    clock = Clock()
    log, out, _ = logger_with_throttle(clock)
    pywsgi = logging.getLogger(f"gevent.pywsgi.test{id(out)}")
    pywsgi.propagate = False
    pywsgi.addHandler(log.handlers[0])
    for i in range(100):  # gevent's WSGI server: the client's bytes in each line
        pywsgi.error(f"<socket at 0x{i:x}>: Invalid HTTP method: '\\x{i:02x}garbage'")
    assert out.getvalue().count("Invalid HTTP method") == 1
