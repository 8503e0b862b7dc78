"""Small helpers the blueprints share: the Desk of the running app, JSON errors, the actor."""
from __future__ import annotations

from flask import current_app, jsonify
from flask_login import current_user

from .operations import Actor, Desk, OperationError


def desk() -> Desk:
    return current_app.extensions["antrean"]


def json_error(exc: OperationError):
    return jsonify({"error": str(exc), "code": exc.code}), exc.status


def current_actor() -> Actor:
    return Actor.of(current_user._get_current_object())
