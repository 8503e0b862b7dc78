"""The staff session, app-wide: Flask-Login's user loader, the idle timeout of a shared PC at the
loket, and the address staff use (the QR base of reprints without ANTREAN_PUBLIC_URL)."""
from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, logout_user

from antrean.shared.services import accounts

login_manager = LoginManager()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "counter.login"
    login_manager.login_message = None  # type: ignore[assignment]  # Flask-Login takes None
    app.before_request(_session_timeout)
    app.before_request(_remember_staff_address)


@login_manager.user_loader
def _load_user(user_id: str):
    # "id:epoch" (User.get_id): a session or remember cookie of an ended session is refused
    return accounts.load_session_user(current_app.extensions["antrean"].sessions, user_id)  # no write lock


def _session_timeout():
    """Log a staff user out after ANTREAN_SESSION_MINUTES without a request (a shared PC at the loket)."""
    if not _logged_in():
        return None
    now = time.time()
    last = session.get("seen", now)
    if now - last > current_app.config["SESSION_MINUTES"] * 60:
        logout_user()
        session.clear()
        flash(_("Sesi berakhir karena tidak ada aktivitas. Silakan masuk lagi."), "info")
        if request.blueprint == "counter":
            return redirect(url_for("counter.login"))
        return None
    if "seen" not in session or (now - last > 60 and not request.headers.get("X-Antrean-Background")):
        # Written at most once a minute: a session cookie re-sent by a background request must
        # not bring back flash messages another page already showed. The counter screen's own
        # refreshes (X-Antrean-Background) are not activity: an unattended screen still times out.
        session["seen"] = now
    return None


def _remember_staff_address():
    """The address logged-in staff use: the QR base of reprints when ANTREAN_PUBLIC_URL is unset
    (shared/app.py ``public_url``). Runs after ``_session_timeout``: an expired session sets nothing."""
    if not current_app.config["PUBLIC_URL"] and _logged_in():
        current_app.extensions["antrean.staff_url"] = request.host_url.rstrip("/")


def _logged_in() -> bool:
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if "_user_id" not in session and remember not in request.cookies:
        return False  # no one logged in (the kiosk, the display): skip Flask-Login's work
    return current_user.is_authenticated  # type: ignore[attr-defined]  # werkzeug's LocalProxy: untyped forwarding
