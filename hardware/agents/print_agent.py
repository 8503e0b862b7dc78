"""The print agent: prints the server's tickets on a printer attached to this machine.

For a kiosk PC with a USB (or serial, or any) ESC/POS printer while the Antrean server runs
elsewhere::

    antrean print-agent --server http://192.168.1.10:5000 --token T --printer usb://04b8:0e15

It connects to the server's Socket.IO namespace ``/printer`` with a device token (``antrean token
create --name kiosk-1 --kind print_agent`` on the server), receives ``job`` events, prints each
ticket with the same layout as the server (hardware/layouts/ticket.py) and answers ``done`` for
each. The server re-sends what was not answered (after a reconnect, or when no answer came in
time); the agent remembers the jobs it printed (in ``--state``, a small JSON file) and answers a
re-sent one without printing it again, so a ticket is printed once even when an answer is lost.

A wrong token is refused by the server: the agent stops with exit status 2. A server that is
down or restarting is waited for (reconnects with a growing delay). Plain python-socketio
client, no Flask.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

import socketio

from antrean.hardware.layouts.notice import TmsNotice
from antrean.hardware.layouts.ticket import TicketSlip
from antrean.hardware.printer import PrinterError, TicketPrinter

log = logging.getLogger("antrean.print_agent")

NAMESPACE = "/printer"
REMEMBER = 2000  # printed job keys kept in the state file


class AgentRefused(Exception):
    """The server refused the agent (wrong or revoked token)."""


# -- the ticket on the wire ---------------------------------------------------------------------


def slip_to_wire(slip: TicketSlip | TmsNotice) -> dict[str, Any]:
    data = asdict(slip)
    data["issued_at"] = slip.issued_at.isoformat()
    data["office_lines"] = list(slip.office_lines)
    if isinstance(slip, TmsNotice):
        data["type"] = "tms"
        data["missing"] = list(slip.missing)
    else:
        data["documents"] = list(slip.documents)
    return data


def notice_from_wire(data: dict[str, Any]) -> TmsNotice:
    try:
        return TmsNotice(
            office_name=str(data["office_name"]), office_lines=tuple(str(x) for x in data.get("office_lines") or ()),
            service_name=str(data["service_name"]), number=str(data["number"]),
            issued_at=datetime.fromisoformat(str(data["issued_at"])),
            missing=tuple(str(x) for x in data.get("missing") or ()), note=str(data.get("note") or ""),
            lang=str(data.get("lang") or "id"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"notice is missing or has a bad field: {exc}") from None


def slip_from_wire(data: Any) -> TicketSlip | TmsNotice:
    """A TicketSlip (or a TMS slip) from a job's ``slip``; raises ValueError on anything malformed."""
    if not isinstance(data, dict):
        raise ValueError("slip must be an object")
    if data.get("type") == "tms":
        return notice_from_wire(data)
    known = {f.name for f in fields(TicketSlip)}
    values = {k: v for k, v in data.items() if k in known}
    try:
        values["issued_at"] = datetime.fromisoformat(str(values["issued_at"]))
        values["office_lines"] = tuple(str(x) for x in values.get("office_lines") or ())
        values["documents"] = tuple(str(x) for x in values.get("documents") or ())
        values["people_ahead"] = int(values["people_ahead"])
        values["wait_minutes"] = int(values["wait_minutes"])
        for key in ("office_name", "service_name", "number", "status_url", "priority_label",
                    "pickup_code", "lang", "footer"):
            if key in values:
                values[key] = str(values[key])
        return TicketSlip(**values)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"slip is missing or has a bad field: {exc}") from None


# -- remembering what was printed ---------------------------------------------------------------


class PrintedJobs:
    """Keys of the jobs this agent printed, newest last; kept in a JSON file when one is given."""

    def __init__(self, path: Path | None = None, keep: int = REMEMBER):
        self.path = path
        self.keep = keep
        self._keys: list[str] = []
        self._lock = threading.Lock()
        if path is not None and path.exists():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                self._keys = [str(k) for k in loaded.get("printed", [])][-keep:]
            except (OSError, ValueError, AttributeError):
                log.warning("state file %s is unreadable; starting with an empty one", path)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._keys

    def add(self, key: str) -> None:
        with self._lock:
            self._keys.append(key)
            self._keys = self._keys[-self.keep:]
            keys = list(self._keys)
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_name(self.path.name + ".tmp")
                tmp.write_text(json.dumps({"printed": keys}), encoding="utf-8")
                os.replace(tmp, self.path)
            except OSError as exc:
                log.warning("cannot save %s: %s", self.path, exc)


# -- the agent ----------------------------------------------------------------------------------


class PrintAgent:
    def __init__(self, server: str, token: str, printer: TicketPrinter, state: Path | None = None,
                 status_seconds: float = 30.0, max_delay: float = 30.0,
                 on_printed: Callable[[dict], None] | None = None):
        self.server = server.rstrip("/")
        self.token = token
        self.printer = printer
        self.printed = PrintedJobs(state)
        self.status_seconds = status_seconds
        self.max_delay = max_delay
        self.on_printed = on_printed
        self.name: str | None = None
        self.refused: str | None = None
        self.connected = threading.Event()
        self._gone = threading.Event()
        self._stop = threading.Event()
        self._jobs: queue.Queue = queue.Queue()
        self._inflight: set[str] = set()
        self._lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False, logger=False, engineio_logger=False)
        self.sio.on("connect", self._on_connect, namespace=NAMESPACE)
        self.sio.on("disconnect", self._on_disconnect, namespace=NAMESPACE)
        self.sio.on("connect_error", self._on_connect_error, namespace=NAMESPACE)
        self.sio.on("job", self._on_job, namespace=NAMESPACE)

    # socket events (the client's thread) ---------------------------------------------------

    def _on_connect(self) -> None:
        self._gone.clear()
        self.connected.set()
        self._jobs.put(("ready", None))  # report the printer; the server then sends what is waiting

    def _on_disconnect(self, *_reason) -> None:
        self.connected.clear()
        self._gone.set()

    def _on_connect_error(self, data=None) -> None:
        message = data.get("message") if isinstance(data, dict) else data
        self.refused = str(message or "refused")

    def _on_job(self, data) -> None:
        if not isinstance(data, dict) or "job" not in data:
            return
        key = str(data.get("key") or data["job"])
        with self._lock:
            if key in self._inflight:
                return  # already queued: a re-send crossed our answer
            self._inflight.add(key)
        self._jobs.put(("job", data))

    # the printing thread --------------------------------------------------------------------

    def _emit(self, event: str, data: dict) -> bool:
        try:
            self.sio.emit(event, data, namespace=NAMESPACE)
            return True
        except Exception as exc:  # disconnected: the server re-sends, and we answer then
            log.info("could not send %s (%s); the server will ask again", event, exc)
            return False

    def _status(self) -> dict:
        try:
            return self.printer.status()
        except Exception as exc:
            return {"online": None, "paper": None, "detail": f"status query failed: {exc}"}

    def _print_job(self, data: dict) -> None:
        job, key = data["job"], str(data.get("key") or data["job"])
        try:
            if key in self.printed:
                log.info("job %s (%s) was printed already; answering again", job, data.get("number"))
                self._emit("done", {"job": job, "ok": True})
                return
            try:
                slip = slip_from_wire(data.get("slip"))
                started = time.monotonic()
                self.printer.print_slip(slip)
            except (PrinterError, ValueError) as exc:
                log.warning("job %s (%s) failed: %s", job, data.get("number"), exc)
                self._emit("done", {"job": job, "ok": False, "error": str(exc)[:300],
                                    "possible_duplicate": getattr(exc, "possible_duplicate", False)})
                return
            self.printed.add(key)
            log.info("printed %s (job %s) in %.0f ms", data.get("number"), job, (time.monotonic() - started) * 1000)
            if self.on_printed is not None:
                self.on_printed(data)
            self._emit("done", {"job": job, "ok": True})
        finally:
            with self._lock:
                self._inflight.discard(key)

    def _ready(self) -> None:
        try:
            answer = self.sio.call("ready", {"printer": self.printer.describe(), "status": self._status()},
                                   namespace=NAMESPACE, timeout=10)
        except Exception as exc:
            log.info("no answer to ready (%s)", exc)
            return
        self.name = (answer or {}).get("name")
        log.info("connected to %s as print agent %r (%s jobs waiting)", self.server, self.name,
                 (answer or {}).get("pending"))

    def _work(self) -> None:
        last_status = 0.0
        while not self._stop.is_set():
            try:
                kind, data = self._jobs.get(timeout=1.0)
            except queue.Empty:
                kind, data = None, None
            try:
                if kind == "job":
                    self._print_job(data)
                elif kind == "ready":
                    self._ready()
                    last_status = time.monotonic()
                if self.connected.is_set() and time.monotonic() - last_status >= self.status_seconds:
                    self._emit("status", self._status())
                    last_status = time.monotonic()
            except Exception:
                log.exception("print agent worker failed")

    # running ---------------------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()
        self._gone.set()
        try:
            self.sio.disconnect()
        except Exception:
            pass

    def run(self) -> None:
        """Connect and print until ``stop()``; reconnects after any loss. Raises AgentRefused."""
        worker = threading.Thread(target=self._work, name="antrean-print-agent", daemon=True)
        worker.start()
        delay = 0.5
        try:
            while not self._stop.is_set():
                self.refused = None
                try:
                    self.sio.connect(self.server, auth={"token": self.token}, namespaces=[NAMESPACE],
                                     wait_timeout=10)
                except socketio.exceptions.ConnectionError as exc:
                    if self.refused and "namespace" in str(exc).lower():
                        raise AgentRefused(f"the server refused this agent: {self.refused}") from None
                    log.warning("cannot reach %s (%s); trying again in %.0f s", self.server, exc, delay)
                    self._stop.wait(delay)
                    delay = min(self.max_delay, delay * 2)
                    continue
                delay = 0.5
                self._gone.wait()
                try:
                    self.sio.disconnect()
                except Exception:
                    pass
                if not self._stop.is_set():
                    log.warning("lost the connection to %s; reconnecting", self.server)
                    self._stop.wait(0.2)
        finally:
            self._stop.set()
            worker.join(timeout=5)

    def start(self) -> threading.Thread:
        """Run in a background thread (tests, embedding); ``stop()`` ends it."""
        thread = threading.Thread(target=self._run_quietly, name="antrean-print-agent-io", daemon=True)
        thread.start()
        return thread

    def _run_quietly(self) -> None:
        try:
            self.run()
        except AgentRefused as exc:
            log.error("%s", exc)


def default_state_file() -> Path:
    base = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "antrean" / "print-agent.json"
