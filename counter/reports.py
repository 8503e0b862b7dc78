"""Office reports and the Buku Register for the Kasi, Sekcam, Camat and administrator: figures,
charts, a printable page, and CSV/XLSX exports. Thin: the figures come from shared/services/reports.py
and register.py, each one read in ``reading()``."""
from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from antrean.counter import evaluation_pack
from antrean.shared.domain.cells import safe_cell
from antrean.shared.domain.numbering import office_day
from antrean.shared.domain.queue import PRIORITY_TEXT
from antrean.shared.services import booking
from antrean.shared.services.administration import office_logo
from antrean.shared.services.evaluation import evaluation_figures
from antrean.shared.services.evaluation_pack import pack_figures, semester_of
from antrean.shared.services.register import complaint_rows, register_rows
from antrean.shared.services.reports import Period, office_and_satisfaction, office_figures
from antrean.shared.web.helpers import desk, roles_required
from antrean.shared.web.labels import channel_names, complaint_status_names, name_of, role_names, status_names

log = logging.getLogger(__name__)
bp = Blueprint("reports", __name__, url_prefix="/counter/reports", template_folder="templates")

REPORT_ROLES = {"kasi_pelayanan", "sekcam", "camat", "admin"}
report_role = roles_required(*REPORT_ROLES)


def _period() -> Period:
    """start=YYYY-MM-DD&end=YYYY-MM-DD, or month=YYYY-MM (query or form), or today."""
    d = desk()
    today = office_day(d.clock(), d.tz)
    values = request.values
    try:
        if values.get("month"):
            year, month = (int(x) for x in values["month"].split("-"))
            start = date(year, month, 1)
            end = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
            return Period(start, end)
        start = date.fromisoformat(values.get("start") or today.isoformat())
        end = date.fromisoformat(values.get("end") or start.isoformat())
        if (end - start).days > 366:
            raise ValueError("a period of at most a year")
        return Period(start, end)
    except ValueError:
        abort(400, _("Periode tidak valid: gunakan tanggal TTTT-BB-HH."))


@bp.get("/")
@report_role
def index():
    d = desk()
    period = _period()
    report, satisfaction = office_and_satisfaction(d, period)
    names = {code: svc.name for code, svc in d.catalogue.services.items()}
    step_labels = [_("%(service)s, langkah %(step)s", service=names.get(st["service"], st["service"]), step=st["step"])
                   for st in report["steps"]]
    return render_template("reports/index.html", r=report, ikm=satisfaction, period=period, names=names,
                           step_labels=step_labels, ev=evaluation_figures(d, period),
                           priority_names=priority_names(), channels=channel_names(),
                           complaint_statuses=complaint_status_names(),
                           roles=role_names(d.catalogue.actors), groups=d.catalogue.groups,
                           bookings=booking.report(d, period.start, period.end))


def _register_rows(period: Period, query: str = ""):
    return register_rows(desk(), period, query, purged_label=_("(dihapus: masa simpan habis)"))


def _complaint_rows(period: Period, query: str = ""):
    return complaint_rows(desk(), period, query, purged_label=_("(dihapus: masa simpan habis)"),
                          anonymous_label=_("Anonim"), code_label=_("dengan kode pengambilan"))


def _search() -> str:
    """The register's search text. It may be an applicant's name, so it comes only in a POSTed form:
    a query string would put it in the access logs of every proxy on the way."""
    return request.form.get("q", "").strip() if request.method == "POST" else ""


@bp.route("/register", methods=["GET", "POST"])
@report_role
def register():
    period = _period()
    q = _search()
    rows = _register_rows(period, q)
    return render_template("reports/register.html", rows=rows, period=period, q=q, statuses=status_names(),
                           complaints=_complaint_rows(period, q))


COLUMNS = {
    "register": [("agenda_number", "Nomor agenda"), ("date", "Tanggal"), ("number", "Nomor antrean"),
                 ("applicant", "Pemohon"), ("nik", "NIK"), ("service", "Layanan"), ("status", "Hasil"),
                 ("signed_by", "Ditandatangani/diverifikasi oleh")],
    "steps": [("service", "Layanan"), ("step", "Langkah"), ("activity", "Kegiatan"), ("actor", "Pelaksana"),
              ("standard_minutes", "Standar (menit)"), ("n", "Jumlah"), ("median", "Median (menit)"),
              ("p90", "P90 (menit)"), ("within_standard", "Sesuai standar"), ("over_standard", "Melebihi standar")],
    "complaints": [("date", "Tanggal"), ("number", "Nomor antrean"), ("complainant", "Pelapor"), ("nik", "NIK"),
                   ("channel", "Disampaikan"), ("complaint", "Isi pengaduan"), ("outcome", "Berita acara"),
                   ("lapor_number", "No. SP4N-LAPOR!"), ("status", "Hasil"), ("handed_over", "Penyerahan"),
                   ("resolution_days", "Lama penyelesaian (hari)")],
    "promised": [("name", "Layanan"), ("promised_minutes", "Waktu dijanjikan (menit kerja)"),
                 ("promised_days", "Waktu dijanjikan (hari kerja)"), ("n", "Permohonan selesai"),
                 ("within", "Selesai tepat waktu"), ("within_share", "Bagian tepat waktu"),
                 ("median_minutes", "Median (menit kerja)"), ("p90_minutes", "P90 (menit kerja)"),
                 ("median_days", "Median (hari kerja)"), ("p90_days", "P90 (hari kerja)")],
    "priority": [("group", "Kelompok"), ("tickets", "Tiket"), ("n", "Dipanggil"),
                 ("median", "Median menunggu (menit)"), ("p90", "P90 menunggu (menit)")],
    "complaint_summary": [("item", "Rincian"), ("value", "Nilai")],
    "services": [("name", "Layanan"), ("group", "Kelompok"), ("tickets", "Tiket"),
                 ("done", "Selesai"), ("returned", "TMS"), ("no_show", "Tidak hadir")],
}


def priority_names() -> dict[str, str]:
    return {reason: _(text) for reason, text in PRIORITY_TEXT.items()}


def _evaluation_rows(kind: str, ev: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of an evaluation export, with names: promised against actual per service, the
    priority waits per group, the complaint register's counts."""
    if kind == "promised":
        return ev["promised"]
    if kind == "priority":
        names = priority_names()
        p = ev["priority"]
        return ([{**r, "group": name_of(names, r["reason"]) or _("Prioritas tanpa alasan")} for r in p["per_reason"]]
                + [{**p["priority"], "group": _("Semua tiket prioritas")},
                   {**p["others"], "group": _("Tiket lain (bukan prioritas)")}])
    c = ev["complaints"]
    channels, statuses = channel_names(), complaint_status_names()
    rows = [{"item": _("Jumlah pengaduan"), "value": c["total"]}]
    rows += [{"item": _("Disampaikan: %(channel)s", channel=name_of(channels, code)), "value": n}
             for code, n in c["by_channel"].items()]
    rows += [{"item": _("Status: %(status)s", status=name_of(statuses, code)), "value": n}
             for code, n in c["by_status"].items()]
    rows += [{"item": _("Dengan nomor SP4N-LAPOR!"), "value": c["with_lapor"]},
             {"item": _("Pengaduan selesai/dikembalikan"), "value": c["resolution_days"]["n"]},
             {"item": _("Median lama penyelesaian (hari)"), "value": c["resolution_days"]["median"]},
             {"item": _("P90 lama penyelesaian (hari)"), "value": c["resolution_days"]["p90"]}]
    return rows


def _named(kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with names where the data holds codes: a service's name, a role's, a group's, a
    status's (``ahli_waris`` -> Surat Keterangan Ahli Waris, ``done`` -> Selesai)."""
    catalogue = desk().catalogue
    services = {code: svc.name for code, svc in catalogue.services.items()}
    roles, groups, statuses = role_names(catalogue.actors), catalogue.groups, status_names()
    if kind == "steps":
        return [{**r, "service": name_of(services, r.get("service")), "actor": name_of(roles, r.get("actor"))}
                for r in rows]
    if kind == "services":
        return [{**r, "group": _(name_of(groups, r.get("group")))} for r in rows]
    if kind in ("promised", "priority", "complaint_summary"):
        return rows  # built with names already (``_evaluation_rows``)
    return [{**r, "status": name_of(statuses, r.get("status"))} for r in rows]


def _cells(rows: list[dict[str, Any]], columns: list[tuple[str, str]], name: str) -> Iterator[list[Any]]:
    """The export's lines, header first, every cell through ``safe_cell`` (no formula, no control
    character). A value that cannot be written becomes an empty cell and one log line naming the
    column and the error's type: one bad row never fails the export, and no value reaches the log."""
    yield [label for _key, label in columns]
    for number, row in enumerate(rows, start=1):
        line = []
        for key, _label in columns:
            try:
                line.append(safe_cell(row.get(key)))
            except Exception as exc:  # any error: its message may carry the value
                log.error("export %s: row %d, column %s left empty (%s)", name, number, key, type(exc).__name__)
                line.append(None)
        yield line


def _xlsx(lines: Iterator[list[Any]], title: str, name: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.worksheets[0]  # the active one of a new workbook
    ws.title = title
    for r, line in enumerate(lines, start=1):
        for c, value in enumerate(line, start=1):
            cell = ws.cell(row=r, column=c)
            try:
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # text, never a formula
            except Exception as exc:  # openpyxl's message carries the value
                log.error("export %s: row %d, column %d left empty (%s)", name, r - 1, c, type(exc).__name__)
                cell.value = None
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@bp.route("/export/<kind>.<fmt>", methods=["GET", "POST"])
@report_role
def export(kind: str, fmt: str):
    """CSV (``;``-separated, UTF-8 with a byte order mark) or XLSX of the register, the steps or the
    services, with names, not codes. Every cell from data is inert text (``antrean.shared.domain.cells``):
    a name cannot become a formula in the Kasi's spreadsheet."""
    if kind not in COLUMNS or fmt not in ("csv", "xlsx"):
        abort(404)
    d = desk()
    period = _period()
    if kind == "register":
        rows = _register_rows(period, _search())
    elif kind == "complaints":
        rows = _complaint_rows(period, _search())
    elif kind in ("promised", "priority", "complaint_summary"):
        rows = _evaluation_rows(kind, evaluation_figures(d, period))
    else:
        report = office_figures(d, period)
        rows = report["steps"] if kind == "steps" else report["per_service"]
    name = f"antrean-{kind}-{period.start}-{period.end}"
    lines = _cells(_named(kind, rows), COLUMNS[kind], f"{kind}.{fmt}")
    if fmt == "csv":
        # ";" and a UTF-8 byte order mark: Excel set to Indonesian (where "," is the decimal mark)
        # opens the file in columns, with the letters of names intact
        buf = io.StringIO()
        csv.writer(buf, delimiter=";").writerows(lines)
        return Response(buf.getvalue().encode("utf-8-sig"), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(_xlsx(lines, kind, f"{kind}.{fmt}"),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


# -- the evaluator's pack ---------------------------------------------------------------------------


def _pack_period() -> Period:
    """The chosen period, else the current semester."""
    if request.values.get("start") or request.values.get("month"):
        return _period()
    d = desk()
    return semester_of(office_day(d.clock(), d.tz))


def _shortcuts(today: date) -> list[tuple[str, Period]]:
    """Semesters and years to pick with one click: this semester, the one before, this year, last year."""
    this = semester_of(today)
    before = semester_of(this.start - timedelta(days=1))
    year, last = today.year, today.year - 1
    return [(_("Semester %(n)s %(year)s", n="I" if this.start.month == 1 else "II", year=this.start.year), this),
            (_("Semester %(n)s %(year)s", n="I" if before.start.month == 1 else "II", year=before.start.year), before),
            (_("Tahun %(year)s", year=year), Period(date(year, 1, 1), date(year, 12, 31))),
            (_("Tahun %(year)s", year=last), Period(date(last, 1, 1), date(last, 12, 31)))]


@bp.get("/evaluasi")
@report_role
def evaluation():
    """The evaluator's pack: pick a period, download the PDF or the XLSX."""
    d = desk()
    period = _pack_period()
    return render_template("reports/evaluation.html", period=period,
                           shortcuts=_shortcuts(office_day(d.clock(), d.tz)), sections=evaluation_pack.SECTIONS)


def _logo_png() -> bytes | None:
    found = office_logo(desk(), Path(current_app.instance_path))
    return found[0] if found and found[1] in ("image/png", "image/jpeg") else None


@bp.get("/evaluasi/paket.<fmt>")
@report_role
def evaluation_pack_file(fmt: str):
    """The pack of ``start``..``end`` as a PDF or an XLSX (an attachment; staff only)."""
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    d = desk()
    period = _pack_period()
    pack = pack_figures(d, period)
    name = f"paket-evaluasi-{period.start}-{period.end}.{fmt}"
    if fmt == "pdf":
        return Response(evaluation_pack.pdf_document(pack, d.catalogue, _logo_png()), mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return Response(evaluation_pack.xlsx(pack, d.catalogue),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
