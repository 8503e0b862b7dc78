"""Limits on failed staff logins (Flask-Limiter): the login form and the staff API's HTTP Basic.

Only failures count: ``ANTREAN_LOGIN_LIMIT`` (default 5 a minute, a moving window) per user name
and client address. Past it, that user name from that address is refused (429) until the window
has room again, even with the right password; other users, other addresses, the kiosk, the
display and the public API are never limited. Counts live in Redis when ``REDIS_URL`` is set
(several server processes share them), in memory otherwise, and in memory while Redis is away:
staff go on logging in then, each process counting on its own. See docs/security.md.
"""
from __future__ import annotations

import time
from typing import cast

from flask import Blueprint, Flask, g, request
from flask.typing import RouteCallable
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address

from antrean.shared.web.auth import basic_credentials

LOGIN_ENDPOINT = "counter.login"
STAFF_API = "staff_api"
LIMITED_BLUEPRINTS = (LOGIN_ENDPOINT.split(".")[0], STAFF_API)


def _login_key() -> str:
    username = (request.form.get("username") or "").strip().lower()
    return f"login:{username}:{get_remote_address()}"


def _api_key() -> str:
    """The Basic user name, decoded exactly as authentication decodes it (a Bearer token, and a header
    authentication refuses as malformed, are counted per address)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    username = ""
    if scheme.lower() == "basic":
        credentials = basic_credentials(value)
        username = credentials[0].strip().lower() if credentials else "?"
    return f"api:{scheme.lower()}:{username}:{get_remote_address()}"


def _login_failed(response) -> bool:
    return response.status_code != 302  # a successful login redirects to the counter


def _api_failed(response) -> bool:
    return response.status_code == 401


def _remember_wait(limit: RequestLimit) -> None:
    """The seconds until the window has room again, for the message on the login page."""
    g.login_retry_seconds = max(1, int(limit.reset_at - time.time() + 0.999))


def init_app(app: Flask) -> Limiter:
    """Called by the composition root after the counter and staff API blueprints are registered."""
    redis_url = app.config.get("REDIS_URL")
    limiter = Limiter(
        key_func=get_remote_address, storage_uri=redis_url or "memory://",
        strategy="moving-window", key_prefix=f"antrean:{app.config.get('SOCKETIO_CHANNEL', 'antrean')}",
        headers_enabled=True,
        # Redis away: count in this process's memory instead of answering 500 (Flask-Limiter warns
        # once, "falling back to in-memory storage", and goes back to Redis when it answers again);
        # never let the limiter's storage fail a login
        in_memory_fallback_enabled=bool(redis_url), swallow_errors=True,
        # a Redis host that is switched off must not hold a login for long
        storage_options={"socket_connect_timeout": 1, "socket_timeout": 1} if redis_url else {},
    )
    limiter.init_app(app)
    # Only the login form and the staff API are limited: every other request (the kiosk's above all)
    # skips the limiter's per-request bookkeeping.
    limiter.request_filter(lambda: request.blueprint not in LIMITED_BLUEPRINTS)
    rate = app.config["LOGIN_LIMIT"]
    view = app.view_functions[LOGIN_ENDPOINT]
    # the decorator keeps the view's signature; mypy cannot carry it through Flask's union of a sync
    # and an async view, hence the cast back to that union
    app.view_functions[LOGIN_ENDPOINT] = cast(RouteCallable, limiter.limit(
        rate, key_func=_login_key, methods=["POST"], deduct_when=_login_failed, on_breach=_remember_wait,
    )(view))
    api = app.blueprints[STAFF_API]
    assert isinstance(api, Blueprint)  # Flask's registry is typed with the base class of flask.Blueprint
    limiter.limit(rate, key_func=_api_key, deduct_when=_api_failed,
                  error_message="too many failed logins: wait, then try again")(api)
    app.extensions["antrean.limiter"] = limiter
    return limiter
