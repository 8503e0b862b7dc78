"""Clients of a live server: a clerk's logged-in session over HTTP and a display over Socket.IO."""
from __future__ import annotations

import re
import threading
import time

import requests
import socketio


class Staff:
    """A logged-in browser-like session (cookies + CSRF token), as a clerk uses the counter screen."""

    def __init__(self, server, username):
        self.server = server
        self.http = requests.Session()
        token = self._token("/counter/login")
        resp = self.http.post(f"{server.url}/counter/login", allow_redirects=False,
                              data={"csrf_token": token, "username": username,
                                    "password": server.passwords[username]})
        assert resp.status_code == 302, resp.text
        self.token = self._token("/counter/")  # the session is new after login: so is its token

    def _token(self, path):
        page = self.http.get(f"{self.server.url}{path}").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def send(self, path, data=None, refused_ok: bool = False):
        """Post a form as the counter screen does; the redirect answer (302), not followed. With
        ``refused_ok`` a refusal answered in place (400/409: the page again, with what was typed) is
        returned too."""
        resp = self.http.post(f"{self.server.url}{path}", data={"csrf_token": self.token, **(data or {})},
                              allow_redirects=False)
        assert resp.status_code == 302 or (refused_ok and resp.status_code in (400, 409)), resp.text
        return resp

    def post(self, path, data=None) -> str:
        """Post a form, then return the counter page the clerk sees: the page a refused step answers
        with, else the counter page the clerk is sent back to."""
        resp = self.send(path, data, refused_ok=True)
        if resp.status_code != 302:
            return resp.text
        return self.http.get(f"{self.server.url}/counter/").text

    def call_next(self, force: bool = False):
        """"Panggil berikutnya"; ``force``: "Panggil tetap", as the clerk answers a loket still holding a
        ticket (the display tests call one number after another without serving them)."""
        return self.send("/counter/call-next", {"force": "1"} if force else None)


class DisplayClient:
    """A display as the waiting-room page is: snapshot on every (re)connect, then calls."""

    def __init__(self, url, transports=("websocket",)):
        self.calls: list[dict] = []
        self.received_at: list[float] = []
        self.snapshots: list[dict] = []
        self.settings: list[dict] = []
        self.got_call = threading.Event()
        self.changed = threading.Condition()
        self.sio = socketio.Client(reconnection_delay=0.2, reconnection_delay_max=0.5)
        self.sio.on("call", self._call, namespace="/display")
        self.sio.on("snapshot", self._snapshot, namespace="/display")
        self.sio.on("settings", self._settings, namespace="/display")
        self.sio.connect(url, namespaces=["/display"], transports=list(transports), wait_timeout=10)

    def _call(self, data):
        with self.changed:
            self.calls.append(data)
            self.received_at.append(time.monotonic())
            self.got_call.set()
            self.changed.notify_all()

    def _settings(self, data):
        with self.changed:
            self.settings.append(data)
            self.changed.notify_all()

    def _snapshot(self, data):
        with self.changed:
            self.snapshots.append(data)
            self.changed.notify_all()

    def wait(self, predicate, timeout=5.0):
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    def close(self):
        self.sio.disconnect()


def close_all(clients) -> None:
    """Close in parallel: each python-socketio disconnect waits ~3 s for the websocket close frame."""
    threads = [threading.Thread(target=c.close) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
