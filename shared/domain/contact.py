"""A citizen's contact for messages (a phone number or an e-mail address, given by choice) and the
short messages the outbox sends to it. Plain Python: the services store and send, this checks,
masks and words.

Channels: ``whatsapp`` and ``sms`` take an Indonesian mobile number, kept normalised as ``+628...``;
``email`` takes an e-mail address. A contact is masked wherever staff see it (``+62812****5678``,
``bu***@example.id``) and never shown on a public page or written to a log."""
from __future__ import annotations

import re
from dataclasses import dataclass

CHANNELS = ("whatsapp", "sms", "email")
LANGS = ("id", "en")

# The events that make a message, by the outbox's names (``event`` of an outbox row).
NEARLY = "nearly"  # N people ahead (the ``notify_ahead`` setting)
CALLED = "called"  # called to a loket (with the purpose of an in-person call)
TMS = "tms"  # the file was returned: documents missing
READY = "ready"  # the document is ready to collect (the pickup call)
SURVEY = "survey"  # after the hand-over: the survey link
BOOKED = "booking_confirmed"
MOVED = "booking_moved"  # the booking moved to another date or session
REMINDER = "booking_reminder"
JOINED = "remote_joined"  # today's queue joined from afar: the code and when to set off
LEAVE = "remote_leave"  # a remote joiner's estimate says: set off now
BOOKING_MESSAGES = (BOOKED, MOVED, REMINDER, JOINED, LEAVE)  # their link is the booking page (code, documents)
MESSAGE_EVENTS = (NEARLY, CALLED, TMS, READY, SURVEY, BOOKED, MOVED, REMINDER, JOINED, LEAVE)


class ContactError(ValueError):
    """A contact that cannot be used; the message is Indonesian and names no value."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


_MOBILE = re.compile(r"^8[1-9]\d{7,10}$")  # 08xx / +628xx mobile numbers: 10-13 digits after the 0
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}$")


def normalise_phone(raw: str) -> str:
    """An Indonesian mobile number as ``+628...``; ``08..``, ``628..``, ``+62 8..`` with spaces,
    dots or dashes are taken. ContactError otherwise."""
    text = re.sub(r"[\s.()-]", "", str(raw or ""))
    if not text:
        raise ContactError("Nomor HP belum diisi.", "phone_missing")
    if text.startswith("+62"):
        rest = text[3:]
    elif text.startswith("62"):
        rest = text[2:]
    elif text.startswith("0"):
        rest = text[1:]
    else:
        raise ContactError("Nomor HP harus diawali 08 atau +62.", "phone_invalid")
    if not rest.isdigit() or not _MOBILE.match(rest):
        raise ContactError("Nomor HP tidak valid. Contoh: 0812 3456 7890.", "phone_invalid")
    return "+62" + rest


def normalise_email(raw: str) -> str:
    text = str(raw or "").strip()
    if not text:
        raise ContactError("Alamat e-mail belum diisi.", "email_missing")
    if len(text) > 200 or not _EMAIL.match(text) or ".." in text:
        raise ContactError("Alamat e-mail tidak valid. Contoh: nama@contoh.id.", "email_invalid")
    local_part, domain = text.rsplit("@", 1)
    return f"{local_part}@{domain.lower()}"


def normalise(channel: str, raw: str) -> str:
    if channel not in CHANNELS:
        raise ContactError("Pilih WhatsApp, SMS atau e-mail.", "channel_invalid")
    return normalise_email(raw) if channel == "email" else normalise_phone(raw)


def mask(address: str | None) -> str:
    """What staff see of a contact: ``+62812****5678``, ``bu***@example.id``; '' for none."""
    if not address:
        return ""
    if "@" in address:
        name, domain = address.rsplit("@", 1)
        return f"{name[:2]}***@{domain}"
    if len(address) <= 8:
        return "*" * len(address)
    return f"{address[:6]}****{address[-4:]}"


@dataclass(frozen=True)
class Message:
    subject: str  # e-mail only
    text: str


_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "id": {
        NEARLY: ("Giliran Anda segera", "{office}: nomor antrean {number} ({service}), {ahead} orang lagi "
                                        "sebelum giliran Anda. Harap bersiap di ruang tunggu."),
        CALLED: ("Nomor Anda dipanggil", "{office}: nomor antrean {number} dipanggil ke {loket}{purpose}."),
        TMS: ("Berkas belum lengkap", "{office}: berkas {number} ({service}) belum lengkap. "
                                      "Mohon lengkapi: {missing}."),
        READY: ("Dokumen siap diambil", "{office}: dokumen {service} ({number}) siap diambil di {loket}. "
                                        "Bawa kode pengambilan pada karcis Anda."),
        SURVEY: ("Survei kepuasan", "{office}: terima kasih. Mohon isi survei kepuasan layanan: {survey}"),
        BOOKED: ("Booking dikonfirmasi", "{office}: booking {code} untuk {service} pada {date} {session} "
                                         "dikonfirmasi."),
        MOVED: ("Jadwal booking dipindah", "{office}: booking {code} untuk {service} dipindah ke {date} "
                                           "{session}."),
        REMINDER: ("Pengingat kunjungan", "{office}: pengingat, besok {date} {session} jadwal {service} "
                                          "Anda (kode {code})."),
        JOINED: ("Anda masuk antrean", "{office}: Anda masuk antrean {service} hari ini (kode {code}). "
                                       "Berangkat sekitar pukul {leave_at}; kami kabari saat waktunya. "
                                       "Saat tiba, ketik kode di kiosk."),
        LEAVE: ("Saatnya berangkat", "{office}: saatnya berangkat untuk {service} (kode {code}): {ahead} orang "
                                     "di depan Anda. Saat tiba, ketik kode di kiosk."),
    },
    "en": {
        NEARLY: ("Your turn is near", "{office}: ticket {number} ({service}), {ahead} people before your turn. "
                                      "Please be ready in the waiting room."),
        CALLED: ("Your number is called", "{office}: ticket {number} is called to {loket}{purpose}."),
        TMS: ("Documents missing", "{office}: file {number} ({service}) is incomplete. Please bring: {missing}."),
        READY: ("Document ready", "{office}: your {service} document ({number}) is ready to collect at {loket}. "
                                  "Bring the pickup code on your ticket."),
        SURVEY: ("Satisfaction survey", "{office}: thank you. Please rate our service: {survey}"),
        BOOKED: ("Booking confirmed", "{office}: booking {code} for {service} on {date} {session} is confirmed."),
        MOVED: ("Booking moved", "{office}: booking {code} for {service} is moved to {date} {session}."),
        REMINDER: ("Visit reminder", "{office}: reminder, tomorrow {date} {session}: your {service} visit "
                                     "(code {code})."),
        JOINED: ("You joined the queue", "{office}: you joined today's {service} queue (code {code}). "
                                         "Set off around {leave_at}; we will tell you when. "
                                         "On arrival, type the code at the kiosk."),
        LEAVE: ("Time to set off", "{office}: time to set off for {service} (code {code}): {ahead} people "
                                   "before you. On arrival, type the code at the kiosk."),
    },
}
_STATUS = {"id": "Status: {url}", "en": "Status: {url}"}
_BOOKING_LINK = {"id": "Dokumen yang dibawa, pindah atau batal: {url}", "en": "Documents to bring, move or cancel: {url}"}
_REMOTE_LINK = {"id": "Status dan dokumen yang dibawa: {url}", "en": "Status and documents to bring: {url}"}
_SESSIONS = {"id": {"pagi": "sesi pagi", "siang": "sesi siang"},
             "en": {"pagi": "morning session", "siang": "afternoon session"}}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def compose(event: str, lang: str, data: dict, status_url: str = "") -> Message:
    """The message for ``event`` in ``lang`` (Indonesian when unknown), with the status link."""
    texts = _TEXTS.get(lang if lang in LANGS else "id", _TEXTS["id"])
    if event not in texts:
        raise ContactError("Jenis pesan tidak dikenal.", "event_unknown")
    subject, body = texts[event]
    values = _Blank({k: ("" if v is None else str(v)) for k, v in data.items()})
    if lang == "en" and values.get("purpose_en"):
        values["purpose"] = values["purpose_en"]
    if values.get("purpose"):
        values["purpose"] = (" untuk " if lang != "en" else " for ") + values["purpose"]
    if isinstance(data.get("missing"), (list, tuple)):
        values["missing"] = ", ".join(str(m) for m in data["missing"]) or "-"
    if event in BOOKING_MESSAGES:
        shown = "en" if lang == "en" else "id"
        session = _SESSIONS[shown].get(values.get("session", ""), values.get("session", ""))
        hours = f" {values['start']}-{values['end']}" if values.get("start") and values.get("end") else ""
        values["session"] = session + hours
    text = body.format_map(values)
    if status_url and event in (JOINED, LEAVE):
        text += " " + _REMOTE_LINK["en" if lang == "en" else "id"].format(url=status_url)
    elif status_url and event in BOOKING_MESSAGES:
        text += " " + _BOOKING_LINK["en" if lang == "en" else "id"].format(url=status_url)
    elif status_url and event != SURVEY:
        text += " " + _STATUS.get(lang, _STATUS["id"]).format(url=status_url)
    return Message(subject=subject, text=text)
