"""The satisfaction survey pages (Survei Kepuasan Masyarakat), for a tablet at the hand-over desk,
the kiosk, or the applicant's phone (linked from the ticket's status page of a finished ticket).

Like the kiosk, an untouched page goes back to the start in the office's language (``?idle=`` sets
the seconds, 2-600; the thanks page goes back sooner), and the language can be switched (id/en)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from antrean.shared.domain.skm import PROFILE
from antrean.shared.services import survey
from antrean.shared.services.desk import NotFound, OperationError
from antrean.shared.web.helpers import desk

bp = Blueprint("survey", __name__, url_prefix="/kiosk/survei", template_folder="templates")

IDLE_SECONDS = 90  # an untouched survey page goes back to the start
THANKS_SECONDS = 15  # ... and the thanks page this soon


def _page(template: str, **context):
    idle = request.args.get("idle", type=int)
    idle = IDLE_SECONDS if idle is None else max(2, min(600, idle))
    return render_template(template, default_lang=current_app.config["DEFAULT_LANG"], idle_seconds=idle,
                           thanks_seconds=min(idle, THANKS_SECONDS), **context)


@bp.route("/", methods=["GET", "POST"])
def start():
    """Find the ticket by its number and the pickup code printed on it."""
    error = None
    if request.method == "POST":
        number = (request.form.get("number") or "").strip().upper()
        code = (request.form.get("code") or "").strip().upper()
        public_id = survey.find_ticket(desk().sessions, number, code)
        if public_id is not None:
            return redirect(url_for("survey.form", public_id=public_id))
        error = _("Nomor antrean atau kode pengambilan tidak cocok.")
    return _page("survey/start.html", error=error)


@bp.route("/<public_id>", methods=["GET", "POST"])
def form(public_id: str):
    d = desk()
    try:
        ticket = survey.ticket_for_survey(d.sessions, public_id)
    except NotFound:
        abort(404)
    lang = str(get_locale() or "id")
    error = None
    if request.method == "POST" and ticket["open"]:
        answers = {}
        for code, _name in survey.SKM_ELEMENTS:
            raw = request.form.get(code, "")
            answers[code] = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else raw
        profile = {key: request.form.get(key, "") for key in PROFILE}  # each optional
        try:
            survey.submit(d.sessions, public_id, answers, request.form.get("comment", ""), clock=d.clock,
                          profile=profile)
            return _page("survey/thanks.html", ticket=ticket)
        except OperationError as exc:
            error = (_("Pilihan tentang Anda tidak dikenal: pilih dari daftar atau biarkan kosong.")
                     if exc.code == "bad_profile" else _("Mohon jawab kesembilan pertanyaan."))
    return _page("survey/form.html", ticket=ticket, questions=survey.questionnaire(lang), profile=PROFILE,
                 error=error, chosen=request.form)
