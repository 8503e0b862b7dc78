"""Small helpers the blueprints share: the Desk of the running app, JSON errors, the actor."""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, jsonify
from flask_login import current_user, login_required

from .operations import Actor, Desk, OperationError


def desk() -> Desk:
    return current_app.extensions["antrean"]


def json_error(exc: OperationError):
    return jsonify({"error": str(exc), "code": exc.code}), exc.status


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
            if not set(current_user.roles or ()) & allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapper.roles = allowed
        return wrapper

    return decorate
