"""Administration: catalogue edits validated, versioned, audited, in force at once; tickets in progress keep
their flow; lokets and users; the logo; export and import of the catalogue data file."""
import copy
import io
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from antrean.shared.domain.catalogue import dump_catalogue, load_catalogue
from antrean.shared.services import administration as admin
from antrean.shared.services.desk import Actor, Forbidden, NotFound, OperationError
from antrean.shared.store.catalogue_versions import CatalogueStore
from antrean.shared.store.models import AuditEntry, CatalogueVersion, Loket, User
from tests.support.factories import actor, pickup_code_of
from tests.support.factories import walk_service as walk


@pytest.fixture
def store(desk, sessions, catalogue):
    desk.catalogue_store = CatalogueStore(sessions, catalogue)
    return desk.catalogue_store


@pytest.fixture
def boss(staff):
    return next(a for a in staff.values() if "admin" in a.roles)


def service_data(desk, code):
    return copy.deepcopy(next(s for s in admin.catalogue_data(desk)["services"] if s["code"] == code))


def versions(sessions):
    with sessions() as s:
        return s.scalars(select(CatalogueVersion.id)).all()


def test_edit_takes_effect_at_once_and_is_audited(desk, store, boss, sessions):
    svc = service_data(desk, "ahli_waris")
    svc["steps"][2]["minutes"] = 9
    svc["requirements"].append("Surat keterangan kematian dari desa")
    version = admin.save_service(desk, boss, svc, "ahli_waris")
    assert version == 1
    assert desk.catalogue.service("ahli_waris").steps[2].minutes == 9
    assert "Surat keterangan kematian dari desa" in desk.catalogue.service("ahli_waris").requirements
    with sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "admin:catalogue")).one()
    assert entry.after["changed"] == ["ahli_waris"] and entry.after["version"] == 1
    assert entry.before == {"version": 0} and entry.username == boss.username


@pytest.mark.parametrize("field, value, message", [
    ("prefix", "b1", "prefix"),
    ("group", "pajak", "group"),
    ("name", "", "name"),
])
def test_a_bad_service_edit_is_refused_and_changes_nothing(desk, store, boss, sessions, field, value, message):
    before = desk.catalogue
    svc = service_data(desk, "ahli_waris")
    svc[field] = value
    with pytest.raises(OperationError, match=f"Perubahan ditolak.*{message}"):
        admin.save_service(desk, boss, svc, "ahli_waris")
    assert desk.catalogue is before
    assert versions(sessions) == []
    with sessions() as s:
        assert s.scalars(select(AuditEntry)).all() == []


@pytest.mark.parametrize("breaks, message", [
    (lambda steps: steps[2].pop("decision"), "decision"),          # no MS/TMS step left
    (lambda steps: steps[3].update(actor="bupati"), "actor"),      # an actor the office does not have
    (lambda steps: steps[3].update(minutes=-2), "minutes"),
    (lambda steps: steps.pop(3), "number"),                         # a gap in the step numbers
])
def test_a_broken_flow_is_refused(desk, store, boss, breaks, message):
    svc = service_data(desk, "ahli_waris")
    breaks(svc["steps"])
    with pytest.raises(OperationError, match=message):
        admin.save_service(desk, boss, svc, "ahli_waris")
    assert desk.catalogue.service("ahli_waris").steps == load_catalogue().service("ahli_waris").steps


def test_only_an_administrator_edits(desk, store, staff):
    kasi = next(a for a in staff.values() if "kasi_pelayanan" in a.roles and "admin" not in a.roles)
    with pytest.raises(Forbidden):
        admin.save_service(desk, kasi, service_data(desk, "ahli_waris"), "ahli_waris")
    with pytest.raises(Forbidden):
        admin.save_loket(desk, kasi, None, 9, "Loket 9", [], True)


def test_a_ticket_in_progress_keeps_its_flow_after_an_edit(desk, store, boss, staff, clock):
    """Family B (ahli waris): a ticket received before the edit finishes on the old 8 steps with the old
    actors and minutes; a ticket issued after the edit follows the new 7-step flow."""
    old = desk.catalogue.service("ahli_waris")
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(actor(staff, "petugas_pelayanan", 2))
    desk.complete_step(actor(staff, "petugas_pelayanan"), t["id"], 2, applicant={"name": "Sri", "nik": "3503124507540001"})

    svc = service_data(desk, "ahli_waris")
    del svc["steps"][5]  # the Camat no longer signs: the Sekcam's signature is enough
    for i, st in enumerate(svc["steps"], start=1):
        st["number"] = i
    svc["steps"][2]["minutes"] = 10
    admin.save_service(desk, boss, svc, "ahli_waris")
    assert len(desk.catalogue.service("ahli_waris").steps) == 7

    view = None
    for step in old.steps[2:-1]:
        clock.advance(minutes=step.minutes or 1)
        kw = {"decision": "MS"} if step.decision else {}
        if step.kind == "handover":
            kw["pickup_code"] = pickup_code_of(desk, t["id"])
        view = desk.complete_step(actor(staff, step.actor), t["id"], step.number, **kw)
    assert view["status"] == "done"
    assert [s["actor"] for s in view["steps"]] == [s.actor for s in old.steps]
    assert "camat" in [s["actor"] for s in view["steps"]]
    assert view["steps"][2]["minutes"] == 5 and view["steps"][2]["within_standard"]  # the old Mutu Baku

    new = desk.staff_ticket(desk.issue_ticket("ahli_waris")["id"])
    assert len(new["steps"]) == 7 and new["steps"][2]["minutes"] == 10
    assert "camat" not in [s["actor"] for s in new["steps"]]


def test_a_removed_service_leaves_the_kiosk_but_its_tickets_finish(desk, store, boss, staff, clock):
    t = desk.issue_ticket("bepergian")
    admin.delete_service(desk, boss, "bepergian")
    assert "bepergian" not in desk.catalogue.services
    with pytest.raises(OperationError):
        desk.issue_ticket("bepergian")
    svc = load_catalogue().service("bepergian")
    desk.call_ticket(actor(staff, "petugas_pelayanan", 2), t["id"])
    for step in svc.steps[1:-1]:
        kw = {"applicant": {"name": "Sri", "nik": "3503124507540001"}} if step.kind == "receive" else {}
        if step.decision:
            kw["decision"] = "MS"
        if step.kind == "handover":
            kw["pickup_code"] = pickup_code_of(desk, t["id"])
        view = desk.complete_step(actor(staff, step.actor), t["id"], step.number, **kw)
    assert view["status"] == "done" and view["agenda_number"]


def test_another_process_sees_the_edit_within_its_refresh_time(desk, store, boss, sessions, catalogue):
    ticks = [0.0]
    other = CatalogueStore(sessions, catalogue, ttl=2.0, monotonic=lambda: ticks[0])
    assert other.current().service("ktp").name == catalogue.service("ktp").name
    svc = service_data(desk, "ktp")
    svc["name"] = "Rekomendasi KTP-el"
    admin.save_service(desk, boss, svc, "ktp")
    ticks[0] = 1.0
    assert other.current().service("ktp").name != "Rekomendasi KTP-el"  # cached for ttl seconds
    ticks[0] = 2.5
    assert other.current().service("ktp").name == "Rekomendasi KTP-el"
    assert other.version == 1


def test_office_profile_hours_and_holidays(desk, store, boss):
    admin.update_office(desk, boss, {
        "name": "Kecamatan Pule", "address": "Jl. Raya Pule 1", "code": "406.09",
        "hours": {"mon": "07:00-15:00", "tue": "07:00-15:00", "wed": "07:00-15:00", "thu": "07:00-15:00",
                  "fri": "07:00-11:00", "sat": "closed", "sun": "closed"},
        "holidays": "2026-12-25\n2026-12-26\n", "quotas": {"ektp": "40", "ktp": ""},
    })
    office = desk.catalogue.office
    assert (office.name, office.code) == ("Kecamatan Pule", "406.09")
    assert office.hours[4] == (("07:00", "11:00"),)
    assert office.holidays == ("2026-12-25", "2026-12-26")
    assert office.quotas == {"ektp": 40}


@pytest.mark.parametrize("fields, message", [
    ({"hours": {"mon": "15:00-07:00"}}, "Jam layanan"),
    ({"holidays": "25-12-2026"}, "holidays"),
    ({"agenda_format": "{kode}/{nomor}/{tahun}"}, "agenda_format"),
    ({"timezone": "Asia/Bandung"}, "timezone"),
    ({"quotas": {"ektp": "banyak"}}, "kuota"),
    ({"quotas": {"paspor": 5}}, "paspor"),
    ({"name": "  "}, "name"),
])
def test_a_bad_office_edit_is_refused(desk, store, boss, sessions, fields, message):
    with pytest.raises(OperationError, match=message):
        admin.update_office(desk, boss, fields)
    assert desk.catalogue.office == load_catalogue().office
    assert versions(sessions) == []


def test_export_then_import_is_the_same_catalogue(desk, store, boss, catalogue):
    text = dump_catalogue(desk.catalogue)
    assert text.startswith("# Antrean SOP catalogue: Kecamatan Kampak")
    data = yaml.safe_load(text)
    data["services"] = [s for s in data["services"] if s["group"] != "pengaduan"]
    data["office"]["name"] = "Kecamatan Watulimo"
    admin.import_catalogue(desk, boss, yaml.safe_dump(data, allow_unicode=True))
    assert desk.catalogue.office.name == "Kecamatan Watulimo"
    assert not [s for s in desk.catalogue.services.values() if s.group == "pengaduan"]
    # the shipped file imports as it is, and brings the shipped catalogue back
    admin.import_catalogue(desk, boss, Path(catalogue.path).read_text(encoding="utf-8"))
    assert desk.catalogue.services == catalogue.services and desk.catalogue.office == catalogue.office


@pytest.mark.parametrize("text, message", [
    ("office: [unclosed", "YAML"),
    ("- just a list", "office, sops"),
    ("office: {name: X, code: '1', address: Y}\nsops: []\nservices: []\n", "tidak berisi layanan"),
])
def test_a_bad_import_is_refused(desk, store, boss, sessions, text, message):
    with pytest.raises(OperationError, match=message):
        admin.import_catalogue(desk, boss, text)
    assert versions(sessions) == []


def test_restore_an_earlier_version(desk, store, boss):
    svc = service_data(desk, "ktp")
    svc["name"] = "Nama baru"
    admin.save_service(desk, boss, svc, "ktp")
    assert admin.restore_version(desk, boss, 0 + 1) == 2
    with pytest.raises(OperationError):
        admin.restore_version(desk, boss, 99)
    svc["name"] = "Nama lebih baru"
    admin.save_service(desk, boss, svc, "ktp")
    admin.restore_version(desk, boss, 1)
    assert desk.catalogue.service("ktp").name == "Nama baru"
    assert [v.note for v in store.history()][:2] == ["kembali ke versi 1", "ubah layanan ktp"]


def test_lokets(desk, boss, sessions):
    new_id = admin.save_loket(desk, boss, None, 7, "Loket Perizinan", ["perizinan"], True)
    with pytest.raises(OperationError, match="sudah ada"):
        admin.save_loket(desk, boss, None, 7, "Lagi", [], True)
    with pytest.raises(OperationError, match="tidak dikenal"):
        admin.save_loket(desk, boss, new_id, 7, "X", ["pajak"], True)
    for not_an_id in (True, 2.5, " 1", "١", 2**64):  # never stretched into loket 1 or 2, never a 500
        with pytest.raises(NotFound, match="unknown id"):
            admin.save_loket(desk, boss, not_an_id, 9, "X", [], True)
    admin.save_loket(desk, boss, new_id, 8, "Loket OSS", ["perizinan"], False)
    with sessions() as s:
        lk = s.get(Loket, new_id)
        assert (lk.number, lk.name, lk.active) == (8, "Loket OSS", False)
        audits = s.scalars(select(AuditEntry).where(AuditEntry.action == "admin:loket")).all()
    assert len(audits) == 2 and audits[1].before["number"] == 7 and audits[1].after["number"] == 8


def test_users(desk, boss, sessions):
    from antrean.shared.services.passwords import verify_login

    uid = admin.save_user(desk, boss, None, username="Rina.P", full_name="Rina Pratiwi",
                          roles=["petugas_register"], password="rahasia-123")
    with sessions() as s:
        u = s.get(User, uid)
        assert u.username == "rina.p" and verify_login(u.password_hash, "rahasia-123")
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "admin:user")).one()
    assert "Rina Pratiwi" not in str(entry.after) and "rahasia" not in str(entry.after)
    with pytest.raises(OperationError, match="sudah dipakai"):
        admin.save_user(desk, boss, None, username="rina.p", full_name="X", roles=["camat"], password="meja-hujan-kopi-17")
    with pytest.raises(OperationError, match="paling sedikit 8"):
        admin.save_user(desk, boss, uid, username="rina.p", full_name="Rina", roles=["camat"], password="123")
    with pytest.raises(OperationError, match="Peran tidak dikenal"):
        admin.save_user(desk, boss, uid, username="rina.p", full_name="Rina", roles=["bupati"])
    admin.save_user(desk, boss, uid, username="rina.p", full_name="Rina P.", roles=["camat"], active=False)
    with sessions() as s:
        u = s.get(User, uid)
        assert (u.roles, u.active) == (["camat"], False) and verify_login(u.password_hash, "rahasia-123")


def test_an_administrator_cannot_lock_themselves_out(desk, boss, sessions):
    with sessions() as s:
        me = s.get(User, boss.user_id)
        name, roles = me.full_name, me.roles
    with pytest.raises(OperationError, match="sendiri"):
        admin.save_user(desk, boss, boss.user_id, username=boss.username, full_name=name,
                        roles=[r for r in roles if r != "admin"] or ["camat"])
    with pytest.raises(OperationError, match="sendiri"):
        admin.save_user(desk, boss, boss.user_id, username=boss.username, full_name=name, roles=roles, active=False)


def test_logo(desk, boss):
    from PIL import Image

    big = io.BytesIO()
    Image.new("RGB", (1200, 600), "green").save(big, "JPEG")
    admin.save_logo(desk, boss, big.getvalue())
    stored = Image.open(io.BytesIO(admin.logo_png(desk)))
    assert stored.format == "PNG" and stored.size == (512, 256)
    with pytest.raises(OperationError, match="bukan gambar"):
        admin.save_logo(desk, boss, b"<svg onload=alert(1)>")
    assert admin.logo_png(desk) is not None  # the bad upload changed nothing
    admin.save_logo(desk, boss, None)
    assert admin.logo_png(desk) is None


def test_the_walk_still_works_after_an_office_edit(desk, store, boss, staff, clock):
    admin.update_office(desk, boss, {"code": "406.09", "agenda_format": "{kode}/{urut:04d}/{kantor}/{tahun}"})
    _svc, view = walk(desk, staff, "ahli_waris", clock)
    assert view["status"] == "done" and view["agenda_number"].endswith("/0001/406.09/2026")


def test_reading_the_catalogue_inside_a_write_never_waits_for_the_lock(desk, sessions, catalogue, boss, staff, clock):
    """With a store that re-reads on every access, whole walks still run: the re-read happens inside
    other operations' write transactions and must not wait for SQLite's write lock (it did once)."""
    desk.catalogue_store = CatalogueStore(sessions, catalogue, ttl=0)
    svc = service_data(desk, "ktp")
    svc["name"] = "Rekomendasi KTP-el"
    admin.save_service(desk, boss, svc, "ktp")
    _svc, view = walk(desk, staff, "ahli_waris", clock)
    assert view["status"] == "done"
    assert desk.catalogue.service("ktp").name == "Rekomendasi KTP-el"


def test_cli_exports_and_imports_the_catalogue_in_force(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "ANTREAN_INSTANCE": str(tmp_path), "DATABASE_URL": ""}

    def antrean(*args, check=True):
        return subprocess.run([sys.executable, "-m", "antrean.shared.cli.main", *args], capture_output=True, text=True,
                              env=env, check=check)

    data = yaml.safe_load(antrean("catalogue", "--yaml").stdout)
    assert data["office"]["name"] == "Kecamatan Kampak" and len(data["services"]) == 22
    data["office"]["name"] = "Kecamatan Gandusari"
    (tmp_path / "gandusari.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = antrean("catalogue-import", str(tmp_path / "gandusari.yaml"))
    assert "catalogue version 1 in force: Kecamatan Gandusari, 22 services" in out.stdout
    assert "Kecamatan Gandusari" in antrean("catalogue").stdout
    data["services"][0]["prefix"] = "a"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    bad = antrean("catalogue-import", str(tmp_path / "bad.yaml"), check=False)
    assert bad.returncode != 0 and "prefix" in bad.stderr
    assert yaml.safe_load(antrean("catalogue", "--yaml").stdout)["services"][0]["prefix"] == "A"


def test_another_kecamatan_adds_its_own_actor_and_group(desk, store, boss, staff, clock):
    """No code change: a new group and a new actor, a service that uses them, a user holding the new role
    who completes its step, and a renamed actor shown under the office's word."""
    groups = {**desk.catalogue.groups, "trantib": "Ketenteraman dan Ketertiban"}
    actors = {**desk.catalogue.actors, "kasi_trantib": "Kasi Trantib", "kasi_pelayanan": "Kasi Pelayanan Umum"}
    admin.update_names(desk, boss, groups, actors)
    ijin = service_data(desk, "keramaian")
    ijin.update(code="rekom_keramaian", name="Rekomendasi Ijin Keramaian", group="trantib", prefix="T")
    ijin["steps"][2]["actor"] = "kasi_trantib"  # the MS/TMS check moves to the Kasi Trantib
    admin.save_service(desk, boss, ijin)
    assert desk.catalogue.by_group()["trantib"][0].code == "rekom_keramaian"
    assert desk.catalogue.service("ahli_waris").steps[2].actor_name == "Kasi Pelayanan Umum"

    uid = admin.save_user(desk, boss, None, username="trantib", full_name="Bapak Trantib", roles=["kasi_trantib"],
                          password="trantib-2026")
    trantib = Actor(uid, "trantib", frozenset({"kasi_trantib"}))
    t = desk.issue_ticket("rekom_keramaian")
    assert t["number"] == "T001"
    clerk = actor(staff, "petugas_pelayanan", 2)
    desk.call_ticket(clerk, t["id"])
    desk.complete_step(clerk, t["id"], 2, applicant={"name": "Panitia", "nik": "3503124507540001"})
    view = desk.complete_step(trantib, t["id"], 3, decision="MS")
    assert view["steps"][2]["state"] == "done" and view["steps"][2]["actor_name"] == "Kasi Trantib"
    assert [q["id"] for q in desk.work_queue(trantib)] == []
    with pytest.raises(OperationError):
        desk.complete_step(trantib, t["id"], 4)  # the register step is not the Kasi Trantib's


@pytest.mark.parametrize("change, message", [
    (lambda g, a: g.pop("pengaduan"), "pengaduan"),          # still used by a service
    (lambda g, a: a.pop("camat"), "camat"),                  # still the actor of steps
    (lambda g, a: a.pop("pemohon"), "pemohon"),
    (lambda g, a: a.update({"Kasi-Trantib": "X"}), "kode: 2-40 huruf kecil"),
    (lambda g, a: g.update({"trantib": ""}), "nama wajib diisi"),
])
def test_groups_and_actors_in_use_are_kept(desk, store, boss, sessions, change, message):
    groups, actors = dict(desk.catalogue.groups), dict(desk.catalogue.actors)
    change(groups, actors)
    with pytest.raises(OperationError, match=message):
        admin.update_names(desk, boss, groups, actors)
    assert versions(sessions) == []


def test_an_alias_bomb_is_refused_quickly(desk, store, boss, sessions):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    with pytest.raises(OperationError, match="terlalu besar"):
        admin.import_catalogue(desk, boss, bomb)
    assert versions(sessions) == []
