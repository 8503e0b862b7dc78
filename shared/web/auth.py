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


def basic_credentials(value: str) -> tuple[str, str] | None:
    """``(username, password)`` from the value of a ``Basic`` Authorization header, or None when it
    is not strict base64 of UTF-8 ``user:password``. The one decoding both the staff API's
    authentication and the login limiter use (shared/web/login_limits.py): a lenient decoder here
    (base64 that skips stray characters such as ``*``) and a strict one there would let one user's
    failed logins be counted under another key."""
    try:
        text = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    username, colon, password = text.partition(":")
    return (username, password) if colon else None


def api_actor() -> Actor | None:
    """The staff API: HTTP Basic with a user's password, or ``Bearer`` with a device token."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        credentials = basic_credentials(value)
        if credentials is None:
            return None
        return accounts.staff_actor(desk().sessions, "basic", credentials)
    if scheme == "bearer":
        return accounts.staff_actor(desk().sessions, "bearer", value)
    return None
