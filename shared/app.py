"""The composition root: the one place that builds the app and wires blueprints, hub and workers."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, abort, render_template, request, send_from_directory, session
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from antrean import counter, display, kiosk
from antrean.shared.bootstrap import open_database, open_office
from antrean.shared.config import load_config
from antrean.shared.domain.catalogue import load_catalogue
from antrean.shared.domain.clock import utcnow
from antrean.shared.domain.events import PRINT_QUEUED, TICKET_ISSUED, EventBus
from antrean.shared.domain.privacy import install_log_filter
from antrean.shared.realtime.hub import same_origin_or, socketio, wire
from antrean.shared.realtime.redis_queue import RedisQueue
from antrean.shared.realtime.socket_limits import ConnectionLimits
from antrean.shared.services.desk import Desk
from antrean.shared.web import errors, staff_session

log = logging.getLogger(__name__)
LANGS = ("id", "en")
# Front-end libraries (versions in package.json/package-lock.json), copied from node_modules into
# web/static/vendor/ by scripts/vendor.py and committed, so the installed package carries them.
VENDOR_FILES = ("socket.io.min.js", "chart.umd.min.js")

csrf = CSRFProtect()


def create_app(overrides: dict[str, Any] | None = None, clock: Callable = utcnow,
               printer=None, start_workers: bool = True, synthesizer=None, senders=None) -> Flask:
    """Build the app. ``printer``, ``synthesizer`` (speech) and ``senders`` (messages, {channel:
    sender}) replace the configured ones (tests pass test doubles); without workers and without a
    synthesizer there is no speech."""
    cfg = load_config()
    cfg.update(overrides or {})
    app = Flask("antrean", root_path=str(Path(__file__).parent / "web"), instance_path=str(cfg["INSTANCE"]))
    app.config.update(cfg)
    install_log_filter(app.logger)  # no NIK, e-mail or phone number in a log line (docs/security.md)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_REFRESH_EACH_REQUEST=False,  # re-send the cookie only when the session changed
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=cfg["SESSION_MINUTES"]),
        BABEL_DEFAULT_LOCALE=cfg["DEFAULT_LANG"],
        BABEL_DEFAULT_TIMEZONE="Asia/Jakarta",
        WTF_CSRF_TIME_LIMIT=None,
        # docs/security.md: over HTTPS the cookies are sent only over HTTPS
        SESSION_COOKIE_SECURE=bool(cfg["SECURE_COOKIES"]),
        REMEMBER_COOKIE_SECURE=bool(cfg["SECURE_COOKIES"]),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    catalogue = load_catalogue(cfg["CATALOGUE"])  # a malformed catalogue stops start-up here
    app.config["BABEL_DEFAULT_TIMEZONE"] = catalogue.office.timezone
    db = open_database(cfg["DATABASE_URL"], cfg["DB_BUSY_SECONDS"], pool_size=cfg["DB_POOL_SIZE"],
                       pool_seconds=cfg["DB_POOL_SECONDS"])
    bus = EventBus()
    desk = open_office(cfg, sessions=db.sessions, catalogue=catalogue, events=bus, clock=clock)
    app.extensions["antrean"] = desk
    app.extensions["antrean.engine"] = db.engine

    Babel(app, locale_selector=_select_locale, timezone_selector=lambda: desk.catalogue.office.timezone)
    csrf.init_app(app)
    staff_session.init_app(app)  # Flask-Login, the idle timeout, the address staff use

    # with Redis, a queue whose listener tries again every second after an outage (not 1, 2, 4 ... 60 s)
    queue = ({"client_manager": RedisQueue(cfg["REDIS_URL"], channel=cfg["SOCKETIO_CHANNEL"])} if cfg["REDIS_URL"]
             else {"message_queue": None, "channel": cfg["SOCKETIO_CHANNEL"]})
    socketio.init_app(
        app, async_mode=cfg["ASYNC_MODE"], **queue,
        # python-engineio takes a callable here; the stubs allow only a string or a list
        cors_allowed_origins=same_origin_or(cfg["PUBLIC_URL"]),  # type: ignore[arg-type]
        logger=False, engineio_logger=False,
    )
    announcer = _make_announcer(app, desk, synthesizer, start_workers)
    app.extensions["antrean.display_feed"] = wire(
        socketio, desk, bus, display_extend=announcer.extend_snapshot,
        decorate_call=lambda call: announcer.decorate(call, synthesize=False),
        after_call=announcer.announcements,  # synthesis queued once the call is sent
        # display snapshots: from a background task, or inline in an app without workers (tests)
        feed_delay=cfg["DISPLAY_FEED_SECONDS"] if start_workers else None,
        redis_url=cfg["REDIS_URL"], channel=cfg["SOCKETIO_CHANNEL"], session_minutes=cfg["SESSION_MINUTES"],
        # a flood costs the flooder only (docs/security.md)
        limits=ConnectionLimits(cfg["SOCKET_CONNECTIONS"], cfg["SOCKET_EVENT_LIMIT"]),
        max_follows=cfg["SOCKET_FOLLOWS"])

    kiosk.init_app(app)  # the kiosk page, ticket status, the public API, the survey
    display.init_app(app)  # the waiting-room display
    counter.init_app(app)  # login, the loket, the staff API, reports, printing, availability, admin

    _register_shell_routes(app)
    from antrean.shared.web import login_limits, security_headers

    login_limits.init_app(app)  # failed logins on the login form and the staff API's Basic auth
    security_headers.init_app(app)  # CSP, no framing, nosniff, referrer and permissions policies
    errors.init_app(app)  # JSON errors under /api; 503 when the database is locked, unreachable or full
    # the client's address, scheme and host as the reverse proxy saw them; wrapped last, so outside the
    # Socket.IO middleware too: the socket's origin check and the login limiter see the same values,
    # and without ANTREAN_PROXIES no X-Forwarded-* header is read anywhere
    if cfg["PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = cfg["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]  # Flask's way
    _start_printing(app, desk, bus, printer, start_workers)
    _start_messages(app, desk, bus, senders, start_workers)
    if start_workers and cfg["RETENTION_DAYS"] > 0:  # personal data removed after the period, daily
        from antrean.shared.services.retention import RetentionWorker

        app.extensions["antrean.retention"] = RetentionWorker(db.sessions, cfg["RETENTION_DAYS"], clock)
        app.extensions["antrean.retention"].start()
    return app


def _select_locale() -> str | None:
    lang = request.args.get("lang")
    if lang in LANGS:
        session["lang"] = lang
        return lang
    return session.get("lang") if session.get("lang") in LANGS else None


def _register_shell_routes(app: Flask) -> None:
    static = app.static_folder
    assert static is not None  # Flask's default, shared/web/static
    @app.route("/")
    def index():
        return render_template("index.html")

    @app.route("/vendor/<name>")
    def vendor(name: str):
        if name not in VENDOR_FILES:
            abort(404)
        return send_from_directory(Path(static) / "vendor", name, max_age=3600)

    @app.context_processor
    def _inject():
        from flask_babel import get_locale

        desk: Desk = app.extensions["antrean"]
        return {"office": desk.catalogue.office, "lang": str(get_locale() or "id")}


def _make_announcer(app: Flask, desk: Desk, synthesizer, start_workers: bool):
    """Speech for the displays: phrases -> pyttsx3 -> cached WAV files under <instance>/audio/."""
    from antrean.hardware.speech import NullSynthesizer, synthesizer_from_config
    from antrean.shared.services.announcer import Announcer
    from antrean.shared.services.display_settings import SettingsStore

    audio_dir = Path(app.instance_path) / "audio"
    if synthesizer is None:
        if start_workers:
            synthesizer = synthesizer_from_config(
                app.config["SPEECH"], audio_dir, rate=app.config["SPEECH_RATE"],
                voices={"id": app.config["SPEECH_VOICE_ID"], "en": app.config["SPEECH_VOICE_EN"]},
                cache_mb=app.config["SPEECH_CACHE_MB"])
        else:
            synthesizer = NullSynthesizer("the speech worker is not started", audio_dir)
    announcer = Announcer(synthesizer, SettingsStore(desk.sessions), audio_dir)
    announcer.start()
    if start_workers and not announcer.status()["available"]:
        log.warning("speech: %s", announcer.summary())
    app.extensions["antrean.display"] = announcer
    app.extensions["antrean.speech"] = announcer.status
    return announcer


def _start_printing(app: Flask, desk: Desk, bus: EventBus, printer, start_workers: bool) -> None:
    """The server's print worker, and the hub that feeds print agents (docs/printing.md)."""
    from antrean.hardware.printer import printer_from_url
    from antrean.shared.realtime.print_hub import AgentPrinter, PrintHub, agent_name_of
    from antrean.shared.services.print_worker import PrintWorker

    def public_url() -> str:
        """The QR code's base for a slip without its own (reprints, a print after a restart): the
        configured one, else the address logged-in staff last used (never an anonymous request's)."""
        return app.config["PUBLIC_URL"] or app.extensions.get("antrean.staff_url", "")

    agent = agent_name_of(app.config["PRINTER"])
    desk.print_target = agent  # ANTREAN_PRINTER=agent://NAME: every ticket goes to that agent
    hub = PrintHub(socketio, desk, bus, public_url, ack_seconds=app.config["PRINT_ACK_SECONDS"],
                   retry_seconds=app.config["PRINT_RETRY_SECONDS"])
    if printer is None:
        printer = AgentPrinter(agent, hub) if agent else printer_from_url(app.config["PRINTER"],
                                                                          Path(app.instance_path))
    worker = PrintWorker(desk, printer, public_url=public_url, retry_seconds=app.config["PRINT_RETRY_SECONDS"])
    app.extensions["antrean.printer"] = worker
    app.extensions["antrean.print_hub"] = hub
    bus.subscribe(TICKET_ISSUED, worker.wake)
    bus.subscribe(PRINT_QUEUED, worker.wake)
    if start_workers:
        worker.start()
        hub.start()


def message_senders(cfg: dict[str, Any]) -> dict[str, Any]:
    """The message senders the configuration turns on, by channel (docs/notifications.md)."""
    from antrean.hardware.messaging import HttpGateway, SmtpSender

    senders: dict[str, Any] = {}
    if cfg.get("SMTP_HOST"):
        senders["email"] = SmtpSender(cfg["SMTP_HOST"], cfg["SMTP_PORT"], cfg["SMTP_FROM"], cfg["SMTP_SECURITY"],
                                      cfg["SMTP_USER"], cfg["SMTP_PASSWORD"], cafile=cfg.get("SMTP_CAFILE"))
    for kind, channel in (("WHATSAPP", "whatsapp"), ("SMS", "sms")):
        if cfg.get(f"{kind}_URL"):
            senders[channel] = HttpGateway(cfg[f"{kind}_URL"], cfg[f"{kind}_TOKEN"], cfg[f"{kind}_TOKEN_HEADER"],
                                           cfg[f"{kind}_BODY"], cfg[f"{kind}_FORMAT"], name=channel)
    return senders


def _start_messages(app: Flask, desk: Desk, bus: EventBus, senders, start_workers: bool) -> None:
    """The message outbox's worker: sends what the services enqueued, after the commit."""
    from antrean.shared.domain.events import BOOKING_CONFIRMED, BOOKING_MOVED, TICKET_CALLED, TICKET_UPDATED
    from antrean.shared.services.outbox_worker import OutboxWorker

    if senders is None:
        senders = message_senders(app.config)
    desk.message_channels = tuple(c for c in ("whatsapp", "sms", "email") if c in senders)

    def public_url() -> str:
        return app.config["PUBLIC_URL"] or app.extensions.get("antrean.staff_url", "")

    worker = OutboxWorker(desk, senders, public_url, retry_seconds=app.config["MESSAGE_RETRY_SECONDS"],
                          max_attempts=app.config["MESSAGE_MAX_ATTEMPTS"],
                          reminder_hour=app.config["BOOKING_REMINDER_HOUR"])
    app.extensions["antrean.outbox"] = worker
    # the services write the messages in their own transactions; these events only wake the worker
    for name in (TICKET_CALLED, TICKET_UPDATED, BOOKING_CONFIRMED, BOOKING_MOVED):
        bus.subscribe(name, worker.wake)
    bus.subscribe(TICKET_CALLED, worker.queue_moved)  # a remote joiner may now be due to set off
    if start_workers:
        worker.start()  # without a channel it only marks the bookings' no-shows
