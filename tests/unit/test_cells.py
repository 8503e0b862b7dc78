"""The cell rule every CSV and XLSX export uses (shared/domain/cells.py) and the log filter
(shared/domain/privacy.py): plain Python, no app."""
import io
import logging
from datetime import date

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from antrean.shared.domain.cells import CONTROL_CHARACTERS, safe_cell
from antrean.shared.domain.privacy import PersonalDataFilter, mask_personal


def test_a_text_that_could_start_a_formula_gets_a_leading_quote():
    for text in ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]:
        assert safe_cell(text) == "'" + text
    assert safe_cell("\x00=1+1") == "'=1+1"  # a control character cannot hide the formula
    assert safe_cell("Sri Wahyuni") == "Sri Wahyuni" and safe_cell("474/001/406.07/2026") == "474/001/406.07/2026"


def test_numbers_and_dates_we_write_stay_as_they_are():
    assert safe_cell(-2) == -2 and safe_cell(4.5) == 4.5 and safe_cell(True) is True and safe_cell(None) is None
    assert safe_cell(date(2026, 11, 24)) == date(2026, 11, 24)


def test_control_characters_are_removed_and_they_are_what_xlsx_refuses():
    assert safe_cell("Sri\x0bWahyuni\x00") == "SriWahyuni"
    for code in range(32):
        char = chr(code)
        if char not in "\t\n\r":
            assert CONTROL_CHARACTERS.fullmatch(char) and ILLEGAL_CHARACTERS_RE.fullmatch(char)
    assert not ILLEGAL_CHARACTERS_RE.search(safe_cell("".join(map(chr, range(128)))))


def test_the_log_filter_masks_nik_email_and_phone_in_message_arguments_and_exception():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("antrean.test_privacy")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("applicant %s, mail %s, phone %s", "3503124507540001", "sri.wahyuni@mail.co.id",
                       "+62 812-3456-7890")
        logger.warning("hp 081234567890 nik 3503-1245-0754-0001")
        try:
            raise ValueError("NIK 3503124507540001 of sri@example.id, 0812 3456 7890")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    text = stream.getvalue()
    for personal in ("3503124507540001", "3503-1245-0754-0001", "sri.wahyuni@mail.co.id", "sri@example.id",
                     "812-3456-7890", "081234567890", "0812 3456 7890"):
        assert personal not in text
    assert text.count("applicant [NIK], mail [email], phone [phone]") == 1 and "hp [phone] nik [NIK]" in text
    assert "ValueError: NIK [NIK] of [email], [phone]" in text
    assert "ValueError" in text and "failed" in text  # the rest of the record stays


def test_the_log_filter_leaves_ordinary_lines_alone():
    for line in ("2026-11-24 10:00:01 ticket B001 id 1234 called at loket 2", "127.0.0.1:5000 took 0.812345678 s",
                 "masked 3503********0001", "GET /counter/reports/export/register.xlsx?start=2026-11-24"):
        assert mask_personal(line) == line
