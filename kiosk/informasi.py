"""The public information site, without login, for a citizen's phone (and the kiosk's Info view):
the services with their Standar Pelayanan (the six service-delivery components), the Maklumat
Pelayanan, office hours and holidays, the complaint channels, and A4 posters (PDF) with a QR code.

    GET /informasi/                              services, office hours, holidays, complaint channels
    GET /informasi/layanan/<code>                one service's standard (the adopted version, else the
                                                 catalogue's prefill marked "belum ditetapkan")
    GET /informasi/maklumat                      the Maklumat Pelayanan
    GET /informasi/skm                           the newest published SKM results and their follow-up
                                                 (figures and plans only: no respondent, no person responsible)
    GET /informasi/skm/laporan.pdf               its report in the regulation's layout (the same, as PDF)
    GET /informasi/layanan/<code>/poster.pdf     the service's A4 poster
    GET /informasi/maklumat/poster.pdf           the Maklumat's A4 poster

``?lang=en`` switches to English; ``?embed=1`` drops the page's own header (the kiosk shows it in a frame).
Nothing here reads a ticket or a person: only the office's published texts.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from antrean.shared.domain import standards as rules
from antrean.shared.domain.catalogue import Office
from antrean.shared.domain.clock import local
from antrean.shared.services import skm, standards
from antrean.shared.services.administration import office_logo
from antrean.shared.services.desk import NotFound
from antrean.shared.web import pdf
from antrean.shared.web.helpers import desk
from antrean.shared.web.skm_report import report_pdf

bp = Blueprint("informasi", __name__, url_prefix="/informasi", template_folder="templates")

HOLIDAYS_AHEAD = 366  # the holidays listed: from today, this many days ahead


def _lang() -> str:
    return "en" if str(get_locale() or "id") == "en" else "id"


def _public_base() -> str:
    return current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")


def _components(values: dict[str, str], keys: tuple[str, ...]) -> list[tuple[str, str, str]]:
    lang = _lang()
    return [(key, rules.label(key, lang), values.get(key, "")) for key in keys]


def _hours(office: Office) -> list[tuple[str, str]]:
    names = ((_("Senin"), _("Selasa"), _("Rabu"), _("Kamis"), _("Jumat"), _("Sabtu"), _("Minggu")))
    if office.hours is None:
        return [(_("Setiap hari"), _("24 jam"))]
    return [(names[i], ", ".join(f"{a}–{b}" for a, b in ranges) if ranges else _("Tutup"))
            for i, ranges in enumerate(office.hours)]


def _holidays(office: Office) -> list[str]:
    d = desk()
    today = local(d.clock(), d.tz).date()
    last = today + timedelta(days=HOLIDAYS_AHEAD)
    days = sorted(h for h in office.holidays if today.isoformat() <= h <= last.isoformat())
    return [format_date(date.fromisoformat(h), "EEEE, d MMMM y") for h in days]


def _adopted_date(standing: standards.Standing) -> str | None:
    day = standing.adopted.decree_date if standing.adopted else None
    return format_date(day, "d MMMM y") if day else None


def _standing(code: str) -> standards.Standing:
    try:
        return standards.standing(desk(), code)
    except NotFound:
        abort(404)


@bp.get("/")
def index():
    d = desk()
    office = d.catalogue.office
    return render_template("informasi/index.html", groups=d.catalogue.by_group(), catalogue=d.catalogue,
                           hours=_hours(office), holidays=_holidays(office), lapor_url=rules.LAPOR_URL,
                           embed=bool(request.args.get("embed")))


@bp.get("/layanan/<code>")
def service(code: str):
    d = desk()
    standing = _standing(code)
    svc = d.catalogue.services[code]
    name = svc.name_en if _lang() == "en" and svc.name_en else svc.name
    return render_template("informasi/service.html", service=svc, name=name, standing=standing,
                           adopted_date=_adopted_date(standing),
                           components=_components(standing.published, rules.DELIVERY), lapor_url=rules.LAPOR_URL,
                           embed=bool(request.args.get("embed")))


@bp.get("/maklumat")
def maklumat():
    standing = standards.maklumat(desk())
    return render_template("informasi/maklumat.html", standing=standing, adopted_date=_adopted_date(standing),
                           embed=bool(request.args.get("embed")))


@bp.get("/skm")
def skm_results():
    return render_template("informasi/skm.html", r=skm.latest_published(desk()),
                           embed=bool(request.args.get("embed")))


@bp.get("/skm/laporan.pdf")
def skm_report():
    d = desk()
    results = skm.latest_published(d)
    if results is None:
        abort(404)
    body = report_pdf(d.catalogue.office, results, skm.today(d), _logo(), public=True)
    return _pdf_response(body, f"hasil-skm-{results['period'].key}.pdf")


# -- posters ---------------------------------------------------------------------------------------


def _logo() -> bytes | None:
    found = office_logo(desk(), Path(current_app.instance_path))
    return found[0] if found and found[1] in ("image/png", "image/jpeg") else None


def _adoption_line(version: standards.Version | None, maklumat: bool = False) -> str:
    if version is None or version.decree_date is None:
        source = "" if maklumat else " dari SOP kantor"
        return f"BELUM DITETAPKAN: rancangan{source}, menunggu penetapan Camat."
    day = pdf.indonesian_date(version.decree_date)
    if maklumat:
        return f"Ditetapkan pada tanggal {day}."
    return f"Ditetapkan dengan Keputusan Camat Nomor {version.decree_number} tanggal {day}."


def _pdf_response(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.get("/layanan/<code>/poster.pdf")
def service_poster(code: str):
    d = desk()
    standing = _standing(code)
    svc = d.catalogue.services[code]
    office = d.catalogue.office
    url = _public_base() + url_for("informasi.service", code=code)
    values = standing.published
    story = [
        pdf.para("STANDAR PELAYANAN", "title"),
        pdf.para(svc.name, "subtitle"),
        pdf.table([(rules.label(k), values[k]) for k in rules.DELIVERY]),
        pdf.space(4),
        pdf.para(_adoption_line(standing.adopted), "body"),
        pdf.space(3),
        pdf.qr_with_text(url, f"Pindai kode QR untuk membuka standar pelayanan ini:\n{url}\n\n"
                              f"Pengaduan: SP4N-LAPOR! {rules.LAPOR_URL}"),
    ]
    return _pdf_response(pdf.document(office, f"Standar Pelayanan {svc.name}", story, _logo()),
                         f"standar-pelayanan-{code}.pdf")


@bp.get("/maklumat/poster.pdf")
def maklumat_poster():
    d = desk()
    office = d.catalogue.office
    standing = standards.maklumat(d)
    values = standing.published
    url = _public_base() + url_for("informasi.maklumat")
    adopted = standing.adopted
    place = office.name.removeprefix("Kecamatan ").strip()
    signed = f"{place}, {pdf.indonesian_date(adopted.decree_date)}" if adopted and adopted.decree_date else place
    story = [
        pdf.space(10),
        pdf.para("MAKLUMAT PELAYANAN", "title"),
        pdf.space(8),
        pdf.para(f"“{values['text']}”", "big"),
        pdf.space(14),
        pdf.para(signed, "center"),
        pdf.para(values["signatory_title"].upper(), "center"),
        pdf.space(18),
        pdf.para(values["signatory_name"] or "(belum ditandatangani)", "center"),
        pdf.space(10),
        pdf.para(_adoption_line(adopted, maklumat=True), "center"),
        pdf.space(6),
        pdf.qr_with_text(url, f"Pindai kode QR untuk membuka maklumat dan standar pelayanan:\n{url}"),
    ]
    return _pdf_response(pdf.document(office, "Maklumat Pelayanan", story, _logo()), "maklumat-pelayanan.pdf")
