"""A refused booking's reason in the page's language, for the booking pages, the API and the counter
(the service names the reason by ``code``: shared/services/booking.py)."""
from __future__ import annotations

from flask_babel import gettext as _

from antrean.shared.domain import booking as rules
from antrean.shared.services.errors import OperationError


def refusal_text(exc: OperationError) -> str:
    """A refused booking in the page's language."""
    texts = {
        "bad_date": _("Tanggal tidak valid: pilih tanggal dari daftar."),
        "bad_session": _("Sesi harus pagi atau siang."),
        "bad_name": _("Nama paling banyak 120 huruf."),
        rules.PAST: _("Sesi itu sudah lewat atau sudah dimulai. Pilih sesi lain."),
        rules.TOO_FAR: _("Tanggal itu terlalu jauh ke depan untuk booking."),
        rules.NO_SESSION: _("Kantor tutup pada tanggal itu (libur atau akhir pekan)."),
        rules.NOT_BOOKABLE: _("Layanan ini tidak menerima booking."),
        "session_full": _("Kuota sesi itu sudah penuh. Pilih sesi atau tanggal lain."),
        "is_cancelled": _("Booking ini sudah dibatalkan."),
        "is_checked_in": _("Booking ini sudah check-in dan menjadi nomor antrean."),
        "is_no_show": _("Sesi booking ini sudah berakhir tanpa check-in."),
        "wrong_day": _("Booking ini untuk hari lain."),
        "session_over": _("Sesi booking ini sudah berakhir. Silakan ambil nomor antrean biasa."),
        "no_remote": _("Layanan ini tidak dapat diantre dari rumah."),
        "remote_full": _("Kuota antre dari rumah hari ini sudah habis."),
        "service_closed": _("Layanan ini sedang tidak menerima antrean."),
        "not_found": _("Kode booking tidak ditemukan. Periksa kembali kodenya."),
        "bad_setting": _("Nilai pengaturan booking di luar batas."),
        "bad_contact": _("Kontak harus berisi kanal, nomor atau alamat, dan persetujuan."),
    }
    if exc.code in CONTACT_REFUSALS:  # the outbox's contact rules, worded there (as on the status page)
        return _(str(exc))
    return texts.get(exc.code, _("Permintaan tidak dapat diproses."))


# the refusals of ``outbox.add_contact_in`` (shared/domain/contact.py): their message is the msgid
CONTACT_REFUSALS = frozenset({"consent_missing", "channel_unavailable", "channel_invalid", "phone_missing",
                              "phone_invalid", "email_missing", "email_invalid"})
