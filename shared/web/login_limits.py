"""Limits (Flask-Limiter) on failed staff logins (the login form, the staff API's HTTP Basic) and on taking tickets.

Only failures count: ``ANTREAN_LOGIN_LIMIT`` (default 5 a minute, a moving window) per user name
and client address. Past it, that user name from that address is refused (429) until the window
has room again, even with the right password; other users and other addresses are not limited by
it. Counts live in Redis when ``REDIS_URL`` is set (several server processes share them), in memory
otherwise, and in memory while Redis is away: staff go on logging in then, each process counting on
its own. See docs/security.md.

Taking a ticket (``POST /api/v1/tickets``) is limited too, so one client cannot empty a day's
quota: a kiosk that sends its kiosk key (``X-Kiosk-Key``, a ``kiosk`` device token) gets its own
allowance, ``ANTREAN_KIOSK_LIMIT`` (default 60 a minute); any other request counts against its
client address, ``ANTREAN_ISSUE_LIMIT`` (default 10 a minute: a kiosk without a key, or phones
behind one office NAT, share it). Each request counts before the view runs, so a burst of parallel
requests cannot slip past; only a repeated ``request_id`` (the kiosk's retry, answered 200 with the same
ticket) is left out. A wrong or revoked key counts per address and is refused by the view.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import cast

from flask import Blueprint, Flask, g, request
from flask.typing import RouteCallable
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from antrean.shared.services.tokens import check_token
from antrean.shared.store.db import is_unavailable, reading
from antrean.shared.store.models import DeviceToken, Ticket
from antrean.shared.web.auth import basic_credentials
from antrean.shared.web.helpers import desk

LOGIN_ENDPOINT = "counter.login"
STAFF_API = "staff_api"
LIMITED_BLUEPRINTS = (LOGIN_ENDPOINT.split(".")[0], STAFF_API)
ISSUE_ENDPOINT = "api.issue_ticket"
KIOSK_HEADER = "X-Kiosk-Key"
# Bookings (docs/booking.md), per client address: the changes (``BOOKING_LIMIT``) and the lookups of
# a code (``BOOKING_LOOKUP_LIMIT``: with 31^8 codes, guessing one at this rate is hopeless).
BOOKING_CHANGES = ("api.create_booking", "api.cancel_booking", "api.move_booking", "api.join_remote",
                   "booking.create", "booking.cancel", "booking.move", "booking.join")
BOOKING_LOOKUPS = ("api.get_booking", "api.check_in_booking", "booking.show", "booking.lookup", "booking.qr")
TOO_MANY_BOOKINGS = "Terlalu banyak permintaan booking dari alamat ini. Tunggu sebentar, lalu coba lagi."
TOO_MANY_TICKETS = "Terlalu banyak permintaan tiket dari perangkat ini. Tunggu sebentar, lalu coba lagi."


LIMITED_ENDPOINTS = frozenset((ISSUE_ENDPOINT, *BOOKING_CHANGES, *BOOKING_LOOKUPS))


def request_kiosk() -> DeviceToken | None | bool:
    """The kiosk this request comes from: its active ``kiosk`` token, None when no key is sent, and
    False for a key that is wrong or revoked (the view refuses it). Read once per request."""
    if "antrean_kiosk" not in g:
        key = request.headers.get(KIOSK_HEADER, "").strip()
        g.antrean_kiosk = (check_token(desk().sessions, key, ("kiosk",)) or False) if key else None
    return g.antrean_kiosk


def _issue_key() -> str:
    kiosk = request_kiosk()
    if isinstance(kiosk, DeviceToken):
        return f"issue:kiosk:{kiosk.id}"
    return f"issue:addr:{get_remote_address()}"


def _repeated_request() -> bool:
    """The kiosk's retry: a ``request_id`` that names a ticket already takes nothing (the view answers
    200 with that ticket), so it is neither counted nor refused. One indexed read."""
    body = request.get_json(silent=True)
    key = body.get("request_id") if isinstance(body, dict) else None
    if not isinstance(key, str) or not 8 <= len(key) <= 64:
        return False
    try:
        with reading(desk().sessions) as s:
            return s.scalar(select(Ticket.id).where(Ticket.request_key == key)) is not None
    except SQLAlchemyError as exc:
        if not is_unavailable(exc):
            raise
        return False  # the database is away: counted as a new ticket; the view then answers its 503


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
    """The seconds until the window has room again: the login page's message and every 429's Retry-After."""
    window = limit.limit.get_expiry()  # reset_at is a whole second, so the wait can round past the window
    g.login_retry_seconds = max(1, min(window, int(limit.reset_at - time.time() + 0.999)))


def _booking_limit(app: Flask, setting: str) -> tuple[Callable[[], str], Callable[[], str]]:
    """The rate (read at each request: tests and the bench change it) and the per-address key of one
    booking allowance."""
    def rate() -> str:
        return str(app.config[setting])

    def key() -> str:
        return f"{setting.lower()}:{get_remote_address()}"

    return rate, key


def init_app(app: Flask) -> Limiter:
    """Called by the composition root after the counter, staff API and public API blueprints are registered."""
    redis_url = app.config.get("REDIS_URL")
    limiter = Limiter(
        key_func=get_remote_address, storage_uri=redis_url or "memory://",
        strategy="moving-window", key_prefix=f"antrean:{app.config.get('SOCKETIO_CHANNEL', 'antrean')}",
        # No rate-limit headers on every answer: Flask-Limiter would stretch any Retry-After of a limited
        # route to its window (a 503 "try again in 2 s" would say 58 s). A 429 carries its own Retry-After
        # (``_remember_wait``, shared/web/errors.py and the login page).
        headers_enabled=False,
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
    limiter.request_filter(lambda: request.blueprint not in LIMITED_BLUEPRINTS
                           and request.endpoint not in LIMITED_ENDPOINTS)
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
                  error_message="too many failed logins: wait, then try again", on_breach=_remember_wait)(api)
    issue = app.view_functions[ISSUE_ENDPOINT]
    app.view_functions[ISSUE_ENDPOINT] = cast(RouteCallable, limiter.limit(
        lambda: app.config["KIOSK_LIMIT"] if isinstance(request_kiosk(), DeviceToken) else app.config["ISSUE_LIMIT"],
        key_func=_issue_key, methods=["POST"], exempt_when=_repeated_request, error_message=TOO_MANY_TICKETS,
        on_breach=_remember_wait,
    )(issue))
    for endpoints, setting, methods in ((BOOKING_CHANGES, "BOOKING_LIMIT", ["POST", "DELETE", "PATCH"]),
                                        (BOOKING_LOOKUPS, "BOOKING_LOOKUP_LIMIT", None)):
        rate_of, key_of = _booking_limit(app, setting)
        for endpoint in endpoints:
            app.view_functions[endpoint] = cast(RouteCallable, limiter.limit(
                rate_of, key_func=key_of, methods=methods, error_message=TOO_MANY_BOOKINGS,
                on_breach=_remember_wait)(app.view_functions[endpoint]))
    app.extensions["antrean.limiter"] = limiter
    return limiter
