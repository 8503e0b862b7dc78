"""Standar Pelayanan and Maklumat Pelayanan pages: the administrator edits (every save a new version), the
Camat adopts a version with the Keputusan Camat's number and date. Both see the list, the forms and the
versions; anybody else gets 403. Thin: each change is one call into shared.services.standards.

    GET       /counter/standar/                        every service's standard and the Maklumat: state
    GET/POST  /counter/standar/<code>                  a service's 14 components (POST: admin saves)
    POST      /counter/standar/<code>/tetapkan         the Camat adopts a version (version, decree_*)
    GET/POST  /counter/standar/maklumat                the Maklumat (POST: admin saves)
    POST      /counter/standar/maklumat/tetapkan       the Camat adopts it (version, decree_date)
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from antrean.shared.domain import standards as rules
from antrean.shared.services import standards
from antrean.shared.services.desk import NotFound, OperationError
from antrean.shared.web.helpers import current_actor, desk, roles_required

bp = Blueprint("standards", __name__, url_prefix="/counter/standar", template_folder="templates")
EDIT, ADOPT = "admin", standards.ADOPTER_ROLE
may_see = roles_required(EDIT, ADOPT)
admin_only = roles_required(EDIT)
camat_only = roles_required(ADOPT)


def _version(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _components(values: dict[str, str]) -> list[tuple[str, str, str, bool]]:
    return [(k, rules.label(k), values.get(k, ""), k in rules.DELIVERY) for k in rules.KEYS]


@bp.get("/")
@may_see
def index():
    d = desk()
    return render_template("standards/index.html", rows=standards.all_standings(d), maklumat=standards.maklumat(d))


@bp.get("/maklumat")
@may_see
def maklumat():
    standing = standards.maklumat(desk())
    return _maklumat_page(standing, standing.draft, {}, {})


@bp.post("/maklumat")
@admin_only
def save_maklumat():
    d = desk()
    values = {k: request.form.get(k, "") for k in ("text", "signatory_name", "signatory_title")}
    try:
        number = standards.save_maklumat(d, current_actor(), values["text"], values["signatory_name"],
                                         values["signatory_title"], request.form.get("note", ""))
    except standards.StandardFormError as exc:
        return _maklumat_page(standards.maklumat(d), values, exc.errors, {})
    except OperationError as exc:  # a save at the same moment as another (409)
        return _maklumat_page(standards.maklumat(d), values, {"form": str(exc)}, {})[0], exc.status
    flash(_("Maklumat disimpan sebagai versi %(v)s. Camat dapat menetapkannya.", v=number), "ok")
    return redirect(url_for("standards.maklumat"))


def _maklumat_page(standing: standards.Standing, values: dict[str, str], errors: dict[str, str],
                   adopt_errors: dict[str, str]):
    return render_template("standards/maklumat.html", standing=standing, values=values, errors=errors,
                           adopt_errors=adopt_errors), 400 if errors or adopt_errors else 200


@bp.post("/maklumat/tetapkan")
@camat_only
def adopt_maklumat():
    d = desk()
    try:
        standards.adopt_maklumat(d, current_actor(), _version(request.form.get("version", "")),
                                 request.form.get("decree_date", ""), request.form.get("decree_number", ""))
    except standards.StandardFormError as exc:
        standing = standards.maklumat(d)
        return _maklumat_page(standing, standing.draft, {}, exc.errors)
    except NotFound:
        abort(404)
    flash(_("Maklumat Pelayanan ditetapkan dan dipublikasikan."), "ok")
    return redirect(url_for("standards.maklumat"))


def _standing(code: str) -> standards.Standing:
    try:
        return standards.standing(desk(), code)
    except NotFound:
        abort(404)


@bp.get("/<code>")
@may_see
def service(code: str):
    standing = _standing(code)
    return _service_page(code, standing, standing.draft, {}, {})


@bp.post("/<code>")
@admin_only
def save(code: str):
    standing = _standing(code)
    values = {k: request.form.get(k, "") for k in rules.KEYS}
    try:
        number = standards.save_standard(desk(), current_actor(), code, values, request.form.get("note", ""))
    except standards.StandardFormError as exc:
        return _service_page(code, standing, values, exc.errors, {})
    except OperationError as exc:  # a save at the same moment as another (409): the input stays on the form
        return _service_page(code, standing, values, {"form": str(exc)}, {})[0], exc.status
    flash(_("Standar pelayanan disimpan sebagai versi %(v)s. Camat dapat menetapkannya.", v=number), "ok")
    return redirect(url_for("standards.service", code=code))


def _service_page(code: str, standing: standards.Standing, values: dict[str, str], errors: dict[str, str],
                  adopt_errors: dict[str, str]):
    service = desk().catalogue.services[code]
    status = 400 if errors or adopt_errors else 200
    return render_template("standards/service.html", service=service, standing=standing,
                           components=_components(values), errors=errors, adopt_errors=adopt_errors), status


@bp.post("/<code>/tetapkan")
@camat_only
def adopt(code: str):
    standing = _standing(code)
    try:
        standards.adopt_standard(desk(), current_actor(), code, _version(request.form.get("version", "")),
                                 request.form.get("decree_number", ""), request.form.get("decree_date", ""))
    except standards.StandardFormError as exc:
        return _service_page(code, standing, standing.draft, {}, exc.errors)
    except NotFound:
        abort(404)
    flash(_("Standar pelayanan ditetapkan dan dipublikasikan."), "ok")
    return redirect(url_for("standards.service", code=code))
