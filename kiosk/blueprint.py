"""The touchscreen kiosk page, the public ticket-status page (the QR target) and its QR image."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, current_app, render_template, request

from shared.operations import NotFound
from shared.web import desk

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates")


@bp.get("/")
def index():
    catalogue = desk().catalogue
    return render_template("kiosk/index.html", groups=catalogue.by_group(), catalogue=catalogue)


@bp.get("/t/<public_id>")
def status(public_id: str):
    try:
        ticket = desk().get_ticket_by_public_id(public_id)
    except NotFound:
        abort(404)
    return render_template("kiosk/status.html", ticket=ticket)


@bp.get("/qr/<public_id>.svg")
def qr(public_id: str):
    try:
        ticket = desk().get_ticket_by_public_id(public_id)
    except NotFound:
        abort(404)
    base = current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")
    image = qrcode.make(base + ticket["status_url"], image_factory=qrcode.image.svg.SvgPathImage,
                        box_size=10, border=2)
    buf = io.BytesIO()
    image.save(buf)
    return Response(buf.getvalue(), mimetype="image/svg+xml")
