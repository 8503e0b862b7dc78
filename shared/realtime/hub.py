"""The Socket.IO hub: bus events out to displays, counters and phones; snapshots on connect.

Namespaces: ``/display`` (public: calls, queue counts, snapshot), ``/counter`` (staff only:
ticket updates, queue, printer faults), ``/ticket`` (public: one ticket's status, by its
unguessable id). Every (re)connect gets the true state first, so a display that lost its
connection or a restarted server never leaves a stale screen.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from flask import request, session
from flask_login import current_user
from flask_socketio import Namespace, SocketIO, emit, join_room, leave_room, rooms

from antrean.shared.domain.events import (
    CATALOGUE_CHANGED,
    LOKETS_CHANGED,
    OFFICE_CHANGED,
    PRINTER_FAULT,
    PRINTER_PRINTED,
    QUEUE_CHANGED,
    STAFF_SESSIONS_ENDED,
    TICKET_CALLED,
    TICKET_ISSUED,
    TICKET_UPDATED,
    Event,
    EventBus,
)
from antrean.shared.realtime.display_feed import DisplayFeed, Nudges
from antrean.shared.realtime.socket_limits import BUSY, Coalesced, ConnectionLimits, pace_websockets
from antrean.shared.services import accounts
from antrean.shared.services.desk import Desk, NotFound

log = logging.getLogger(__name__)
socketio = SocketIO()
MALFORMED = (ValueError, TypeError, IndexError, KeyError, AttributeError, RecursionError)  # deep JSON too
RESERVED_EVENTS = {"connect", "disconnect", "connect_error"}


def _is_proper_event(server, data) -> bool:
    """A client's EVENT or BINARY_EVENT packet names its event with text that is not a reserved
    name: python-socketio would pass ``["connect", ...]`` sent by a client to the namespace's own
    connect handler, and fails on an event without a name."""
    if not (isinstance(data, str) and data[:1] in ("2", "5")):
        return True
    pkt = server.packet_class(encoded_packet=data)
    name = pkt.data[0] if isinstance(pkt.data, list) and pkt.data else None
    return isinstance(name, str) and name not in RESERVED_EVENTS


def drop_malformed_packets(server, limits: ConnectionLimits | None = None) -> None:
    """Every client packet passes here first. python-socketio raises on a malformed packet (a bad
    type byte, an event with no name, a binary placeholder without its attachment): engineio logs a
    traceback, and after a broken binary packet every later message of that client is taken for an
    attachment. Such a packet, and an event a client names "connect" or "disconnect", is dropped
    with one warning line; the connection goes on with its next packet.

    ``limits`` (shared/realtime/socket_limits.py) counts the packet first: one over the connection's
    rate is dropped with its connection."""
    handler = server._handle_eio_message

    def guarded(eio_sid, data):
        if limits is not None and not limits.admit(eio_sid, data):
            return None
        try:
            if eio_sid in server._binary_packet or _is_proper_event(server, data):
                return handler(eio_sid, data)
            log.warning("Socket.IO event with a reserved name or no name dropped")
        except MALFORMED as exc:
            server._binary_packet.pop(eio_sid, None)
            log.warning("malformed Socket.IO packet dropped (%s)", type(exc).__name__)
        return None

    server._handle_eio_message = guarded  # Flask-SocketIO's test client calls this one too
    server.eio.on("message", guarded)


def same_origin_or(public_url: str | None) -> Callable[[str, dict], bool]:
    """The browser origins allowed to open a Socket.IO connection: the page's own origin (the
    request's scheme and Host) and the configured public URL. A page of another site cannot connect
    with the staff's cookies. Clients that send no Origin (the print and speaker agents) are not
    affected. ``X-Forwarded-Proto``/``-Host`` are not read here: with ``ANTREAN_PROXIES`` set,
    Werkzeug's ProxyFix (shared/app.py, outside the Socket.IO middleware) has already put the
    trusted values into the scheme and Host; without it anybody could send them."""
    extra = {public_url.rstrip("/")} if public_url else set()

    def allowed(origin: str, environ: dict) -> bool:
        if origin in extra:
            return True
        return origin == f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"

    return allowed


UNAVAILABLE = {"error": "unavailable"}  # a public read failed (the database away): the client asks again later


def _read_failed(what: str, exc: Exception) -> dict:
    """A public socket read that failed answers ``UNAVAILABLE``; one warning line of its kind (the
    log throttle, shared/domain/log_throttle.py, keeps a flood of them to one line a minute)."""
    log.warning("%s could not be read: %s", what, type(exc).__name__)
    return UNAVAILABLE


class DisplayNamespace(Namespace):
    """Public. A snapshot is the same for every display: the snapshots that displays ask for (on
    connect or with ``snapshot``) while one is being read share the next read, so any number of
    displays, or one display asking as fast as it can, costs at most one read at a time."""

    def __init__(self, desk: Desk, extend: Callable[[dict], dict] | None = None):
        super().__init__("/display")
        self.desk = desk
        self.extend = extend  # adds what the display blueprint owns: running text, speech, audio
        self.feed: DisplayFeed | None = None  # set by wire()
        self.reads = Coalesced()

    def snapshot(self) -> dict:
        snap = self.desk.display_snapshot()
        return self.extend(snap) if self.extend else snap

    def shared_snapshot(self) -> dict:
        return self.reads.run(None, self.snapshot)

    def on_connect(self, auth=None):
        try:
            snap = self.shared_snapshot()
        except Exception as exc:  # the database away: the display shows its last state, the feed follows
            _read_failed("display snapshot", exc)
            return
        emit("snapshot", snap)
        if self.feed is not None:
            self.feed.connected(snap)

    def on_snapshot(self, _data=None, *_more):
        try:
            return self.shared_snapshot()
        except Exception as exc:
            return _read_failed("display snapshot", exc)


class CounterNamespace(Namespace):
    """Staff only. Each socket is closed when its session ends: at once when the user's sessions are
    ended in this process (``STAFF_SESSIONS_ENDED``: logout, a new password, other roles,
    deactivation), and at the next ``sweep`` (every ``SWEEP_SECONDS``) when the session has been
    idle ANTREAN_SESSION_MINUTES (shared/web/staff_session.py) or was ended in another process.
    A socket's idle limit is counted from its session's last activity when it connected: every
    action at the counter that counts as activity loads a page, and so a new socket."""

    SWEEP_SECONDS = 30

    def __init__(self, desk: Desk, session_minutes: float | None = None):
        super().__init__("/counter")
        self.desk = desk
        self.session_minutes = session_minutes
        self.sockets: dict[str, tuple[int, int, float | None]] = {}  # sid: user id, epoch, expiry
        self._lock = threading.Lock()

    def on_connect(self, auth=None):
        if not current_user.is_authenticated:  # type: ignore[attr-defined]  # werkzeug's LocalProxy: untyped forwarding
            return False  # staff only
        user = current_user._get_current_object()
        expiry = None
        if self.session_minutes is not None:
            seen = session.get("seen", time.time())
            expiry = seen + self.session_minutes * 60
            if time.time() > expiry:
                return False  # the page would have logged this session out (staff_session)
        with self._lock:
            self.sockets[request.sid] = (user.id, user.session_epoch or 0, expiry)  # type: ignore[attr-defined]  # flask_socketio adds sid
        emit("queue", self.desk.queue_counts())

    def on_disconnect(self, *_reason):
        with self._lock:
            self.sockets.pop(request.sid, None)  # type: ignore[attr-defined]  # flask_socketio adds sid

    def _close(self, sids: list[str]) -> None:
        for sid in sids:
            with self._lock:
                self.sockets.pop(sid, None)
            self.disconnect(sid, namespace="/counter")

    def sessions_ended(self, user_id: int) -> None:
        with self._lock:
            sids = [sid for sid, (uid, _epoch, _expiry) in self.sockets.items() if uid == user_id]
        self._close(sids)

    def sweep(self, now: float | None = None) -> None:
        """Closes the sockets whose session expired, or whose user's sessions ended or who is inactive."""
        now = time.time() if now is None else now
        with self._lock:
            sockets = dict(self.sockets)
        if not sockets:
            return
        current = accounts.session_epochs(self.desk.sessions, {uid for uid, _epoch, _expiry in sockets.values()})
        self._close([sid for sid, (uid, epoch, expiry) in sockets.items()
                     if (expiry is not None and now > expiry) or current.get(uid) != epoch])

    def run_sweeps(self, sleep: Callable[[float], object]) -> None:
        while True:
            sleep(self.SWEEP_SECONDS)
            try:
                self.sweep()
            except Exception:  # a database hiccup: the next sweep tries again
                log.exception("counter socket sweep failed")


PHONE_CALL_FIELDS = ("number", "loket", "loket_name", "kind", "at")  # what a following phone is told of a call


class _Follower:
    """One ``/ticket`` connection: its reads (one at a time) and the tickets it follows."""

    __slots__ = ("reads", "tickets")

    def __init__(self) -> None:
        self.reads = Coalesced()
        self.tickets: deque[tuple[str, int]] = deque()  # (public id, id) of each followed ticket


class TicketNamespace(Namespace):
    """Public. ``follow`` reads one ticket: a connection has at most one such read under way (asks
    for the same ticket meanwhile share the next read; for another ticket they answer ``busy``), at
    most ``READERS`` run at once in this process, and a connection follows at most ``max_follows``
    tickets (following one more stops the oldest)."""

    READERS = 4  # follow reads at once in this process: the kiosks keep the rest of the database pool

    def __init__(self, desk: Desk, max_follows: int = 5):
        super().__init__("/ticket")
        self.desk = desk
        self.max_follows = max_follows
        self.followers: dict[str, _Follower] = {}
        self._readers = threading.BoundedSemaphore(self.READERS)

    def _read(self, public_id: str):
        with self._readers:
            try:
                return self.desk.get_ticket_by_public_id(public_id)
            except NotFound:
                return None

    def on_connect(self, auth=None):
        self.followers[request.sid] = _Follower()  # type: ignore[attr-defined]  # flask_socketio adds sid

    def on_disconnect(self, *_reason):
        self.followers.pop(request.sid, None)  # type: ignore[attr-defined]  # flask_socketio adds sid

    def on_follow(self, data=None, *_more):
        public_id = (data or {}).get("public_id") if isinstance(data, dict) else None
        if not isinstance(public_id, str):
            return {"error": "public_id required"}
        follower = self.followers.get(request.sid)  # type: ignore[attr-defined]  # flask_socketio adds sid
        if follower is None:
            return {"error": "not connected"}
        try:
            view = follower.reads.run(public_id, lambda: self._read(public_id))
        except Exception as exc:
            return _read_failed("followed ticket", exc)
        if view is BUSY:
            return {"error": "busy"}
        if view is None:
            return {"error": "not found"}
        if self.followers.get(request.sid) is not follower:  # type: ignore[attr-defined]  # flask_socketio adds sid
            return {"error": "not connected"}  # gone while its ticket was read
        if (public_id, view["id"]) not in follower.tickets:
            follower.tickets.append((public_id, view["id"]))
            while len(follower.tickets) > self.max_follows:  # the oldest ticket is no longer followed
                old_public_id, old_id = follower.tickets.popleft()
                leave_room(f"t:{old_public_id}")
                leave_room(f"call:{old_id}")
        join_room(f"t:{public_id}")
        join_room(f"call:{view['id']}")  # told of each call of this ticket (first call, recall, pickup)
        group = f"g:{view['group']}"  # told when the queue before this ticket moves
        for room in rooms():
            if room.startswith("g:") and room != group:
                leave_room(room)  # the ticket moved to another service's queue
        join_room(group)
        return view


def wire(socketio: SocketIO, desk: Desk, bus: EventBus, printer_status=None,
         display_extend: Callable[[dict], dict] | None = None,
         decorate_call: Callable[[dict], dict] | None = None,
         after_call: Callable[[dict], object] | None = None,
         feed_delay: float | None = 0.1, redis_url: str | None = None, channel: str = "antrean",
         session_minutes: float | None = None, limits: ConnectionLimits | None = None,
         max_follows: int = 5) -> DisplayFeed:
    """``decorate_call`` adds the announcement (text, audio URL) to a call before it is sent;
    ``after_call`` runs once the call is on its way (speech synthesis: never before the call);
    ``display_extend`` adds the display's own state to every display snapshot.

    Display snapshots between calls come from a ``DisplayFeed`` (shared/realtime/display_feed.py): read in
    a background task ``feed_delay`` seconds after a change, sent only when changed (``None``: read
    and sent inline, for tests without background tasks), and not read at all while no display is
    connected to this process. With ``redis_url`` (several processes)
    the processes tell each other of changes over Redis (``<channel>:display``).

    ``session_minutes`` (ANTREAN_SESSION_MINUTES): a ``/counter`` socket is closed once its session
    has been idle that long; with background tasks a sweep checks every socket every 30 seconds.

    ``limits``: connections per address and events per connection (shared/realtime/socket_limits.py);
    ``max_follows``: tickets one ``/ticket`` connection follows at most."""
    server = socketio.server  # type: ignore[attr-defined]  # .server: not in the stubs
    if limits is not None:
        limits.install(server)
        pace_websockets(server.eio)
    drop_malformed_packets(server, limits)
    display = DisplayNamespace(desk, display_extend)
    socketio.on_namespace(display)
    counter = CounterNamespace(desk, session_minutes)
    socketio.on_namespace(counter)
    socketio.on_namespace(TicketNamespace(desk, max_follows))
    call_lock = threading.Lock()

    def send_snapshot(snap: dict) -> None:
        # to this process's displays only: every process sends its own (see DisplayFeed)
        socketio.emit("snapshot", snap, namespace="/display", ignore_queue=True)  # type: ignore[call-arg]  # not in the stubs

    background = feed_delay is not None
    if background:
        socketio.start_background_task(counter.run_sweeps, socketio.sleep)  # type: ignore[arg-type]  # stubs: sleep(int)
    def displays_here() -> bool:
        # this process's displays (a client counts from before its connect handler reads its snapshot)
        return any(True for _ in socketio.server.manager.get_participants("/display", None))  # type: ignore[attr-defined]  # .server: not in the stubs

    feed = DisplayFeed(display.snapshot, send_snapshot, sleep=socketio.sleep, delay=feed_delay or 0.0,  # type: ignore[arg-type]  # stubs: sleep(int)
                       spawn=socketio.start_background_task if background else None, audience=displays_here)
    if background and redis_url:
        feed.nudges = Nudges(redis_url, f"{channel}:display", on_nudge=lambda: feed.changed(remote=True))
        feed.nudges.start(socketio.start_background_task, socketio.sleep)  # type: ignore[arg-type]  # stubs: sleep(int)
    display.feed = feed

    def on_called(event: Event) -> None:
        feed.expect()  # first: a display snapshot read before this call is not sent after it
        payload = decorate_call(event.payload) if decorate_call else event.payload
        # one call is sent to every display before the next one: all displays get calls in one order
        with call_lock:
            socketio.emit("call", payload, namespace="/display")
            socketio.emit("call", payload, namespace="/counter")
        # The phone following this ticket: alerted at every call (public fields only).
        socketio.emit("call", {k: event.payload.get(k) for k in PHONE_CALL_FIELDS}, namespace="/ticket",
                      to=f"call:{event.payload['ticket_id']}")
        # Let the connections send it now: under gevent they would otherwise wait until this
        # request has finished its remaining work (counts, speech), which may not yield.
        socketio.sleep(0)
        if after_call is not None:
            after_call(event.payload)

    def on_queue(event: Event) -> None:
        socketio.emit("queue", event.payload, namespace="/counter")
        feed.changed()  # displays get the counts in their next snapshot: after a call, one frame, not two

    # A phone following a ticket (/ticket) is asked to fetch it again when that ticket changed, or
    # when the queue before it moved: a ticket of its group was called or came back to the queue,
    # or a priority ticket joined it. A plain ticket joining the end of a queue moves nobody. (A
    # waiting ticket moved to another group's service is not seen by its old group: those phones
    # see it at their next 30-second refresh.)
    def on_issued(event: Event) -> None:
        if event.payload.get("priority"):
            socketio.emit("refresh", {}, namespace="/ticket", to=f"g:{event.payload['group']}")

    def on_updated(event: Event) -> None:
        ticket = event.payload
        socketio.emit("ticket", ticket, namespace="/counter")
        followers = [f"t:{ticket['public_id']}"]
        if ticket.get("status") in ("waiting", "called"):
            followers.append(f"g:{ticket['group']}")
        # once each, in both rooms or not (emit takes a list of rooms; the stubs say one)
        socketio.emit("refresh", {}, namespace="/ticket", to=followers)  # type: ignore[arg-type]
        feed.changed()

    def on_printer(event: Event) -> None:
        socketio.emit("printer", {k: v for k, v in event.payload.items()}, namespace="/counter")

    bus.subscribe(TICKET_CALLED, on_called)
    bus.subscribe(TICKET_ISSUED, on_issued)
    bus.subscribe(QUEUE_CHANGED, on_queue)
    bus.subscribe(TICKET_UPDATED, on_updated)
    for name in (LOKETS_CHANGED, CATALOGUE_CHANGED, OFFICE_CHANGED):
        bus.subscribe(name, lambda _event: feed.changed())
    bus.subscribe(PRINTER_FAULT, on_printer)
    bus.subscribe(PRINTER_PRINTED, on_printer)
    bus.subscribe(STAFF_SESSIONS_ENDED, lambda event: counter.sessions_ended(int(event.payload["user_id"])))
    return feed
