"""The SKM report as a PDF in the layout of PermenPANRB 14/2017's Lampiran: the letterhead, the period, the
respondents against the minimum sample, the table of elements with NRR and NRR tertimbang, the IKM, its
conversion, the quality grade and the unit's performance; the respondent profile; the weakest elements and
the follow-up plans with their share done and speed. Built with ``shared/web/pdf.py`` (the letterhead).
Used by the staff page (counter/skm.py)."""
from __future__ import annotations

from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from antrean.shared.domain.catalogue import Office
from antrean.shared.domain.skm import PROFILE
from antrean.shared.web import pdf


def _num(value: float | None, places: int = 2) -> str:
    """Indonesian decimals: 3,25."""
    return "-" if value is None else f"{value:.{places}f}".replace(".", ",")


def _day(day) -> str:
    return pdf.indonesian_date(day) if day else "-"


def _short(day) -> str:
    return day.strftime("%d-%m-%Y") if day else "-"


def followup_sentence(s: dict[str, Any]) -> str:
    """The follow-ups' share done and speed in one sentence (``followup_summary`` of a period with plans)."""
    line = f"Selesai {s['done']} dari {s['total']} rencana ({_num(s['share_done'], 1)}%); tepat waktu {s['on_time']}."
    if s["done"]:
        line += (f" Rata-rata {_num(s['days_from_period_end']['mean'], 1)} hari sejak akhir periode dan "
                 f"{_num(s['days_from_plan']['mean'], 1)} hari sejak rencana dibuat hingga selesai.")
    return line


def report_pdf(office: Office, r: dict[str, Any], signed_on: date, logo_png: bytes | None = None,
               public: bool = False) -> bytes:
    """The report of ``r`` (``services.skm.results``), dated ``signed_on`` above the Camat's signature.
    ``public``: the copy for the information site, without the follow-ups' person responsible (the field
    may hold a name)."""
    period = r["period"]
    index = r["ikm"]
    sample_line = ("memenuhi" if r["sample_met"] else "belum memenuhi") + " sampel minimum"
    story: list = [
        pdf.para("LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT", "title"),
        pdf.para(f"{office.name} · {period.label}", "subtitle"),
        pdf.table([
            ("Periode survei", f"{_day(period.start)} s.d. {_day(period.end)}"),
            ("Jumlah layanan selesai (populasi)", str(r["served"])),
            ("Jumlah responden", f"{r['respondents']} orang ({sample_line})"),
            ("Sampel minimum", f"{r['minimum_sample']} orang (tabel Krejcie dan Morgan, PermenPANRB 14/2017)"),
            ("Dasar", "Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang Pedoman Penyusunan Survei Kepuasan "
                      "Masyarakat Unit Penyelenggara Pelayanan Publik"),
        ], label_width=62 * mm),
        pdf.space(4),
        pdf.para("A. Nilai per unsur pelayanan", "label"),
        pdf.space(1),
    ]
    rows = [[str(i), e["name"], _num(e["nrr"]), _num(e["weighted"], 3)]
            for i, e in enumerate(index["elements"], start=1)]
    if index["ikm"] is None:
        rows.append(["", "Belum ada responden pada periode ini", "-", "-"])
    grade = f"{index['grade']}" if index["grade"] else "-"
    rows += [
        ["", "Jumlah NRR tertimbang (IKM)", "", _num(index["ikm"], 3)],
        ["", "IKM unit pelayanan (konversi: IKM x 25)", "", _num(index["value"])],
        ["", "Mutu pelayanan", "", grade],
        ["", "Kinerja unit pelayanan", "", index["performance"] or "-"],
    ]
    n = len(rows)
    story += [pdf.grid(["No", "Unsur pelayanan", "NRR per unsur", "NRR tertimbang"], rows, [12, 98, 32, 38],
                       bold_rows=range(n - 4, n)),
              pdf.space(1),
              pdf.para("NRR = jumlah nilai unsur dibagi jumlah responden; NRR tertimbang = NRR x 1/9; "
                       "mutu A 88,31-100 (Sangat Baik), B 76,61-88,30 (Baik), C 65,00-76,60 (Kurang Baik), "
                       "D 25,00-64,99 (Tidak Baik).", "small"),
              pdf.space(4)]
    if r["weakest"]:
        weakest = "; ".join(f"{e['name']} ({_num(e['nrr'])})" for e in r["weakest"])
        story += [pdf.para("Unsur dengan nilai terendah: " + weakest + ".", "body"), pdf.space(4)]

    profile_rows = []
    total = r["respondents"]
    for key, (name, _choices) in PROFILE.items():
        for i, (label, count) in enumerate(r["profile"][key]):
            share = f"{_num(100 * count / total, 1)}%" if total else "-"
            profile_rows.append([name if i == 0 else "", label, str(count), share])
    # the profile on one page (a characteristic split over two pages loses its name)
    story += [KeepTogether([pdf.para("B. Profil responden", "label"), pdf.space(1),
                            pdf.grid(["Karakteristik", "Indikator", "Jumlah", "Persentase"], profile_rows,
                                     [42, 70, 30, 38])]),
              pdf.space(4)]

    s = r["followup_summary"]
    story += [pdf.para("C. Rencana tindak lanjut", "label"), pdf.space(1)]
    header = ["No", "Rencana tindak lanjut", "Unsur", "Penanggung jawab", "Target", "Status", "Selesai"]
    widths = [10, 42, 30, 28, 22, 28, 20]
    follow_rows = [[str(i), f["plan"], ", ".join(f["element_names"]), f["responsible"], _short(f["due_date"]),
                    f["status_label"], _short(f["done_date"])] for i, f in enumerate(r["followups"], start=1)]
    if not follow_rows:
        follow_rows = [["", "Belum ada rencana tindak lanjut", "", "", "", "", ""]]
    if public:  # without the person responsible
        header, widths = header[:3] + header[4:], [10, 60, 40, 22, 28, 20]
        follow_rows = [row[:3] + row[4:] for row in follow_rows]
    story += [pdf.grid(header, follow_rows, widths),
              pdf.space(2)]
    if s["total"]:
        story.append(pdf.para(followup_sentence(s), "body"))
    place = office.name.removeprefix("Kecamatan ").strip()
    story += [pdf.space(10), KeepTogether([
        pdf.para(f"{place}, {pdf.indonesian_date(signed_on)}", "center"),
        pdf.para(f"CAMAT {place.upper()}", "center"), pdf.space(20),
        pdf.para("(.......................................)", "center")])]
    return pdf.document(office, f"Laporan SKM {period.label}", story, logo_png)
