"""The catalogue holds the seeds: 20 flows of seed 002 plus SOP.03's Legalisasi and other letters."""
import json
import os
import subprocess
import sys

import pytest
import yaml

from antrean.shared.domain.catalogue import DEFAULT_CATALOGUE, CatalogueError, load_catalogue, parse_catalogue

FAMILY_A = ["ektp", "ktp", "kk", "datang", "pindah", "akta_lahir", "akta_mati", "kia"]
FAMILY_B = ["ahli_waris", "bepergian", "belum_menikah", "calon_tki", "keramaian", "dispensasi_nikah",
            "daftar_keluarga", "proposal"]
FAMILY_C = ["sktm", "skck"]


def raw():
    return yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))


def test_every_service_of_both_seeds(catalogue):
    codes = set(catalogue.services)
    assert codes == set(FAMILY_A + FAMILY_B + FAMILY_C + ["oss", "pengaduan", "legalisasi", "sk_lainnya"])
    assert len([s for s in catalogue.services.values() if s.source == "seed 002"]) == 20


def test_office_data(catalogue):
    office = catalogue.office
    assert office.name == "Kecamatan Kampak" and office.code == "406.07"
    assert "Munjungan" in office.address and office.phone == "0355-631047"
    assert office.timezone == "Asia/Jakarta"


def test_sop_numbers(catalogue):
    assert {s.number for s in catalogue.sops.values()} == {
        "065/SOP.01/406.07/2025", "065/SOP.02/406.07/2025", "065/SOP.03/406.07/2025"}
    for code in FAMILY_A:
        assert catalogue.sop_of(catalogue.service(code)).number == "065/SOP.01/406.07/2025"
    for code in FAMILY_C:
        assert catalogue.sop_of(catalogue.service(code)).number == "065/SOP.02/406.07/2025"
    for code in FAMILY_B + ["legalisasi", "sk_lainnya"]:
        assert catalogue.sop_of(catalogue.service(code)).number == "065/SOP.03/406.07/2025"
    assert "Undang-Undang Nomor 24 Tahun 2006" in catalogue.sops["SOP.01"].legal_basis[0]


def test_family_a_actors_and_minutes(catalogue):
    for code in FAMILY_A:
        s = catalogue.service(code)
        assert set(s.actors) == {"pemohon", "petugas_pelayanan", "petugas_verifikasi", "petugas_register", "kasi_pelayanan"}
        expected = [0, 1, 5, 2, 2, 5, 0] if code == "ektp" else [0, 2, 5, 2, 5, 1, 0]
        assert [st.minutes for st in s.steps] == expected, code
        assert s.decision_step.number == 3 and s.decision_step.actor == "petugas_verifikasi"
        assert s.step(4).kind == "register"
    ektp = catalogue.service("ektp").step(6)
    assert ektp.activity == "Melakukan perekaman e-KTP" and ektp.in_person


def test_family_b_actors_and_minutes(catalogue):
    for code in FAMILY_B:
        s = catalogue.service(code)
        assert [st.minutes for st in s.steps] == [0, 2, 5, 2, 2, 3, 1, 0], code
        assert [st.actor for st in s.steps] == ["pemohon", "petugas_pelayanan", "kasi_pelayanan", "petugas_register",
                                                "sekcam", "camat", "petugas_pelayanan", "pemohon"]
        assert s.decision_step.number == 3


def test_family_c_and_umbrella_minutes(catalogue):
    for code in FAMILY_C:
        s = catalogue.service(code)
        assert [st.minutes for st in s.steps] == [0, 2, 5, 2, 5, 1, 0]
        assert set(s.actors) == {"pemohon", "petugas_pelayanan", "kasi_pelayanan", "petugas_register", "sekcam"}
    for code in ("legalisasi", "sk_lainnya"):
        assert len(catalogue.service(code).steps) == 8
        assert all(st.minutes in (0, 1) for st in catalogue.service(code).steps)


def test_oss_and_pengaduan(catalogue):
    oss = catalogue.service("oss")
    assert [st.minutes for st in oss.steps] == [0, 2, 3, 10, 0]
    assert set(oss.actors) == {"pemohon", "tim_teknis", "pengolah_data", "kasi_pelayanan"}
    assert oss.steps[-1].output == "Sertifikat NIB dan IUM"
    complaint = catalogue.service("pengaduan")
    assert [st.minutes for st in complaint.steps] == [0, 2, 5, 18, 20, 15]
    assert set(complaint.actors) == {"pemohon", "petugas_pelayanan", "tim_pengaduan", "sekcam", "camat"}
    assert complaint.steps[-1].output == "Berita acara kesepakatan"


def test_groups_and_prefixes(catalogue):
    groups = catalogue.by_group()
    assert {g: len(v) for g, v in groups.items()} == {"adminduk": 8, "surat_keterangan": 12, "perizinan": 1, "pengaduan": 1}
    assert {s.prefix for s in groups["adminduk"]} == {"A"}
    assert {s.prefix for s in groups["surat_keterangan"]} == {"B"}


def test_every_service_has_requirements_and_one_decision(catalogue):
    for s in catalogue.services.values():
        assert s.requirements, s.code
        assert sum(st.decision for st in s.steps) == 1


@pytest.mark.parametrize("mutate, field, problem", [
    (lambda d: d["services"][0]["steps"][2].update(actor="lurah"), "steps[2].actor", "unknown actor"),
    (lambda d: d["services"][0]["steps"][3].update(number=5), "steps[3].number", "without gaps"),
    (lambda d: d["services"][0]["steps"][1].update(minutes=-2), "steps[1].minutes", "from 0 to 1440"),
    (lambda d: d["services"][1].update(code="ektp"), "code", "duplicate"),
    (lambda d: d["services"][0]["steps"][2].pop("decision"), "steps.decision", "no decision"),
    (lambda d: d["services"][0].update(group="lainnya"), "group", "unknown group"),
    (lambda d: d["services"][0].update(sop="SOP.09"), "sop", "unknown SOP"),
])
def test_malformed_catalogue_names_file_service_and_field(tmp_path, mutate, field, problem):
    data = raw()
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path)
    message = str(err.value)
    assert str(path) in message and field in message and problem in message
    assert err.value.field == field


def test_a_malformed_catalogue_stops_start_up(tmp_path):
    data = raw()
    data["services"][0]["steps"][1]["minutes"] = -1
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    from antrean.shared.app import create_app

    with pytest.raises(CatalogueError, match="ektp"):
        create_app({"INSTANCE": tmp_path, "CATALOGUE": str(path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
                   start_workers=False)


def office_env(tmp_path) -> dict:
    """The CLI reads the catalogue in force from the office's database: a fresh one here."""
    return {**os.environ, "ANTREAN_INSTANCE": str(tmp_path), "DATABASE_URL": ""}


def test_cli_catalogue_json_lists_every_service_with_steps(tmp_path):
    out = subprocess.run([sys.executable, "-m", "antrean.shared.cli.main", "catalogue", "--json"], capture_output=True,
                         text=True, check=True, env=office_env(tmp_path))
    data = json.loads(out.stdout)
    assert len(data["services"]) == 22
    ahli = next(s for s in data["services"] if s["code"] == "ahli_waris")
    assert ahli["sop_number"] == "065/SOP.03/406.07/2025"
    assert [s["actor"] for s in ahli["steps"]][5] == "camat"


def test_cli_catalogue_table_and_bad_file(tmp_path):
    out = subprocess.run([sys.executable, "-m", "antrean.shared.cli.main", "catalogue"], capture_output=True, text=True,
                         check=True, env=office_env(tmp_path))
    assert "Surat Keterangan Ahli Waris" in out.stdout and "MS/TMS" in out.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("office: [", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "antrean.shared.cli.main", "catalogue", "--file", str(bad)],
                         capture_output=True, text=True)
    assert out.returncode != 0 and "not valid YAML" in out.stderr


def test_export_round_trip(catalogue):
    again = parse_catalogue(json.loads(catalogue.to_json()))
    assert again.services.keys() == catalogue.services.keys()
    assert again.service("ahli_waris").steps == catalogue.service("ahli_waris").steps


def test_the_data_file_shape_keeps_every_field_of_every_service(catalogue):
    """What the administration saves (``catalogue_to_data``) reads back the same: a complaint's
    anonymity and the steps' forms are not lost when any service is edited."""
    from antrean.shared.domain.catalogue import catalogue_to_data

    again = parse_catalogue(catalogue_to_data(catalogue))
    assert again.services == catalogue.services
    pengaduan = again.service("pengaduan")
    assert pengaduan.anonymous is True
    assert [s.form for s in pengaduan.steps] == ["", "complaint", "", "", "outcome", ""]
