"""The web side of the staff login check (shared/services/accounts.py): the login form's session
and the staff API's ``Authorization`` header. Both end in the same check."""
from __future__ import annotations

import base64
import binascii

from flask import request, session
from flask_login import login_user

from antrean.shared.services import accounts
from antrean.shared.services.desk import Actor
from antrean.shared.web.helpers import desk


def log_in(username: str, password: str) -> bool:
    """The login form: a right password for an active user starts a new staff session."""
    user = accounts.check_password(desk().sessions, username, password)
    if user is None:
        return False
    session.clear()
    session.permanent = True
    login_user(user)
    return True


def api_actor() -> Actor | None:
    """The staff API: HTTP Basic with a user's password, or ``Bearer`` with a device token."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        try:
            username, _, password = base64.b64decode(value).decode("utf-8").partition(":")
        except (binascii.Error, ValueError):
            return None
        return accounts.staff_actor(desk().sessions, "basic", (username, password))
    if scheme == "bearer":
        return accounts.staff_actor(desk().sessions, "bearer", value)
    return None
