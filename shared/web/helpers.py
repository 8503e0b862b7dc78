"""Small helpers the blueprints share: the Desk of the running app, JSON errors, the actor."""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, jsonify
from flask_login import current_user, login_required

from antrean.shared.services.desk import Actor, Desk, OperationError


def desk() -> Desk:
    return current_app.extensions["antrean"]


def json_error(exc: OperationError):
    """A refused operation as JSON: its reason in the request's language (shared/web/messages.py)."""
    from antrean.shared.web.messages import error_text

    return jsonify({"error": error_text(exc), "code": exc.code}), exc.status


def current_actor() -> Actor:
    return Actor.of(current_user._get_current_object())


def roles_required(*roles: str):
    """A staff view for users holding one of ``roles``: anonymous users go to the login page (Flask-Login),
    other staff get 403. The roles stay on the view as ``view.roles`` (the route-walk test reads them)."""
    allowed = frozenset(roles)

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not set(current_user.roles or ()) & allowed:  # type: ignore[attr-defined]  # werkzeug's LocalProxy: untyped forwarding
                abort(403)
            return view(*args, **kwargs)

        wrapper.__dict__["roles"] = allowed  # a function attribute, which mypy does not model
        return wrapper

    return decorate


def database_unavailable(exc):
    """The database is locked past its busy timeout, unreachable or full: 503, and the client may retry.

    The API answers JSON (``code: database_unavailable``, a Retry-After header); pages answer a short
    page in the citizen's language. Only the driver's one-line reason is logged (never the SQL
    parameters, which may hold a name or NIK)."""
    import logging

    from flask import request
    from flask_babel import gettext as _

    from antrean.shared.store.db import is_unavailable

    if not is_unavailable(exc):
        raise exc  # a constraint or a bug, not an outage: the usual 500
    reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0][:200]
    logging.getLogger("antrean.db").error("database unavailable for %s %s: %s", request.method, request.path, reason)
    message = _("Sistem sedang sibuk. Silakan coba lagi sebentar lagi.")
    headers = {"Retry-After": "2"}
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": message, "code": "database_unavailable", "retry_after": 2}), 503, headers
    # Rendered without the app's context processors: Flask-Login's would load the user from the
    # database that just failed.
    from flask_babel import get_locale

    page = current_app.jinja_env.get_template("unavailable.html").render(
        message=message, office=desk().catalogue.office, lang=str(get_locale() or "id"), request=request)
    return page, 503, headers
