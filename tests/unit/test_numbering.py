"""Ticket numbers: prefix + 3 digits, per prefix per office day (Asia/Jakarta), widening past 999."""
from datetime import UTC, datetime

from antrean.shared.domain import numbering


def test_number_format_widens_and_never_wraps():
    assert numbering.ticket_number("A", 1) == "A001"
    assert numbering.ticket_number("B", 12) == "B012"
    assert numbering.ticket_number("A", 999) == "A999"
    assert numbering.ticket_number("A", 1000) == "A1000"


def test_office_day_is_local_midnight_in_jakarta():
    # 16:59 UTC is 23:59 WIB; 17:00 UTC is 00:00 WIB the next day
    assert str(numbering.office_day(datetime(2026, 11, 24, 16, 59, tzinfo=UTC), "Asia/Jakarta")) == "2026-11-24"
    assert str(numbering.office_day(datetime(2026, 11, 24, 17, 0, tzinfo=UTC), "Asia/Jakarta")) == "2026-11-25"


def test_agenda_number_format():
    assert numbering.agenda_number("{kode}/{urut:03d}/{kantor}/{tahun}", kode="474", urut=12,
                                   kantor="406.07", tahun=2026) == "474/012/406.07/2026"


def test_bad_agenda_format_is_a_clear_error():
    import pytest

    with pytest.raises(ValueError, match="agenda format"):
        numbering.agenda_number("{nomor}", kode="474", urut=1, kantor="406.07", tahun=2026)


def test_pickup_code_is_one_draw_spread_over_six_characters():
    from antrean.shared.domain.numbering import PICKUP_ALPHABET, pickup_code

    draws = []

    def draw(n):
        draws.append(n)
        return n - 1

    assert pickup_code(draw) == PICKUP_ALPHABET[-1] * 6
    assert draws == [len(PICKUP_ALPHABET) ** 6]  # one draw covering every code
    assert pickup_code(lambda n: 0) == PICKUP_ALPHABET[0] * 6
    assert pickup_code(lambda n: 1) == PICKUP_ALPHABET[1] + PICKUP_ALPHABET[0] * 5
    assert pickup_code(lambda n: len(PICKUP_ALPHABET)) == PICKUP_ALPHABET[0] + PICKUP_ALPHABET[1] + PICKUP_ALPHABET[0] * 4
    codes = {pickup_code() for _ in range(200)}
    assert len(codes) > 190 and all(len(c) == 6 and set(c) <= set(PICKUP_ALPHABET) for c in codes)
