"""A refused operation's reason in the page's language. The domain and the services explain a refusal
in plain English for logs, the command line and the tests ("TMS needs the missing documents or a
note for the applicant"); staff read it in Indonesian (or English, from the catalogue in
shared/web/translations). A reason this table does not know is shown as it is: services that speak
Indonesian already (administration, availability) pass through unchanged."""
from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

Match = re.Match[str]

# (pattern of the English reason, its words for the page); the first pattern that matches wins
_REASONS: tuple[tuple[re.Pattern[str], Callable[[Match], str]], ...] = tuple(
    (re.compile(pattern), words) for pattern, words in (
        (r"TMS needs the missing documents or a note for the applicant",
         lambda m: _("TMS memerlukan dokumen yang kurang atau catatan untuk pemohon.")),
        (r"step (\d+) needs a decision: MS or TMS",
         lambda m: _("Langkah %(n)s memerlukan keputusan: MS atau TMS.", n=m[1])),
        (r"step (\d+) is not the MS/TMS decision",
         lambda m: _("Langkah %(n)s bukan langkah keputusan MS/TMS.", n=m[1])),
        (r"missing documents are recorded only with TMS",
         lambda m: _("Dokumen yang kurang hanya dicatat pada keputusan TMS.")),
        (r"decision must be MS or TMS", lambda m: _("Keputusan harus MS atau TMS.")),
        (r"step (\d+) is done by (.+), not by (.+)",
         lambda m: _("Langkah %(n)s dikerjakan oleh %(actor)s, bukan oleh peran Anda.", n=m[1], actor=m[2])),
        (r"step (\d+) does not exist in this flow",
         lambda m: _("Langkah %(n)s tidak ada dalam alur layanan ini.", n=m[1])),
        (r"step must be a step number", lambda m: _("Langkah harus berupa nomor langkah.")),
        (r"only a waiting ticket can be called", lambda m: _("Hanya tiket yang menunggu yang dapat dipanggil.")),
        (r"only a called ticket can be received at the loket",
         lambda m: _("Hanya tiket yang sudah dipanggil yang dapat diterima di loket.")),
        (r"only a called ticket can be marked as not present",
         lambda m: _("Hanya tiket yang sudah dipanggil yang dapat ditandai tidak hadir.")),
        (r"only a ticket that has not been received yet can be transferred",
         lambda m: _("Hanya tiket yang belum diterima yang dapat dialihkan.")),
        (r"the ticket has not been called yet", lambda m: _("Tiket ini belum dipanggil.")),
        (r"the ticket is closed.*", lambda m: _("Tiket ini sudah ditutup.")),
        (r"an action cannot be earlier than the previous one",
         lambda m: _("Tindakan tidak boleh lebih awal dari tindakan sebelumnya.")),
        (r"(\S+) is not waiting", lambda m: _("%(number)s tidak sedang menunggu.", number=m[1])),
        (r"only a called ticket or one in progress can be called again",
         lambda m: _("Hanya tiket yang dipanggil atau sedang diproses yang dapat dipanggil ulang.")),
        (r"only a ticket in progress can be called for pickup",
         lambda m: _("Hanya tiket yang sedang diproses yang dapat dipanggil untuk pengambilan.")),
        (r"choose a loket first", lambda m: _("Pilih loket terlebih dahulu.")),
        (r"choose a loket or a service to transfer to", lambda m: _("Pilih loket atau layanan tujuan pengalihan.")),
        (r"loket not found", lambda m: _("Loket tidak ditemukan.")),
        (r"ticket not found", lambda m: _("Tiket tidak ditemukan.")),
        (r"print job not found", lambda m: _("Pekerjaan cetak tidak ditemukan.")),
        (r"only a job waiting for a retry can be retried now",
         lambda m: _("Hanya pekerjaan cetak yang menunggu yang dapat dicoba lagi sekarang.")),
        (r"only an open job can be cancelled", lambda m: _("Hanya pekerjaan cetak yang masih terbuka yang dapat dihentikan.")),
        (r"unknown documents: (.+)", lambda m: _("Dokumen tidak dikenal: %(docs)s", docs=m[1])),
        (r"the applicant's name is required", lambda m: _("Nama pemohon wajib diisi.")),
        (r"NIK must be 16 digits", lambda m: _("NIK harus 16 angka.")),
        (r"the phone number is not valid", lambda m: _("Nomor telepon tidak valid.")),
        (r"kind must be recall or pickup", lambda m: _("Jenis panggilan harus panggil ulang atau pengambilan.")),
    ))


def reason(message: str) -> str:
    """``message`` (a refusal's reason) in the page's language, or as it is when unknown."""
    text = message.strip()
    for pattern, words in _REASONS:
        found = pattern.fullmatch(text)
        if found:
            return words(found)
    return message


def error_text(exc: Exception) -> str:
    return reason(str(exc))
