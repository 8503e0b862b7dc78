"""Phrase building: numbers 0-999 as Indonesian (and English) words, prefixes, loket names, kinds.

The words are checked by parsing them back to numbers with a small reader written here, for
every number from 0 to 999, so num2words is verified, not trusted.
"""
import re
import string

import pytest

from antrean.shared.domain.announce import (
    digit_words,
    langs_of,
    loket_words,
    number_words,
    phrase,
    spell_numbers,
    split_number,
    ticket_words,
)

ID_UNITS = {"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
            "delapan": 8, "sembilan": 9}
EN_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
            "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
           "ninety": 90}


def read_id(words: str) -> int:
    """Indonesian number words back to a number (0-999), strictly."""
    tokens = words.split()
    total, i = 0, 0
    while i < len(tokens):
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if t == "seratus":
            total += 100
        elif t == "sepuluh":
            total += 10
        elif t == "sebelas":
            total += 11
        elif t in ID_UNITS and nxt == "ratus":
            assert ID_UNITS[t] >= 2, words
            total += ID_UNITS[t] * 100
            i += 1
        elif t in ID_UNITS and nxt == "puluh":
            assert ID_UNITS[t] >= 2, words
            total += ID_UNITS[t] * 10
            i += 1
        elif t in ID_UNITS and nxt == "belas":
            assert ID_UNITS[t] >= 2, words
            total += 10 + ID_UNITS[t]
            i += 1
        elif t in ID_UNITS:
            assert i == len(tokens) - 1, words  # a unit is always last
            total += ID_UNITS[t]
        else:
            raise AssertionError(f"unexpected word {t!r} in {words!r}")
        i += 1
    return total


def read_en(words: str) -> int:
    tokens = [t for t in words.split() if t != "and"]
    total = 0
    for i, t in enumerate(tokens):
        if t == "hundred":
            continue
        if t in EN_UNITS and i + 1 < len(tokens) and tokens[i + 1] == "hundred":
            total += EN_UNITS[t] * 100
        elif t in EN_UNITS:
            total += EN_UNITS[t]
        elif t in EN_TENS:
            total += EN_TENS[t]
        else:
            raise AssertionError(f"unexpected word {t!r} in {words!r}")
    return total


def call(number="A012", loket=2, loket_name="Loket 2", kind="call", **kw):
    m = re.match(r"([A-Z]*)(\d+)", number)
    return {"ticket_id": 1, "number": number, "prefix": m.group(1), "seq": int(m.group(2)), "loket": loket,
            "loket_name": loket_name, "kind": kind, **kw}


# -- the sentences the issue names ----------------------------------------------------------

def test_the_intake_call_sentence():
    assert phrase(call("A012", 2, "Loket 2")) == "Nomor antrian, A dua belas, silakan menuju loket dua"


def test_the_day_at_the_office_sentences():
    assert phrase(call("B001", 1, "Loket 1")) == "Nomor antrian, B satu, silakan menuju loket satu"
    assert phrase(call("B001", 1, "Loket 1", kind="pickup", purpose="pengambilan surat")) == (
        "Nomor antrian, B satu, silakan menuju loket satu untuk pengambilan surat")
    assert phrase(call("A012", 2, "Loket 2", kind="recall")) == (
        "Panggilan ulang, nomor antrian, A dua belas, silakan menuju loket dua")


def test_the_e_ktp_recording_is_called_for_the_recording_not_as_a_finished_document():
    said = phrase(call("A003", 1, "Loket 1", kind="in_person", purpose="perekaman e-KTP",
                       purpose_en="the e-KTP recording"))
    assert said == "Nomor antrian, A tiga, silakan menuju loket satu untuk perekaman e-KTP"
    assert "selesai" not in said and "siap" not in said
    assert phrase(call("A003", 1, "Loket 1", kind="in_person", purpose="perekaman e-KTP",
                       purpose_en="the e-KTP recording"), "en") == (
        "Queue number, A-three, please proceed to counter one for the e-KTP recording")


def test_a_recall_of_an_in_person_step_still_says_what_it_is_for():
    assert phrase(call("A003", 1, "Loket 1", kind="recall", purpose="perekaman e-KTP")) == (
        "Panggilan ulang, nomor antrian, A tiga, silakan menuju loket satu untuk perekaman e-KTP")


def test_a_purpose_is_said_as_written_once_spaced():
    assert phrase(call(kind="in_person", purpose="  perekaman   e-KTP ")).endswith("untuk perekaman e-KTP")


def test_a_call_without_a_purpose():
    # an in-person step of a catalogue that names no purpose: the plain call
    assert phrase(call(kind="in_person")) == "Nomor antrian, A dua belas, silakan menuju loket dua"
    # a pickup without one still says the documents are to be collected
    assert phrase(call(kind="pickup")) == (
        "Nomor antrian, A dua belas, silakan menuju loket dua untuk pengambilan dokumen")
    # an English announcement of a step with only an Indonesian purpose: no Indonesian words in it
    assert phrase(call(kind="in_person", purpose="perekaman e-KTP"), "en") == (
        "Queue number, A-twelve, please proceed to counter two")


def test_four_kinds_four_different_sentences_in_both_languages():
    for lang in ("id", "en"):
        said = {phrase(call(kind=k, purpose="perekaman e-KTP", purpose_en="the e-KTP recording")
                       if k == "in_person" else call(kind=k), lang)
                for k in ("call", "recall", "pickup", "in_person")}
        assert len(said) == 4


def test_english_sentences():
    assert phrase(call("A012"), "en") == "Queue number, A-twelve, please proceed to counter two"
    assert phrase(call("B001", 1, "Loket 1", kind="pickup", purpose_en="collecting the letter"), "en") == (
        "Queue number, B-one, please proceed to counter one for collecting the letter")
    assert phrase(call("C105", 3, "Loket 3", kind="recall"), "en") == (
        "Calling again, queue number, C-one hundred and five, please proceed to counter three")


def test_unknown_kind_language_or_reading_is_refused():
    with pytest.raises(ValueError):
        phrase(call(kind="shout"))
    with pytest.raises(ValueError):
        phrase(call(), "fr")
    with pytest.raises(ValueError):
        phrase(call(), reading="roman")


# -- numbers ---------------------------------------------------------------------------------

KNOWN_ID = {0: "nol", 1: "satu", 7: "tujuh", 10: "sepuluh", 11: "sebelas", 12: "dua belas", 19: "sembilan belas",
            20: "dua puluh", 21: "dua puluh satu", 99: "sembilan puluh sembilan", 100: "seratus",
            101: "seratus satu", 105: "seratus lima", 110: "seratus sepuluh", 111: "seratus sebelas",
            115: "seratus lima belas", 200: "dua ratus", 999: "sembilan ratus sembilan puluh sembilan"}


@pytest.mark.parametrize("n,words", sorted(KNOWN_ID.items()))
def test_known_indonesian_numbers(n, words):
    assert number_words(n, "id") == words


def test_every_number_from_0_to_999_reads_back_in_indonesian_and_english():
    for n in range(1000):
        id_words, en_words = number_words(n, "id"), number_words(n, "en")
        assert read_id(id_words) == n, (n, id_words)
        assert read_en(en_words) == n, (n, en_words)
        for w in (id_words, en_words):
            assert not re.search(r"[\d\-]", w), w  # words only: no digits, no hyphens


def test_every_ticket_number_from_000_to_999_without_leading_zeros():
    for n in range(1000):
        number = f"A{n:03d}"
        said = ticket_words(number, "id")
        assert said == f"A {number_words(n, 'id')}"
        assert read_id(said[2:]) == n
        if n >= 1:
            assert "nol" not in said, said  # A007 is "A tujuh", never "A nol nol tujuh"


def test_digit_reading_reads_every_digit():
    assert ticket_words("A012", "id", "digits") == "A nol satu dua"
    assert ticket_words("A012", "en", "digits") == "A-zero one two"
    for n in range(1000):
        digits = f"{n:03d}"
        said = ticket_words(f"B{digits}", "id", "digits").split()
        assert said[0] == "B" and [ID_UNITS[w] for w in said[1:]] == [int(d) for d in digits]
    assert digit_words("905", "en") == "nine zero five"


def test_phrase_reading_is_configurable():
    assert phrase(call("A012"), reading="digits") == "Nomor antrian, A nol satu dua, silakan menuju loket dua"


def test_numbers_above_999_and_without_padding():
    assert ticket_words("A1000") == "A seribu"
    assert ticket_words("A5") == "A lima"
    assert number_words(1234) == "seribu dua ratus tiga puluh empat"


# -- prefixes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("letter", list(string.ascii_uppercase))
def test_every_prefix_letter_is_said_as_the_capital_letter(letter):
    # espeak-ng's Indonesian voice says the letter's Indonesian name for a lone capital
    assert ticket_words(f"{letter}012") == f"{letter} dua belas"
    assert phrase(call(f"{letter}012")).startswith(f"Nomor antrian, {letter} dua belas,")
    assert ticket_words(f"{letter}012", "en") == f"{letter}-twelve"


def test_multi_letter_prefixes_are_spelled():
    assert ticket_words("AB012") == "A B dua belas"
    assert ticket_words("ab012") == "A B dua belas"
    assert ticket_words("AB012", "en") == "A-B-twelve"


def test_a_number_without_a_prefix():
    assert ticket_words("012") == "dua belas"
    assert phrase(call("012", 1, "Loket 1")) == "Nomor antrian, dua belas, silakan menuju loket satu"


def test_split_number_falls_back_on_the_payload():
    assert split_number("A012") == ("A", "012")
    assert split_number("A-012") == ("A", "012")
    assert split_number("???", "c", 7) == ("C", "7")
    with pytest.raises(ValueError):
        split_number("???")


# -- lokets ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,loket,expected_id,expected_en", [
    ("Loket 2", 2, "loket dua", "counter two"),
    ("Loket 10", 10, "loket sepuluh", "counter ten"),
    ("loket 12", 12, "loket dua belas", "counter twelve"),
    ("Loket 3A", 3, "loket tiga A", "counter three A"),
    ("Loket Pengaduan", 4, "loket Pengaduan", "counter Pengaduan"),
    ("Ruang OSS 2", 5, "Ruang OSS dua", "Ruang OSS two"),
    ("", 7, "loket tujuh", "counter seven"),
    (None, 21, "loket dua puluh satu", "counter twenty one"),
])
def test_loket_names(name, loket, expected_id, expected_en):
    assert loket_words(loket, name, "id") == expected_id
    assert loket_words(loket, name, "en") == expected_en


def test_every_loket_number_from_1_to_99_is_read_as_words():
    for n in range(1, 100):
        said = loket_words(n, f"Loket {n}")
        assert said.startswith("loket ") and read_id(said[6:]) == n


def test_spell_numbers_and_no_digits_left_in_any_sentence():
    assert spell_numbers("Loket 3 dan 4") == "Loket tiga dan empat"
    for n in (0, 1, 9, 10, 99, 100, 999):
        for kind in ("call", "recall", "pickup"):
            for lang in ("id", "en"):
                said = phrase(call(f"C{n:03d}", n % 9 + 1, f"Loket {n % 9 + 1}", kind=kind), lang)
                assert not re.search(r"\d", said), said


def test_langs_of_the_office_setting():
    assert langs_of("id") == ("id",)
    assert langs_of("en") == ("en",)
    assert langs_of("id+en") == ("id", "en")
    assert langs_of(None) == ("id",) and langs_of("xx") == ("id",)


def test_display_settings_are_checked():
    from antrean.shared.services.display_settings import DisplaySettings, SettingsError, clean

    cur = DisplaySettings()
    assert clean({"running_text": "  Selamat\n datang  "}, cur).running_text == "Selamat datang"
    assert clean({"announce_lang": "id+en", "announce_reading": "digits"}, cur) == DisplaySettings("", "id+en", "digits")
    for bad in ({"announce_lang": "fr"}, {"announce_reading": "roman"}, {"running_text": "x" * 501}):
        with pytest.raises(SettingsError):
            clean(bad, cur)
