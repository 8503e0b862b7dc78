"""Real message gateways on loopback, for the outbox's tests: an SMTP server (aiosmtpd) and an HTTP
server standing in for a WhatsApp or SMS gateway. Used by tests/integration/test_message_gateways.py
and the browser tests that follow a message to the citizen (tests/browser/test_notify.py,
tests/browser/test_booking_messages.py)."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from tests.support.env import need
from tests.support.live_server import free_port


def need_aiosmtpd() -> None:
    """aiosmtpd is in the test extras; without it a test skips (or fails under ANTREAN_REQUIRE_ALL=1)."""
    import importlib.util

    need(importlib.util.find_spec("aiosmtpd") is not None, "aiosmtpd is not installed (pip install -e '.[test]')")


class Inbox:
    """What the SMTP server received: (recipient, subject, body) in order."""

    def __init__(self):
        self.mails: list[tuple[str, str, str]] = []
        self.port = 0
        self.logged_in: str | None = None  # the login the server accepted
        self.tls: list[bool] = []  # per mail: whether its connection was encrypted

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  # aiosmtpd's hook name
        mail = message_from_bytes(envelope.content)
        self.tls.append(session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None)
        self.mails.append((envelope.rcpt_tos[0], str(mail["Subject"]), mail.get_payload(decode=True).decode().strip()))
        return "250 OK"


@contextmanager
def smtp_server(handler=None, tls: str = "none", certificate=None, logins: dict[str, str] | None = None
                ) -> Iterator:
    """An aiosmtpd server on a free loopback port; yields its handler (an ``Inbox`` unless given),
    with ``port`` set on an ``Inbox``, and the port as ``handler.port`` where it can be set.

    ``tls``: ``none``, ``starttls`` (STARTTLS offered and required before anything else) or ``ssl``
    (TLS from the first byte); ``certificate``: a ``trustme`` leaf certificate for 127.0.0.1;
    ``logins``: user -> password, then a login is required (over TLS only)."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    port = free_port()  # aiosmtpd's start-up check connects to the port it was given
    box = handler if handler is not None else Inbox()
    options: dict = {}
    if tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        if tls == "ssl":
            options.update(ssl_context=context)
        else:
            options.update(tls_context=context, require_starttls=True)
    if logins is not None:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and logins.get(auth_data.login.decode()) == auth_data.password.decode())
            if ok:
                box.logged_in = auth_data.login.decode()
            return AuthResult(success=ok)

        # over implicit TLS the whole connection is encrypted, but aiosmtpd's auth_require_tls and
        # auth_required watch STARTTLS only: there the login is offered, and the test checks it was used
        starttls = tls == "starttls"
        options.update(authenticator=authenticator, auth_required=starttls, auth_require_tls=starttls)
    controller = Controller(box, hostname="127.0.0.1", port=port, **options)
    controller.start()
    box.port = port
    try:
        yield box
    finally:
        controller.stop()


class Gateway:
    """An HTTP gateway on loopback: records each POST (path, token header, body); ``down`` answers 503."""

    def __init__(self):
        self.received: list[tuple[str, str | None, bytes]] = []
        self.down = False
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  # http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if gateway.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                gateway.received.append((self.path, self.headers.get("Authorization") or self.headers.get("X-Token"),
                                         body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": true}')

            def log_message(self, *args):  # no request lines on stderr
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def json_bodies(self) -> list[dict]:
        return [json.loads(body) for _path, _token, body in self.received]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def http_gateway() -> Iterator[Gateway]:
    gateway = Gateway()
    try:
        yield gateway
    finally:
        gateway.stop()


def whatsapp_texts(gateway: Gateway) -> list[str]:
    """The texts a WhatsApp gateway took (the Cloud API's JSON body, the HttpGateway's default)."""
    return [body["text"]["body"] for body in gateway.json_bodies()]


def sms_texts(gateway: Gateway) -> list[str]:
    """The texts an SMS gateway took as form fields (``message=``)."""
    return [parse_qs(body.decode())["message"][0] for _path, _token, body in gateway.received]
