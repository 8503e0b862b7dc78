"""Staff: the message outbox (admin and Kasi): waiting and failed messages with masked recipients,
a retry button, and the "nearly your turn" threshold.

    GET  /counter/pesan/                    the page
    POST /counter/pesan/<id>/retry          try a failed or waiting message again now
    POST /counter/pesan/settings            the number of people ahead for "giliran Anda segera"
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from antrean.shared.services import outbox
from antrean.shared.services.desk import OperationError
from antrean.shared.web.helpers import current_actor, desk, roles_required
from antrean.shared.web.messages import error_text

bp = Blueprint("outbox", __name__, url_prefix="/counter/pesan", template_folder="templates")

staff_only = roles_required(*sorted(outbox.STAFF_ROLES))


@bp.get("/")
@staff_only
def index():
    d = desk()
    which = "all" if request.args.get("semua") else "open"
    worker = current_app.extensions.get("antrean.outbox")
    senders = {c: s.describe() for c, s in worker.senders.items()} if worker is not None else {}
    return render_template("outbox/index.html", messages=outbox.list_messages(d, current_actor(), which),
                           counts=outbox.counts(d), which=which, senders=senders,
                           errors=dict(worker.last_error) if worker is not None else {},
                           ahead=outbox.ahead_threshold(d))


@bp.post("/<message_id>/retry")
@staff_only
def retry(message_id: str):
    try:
        outbox.retry(desk(), current_actor(), message_id)
    except OperationError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("Pesan akan dikirim ulang."), "ok")
        worker = current_app.extensions.get("antrean.outbox")
        if worker is not None:
            worker.wake()
    return redirect(url_for("outbox.index"))


@bp.post("/settings")
@staff_only
def settings():
    try:
        n = outbox.set_ahead_threshold(desk(), current_actor(), request.form.get("ahead"))
    except OperationError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("Kabar \"giliran segera\" dikirim saat %(n)s orang lagi.", n=n), "ok")
    return redirect(url_for("outbox.index"))
