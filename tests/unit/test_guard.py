"""The fast tier's guard (tests/support/guard.py): a unit, service or web test that opens a
network socket, a python-escpos printer or a pyttsx3 engine fails with a clear message."""
import socket

import pytest


def refused(guard, call) -> str:
    with pytest.raises(pytest.fail.Exception) as failed:
        call()
    assert guard.forgive(), "the violation was not recorded for teardown"
    return str(failed.value)


def test_a_tcp_connection_fails_the_test(no_network_printer_or_speech):
    guard = no_network_printer_or_speech
    message = refused(guard, lambda: socket.create_connection(("127.0.0.1", 9), timeout=1))
    assert "127.0.0.1" in message and "tests/integration" in message
    with socket.socket() as s:
        refused(guard, lambda: s.connect_ex(("192.0.2.1", 80)))


def test_a_real_printer_fails_the_test(no_network_printer_or_speech):
    from escpos.printer import File, Network

    guard = no_network_printer_or_speech
    assert "Network" in refused(guard, lambda: Network("192.0.2.1", port=9100, timeout=1).open())
    assert "File" in refused(guard, lambda: File("/dev/null").open())


def test_a_real_speech_engine_fails_the_test(no_network_printer_or_speech):
    import pyttsx3

    assert "pyttsx3" in refused(no_network_printer_or_speech, pyttsx3.init)


def test_postgresql_redis_and_unix_sockets_stay_allowed(no_network_printer_or_speech):
    guard = no_network_printer_or_speech
    assert guard.allows(socket.AF_INET, ("127.0.0.1", 5432))
    assert guard.allows(socket.AF_INET, ("127.0.0.1", 6379))
    assert guard.allows(socket.AF_UNIX, "/run/postgresql/.s.PGSQL.5432")
    assert not guard.allows(socket.AF_INET, ("127.0.0.1", 5000))
