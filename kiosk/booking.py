"""Booking a visit from a phone, without an account (docs/booking.md): choose a service, a date and a
session; get a short code and its QR code; see the documents to bring; cancel or move with the code.
Also joining today's queue from afar where the office allows it (``/booking/gabung``).

    GET  /booking/                     the form (service, then date and session); ?service=ktp
    POST /booking/                     book -> /booking/<code>
    GET  /booking/cek?code=...         look a code up -> /booking/<code>
    GET  /booking/<code>               the booking: code, QR, documents, cancel and move
    POST /booking/<code>/batal         cancel
    POST /booking/<code>/pindah        move to another date and session
    GET  /booking/<code>/qr.svg        the QR code (its text is the code: the kiosk's scanner types it)
    GET|POST /booking/gabung           join today's queue from afar (per service, off by default)
    GET  /booking/gabung/qr.svg        a QR code of that page's address, for a poster at the door

No name is required (an optional one is never shown here). Rate-limited per address
(shared/web/login_limits.py).
"""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from antrean.shared.domain import booking as rules
from antrean.shared.services import booking
from antrean.shared.services.desk import NotFound, OperationError
from antrean.shared.web.booking_texts import refusal_text
from antrean.shared.web.helpers import desk

bp = Blueprint("booking", __name__, url_prefix="/booking", template_folder="templates")


def _lang() -> str:
    from flask_babel import get_locale

    return "en" if str(get_locale() or "id") == "en" else "id"


def _form(service: str | None, error: str | None = None, status: int = 200):
    d = desk()
    services = list(d.catalogue.services.values())
    chosen = d.catalogue.services.get(service or "")
    opts = booking.options(d, chosen.code) if chosen else None
    return render_template("booking/form.html", services=services, chosen=chosen, options=opts,
                           error=error, message_channels=d.message_channels,
                           given=request.form if request.method == "POST" else {}), status


def _slot() -> tuple[str | None, str | None]:
    """The date and session of a form: the ``slot`` radio ("2026-11-25|pagi") or the two fields."""
    f = request.form
    if f.get("slot"):
        day, _sep, session = f["slot"].partition("|")
        return day, session
    return f.get("date"), f.get("session")


def _contact() -> dict | None:
    """The optional contact of the form: a channel, a number or address, and the consent tick."""
    f = request.form
    if not (f.get("address") or "").strip() and f.get("consent") != "1":
        return None
    return {"channel": f.get("channel"), "address": f.get("address"), "consent": f.get("consent") == "1"}


@bp.get("/")
def form():
    return _form(request.args.get("service"))


@bp.post("/")
def create():
    f = request.form
    try:
        made = booking.book(desk(), f.get("service"), *_slot(), f.get("name") or None, _lang(), _contact())
    except NotFound:
        return _form(None, _("Pilih layanan dari daftar."), 400)
    except OperationError as exc:
        return _form(f.get("service"), refusal_text(exc), exc.status)
    return redirect(url_for("booking.show", code=made["code"]), 303)


@bp.get("/cek")
def lookup():
    code = rules.normalise_code(request.args.get("code", ""))
    if code is None:
        return render_template("booking/lookup.html", error=_("Kode booking terdiri dari 8 huruf dan angka.")
                               if request.args.get("code") else None), 400 if request.args.get("code") else 200
    return redirect(url_for("booking.show", code=code), 303)


def _shown(code: str, error: str | None = None, status: int = 200):
    try:
        b = booking.get(desk(), code)
    except NotFound:
        return render_template("booking/lookup.html", error=refusal_text(NotFound(""))), 404
    opts = booking.options(desk(), b["service"]) if b["status"] == rules.BOOKED and b["kind"] == rules.BOOKING \
        else None
    resp = Response(render_template("booking/show.html", b=b, options=opts, error=error), status)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Robots-Tag"] = "noindex"
    return resp


@bp.get("/<code>")
def show(code: str):
    return _shown(code)


@bp.post("/<code>/batal")
def cancel(code: str):
    try:
        booking.cancel(desk(), code)
    except OperationError as exc:
        return _shown(code, refusal_text(exc), exc.status)
    return redirect(url_for("booking.show", code=rules.normalise_code(code)), 303)


@bp.post("/<code>/pindah")
def move(code: str):
    try:
        booking.move(desk(), code, *_slot())
    except OperationError as exc:
        return _shown(code, refusal_text(exc), exc.status)
    return redirect(url_for("booking.show", code=rules.normalise_code(code)), 303)


@bp.get("/<code>/qr.svg")
def qr(code: str):
    found = rules.normalise_code(code)
    if found is None:
        abort(404)
    buf = io.BytesIO()
    qrcode.make(found, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2).save(buf)
    return Response(buf.getvalue(), mimetype="image/svg+xml")


@bp.route("/gabung", methods=["GET", "POST"])
def join():
    """Join today's queue from afar (the QR poster at the door or the information site)."""
    d = desk()
    with_remote = [s for s in d.catalogue.services.values() if booking.remote_allowed(d, s.code)]
    error = None
    if request.method == "POST":
        try:
            made = booking.join_remote(d, request.form.get("service"), request.form.get("name") or None, _lang(),
                                       _contact())
        except NotFound:
            error = _("Pilih layanan dari daftar.")
        except OperationError as exc:
            error = refusal_text(exc)
        else:
            return redirect(url_for("booking.show", code=made["code"]), 303)
    return render_template("booking/join.html", services=with_remote, error=error,
                           message_channels=d.message_channels,
                           given=request.form if request.method == "POST" else {}), 400 if error else 200


@bp.get("/gabung/qr.svg")
def join_qr():
    """The QR code of the remote-join page's address (print it on a poster at the office door)."""
    from flask import current_app

    base = current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")
    buf = io.BytesIO()
    qrcode.make(base + url_for("booking.join"), image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                border=2).save(buf)
    return Response(buf.getvalue(), mimetype="image/svg+xml")
