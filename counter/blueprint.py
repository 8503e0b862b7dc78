"""Clerk screens: login, the loket screen (call, recall, no-show, transfer, the SOP steps) and the
back-office queue of files waiting for the user's role. Thin: each route calls one Desk operation.

The tickets the chosen loket holds (called, or at its desk) come from the server (``loket_state``),
the same on every PC of the loket and after any re-login; the browser session only remembers the
loket chosen and the last ticket opened."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, logout_user

from antrean.counter.files import alert_context
from antrean.shared.domain.queue import desk_step
from antrean.shared.services import booking, outbox
from antrean.shared.services.accounts import end_sessions
from antrean.shared.services.administration import active_lokets
from antrean.shared.services.desk import Actor, LoketBusy, OperationError
from antrean.shared.web.auth import log_in
from antrean.shared.web.booking_texts import refusal_text
from antrean.shared.web.helpers import current_actor, desk, json_error
from antrean.shared.web.messages import error_text

bp = Blueprint("counter", __name__, url_prefix="/counter", template_folder="templates", static_folder="static")

DESK_ROLES = {"petugas_pelayanan", "petugas_verifikasi", "tim_teknis", "tim_pengaduan"}


def _desk_roles(catalogue) -> set[str]:
    """Roles that work at a loket: these, and whoever receives the files (step 2) in the catalogue in force."""
    return DESK_ROLES | {svc.steps[1].actor for svc in catalogue.services.values()}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        if log_in(username, password):
            return redirect(url_for("counter.index"))
        flash(_("Nama pengguna atau kata sandi salah."), "error")
    return render_template("counter/login.html")


@bp.errorhandler(429)
def _too_many_logins(_exc):
    """Failed logins past ANTREAN_LOGIN_LIMIT (shared/web/login_limits.py): say so, and for how long."""
    seconds = g.get("login_retry_seconds", 60)
    message = _("Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini. "
                "Silakan coba lagi dalam %(seconds)s detik.", seconds=seconds)
    return render_template("counter/login.html", error=message), 429, {"Retry-After": str(seconds)}


@bp.post("/logout")
@login_required
def logout():
    # ends every session of this user, not only this cookie: a copy of it taken before is refused
    user_id = current_actor().user_id
    if user_id is not None:
        end_sessions(desk(), user_id)
    logout_user()
    session.clear()
    return redirect(url_for("counter.login"))


def _actor() -> Actor:
    """The user, at the loket chosen for this session (or their own)."""
    actor = current_actor()
    loket_id = session.get("loket_id") or actor.loket_id
    return Actor(actor.user_id, actor.username, actor.roles, loket_id)


@bp.get("/")
@login_required
def index():
    return _page()


def _page(busy: LoketBusy | None = None, busy_action: str | None = None, status: int = 200,
          typed: dict[str, Any] | None = None):
    """The counter screen; ``busy``: a call refused because the loket holds a ticket (409), with the
    clerk's choices, the last of them ``busy_action`` again with ``force``; ``typed``: a refused step
    form's values, put back in the ticket's form (``_typed``)."""
    d = desk()
    actor = _actor()
    lokets = active_lokets(d)
    held: list[dict[str, Any]] = []
    if actor.loket_id:
        try:
            state = d.loket_state(actor)
            held = state["serving"] + state["called"]
        except OperationError:
            session.pop("loket_id", None)
            actor = Actor(actor.user_id, actor.username, actor.roles, current_actor().loket_id)
    held_ids = {t["id"] for t in held}
    current = finished = None
    if session.get("ticket_id") and session["ticket_id"] not in held_ids:
        try:
            current = d.staff_ticket(session["ticket_id"])
        except OperationError:
            session.pop("ticket_id", None)
    if current and current["status"] not in ("waiting", "called", "in_progress"):
        finished, current = current, None  # shown once more, then the panel is free
        session.pop("ticket_id", None)
    waiting = []
    if actor.loket_id:
        try:
            waiting = d.waiting_list(actor)
        except OperationError:
            session.pop("loket_id", None)
    loket = next((lk for lk in lokets if lk.id == actor.loket_id), None)
    found = d.find_tickets(request.args["q"]) if request.args.get("q") else None
    speech = current_app.extensions.get("antrean.speech")
    speech_status = speech() if speech else {"available": False, "reason": "speech is not set up"}
    desks = d.role_desks() if held else {}
    page = render_template(
        "counter/index.html", lokets=lokets, loket_id=actor.loket_id, current=current, finished=finished,
        waiting=waiting, loket_name=loket.name if loket else None, loket_groups=_groups_of(loket, d.catalogue),
        queue=d.work_queue(actor), counts=d.queue_counts(), found=found, query=request.args.get("q", ""),
        roles=[d.catalogue.actors.get(r, r) for r in sorted(actor.roles)], my_roles=actor.roles,
        front_desk=bool(actor.roles & _desk_roles(d.catalogue)), catalogue=d.catalogue,
        speech=speech_status, held=[(t, _who_can(t, actor.roles, desks)) for t in held],
        busy=busy, busy_action=busy_action, typed=typed, **alert_context(),
    )
    return page, status


def _who_can(ticket: dict[str, Any], roles: frozenset[str], desks: dict[str, list[str]]) -> dict[str, Any] | None:
    """For a ticket at the loket whose desk step none of the clerk's roles does: that step, who does
    it (the role's name) and at which lokets such a user works; else None."""
    steps = [SimpleNamespace(**st) for st in ticket["steps"]]
    current = 1 if ticket["status"] == "called" else (ticket["current_step"] or {}).get("number", 0)
    step = desk_step(steps, current)
    if step is None or step.actor in roles:
        return None
    return {"number": step.number, "activity": step.activity, "actor_name": step.actor_name,
            "lokets": desks.get(step.actor, [])}


def _groups_of(loket, catalogue) -> list[str]:
    """The service groups whose queue a loket calls from (its entries are groups or service codes;
    empty: all), for the screen to know which queue changes concern it."""
    if loket is None or not loket.groups:
        return []
    return sorted({catalogue.services[g].group if g in catalogue.services else g for g in loket.groups})


@bp.get("/waiting.json")
@login_required
def waiting_json():
    """The chosen loket's waiting list, for the screen to redraw itself when the queue changes."""
    actor = _actor()
    if not actor.loket_id:
        return jsonify({"tickets": []})
    try:
        return jsonify({"tickets": desk().waiting_list(actor)})
    except OperationError as exc:
        return json_error(exc)


@bp.post("/loket")
@login_required
def choose_loket():
    session["loket_id"] = request.form.get("loket_id", type=int)
    return redirect(url_for("counter.index"))


def _done(message: str | None = None, ticket_id: int | None = None):
    if ticket_id is not None:
        session["ticket_id"] = ticket_id
    if message:
        flash(message, "ok")
    return redirect(url_for("counter.index"))


def _act(action, message):
    """Run one Desk action; a refused action shows its reason and changes nothing (a busy loket is
    the caller's to answer)."""
    try:
        result = action()
    except LoketBusy:
        raise
    except OperationError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("counter.index"))
    return message(result)


def _forced() -> bool:
    return request.form.get("force") == "1"


def _busy(exc: LoketBusy, action: str):
    """A call refused because the loket holds a ticket: 409, with the choices (JSON for a script)."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"error": error_text(exc), "code": exc.code, "held": exc.held}), 409
    return _page(busy=exc, busy_action=action, status=409)


@bp.post("/booking-check-in")
@login_required
def booking_check_in():
    """A booking checked in by the staff (the citizen shows the code or its QR): it becomes a ticket,
    printed like any ticket, at the place the booking rule gives it (docs/booking.md)."""
    try:
        ticket = booking.check_in(desk(), request.form.get("code"))
    except OperationError as exc:
        flash(refusal_text(exc), "error")
        return redirect(url_for("counter.index"))
    return _done(_("Booking check-in: nomor antrean %(number)s.", number=ticket["number"]), ticket["id"])


@bp.post("/call-next")
@login_required
def call_next():
    def message(ticket):
        if ticket is None:
            flash(_("Tidak ada antrean yang menunggu."), "info")
            return redirect(url_for("counter.index"))
        return _done(_("Memanggil %(number)s.", number=ticket["number"]))
    try:
        return _act(lambda: desk().call_next(_actor(), force=_forced()), message)
    except LoketBusy as exc:
        return _busy(exc, url_for("counter.call_next"))


@bp.post("/tickets/<int:ticket_id>/call-chosen")
@login_required
def call_chosen(ticket_id: int):
    try:
        return _act(lambda: desk().call_ticket(_actor(), ticket_id, force=_forced()),
                    lambda t: _done(_("Memanggil %(number)s.", number=t["number"])))
    except LoketBusy as exc:
        return _busy(exc, url_for("counter.call_chosen", ticket_id=ticket_id))


@bp.post("/tickets/<int:ticket_id>/return")
@login_required
def return_to_queue(ticket_id: int):
    def message(t):
        if session.get("ticket_id") == ticket_id:
            session.pop("ticket_id", None)
        if t["status"] == "waiting":
            flash(_("%(number)s dikembalikan ke antrean pada urutannya.", number=t["number"]), "ok")
        else:
            flash(_("%(number)s dilepas dari loket: menunggu dipanggil untuk pengambilan.", number=t["number"]), "ok")
        return redirect(url_for("counter.index"))
    return _act(lambda: desk().return_to_queue(_actor(), ticket_id), message)


@bp.post("/tickets/<int:ticket_id>/open")
@login_required
def open_ticket(ticket_id: int):
    return _done(None, ticket_id)


@bp.post("/tickets/<int:ticket_id>/call")
@login_required
def call_again(ticket_id: int):
    kind = request.form.get("kind", "recall")
    return _act(lambda: desk().recall(_actor(), ticket_id, kind),
                lambda c: _done(_("Memanggil %(number)s ke %(loket)s.", number=c["number"], loket=c["loket_name"]),
                                ticket_id))


@bp.context_processor
def _message_channels() -> dict:
    """The channels the office sends messages on: the consent form offers these."""
    return {"message_channels": desk().message_channels}


@bp.post("/tickets/<int:ticket_id>/contact")
@login_required
def contact(ticket_id: int):
    """The clerk records a phone number or e-mail for messages, with the applicant's consent ticked."""
    return _act(lambda: outbox.add_contact(desk(), None, request.form.get("channel"), request.form.get("address"),
                                           None, "counter", request.form.get("consent") == "1", ticket_id=ticket_id),
                lambda c: _done(_("Kabar akan dikirim ke %(contact)s.", contact=c["masked"]), ticket_id))


@bp.post("/tickets/<int:ticket_id>/arrive")
@login_required
def arrive(ticket_id: int):
    return _act(lambda: desk().arrive(_actor(), ticket_id),
                lambda t: _done(_("%(number)s hadir di loket.", number=t["number"]), ticket_id))


@bp.post("/tickets/<int:ticket_id>/no-show")
@login_required
def no_show(ticket_id: int):
    def message(t):
        session.pop("ticket_id", None)
        if t["status"] == "waiting":
            flash(_("%(number)s tidak hadir: dikembalikan ke antrean.", number=t["number"]), "ok")
        else:
            flash(_("%(number)s tidak hadir: antrean dibatalkan.", number=t["number"]), "ok")
        return redirect(url_for("counter.index"))
    return _act(lambda: desk().no_show(_actor(), ticket_id), message)


@bp.post("/tickets/<int:ticket_id>/transfer")
@login_required
def transfer(ticket_id: int):
    def message(t):
        session.pop("ticket_id", None)
        flash(_("%(number)s dialihkan.", number=t["number"]), "ok")
        return redirect(url_for("counter.index"))
    return _act(lambda: desk().transfer(_actor(), ticket_id, request.form.get("loket_id") or None,
                                        request.form.get("service") or None), message)


# What a refused step form gives back to the clerk (never the pickup code: it is asked again).
KEPT_FIELDS = ("name", "nik", "address", "phone", "channel", "text", "outcome", "lapor_number", "decision", "note",
               "without_code", "waiver")


def _number_of(ticket_id: int) -> str:
    """The ticket's number, to name it in a message about it (its id when it does not exist)."""
    try:
        return desk().staff_ticket(ticket_id)["number"]
    except OperationError:
        return f"#{ticket_id}"


def _typed(ticket_id: int, form) -> dict[str, Any]:
    """A refused step form as the clerk filled it in, for the page to show it again."""
    values: dict[str, Any] = {k: form.get(k) for k in KEPT_FIELDS if form.get(k)}
    values["missing"] = form.getlist("missing")
    return {"ticket": ticket_id, "step": form.get("step", ""), "values": values}


@bp.post("/tickets/<int:ticket_id>/step")
@login_required
def complete_step(ticket_id: int):
    form = request.form
    applicant = {k: form.get(k) for k in ("name", "nik", "address", "phone")} if "nik" in form else None
    complaint = {k: form.get(k) for k in ("channel", "text", "outcome", "lapor_number") if k in form} or None

    def message(view):
        if view["status"] == "returned":
            return _done(_("%(number)s dikembalikan (TMS).", number=view["number"]), ticket_id)
        if view["status"] == "done":
            return _done(_("%(number)s selesai.", number=view["number"]), ticket_id)
        return _done(_("Langkah %(step)s selesai untuk %(number)s.", step=form.get("step"), number=view["number"]),
                     ticket_id)
    try:
        view = desk().complete_step(
            _actor(), ticket_id, form.get("step"), decision=form.get("decision") or None,
            missing=form.getlist("missing"), note=form.get("note", ""), applicant=applicant,
            pickup_code=form.get("pickup_code"), waiver=form.get("waiver") if form.get("without_code") else None,
            complaint=complaint)
    except OperationError as exc:
        # refused: nothing was recorded, and nothing the clerk typed is lost (the page again, not a redirect)
        flash(_("%(number)s: %(error)s", number=_number_of(ticket_id), error=error_text(exc)), "error")
        return _page(status=exc.status, typed=_typed(ticket_id, form))
    return message(view)
