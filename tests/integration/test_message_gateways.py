"""The message outbox against real gateways on loopback: an SMTP server (aiosmtpd) and HTTP servers
standing in for a WhatsApp gateway (JSON, as the WhatsApp Business Cloud API takes it) and an SMS
gateway (form fields, as Fonnte or Wablas take them). Messages arrive in order, each once; a gateway
down and back loses nothing and sends nothing twice; a worker restarted mid-queue loses nothing."""
from __future__ import annotations

import io
import json
import logging
import time
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from antrean.hardware.messaging import HttpGateway, SendError, SmtpSender
from antrean.shared.domain import contact
from antrean.shared.services import outbox
from antrean.shared.services.outbox_worker import OutboxWorker
from antrean.shared.store.models import OutboxMessage
from tests.support.factories import make_desk
from tests.support.gateways import http_gateway, need_aiosmtpd, sms_texts, smtp_server, whatsapp_texts


@pytest.fixture(autouse=True)
def _aiosmtpd():
    need_aiosmtpd()


@pytest.fixture
def inbox():
    with smtp_server() as box:
        yield box


@pytest.fixture
def gateways():
    with http_gateway() as whatsapp, http_gateway() as sms:
        yield {"whatsapp": whatsapp, "sms": sms}


@pytest.fixture
def office(sessions, catalogue, clock, staff):
    desk = make_desk(sessions, catalogue, clock)
    desk.message_channels = ("whatsapp", "sms", "email")
    return desk, staff


def senders_for(inbox, gateways):
    return {
        "email": SmtpSender("127.0.0.1", inbox.port, "antrean@kampak.id", security="none", timeout=5),
        "whatsapp": HttpGateway(gateways["whatsapp"].url + "/v19.0/123/messages", token="Bearer rahasia",
                                body_format="json", timeout=5, name="whatsapp"),
        "sms": HttpGateway(gateways["sms"].url + "/send", token="rahasia-sms", token_header="X-Token",
                           body_format="form", template="target={to_local}&message={text}", timeout=5, name="sms"),
    }


def opt_in_all(desk, tickets):
    for t in tickets:
        outbox.add_contact(desk, t["public_id"], "whatsapp", "081234567890", "id", "status", True)
        outbox.add_contact(desk, t["public_id"], "sms", "+62 813 0000 1111", "id", "status", True)
        outbox.add_contact(desk, t["public_id"], "email", "warga@contoh.id", "en", "status", True)


def test_each_gateway_receives_each_message_once_in_order(office, inbox, gateways):
    desk, staff = office
    tickets = [desk.issue_ticket("ktp") for _ in range(3)]
    opt_in_all(desk, tickets)
    worker = OutboxWorker(desk, senders_for(inbox, gateways), public_url=lambda: "https://antrean.kampak.id",
                          poll_seconds=0.05)
    worker.start()
    try:
        for _ in tickets:
            desk.call_next(staff["pelayanan1"], force=True)
            worker.wake()
        deadline = time.monotonic() + 10
        while len(inbox.mails) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop(wait=5)
    wa = whatsapp_texts(gateways["whatsapp"])
    assert [(t.split()[4], "dipanggil" in t) for t in wa] == [
        ("A001", True), ("A002", False), ("A003", False), ("A002", True), ("A003", True)]
    assert {token for _p, token, _b in gateways["whatsapp"].received} == {"Bearer rahasia"}
    assert {p for p, _t, _b in gateways["whatsapp"].received} == {"/v19.0/123/messages"}
    assert json.loads(gateways["whatsapp"].received[0][2])["to"] == "6281234567890"
    assert sms_texts(gateways["sms"]) == wa
    assert {parse_qs(b.decode())["target"][0] for _p, _t, b in gateways["sms"].received} == {"081300001111"}
    assert [m[0] for m in inbox.mails] == ["warga@contoh.id"] * 5
    assert [m[1] for m in inbox.mails] == ["Your number is called", "Your turn is near", "Your turn is near",
                                           "Your number is called", "Your number is called"]
    assert inbox.mails[0][2].startswith("Kecamatan Kampak: ticket A001 is called to Loket 1.")


def test_a_gateway_down_and_back_retries_and_sends_everything_once(office, inbox, gateways, clock):
    desk, staff = office
    tickets = [desk.issue_ticket("ktp") for _ in range(2)]
    opt_in_all(desk, tickets)
    worker = OutboxWorker(desk, senders_for(inbox, gateways), public_url=lambda: "https://antrean.kampak.id",
                          retry_seconds=5)
    gateways["whatsapp"].down = True
    for _ in tickets:
        desk.call_next(staff["pelayanan1"], force=True)
    worker.run_due()
    assert gateways["whatsapp"].received == [] and len(gateways["sms"].received) == 3  # SMS not held up
    with desk.sessions() as s:
        first = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "whatsapp")
                          .order_by(OutboxMessage.id)).first()
        assert first.status == "pending" and first.attempts == 1 and first.last_error == "whatsapp: HTTP 503"
    for _ in range(3):  # still down: retried after 5, 10, 20 s
        clock.advance(seconds=30)
        worker.run_due()
    assert gateways["whatsapp"].received == []
    gateways["whatsapp"].down = False
    clock.advance(seconds=60)
    while worker.run_due():
        pass
    wa = whatsapp_texts(gateways["whatsapp"])
    assert wa == sms_texts(gateways["sms"]) and len(wa) == len(set(wa)) == 3
    with desk.sessions() as s:
        assert {m.status for m in s.scalars(select(OutboxMessage))} == {"sent"}


def test_a_worker_restarted_mid_queue_loses_nothing(office, inbox, gateways, clock):
    desk, staff = office
    tickets = [desk.issue_ticket("ktp") for _ in range(4)]
    opt_in_all(desk, tickets)
    for _ in tickets:
        desk.call_next(staff["pelayanan1"], force=True)
    first = OutboxWorker(desk, senders_for(inbox, gateways), public_url=lambda: "", batch=3)
    assert first.run_due() == 3  # then the server stops
    outbox.claim_due(desk, limit=2)  # a worker that claimed two and died before sending them
    clock.advance(seconds=outbox.LEASE_SECONDS + 1)
    second = OutboxWorker(desk, senders_for(inbox, gateways), public_url=lambda: "")  # the restarted server
    while second.run_due():
        pass
    with desk.sessions() as s:
        rows = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert {m.status for m in rows} == {"sent"}
    delivered = len(gateways["whatsapp"].received) + len(gateways["sms"].received) + len(inbox.mails)
    assert delivered == len(rows)
    assert len(whatsapp_texts(gateways["whatsapp"])) == len(set(whatsapp_texts(gateways["whatsapp"])))


def test_a_refusing_gateway_puts_no_address_in_the_log_or_on_the_staff_page(office, gateways, clock, caplog):
    """The SMTP server refuses the recipient, naming it; the SMS gateway answers 503. Neither the
    stored error, the staff list nor any log line holds the number or the address."""
    from antrean.shared.domain.privacy import install_log_filter

    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            return f"550 5.1.1 <{address}>: mailbox unavailable"

    desk, staff = office
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    root.addHandler(handler)
    install_log_filter()
    try:
        with smtp_server(Refusing()) as refusing:
            port = refusing.port
            t = desk.issue_ticket("ktp")
            outbox.add_contact(desk, t["public_id"], "email", "sri.wahyuni@contoh.id", "id", "status", True)
            outbox.add_contact(desk, t["public_id"], "sms", "081234567890", "id", "status", True)
            gateways["sms"].down = True
            senders = {"email": SmtpSender("127.0.0.1", port, security="none", timeout=5),
                       "sms": HttpGateway(gateways["sms"].url, body_format="form", name="sms")}
            with caplog.at_level(logging.DEBUG):
                desk.call_next(staff["pelayanan1"])
                OutboxWorker(desk, senders, public_url=lambda: "").run_due()
            written = handler.stream.getvalue()
    finally:
        root.removeHandler(handler)
    listed = outbox.list_messages(desk, staff["kasi"], "all")
    assert {(m["channel"], m["status"]) for m in listed} == {("email", "failed"), ("sms", "pending")}
    everything = written + repr(listed)
    assert "not sent" in written  # the worker did log the failures
    for secret in ("sri.wahyuni@contoh.id", "6281234567890", "081234567890", "1234567890"):
        assert secret not in everything


# -- e-mail over TLS: STARTTLS and implicit TLS, the certificate checked, the login only encrypted ------

@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    """A throwaway certificate authority (trustme) and a certificate for 127.0.0.1 it signed."""
    import trustme

    ca = trustme.CA()
    pem = tmp_path_factory.mktemp("ca") / "office-ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    return ca, ca.issue_cert("127.0.0.1"), str(pem)


def a_message():
    return contact.Message(subject="Dokumen siap diambil", text="Kecamatan Kampak: dokumen A001 siap diambil.")


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_goes_encrypted_with_the_login_to_a_server_whose_certificate_the_office_trusts(authority, security):
    _ca, leaf, cafile = authority
    with smtp_server(tls=security, certificate=leaf, logins={"antrean": "rahasia-smtp"}) as box:
        sender = SmtpSender("127.0.0.1", box.port, "antrean@kampak.id", security=security,
                            username="antrean", password="rahasia-smtp", timeout=5, cafile=cafile)
        sender.send("warga@contoh.id", a_message())
    assert box.mails == [("warga@contoh.id", "Dokumen siap diambil", "Kecamatan Kampak: dokumen A001 siap diambil.")]
    assert box.tls == [True] and box.logged_in == "antrean"


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_certificate_nobody_vouches_for_is_a_failed_try_never_a_send_in_the_clear(authority, security):
    _ca, leaf, _cafile = authority
    with smtp_server(tls=security, certificate=leaf, logins={"antrean": "rahasia-smtp"}) as box:
        sender = SmtpSender("127.0.0.1", box.port, "antrean@kampak.id", security=security,
                            username="antrean", password="rahasia-smtp", timeout=5)  # the system's authorities only
        with pytest.raises(SendError) as err:
            sender.send("warga@contoh.id", a_message())
    assert "CERTIFICATE_VERIFY_FAILED" in str(err.value) and not err.value.permanent  # retried later
    assert "rahasia" not in str(err.value) and box.mails == [] and box.logged_in is None


def test_a_server_that_requires_starttls_refuses_a_plain_sender(authority):
    _ca, leaf, cafile = authority
    with smtp_server(tls="starttls", certificate=leaf) as box:
        plain = SmtpSender("127.0.0.1", box.port, "antrean@kampak.id", security="none", timeout=5)
        with pytest.raises(SendError) as err:
            plain.send("warga@contoh.id", a_message())
    assert str(err.value) == "SMTP 530" and box.mails == []


def test_the_configuration_turns_on_e_mail_with_the_offices_authority(authority):
    from antrean.shared.app import message_senders
    from antrean.shared.config import load_config

    _ca, leaf, cafile = authority
    cfg = load_config({"ANTREAN_SMTP_HOST": "127.0.0.1", "ANTREAN_SMTP_PORT": "0",
                           "ANTREAN_SMTP_SECURITY": "ssl", "ANTREAN_SMTP_CAFILE": cafile})
    with smtp_server(tls="ssl", certificate=leaf) as box:
        sender = message_senders({**cfg, "SMTP_PORT": box.port})["email"]
        sender.send("warga@contoh.id", a_message())
    assert box.tls == [True] and len(box.mails) == 1
