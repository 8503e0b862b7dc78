"""Clerk screens: login, the loket screen (call next, the SOP steps) and back-office queues."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from shared.catalogue import ROLES
from shared.models import Loket, User
from shared.operations import OperationError
from shared.passwords import verify_password
from shared.web import current_actor, desk

bp = Blueprint("counter", __name__, url_prefix="/counter", template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        with desk().sessions() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is not None and user.active and verify_password(user.password_hash, password):
                s.expunge(user)
                session.permanent = True
                login_user(user)
                return redirect(url_for("counter.index"))
        flash(_("Nama pengguna atau kata sandi salah."), "error")
    return render_template("counter/login.html")


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("counter.login"))


@bp.get("/")
@login_required
def index():
    d = desk()
    actor = current_actor()
    with d.sessions() as s:
        lokets = s.scalars(select(Loket).where(Loket.active.is_(True)).order_by(Loket.number)).all()
    loket_id = session.get("loket_id") or actor.loket_id
    current = None
    if session.get("ticket_id"):
        try:
            current = d.staff_ticket(session["ticket_id"])
        except OperationError:
            session.pop("ticket_id", None)
    if current and current["status"] not in ("waiting", "in_progress"):
        current_done = current
        current = None
    else:
        current_done = None
    return render_template(
        "counter/index.html", lokets=lokets, loket_id=loket_id, current=current,
        finished=current_done, queue=d.work_queue(actor), counts=d.queue_counts(),
        roles=[ROLES.get(r, r) for r in actor.roles], catalogue=d.catalogue,
        printer_error=_printer_error(),
    )


def _printer_error():
    from flask import current_app

    worker = current_app.extensions.get("antrean.printer")
    return worker.last_error if worker else None


@bp.post("/loket")
@login_required
def choose_loket():
    session["loket_id"] = request.form.get("loket_id", type=int)
    return redirect(url_for("counter.index"))


@bp.post("/call-next")
@login_required
def call_next():
    try:
        ticket = desk().call_next(current_actor(), session.get("loket_id") or current_actor().loket_id)
    except OperationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("counter.index"))
    if ticket is None:
        flash(_("Tidak ada antrean yang menunggu."), "info")
    else:
        session["ticket_id"] = ticket["id"]
        flash(_("Memanggil %(number)s.", number=ticket["number"]), "ok")
    return redirect(url_for("counter.index"))


@bp.post("/tickets/<int:ticket_id>/open")
@login_required
def open_ticket(ticket_id: int):
    session["ticket_id"] = ticket_id
    return redirect(url_for("counter.index"))


@bp.post("/tickets/<int:ticket_id>/call")
@login_required
def call_again(ticket_id: int):
    kind = request.form.get("kind", "recall")
    try:
        actor = current_actor()
        if session.get("loket_id") and not actor.loket_id:
            actor = actor.__class__(actor.user_id, actor.username, actor.roles, session["loket_id"])
        call = desk().recall(actor, ticket_id, kind)
        flash(_("Memanggil %(number)s ke %(loket)s.", number=call["number"], loket=call["loket_name"]), "ok")
        session["ticket_id"] = ticket_id
    except OperationError as exc:
        flash(str(exc), "error")
    return redirect(url_for("counter.index"))


@bp.post("/tickets/<int:ticket_id>/step")
@login_required
def complete_step(ticket_id: int):
    form = request.form
    applicant = {k: form.get(k) for k in ("name", "nik", "address", "phone")} if form.get("nik") is not None else None
    try:
        view = desk().complete_step(
            current_actor(), ticket_id, form.get("step"), decision=form.get("decision") or None,
            missing=form.getlist("missing"), note=form.get("note", ""), applicant=applicant,
        )
    except OperationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("counter.index"))
    session["ticket_id"] = ticket_id
    if view["status"] == "returned":
        flash(_("%(number)s dikembalikan (TMS).", number=view["number"]), "ok")
    elif view["status"] == "done":
        flash(_("%(number)s selesai.", number=view["number"]), "ok")
    else:
        flash(_("Langkah %(step)s selesai untuk %(number)s.", step=form.get("step"), number=view["number"]), "ok")
    return redirect(url_for("counter.index"))
