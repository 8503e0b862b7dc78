"""Print agents over Socket.IO: the namespace ``/printer`` and the loop that feeds it.

A print agent (hardware/agents/print_agent.py) connects with a device token (``auth={"token": T}``);
a wrong, revoked or non-print-agent token is refused at connect. Jobs whose ``PrintJob.target``
is the agent's name are sent as ``job`` events; the agent answers ``done`` after printing (or
failing). A job not answered within ``ack_seconds`` is sent again, and so is every job still
unanswered when the agent reconnects; the agent itself ignores a job it printed already.

Which tickets go to an agent: ``ANTREAN_PRINTER=agent://NAME`` sends every kiosk ticket to
the agent NAME; a kiosk page opened with ``?printer=NAME`` sends its tickets to that agent
(several kiosks, one agent each). See docs/printing.md.

Client -> server events: ``ready`` ({"printer", "status"}; answer {"name", "pending"}),
``done`` ({"job", "ok", "error"}), ``status`` (the printer's status, now and then).
Server -> client: ``job`` ({"job", "key", "number", "kind", "slip"}).
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import request
from flask_socketio import Namespace, SocketIO, join_room
from socketio.exceptions import ConnectionRefusedError

from antrean.hardware.agents.print_agent import slip_to_wire
from antrean.shared.domain.clock import local
from antrean.shared.domain.events import PRINT_QUEUED, PRINTER_FAULT, TICKET_ISSUED, Event, EventBus
from antrean.shared.services import print_queue
from antrean.shared.services.desk import Desk
from antrean.shared.services.errors import NotFound, record_id

log = logging.getLogger(__name__)

NAMESPACE = "/printer"
AGENT_SCHEME = "agent://"


def agent_name_of(printer_url: str | None) -> str | None:
    """``agent://kiosk-1`` -> ``kiosk-1``; any other printer URL -> None."""
    url = (printer_url or "").strip()
    if not url.lower().startswith(AGENT_SCHEME):
        return None
    name = url[len(AGENT_SCHEME):].strip("/")
    return name or None


class AgentPrinter:
    """What the server's print worker holds when tickets go to an agent: it prints nothing itself."""

    def __init__(self, name: str, hub: PrintHub | None = None):
        self.name = name
        self.hub = hub

    def describe(self) -> str:
        return f"agent://{self.name} (print agent over Socket.IO)"

    def print_slip(self, slip) -> None:  # pragma: no cover - no job is ever targeted at the server
        from antrean.hardware.printer import PrinterError

        raise PrinterError(f"tickets are printed by the print agent {self.name!r}")

    def status(self) -> dict:
        agent = self.hub.agents_state().get(self.name) if self.hub else None
        if not agent or not agent["connected"]:
            return {"online": False, "paper": None, "detail": f"print agent {self.name} is not connected"}
        return agent.get("status") or {"online": None, "paper": None, "detail": "connected"}


def _plain(text: str) -> str:
    """An agent's error text fit to store: no NUL, no lone surrogate (PostgreSQL refuses both), short."""
    return text[:300].encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _sid() -> str:
    """The Socket.IO session id of the event being handled (Flask-SocketIO sets it on the request)."""
    return request.sid  # type: ignore[attr-defined]  # added by Flask-SocketIO, unknown to Flask's Request


class PrinterNamespace(Namespace):
    def __init__(self, hub: PrintHub):
        super().__init__(NAMESPACE)
        self.hub = hub

    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        name = print_queue.authenticate(self.hub.desk, token)
        if name is None:
            log.warning("print agent refused: wrong or revoked token (from %s)", request.remote_addr)
            raise ConnectionRefusedError("invalid token")
        self.hub.connected(_sid(), name, token)
        join_room(f"agent:{name}")

    def on_disconnect(self, reason=None):
        self.hub.disconnected(_sid())

    def on_ready(self, data=None, *_more):
        name = self.hub.sids.get(_sid())
        if name is None:
            return {"error": "not connected"}
        data = data if isinstance(data, dict) else {}
        self.hub.report(name, printer=data.get("printer"), status=data.get("status"))
        pending = print_queue.resend_now(self.hub.desk, name)
        self.hub.wake()
        return {"name": name, "pending": pending}

    def on_status(self, data=None, *_more):
        name = self.hub.sids.get(_sid())
        if name is not None and isinstance(data, dict):
            self.hub.report(name, status=data)

    def on_done(self, data=None, *_more):
        name = self.hub.sids.get(_sid())
        if name is None or not isinstance(data, dict):
            return {"ok": False}
        try:
            job_id = record_id(data.get("job"), "print job")  # a whole number in the database's range, or refused
        except NotFound:
            return {"ok": False, "error": "unknown job"}
        if not self.hub.was_sent(name, job_id):
            log.warning("print agent %r answered job %s, which was not sent to it here: ignored", name, job_id)
            return {"ok": False, "error": "job not sent to this agent"}
        error = None if data.get("ok") else _plain(str(data.get("error") or "the print agent could not print"))
        states = (print_queue.SENT, print_queue.PENDING) if error is None else (print_queue.SENT,)
        result = print_queue.finish(self.hub.desk, job_id, error and f"{name}: {error}",
                                    self.hub.retry_seconds, claimed=states, target=name,
                                    possible_duplicate=error is not None and data.get("possible_duplicate") is True)
        if result is None:  # answered already, cancelled, or taken by another sending
            return {"ok": False, "error": "job not waiting for an answer"}
        if error is None:
            self.hub.report(name, printed=True)
            self.hub.answered(name, job_id)
        return {"ok": True}


class PrintHub:
    """Sends agent jobs, tracks connected agents (in this process), re-sends unanswered jobs."""

    def __init__(self, socketio: SocketIO, desk: Desk, bus: EventBus, public_url: Callable[[], str],
                 ack_seconds: float = 30.0, retry_seconds: float = 5.0, poll_seconds: float = 1.0):
        self.socketio = socketio
        self.desk = desk
        self.bus = bus
        self.public_url = public_url
        self.ack_seconds = ack_seconds
        self.retry_seconds = retry_seconds
        self.poll_seconds = poll_seconds
        self.sids: dict[str, str] = {}  # socket id -> agent name
        self._tokens: dict[str, str] = {}  # socket id -> the token it connected with (re-checked: revocation)
        self._sent: dict[str, OrderedDict[int, None]] = {}  # agent name -> jobs sent to it by this process
        self.recheck_seconds = 5.0
        self._checked = 0.0
        self._state: dict[str, dict[str, Any]] = {}
        self._bases: OrderedDict[int, str] = OrderedDict()  # ticket id -> the address its kiosk used
        self._event: threading.Event | None = None
        self._running = False
        socketio.on_namespace(PrinterNamespace(self))
        bus.subscribe(TICKET_ISSUED, self._on_queued)
        bus.subscribe(PRINT_QUEUED, self._on_queued)

    # agents -----------------------------------------------------------------------------------

    def _now(self) -> str:
        return local(self.desk.clock(), self.desk.tz).isoformat()

    def connected(self, sid: str, name: str, token: str | None = None) -> None:
        self.sids[sid] = name
        if token:
            self._tokens[sid] = token
        state = self._state.setdefault(name, {"printer": None, "status": None, "last_printed": None})
        state.update(connected=True, since=self._now())
        log.info("print agent %r connected", name)

    def disconnected(self, sid: str) -> None:
        self._tokens.pop(sid, None)
        name = self.sids.pop(sid, None)
        if name is not None and name not in self.sids.values():
            self._state.setdefault(name, {}).update(connected=False, since=self._now())
            log.warning("print agent %r disconnected", name)

    def report(self, name: str, printer: str | None = None, status: dict | None = None,
               printed: bool = False) -> None:
        state = self._state.setdefault(name, {"connected": True})
        if printer:
            state["printer"] = str(printer)[:200]
        if isinstance(status, dict):
            state["status"] = {"online": status.get("online"), "paper": status.get("paper"),
                               "detail": str(status.get("detail") or "")[:200]}
            if status.get("online") is False or status.get("paper") == "out":
                self.desk._publish([Event(PRINTER_FAULT, {
                    "job": None, "ticket_id": None, "number": None, "status": "agent", "attempts": 0,
                    "target": name, "error": f"{name}: {state['status']['detail'] or 'printer not ready'}"})])
            elif print_queue.make_due_now(self.desk, target=name):  # ready again: retry at once
                self.wake()
        if printed:
            state["last_printed"] = self._now()

    def agents_state(self) -> dict[str, dict[str, Any]]:
        connected = set(self.sids.values())
        return {name: {**state, "connected": name in connected} for name, state in self._state.items()}

    def is_connected(self, name: str) -> bool:
        return name in self.sids.values()

    def was_sent(self, name: str, job_id: int) -> bool:
        """Whether this process sent job ``job_id`` to agent ``name`` (an agent answers only those)."""
        return job_id in self._sent.get(name, ())

    def answered(self, name: str, job_id: int) -> None:
        self._sent.get(name, OrderedDict()).pop(job_id, None)

    def _remember_sent(self, name: str, job_id: int) -> None:
        sent = self._sent.setdefault(name, OrderedDict())
        sent[job_id] = None
        sent.move_to_end(job_id)
        while len(sent) > 1000:  # bounded: an agent that never answers cannot grow it
            sent.popitem(last=False)

    def drop_revoked(self) -> list[str]:
        """Disconnect every agent whose token was revoked (or no longer names it): the CLI or the admin
        page may revoke it in another process. Returns the names dropped."""
        dropped = []
        for sid, token in list(self._tokens.items()):
            name = self.sids.get(sid)
            if name is None:
                continue
            if print_queue.authenticate(self.desk, token) != name:
                log.warning("print agent %r disconnected: its token was revoked", name)
                self.socketio.server.disconnect(sid, namespace=NAMESPACE)  # type: ignore[attr-defined]  # .server: not in the stubs
                self.disconnected(sid)
                dropped.append(name)
        return dropped

    # sending ----------------------------------------------------------------------------------

    def _on_queued(self, event: Event) -> None:
        if event.payload.get("print_base") and event.payload.get("print_target"):
            self._bases[event.payload["id"]] = event.payload["print_base"]  # this ticket's QR base
            while len(self._bases) > 500:
                self._bases.popitem(last=False)
        self.wake()
        if not self._running:
            return
        if event.name == PRINT_QUEUED:
            name = event.payload.get("target")
        elif "print_target" in event.payload:  # a ticket just issued names its printer
            name = event.payload["print_target"]
        else:
            name = print_queue.job_state(self.desk, event.payload["id"]).get("target")
        if name and not self.is_connected(name):
            self.desk._publish([Event(PRINTER_FAULT, {
                "job": None, "ticket_id": event.payload.get("id"), "number": event.payload.get("number"),
                "status": "pending", "attempts": 0, "target": name,
                "error": f"print agent {name} is not connected; the ticket will print when it is"})])

    def wake(self, _event=None) -> None:
        if self._event is not None:
            self._event.set()

    def dispatch(self) -> int:
        """Send every due job of the agents connected here; returns how many were sent."""
        from antrean.shared.services.print_worker import slip_for

        sent = 0
        for name in sorted(set(self.sids.values())):
            claims = print_queue.claim_due(self.desk, target=name, lease_seconds=self.ack_seconds,
                                           state=print_queue.SENT)
            for claim in claims:
                ticket = claim.ticket
                try:
                    view = claim.view
                    if ticket.id in self._bases:
                        view = {**view, "print_base": self._bases.pop(ticket.id)}
                    slip = slip_for(self.desk, view, ticket, self.public_url())
                except Exception:  # a bug in the layout: this job is sent again after the ack time
                    log.exception("could not lay out job %s (ticket %s)", claim.job, ticket.number)
                    continue
                payload = {"job": claim.job, "key": f"{claim.job}:{ticket.public_id}", "number": ticket.number,
                           "slip": slip_to_wire(slip)}
                self._remember_sent(name, claim.job)
                self.socketio.emit("job", payload, namespace=NAMESPACE, to=f"agent:{name}")
                sent += 1
        return sent

    def start(self) -> None:
        if self._running:
            return
        self._running = True
        event = self.socketio.server.eio.create_event()  # type: ignore[attr-defined]  # .server: not in the stubs
        self._event = event
        self.socketio.start_background_task(self._loop, event)

    def _loop(self, event: threading.Event) -> None:
        while self._running:
            try:
                now = time.monotonic()
                if self._tokens and now - self._checked >= self.recheck_seconds:
                    self._checked = now
                    self.drop_revoked()
                self.dispatch()
            except Exception:
                log.exception("print hub loop failed")
            event.wait(self.poll_seconds)
            event.clear()

    def stop(self) -> None:
        self._running = False
        self.wake()
