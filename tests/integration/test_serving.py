"""The production server's handler: TCP_NODELAY, and no access-log line formatted per request."""
from __future__ import annotations

import sys

from gevent import pywsgi, socket

from antrean.shared.cli.serving import NoDelayHandler


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def get(port: int) -> bytes:
    conn = socket.create_connection(("127.0.0.1", port))
    try:
        conn.sendall(b"GET /kiosk/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := conn.recv(4096):
            reply += chunk
        return reply
    finally:
        conn.close()


def test_no_access_log_line_is_formatted_and_errors_are_still_logged(monkeypatch):
    formatted = []
    monkeypatch.setattr(pywsgi.WSGIHandler, "format_request", lambda self: formatted.append(1) or "line")
    # as Flask-SocketIO builds it for `antrean serve` (log_output=False: log=None)
    server = pywsgi.WSGIServer(("127.0.0.1", 0), hello, log=None, handler_class=NoDelayHandler)
    server.start()
    try:
        assert get(server.server_port).startswith(b"HTTP/1.1 200 OK")
        assert get(server.server_port).endswith(b"ok")
    finally:
        server.stop()
    assert formatted == []  # gevent's own handler formats a line per request, even for log=None
    assert server.error_log is sys.stderr  # errors keep their log


def test_gevent_handler_would_format_a_line(monkeypatch):
    """The test above can see a formatted line: gevent's plain handler makes one per request."""
    formatted = []
    monkeypatch.setattr(pywsgi.WSGIHandler, "format_request", lambda self: formatted.append(1) or "line")
    server = pywsgi.WSGIServer(("127.0.0.1", 0), hello, log=None)
    server.start()
    try:
        get(server.server_port)
    finally:
        server.stop()
    assert formatted == [1]
