from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from siaga112.config import (
    CENTERS_DIR,
    DEFAULT_SECRET,
    CenterConfig,
    CenterConfigError,
    Settings,
    center_file,
    load_center,
)
from siaga112.domain.incidents import Priority

KENDARI = CENTERS_DIR / "kendari.toml"
TINY = CENTERS_DIR / "tiny.toml"


@pytest.fixture(scope="module")
def kendari() -> CenterConfig:
    return load_center(KENDARI)


@pytest.fixture(scope="module")
def tiny() -> CenterConfig:
    return load_center(TINY)


# --- the bundled centers --------------------------------------------------------------
def test_kendari_center(kendari: CenterConfig) -> None:
    assert kendari.center.code == "kendari"
    assert kendari.center.incident_prefix == "KDI"
    assert kendari.zone == ZoneInfo("Asia/Makassar")
    assert kendari.thresholds.valid_call_seconds == 10


def test_kendari_gazetteer(kendari: CenterConfig) -> None:
    gazetteer = kendari.gazetteer
    assert len(gazetteer.kecamatan) == 11
    assert len(gazetteer.kelurahan) == 63
    assert "andinurhidaya/SIG-Kantor-Kelurahan-Kota-Kendari" in (gazetteer.source or "")
    kecamatan = {k.code for k in gazetteer.kecamatan}
    assert {k.kecamatan for k in gazetteer.kelurahan} == kecamatan  # each has kelurahan
    rahandouna = next(k for k in gazetteer.kelurahan if k.code == "rahandouna")
    assert rahandouna.kecamatan == "poasia"
    for k in gazetteer.kelurahan:  # all inside Kota Kendari, roughly
        assert -4.2 < k.lat < -3.8 and 122.3 < k.lon < 122.8, k.code


def test_kendari_puskesmas_are_real_dinkes_stations_with_a_source(kendari: CenterConfig) -> None:
    puskesmas = [s for s in kendari.stations if s.code.startswith("puskesmas_")]
    assert len(puskesmas) == 15
    for station in puskesmas:
        assert station.agency == "dinkes"
        assert not station.demo
        assert "madukubah/psc-kendari" in (station.source or ""), station.code
        assert station.address


def test_kendari_marks_invented_data_as_demo(kendari: CenterConfig) -> None:
    assert all(s.demo for s in kendari.stations if not s.code.startswith("puskesmas_"))
    assert kendari.units and all(u.demo for u in kendari.units)
    assert all(p.demo for p in kendari.positions)


def test_kendari_agencies(kendari: CenterConfig) -> None:
    assert len(kendari.agencies) == 9
    assert {a.code for a in kendari.agencies} == {
        "damkar", "dinkes", "satpolpp", "polresta", "bpbd", "basarnas", "pmi", "dishub", "pln"}


def test_tiny_center(tiny: CenterConfig) -> None:
    assert (tiny.center.code, tiny.center.city, tiny.center.incident_prefix) == (
        "tiny", "Kota Contoh", "TST")
    assert tiny.zone == ZoneInfo("Asia/Jakarta")
    assert [t.code for t in tiny.incident_types] == ["fire", "medical"]
    assert [s.code for s in tiny.incident_type("fire").subtypes] == ["building"]
    assert tiny.incident_type("flood") is None
    assert {a.code for a in tiny.agencies} == {"damkar", "dinkes"}
    assert len(tiny.stations) == 2 and len(tiny.positions) == 2
    assert sorted(u.type for u in tiny.units) == ["ambulance", "fire_engine", "fire_engine"]
    assert all(x.demo for x in [*tiny.stations, *tiny.units, *tiny.positions])
    assert (len(tiny.gazetteer.kecamatan), len(tiny.gazetteer.kelurahan)) == (2, 3)
    fire = tiny.response_plan_book.plan_for("fire", "building", Priority.P1)
    assert fire is not None and sum(r.count for r in fire.requirements) == 3
    assert tiny.response_plan_book.plan_for("fire", None, Priority.P2) is None
    assert tiny.response_plan_book.plan_for("medical", None, Priority.P4) is not None
    assert tiny.triage_protocols["medical"].evaluate({"conscious": "no"}) is Priority.P1


def test_text_falls_back_to_indonesian(kendari: CenterConfig) -> None:
    name = kendari.incident_type("fire").name
    assert (name.get("id"), name.get("en"), name.get("jv")) == ("Kebakaran", "Fire", "Kebakaran")


def test_center_file_finds_bundled_centers_by_name(tmp_path: Path) -> None:
    assert center_file("kendari") == KENDARI
    assert center_file("tiny") == TINY
    other = tmp_path / "mine.toml"
    assert center_file(str(other)) == other


# --- broken copies are refused with file, key and reason ------------------------------
UNIT = """
[[units]]
code = "{code}"
name = "Extra"
agency = "{agency}"
type = "fire_engine"
"""


def broken(tmp_path: Path, *, prepend: str = "", append: str = "",
           replace: tuple[str, str] | None = None) -> Path:
    text = TINY.read_text(encoding="utf-8")
    if replace is not None:
        assert replace[0] in text
        text = text.replace(replace[0], replace[1], 1)
    path = tmp_path / "broken.toml"
    path.write_text(prepend + text + append, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(CenterConfigError) as info:
        load_center(path)
    message = str(info.value)
    assert str(path) in message
    return message


@pytest.mark.parametrize(("change", "key", "reason"), [
    (dict(append=UNIT.format(code="X-1", agency="polisi")),
     "units[3].agency", "unknown agency 'polisi'"),
    (dict(append=UNIT.format(code="TST-DMK-1", agency="damkar")),
     "units[3].code", "duplicate unit code 'TST-DMK-1'"),
    (dict(replace=('timezone = "Asia/Jakarta"', 'timezone = "Asia/Bandung"')),
     "center.timezone", "unknown time zone 'Asia/Bandung'"),
    (dict(replace=('timezone = "Asia/Jakarta"', 'timezone = "Asia"')),
     "center.timezone", "unknown time zone 'Asia'"),
    (dict(prepend='colour = "red"\n'), "colour", "Extra inputs are not permitted"),
    (dict(replace=("lat = -6.1950", "lat = -96.1950")),
     "gazetteer.kelurahan[0].lat", "greater than or equal to -90"),
    (dict(replace=("lon = 106.8010", "lon = 186.8010")),
     "stations[0].lon", "less than or equal to 180"),
    (dict(append='\n[[response_plans]]\nincident_type = "medical"\npriority = "P1"\n'
                 'units = [{ agency = "dinkes", unit_type = "fire_engine" }]\n'),
     "response_plans[2].units[0].unit_type", "agency 'dinkes' has no unit of type 'fire_engine'"),
    (dict(append='\n[[response_plans]]\nincident_type = "flood"\n'
                 'units = [{ agency = "damkar", unit_type = "fire_engine" }]\n'),
     "response_plans[2].incident_type", "unknown incident type 'flood'"),
    (dict(append='\n[[response_plans]]\nincident_type = "fire"\nsubtype = "building"\n'
                 'units = [{ agency = "damkar", unit_type = "fire_engine", count = 50 }]\n'),
     "response_plans[2].units[0].count", "less than or equal to 20"),
    (dict(append='\n[[response_plans]]\nincident_type = "medical"\n'
                 'units = [{ agency = "dinkes", unit_type = "ambulance" }]\n'),
     "response_plans[2]", "same incident type, subtype and priority as response_plans[1]"),
    (dict(append='\n[[triage]]\nincident_type = "medical"\ndefault_priority = "P2"\n'),
     "triage[1].incident_type", "a second protocol for 'medical'"),
    (dict(replace=('kecamatan = "selatan"', 'kecamatan = "timur"')),
     "gazetteer.kelurahan[2].kecamatan", "unknown kecamatan 'timur'"),
    (dict(replace=('incident_prefix = "TST"', 'incident_prefix = "tst"')),
     "center.incident_prefix", "should match pattern"),
    (dict(replace=('station = "puskesmas_contoh"', 'station = "damkar_pusat"')),
     "units[2].station", "station 'damkar_pusat' belongs to agency 'damkar', not 'dinkes'"),
    (dict(replace=('code = "building"', 'code = "Building"')),
     "incident_types[0].subtypes[0].code", "should match pattern"),
    (dict(replace=('subtypes = [{ code = "building"',
                   'subtypes = [{ code = "building", name = { id = "B" } }, { code = "building"')),
     "incident_types[0].subtypes[1].code", "duplicate subtype code 'building'"),
    (dict(replace=('answers = [{ code = "yes"', 'answers = [{ code = "no", label = { id = "N" } }, '
                                              '{ code = "yes"')),
     "triage[0].questions[0].answers[2].code", "duplicate answer code 'no'"),
])
def test_a_broken_center_is_refused(tmp_path: Path, change: dict, key: str, reason: str) -> None:
    message = refused(broken(tmp_path, **change))
    assert f"key '{key}'" in message
    assert reason in message


def test_every_problem_is_named_on_its_own_line(tmp_path: Path) -> None:
    path = broken(tmp_path, prepend='colour = "red"\n',
                  replace=('timezone = "Asia/Jakarta"', 'timezone = "Mars/Olympus"'))
    lines = refused(path).splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path}: key '") for line in lines)


def test_invalid_toml_syntax_is_refused_with_the_line(tmp_path: Path) -> None:
    message = refused(broken(tmp_path, append="\n[[units]\ncode = 1\n"))
    assert "not valid TOML" in message
    assert re.search(r"line \d+", message)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    message = refused(tmp_path / "nowhere.toml")
    assert "no such file" in message


def test_a_directory_is_refused(tmp_path: Path) -> None:
    assert "cannot read" in refused(tmp_path)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(TINY.read_text(encoding="utf-8").replace("Contoh", "Cont\u00f6h")
                     .encode("latin-1"))
    assert "not valid TOML" in refused(path)


# --- settings -------------------------------------------------------------------------
@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("SIAGA112_SECRET_KEY", "SIAGA112_ENV", "SIAGA112_CENTER",
                 "SIAGA112_DATABASE_URL", "SIAGA112_DATA_DIR", "SIAGA112_HTTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_problems_report_the_default_secret(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.secret_key == DEFAULT_SECRET
    [problem] = settings.production_problems()
    assert "SIAGA112_SECRET_KEY" in problem


def test_a_short_secret_is_a_problem_a_long_one_is_not(clean_env: pytest.MonkeyPatch) -> None:
    assert Settings(secret_key="short").production_problems()
    assert Settings(secret_key="x" * 32).production_problems() == []


def test_settings_come_from_siaga112_variables(clean_env: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    clean_env.setenv("SIAGA112_SECRET_KEY", "k" * 40)
    clean_env.setenv("SIAGA112_CENTER", "tiny")
    clean_env.setenv("SIAGA112_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.production_problems() == []
    assert settings.center_path == TINY
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'siaga112.sqlite3'}"


def test_a_bad_port_is_refused(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SIAGA112_HTTP_PORT", "70000")
    with pytest.raises(ValueError, match="http_port"):
        Settings()
