"""Every service of the catalogue can be carried from ticket to hand-over, or to TMS, by the right roles."""
import logging

import pytest

from antrean.shared.domain.catalogue import load_catalogue
from tests.support.factories import walk_service as walk

CATALOGUE = load_catalogue()
LOKET_OF_GROUP = {"adminduk": 1, "surat_keterangan": 2, "perizinan": 3, "pengaduan": 3}
NIK = "3503124507540001"
NAME = "Siti Aminah"


@pytest.mark.parametrize("service", sorted(CATALOGUE.services))
def test_service_walked_to_done_by_its_actors(service, desk, staff, clock, caplog):
    caplog.set_level(logging.DEBUG)
    svc, view = walk(desk, staff, service, clock)
    assert view["status"] == "done"
    assert [s["state"] for s in view["steps"]] == ["done"] * len(svc.steps)
    if any(st.kind == "register" for st in svc.steps):
        assert view["agenda_number"].endswith("/406.07/2026")
    else:
        assert view["agenda_number"] is None  # OSS has no register step
    assert all(s["within_standard"] for s in view["steps"])  # each step took exactly its standard
    assert NIK not in caplog.text and NAME not in caplog.text


@pytest.mark.parametrize("service", sorted(CATALOGUE.services))
def test_service_returned_with_tms(service, desk, staff, clock):
    svc, view = walk(desk, staff, service, clock, decision="TMS")
    assert view["status"] == "returned"
    assert view["missing_documents"] == [svc.requirements[0]]
