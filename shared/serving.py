"""The production server's one tuning: TCP_NODELAY on every connection.

gevent's WSGI server writes a response in more than one send; with Nagle's algorithm on, the
last small segment waits for the client's delayed ACK, which costs ~40 ms per request on a
keep-alive connection (measured: p50 44 ms -> 0.2 ms for a trivial app; bench/issue.py,
docs/performance.md). The same holds for Socket.IO frames on a WebSocket.
"""
from __future__ import annotations

import socket

from gevent import pywsgi


class NoDelayHandler(pywsgi.WSGIHandler):
    """gevent's handler with Nagle's algorithm off for the connection it serves."""

    def handle(self):
        try:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):  # not TCP (a test double, a UNIX socket)
            pass
        return super().handle()
