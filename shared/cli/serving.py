"""The production server's tunings: TCP_NODELAY on every connection, no access-log line, and
start-up objects kept out of the garbage collector's full passes.

gevent's WSGI server writes a response in more than one send; with Nagle's algorithm on, the
last small segment waits for the client's delayed ACK, which costs ~40 ms per request on a
keep-alive connection (measured: p50 44 ms -> 0.2 ms for a trivial app; bench/issue.py,
docs/performance.md). The same holds for Socket.IO frames on a WebSocket.

``antrean serve`` runs gevent's server without an access log (``log_output=False``: the server's
``log`` is a no-op), but gevent's handler still formatted the line (a clock read and a string of
the request line, status, length and duration) for every request before dropping it. The handler
here formats none; errors still go to the server's ``error_log``.
"""
from __future__ import annotations

import gc
import logging
import socket
import threading

from gevent import pywsgi

from antrean.shared.domain import log_throttle


def quiet_repeated_errors() -> None:
    """Every warning and error line goes through the log throttle (shared/domain/log_throttle.py):
    once per kind per minute, with a count. The errors gevent itself writes straight to stderr (a
    greenlet that failed; the WSGI server's own errors) are sent to the log first, so they are
    throttled too: a flood of failing requests or socket events cannot fill the disk."""
    from gevent.hub import Hub

    greenlets = logging.getLogger("gevent.hub")

    def print_exception(_hub, _context, t, v, tb):  # the greenlet's repr (its arguments) is not written
        greenlets.error("a greenlet failed with %s", getattr(t, "__name__", "an exception"), exc_info=(t, v, tb))

    Hub.print_exception = print_exception  # type: ignore[method-assign]  # gevent's documented hook is this method
    log_throttle.install(logging.getLogger().handlers,
                         start_timer=lambda fn: threading.Thread(target=fn, daemon=True).start())


def freeze_startup_objects() -> None:
    """Move every object alive after start-up (modules, the app, the catalogue, SQLAlchemy's
    mappers: ~160k objects) out of the collector's reach. A full collection otherwise walks them
    all, and under gevent it stops every connection meanwhile: measured 105 ms during
    bench/call_display.py, which made one call that late on every display."""
    gc.collect()
    gc.freeze()


class NoDelayHandler(pywsgi.WSGIHandler):
    """gevent's handler with Nagle's algorithm off for the connection it serves, and no access log."""

    def handle(self):
        try:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):  # not TCP (a test double, a UNIX socket)
            pass
        return super().handle()

    def handle_one_response(self):
        """A connection that became a WebSocket is closed when the WebSocket ends: what a client sent
        after it (a flood still under way when the server dropped it) is not read as HTTP requests,
        each an error line with the client's bytes in it."""
        super().handle_one_response()
        if (self.environ or {}).get("HTTP_UPGRADE", "").lower() == "websocket":
            self.close_connection = True

    def log_request(self):
        """No access-log line (not even formatted): the access log is noise here, and costs CPU per
        request. Errors are still logged (``log_error``, the server's ``error_log``)."""
        return None
