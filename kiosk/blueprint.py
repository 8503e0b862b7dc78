"""The touchscreen kiosk page, the public ticket-status page (the QR target), its QR image and the
PNG preview of the printed ticket."""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from antrean.shared.domain import booking as booking_rules
from antrean.shared.domain import standards as rules
from antrean.shared.domain.clock import local, zone_abbreviation
from antrean.shared.domain.evaluation import LAPOR_URL
from antrean.shared.services import availability, kiosk_settings, outbox, standards
from antrean.shared.services.administration import office_logo
from antrean.shared.services.desk import NotFound, OperationError
from antrean.shared.services.print_worker import preview_png
from antrean.shared.web.helpers import desk
from antrean.shared.web.texts import office_message, priority_labels, state_dict

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates", static_folder="static")

RESULT_SECONDS = 12  # the ticket stays on screen this long after it printed
FAULT_SECONDS = 45  # ... and this long when the printer failed (time to scan or photograph it)
IDLE_SECONDS = 60  # an untouched page goes back to the start
REFRESH_SECONDS = 60  # the kiosk re-reads availability (and reloads after a catalogue edit) this often


def _public_base() -> str:
    return current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")


@bp.get("/")
def index():
    d = desk()
    now = d.clock()
    states = availability.service_states(d, now=now)
    # What the confirmation step lists for each service: the documents to bring, and its Info view: the
    # published Standar Pelayanan's six service-delivery components.
    services_info = {code: {"requirements": list(d.catalogue.services[code].requirements),
                            **standard_info(code, published)}
                     for code, published in standards.published_all(d).items()}
    return render_template(
        "kiosk/index.html", confirm=kiosk_settings.options(d)["confirm"], services_info=services_info,
        groups=d.catalogue.by_group(), catalogue=d.catalogue,
        catalogue_version=d.catalogue_version,
        logo_url=url_for("display.logo") if office_logo(d, Path(current_app.instance_path)) else None,
        states={code: state_dict(st, now, d.tz) for code, st in states.items()},
        office_closed=office_message(states, now, d.tz), priorities=priority_labels(),
        default_lang=current_app.config["DEFAULT_LANG"], result_seconds=_seconds("result", RESULT_SECONDS),
        fault_seconds=_seconds("fault", FAULT_SECONDS), idle_seconds=_seconds("idle", IDLE_SECONDS),
        refresh_seconds=_seconds("refresh", REFRESH_SECONDS), message_channels=d.message_channels,
        booking_alphabet=booking_rules.ALPHABET, booking_length=booking_rules.CODE_LENGTH,
    )


def standard_info(code: str, published: tuple[dict[str, str], standards.Version | None]) -> dict:
    values, adopted = published
    lang = "en" if str(get_locale() or "id") == "en" else "id"
    return {"standard": [{"label": rules.label(k, lang), "text": values[k]} for k in rules.DELIVERY],
            "adopted": adopted is not None, "info_url": _public_base() + url_for("informasi.service", code=code)}


def _seconds(name: str, default: int) -> int:
    """The kiosk's timings can be set in its address (``/kiosk/?idle=90&result=8&refresh=30``), 2-600 s."""
    value = request.args.get(name, type=int)
    return default if value is None else max(2, min(600, value))


@bp.get("/t/<public_id>")
def status(public_id: str):
    try:
        ticket = desk().get_ticket_by_public_id(public_id)
    except NotFound:
        abort(404)
    d = desk()
    tz_label = zone_abbreviation(d.tz)
    # The office's clock, not the phone's (a phone may be set to another zone)
    at = local(datetime.fromisoformat(ticket["issued_at"]), d.tz)
    issued = at.strftime("%H:%M" if str(get_locale() or "id") == "en" else "%H.%M")
    resp = Response(render_template("kiosk/status.html", ticket=ticket, tz_label=tz_label,
                                    issued_text=f"{issued} {tz_label}", catalogue_services=d.catalogue.services,
                                    message_channels=d.message_channels,
                                    contact_channels=outbox.public_contacts(d, public_id)))
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Robots-Tag"] = "noindex"
    return resp


@bp.post("/t/<public_id>/kabar")
def notify(public_id: str):
    """The citizen opts in to messages on the status page: a channel, a number or address, consent.
    The page shows only the channel afterwards, never the number."""
    d = desk()
    lang = "en" if str(get_locale() or "id") == "en" else "id"
    try:
        outbox.add_contact(d, public_id, request.form.get("channel"), request.form.get("address"), lang, "status",
                           request.form.get("consent") == "1")
    except NotFound:
        abort(404)
    except OperationError as exc:
        flash(_(str(exc)), "error")
    else:
        flash(_("Terima kasih. Kabar antrean ini akan dikirim kepada Anda."), "ok")
    return redirect(url_for("kiosk.status", public_id=public_id) + "#st-notify")


@bp.app_template_filter("channel_label")
def channel_label(channel: str) -> str:
    return {"whatsapp": "WhatsApp", "sms": "SMS", "email": "E-mail"}.get(channel, channel)


@bp.context_processor
def _lapor() -> dict[str, str]:
    """SP4N-LAPOR!, the national complaint channel: a corner of the kiosk, a line of the status page."""
    return {"lapor_url": LAPOR_URL}


_LAPOR_SVG: list[bytes] = []  # drawn once: the address never changes


@bp.get("/lapor.svg")
def lapor_qr():
    """A QR code to SP4N-LAPOR! for the kiosk's corner."""
    if not _LAPOR_SVG:
        buf = io.BytesIO()
        qrcode.make(LAPOR_URL, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1).save(buf)
        _LAPOR_SVG.append(buf.getvalue())
    resp = Response(_LAPOR_SVG[0], mimetype="image/svg+xml")
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp


@bp.get("/qr/<public_id>.svg")
def qr(public_id: str):
    try:
        ticket = desk().get_ticket_by_public_id(public_id)
    except NotFound:
        abort(404)
    image = qrcode.make(_public_base() + ticket["status_url"], image_factory=qrcode.image.svg.SvgPathImage,
                        box_size=10, border=2)
    buf = io.BytesIO()
    image.save(buf)
    return Response(buf.getvalue(), mimetype="image/svg+xml")


@bp.get("/preview/<public_id>.png")
def preview(public_id: str):
    """The printed ticket as a PNG (the same layout; the pickup code is masked: it is for the paper
    and the person holding it, and this address is the one in the QR code)."""
    d = desk()
    try:
        png = preview_png(d, public_id, _public_base(), current_app.config["PRINTER"], current_app.instance_path)
    except NotFound:
        abort(404)
    resp = Response(png, mimetype="image/png")
    resp.headers["Cache-Control"] = "private, max-age=30"
    return resp
