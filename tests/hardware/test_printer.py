"""The ticket printer with real bytes: a real TCP socket server stands in for a network printer.

No mocks of python-escpos: every assertion is on the ESC/POS stream python-escpos produced.
"""
from __future__ import annotations

import re
import shutil
import socket
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from antrean.hardware.layouts.preview import PreviewPrinter
from antrean.hardware.layouts.ticket import TicketSlip, ascii_safe, format_issued, render_ticket
from antrean.hardware.printer import (
    FilePrinter,
    NetworkPrinter,
    NullPrinter,
    PrinterError,
    RecordingPrinter,
    parse_printer_url,
    printer_from_url,
    render_ticket_bytes,
)
from antrean.hardware.printer.device import Serial, Usb
from tests.support.fakes import FakeNetworkPrinter
from tests.support.printed import (
    CONFIRM_QUERIES,
    CUT,
    INIT,
    PAPER_QUERY,
    QR_STORE,
    QUAD_SIZE,
    size_of,
    sized_lines,
    visible_lines,
)

JAKARTA = ZoneInfo("Asia/Jakarta")

def make_slip(**kw) -> TicketSlip:
    values = dict(
        office_name="Kecamatan Kampak",
        office_lines=("Kabupaten Trenggalek", "Jl. Raya Kampak - Munjungan, Kampak 66373",
                      "Telp. 0355-631047"),
        service_name="Kartu Tanda Penduduk Elektronik (KTP-el)",
        number="B001",
        issued_at=datetime(2026, 11, 24, 8, 15, tzinfo=JAKARTA),
        people_ahead=3,
        wait_minutes=12,
        documents=("Fotokopi Kartu Keluarga", "Surat pengantar RT/RW"),
        status_url="https://antrean.kampak.go.id/t/3f9c2a",
    )
    values.update(kw)
    return TicketSlip(**values)


# -- reading an ESC/POS stream back ----------------------------------------------------------

# -- a real network printer ------------------------------------------------------------------


@pytest.fixture
def network_printer():
    made: list[FakeNetworkPrinter] = []

    def start(**kw) -> FakeNetworkPrinter:
        made.append(FakeNetworkPrinter(**kw))
        return made[-1]

    yield start
    for server in made:
        server.close()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# 1. a real TCP printer ----------------------------------------------------------------------


def test_tcp_printer_receives_the_whole_ticket(network_printer, tmp_path):
    server = network_printer()
    printer = printer_from_url(server.url, tmp_path)
    assert isinstance(printer, NetworkPrinter)
    assert printer.describe() == server.url
    slip = make_slip(pickup_code="K7Q2", priority_label="Prioritas: lansia")

    printer.print_slip(slip)

    (data,) = server.wait_jobs(1)
    # It asked for the paper state first, then sent the ticket in one piece, then asked whether the
    # printer is still online with paper (a printer that dies after taking the bytes fails the job).
    assert data.startswith(PAPER_QUERY + INIT) and data.endswith(CONFIRM_QUERIES)
    ticket = data[len(PAPER_QUERY):-len(CONFIRM_QUERIES)]
    assert ticket == render_ticket_bytes(slip)
    # The number, four times the normal width and height (GS ! 0x33), bold, centred.
    size_at = ticket.index(QUAD_SIZE)
    assert ticket.index(b"B001") > size_at
    assert b"\x1bE\x01" in ticket[size_at:ticket.index(b"B001")]  # bold on
    assert b"\x1ba\x01" in ticket[size_at:ticket.index(b"B001")]  # centred
    assert size_of(ticket, "B001") == (4, 4)
    assert ticket[ticket.index(b"B001"):].startswith(b"B001\n\x1d!\x00")  # back to normal size
    # The QR code: model, dot size 6, error level, store the URL, print it.
    url = slip.status_url.encode()
    store = QR_STORE + bytes([len(url) + 3, 0]) + b"1P0" + url
    assert store in ticket
    assert QR_STORE + b"\x03\x001C\x06" in ticket  # module size 6
    assert QR_STORE + b"\x03\x001Q0" in ticket  # print the stored symbol
    assert ticket.index(b"\x1ba\x01") < ticket.index(store)  # aligned before, not center=True
    # Ends with a feed and a full cut.
    assert ticket.endswith(b"\x1bd\x06" + CUT + b"\x00")
    assert ticket.count(CUT) == 1
    text = "\n".join(visible_lines(ticket))
    for expected in ("Kecamatan Kampak", "Kabupaten Trenggalek", "Kartu Tanda Penduduk Elektronik (KTP-el)",
                     "Selasa, 24 November 2026 08.15 WIB", "Antrean di depan Anda: 3",
                     "Perkiraan waktu tunggu: +/- 12 menit", "Dokumen yang perlu disiapkan:",
                     "- Fotokopi Kartu Keluarga", "- Surat pengantar RT/RW", "Prioritas: lansia",
                     "Kode pengambilan: K7Q2", "Simpan tiket ini."):
        assert expected in text


def test_tcp_status_reads_the_printers_answers(network_printer, tmp_path):
    ready = network_printer()
    assert printer_from_url(ready.url, tmp_path).status() == {
        "online": True, "paper": "ok", "detail": "printer ready"}
    low = network_printer(replies={1: b"\x12", 4: b"\x1e"})  # paper near-end sensor
    assert printer_from_url(low.url, tmp_path).status()["paper"] == "near_end"
    silent = network_printer(replies={})
    assert printer_from_url(silent.url, tmp_path).status() == {
        "online": None, "paper": None, "detail": "connected; the printer does not answer status queries"}
    down = printer_from_url(f"tcp://127.0.0.1:{closed_port()}?timeout=1", tmp_path).status()
    assert down["online"] is False and down["paper"] is None
    assert "cannot reach" in down["detail"]


def test_paper_out_fails_the_job_without_sending_the_ticket(network_printer, tmp_path):
    server = network_printer(replies={4: b"\x72"})  # paper end sensor
    printer = printer_from_url(server.url, tmp_path)
    with pytest.raises(PrinterError, match="paper out"):
        printer.print_slip(make_slip())
    (data,) = server.wait_jobs(1)
    assert data == PAPER_QUERY  # the question only: no ticket waits in the printer's buffer


def test_a_printer_that_does_not_answer_still_prints(network_printer, tmp_path):
    server = network_printer(replies={})
    printer_from_url(server.url, tmp_path).print_slip(make_slip())
    (data,) = server.wait_jobs(1)
    assert b"B001" in data and data.endswith(CUT + b"\x00")
    # and without the paper question at all
    printer_from_url(server.url + "?paper_check=0", tmp_path).print_slip(make_slip(number="B002"))
    assert server.wait_jobs(2)[1] == render_ticket_bytes(make_slip(number="B002"))


# 2. printer down, then back -----------------------------------------------------------------


def test_printer_down_raises_quickly_then_recovers(network_printer, tmp_path):
    port = closed_port()
    printer = printer_from_url(f"tcp://127.0.0.1:{port}?timeout=1", tmp_path)  # creating does not connect
    started = time.monotonic()
    with pytest.raises(PrinterError) as failed:
        printer.print_slip(make_slip())
    assert time.monotonic() - started < 3
    message = str(failed.value)
    assert f"tcp://127.0.0.1:{port}" in message and "refused" in message.lower()
    assert "B001" not in message and "Kampak" not in message  # no ticket contents in errors

    server = network_printer(port=port)  # the printer is switched on
    printer.print_slip(make_slip())  # the same printer object works again
    (data,) = server.wait_jobs(1)
    assert b"B001" in data


# 3. file printer ----------------------------------------------------------------------------


def test_directory_printer_writes_one_file_per_ticket(tmp_path):
    folder = tmp_path / "printed"  # does not exist yet
    printer = printer_from_url(f"file://{folder}/", tmp_path)
    assert isinstance(printer, FilePrinter)
    assert printer.describe() == folder.as_uri() + "/"
    first, second = make_slip(), make_slip(number="B002", issued_at=datetime(2026, 11, 24, 8, 16, 5, tzinfo=JAKARTA))

    printer.print_slip(first)
    printer.print_slip(second)

    files = sorted(folder.iterdir())
    assert [f.name[:21] for f in files] == ["B001-20261124-081500-", "B002-20261124-081605-"]
    assert all(re.fullmatch(r"B00[12]-\d{8}-\d{6}-[0-9a-f]{6}\.escpos", f.name) for f in files)
    assert files[0].read_bytes() == render_ticket_bytes(first)
    assert files[1].read_bytes() == render_ticket_bytes(second)
    assert printer.status()["online"] is True


def test_same_number_twice_gets_two_files(tmp_path):
    printer = printer_from_url("file://printed/", tmp_path)  # relative to instance_dir
    printer.print_slip(make_slip())
    printer.print_slip(make_slip())  # a reprint
    assert len(list((tmp_path / "printed").iterdir())) == 2


def test_file_printer_appends(tmp_path):
    target = tmp_path / "spool" / "tickets.bin"
    printer = printer_from_url(f"file://{target}", tmp_path)
    first, second = make_slip(), make_slip(number="B002")
    printer.print_slip(first)
    printer.print_slip(second)
    data = target.read_bytes()
    assert b"B001" in data and b"B002" in data
    assert data == render_ticket_bytes(first) + render_ticket_bytes(second)
    shutil.rmtree(target.parent)  # the spool folder removed mid-day: the next ticket makes it again
    printer.print_slip(second)
    assert target.read_bytes() == render_ticket_bytes(second)


def test_file_printer_failure_is_a_printer_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    printer = printer_from_url(f"file://{blocker}/sub/", tmp_path)
    with pytest.raises(PrinterError, match="cannot write the ticket"):
        printer.print_slip(make_slip())


def test_a_ticket_file_is_one_open_one_write_one_rename(tmp_path, monkeypatch):
    import os

    printer = printer_from_url(f"file://{tmp_path / 'printed'}/", tmp_path)
    printer.print_slip(make_slip())  # makes the folder
    calls = []
    for name in ("open", "write", "replace", "rename", "mkdir", "makedirs", "unlink"):
        real = getattr(os, name)
        monkeypatch.setattr(os, name, lambda *a, _real=real, _name=name, **kw: calls.append(_name) or _real(*a, **kw))
    printer.print_slip(make_slip(number="B002"))
    monkeypatch.undo()
    assert calls == ["open", "write", "replace"]
    names = sorted(f.name for f in (tmp_path / "printed").iterdir())
    assert len(names) == 2 and not any(n.startswith(".") for n in names)  # no temporary file is left


def test_a_failed_ticket_file_leaves_nothing_behind(tmp_path, monkeypatch):
    import errno
    import os

    folder = tmp_path / "printed"
    printer = printer_from_url(f"file://{folder}/", tmp_path)

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(PrinterError, match="No space left"):
        printer.print_slip(make_slip())
    monkeypatch.undo()
    assert list(folder.iterdir()) == []
    printer.print_slip(make_slip())  # space is back
    assert [f.read_bytes() for f in folder.iterdir()] == [render_ticket_bytes(make_slip())]


# 4. URL parsing -----------------------------------------------------------------------------


def test_none_printer(tmp_path):
    printer = printer_from_url("none", tmp_path)
    assert isinstance(printer, NullPrinter)
    printer.print_slip(make_slip())
    assert printer.describe() == "none"
    assert printer.status() == {"online": None, "paper": None, "detail": "no printer configured"}
    assert list(tmp_path.iterdir()) == []


def test_paths_resolve_against_instance_dir(tmp_path):
    assert parse_printer_url("file://printed/", tmp_path).target == str(tmp_path / "printed")
    assert parse_printer_url("file:printed/", tmp_path).kind == "dir"
    assert parse_printer_url("printed/", tmp_path).target == str(tmp_path / "printed")
    spec = parse_printer_url("file://tickets.bin", tmp_path)
    assert (spec.kind, spec.target) == ("file", str(tmp_path / "tickets.bin"))
    (tmp_path / "existing").mkdir()
    assert parse_printer_url(str(tmp_path / "existing"), "/elsewhere").kind == "dir"
    assert parse_printer_url(f"file://{tmp_path / 'existing'}", "/elsewhere").kind == "dir"
    with pytest.raises(PrinterError, match="existing directory"):
        parse_printer_url("no-such-thing", tmp_path)


def test_tcp_url_defaults_and_query(tmp_path):
    spec = parse_printer_url("tcp://192.0.2.10", tmp_path)
    assert (spec.kind, spec.target, spec.port, spec.profile, spec.width) == ("tcp", "192.0.2.10", 9100, None, 42)
    printer = printer_from_url("tcp://192.0.2.10", tmp_path)  # nothing listens there: creating is enough
    assert printer.describe() == "tcp://192.0.2.10:9100"
    spec = parse_printer_url("tcp://printer.lan:9101?profile=TM-T20II&width=48", tmp_path)
    assert (spec.target, spec.port, spec.profile, spec.width) == ("printer.lan", 9101, "TM-T20II", 48)


def test_query_options_are_checked(tmp_path):
    with pytest.raises(PrinterError, match="unknown python-escpos printer profile 'TM-NOPE'.*TM-T20II"):
        printer_from_url("tcp://192.0.2.10?profile=TM-NOPE", tmp_path)
    with pytest.raises(PrinterError, match="width"):
        printer_from_url("tcp://192.0.2.10?width=wide", tmp_path)
    with pytest.raises(PrinterError, match="unknown printer URL option.*colour"):
        printer_from_url("tcp://192.0.2.10?colour=red", tmp_path)
    with pytest.raises(PrinterError, match="bad port"):
        printer_from_url("tcp://192.0.2.10:99999", tmp_path)


def test_unknown_scheme_names_it_and_the_accepted_forms(tmp_path):
    with pytest.raises(PrinterError) as failed:
        printer_from_url("lpt://1", tmp_path)
    assert "'lpt'" in str(failed.value)
    for form in ("none", "file:///", "tcp://HOST:PORT", "usb://VENDOR:PRODUCT", "serial://", "cups://", "win32://"):
        assert form in str(failed.value)


def test_device_urls_parse_into_their_kind(tmp_path):
    spec = parse_printer_url("usb://04b8:0e15?profile=TM-T20II", tmp_path)
    assert (spec.kind, spec.vendor, spec.product, spec.profile) == ("usb", 0x04B8, 0x0E15, "TM-T20II")
    assert spec.describe() == "usb://04b8:0e15"
    spec = parse_printer_url("serial:///dev/ttyUSB0?baudrate=19200", tmp_path)
    assert (spec.kind, spec.target, spec.options) == ("serial", "/dev/ttyUSB0", {"baudrate": "19200"})
    assert parse_printer_url("cups://KIOSK_80", tmp_path).target == "KIOSK_80"
    assert parse_printer_url("win32://EPSON TM-T20II Receipt", tmp_path).target == "EPSON TM-T20II Receipt"
    with pytest.raises(PrinterError, match="VENDOR:PRODUCT"):
        parse_printer_url("usb://epson", tmp_path)


@pytest.mark.skipif(Usb.is_usable(), reason="pyusb is installed here")
def test_missing_usb_driver_is_a_clear_error(tmp_path):
    with pytest.raises(PrinterError, match=re.escape("USB printing needs python-escpos[usb] (pyusb)")):
        printer_from_url("usb://04b8:0e15", tmp_path)


@pytest.mark.skipif(Serial.is_usable(), reason="pyserial is installed here")
def test_missing_serial_driver_is_a_clear_error(tmp_path):
    with pytest.raises(PrinterError, match=re.escape("python-escpos[serial] (pyserial)")):
        printer_from_url("serial:///dev/ttyUSB0?baudrate=19200", tmp_path)


# 5. date and time ---------------------------------------------------------------------------


def test_format_issued_in_indonesian_and_english():
    at = datetime(2026, 11, 24, 8, 15, tzinfo=JAKARTA)
    assert format_issued(at) == "Selasa, 24 November 2026 08.15 WIB"
    assert format_issued(at, "en") == "Tuesday, 24 November 2026 08:15 WIB"
    assert format_issued(datetime(2026, 8, 17, 10, 0, tzinfo=JAKARTA), "id") == "Senin, 17 Agustus 2026 10.00 WIB"


def test_format_issued_zones():
    utc = datetime(2026, 11, 24, 1, 15, tzinfo=UTC)
    assert format_issued(utc.astimezone(ZoneInfo("Asia/Makassar"))).endswith("09.15 WITA")
    assert format_issued(utc.astimezone(ZoneInfo("Asia/Jayapura"))).endswith("10.15 WIT")
    assert format_issued(utc.astimezone(ZoneInfo("Asia/Pontianak"))).endswith("08.15 WIB")
    assert format_issued(utc.astimezone(ZoneInfo("Asia/Singapore"))).endswith("09.15 UTC+8")
    assert format_issued(utc.astimezone(timezone(timedelta(hours=5, minutes=30)))).endswith("06.45 UTC+5:30")


# 6. layout ----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [32, 42, 48])
def test_long_lines_wrap_within_the_paper_width(width):
    slip = make_slip(
        service_name="Surat Keterangan Pindah Datang Warga Negara Indonesia Antar Kabupaten/Kota",
        documents=(
            "Fotokopi Kartu Keluarga (KK) yang sudah dilegalisir oleh Dinas Kependudukan dan Pencatatan Sipil",
            "Surat-keterangan-pindah-dari-daerah-asal-yang-ditandatangani-kepala-desa",
            "KTP-el",
        ),
        priority_label="Prioritas: penyandang disabilitas dan pendampingnya",
    )
    data = render_ticket_bytes(slip, width=width)
    lines = visible_lines(data)
    assert max(len(line) for line in lines) <= width
    assert "B001" in lines and len("B001") * 2 <= width  # double width: half as many characters
    words = " ".join(lines).replace("  ", " ")
    assert "- Fotokopi Kartu Keluarga (KK)" in words and "Pencatatan Sipil" in words
    assert "- KTP-el" in lines
    bullet = lines.index(next(line for line in lines if line.startswith("- Fotokopi")))
    assert lines[bullet + 1].startswith("  ")  # continuation lines are indented under the bullet


def test_text_is_plain_ascii_and_cannot_inject_commands():
    slip = make_slip(
        office_name="Kecamatan Kampak \u2014 Trenggalek",
        service_name="Legalisasi Akta Kelahiran \u00b1 Salinan",
        documents=("Surat dari RT\x1dV\x00 (asli)", "Pas foto 3\u00d74 \u201cwarna\u201d", "Caf\u00e9 na\u00efve"),
    )
    data = render_ticket_bytes(slip)
    text = "\n".join(visible_lines(data))  # fails on any byte outside printable ASCII
    assert data.count(CUT) == 1  # the control characters in the document did not become a cut
    assert "Kecamatan Kampak - Trenggalek" in text
    assert "Akta Kelahiran +/- Salinan" in text
    assert '- Pas foto 3x4 "warna"' in text and "- Cafe naive" in text
    assert ascii_safe("\u00b1 5 menit") == "+/- 5 menit"
    assert b"\x1bt" in data  # python-escpos selects a code page once; ASCII prints the same in all


@pytest.mark.parametrize(("paper", "width"), [("58 mm", 32), ("80 mm", 42), ("80 mm, Epson", 48)])
def test_the_number_prints_four_times_the_normal_height(paper, width):
    """Read back from the bytes: the printer is in 4 x 4 size (GS ! 0x33) when it prints the number,
    and every other line is printed at the normal size again."""
    for number in ("B001", "A123", "C9999"):
        data = render_ticket_bytes(make_slip(number=number), width=width)
        lines = sized_lines(data)
        big = [(text, w, h) for text, w, h in lines if h > 1 or w > 1]
        assert big == [(number, 4, 4)], paper  # nothing else is enlarged
        at = data.index(number.encode())
        assert data.rindex(QUAD_SIZE, 0, at) > data.rindex(b"Nomor antrean", 0, at)  # the command just before it
        assert len(number) * 4 <= width  # one line: it fits the roll at four times the width
        assert ("Antrean di depan Anda: 3", 1, 1) in lines
        # The on-screen preview draws the same size: a 4 x 4 cell of 48 x 96 dots per character.
        preview = PreviewPrinter()
        render_ticket(preview, make_slip(number=number), width)
        sizes = {item[1]: (item[2].width, item[2].height) for item in preview.items if item[0] == "text"}
        assert sizes[number] == (4, 4) and sizes["Nomor antrean"] == (1, 1)


def test_english_ticket_and_optional_parts():
    data = render_ticket_bytes(make_slip(lang="en", wait_minutes=1, people_ahead=0, documents=()))
    text = "\n".join(visible_lines(data))
    assert "People ahead of you: 0" in text
    assert "Estimated wait: +/- 1 minute" in text
    assert "Tuesday, 24 November 2026 08:15 WIB" in text
    assert "Keep this ticket." in text
    assert "Documents" not in text and "Pickup" not in text and "Priority" not in text
    custom = "\n".join(visible_lines(render_ticket_bytes(make_slip(footer="Terima kasih"))))
    assert "Terima kasih" in custom and "Simpan tiket" not in custom


@pytest.mark.parametrize("width", [32, 42, 48])
def test_the_ticket_names_the_complaint_channel_in_one_line(width):
    """SP4N-LAPOR! on paper: one short line under the footer, whole on a 58 mm roll; the one QR
    code stays the status page's."""
    data = render_ticket_bytes(make_slip(), width=width)
    lines = visible_lines(data)
    assert lines.count("Pengaduan: lapor.go.id") == 1
    assert [line for line in lines if line][-1] == "Pengaduan: lapor.go.id"  # the last words
    assert data.count(b"lapor") == 1
    english = visible_lines(render_ticket_bytes(make_slip(lang="en"), width=width))
    assert "Complaints: lapor.go.id" in english


def test_profile_changes_nothing_but_the_printer_model(tmp_path):
    slip = make_slip()
    assert render_ticket_bytes(slip, "TM-T20II", 48).count(QUAD_SIZE) == 1
    printer = printer_from_url("file://out/?profile=TM-T20II&width=48", tmp_path)
    printer.print_slip(slip)
    (written,) = (tmp_path / "out").iterdir()
    assert written.read_bytes() == render_ticket_bytes(slip, "TM-T20II", 48)


_TRICKY_TEXTS = (
    "Kecamatan Kampak", "  leading", "trailing  ", "a  b   c", "x" * 90, "Caf\u00e9 na\u00efve \u00b1 5",
    "RT\x1dV\x00\tx\x7f", "\u4e2d\u6587", "\u00a0nbsp\u202fthin", "Surat-keterangan-pindah-dari-daerah-asal-"
    "yang-ditandatangani-kepala-desa", " ", "",
)


@pytest.mark.parametrize("profile, width", [(None, 42), ("TM-T20II", 48), ("TM-T88V", 32)])
def test_the_bytes_are_python_escpos_own(profile, width):
    """render_ticket_bytes writes plain ASCII text without python-escpos's code page search: the
    bytes must stay those of python-escpos's own ``Dummy``, text by text, slip after slip."""
    from escpos.printer import Dummy

    from antrean.hardware.layouts.notice import TmsNotice
    from antrean.hardware.layouts.ticket import render_ticket

    for text in _TRICKY_TEXTS:
        slip = make_slip(office_name=text or "K", office_lines=(text,), service_name=text, documents=(text, "KK"),
                         priority_label=text, pickup_code=text, footer=text, number=text[:4] or "A1")
        reference = Dummy(profile=profile)
        render_ticket(reference, slip, width)
        assert render_ticket_bytes(slip, profile, width) == reference.output, text
        notice = TmsNotice(office_name="Kecamatan Kampak", office_lines=("Trenggalek",), service_name=text,
                           number="B001", issued_at=slip.issued_at, missing=(text,), note=text)
        reference = Dummy(profile=profile)
        notice.render(reference, width)
        assert render_ticket_bytes(notice, profile, width) == reference.output, text


def test_text_is_made_safe_and_wrapped_as_before():
    import textwrap

    from antrean.hardware.layouts.ticket import wrap

    for text in _TRICKY_TEXTS + ("- KTP-el", "Fotokopi Kartu Keluarga (KK)", "a b", "\t tab"):
        # plain ASCII takes a short cut; a non-ASCII character sends the same text the long way
        assert ascii_safe(text + "\u00e9") == ascii_safe(text) + "e", text
        for width, indent in ((42, ""), (16, "- "), (8, "[ ] ")):
            expected = textwrap.wrap(ascii_safe(text), width, initial_indent=indent, subsequent_indent="  ",
                                     break_long_words=True, break_on_hyphens=False)
            assert wrap(text, width, indent, "  ") == expected, (text, width)


# 7. the test double -------------------------------------------------------------------------


def test_recording_printer_fails_then_recovers():
    printer = RecordingPrinter(fail=True)
    with pytest.raises(PrinterError, match="printer offline"):
        printer.print_slip(make_slip())
    assert printer.slips == [] and printer.outputs == []
    assert printer.status()["online"] is False

    printer.fail = False
    slip = make_slip()
    printer.print_slip(slip)
    assert printer.slips == [slip]
    assert printer.outputs == [render_ticket_bytes(slip)]
    assert printer.status() == {"online": True, "paper": "ok", "detail": "test printer"}
    printer.print_slip(replace(slip, number="B002"))
    assert [s.number for s in printer.slips] == ["B001", "B002"]
    assert b"B002" in printer.outputs[1]


# 3. a printer that takes the ticket and dies --------------------------------------------------


def test_a_ticket_counts_as_printed_only_when_the_printer_confirms_it(network_printer, tmp_path):
    ready = network_printer()
    printer_from_url(ready.url, tmp_path).print_slip(make_slip())
    (data,) = ready.wait_jobs(1)
    assert data.startswith(PAPER_QUERY) and b"B001" in data
    assert data.endswith(CUT + b"\x00" + CONFIRM_QUERIES)  # asked again after the ticket

    dying = network_printer(answers_per_job=1)  # answers the paper question, takes the ticket, then dies
    with pytest.raises(PrinterError, match="may have printed") as failed:
        printer_from_url(dying.url, tmp_path).print_slip(make_slip())
    assert failed.value.possible_duplicate is True
    assert b"B001" in dying.wait_jobs(1)[0]  # the bytes went out: the first copy may exist

    offline_after = network_printer(replies={1: b"\x1a", 4: b"\x12"})  # online bit set: offline (cover open)
    with pytest.raises(PrinterError, match="is offline") as failed:
        printer_from_url(offline_after.url, tmp_path).print_slip(make_slip())
    assert failed.value.possible_duplicate is True

    # ?confirm=0 and printers that never answer status keep the old behaviour: sent is printed
    printer_from_url(dying.url + "?confirm=0", tmp_path).print_slip(make_slip(number="B002"))
    silent = network_printer(replies={})
    printer_from_url(silent.url, tmp_path).print_slip(make_slip(number="B003"))
    assert b"B003" in silent.wait_jobs(1)[0]
