"""Handing a result to the applicant: only against the pickup code printed on the ticket, or with a
clerk's waiver and its reason.

Plain Python. ``decide`` is the one rule the service (``shared/services/steps.py``) applies to every
step of kind ``handover``; the messages are in Bahasa Indonesia for the clerk and never repeat the
code typed.

- The code is compared in constant time (``hmac.compare_digest``), after removing the spaces and
  dashes people type and upper-casing it.
- After ``MAX_WRONG_CODES`` wrong codes for one ticket the code is no longer accepted: the clerk
  checks the applicant's identity (KTP) and hands over with a waiver.
- A waiver needs a reason of at least ``WAIVER_MIN`` characters (``tiket hilang, KTP diperiksa``).
"""
from __future__ import annotations

import hmac
import re
from enum import StrEnum

MAX_WRONG_CODES = 5
WAIVER_MIN = 10
WAIVER_MAX = 300


class Verdict(StrEnum):
    CODE = "code"  # the right pickup code was given
    WAIVER = "waiver"  # handed over without the code, for the reason given


class HandoverRefused(ValueError):
    """The hand-over cannot happen now; ``code`` names why (``pickup_code_required``,
    ``pickup_code_wrong``, ``pickup_code_locked``, ``waiver_reason``)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code

    @property
    def wrong_code(self) -> bool:
        """A wrong code was typed: the attempt is counted."""
        return self.code == "pickup_code_wrong"


def clean_code(value: object) -> str:
    return re.sub(r"[\s\-]", "", str(value or "")).upper()


def code_matches(expected: str, given: object) -> bool:
    """Constant time in the code's content: a timing never tells how many characters were right."""
    return hmac.compare_digest(clean_code(expected).encode(), clean_code(given).encode())


def clean_reason(value: object) -> str:
    return " ".join(str(value or "").split())


def decide(expected: str, given: object, waiver_reason: object, wrong_so_far: int) -> Verdict:
    """May the result be handed over? ``expected``: the ticket's pickup code; ``given``: the code
    the applicant showed; ``waiver_reason``: the clerk's reason to hand over without it;
    ``wrong_so_far``: wrong codes already typed for this ticket. Raises ``HandoverRefused``."""
    reason = clean_reason(waiver_reason)
    if reason:
        if len(reason) < WAIVER_MIN:
            raise HandoverRefused(
                f"Alasan penyerahan tanpa kode terlalu singkat (minimal {WAIVER_MIN} huruf), "
                "mis. \"tiket hilang, identitas dicek dengan KTP\".", "waiver_reason")
        if len(reason) > WAIVER_MAX:
            raise HandoverRefused(f"Alasan terlalu panjang (maksimal {WAIVER_MAX} huruf).", "waiver_reason")
        return Verdict.WAIVER
    if not clean_code(given):
        raise HandoverRefused("Minta kode pengambilan yang tercetak pada tiket pemohon. Tanpa tiket: periksa "
                              "identitas (KTP) lalu serahkan dengan alasan.", "pickup_code_required")
    if wrong_so_far >= MAX_WRONG_CODES:
        raise HandoverRefused(
            f"Kode pengambilan sudah {MAX_WRONG_CODES} kali salah untuk tiket ini dan tidak diterima lagi. "
            "Periksa identitas pemohon (KTP) lalu serahkan dengan alasan.", "pickup_code_locked")
    if not code_matches(expected, given):
        left = MAX_WRONG_CODES - wrong_so_far - 1
        raise HandoverRefused(
            f"Kode pengambilan salah. Dokumen belum diserahkan. Sisa percobaan: {left}.", "pickup_code_wrong")
    return Verdict.CODE
