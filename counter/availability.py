"""Staff: what the kiosk offers today (login required).

    GET  /counter/availability/             the page: office hours, every service's state today
    GET  /counter/availability/state.json   the same as JSON
    POST /counter/availability/close        service=<code> or service=* (the whole kiosk), for today
    POST /counter/availability/open         the same, reopening
    POST /counter/availability/quota        service=<code>, quota=<n> (empty: the catalogue's)
    POST /counter/availability/settings     confirm=1|0: the kiosk's confirmation step (admin)
    POST /counter/availability/booking      the booking settings (docs/booking.md): default_quota,
                                            days_ahead, grace_minutes, travel_minutes, quota_<code>,
                                            remote_<code> (empty: the default / not allowed)

A closure holds for the office day only; quotas hold until changed. Changes are audited. Every
staff user sees the page; the changes are for the roles in ``availability.MANAGER_ROLES``.
"""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from antrean.shared.domain import booking as booking_rules
from antrean.shared.domain.catalogue import MAX_DAILY_QUOTA, WEEKDAYS
from antrean.shared.services import availability, availability_view, booking, kiosk_settings
from antrean.shared.services.desk import OperationError
from antrean.shared.web.helpers import current_actor, desk, json_error, roles_required
from antrean.shared.web.labels import weekday_names
from antrean.shared.web.messages import error_text
from antrean.shared.web.texts import state_dict

bp = Blueprint("availability", __name__, url_prefix="/counter/availability", template_folder="templates")


def _state() -> dict:
    d = desk()
    now = d.clock()
    states, overrides = availability_view.today(d, now)
    office = d.catalogue.office
    return {
        "services": [{"code": s.code, "name": s.name, "group": s.group, "group_name": s.group_name,
                      "closed_today": s.code in overrides.closed_services,
                      **state_dict(states[s.code], now, d.tz)} for s in d.catalogue.services.values()],
        "hours": None if office.hours is None else {
            WEEKDAYS[i]: [f"{a}-{b}" for a, b in ranges] for i, ranges in enumerate(office.hours)},
        "holidays": list(office.holidays),
        "always_open": d.always_open,
        "closed_all": overrides.closed_all,
        "kiosk": kiosk_settings.options(d),
    }


BOOKING_EDITORS = ("kasi_pelayanan", "sekcam", "camat", "admin")


@bp.get("/")
@login_required
def index():
    return render_template("availability/index.html", **_state(), day_names=weekday_names(),
                           max_quota=MAX_DAILY_QUOTA, booking=booking.current_settings(desk()), booking_rules=booking_rules,
                           booking_editors=BOOKING_EDITORS)


@bp.post("/booking")
@roles_required(*BOOKING_EDITORS)
def booking_settings():
    """The booking settings, each within its bounds (a value out of them is refused, nothing saved)."""
    form = request.form
    d = desk()
    values: dict = {key: form[name] for name, key in (
        ("default_quota", booking_rules.DEFAULT_QUOTA_KEY), ("days_ahead", booking_rules.DAYS_AHEAD_KEY),
        ("grace_minutes", booking_rules.GRACE_KEY), ("travel_minutes", booking_rules.TRAVEL_KEY)) if form.get(name)}
    values[booking_rules.QUOTAS_KEY] = {code: form[f"quota_{code}"] for code in d.catalogue.services
                                        if form.get(f"quota_{code}")}
    values[booking_rules.REMOTE_KEY] = {code: form[f"remote_{code}"] for code in d.catalogue.services
                                        if form.get(f"remote_{code}")}
    try:
        booking.save_settings(d, values, current_actor().user_id)
    except OperationError:
        flash(_("Nilai pengaturan booking di luar batas."), "error")
        return redirect(url_for("availability.index") + "#booking-settings")
    flash(_("Pengaturan booking disimpan."), "ok")
    return redirect(url_for("availability.index") + "#booking-settings")


@bp.get("/state.json")
@login_required
def state_json():
    return jsonify(_state())


def _answer(result, message):
    if request.is_json:
        return jsonify(result)
    flash(message, "ok")
    return redirect(url_for("availability.index"))


def _form() -> dict:
    return (request.get_json(silent=True) or {}) if request.is_json else request.form


manager_role = roles_required(*availability.MANAGER_ROLES)


@bp.post("/close")
@manager_role
def close():
    return _close_or_open(True)


@bp.post("/open")
@manager_role
def open():  # noqa: A001 - the endpoint's name
    return _close_or_open(False)


def _close_or_open(closing: bool):
    code = _form().get("service") or "*"
    try:
        result = availability.set_closed(desk(), current_actor(), None if code == "*" else code, closing)
    except OperationError as exc:
        if request.is_json:
            return json_error(exc)
        flash(error_text(exc), "error")
        return redirect(url_for("availability.index"))
    what = _("Kios") if code == "*" else desk().catalogue.services[code].name
    return _answer(result, _("%(what)s ditutup untuk hari ini.", what=what) if closing
                   else _("%(what)s dibuka kembali.", what=what))


@bp.post("/quota")
@manager_role
def quota():
    form = _form()
    raw = form.get("quota")
    try:
        result = availability.set_quota(desk(), current_actor(), form.get("service"),
                                        None if raw in (None, "") else raw)
    except OperationError as exc:
        if request.is_json:
            return json_error(exc)
        flash(error_text(exc), "error")
        return redirect(url_for("availability.index"))
    return _answer(result, _("Kuota disimpan."))


@bp.post("/settings")
@roles_required(*kiosk_settings.EDITOR_ROLES)
def kiosk_options():
    """The kiosk's confirmation step on (``confirm=1``) or off (``confirm=0``); JSON ``{"confirm": bool}``."""
    form = _form()
    raw = form.get("confirm")
    on = raw if isinstance(raw, bool) else {"1": True, "0": False}.get(raw) if isinstance(raw, str) else None
    try:
        result = kiosk_settings.set_confirm(desk(), current_actor(), on)
    except OperationError as exc:
        if request.is_json:
            return json_error(exc)
        flash(error_text(exc), "error")
        return redirect(url_for("availability.index"))
    return _answer(result, _("Kios menampilkan konfirmasi sebelum mencetak tiket.") if result["confirm"]
                   else _("Kios langsung mencetak tiket tanpa konfirmasi."))
