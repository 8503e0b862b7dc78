"""Several server processes serve one office: PostgreSQL for the data, Redis for Socket.IO."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.clients import DisplayClient, Staff
from tests.support.factories import issue, walk_to_ready
from tests.support.live_server import wait_for


@pytest.mark.postgres
@pytest.mark.redis
def test_a_call_through_process_one_reaches_a_display_on_process_two(two_servers):
    one, two = two_servers
    display = DisplayClient(two.url)
    try:
        ticket = requests.post(f"{one.url}/api/v1/tickets", json={"service": "ktp"}).json()
        Staff(one, "pelayanan1").post("/counter/call-next")
        assert display.got_call.wait(3), "the display on process 2 did not get the call made on process 1"
        assert display.calls[0]["number"] == ticket["number"]
    finally:
        display.close()


@pytest.mark.postgres
@pytest.mark.redis
def test_numbers_stay_unique_across_processes(two_servers):
    urls = [s.url for s in two_servers]

    def issue(i):
        return requests.post(f"{urls[i % 2]}/api/v1/tickets", json={"service": "ahli_waris"}, timeout=10).json()["number"]

    with ThreadPoolExecutor(10) as pool:
        numbers = list(pool.map(issue, range(60)))
    assert sorted(numbers) == [f"B{i:03d}" for i in range(1, 61)]


@pytest.mark.postgres
@pytest.mark.redis
def test_a_change_on_process_one_reaches_the_state_of_displays_on_both(two_servers):
    """Each process sends display snapshots to its own displays; process 1 tells process 2 over
    Redis that something changed."""
    one, two = two_servers
    displays = [DisplayClient(one.url), DisplayClient(two.url)]
    try:
        ticket = issue(one, "ahli_waris")
        for _step in walk_to_ready(one, ticket):
            pass
        for d in displays:
            assert wait_for(lambda d=d: d.snapshots[-1]["ready"] == ["B001"]), "a display was not told"
            assert d.snapshots[-1]["recent"][0]["number"] == "B001"
    finally:
        for d in displays:
            d.close()
