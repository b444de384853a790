"""Kendari's gazetteer: reverse geocoding, the center's area, and search that forgives
typos and Indonesian spelling variants."""

from __future__ import annotations

import pytest

from siaga112.config import CENTERS_DIR, load_center
from siaga112.domain.gazetteer import (
    Area, display_name, distance_to_polygon_m, name_key, polygon_contains,
)
from siaga112.domain.geo import GeoPoint
from siaga112.services.gazetteer import build_gazetteer, gazetteer_for, search


@pytest.fixture(scope="module")
def kendari():
    return load_center(CENTERS_DIR / "kendari.toml")


@pytest.fixture(scope="module")
def gazetteer(kendari):
    return gazetteer_for(kendari)


@pytest.mark.parametrize(("puskesmas", "kelurahan", "kecamatan", "metres"), [
    # Puskesmas Mata (Jl. Yos Sudarso, Kessilampe): the Kasilampe office is 299 m away.
    ((-3.974734, 122.600568), "Kasilampe", "Kendari", 299),
    ((-3.965538, 122.532480), "Lahundape", "Kendari Barat", 132),  # Puskesmas Kemaraya
    ((-3.992168, 122.583139), "Abeli", "Abeli", 210),  # Puskesmas Abeli
    ((-3.968383, 122.458959), "Puuwatu", "Puuwatu", 1354),  # Puskesmas Puuwatu
])
def test_reverse_of_a_puskesmas_gives_its_kelurahan_kecamatan_and_distance(
        gazetteer, puskesmas, kelurahan, kecamatan, metres):
    match = gazetteer.reverse(GeoPoint(*puskesmas))
    assert (match.kelurahan.name, match.kecamatan.name) == (kelurahan, kecamatan)
    assert match.method == "nearest_office"
    assert match.distance_m == pytest.approx(metres, abs=1)


@pytest.mark.parametrize("query", ["wuawua", "Wua Wua", "wua-wua", "WUAWUA", "Wua-Wua"])
def test_wua_wua_is_found_however_it_is_written(gazetteer, query):
    hits = search(gazetteer, query)
    assert [(h.place.kind, h.place.code) for h in hits[:2]] == [
        ("kelurahan", "kantor_lurah_wua_wua"), ("kecamatan", "wua_wua")]
    assert hits[0].score == 100 and hits[0].place.name == "Wua-wua"  # "Kantor lurah" dropped
    assert ("facility", "puskesmas_wua_wua") in [(h.place.kind, h.place.code) for h in hits]


@pytest.mark.parametrize("query", ["Puuwatu", "puwatu", "puuwatu", "Pu'uwatu"])
def test_puuwatu_is_found_with_one_u_or_two(gazetteer, query):
    hits = search(gazetteer, query)
    assert [(h.place.kind, h.place.name, h.score) for h in hits[:2]] == [
        ("kelurahan", "Puuwatu", 100), ("kecamatan", "Puuwatu", 100)]


def test_results_are_ranked_best_first(gazetteer):
    hits = search(gazetteer, "mata")
    assert [h.place.name for h in hits] == ["Mata", "Puskesmas Mata", "Mataiwoi", "Matabubul"]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    typo = search(gazetteer, "kessilampe")  # as the puskesmas address writes it
    assert typo[0].place.name == "Kasilampe" and typo[0].score < 100
    assert search(gazetteer, "wuawau")[0].place.name == "Wua-wua"  # letters swapped
    assert search(gazetteer, "anggoeya")[0].place.name == "Anggoeya"
    assert search(gazetteer, "Angguya")[0].place.name == "Anggoeya"  # old spelling oe = u
    assert search(gazetteer, "zzzz") == [] and search(gazetteer, " - ") == []
    assert len(search(gazetteer, "kendari", limit=3)) == 3


def test_name_keys_make_indonesian_variants_equal():
    assert name_key("Wua-Wua") == name_key("wuawua") == name_key("Wua Wua") == "wuawua"
    assert name_key("Puuwatu") == name_key("Puwatu") == "puwatu"
    assert name_key("Anngalomelai") == name_key("Anggalomelai")
    assert name_key("Djakarta") == name_key("Jakarta")
    assert name_key("Kantor lurah Alolama") == name_key("Kelurahan Alolama") == "alolama"
    assert display_name("Kator Lurah Pondambea") == "Pondambea"
    assert display_name("Benu Benua") == "Benu Benua"


def test_the_area_is_the_hull_of_the_offices_with_a_margin(gazetteer):
    assert not gazetteer.outside_area(GeoPoint(-3.9905, 122.5250))  # the map's centre
    assert not gazetteer.outside_area(GeoPoint(-3.96, 122.45))  # just west of Puuwatu
    assert gazetteer.outside_area(GeoPoint(-4.10, 122.45))  # Konawe Selatan, ~8 km out
    assert gazetteer.outside_area(GeoPoint(-5.1477, 119.4327))  # Makassar


def test_a_center_with_polygons_uses_them(kendari):
    square = [(-3.99, 122.50), (-3.99, 122.52), (-3.97, 122.52), (-3.97, 122.50)]
    data = kendari.model_dump()
    data["gazetteer"]["kelurahan"][0]["polygon"] = square  # Kendari Caddi, moved for the test
    data["location"] = {"area": [(-4.1, 122.4), (-4.1, 122.7), (-3.9, 122.7), (-3.9, 122.4)]}
    gaz = build_gazetteer(type(kendari).model_validate(data))
    inside = gaz.reverse(GeoPoint(-3.98, 122.51))
    assert (inside.kelurahan.code, inside.method) == ("kendari_caddi", "polygon")
    assert gaz.reverse(GeoPoint(-3.974734, 122.600568)).method == "nearest_office"
    assert gaz.outside_area(GeoPoint(-4.11, 122.5)) and not gaz.outside_area(GeoPoint(-4.09, 122.5))


def test_polygon_geometry():
    square = [GeoPoint(0, 0), GeoPoint(0, 1), GeoPoint(1, 1), GeoPoint(1, 0)]
    assert polygon_contains(square, GeoPoint(0.5, 0.5))
    assert not polygon_contains(square, GeoPoint(1.5, 0.5))
    assert distance_to_polygon_m(square, GeoPoint(0.5, 0.5)) == 0
    assert distance_to_polygon_m(square, GeoPoint(0.5, 1.01)) == pytest.approx(1112, rel=0.01)
    assert Area().contains(GeoPoint(0, 0))  # no gazetteer, no map: nothing is outside


def test_a_center_without_a_gazetteer_falls_back_to_a_circle_around_its_map():
    tiny = load_center(CENTERS_DIR / "tiny.toml")
    gaz = build_gazetteer(tiny)
    assert not gaz.outside_area(GeoPoint(-6.2, 106.8))
    assert gaz.outside_area(GeoPoint(-6.9, 107.6))  # Bandung, ~120 km
