"""What the waiting room hears: the sentence spoken for a call, built from the call payload.

Plain Python (no Flask): the display, the hub and the speaker agent all build the same sentence.

    >>> phrase({"number": "A012", "prefix": "A", "seq": 12, "loket": 2, "loket_name": "Loket 2",
    ...         "kind": "call"})
    'Nomor antrian, A dua belas, silakan menuju loket dua'

A call to an in-person step says what it is for, in the words of the catalogue (``Step.purpose``,
sent as the call's ``purpose`` and ``purpose_en``):

    >>> phrase({"number": "A003", "loket": 1, "loket_name": "Loket 1", "kind": "in_person",
    ...         "purpose": "perekaman e-KTP"})
    'Nomor antrian, A tiga, silakan menuju loket satu untuk perekaman e-KTP'

Numbers are read as words (num2words). How a ticket number is read is configurable:

- ``number`` (default): the number without its leading zeros, as people say it: A012 -> "A dua belas";
- ``digits``: every digit, zeros too: A012 -> "A nol satu dua".

The letter is kept as a capital letter: espeak-ng's Indonesian voice says the Indonesian letter name
for a lone capital (A -> "a", B -> "be", C -> "ce", K -> "ka", measured with ``espeak-ng -v poz/id -x``).
In English a lone "A" is read as the article, so there the letters are tied to the number with
hyphens ("A-twelve"), which espeak-ng reads as the letter name.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from num2words import num2words

LANGS = ("id", "en")
READINGS = ("number", "digits")
# call: step 1 (the applicant hands in the request); recall: the same call again; pickup: the
# hand-over of the finished result; in_person: another step done with the applicant at the desk.
KINDS = ("call", "recall", "pickup", "in_person")
# How announcements may be set for an office: one language, or Indonesian then English.
ANNOUNCE_LANGS = ("id", "en", "id+en")

_SENTENCES = {
    "id": {
        "call": "Nomor antrian, {ticket}, silakan menuju {loket}",
        "recall": "Panggilan ulang, nomor antrian, {ticket}, silakan menuju {loket}",
    },
    "en": {
        "call": "Queue number, {ticket}, please proceed to {loket}",
        "recall": "Calling again, queue number, {ticket}, please proceed to {loket}",
    },
}
# What the call is for, after the loket: "silakan menuju loket dua untuk perekaman e-KTP".
_FOR = {"id": " untuk {purpose}", "en": " for {purpose}"}
# A pickup whose step names no purpose (a catalogue written before steps had one)
_PICKUP_PURPOSE = {"id": "pengambilan dokumen", "en": "collecting your documents"}
PURPOSE_FIELD = {"id": "purpose", "en": "purpose_en"}
_LOKET_WORD = {"id": "loket", "en": "counter"}
_NUMBER_RE = re.compile(r"^\s*([A-Za-z]*)\s*-?\s*(\d+)\s*$")
_LOKET_NAME_RE = re.compile(r"^\s*(?:loket|counter)\b\s*(.*?)\s*$", re.IGNORECASE)
_DIGITS_RE = re.compile(r"\d+")


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def number_words(n: int, lang: str = "id") -> str:
    """A whole number as words: 12 -> "dua belas" (id), "twelve" (en)."""
    check_lang(lang)
    if n < 0:
        raise ValueError("a ticket number is never negative")
    # num2words writes "twenty-one"; a speech engine reads a space the same and a display shows it better
    return num2words(int(n), lang=lang).replace("-", " ")


def digit_words(digits: str, lang: str = "id") -> str:
    """Every digit as a word: "012" -> "nol satu dua"."""
    return " ".join(number_words(int(d), lang) for d in digits if d.isdigit())


def split_number(number: str, prefix: str | None = None, seq: int | None = None) -> tuple[str, str]:
    """("A", "012") from "A012"; falls back on the payload's prefix and seq."""
    m = _NUMBER_RE.match(number or "")
    if m:
        return m.group(1).upper(), m.group(2)
    if seq is not None:
        return (prefix or "").upper(), str(int(seq))
    raise ValueError(f"not a ticket number: {number!r}")


def ticket_words(number: str, lang: str = "id", reading: str = "number", prefix: str | None = None,
                 seq: int | None = None) -> str:
    """How a ticket number is said: "A012" -> "A dua belas" (id) or "A-twelve" (en)."""
    check_lang(lang)
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {', '.join(READINGS)}, not {reading!r}")
    letters, digits = split_number(number, prefix, seq)
    spoken = number_words(int(digits), lang) if reading == "number" else digit_words(digits, lang)
    if not letters:
        return spoken
    if lang == "en":
        return "-".join([*letters, spoken])
    return " ".join([*letters, spoken])


def spell_numbers(text: str, lang: str = "id") -> str:
    """Every run of digits in ``text`` as words: "Loket 3A" -> "Loket tiga A"."""
    def words(m: re.Match) -> str:
        return f" {number_words(int(m.group(0)), lang)} "
    return re.sub(r"\s+", " ", _DIGITS_RE.sub(words, text)).strip()


def loket_words(loket: Any = None, loket_name: str | None = None, lang: str = "id") -> str:
    """How a loket is said: "Loket 2" -> "loket dua" (id), "counter two" (en).

    A name that is not "Loket <n>" ("Loket Pengaduan", "Ruang OSS") is read as written, its
    numbers as words.
    """
    check_lang(lang)
    word = _LOKET_WORD[lang]
    name = (loket_name or "").strip()
    if name:
        m = _LOKET_NAME_RE.match(name)
        if m:
            rest = m.group(1)
            return f"{word} {spell_numbers(rest, lang)}".strip() if rest else word
        return spell_numbers(name, lang)
    if loket is None:
        raise ValueError("a call needs a loket")
    return f"{word} {spell_numbers(str(loket), lang)}"


def phrase(call: Mapping[str, Any], lang: str = "id", reading: str = "number") -> str:
    """The sentence announced for a call (the ``ticket.called`` event payload)."""
    check_lang(lang)
    kind = call.get("kind") or "call"
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    ticket = ticket_words(str(call.get("number") or ""), lang, reading, call.get("prefix"), call.get("seq"))
    loket = loket_words(call.get("loket"), call.get("loket_name"), lang)
    sentence = _SENTENCES[lang]["recall" if kind == "recall" else "call"].format(ticket=ticket, loket=loket)
    purpose = purpose_of(call, lang)
    return sentence + _FOR[lang].format(purpose=purpose) if purpose else sentence


def purpose_of(call: Mapping[str, Any], lang: str = "id") -> str:
    """What a call asks the applicant to come for, in ``lang`` ("" for the intake call, or an
    English announcement of a step with no English purpose)."""
    text = " ".join(str(call.get(PURPOSE_FIELD[lang]) or "").split())
    if not text and call.get("kind") == "pickup":
        return _PICKUP_PURPOSE[lang]
    return text


def langs_of(setting: str | None) -> tuple[str, ...]:
    """The languages of an office's announce setting: "id+en" -> ("id", "en")."""
    if setting not in ANNOUNCE_LANGS:
        return ("id",)
    return tuple(setting.split("+"))
