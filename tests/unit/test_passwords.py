"""Staff passwords are stored with a slow hash; an unknown user name never logs in."""
from antrean.shared.services.passwords import hash_password, verify_login


def test_real_passwords_use_a_slow_hash():
    stored = hash_password("rahasia-loket")
    assert stored.startswith("scrypt:") and "rahasia-loket" not in stored
    assert verify_login(stored, "rahasia-loket") and not verify_login(stored, "salah")


def test_an_unknown_user_never_logs_in_whatever_the_password():
    assert not verify_login(None, "rahasia-loket") and not verify_login(None, "")
