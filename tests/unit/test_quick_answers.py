"""Quick answers without a database: the words as typed, the search, versions, the SMS text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from siaga112.config import CENTERS_DIR, load_center
from siaga112.domain.errors import Conflict, InvalidValue
from siaga112.domain.knowledge import (
    KnowledgeContent, Referral, first_version, next_version, sms_parts, sms_text,
)
from siaga112.domain.knowledge_text import search_words, words
from siaga112.services.knowledge_search import KnowledgeIndex

AT = datetime(2025, 6, 10, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def kendari_index() -> KnowledgeIndex:
    """The Kendari starter set, as the search sees it after the first start."""
    starter = load_center(CENTERS_DIR / "kendari.toml").information.starter
    return KnowledgeIndex([first_version(code=e.code, content=e.content(), by="t", at=AT)
                           for e in starter])


@pytest.mark.parametrize(("typed", "keys"), [
    ("gmn urus ktp yg ilang", ["bagaimana", "urus", "ktp", "yang", "hilang"]),
    ("djam bukak Dukcapil", ["jam", "bukak", "dukcapil"]),  # dj -> j
    ("tjara bikin akta", ["cara", "buat", "akta"]),  # tj -> c, bikin = buat
    ("soerat pindah", ["surat", "pindah"]),  # oe -> u
    ("Tolooong!! lampu-lampu di rumahnya padam", ["tolong", "lampu", "di", "rumah", "padam"]),
    ("nomer telpon PLN 123", ["nomor", "telepon", "pln", "123"]),  # digits never collapse
    ("bikin KK baru", ["buat", "kk", "baru"]),  # "kk" is a word, not a held key
    ("rs terdekat", ["rumah", "sakit", "terdekat"]),
    ("Anggoeya", ["anguya"]),  # as the gazetteer's keys: old spelling, doubled letters
])
def test_words_are_spelled_the_way_both_sides_are(typed: str, keys: list[str]) -> None:
    assert words(typed) == keys


def test_filler_words_do_not_search_and_a_query_of_only_filler_finds_nothing(
        kendari_index: KnowledgeIndex) -> None:
    assert search_words("saya mau tanya gmn ya pak") == []
    assert kendari_index.search("saya mau tanya") == []
    assert kendari_index.search("   ") == []


@pytest.mark.parametrize(("typed", "expected"), [
    ("listrk mati", "listrik-padam"),  # a typo
    ("lampu mati dari td", "listrik-padam"),
    ("tolooong lampu mati", "listrik-padam"),  # held keys; "lampu mati" is its keyword
    ("listr", "listrik-padam"),  # still typing
    ("pdam aer tdk ngalir", "air-pdam"),  # "aer" is too far, "pdam" is enough
    ("gmn urus ktp yg ilang", "ktp-hilang"),  # chat shorthand, "urus" in "mengurus"
    ("bikin kk", "kartu-keluarga"),
    ("soerat pindah", "surat-pindah"),  # old spelling
    ("tjara bikin akta lahir", "akta-kelahiran"),
    ("akte anak", "akta-kelahiran"),
    ("rs bhayangkara", "rumah-sakit"),
    ("gas elpiji langka", "gas-lpg"),
    ("sampa blm diangkut", "sampah"),
    ("pajak motor dmn", "pajak-kendaraan"),
    ("123", "listrik-padam"),  # a number a caller heard
    ("internet mati", "telepon-internet"),
])
def test_the_search_finds_the_topic_despite_typos_and_spelling(
        kendari_index: KnowledgeIndex, typed: str, expected: str) -> None:
    hits = kendari_index.search(typed)
    assert hits, f"nothing for {typed!r}"
    assert hits[0].entry.code == expected, [(h.entry.code, h.score) for h in hits]


def test_a_question_about_an_office_the_base_only_names_still_offers_it(
        kendari_index: KnowledgeIndex) -> None:
    codes = [h.entry.code for h in kendari_index.search("djam bukak dukcapil")]
    assert codes and all(c in {"ktp-hilang", "kartu-keluarga", "akta-kelahiran",
                               "surat-pindah"} for c in codes[:4])


def test_words_nobody_wrote_find_nothing(kendari_index: KnowledgeIndex) -> None:
    assert kendari_index.search("xyzzy qwerty") == []


def test_retired_entries_are_left_to_the_caller_of_the_index() -> None:
    """The index searches what it is given: the repository gives only active entries."""
    entry = first_version(code="air", content=KnowledgeContent(
        title="Air", question="air mati", answer="PDAM", source="s"), by="t", at=AT)
    assert [h.entry.code for h in KnowledgeIndex([entry]).search("air")] == ["air"]


# --- versions -------------------------------------------------------------------------------
CONTENT = KnowledgeContent(title=" Listrik padam ", question="Lampu mati?",
                           answer="Hubungi PLN 123.",
                           referrals=(Referral(name="PLN", phone="123"),),
                           keywords=("Lampu  Mati", "pln", "lampu mati"), source="PLN")


def test_a_first_version_is_trimmed_and_numbered_one() -> None:
    v = first_version(code="listrik-padam", content=CONTENT, by="citra", at=AT)
    assert (v.version, v.content.title, v.content.keywords) == (1, "Listrik padam",
                                                                ("lampu mati", "pln"))


@pytest.mark.parametrize(("change", "problem"), [
    ({"title": "  "}, "title is empty"),
    ({"source": None}, "name the source"),
    ({"referrals": (Referral(name="PLN"),)}, "needs a phone number or a place"),
    ({"answer": "x" * 801}, "longer than 800"),
])
def test_content_that_cannot_go_to_a_call_taker_is_refused(change: dict, problem: str) -> None:
    with pytest.raises(InvalidValue, match=problem):
        first_version(code="x1", content=replace(CONTENT, **change), by="c", at=AT)


def test_an_example_to_check_needs_no_source_and_a_code_has_a_shape() -> None:
    first_version(code="x1", content=replace(CONTENT, source=None, to_check=True), by="c", at=AT)
    with pytest.raises(InvalidValue, match="code"):
        first_version(code="Listrik Padam", content=CONTENT, by="c", at=AT)


def test_an_edit_from_an_old_version_is_a_conflict_and_no_change_is_refused() -> None:
    v1 = first_version(code="listrik-padam", content=CONTENT, by="citra", at=AT)
    v2 = next_version(v1, content=replace(CONTENT, answer="PLN 123 atau PLN Mobile."),
                      by="dewi", at=AT + timedelta(minutes=1), base_version=1, note="app")
    assert (v2.version, v2.edited_by, v2.note) == (2, "dewi", "app")
    with pytest.raises(Conflict, match="version 2 .by dewi., not 1"):
        next_version(v2, content=CONTENT, by="citra", at=AT + timedelta(minutes=2),
                     base_version=1)
    with pytest.raises(InvalidValue, match="nothing changed"):
        next_version(v2, content=v2.content, by="citra", at=AT + timedelta(minutes=2),
                     base_version=2)


# --- the SMS --------------------------------------------------------------------------------
def test_the_sms_keeps_the_referrals_whole_and_fits_three_parts() -> None:
    long = replace(CONTENT, answer=" ".join(["Gangguan listrik ditangani PLN."] * 40))
    text = sms_text(long, signature="Call Center 112 Kota Kendari")
    assert sms_parts(text) <= 3
    assert text.endswith("... PLN 123. (Call Center 112 Kota Kendari)")
    short = sms_text(CONTENT.checked(), signature="112 Kendari")
    assert short == "Hubungi PLN 123. PLN 123. (112 Kendari)"


def test_sms_parts_count_gsm_and_unicode_texts() -> None:
    assert sms_parts("a" * 160) == 1 and sms_parts("a" * 161) == 2
    assert sms_parts("[" * 80) == 1 and sms_parts("[" * 81) == 2  # two septets each
    assert sms_parts("é" + "a" * 69) == 1 and sms_parts("ā" * 71) == 2  # ā is not GSM-7
