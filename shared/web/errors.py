"""App-wide error handlers: JSON errors under /api, and 503 when the database cannot answer."""
from __future__ import annotations

from flask import Flask, jsonify, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from antrean.shared.web.helpers import database_unavailable


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, database_unavailable)  # locked, unreachable, full: 503, retry


def _http_error(exc: HTTPException):
    """Under /api answer JSON, elsewhere keep Flask's page."""
    if request.path.startswith("/api/"):
        # the exception's own headers stay (``Allow`` on a 405), all but its HTML Content-Type
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        return jsonify({"error": exc.description, "code": exc.name.lower().replace(" ", "_")}), exc.code, headers
    return exc
