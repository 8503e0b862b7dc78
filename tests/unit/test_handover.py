"""The hand-over rule: the pickup code, compared in constant time; a limit on wrong codes; a waiver
only with a reason."""
import pytest

from antrean.shared.domain import handover
from antrean.shared.domain.handover import MAX_WRONG_CODES, HandoverRefused, Verdict, decide


def refused(expected, given, waiver, wrong_so_far) -> HandoverRefused:
    with pytest.raises(HandoverRefused) as exc:
        decide(expected, given, waiver, wrong_so_far)
    return exc.value


def test_the_right_code_hands_over_however_it_is_typed():
    for typed in ("K7QX3M", "k7qx3m", " K7Q X3M ", "K7Q-X3M"):
        assert decide("K7QX3M", typed, None, 0) is Verdict.CODE


def test_no_code_is_refused_and_says_what_to_ask_for():
    for given in (None, "", "  "):
        exc = refused("K7QX3M", given, None, 0)
        assert exc.code == "pickup_code_required" and not exc.wrong_code
        assert "kode pengambilan" in str(exc) and "KTP" in str(exc)


def test_a_wrong_code_is_refused_counts_and_says_how_many_tries_are_left():
    exc = refused("K7QX3M", "K7QX3N", None, 0)
    assert exc.code == "pickup_code_wrong" and exc.wrong_code
    assert "Kode pengambilan salah" in str(exc) and f"Sisa percobaan: {MAX_WRONG_CODES - 1}" in str(exc)
    assert "K7QX3N" not in str(exc) and "K7QX3M" not in str(exc)
    assert "Sisa percobaan: 0" in str(refused("K7QX3M", "AAAAAA", None, MAX_WRONG_CODES - 1))
    # a prefix or a longer code is wrong too
    assert refused("K7QX3M", "K7QX3", None, 0).wrong_code
    assert refused("K7QX3M", "K7QX3MM", None, 0).wrong_code


def test_after_too_many_wrong_codes_even_the_right_one_is_refused():
    exc = refused("K7QX3M", "K7QX3M", None, MAX_WRONG_CODES)
    assert exc.code == "pickup_code_locked" and not exc.wrong_code
    assert "KTP" in str(exc) and "alasan" in str(exc)
    # the clerk checks the KTP and hands over with a reason
    assert decide("K7QX3M", None, "tiket hilang, KTP sudah dicek", MAX_WRONG_CODES) is Verdict.WAIVER


def test_a_waiver_needs_a_real_reason():
    assert decide("K7QX3M", None, "Tiket hilang, identitas dicek dengan KTP", 0) is Verdict.WAIVER
    for reason in ("ok", "  hilang  ", "a       b"):
        exc = refused("K7QX3M", None, reason, 0)
        assert exc.code == "waiver_reason" and "terlalu singkat" in str(exc)
    assert refused("K7QX3M", None, "x" * (handover.WAIVER_MAX + 1), 0).code == "waiver_reason"


def test_the_code_is_compared_with_compare_digest(monkeypatch):
    seen = []
    real = handover.hmac.compare_digest

    def spy(a, b):
        seen.append((a, b))
        return real(a, b)
    monkeypatch.setattr(handover.hmac, "compare_digest", spy)
    assert decide("K7QX3M", "k7qx3m", None, 0) is Verdict.CODE
    assert seen == [(b"K7QX3M", b"K7QX3M")]
