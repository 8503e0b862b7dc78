"""Public API v1 (docs/api.md): services and tickets as JSON. Thin: parse, call the Desk, map errors."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from shared.catalogue import service_to_dict
from shared.operations import OperationError
from shared.web import desk, json_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/services")
def services():
    catalogue = desk().catalogue
    return jsonify({"services": [service_to_dict(s, catalogue) for s in catalogue.services.values()]})


@bp.post("/tickets")
def issue_ticket():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"error": "the body must be a JSON object such as {\"service\": \"ktp\"}",
                        "code": "bad_json"}), 400
    unknown = set(body) - {"service", "priority", "priority_reason", "lang"}
    if unknown:
        return jsonify({"error": f"unknown fields: {', '.join(sorted(unknown))}", "code": "bad_field"}), 400
    try:
        view = desk().issue_ticket(body.get("service"), body.get("priority", False),
                                   body.get("priority_reason"), body.get("lang") or "id")
    except OperationError as exc:
        return json_error(exc)
    return jsonify(view), 201, {"Location": f"/api/v1/tickets/{view['id']}"}


@bp.get("/tickets/<ticket_id>")
def get_ticket(ticket_id: str):
    try:
        return jsonify(desk().get_ticket(ticket_id))
    except OperationError as exc:
        return json_error(exc)


@bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    """Under /api answer JSON, elsewhere keep Flask's page."""
    if request.path.startswith("/api/"):
        return jsonify({"error": exc.description, "code": exc.name.lower().replace(" ", "_")}), exc.code
    return exc
