"""Contacts for messages: Indonesian mobile numbers normalised to +62..., e-mail syntax, Indonesian
errors, masking for staff screens, the privacy log filter on every form a contact takes, the
messages' words, and the gateway senders' bodies and error texts (no address in them)."""
from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

import pytest

from antrean.hardware.messaging import HttpGateway, SendError
from antrean.shared.domain import contact
from antrean.shared.domain.privacy import PersonalDataFilter


@pytest.mark.parametrize("raw", ["081234567890", "0812-3456-7890", "0812 3456 7890", "+62 812 3456 7890",
                                 "6281234567890", "(0812) 3456.7890"])
def test_mobile_numbers_are_normalised_to_plus_62(raw):
    assert contact.normalise_phone(raw) == "+6281234567890"


@pytest.mark.parametrize(("raw", "message"), [
    ("", "Nomor HP belum diisi."), ("12345", "Nomor HP harus diawali 08 atau +62."),
    ("0212345678", "Nomor HP tidak valid. Contoh: 0812 3456 7890."),  # a Jakarta landline
    ("08123", "Nomor HP tidak valid. Contoh: 0812 3456 7890."), ("0812abc45678", "Nomor HP tidak valid. Contoh: 0812 3456 7890."),
])
def test_bad_numbers_get_an_indonesian_message_that_names_no_value(raw, message):
    with pytest.raises(contact.ContactError) as refused:
        contact.normalise_phone(raw)
    assert str(refused.value) == message


def test_email_syntax_and_masks():
    assert contact.normalise_email(" Sri.W@Contoh.ID ") == "Sri.W@contoh.id"
    for bad in ("sri", "sri@", "sri@contoh", "a..b@contoh.id", "sri @contoh.id"):
        with pytest.raises(contact.ContactError, match="e-mail tidak valid"):
            contact.normalise_email(bad)
    assert contact.mask("+6281234567890") == "+62812****7890"
    assert contact.mask("sri.w@contoh.id") == "sr***@contoh.id"
    assert contact.mask(None) == ""


def test_the_log_filter_masks_every_form_of_a_contact():
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "sent to %s, %s, %s and %s", (
        "+6281234567890", "081234567890", "6281234567890", "sri.w@contoh.id"), None)
    PersonalDataFilter().filter(record)
    assert record.getMessage() == "sent to [phone], [phone], [phone] and [email]"


def test_messages_are_short_in_the_citizens_language_with_the_status_link():
    data = {"office": "Kecamatan Kampak", "number": "A012", "loket": "Loket 2", "purpose": "tanda tangan",
            "purpose_en": "signing", "service": "KTP-el"}
    called = contact.compose(contact.CALLED, "id", data, "https://antrean.kampak.id/kiosk/t/x")
    assert called.text == ("Kecamatan Kampak: nomor antrean A012 dipanggil ke Loket 2 untuk tanda tangan. "
                           "Status: https://antrean.kampak.id/kiosk/t/x")
    assert contact.compose(contact.CALLED, "en", data).text == "Kecamatan Kampak: ticket A012 is called to Loket 2 for signing."
    tms = contact.compose(contact.TMS, "id", {**data, "missing": ["Kartu Keluarga (KK)", "Surat pengantar RT"]})
    assert "Mohon lengkapi: Kartu Keluarga (KK), Surat pengantar RT." in tms.text
    for event in contact.MESSAGE_EVENTS:
        for lang in contact.LANGS:
            assert len(contact.compose(event, lang, data, "https://antrean.kampak.id/kiosk/t/x").text) <= 320


def test_gateway_bodies_json_and_form():
    message = contact.Message("Nomor Anda dipanggil", 'A012 "dipanggil"\nke Loket 2')
    cloud = HttpGateway("http://127.0.0.1:1/send", body_format="json")
    body, kind = cloud.body("+6281234567890", message)
    assert kind == "application/json"
    assert json.loads(body) == {"messaging_product": "whatsapp", "to": "6281234567890", "type": "text",
                                "text": {"body": 'A012 "dipanggil"\nke Loket 2'}}
    fonnte = HttpGateway("http://127.0.0.1:1/send", body_format="form",
                         template="target={to_local}&message={text}&countryCode=62")
    body, kind = fonnte.body("+6281234567890", message)
    assert kind == "application/x-www-form-urlencoded"
    assert parse_qs(body.decode()) == {"target": ["081234567890"], "message": ['A012 "dipanggil"\nke Loket 2'],
                                       "countryCode": ["62"]}


def test_a_send_error_never_holds_the_address():
    assert str(SendError("550 <sri.w@contoh.id>: mailbox unavailable for +6281234567890")) == \
        "550 <[email]>: mailbox unavailable for [phone]"
