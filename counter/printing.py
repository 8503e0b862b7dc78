"""Staff: the print queue, reprints and printer faults (login required).

    GET  /counter/printing/                      the page: printers, faults, today's print jobs
    GET  /counter/printing/status.json           the same as JSON (banners on other staff screens)
    POST /counter/printing/tickets/<id>/reprint  print a ticket again
    POST /counter/printing/jobs/<id>/retry       try a waiting job now
    POST /counter/printing/jobs/<id>/cancel      stop trying a job (the ticket stays valid)

The POSTs take a form (with the CSRF token; they redirect back to the page) or JSON with the
``X-CSRFToken`` header (they answer JSON).
"""
from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from antrean.shared.services import print_queue
from antrean.shared.services.desk import OperationError
from antrean.shared.web.helpers import current_actor, desk, json_error
from antrean.shared.web.messages import error_text

bp = Blueprint("printing", __name__, url_prefix="/counter/printing", template_folder="templates")

STATUS_WAIT_SECONDS = 2.0  # a printer that does not answer its status query in time is "unknown"


def _printer_status(printer) -> dict[str, Any]:
    """The printer's own report (paper, cover/offline), read in a thread so a dead network
    printer cannot hold the page for its whole connect timeout."""
    box: dict[str, Any] = {}

    def ask():
        try:
            box["status"] = printer.status()
        except Exception as exc:  # never let a status query break the page
            box["status"] = {"online": None, "paper": None, "detail": f"status query failed: {exc}"}

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    thread.join(STATUS_WAIT_SECONDS)
    return box.get("status") or {"online": None, "paper": None, "detail": "the printer did not answer in time"}


def state() -> dict[str, Any]:
    d = desk()
    worker = current_app.extensions.get("antrean.printer")
    hub = current_app.extensions.get("antrean.print_hub")
    summary = print_queue.summary(d)
    open_jobs = summary["printers"]
    printers = []
    if worker is not None and d.print_target is None:
        status = _printer_status(worker.printer)
        server = open_jobs.get(None, {})
        printers.append({"name": None, "label": worker.printer.describe(), "connected": None,
                         "status": status, "open": server.get("open", 0), "error": server.get("error")})
    agents = hub.agents_state() if hub is not None else {}
    tokens = {t["name"]: t for t in print_queue.list_tokens(d) if t["kind"] == "print_agent"}
    for name in sorted(set(agents) | set(tokens) | {t for t in open_jobs if t}):
        a = agents.get(name, {})
        jobs = open_jobs.get(name, {})
        seen = tokens.get(name, {}).get("last_seen_at")
        printers.append({
            "name": name, "label": f"agent://{name}" + (f" ({a['printer']})" if a.get("printer") else ""),
            "connected": bool(a.get("connected")), "status": a.get("status"),
            "open": jobs.get("open", 0), "error": jobs.get("error"),
            "last_seen": seen.isoformat() if seen else None,
        })
    faults = []
    for p in printers:
        st = p["status"] or {}
        if p["error"]:
            faults.append(p["error"])
        elif p["connected"] is False and (p["open"] or d.print_target == p["name"]):
            faults.append(_("Agen cetak %(name)s tidak terhubung", name=p["name"]))
        elif st.get("paper") == "out" or st.get("online") is False:
            faults.append(f"{p['label']}: {st.get('detail')}")
    return {"fault": bool(faults), "faults": faults, "printers": printers,
            "jobs": print_queue.list_jobs(d, limit=200)}


@bp.get("/")
@login_required
def index():
    return render_template("printing/index.html", **state())


@bp.get("/status.json")
@login_required
def status_json():
    return jsonify(state())


def _done(result: dict | None, message: str):
    if request.is_json:
        return jsonify(result or {})
    flash(message, "ok")
    return redirect(url_for("printing.index"))


def _failed(exc: OperationError):
    if request.is_json:
        return json_error(exc)
    flash(error_text(exc), "error")
    return redirect(url_for("printing.index"))


@bp.post("/tickets/<ticket_id>/reprint")
@login_required
def reprint(ticket_id: str):
    try:
        job = print_queue.reprint(desk(), current_actor(), ticket_id)
    except OperationError as exc:
        return _failed(exc)
    return _done(job, _("Tiket %(number)s dicetak ulang.", number=job["number"]))


@bp.post("/jobs/<job_id>/retry")
@login_required
def retry(job_id: str):
    try:
        job = print_queue.retry_now(desk(), current_actor(), job_id)
    except OperationError as exc:
        return _failed(exc)
    return _done(job, _("Mencoba mencetak %(number)s lagi.", number=job["number"]))


@bp.post("/jobs/<job_id>/cancel")
@login_required
def cancel(job_id: str):
    try:
        job = print_queue.cancel(desk(), current_actor(), job_id)
    except OperationError as exc:
        return _failed(exc)
    return _done(job, _("Pencetakan %(number)s dihentikan.", number=job["number"]))
