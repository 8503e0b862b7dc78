"""Coalesced reads (shared/realtime/socket_limits.py): callers that ask while a read runs share one
later read, so many askers cost at most two reads, and none is answered with a state read before it asked."""
from __future__ import annotations

import threading
import time

from antrean.shared.realtime.socket_limits import BUSY, Coalesced, _namespace, window


def test_callers_during_a_read_share_the_next_one():
    reads = Coalesced()
    state = {"value": 0, "reads": 0}
    started = threading.Event()

    def read():
        state["reads"] += 1
        value = state["value"]  # what the database holds when the read begins
        started.set()
        time.sleep(0.2)
        return value

    answers: list[int] = []
    first = threading.Thread(target=lambda: answers.append(reads.run(None, read)))
    first.start()
    started.wait(2)
    state["value"] = 1  # changed after the first read began: the later callers must see it
    later = [threading.Thread(target=lambda: answers.append(reads.run(None, read))) for _ in range(20)]
    for t in later:
        t.start()
    for t in [first, *later]:
        t.join(5)
    assert state["reads"] == 2  # 21 callers, two reads
    assert sorted(answers) == [0] + [1] * 20


def test_a_different_read_while_one_waits_is_refused():
    reads = Coalesced()
    gate = threading.Event()
    running = threading.Event()

    def slow():
        running.set()
        gate.wait(2)
        return "A"

    results: dict[str, object] = {}
    a = threading.Thread(target=lambda: results.__setitem__("a", reads.run("A", slow)))
    a.start()
    running.wait(2)
    b = threading.Thread(target=lambda: results.__setitem__("b", reads.run("B", lambda: "B")))
    b.start()
    time.sleep(0.05)  # b waits behind a
    assert reads.run("C", lambda: "C") is BUSY  # a third, different one: nothing read
    gate.set()
    a.join(2)
    b.join(2)
    assert results == {"a": "A", "b": "B"}


def test_an_error_reaches_every_caller_of_its_read():
    reads = Coalesced()

    def fails():
        raise TimeoutError("pool")

    try:
        reads.run(None, fails)
    except TimeoutError:
        pass
    else:
        raise AssertionError("the error was swallowed")
    assert reads.run(None, lambda: 5) == 5  # and the next read runs


def test_packet_namespaces_and_limit_notation():
    # what Engine.IO hands over: the Socket.IO packet, without Engine.IO's own "4" (message)
    assert _namespace('2/display,1["snapshot"]') == "/display"
    assert _namespace('51-/ticket,["follow",{"_placeholder":true,"num":0}]') == "/ticket"
    assert _namespace("0/printer,") == "/printer"
    assert _namespace("0/counter") == "/counter"
    assert _namespace('2["x"]') == "/"
    assert _namespace(b"\x00binary") is None
    assert window("30 per 10 seconds") == (30, 10.0)
    assert window("5/minute") == (5, 60.0)
