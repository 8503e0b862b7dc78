"""The evaluator's pack rendered: a PDF (letterhead, table of contents, page numbers, the sections
headed like the PEKPPP aspects) and an XLSX (one sheet per table), from ``pack_figures`` (one read in
shared/services/evaluation_pack.py). Both hold counts, times, numbers of decrees and queue numbers:
never a complainant's name, NIK or complaint text.

The document is the office's, in Indonesian whatever the page's language (like the posters); the
names of codes come from shared/web/labels.py.
"""
from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from reportlab.platypus import Flowable

from antrean.shared.domain.catalogue import Catalogue
from antrean.shared.domain.cells import safe_cell
from antrean.shared.domain.queue import PRIORITY_TEXT
from antrean.shared.domain.skm import PROFILE
from antrean.shared.web import pdf
from antrean.shared.web.labels import channel_names, complaint_status_names, name_of, role_names
from antrean.shared.web.skm_report import followup_sentence

log = logging.getLogger(__name__)

# The sections, in the order of the document, headed like the PEKPPP aspects.
SECTIONS = ("Standar Pelayanan", "Maklumat Pelayanan", "Survei Kepuasan Masyarakat (SKM)", "Pengaduan",
            "Pelayanan Khusus Kelompok Rentan", "Waktu Penyelesaian", "Kepatuhan Mutu Baku")
NOT_ADOPTED = "Belum ditetapkan"


def _day(value: date | None) -> str:
    return pdf.indonesian_date(value) if value else "-"


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"


def _number(value: float | None, places: int = 1) -> str:
    return "-" if value is None else f"{value:.{places}f}".replace(".", ",")


def _decimal(value: float) -> str:
    """A figure on the page: whole numbers without decimals, others with two, a decimal comma."""
    return _number(value, 0 if float(value).is_integer() else 2)


def _numeric_day(value: date) -> str:
    """A date in a narrow column: 30-11-2026."""
    return value.strftime("%d-%m-%Y")


def period_text(pack: dict[str, Any]) -> str:
    p = pack["period"]
    return f"{_day(p.start)} s.d. {_day(p.end)}"


# -- the tables, each written once for both formats -------------------------------------------------


def tables(pack: dict[str, Any], catalogue: Catalogue) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every table of the pack as (header, rows) of plain values, keyed by the XLSX sheet's name."""
    services = {code: svc.name for code, svc in catalogue.services.items()}
    roles = role_names(catalogue.actors)
    channels, statuses = channel_names(), complaint_status_names()
    skm = pack["skm"]
    overall, summary = skm["ikm"], skm["followup_summary"]
    c = pack["complaints"]
    p = pack["priority"]
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    out["Standar Pelayanan"] = (
        ["No.", "Layanan", "Status", "Nomor Keputusan Camat", "Tanggal penetapan", "Versi", "Komponen terisi"],
        [[i, r["name"], "Ditetapkan" if r["adopted"] else NOT_ADOPTED, r["decree_number"] or "-",
          r["decree_date"], r["version"], f"{r['components_filled']} dari {r['components']}"]
         for i, r in enumerate(pack["standards"], start=1)])
    m = pack["maklumat"]
    out["Maklumat Pelayanan"] = (["Rincian", "Isi"], [
        ["Status", "Ditetapkan" if m["adopted"] else NOT_ADOPTED], ["Isi maklumat", m["text"]],
        ["Penanda tangan", m["signatory_name"] or "-"], ["Jabatan", m["signatory_title"] or "-"],
        ["Tanggal penetapan", m["decree_date"]], ["Nomor", m["decree_number"] or "-"], ["Versi", m["version"]]])
    out["SKM"] = (["Rincian", "Nilai"], [
        ["Layanan selesai (populasi)", skm["served"]],
        ["Sampel minimum (Krejcie-Morgan)", skm["minimum_sample"]],
        ["Jumlah responden", overall["respondents"]],
        ["Sampel minimum terpenuhi", "Ya" if skm["sample_met"] else "Tidak"],
        ["IKM (1-4)", overall["ikm"]],
        ["Nilai konversi IKM (25-100)", overall["value"]], ["Mutu pelayanan", overall["grade"] or "-"],
        ["Kinerja unit pelayanan", overall["performance"] or "-"],
        *[[f"Unsur terendah {i}", f"{e['element'].upper()} {e['name']} (NRR {_number(e['nrr'], 2)})"]
          for i, e in enumerate(skm["weakest"], start=1)],
        ["Rencana tindak lanjut", summary["total"]], ["Tindak lanjut selesai", summary["done"]],
        ["Bagian selesai (%)", summary["share_done"]], ["Selesai tepat waktu", summary["on_time"]],
        ["Rata-rata hari sejak akhir periode sampai selesai", summary["days_from_period_end"]["mean"]],
        ["Median hari sejak akhir periode sampai selesai", summary["days_from_period_end"]["median"]],
        ["Rata-rata hari sejak rencana dibuat sampai selesai", summary["days_from_plan"]["mean"]],
        ["Median hari sejak rencana dibuat sampai selesai", summary["days_from_plan"]["median"]]])
    out["SKM per unsur"] = (["Unsur", "Nama unsur", "NRR", "NRR tertimbang"],
                            [[e["element"].upper(), e["name"], e["nrr"], e["weighted"]] for e in overall["elements"]])
    out["SKM per layanan"] = (["Layanan", "Responden", "Nilai IKM", "Mutu pelayanan"],
                              [[name_of(services, code), row["respondents"], row["value"], row["grade"]]
                               for code, row in skm["per_service"].items()])
    respondents = overall["respondents"]
    out["SKM profil responden"] = (
        ["Karakteristik", "Indikator", "Jumlah", "Persentase (%)"],
        [[name, label, count, round(100 * count / respondents, 1) if respondents else None]
         for key, (name, _choices) in PROFILE.items() for label, count in skm["profile"][key]])
    out["SKM tindak lanjut"] = (
        ["No.", "Rencana tindak lanjut", "Unsur", "Penanggung jawab", "Target", "Status", "Tanggal selesai"],
        [[i, f["plan"], "; ".join(f"{code.upper()} {name}" for code, name in zip(f["elements"], f["element_names"],
                                                                                   strict=False)),
          f["responsible"], f["due_date"], f["status_label"], f["done_date"]]
         for i, f in enumerate(skm["followups"], start=1)])
    out["Pengaduan"] = (["Rincian", "Nilai"], [
        ["Jumlah pengaduan", c["total"]],
        *[[f"Disampaikan: {name_of(channels, code)}", n] for code, n in c["by_channel"].items()],
        *[[f"Status: {name_of(statuses, code)}", n] for code, n in c["by_status"].items()],
        ["Dengan nomor SP4N-LAPOR!", c["with_lapor"]],
        ["Pengaduan selesai/dikembalikan", c["resolution_days"]["n"]],
        ["Median lama penyelesaian (hari)", c["resolution_days"]["median"]],
        ["P90 lama penyelesaian (hari)", c["resolution_days"]["p90"]]])
    out["Register pengaduan"] = (
        ["No.", "Tanggal", "Nomor antrean", "Disampaikan", "No. SP4N-LAPOR!", "Status", "Lama penyelesaian (hari)"],
        [[i, r["date"], r["number"], name_of(channels, r["channel"]), r["lapor_number"] or "-",
          name_of(statuses, r["status"]), r["resolution_days"]] for i, r in enumerate(c["rows"], start=1)])
    groups = [[PRIORITY_TEXT.get(r["reason"], r["reason"] or "Prioritas tanpa alasan"), r["tickets"], r["n"],
               r["median"], r["p90"]] for r in p["per_reason"]]
    groups += [["Semua tiket prioritas", p["priority"]["tickets"], p["priority"]["n"], p["priority"]["median"],
                p["priority"]["p90"]],
               ["Tiket lain (bukan prioritas)", p["others"]["tickets"], p["others"]["n"], p["others"]["median"],
                p["others"]["p90"]]]
    out["Kelompok rentan"] = (["Kelompok", "Tiket", "Dipanggil", "Median menunggu (menit)", "P90 menunggu (menit)"],
                              groups)
    out["Fasilitas aksesibilitas"] = (["No.", "Fasilitas"],
                                      [[i, name] for i, name in enumerate(pack["accessibility"], start=1)])
    out["Waktu penyelesaian"] = (
        ["Layanan", "Waktu dijanjikan (menit kerja)", "Waktu dijanjikan (hari kerja)", "Permohonan selesai",
         "Selesai tepat waktu", "Bagian tepat waktu", "Median (menit kerja)", "P90 (menit kerja)"],
        [[r["name"], r["promised_minutes"], r["promised_days"], r["n"], r["within"], r["within_share"],
          r["median_minutes"], r["p90_minutes"]] for r in pack["promised"]])
    out["Kepatuhan Mutu Baku"] = (
        ["Layanan", "Langkah", "Kegiatan", "Pelaksana", "Mutu Baku (menit)", "Jumlah", "Median (menit)",
         "P90 (menit)", "Sesuai standar", "Melebihi standar"],
        [[name_of(services, r["service"]), r["step"], r["activity"], name_of(roles, r["actor"]), r["standard_minutes"],
          r["n"], r["median"], r["p90"], r["within_standard"], r["over_standard"]] for r in pack["steps"]])
    return out


# -- XLSX -------------------------------------------------------------------------------------------


def xlsx(pack: dict[str, Any], catalogue: Catalogue) -> bytes:
    """One sheet per table, header first; every cell through ``safe_cell`` (inert text, numbers stay
    numbers, dates stay dates). A value that cannot be written is left empty with one log line naming
    the sheet and column, never the value."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    for title, (header, rows) in tables(pack, catalogue).items():
        ws = wb.create_sheet(title)
        for r, line in enumerate([header, *rows], start=1):
            for col, value in enumerate(line, start=1):
                cell = ws.cell(row=r, column=col)
                try:
                    cell.value = safe_cell(value)
                    if isinstance(cell.value, str):
                        cell.data_type = "s"  # text, never a formula
                    elif isinstance(value, date):
                        cell.number_format = "yyyy-mm-dd"
                except Exception as exc:  # openpyxl's message may carry the value
                    log.error("evaluation pack %s: row %d, column %d left empty (%s)", title, r - 1, col,
                              type(exc).__name__)
                    cell.value = None
        for col, label in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(col)].width = max(10, min(45, len(label) + 4))
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- PDF --------------------------------------------------------------------------------------------


def _cells(rows: Iterable[list[Any]], percent: tuple[int, ...] = ()) -> list[list[str]]:
    def show(v: Any, col: int) -> str:
        if v is None:
            return "-"
        if col in percent:
            return _percent(v)
        if isinstance(v, date):
            return _day(v)
        if isinstance(v, float):
            return _decimal(v)
        return str(v)

    return [[show(v, col) for col, v in enumerate(row)] for row in rows]


def _grid(table: tuple[list[str], list[list[Any]]], widths: list[float] | None = None,
          empty: str = "Tidak ada data pada periode ini.", percent: tuple[int, ...] = (),
          header: list[str] | None = None) -> Flowable:
    """A table on the page; ``header`` shorter words for a narrow page (the XLSX keeps the long ones)."""
    long_header, rows = table
    if not rows:
        return pdf.para(empty, "body")
    return pdf.grid(header or long_header, _cells(rows, percent), widths)


def _skm_story(skm: dict[str, Any], t: dict[str, tuple[list[str], list[list[Any]]]]) -> list[Flowable]:
    """Section 3 as the SKM report has it: the sample, the IKM per element and per service, the weakest
    elements, the respondent profile, and the follow-up log with its share done and speed."""
    index, profile, followups = skm["ikm"], t["SKM profil responden"], t["SKM tindak lanjut"]
    met = "memenuhi" if skm["sample_met"] else "belum memenuhi"
    story: list[Flowable] = [
        pdf.para(f"Layanan selesai pada periode ini (populasi): {skm['served']}. Sampel minimum (tabel Krejcie "
                 f"dan Morgan, PermenPANRB 14/2017): {skm['minimum_sample']}. Responden: {index['respondents']} "
                 f"({met} sampel minimum).", "body"), pdf.space(2)]
    if index["respondents"]:
        weakest = "; ".join(f"{e['element'].upper()} {e['name']} ({_number(e['nrr'], 2)})" for e in skm["weakest"])
        story += [pdf.para(f"IKM {_number(index['ikm'], 2)}; nilai konversi {_number(index['value'], 2)}; mutu "
                           f"pelayanan {index['grade']} ({index['performance']}).", "body"), pdf.space(2),
                  _grid(t["SKM per unsur"], [14, 70, 20, 24]), pdf.space(2),
                  pdf.para(f"Unsur dengan nilai terendah: {weakest}.", "body"), pdf.space(3),
                  _grid(t["SKM per layanan"], [70, 20, 20, 20]), pdf.space(3),
                  pdf.para("Profil responden", "label"), pdf.space(1),
                  _grid((profile[0], [[name if i == 0 or name != profile[1][i - 1][0] else "", *rest]
                                      for i, (name, *rest) in enumerate(profile[1])]),
                        [42, 70, 30, 38])]
    else:
        story.append(pdf.para("Tidak ada jawaban SKM pada periode ini.", "body"))
    story += [pdf.space(3), pdf.para("Rencana tindak lanjut hasil SKM", "label"), pdf.space(1),
              _grid((followups[0], [[(_numeric_day(v) if isinstance(v, date) else v) for v in row]
                                    for row in followups[1]]),
                    [10, 38, 34, 28, 22, 26, 22], "Belum ada rencana tindak lanjut.",
                    header=["No.", "Rencana", "Unsur", "Penanggung jawab", "Target", "Status", "Selesai"])]
    if skm["followup_summary"]["total"]:
        story += [pdf.space(2), pdf.para(followup_sentence(skm["followup_summary"]), "body")]
    return story


def pdf_document(pack: dict[str, Any], catalogue: Catalogue, logo_png: bytes | None = None) -> bytes:
    t = tables(pack, catalogue)
    office = catalogue.office
    p = pack["priority"]
    m = pack["maklumat"]
    adopted = sum(1 for r in pack["standards"] if r["adopted"])
    story: list[Flowable] = [
        pdf.para("PAKET EVALUASI PELAYANAN PUBLIK", "title"),
        pdf.para(f"Periode {period_text(pack)}", "subtitle"),
        pdf.para(f"Disusun dari data sistem antrean {office.name} pada {_day(pack['made_on'])}. "
                 f"Jumlah tiket pada periode ini: {pack['tickets']}.", "body"),
        pdf.space(3),
        # 1
        pdf.heading(f"1. {SECTIONS[0]}"),
        pdf.para(f"{adopted} dari {len(pack['standards'])} layanan memiliki Standar Pelayanan yang telah "
                 "ditetapkan dengan Keputusan Camat. Layanan lain berstatus belum ditetapkan (rancangan dari SOP).",
                 "body"),
        pdf.space(2),
        _grid(t["Standar Pelayanan"], [10, 41, 28, 38, 31, 12, 20]),
        # 2
        pdf.heading(f"2. {SECTIONS[1]}"),
        pdf.table([("Status", "Ditetapkan" if m["adopted"] else "Belum ditetapkan (rancangan)"),
                   ("Isi maklumat", m["text"]),
                   ("Penanda tangan", f"{m['signatory_name'] or '-'}, {m['signatory_title'] or '-'}"),
                   ("Tanggal penetapan", _day(m["decree_date"])),
                   *([("Nomor", m["decree_number"])] if m["decree_number"] else [])]),
        # 3
        pdf.heading(f"3. {SECTIONS[2]}"),
    ]
    story += _skm_story(pack["skm"], t)
    story += [
        # 4
        pdf.heading(f"4. {SECTIONS[3]}"),
        pdf.para("Register pengaduan (layanan Pengaduan). Nama dan NIK pelapor serta isi pengaduan tidak "
                 "dimuat dalam paket ini; lihat Buku Register pengaduan di kantor.", "small"),
        pdf.space(2),
        _grid(t["Pengaduan"], [70, 30]), pdf.space(3),
        _grid(t["Register pengaduan"], [10, 30, 20, 34, 28, 28, 24], "Tidak ada pengaduan pada periode ini."),
        # 5
        pdf.heading(f"5. {SECTIONS[4]}"),
        pdf.para("Waktu tunggu (dari pengambilan tiket sampai panggilan pertama) tiket prioritas per kelompok "
                 "(UU 25/2009 Pasal 29) dibanding tiket lain.", "body"),
        pdf.space(2),
        _grid(t["Kelompok rentan"], [50, 16, 18, 28, 28]),
        pdf.space(2),
        pdf.para("Median tunggu tiket prioritas "
                 + (f"{_decimal(abs(p['median_gain']))} menit lebih "
                    f"{'singkat' if p['median_gain'] >= 0 else 'lama'} daripada tiket lain."
                    if p["median_gain"] is not None else "tidak dapat dibandingkan (data belum cukup)."), "body"),
        pdf.space(2),
        pdf.para("Fasilitas aksesibilitas yang tersedia:", "label"),
        pdf.para("\n".join(f"• {name}" for name in pack["accessibility"]) or "Belum dicatat oleh administrator.",
                 "body"),
        # 6
        pdf.heading(f"6. {SECTIONS[5]}"),
        pdf.para("Waktu yang dijanjikan (jumlah Mutu Baku langkah-langkah SOP) dibanding waktu nyata dari "
                 "panggilan pertama sampai penyerahan, dihitung dalam jam kerja kantor.", "body"),
        pdf.space(2),
        pdf.para("Waktu dalam menit kerja; satu hari kerja = "
                 f"{_number(pack['working_day_minutes'], 0)} menit.", "small"),
        pdf.space(1),
        _grid(t["Waktu penyelesaian"], [62, 20, 18, 16, 18, 16, 16, 14], percent=(5,),
              header=["Layanan", "Dijanjikan (menit)", "(hari kerja)", "Selesai", "Tepat waktu", "Bagian",
                      "Median", "P90"]),
        # 7
        pdf.heading(f"7. {SECTIONS[6]}"),
        pdf.para(f"Bagian langkah yang selesai dalam Mutu Baku: {_percent(pack['within_standard'])}.", "body"),
        pdf.space(2),
        pdf.para("Waktu dalam menit, dari langkah siap dikerjakan sampai selesai.", "small"),
        pdf.space(1),
        _grid(t["Kepatuhan Mutu Baku"], [32, 10, 34, 22, 19, 9, 15, 12, 13, 14], percent=(8,),
              header=["Layanan", "No.", "Kegiatan", "Pelaksana", "Mutu Baku", "n", "Median", "P90", "Sesuai",
                      "Lebih"]),
    ]
    title = f"Paket Evaluasi Pelayanan Publik {period_text(pack)}"
    return pdf.report(office, title, story, footer=f"{office.name} · Paket evaluasi {period_text(pack)}",
                      logo_png=logo_png)
