"""What the staff screens rely on from the services: per-loket figures count the calls made there,
the numbers an office types in have bounds with Indonesian messages, and a new staff password is
neither short nor common."""
import copy
from datetime import date

import pytest

from antrean.shared.domain.catalogue import MAX_DAILY_QUOTA, MAX_STEP_MINUTES, load_catalogue
from antrean.shared.services import administration as admin
from antrean.shared.services import availability
from antrean.shared.services.desk import OperationError
from antrean.shared.services.reports import Period, office_report
from antrean.shared.store.catalogue_versions import CatalogueStore
from tests.support.factories import actor

DAY = Period(date(2026, 11, 24), date(2026, 11, 24))


@pytest.fixture
def store(desk, sessions, catalogue):
    desk.catalogue_store = CatalogueStore(sessions, catalogue)
    return desk.catalogue_store


@pytest.fixture
def boss(staff):
    return next(a for a in staff.values() if "admin" in a.roles)


def test_per_loket_counts_every_call_made_there(desk, staff, clock, sessions, catalogue):
    # Loket 1 calls A001, calls it again twice, sends it to Loket 2, then calls A002: four calls at
    # Loket 1, one at Loket 2 (counting tickets by their last loket gave Loket 1 one and Loket 2 one)
    first, second = desk.issue_ticket("ktp"), desk.issue_ticket("ktp")
    clerk1 = actor(staff, "petugas_pelayanan", 1)
    clock.advance(minutes=5)
    assert desk.call_next(clerk1)["id"] == first["id"]
    clock.advance(minutes=1)
    desk.recall(clerk1, first["id"])
    clock.advance(minutes=1)
    desk.recall(clerk1, first["id"])
    loket2 = next(lk.id for lk in admin.all_lokets(desk) if lk.number == 2)
    desk.transfer(clerk1, first["id"], loket2)
    clock.advance(minutes=1)
    assert desk.call_ticket(actor(staff, "petugas_pelayanan", 2), first["id"])["id"] == first["id"]
    clock.advance(minutes=2)
    assert desk.call_next(clerk1)["id"] == second["id"]
    with sessions() as s:
        rows = office_report(s, catalogue, DAY)["per_loket"]
    by_name = {r["loket"]: r for r in rows}
    assert (by_name["Loket 1"]["called"], by_name["Loket 1"]["calls"], by_name["Loket 1"]["recalls"]) == (4, 2, 2)
    assert (by_name["Loket 2"]["called"], by_name["Loket 2"]["recalls"]) == (1, 0)
    # the waiting time is the first call's: A001 waited 5 minutes, A002 10 (both at Loket 1)
    assert by_name["Loket 1"]["waiting_median"] == 7.5
    assert [r["loket"] for r in rows] == ["Loket 1", "Loket 2"]


def test_calls_on_another_day_are_not_counted(desk, staff, clock, sessions, catalogue):
    t = desk.issue_ticket("ktp")
    clerk1 = actor(staff, "petugas_pelayanan", 1)
    desk.call_next(clerk1)
    clock.advance(days=1)
    desk.recall(clerk1, t["id"])  # the next office day
    with sessions() as s:
        assert office_report(s, catalogue, DAY)["per_loket"][0]["called"] == 1
        assert office_report(s, catalogue, Period(DAY.start, date(2026, 11, 25)))["per_loket"][0]["called"] == 2


@pytest.mark.parametrize("minutes", [999999, -1, 1441, float("nan"), float("inf")])
def test_step_minutes_out_of_bounds_are_refused_in_indonesian(desk, store, boss, minutes):
    svc = copy.deepcopy(next(s for s in admin.catalogue_data(desk)["services"] if s["code"] == "ahli_waris"))
    svc["steps"][2]["minutes"] = minutes
    with pytest.raises(OperationError, match=f"menit baku harus angka 0 sampai {MAX_STEP_MINUTES}") as err:
        admin.save_service(desk, boss, svc, "ahli_waris")
    assert "langkah 3" in str(err.value)
    assert desk.catalogue.service("ahli_waris").steps == load_catalogue().service("ahli_waris").steps


def test_step_minutes_at_the_bounds_are_kept(desk, store, boss):
    svc = copy.deepcopy(next(s for s in admin.catalogue_data(desk)["services"] if s["code"] == "ahli_waris"))
    svc["steps"][2]["minutes"], svc["steps"][3]["minutes"] = MAX_STEP_MINUTES, 0
    admin.save_service(desk, boss, svc, "ahli_waris")
    steps = desk.catalogue.service("ahli_waris").steps
    assert (steps[2].minutes, steps[3].minutes) == (1440, 0)


def test_quota_bounds_in_the_office_profile_and_on_the_kiosk_page(desk, store, boss, staff):
    with pytest.raises(OperationError, match=f"harus bilangan bulat 0 sampai {MAX_DAILY_QUOTA}"):
        admin.update_office(desk, boss, {"quotas": {"ktp": str(MAX_DAILY_QUOTA + 1)}})
    with pytest.raises(OperationError, match="harus bilangan bulat"):
        admin.update_office(desk, boss, {"quotas": {"ktp": "banyak"}})
    admin.update_office(desk, boss, {"quotas": {"ktp": "40"}})
    assert desk.catalogue.office.quotas["ktp"] == 40
    kasi = actor(staff, "kasi_pelayanan")
    for bad in (MAX_DAILY_QUOTA + 1, -1, "999999999999", "1e3", 2.5, True):
        with pytest.raises(OperationError, match="Kuota harus") as err:
            availability.set_quota(desk, kasi, "ktp", bad)
        assert err.value.code == "bad_quota"
    assert availability.set_quota(desk, kasi, "ktp", "25")["quota"] == 25
    assert availability.set_quota(desk, kasi, "ktp", MAX_DAILY_QUOTA)["quota"] == MAX_DAILY_QUOTA


@pytest.mark.parametrize("password", ["password", "12345678", "P@ssw0rd", "qwertyuiop", "rahasia123",
                                      "bismillah1", "kecamatan2026"])
def test_a_common_password_is_refused(desk, boss, password):
    with pytest.raises(OperationError, match="Kata sandi terlalu mudah ditebak") as err:
        admin.save_user(desk, boss, None, username="rina", full_name="Rina Pratiwi", roles=["camat"],
                        password=password)
    assert err.value.code == "bad_password"
    assert "rina" not in [u.username for u in admin.users_and_loket_names(desk)[0]]


def test_a_short_password_is_refused_and_a_strong_one_kept(desk, boss):
    with pytest.raises(OperationError, match="paling sedikit 8 karakter"):
        admin.save_user(desk, boss, None, username="rina", full_name="Rina", roles=["camat"], password="aB3$x")
    with pytest.raises(OperationError, match="mudah ditebak"):  # the user's own name
        admin.save_user(desk, boss, None, username="rinapratiwi", full_name="Rina Pratiwi", roles=["camat"],
                        password="rinapratiwi")
    uid = admin.save_user(desk, boss, None, username="rina", full_name="Rina", roles=["camat"],
                          password="meja-hujan-kopi-17")
    assert uid
