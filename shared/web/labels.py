"""Names for the codes staff screens and exports show: a ticket's status, a step's kind, a weekday,
a role. Written once, in the page's language (Indonesian by default; English from the catalogue in
shared/web/translations). A code this module does not know is shown as it is."""
from __future__ import annotations

from flask_babel import gettext as _

from antrean.shared.domain.catalogue import WEEKDAYS


def status_names() -> dict[str, str]:
    return {"waiting": _("Menunggu"), "called": _("Dipanggil"), "in_progress": _("Diproses"),
            "done": _("Selesai"), "returned": _("Dikembalikan (TMS)"), "no_show": _("Tidak hadir"),
            "cancelled": _("Dibatalkan")}


def step_kind_names() -> dict[str, str]:
    return {"submit": _("Pemohon mengajukan"), "receive": _("Penerimaan berkas"),
            "verify": _("Verifikasi (MS/TMS)"), "register": _("Registrasi dan nomor agenda"),
            "sign_request": _("Pengajuan tanda tangan"), "sign": _("Tanda tangan"),
            "process": _("Proses lainnya"), "handover": _("Penyerahan hasil"),
            "collect": _("Pemohon menerima hasil"), "pickup": _("Pengambilan hasil"),
            "in_person": _("Pemohon hadir")}


def weekday_names() -> dict[str, str]:
    names = (_("Senin"), _("Selasa"), _("Rabu"), _("Kamis"), _("Jumat"), _("Sabtu"), _("Minggu"))
    return dict(zip(WEEKDAYS, names, strict=True))


def role_names(actors: dict[str, str]) -> dict[str, str]:
    """The catalogue's actors (role code -> the office's name for it) and the administrator."""
    return {**actors, "admin": _("Administrator")}


def name_of(names: dict[str, str], code: object) -> str:
    return names.get(str(code), str(code)) if code is not None else ""
