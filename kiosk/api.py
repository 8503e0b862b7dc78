"""Public API v1 (docs/api.md): services and tickets as JSON. Thin: parse, call the Desk, map errors."""
from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml
from flask import Blueprint, current_app, jsonify, request

from antrean.shared.domain.catalogue import service_to_dict
from antrean.shared.services import availability, booking, kiosk_settings, print_queue
from antrean.shared.services.desk import OperationError
from antrean.shared.services.print_worker import prints_nothing
from antrean.shared.web.booking_texts import refusal_text
from antrean.shared.web.helpers import desk, json_error
from antrean.shared.web.login_limits import KIOSK_HEADER, request_kiosk
from antrean.shared.web.texts import office_message, state_dict

bp = Blueprint("api", __name__, url_prefix="/api/v1")

TICKET_FIELDS = {"service", "priority", "priority_reason", "lang", "request_id", "printer"}


@cache
def openapi_description() -> dict:
    """shared/web/openapi.yaml, the description of this API (tests/web/test_openapi.py keeps it true)."""
    return yaml.safe_load(files("antrean.shared.web").joinpath("openapi.yaml").read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_description())


@bp.get("/services")
def services():
    d = desk()
    now = d.clock()
    states = availability.service_states(d, now=now)
    return jsonify({
        "services": [{**service_to_dict(s, d.catalogue), "availability": state_dict(states[s.code], now, d.tz)}
                     for s in d.catalogue.services.values()],
        "office": {"message": office_message(states, now, d.tz),
                   "open": any(st.open for st in states.values())},
        "catalogue_version": d.catalogue_version,
        "kiosk": kiosk_settings.options(d),
    })


@bp.post("/tickets")
def issue_ticket():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"error": "the body must be a JSON object such as {\"service\": \"ktp\"}",
                        "code": "bad_json"}), 400
    unknown = set(body) - TICKET_FIELDS
    if unknown:
        shown = ", ".join(name[:40] for name in sorted(unknown)[:5])  # never the whole body back
        return jsonify({"error": f"unknown fields: {shown}", "code": "bad_field"}), 400
    kiosk = request_kiosk()  # read (and limited) before this view: shared/web/login_limits.py
    if kiosk is False:
        return jsonify({"error": "Kunci kiosk tidak dikenal atau sudah dicabut.", "code": "bad_kiosk_key"}), 401
    d = desk()
    printer = body.get("printer")
    if printer is not None and not kiosk:
        # Only a kiosk with its key names a print agent: an anonymous client gets this answer for
        # any name, so it learns nothing about which print agents exist.
        return jsonify({"error": f"Hanya kiosk dengan kunci ({KIOSK_HEADER}) yang dapat memilih printer.",
                        "code": "kiosk_key_required"}), 401
    if printer is not None and (not isinstance(printer, str) or printer not in print_queue.agent_names(d)):
        return jsonify({"error": "printer must be the name of a print agent (antrean token list)",
                        "code": "bad_printer"}), 400
    # The printed QR code's base until ANTREAN_PUBLIC_URL is set: the address this kiosk used, for
    # this ticket only (a request with a forged Host header changes no one else's ticket).
    print_base = None if current_app.config["PUBLIC_URL"] else request.host_url.rstrip("/")
    try:
        view = d.issue_ticket(body.get("service"), body.get("priority", False), body.get("priority_reason"),
                              body.get("lang") or "id", request_key=body.get("request_id"),
                              print_target=printer, print_base=print_base)
    except availability.ServiceClosed as exc:
        now = d.clock()
        return jsonify({"error": str(exc), "code": exc.code, "service": exc.service.code,
                        "availability": state_dict(exc.state, now, d.tz)}), 409
    except OperationError as exc:
        return json_error(exc)
    status = 200 if view.get("repeated") else 201
    return jsonify(view), status, {"Location": f"/api/v1/tickets/{view['id']}"}


@bp.get("/tickets/<ticket_id>")
def get_ticket(ticket_id: str):
    """By the number the API answered (``id``) or by the unguessable ``public_id``. Sequential ids
    can be counted through, so that answer leaves out the link to the public status page."""
    try:
        if ticket_id.isdigit():
            view = desk().get_ticket(ticket_id)
            return jsonify({k: v for k, v in view.items() if k not in ("public_id", "status_url")})
        return jsonify(desk().get_ticket_by_public_id(ticket_id))
    except OperationError as exc:
        return json_error(exc)


@bp.get("/tickets/<ticket_id>/print")
def print_state(ticket_id: str):
    """Whether the ticket came out of the printer (the kiosk shows the ticket longer if not)."""
    try:
        state = print_queue.job_state(desk(), ticket_id)
    except OperationError as exc:
        return json_error(exc)
    if state.get("target") is None and prints_nothing(current_app.extensions.get("antrean.printer")):
        state["status"] = "none"  # ANTREAN_PRINTER=none: nothing is printed
    return jsonify({"status": state["status"], "attempts": state["attempts"]})


# -- bookings (docs/booking.md) ---------------------------------------------------------------------

BOOKING_FIELDS = {"service", "date", "session", "name", "lang", "contact"}


def _booking_error(exc: OperationError):
    return jsonify({"error": refusal_text(exc), "code": exc.code}), exc.status


def _json_body(allowed: set[str]):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, (jsonify({"error": "Isi permintaan harus objek JSON.", "code": "bad_json"}), 400)
    unknown = set(body) - allowed
    if unknown:
        shown = ", ".join(name[:40] for name in sorted(unknown)[:5])
        return None, (jsonify({"error": f"Kolom tidak dikenal: {shown}", "code": "bad_field"}), 400)
    return body, None


@bp.get("/booking-options")
def booking_options():
    """The days and sessions open to booking for ``?service=``, with the places left."""
    try:
        return jsonify(booking.options(desk(), request.args.get("service")))
    except OperationError as exc:
        return json_error(exc)


@bp.post("/bookings")
def create_booking():
    body, error = _json_body(BOOKING_FIELDS)
    if error:
        return error
    try:
        made = booking.book(desk(), body.get("service"), body.get("date"), body.get("session"),
                            body.get("name"), body.get("lang"), body.get("contact"))
    except OperationError as exc:
        return json_error(exc) if exc.code == "not_found" else _booking_error(exc)
    return jsonify(made), 201, {"Location": f"/api/v1/bookings/{made['code']}"}


@bp.get("/bookings/<code>")
def get_booking(code: str):
    try:
        return jsonify(booking.get(desk(), code))
    except OperationError as exc:
        return _booking_error(exc)


@bp.delete("/bookings/<code>")
def cancel_booking(code: str):
    try:
        return jsonify(booking.cancel(desk(), code))
    except OperationError as exc:
        return _booking_error(exc)


@bp.patch("/bookings/<code>")
def move_booking(code: str):
    body, error = _json_body({"date", "session"})
    if error:
        return error
    try:
        return jsonify(booking.move(desk(), code, body.get("date"), body.get("session")))
    except OperationError as exc:
        return _booking_error(exc)


@bp.post("/bookings/<code>/check-in")
def check_in_booking(code: str):
    """The kiosk (typed or scanned code): the booking becomes a ticket, printed like any ticket."""
    body = request.get_json(silent=True) if request.data else {}
    if not isinstance(body, dict) or set(body) - {"printer"}:
        return jsonify({"error": "Isi permintaan harus objek JSON {\"printer\"?}.", "code": "bad_json"}), 400
    printer = body.get("printer")
    if printer is not None:  # as for a ticket: only a kiosk with its key names its print agent
        kiosk = request_kiosk()
        if not kiosk:
            return jsonify({"error": f"Hanya kiosk dengan kunci ({KIOSK_HEADER}) yang dapat memilih printer.",
                            "code": "kiosk_key_required"}), 401
        if not isinstance(printer, str) or printer not in print_queue.agent_names(desk()):
            return jsonify({"error": "printer must be the name of a print agent (antrean token list)",
                            "code": "bad_printer"}), 400
    print_base = None if current_app.config["PUBLIC_URL"] else request.host_url.rstrip("/")
    try:
        view = booking.check_in(desk(), code, print_target=printer, print_base=print_base)
    except OperationError as exc:
        return _booking_error(exc)
    return jsonify(view), 200 if view.get("repeated") else 201


@bp.post("/remote-joins")
def join_remote():
    """Join today's queue from afar (where the office allows it for the service)."""
    body, error = _json_body({"service", "name", "lang", "contact"})
    if error:
        return error
    try:
        made = booking.join_remote(desk(), body.get("service"), body.get("name"), body.get("lang"),
                                   body.get("contact"))
    except OperationError as exc:
        return json_error(exc) if exc.code == "not_found" else _booking_error(exc)
    return jsonify(made), 201, {"Location": f"/api/v1/bookings/{made['code']}"}
