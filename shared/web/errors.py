"""App-wide error handlers: JSON errors under /api, and 503 when the database cannot answer."""
from __future__ import annotations

from flask import Flask, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from antrean.shared.web import limits
from antrean.shared.web.helpers import database_unavailable


def init_app(app: Flask) -> None:
    limits.init_app(app)  # the body's size, JSON's depth, NUL and lone surrogates: before any view
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, database_unavailable)  # locked, unreachable, full: 503, retry
    app.register_error_handler(PoolTimeout, database_unavailable)  # every pooled connection busy: the same


def _http_error(exc: HTTPException):
    """Under /api answer JSON, elsewhere keep Flask's page."""
    if request.path.startswith("/api/"):
        # the exception's own headers stay (``Allow`` on a 405), all but its HTML Content-Type
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if exc.code == 429:  # a limit was reached: when to try again (shared/web/login_limits.py)
            headers.append(("Retry-After", str(g.get("login_retry_seconds", 60))))
        return jsonify({"error": exc.description, "code": exc.name.lower().replace(" ", "_")}), exc.code, headers
    return exc


def _too_large(exc: RequestEntityTooLarge):
    """413: the JSON error shape under /api, a short Indonesian page elsewhere; the body is not read
    further and nothing of it is echoed."""
    return limits.bad_request(_("Permintaan terlalu besar."), "too_large", 413)
