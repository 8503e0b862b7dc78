"""Data for the tests: tickets (one ``issue`` for a live server and the Flask test client alike),
a desk over a session maker, actors holding a role, and walks of a ticket through its steps."""
from __future__ import annotations

from functools import cache

NIK = "3503124507540001"
# A Family B (Surat Keterangan) ticket's staff steps after the call: (number, user, decision).
FAMILY_B_STEPS = [(2, "pelayanan2", None), (3, "kasi", "MS"), (4, "register", None), (5, "sekcam", None),
                  (6, "camat", None), (7, "pelayanan2", None)]
# The same steps as the counter forms post them: (number, user, extra form fields).
FAMILY_B_FORMS = [(2, "pelayanan2", {}), (3, "kasi", {"decision": "MS"}), (4, "register", {}), (5, "sekcam", {}),
                  (6, "camat", {}), (7, "pelayanan2", {})]
APPLICANT = {"name": "Sri Wahyuni", "nik": NIK, "address": "Desa Bendoagung", "phone": ""}
# A complaint as the Pengaduan forms take it: at intake (channel, text) and at the decision (outcome).
COMPLAINT = {"channel": "langsung", "text": "Lampu jalan di depan balai desa mati sejak dua minggu.",
             "outcome": "Berita acara: desa memperbaiki lampu jalan dalam tujuh hari.", "lapor_number": ""}
SURVEY_ANSWERS = {f"u{i}": 3 + (i % 2) for i in range(1, 10)}


# -- tickets ---------------------------------------------------------------------------------


def issue(target, service: str = "ktp", *, expect: int | None = 201, timeout: float = 30,
          kiosk_key: str | None = None, **fields):
    """Take a ticket as the kiosk does: POST /api/v1/tickets with ``{"service": service, **fields}``.

    ``target`` is a live server (anything with ``.url``: sent with requests) or a Flask test
    client. With ``expect`` (201 by default) the status is checked and the answer's JSON returned;
    with ``expect=None`` the response itself is returned, whatever its status. ``kiosk_key`` is sent
    as the kiosk does (``X-Kiosk-Key``): only a kiosk with its key may name a ``printer``.
    """
    body = {"service": service, **fields}
    headers = {"X-Kiosk-Key": kiosk_key} if kiosk_key else {}
    if hasattr(target, "url"):
        import requests

        resp = requests.post(f"{target.url}/api/v1/tickets", json=body, headers=headers, timeout=timeout)
        if expect is None:
            return resp
        assert resp.status_code == expect, resp.text
        return resp.json()
    resp = target.post("/api/v1/tickets", json=body, headers=headers)
    if expect is None:
        return resp
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


def pickup_code_of(office, ticket_id) -> str:
    """The pickup code printed on a ticket, as the applicant would show it at the hand-over (no staff
    screen shows it). ``office``: a Desk, or a Flask app (its Desk)."""
    from antrean.shared.store.models import Ticket

    desk = office.extensions["antrean"] if hasattr(office, "extensions") else office
    with desk.sessions() as s:
        return s.get(Ticket, int(ticket_id)).pickup_code


# -- the service layer -----------------------------------------------------------------------


def make_desk(sessions, catalogue, clock):
    """The office over a test's database, built by the app's own bootstrap. Always open: office hours
    are tested with their own clock (tests/service/test_availability.py)."""
    from antrean.shared.bootstrap import open_office

    return open_office({"ALWAYS_OPEN": True}, sessions=sessions, catalogue=catalogue, clock=clock)


def demo_office(url, catalogue, clock):
    """The demo office (lokets, users) on the database at ``url``: yields ``(desk, staff, sessions)``
    with ``staff`` the demo users as desk actors by username, and disposes of the engine after."""
    from sqlalchemy import select

    from antrean.shared.services.demo import create_demo
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.db import make_engine, make_sessionmaker
    from antrean.shared.store.models import User
    from tests.support.fakes import fast_hash

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    create_demo(sessions, hasher=fast_hash)
    with sessions() as s:
        staff = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    try:
        yield make_desk(sessions, catalogue, clock), staff, sessions
    finally:
        engine.dispose()


def actor(staff, role, loket=None):
    """An actor holding ``role`` (the first demo user who has it), at loket number ``loket``."""
    from antrean.shared.services.desk import Actor

    base = next(a for a in staff.values() if role in a.roles)
    return Actor(base.user_id, base.username, base.roles, loket)


def complete_steps(desk, staff, ticket_id, steps, applicant=None):
    """Complete ``steps`` — (number, user, decision) — of a called ticket; the last view."""
    view = None
    for number, user, decision in steps:
        kw = {}
        if number == 2:
            kw["applicant"] = applicant or {"name": "Sri Wahyuni", "nik": NIK}
        view = desk.complete_step(staff[user], ticket_id, number, decision=decision,
                                  pickup_code=pickup_code_of(desk, ticket_id), **kw)
    return view


@cache
def _catalogue():
    from antrean.shared.domain.catalogue import load_catalogue

    return load_catalogue()


def walk_service(desk, staff, service, clock, decision="MS", catalogue=None):
    """Issue a ticket of ``service``, call it at its group's loket and walk it to the hand-over
    (or to its TMS decision), each step taking its standard minutes. Returns (service, last view)."""
    loket_of_group = {"adminduk": 1, "surat_keterangan": 2, "perizinan": 3, "pengaduan": 3}
    svc = (catalogue or _catalogue()).service(service)
    t = desk.issue_ticket(service)
    called = desk.call_next(actor(staff, svc.steps[1].actor, loket_of_group[svc.group]))
    assert called["id"] == t["id"]
    view = None
    for step in svc.steps[1:]:
        if step.actor == "pemohon":
            break
        clock.advance(minutes=step.minutes or 1)
        kw = {}
        if step.kind == "receive":
            kw["applicant"] = {"name": "Siti Aminah", "nik": NIK}
        if step.decision:
            kw["decision"] = decision
            if decision == "TMS":
                kw["missing"] = [svc.requirements[0]]
        if step.form:
            kw["complaint"] = COMPLAINT
        if step.kind == "handover":
            kw["pickup_code"] = pickup_code_of(desk, t["id"])
        view = desk.complete_step(actor(staff, step.actor), t["id"], step.number, **kw)
        if decision == "TMS" and step.decision:
            return svc, view
    return svc, view


def ticket_through(desk, staff, clock, service, minutes, decision="MS", missing=(), note="",
                   applicant=None):
    """Issue, wait, and walk a ticket; ``minutes`` = the minutes each staff step takes, in order
    (the walk stops after the last one given). ``applicant`` is recorded at the receiving step."""
    t = desk.issue_ticket(service)
    clock.advance(minutes=minutes[0])  # waiting before the call
    loket = {"ktp": "pelayanan1", "ahli_waris": "pelayanan2"}[service]
    desk.call_next(staff[loket])
    roles = {"petugas_pelayanan": loket, "petugas_verifikasi": "verifikasi", "kasi_pelayanan": "kasi",
             "petugas_register": "register", "sekcam": "sekcam", "camat": "camat"}
    flow = desk.staff_ticket(t["id"])["steps"]
    for step, took in zip(flow[1:], minutes[1:], strict=False):
        clock.advance(minutes=took)
        kw = {"note": note}
        if step["kind"] == "receive":
            kw["applicant"] = applicant or {"name": "Warga", "nik": NIK}
        if step["decision"]:
            kw["decision"] = decision
            kw["missing"] = list(missing)
        if step["kind"] == "handover":
            kw["pickup_code"] = pickup_code_of(desk, t["id"])
        view = desk.complete_step(staff[roles[step["actor"]]], t["id"], step["number"], **kw)
        if view["status"] != "in_progress":
            break
    return t


def walk_to_end(desk, staff, clock, service, decision="MS", note="", missing=()):
    """Issue a ticket and walk it to its end (4 minutes' wait, 3 a step), recording the applicant
    at the receiving step."""
    return ticket_through(desk, staff, clock, service, [4] + [3] * 20, decision=decision, missing=missing,
                          note=note, applicant={"name": "Sri Wahyuni", "nik": NIK, "address": "Desa Bendoagung RT 3",
                                                "phone": "081234567890"})


def walk_desk_visit(desk, staff, clock, receive: float, verify: float, register: float) -> None:
    """Call the next Surat Keterangan ticket at Loket 2 and do the three front-desk steps."""
    applicant = {"name": "Sri Wahyuni", "nik": NIK}
    t = desk.call_next(staff["pelayanan2"])
    clock.advance(minutes=receive)
    desk.complete_step(staff["pelayanan2"], t["id"], 2, applicant=applicant)
    clock.advance(minutes=verify)
    desk.complete_step(staff["kasi"], t["id"], 3, decision="MS")
    clock.advance(minutes=register)
    desk.complete_step(staff["register"], t["id"], 4)


# -- a live server ---------------------------------------------------------------------------


def walk_to_ready(server, ticket, staff=None):
    """Call a Family B ticket and walk it up to the hand-over: its documents are ready."""
    from tests.support.clients import Staff

    staff = staff or {u: Staff(server, u) for u in ("pelayanan2", "kasi", "register", "sekcam", "camat")}
    staff["pelayanan2"].post("/counter/call-next")
    for number, user, extra in FAMILY_B_FORMS[:5]:
        yield number
        staff[user].post(f"/counter/tickets/{ticket['id']}/step",
                         data={"step": number, **extra, **(APPLICANT if number == 2 else {})})


# -- the evaluator's pack --------------------------------------------------------------------


SKTM_DECREE = ("100.3.3.2/7/406.07/2026", "2026-11-20")


def evaluation_day(desk, staff, clock):
    """One hand-made office day for the evaluator's pack (Tuesday 24 November 2026): the SKTM standard
    adopted by decree, the Maklumat adopted, two KTP requests (15 working minutes: in time; 19: late;
    their verification step took 5 and 9 minutes against a 5-minute Mutu Baku), a lansia ticket
    called after 3 minutes, a complaint from Sri Wahyuni with an SP4N-LAPOR! number (still open), and
    two SKM answers (all 4s; 3s and 4s). Returns the two KTP tickets."""
    from antrean.shared.services import standards, survey

    draft = standards.standing(desk, "sktm").draft
    standards.save_standard(desk, actor(staff, "admin"), "sktm", {**draft, "jumlah_pelaksana": "3 orang"})
    standards.adopt_standard(desk, actor(staff, "camat"), "sktm", 1, *SKTM_DECREE)
    text = standards.maklumat(desk).draft["text"]
    standards.save_maklumat(desk, actor(staff, "admin"), text, "Drs. Budi Santoso", "Camat Kampak")
    standards.adopt_maklumat(desk, actor(staff, "camat"), 1, "2026-11-24")
    first = ticket_through(desk, staff, clock, "ktp", [4, 2, 5, 2, 5, 1])
    second = ticket_through(desk, staff, clock, "ktp", [6, 2, 9, 2, 5, 1])
    desk.issue_ticket("ktp", priority=True, reason="lansia")
    clock.advance(minutes=3)
    desk.call_next(staff["pelayanan1"])
    t = desk.issue_ticket("pengaduan")
    desk.call_next(actor(staff, "petugas_pelayanan", 3))
    desk.complete_step(actor(staff, "petugas_pelayanan", 3), t["id"], 2, decision="MS",
                       applicant={"name": "Sri Wahyuni", "nik": NIK},
                       complaint={**COMPLAINT, "lapor_number": "LPR-77"})
    survey.submit(desk.sessions, first["public_id"], skm_answers(4), profile=EVALUATION_PROFILE)
    survey.submit(desk.sessions, second["public_id"], SURVEY_ANSWERS)
    return first, second


# the first SKM answer's respondent profile on the evaluation day (the second leaves it empty)
EVALUATION_PROFILE = {"sex": "P", "age_group": "40-49", "education": "slta", "occupation": "wirausaha"}


def evaluation_followups(desk, staff, clock):
    """The SKM follow-up log of the evaluation day's period (24 November 2026 only), written after it:
    "Papan alur" for U2 (written 24 November, due 15 December, planned) and "Pelatihan petugas" for U4
    and U6 (written 26 November, due 30 November, done 3 December: late; 9 days after the period, 7 after
    the plan). Leaves the clock at 5 December 2026, 10:00 WIB."""
    from datetime import UTC, date, datetime

    from antrean.shared.domain.skm import custom
    from antrean.shared.services import skm

    period = custom(date(2026, 11, 24), date(2026, 11, 24))
    kasi = actor(staff, "kasi_pelayanan")
    skm.add_followup(desk, kasi, period, {"plan": "Papan alur", "elements": ["u2"], "responsible": "Kasi Pelayanan",
                                          "due_date": "2026-12-15", "status": "rencana"})
    clock.now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    training = {"plan": "Pelatihan petugas", "elements": ["u6", "u4"], "responsible": "Sekretaris Kecamatan",
              "due_date": "2026-11-30", "status": "proses"}
    plan = skm.add_followup(desk, kasi, period, training)
    clock.now = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    skm.update_followup(desk, kasi, plan, {**training, "status": "selesai", "done_date": "2026-12-03"})
    return period


# -- SKM answers -------------------------------------------------------------------------------


def skm_answers(default: int, **override: int) -> dict[str, int]:
    """Scores for the nine SKM elements: ``default`` for each, ``u3=1`` and the like for some."""
    return {**{f"u{i}": default for i in range(1, 10)}, **override}


def served_tickets(desk, staff, clock, n):
    """``n`` KTP tickets whose service ended (returned after TMS at verification): citizens served."""
    return [ticket_through(desk, staff, clock, "ktp", [1, 1, 1], decision="TMS", missing=["Kartu Keluarga (KK)"])
            for _ in range(n)]
