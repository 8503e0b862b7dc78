"""The waiting-room display page, its announcement audio, and the staff form for its settings.

The page's data arrives over Socket.IO (namespace /display); this blueprint serves the page, the
WAV files the page plays (``/display/audio/<key>.wav``, made once per phrase), the office logo,
the speech state, and ``/display/settings`` (running text, announcement language and reading)
for the Kasi Pelayanan, the Sekcam and administrators.
"""
from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from antrean.shared.domain import standards as rules
from antrean.shared.domain.announce import ANNOUNCE_LANGS, READINGS
from antrean.shared.domain.clock import ZONE_ABBREVIATIONS
from antrean.shared.services import skm, standards
from antrean.shared.services.administration import office_logo
from antrean.shared.services.announcer import Announcer
from antrean.shared.services.display_settings import RUNNING_TEXT_MAX, SettingsError
from antrean.shared.web.helpers import desk, roles_required

bp = Blueprint("display", __name__, url_prefix="/display", template_folder="templates", static_folder="static")

SETTINGS_ROLES = frozenset({"admin", "kasi_pelayanan", "sekcam"})
TZ_LABELS = ZONE_ABBREVIATIONS


def announcer() -> Announcer:
    return current_app.extensions["antrean.display"]


def _logo():
    return office_logo(desk(), Path(current_app.instance_path))


@bp.get("/")
def index():
    """The TV page. ``?sound=off`` keeps this screen silent (a speaker agent speaks instead)."""
    sound = request.args.get("sound", "on")
    tz = desk().catalogue.office.timezone
    return render_template("display/index.html", sound="off" if sound in ("off", "0", "no") else "on",
                           logo_url=url_for("display.logo") if _logo() else None,
                           tz_label=TZ_LABELS.get(tz, ""), settings=announcer().settings.get(),
                           groups={code: _(name) for code, name in desk().catalogue.groups.items()},
                           slides=_slides(), slide_seconds=_slide_seconds())


SLIDE_SECONDS = 15  # each information slide stays this long; ``?slides=N`` (2-600), ``?slides=0`` turns them off
SLIDE_LINES = 5  # the first lines of a component on a slide (the full text is on the web page)


def _slide_seconds() -> int:
    value = request.args.get("slides", type=int)
    return SLIDE_SECONDS if value is None else (0 if value <= 0 else max(2, min(600, value)))


def _short(text: str) -> str:
    lines = text.split("\n")
    # three dots, not the ellipsis: a TV's font may lack that glyph
    return "\n".join(lines[:SLIDE_LINES]) + ("\n..." if len(lines) > SLIDE_LINES else "")


def _slides() -> list[dict]:
    """The information slides between calls: the Maklumat, then each service's standard (time, cost,
    requirements, product), from the published (adopted, else prefilled) versions."""
    d = desk()
    lang = "en" if str(get_locale() or "id") == "en" else "id"
    maklumat = standards.maklumat(d).published
    slides = [{"title": _("Maklumat Pelayanan"), "items": [{"label": "", "text": maklumat["text"]}],
               "foot": maklumat["signatory_title"]}]
    result = skm.latest_published(d)
    if result is not None:  # the newest published SKM period: what the citizens said, and the grade
        index = result["ikm"]
        slides.append({"title": _("Hasil Survei Kepuasan Masyarakat"), "items": [
            {"label": _("Periode"), "text": result["period"].label},
            {"label": _("Nilai IKM"), "text": "-" if index["value"] is None
             else f"{index['value']:.2f} ({index['grade']}, {index['performance']})"},
            {"label": _("Responden"), "text": str(result["respondents"])},
        ], "foot": _("Survei Kepuasan Masyarakat")})
    for code, (values, adopted) in standards.published_all(d).items():
        service = d.catalogue.services[code]
        slides.append({
            "title": service.name_en if lang == "en" and service.name_en else service.name,
            "items": [{"label": rules.label(k, lang), "text": _short(values[k])}
                      for k in ("waktu", "biaya", "persyaratan", "produk")],  # the shortest first: the panel is small
            "foot": _("Standar Pelayanan") + ("" if adopted else " · " + _("belum ditetapkan")),
        })
    return slides


@bp.get("/state.json")
def state():
    return jsonify(announcer().extend_snapshot(desk().display_snapshot()))


@bp.get("/speech.json")
def speech():
    """The speech state, for staff screens: ``{"available", "reason", "engine", "langs", ...}``."""
    return jsonify(announcer().status())


@bp.get("/audio/chime.wav")
def chime():
    path = announcer().chime()
    if path is None:
        abort(404)
    return send_file(path, mimetype="audio/wav", max_age=86400)


@bp.get("/audio/<key>.wav")
def audio(key: str):
    path = announcer().wav_path(key)
    if path is None:
        abort(404)
    return send_file(path, mimetype="audio/wav", max_age=86400)


@bp.get("/logo")
def logo():
    """The logo the administrator uploaded (counter/admin.py), else a logo.* file in the instance folder."""
    found = _logo()
    if found is None:
        abort(404)
    return Response(found[0], mimetype=found[1], headers={"Cache-Control": "public, max-age=300"})


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(*SETTINGS_ROLES)
def settings():
    a = announcer()
    if request.method == "POST":
        form = request.form
        try:
            new = a.settings.save(
                {"running_text": form.get("running_text", ""), "announce_lang": form.get("announce_lang"),
                 "announce_reading": form.get("announce_reading")},
                current_user.id, desk().clock())  # type: ignore[attr-defined]  # werkzeug's LocalProxy: untyped forwarding
        except SettingsError as exc:
            flash(str(exc), "error")
        else:
            from antrean.shared.realtime.hub import socketio

            socketio.emit("settings", {"running_text": new.running_text}, namespace="/display")
            flash(_("Pengaturan layar disimpan."), "ok")
        return redirect(url_for("display.settings"))
    current = a.settings.get()
    samples = [said for call in _sample_calls() for said in a.announcements(call, current, synthesize=False)]
    return render_template("display/settings.html", current=current, status=a.status(current),
                           langs=ANNOUNCE_LANGS, readings=READINGS, max_len=RUNNING_TEXT_MAX, samples=samples)


def _sample_calls() -> list[dict]:
    """How a first call, an in-person call and a pickup call sound (the catalogue's own purposes)."""
    sample = {"number": "A012", "prefix": "A", "seq": 12, "loket": 2, "loket_name": "Loket 2", "kind": "call"}
    calls = [sample]
    steps = [st for svc in desk().catalogue.services.values() for st in svc.steps]
    for kind in ("in_person", "pickup"):
        step = next((st for st in steps if st.call_kind == kind and st.purpose), None)
        if step is not None:
            calls.append({**sample, "kind": kind, "purpose": step.purpose, "purpose_en": step.purpose_en})
    return calls
