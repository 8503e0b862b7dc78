"""What one Socket.IO client may cost: a flood costs the flooder only (docs/security.md).

- **Connections per address** (``max_per_address``, ANTREAN_SOCKET_CONNECTIONS): an Engine.IO
  connection over the cap is refused at its handshake. The address is the one the rest of the app
  sees: the peer's, or the one ``ANTREAN_PROXIES`` trusted reverse proxies name (Werkzeug's ProxyFix
  sits outside the Socket.IO middleware, shared/app.py).
- **Events per connection** (``events``, ANTREAN_SOCKET_EVENT_LIMIT, e.g. ``30 per 10 seconds``):
  every packet a client sends on a public namespace (``/display``, ``/ticket``, a namespace
  connect) counts; the connection that sends more within the window is dropped at once, and its
  address opens no new connection for the rest of that window (a flooder that connects again at
  once would otherwise cost a handshake and a snapshot each time). Packets of a
  namespace the client is logged in to (``/counter``, ``/printer``) do not count: staff and print
  agents are identified, and a print agent acknowledges as fast as its printer prints.
- **Read no faster than handled** (``pace_websockets``): the WebSocket library (simple-websocket)
  reads a connection's frames in a task of its own into an unbounded list, as fast as the client
  sends them, and a client that sends without pause keeps that task from ever yielding: the server
  froze and its memory grew by gigabytes (bench/flood.py). Each connection's reading now waits while
  ``WAITING`` of its messages are not yet handled, and yields after each read.
- **One read at a time** (``Coalesced``): a read that clients ask for while the same read is already
  under way is not run again for each of them: they all share the next one (which starts after they
  asked, so none is answered with a state older than its question).

Plain Python apart from the server object it is installed on (python-socketio's ``Server``).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from limits import parse

log = logging.getLogger(__name__)
WAITING = 64  # a connection's received messages not yet handled, before its socket is read again
BUSY = object()  # Coalesced: another read is waiting for this client; this one is not run
LOGGED_IN = ("/counter", "/printer")  # namespaces whose connect handler requires a login or a token


def window(limit: str) -> tuple[int, float]:
    """``"30 per 10 seconds"`` (Flask-Limiter notation, as ANTREAN_ISSUE_LIMIT) -> (30, 10.0)."""
    item = parse(limit)
    return item.amount, float(item.get_expiry())


class _Round:
    def __init__(self, key: Any):
        self.key = key
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class Coalesced:
    """One read running at a time; the callers that arrive while it runs share one next read.

    ``run(key, read)``: with a read of another ``key`` already waiting, returns ``BUSY`` without
    reading (a client that asks for one ticket, then another, while the first is read gets an answer
    for the first only). So at most two reads per instance exist at once (one running, one waiting),
    whatever the number of callers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = threading.Lock()
        self._next: _Round | None = None

    def run(self, key: Any, read: Callable[[], Any]) -> Any:
        with self._lock:
            rnd = self._next
            if rnd is not None and rnd.key != key:
                return BUSY
            lead = rnd is None
            if rnd is None:
                rnd = self._next = _Round(key)
        if not lead:
            rnd.done.wait()
            return rnd.outcome()
        with self._running:  # behind the read under way, which started before these callers asked
            with self._lock:
                self._next = None  # callers from now on wait for the read after this one
            try:
                rnd.value = read()
            except BaseException as exc:  # every caller of this round gets the error
                rnd.error = exc
            finally:
                rnd.done.set()
        return rnd.outcome()


class _Connection:
    __slots__ = ("address", "window_start", "count")

    def __init__(self, address: str, now: float):
        self.address, self.window_start, self.count = address, now, 0


def _namespace(data: Any) -> str | None:
    """The namespace of an encoded Socket.IO packet (``'2/display,1["x"]'`` -> ``/display``);
    ``None`` for a binary attachment."""
    if not isinstance(data, str) or not data:
        return None
    i = 1
    while i < len(data) and data[i].isdigit():  # a binary packet's attachment count, "451-/display,"
        i += 1
    if i < len(data) and data[i] == "-":
        i += 1
    else:
        i = 1
    if data[i:i + 1] != "/":
        return "/"
    end = data.find(",", i)
    return data[i:] if end < 0 else data[i:end]


class ConnectionLimits:
    """Installed on a python-socketio server (``install``): the per-address cap at the Engine.IO
    handshake, and ``admit(eio_sid, data)`` for every packet a client sends (the hub's packet guard
    calls it first; False: the packet is dropped, and so is the connection when it sent too many)."""

    def __init__(self, max_per_address: int = 50, events: str = "30 per 10 seconds",
                 clock: Callable[[], float] = time.monotonic):
        self.max_per_address = max_per_address
        self.max_events, self.window_seconds = window(events)
        self.clock = clock
        self._lock = threading.Lock()
        self._connections: dict[str, _Connection] = {}  # eio sid -> its state
        self._per_address: dict[str, int] = {}
        self._cooling: dict[str, float] = {}  # address -> when it may connect again (after a drop)
        self.server: Any = None

    def install(self, server: Any) -> None:
        self.server = server
        connect, disconnect = server._handle_eio_connect, server._handle_eio_disconnect

        def on_connect(eio_sid: str, environ: dict) -> Any:
            if not self.opened(eio_sid, environ.get("REMOTE_ADDR") or "?"):
                return False  # refused: Engine.IO answers 401, and the client's own code tries later
            return connect(eio_sid, environ)

        def on_disconnect(eio_sid: str, *args: Any) -> Any:
            self.closed(eio_sid)
            return disconnect(eio_sid, *args)

        # Flask-SocketIO's test client calls the server's methods directly: both are replaced
        server._handle_eio_connect, server._handle_eio_disconnect = on_connect, on_disconnect
        server.eio.on("connect", on_connect)
        server.eio.on("disconnect", on_disconnect)

    def opened(self, eio_sid: str, address: str) -> bool:
        with self._lock:
            if eio_sid in self._connections:
                return True  # counted already (Flask-SocketIO's test client connects once per namespace)
            n = self._per_address.get(address, 0)
            until = self._cooling.get(address)
            if until is not None and self.clock() < until:
                return False  # dropped for flooding a moment ago (logged then)
            if n >= self.max_per_address:
                refused = True
            else:
                refused = False
                self._per_address[address] = n + 1
                self._connections[eio_sid] = _Connection(address, self.clock())
        if refused:
            log.warning("Socket.IO connection refused: %d connections from one address already",
                        self.max_per_address)
        return not refused

    def closed(self, eio_sid: str) -> None:
        with self._lock:
            conn = self._connections.pop(eio_sid, None)
            if conn is None:
                return
            n = self._per_address.get(conn.address, 1) - 1
            if n > 0:
                self._per_address[conn.address] = n
            else:
                self._per_address.pop(conn.address, None)

    def connections_from(self, address: str) -> int:
        with self._lock:
            return self._per_address.get(address, 0)

    def admit(self, eio_sid: str, data: Any) -> bool:
        """True: handle this packet. False: drop it (its connection is gone, or has just been
        dropped for sending too many)."""
        conn = self._connections.get(eio_sid)
        if conn is None:
            return False  # dropped already: the packets still in its buffer are not handled
        namespace = _namespace(data)
        if (namespace in LOGGED_IN and isinstance(data, str) and data[:1] != "0"
                and self.server.manager.sid_from_eio_sid(eio_sid, namespace) is not None):
            return True  # staff and print agents: a login or a token, not counted
        now = self.clock()
        if now - conn.window_start >= self.window_seconds:
            conn.window_start, conn.count = now, 0
        conn.count += 1
        if conn.count <= self.max_events:
            return True
        log.warning("Socket.IO connection dropped: more than %d events in %g s", self.max_events,
                    self.window_seconds)
        with self._lock:
            if len(self._cooling) > 10_000:  # forget the addresses whose pause is over
                self._cooling = {a: t for a, t in self._cooling.items() if t > now}
            self._cooling[conn.address] = conn.window_start + self.window_seconds
        self.closed(eio_sid)
        self.server.eio.disconnect(eio_sid)
        return False


class _PacedSocket:
    """The TCP socket under one simple-websocket connection: ``recv`` waits while ``WAITING`` of
    the connection's messages are not yet handled, and lets the other tasks run after each read."""

    def __init__(self, sock: Any, ws: Any):
        self._sock, self._ws = sock, ws

    def recv(self, size: int) -> bytes:
        while len(self._ws.input_buffer) >= WAITING and self._ws.connected:
            time.sleep(0.002)  # gevent's sleep under ``antrean serve`` (monkey-patched)
        data = self._sock.recv(size)
        time.sleep(0)  # a client that never pauses does not hold the server
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def pace_websockets(eio_server: Any) -> None:
    """Every WebSocket of this Engine.IO server is read no faster than its messages are handled
    (``_PacedSocket``). Only for python-engineio's simple-websocket transport (the gevent and
    threading modes here); another one is left as it is."""
    try:
        import simple_websocket
        from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
    except ImportError:  # pragma: no cover - another transport
        return
    base = eio_server._async.get("websocket")
    if not (isinstance(base, type) and issubclass(base, SimpleWebSocketWSGI)):
        return

    class Paced(base):  # type: ignore[misc,valid-type]  # a class chosen at run time
        def __call__(self, environ: dict, start_response: Any) -> Any:
            # SimpleWebSocketWSGI.__call__, with the connection's socket paced: its reading task has
            # been started but has not yet run (a gevent task, or a thread that looks the socket up
            # again at each read)
            self.ws = simple_websocket.Server(environ, **self.server_args)
            self.ws.sock = _PacedSocket(self.ws.sock, self.ws)
            ret = self.app(self)
            if self.ws.mode == "gunicorn":
                raise StopIteration()
            elif self.ws.mode == "werkzeug":
                raise ConnectionError()
            return ret

    eio_server._async = {**eio_server._async, "websocket": Paced}
