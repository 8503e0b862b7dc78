"""The staff API (docs/api.md): every counter action as JSON, for a call button, a script or
another front end. Authenticated per request, never by cookie: HTTP Basic with a user's password,
or `Authorization: Bearer <device token>` of a token made for a user. Same roles and rules as the
screens, because both call the same Desk operations."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, request

from antrean.shared.services.desk import Actor, OperationError
from antrean.shared.web.auth import api_actor
from antrean.shared.web.helpers import desk, json_error

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1/staff")


def _from_another_site() -> bool:
    """A browser sends ``Origin`` with a cross-site POST, and Basic credentials it remembers go
    along: a form on another site must not call a ticket with them. Scripts and call buttons send
    no Origin; a page of this server sends its own."""
    origin = request.headers.get("Origin")
    if not origin or request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    # an opaque origin (``null``: a sandboxed frame, a file:// page, a redirect) and a file:// page are
    # somebody else's page too; only this server's own http(s) origin, or the public URL's, may post
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return True
    allowed = {request.host, urlsplit(current_app.config.get("PUBLIC_URL") or "").netloc} - {""}
    return parts.netloc not in allowed


def staff(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if _from_another_site():
            return jsonify({"error": "requests from another site's page are refused",
                            "code": "cross_site"}), 403
        actor = api_actor()
        if actor is None:
            return (jsonify({"error": "authentication required: HTTP Basic or a Bearer device token",
                             "code": "unauthorized"}), 401, {"WWW-Authenticate": 'Basic realm="antrean"'})
        g.actor = actor
        try:
            return view(*args, **kwargs)
        except OperationError as exc:
            return json_error(exc)
    return wrapper


def body() -> dict:
    data = request.get_json(silent=True)
    if data is None and not request.data:
        return {}
    if not isinstance(data, dict):
        raise OperationError("the body must be a JSON object", "bad_json")
    return data


def _actor_at(data: dict) -> Actor:
    actor: Actor = g.actor
    loket = data.get("loket", request.args.get("loket"))
    if loket is None:
        return actor
    return Actor(actor.user_id, actor.username, actor.roles, loket)


@bp.get("/me")
@staff
def me():
    a = g.actor
    return jsonify({"user_id": a.user_id, "username": a.username, "roles": sorted(a.roles), "loket": a.loket_id})


@bp.get("/queue")
@staff
def queue():
    return jsonify({"waiting": desk().queue_counts(), "work": desk().work_queue(g.actor)})


@bp.get("/lokets/<int:loket_id>/waiting")
@staff
def waiting(loket_id: int):
    return jsonify({"tickets": desk().waiting_list(g.actor, loket_id)})


@bp.post("/call-next")
@staff
def call_next():
    data = body()
    ticket = desk().call_next(_actor_at(data))
    if ticket is None:
        return jsonify({"ticket": None, "message": "nobody is waiting"}), 200
    return jsonify({"ticket": ticket})


@bp.get("/tickets/<int:ticket_id>")
@staff
def ticket(ticket_id: int):
    return jsonify(desk().staff_ticket(ticket_id))


@bp.get("/tickets")
@staff
def find():
    return jsonify({"tickets": desk().find_tickets(request.args.get("q", ""))})


@bp.post("/tickets/<int:ticket_id>/call")
@staff
def call_chosen(ticket_id: int):
    return jsonify({"ticket": desk().call_ticket(_actor_at(body()), ticket_id)})


@bp.post("/tickets/<int:ticket_id>/recall")
@staff
def recall(ticket_id: int):
    data = body()
    return jsonify({"call": desk().recall(_actor_at(data), ticket_id, data.get("kind", "recall"),
                                          data.get("loket"))})


@bp.post("/tickets/<int:ticket_id>/arrive")
@staff
def arrive(ticket_id: int):
    return jsonify({"ticket": desk().arrive(g.actor, ticket_id)})


@bp.post("/tickets/<int:ticket_id>/no-show")
@staff
def no_show(ticket_id: int):
    return jsonify({"ticket": desk().no_show(g.actor, ticket_id)})


@bp.post("/tickets/<int:ticket_id>/transfer")
@staff
def transfer(ticket_id: int):
    data = body()
    return jsonify({"ticket": desk().transfer(g.actor, ticket_id, data.get("loket"), data.get("service"))})


@bp.post("/tickets/<int:ticket_id>/steps/<int:step>")
@staff
def complete_step(ticket_id: int, step: int):
    data = body()
    missing = data.get("missing", [])
    if not isinstance(missing, list):
        raise OperationError("missing must be a list of document names")
    applicant = data.get("applicant")
    if applicant is not None and not isinstance(applicant, dict):
        raise OperationError("applicant must be an object with name, nik, address, phone")
    note = data.get("note", "")
    if not isinstance(note, str):
        raise OperationError("note must be text")
    complaint = data.get("complaint")
    if complaint is not None and not isinstance(complaint, dict):
        raise OperationError("complaint must be an object with channel, text, outcome, lapor_number")
    for key in ("pickup_code", "waiver"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise OperationError(f"{key} must be text")
    return jsonify({"ticket": desk().complete_step(g.actor, ticket_id, step, decision=data.get("decision"),
                                                   missing=missing, note=note, applicant=applicant,
                                                   pickup_code=data.get("pickup_code"), waiver=data.get("waiver"),
                                                   complaint=complaint)})
