"""Administration pages (admin role): office profile and logo, services and their SOP steps, the
catalogue's versions with export and import, lokets and staff users. Thin: each change is one call into
shared.administration, which validates, audits and puts it in force without a restart.

    GET       /counter/admin/                       overview, catalogue versions, export, import
    GET/POST  /counter/admin/office                 office profile, opening hours, holidays, quotas
    POST      /counter/admin/logo                   upload (file) or remove (remove=1) the logo
    GET/POST  /counter/admin/names                  service groups (kiosk order) and actors (roles)
    GET       /counter/admin/services               the services
    GET/POST  /counter/admin/services/new           add a service
    GET/POST  /counter/admin/services/<code>        edit a service and its steps
    POST      /counter/admin/services/<code>/delete remove a service from the kiosk
    GET       /counter/admin/catalogue.yaml         export (the shipped data file's format)
    POST      /counter/admin/catalogue/import       import such a file (file=...)
    POST      /counter/admin/catalogue/restore      version=<n>: put an earlier version back
    GET/POST  /counter/admin/lokets                 lokets (POST creates or, with loket_id, changes one)
    GET       /counter/admin/users                  staff users
    GET/POST  /counter/admin/users/new, /users/<id> add or change a user
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from antrean.counter.admin_forms import BLANK_STEP_ROWS, names_from_form, office_from_form, service_from_form, step_rows
from antrean.shared.domain.catalogue import MAX_DAILY_QUOTA, MAX_STEP_MINUTES, STEP_KINDS, WEEKDAYS, dump_catalogue
from antrean.shared.services import administration as admin
from antrean.shared.services.desk import OperationError
from antrean.shared.web.helpers import current_actor, desk, roles_required
from antrean.shared.web.labels import step_kind_names, weekday_names
from antrean.shared.web.limits import allow_body

bp = Blueprint("admin", __name__, url_prefix="/counter/admin", template_folder="templates")
admin_only = roles_required("admin")


def _role_names() -> dict[str, str]:
    actors = desk().catalogue.actors
    return {**{r: actors[r] for r in admin.assignable_roles(desk().catalogue) if r in actors},
            "admin": _("Administrator")}


@bp.get("/")
@admin_only
def index():
    d = desk()
    store = d.catalogue_store
    return render_template("admin/index.html", version=store.version if store else 0,
                           source=store.source if store else d.catalogue.path,
                           history=store.history() if store else [], services=len(d.catalogue.services))


# -- office ----------------------------------------------------------------------------------------


@bp.route("/office", methods=["GET", "POST"])
@admin_only
def office():
    d = desk()
    codes = list(d.catalogue.services)
    values = admin.office_form_values(d)
    error = None
    if request.method == "POST":
        fields = office_from_form(request.form, codes)
        try:
            admin.update_office(d, current_actor(), fields)
        except OperationError as exc:
            error = str(exc)
            values = {**values, **{k: v for k, v in fields.items() if k not in ("hours", "quotas", "holidays")},
                      "hours": fields["hours"], "quotas": fields["quotas"],
                      "holidays": [h for h in fields["holidays"].splitlines() if h.strip()]}
        else:
            flash(_("Profil kantor disimpan dan langsung berlaku."), "ok")
            return redirect(url_for("admin.office"))
    return render_template("admin/office.html", values=values, error=error, weekdays=WEEKDAYS, day_names=weekday_names(),
                           services=d.catalogue.services.values(), has_logo=admin.logo_png(d) is not None,
                           max_quota=MAX_DAILY_QUOTA), \
        400 if error else 200


def _whole(text: str) -> int | None:
    """A form's id as a number (the service checks its range), or None; never ``int()`` on any digits."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 20 else None


@bp.post("/logo")
@allow_body(2 * admin.LOGO_MAX_BYTES)  # a logo over its limit gets the form's message, not a 413
@admin_only
def logo():
    upload = request.files.get("logo")
    try:
        if request.form.get("remove"):
            admin.save_logo(desk(), current_actor(), None)
            flash(_("Logo dihapus."), "ok")
        elif upload is None or not upload.filename:
            raise OperationError(_("Pilih berkas logo terlebih dahulu."), "bad_logo")
        else:
            admin.save_logo(desk(), current_actor(), upload.read(admin.LOGO_MAX_BYTES + 1))
            flash(_("Logo disimpan."), "ok")
    except OperationError as exc:
        flash(str(exc), "error")
    return redirect(url_for("admin.office"))


# -- service groups and actors ------------------------------------------------------------------


@bp.route("/names", methods=["GET", "POST"])
@admin_only
def names():
    d = desk()
    groups, actors, error = d.catalogue.groups, d.catalogue.actors, None
    if request.method == "POST":
        groups, actors = names_from_form(request.form, "groups"), names_from_form(request.form, "actors")
        try:
            admin.update_names(d, current_actor(), groups, actors)
        except OperationError as exc:
            error = str(exc)
        else:
            flash(_("Kelompok layanan dan pelaksana disimpan."), "ok")
            return redirect(url_for("admin.names"))
    used_groups = {s.group for s in d.catalogue.services.values()}
    used_actors = {st.actor for s in d.catalogue.services.values() for st in s.steps}
    return render_template("admin/names.html", groups=groups, actors=actors, error=error, blank=BLANK_STEP_ROWS,
                           used_groups=used_groups, used_actors=used_actors), 400 if error else 200


# -- services ----------------------------------------------------------------------------------


@bp.get("/services")
@admin_only
def services():
    d = desk()
    return render_template("admin/services.html", groups=d.catalogue.by_group(), group_names=d.catalogue.groups)


def _service_page(service: dict, original_code: str | None, error: str | None = None):
    d = desk()
    return render_template(
        "admin/service.html", service=service, original_code=original_code, error=error,
        rows=step_rows(service), groups=d.catalogue.groups, sops=d.catalogue.sops, actors=d.catalogue.actors,
        kinds=sorted(STEP_KINDS), kind_names=step_kind_names(), max_minutes=MAX_STEP_MINUTES,
    ), 400 if error else 200


@bp.route("/services/new", methods=["GET", "POST"])
@admin_only
def service_new():
    if request.method == "POST":
        return _save_service(None)
    blank = {"code": "", "name": "", "group": "surat_keterangan", "prefix": "", "requirements": [], "steps": []}
    return _service_page(blank, None)


@bp.route("/services/<code>", methods=["GET", "POST"])
@admin_only
def service_edit(code: str):
    if request.method == "POST":
        return _save_service(code)
    data = next((s for s in admin.catalogue_data(desk())["services"] if s["code"] == code), None)
    if data is None:
        abort(404)
    return _service_page(data, code)


def _save_service(original_code: str | None):
    service = service_from_form(request.form)
    try:
        admin.save_service(desk(), current_actor(), service, original_code)
    except OperationError as exc:
        if exc.status == 404:
            abort(404)
        return _service_page(service, original_code, str(exc))
    flash(_("Layanan %(name)s disimpan dan langsung berlaku untuk tiket baru.", name=service["name"]), "ok")
    return redirect(url_for("admin.service_edit", code=service["code"]))


@bp.post("/services/<code>/delete")
@admin_only
def service_delete(code: str):
    try:
        admin.delete_service(desk(), current_actor(), code)
    except OperationError as exc:
        if exc.status == 404:
            abort(404)
        flash(str(exc), "error")
        return redirect(url_for("admin.service_edit", code=code))
    flash(_("Layanan dihapus dari kios. Tiket yang sedang berjalan tetap diselesaikan."), "ok")
    return redirect(url_for("admin.services"))


# -- the catalogue file --------------------------------------------------------------------------


@bp.get("/catalogue.yaml")
@admin_only
def export():
    d = desk()
    name = "katalog-" + "".join(c if c.isalnum() else "-" for c in d.catalogue.office.name.lower()) + ".yaml"
    return Response(dump_catalogue(d.catalogue), mimetype="application/x-yaml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/catalogue/import")
@allow_body(2 * admin.LOGO_MAX_BYTES)  # the file is read up to 2 MiB
@admin_only
def import_file():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Pilih berkas katalog (.yaml) terlebih dahulu."), "error")
        return redirect(url_for("admin.index"))
    try:
        version = admin.import_catalogue(desk(), current_actor(), upload.read(2 * 1024 * 1024),
                                         _("impor %(file)s", file=upload.filename[:80]))
    except OperationError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Katalog diimpor sebagai versi %(v)s dan langsung berlaku.", v=version), "ok")
    return redirect(url_for("admin.index"))


@bp.post("/catalogue/restore")
@admin_only
def restore():
    try:
        version = admin.restore_version(desk(), current_actor(), request.form.get("version"))
    except OperationError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Versi lama dipulihkan sebagai versi %(v)s.", v=version), "ok")
    return redirect(url_for("admin.index"))


# -- lokets and users ----------------------------------------------------------------------------


@bp.route("/lokets", methods=["GET", "POST"])
@admin_only
def lokets():
    d = desk()
    error = None
    if request.method == "POST":
        f = request.form
        try:
            admin.save_loket(d, current_actor(), f.get("loket_id"), f.get("number"), f.get("name"),
                             f.getlist("groups"), bool(f.get("active")))
        except OperationError as exc:
            error = str(exc)
        else:
            flash(_("Loket disimpan."), "ok")
            return redirect(url_for("admin.lokets"))
    rows = admin.all_lokets(d)
    return render_template("admin/lokets.html", lokets=rows, groups=d.catalogue.groups, error=error,
                           form=request.form if error else None), 400 if error else 200


@bp.get("/users")
@admin_only
def users():
    rows, lokets = admin.users_and_loket_names(desk())
    return render_template("admin/users.html", users=rows, lokets=lokets, role_names=_role_names())


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def user_edit(user_id: int | None = None):
    d = desk()
    values = admin.user_form_values(d, user_id)
    if values is None:
        abort(404)
    lokets = admin.all_lokets(d)
    error = None
    if request.method == "POST":
        f = request.form
        values = {"username": f.get("username", ""), "full_name": f.get("full_name", ""),
                  "roles": f.getlist("roles"),
                  "loket_id": _whole(f.get("loket_id", "")),
                  "active": bool(f.get("active"))}
        try:
            admin.save_user(d, current_actor(), user_id, password=f.get("password") or None, **values)
        except OperationError as exc:
            error = str(exc)
        else:
            flash(_("Pengguna %(u)s disimpan.", u=values["username"].strip().lower()), "ok")
            return redirect(url_for("admin.users"))
    return render_template("admin/user.html", user_id=user_id, values=values, lokets=lokets,
                           role_names=_role_names(), error=error), 400 if error else 200
