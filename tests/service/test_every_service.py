"""Every service of the catalogue can be carried from ticket to hand-over, or to TMS, by the right roles."""
import logging

import pytest

from antrean.shared.domain.catalogue import load_catalogue
from antrean.shared.services.desk import Actor

CATALOGUE = load_catalogue()
LOKET_OF_GROUP = {"adminduk": 1, "surat_keterangan": 2, "perizinan": 3, "pengaduan": 3}
NIK = "3503124507540001"
NAME = "Siti Aminah"


def actor(staff, role, loket=None):
    base = next(a for a in staff.values() if role in a.roles)
    return Actor(base.user_id, base.username, base.roles, loket)


def walk(desk, staff, service, clock, decision="MS"):
    svc = CATALOGUE.service(service)
    t = desk.issue_ticket(service)
    desk_actor = actor(staff, svc.steps[1].actor, LOKET_OF_GROUP[svc.group])
    called = desk.call_next(desk_actor)
    assert called["id"] == t["id"]
    view = None
    for step in svc.steps[1:]:
        if step.actor == "pemohon":
            break
        clock.advance(minutes=step.minutes or 1)
        kw = {}
        if step.kind == "receive":
            kw["applicant"] = {"name": NAME, "nik": NIK}
        if step.decision:
            kw["decision"] = decision
            if decision == "TMS":
                kw["missing"] = [svc.requirements[0]]
        view = desk.complete_step(actor(staff, step.actor), t["id"], step.number, **kw)
        if decision == "TMS" and step.decision:
            return svc, view
    return svc, view


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
