"""SKM results and follow-up for the Kasi, Sekcam, Camat and administrator: a period's figures (NRR per
element, IKM, grade, respondents against the minimum sample, profile, weakest elements), the follow-up log,
publication on the public page, and the PDF report. The administrator and the Kasi publish and write the
follow-up plans; the Sekcam and the Camat read. Thin: each change is one call into shared.services.skm.

    GET   /counter/skm/?periode=2026-S2              the period (TTTT, TTTT-S1/S2, TTTT-BB-HH..TTTT-BB-HH)
    GET   /counter/skm/laporan.pdf?periode=...        the report in the regulation's layout
    POST  /counter/skm/terbitkan  /counter/skm/tarik  publish / withdraw the period (periode)
    POST  /counter/skm/tindak-lanjut                  a new follow-up plan (periode, plan, elements, ...)
    GET/POST /counter/skm/tindak-lanjut/<id>          edit a plan (status, done date, ...)
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from antrean.shared.domain import skm as rules
from antrean.shared.services import skm
from antrean.shared.services.administration import office_logo
from antrean.shared.services.desk import NotFound
from antrean.shared.services.survey import SKM_ELEMENTS
from antrean.shared.web.helpers import current_actor, desk, roles_required
from antrean.shared.web.skm_report import report_pdf

bp = Blueprint("skm", __name__, url_prefix="/counter/skm", template_folder="templates")
may_see = roles_required(*skm.VIEW_ROLES)
may_edit = roles_required(*skm.EDIT_ROLES)
FIELDS = ("plan", "responsible", "due_date", "status", "done_date")


def _period() -> rules.SkmPeriod:
    raw = request.values.get("periode")
    if not raw:
        return rules.current_semester(skm.today(desk()))
    try:
        return rules.parse_period(raw)
    except ValueError as exc:
        abort(400, str(exc))


def _form_values() -> dict:
    values: dict = {k: request.form.get(k, "") for k in FIELDS}
    values["elements"] = request.form.getlist("elements")
    return values


def _page(period: rules.SkmPeriod, values: dict | None = None, errors: dict | None = None, status: int = 200):
    d = desk()
    today = skm.today(d)
    choices = [p for y in (today.year, today.year - 1)
               for p in (rules.semester(y, 2), rules.semester(y, 1), rules.year(y)) if p.start <= today]
    return render_template("skm/index.html", r=skm.results(d, period), period=period, choices=choices,
                           published=skm.published_periods(d), elements=SKM_ELEMENTS, statuses=rules.STATUSES,
                           values=values or {"status": "rencana", "elements": []}, errors=errors or {},
                           profile_names={k: name for k, (name, _c) in rules.PROFILE.items()},
                           may_edit=bool(set(current_actor().roles) & set(skm.EDIT_ROLES))), status


@bp.get("/")
@may_see
def index():
    return _page(_period())


@bp.get("/laporan.pdf")
@may_see
def report():
    d = desk()
    period = _period()
    found = office_logo(d, Path(current_app.instance_path))
    logo = found[0] if found and found[1] in ("image/png", "image/jpeg") else None
    body = report_pdf(d.catalogue.office, skm.results(d, period), skm.today(d), logo)
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="laporan-skm-{period.key}.pdf"'})


@bp.post("/terbitkan")
@may_edit
def publish():
    period = _period()
    skm.publish(desk(), current_actor(), period)
    flash(_("Hasil SKM %(p)s diterbitkan di situs informasi.", p=period.label), "ok")
    return redirect(url_for("skm.index", periode=period.key))


@bp.post("/tarik")
@may_edit
def withdraw():
    period = _period()
    try:
        skm.withdraw(desk(), current_actor(), period)
    except NotFound:
        abort(404)
    flash(_("Hasil SKM %(p)s ditarik dari situs informasi.", p=period.label), "ok")
    return redirect(url_for("skm.index", periode=period.key))


@bp.post("/tindak-lanjut")
@may_edit
def add_followup():
    period = _period()
    values = _form_values()
    try:
        skm.add_followup(desk(), current_actor(), period, values)
    except skm.FollowUpFormError as exc:
        return _page(period, values, exc.errors, 400)
    flash(_("Rencana tindak lanjut disimpan."), "ok")
    return redirect(url_for("skm.index", periode=period.key))


@bp.get("/tindak-lanjut/<int:followup_id>")
@may_edit
def followup(followup_id: int):
    try:
        item = skm.followup(desk(), followup_id)
    except NotFound:
        abort(404)
    values = {k: item[k] for k in ("plan", "responsible", "due_date", "status", "done_date", "elements")}
    return render_template("skm/followup.html", item=item, values=values, errors={}, elements=SKM_ELEMENTS,
                           statuses=rules.STATUSES)


@bp.post("/tindak-lanjut/<int:followup_id>")
@may_edit
def update_followup(followup_id: int):
    d = desk()
    try:
        item = skm.followup(d, followup_id)
        values = _form_values()
        skm.update_followup(d, current_actor(), followup_id, values)
    except NotFound:
        abort(404)
    except skm.FollowUpFormError as exc:
        return render_template("skm/followup.html", item=item, values=values, errors=exc.errors,
                               elements=SKM_ELEMENTS, statuses=rules.STATUSES), 400
    flash(_("Rencana tindak lanjut diperbarui."), "ok")
    return redirect(url_for("skm.index", periode=item["period"].key))
