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
import socket

from gevent import pywsgi


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

    def log_request(self):
        """No access-log line (not even formatted): the access log is noise here, and costs CPU per
        request. Errors are still logged (``log_error``, the server's ``error_log``)."""
        return None
