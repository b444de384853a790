from __future__ import annotations

import pytest

from siaga112.domain.phone import CallerNumber, mask_number, normalize_number


@pytest.mark.parametrize("raw", [
    "081234567890", "0812-3456-7890", "0812 3456 7890", "(0812) 3456.7890",
    "6281234567890", "+6281234567890", "+62 812 3456 7890", "+62-812-3456-7890",
    "006281234567890", " 0812-3456-7890 ",
])
def test_indonesian_mobile_numbers_become_e164(raw: str) -> None:
    assert normalize_number(raw) == "+6281234567890"


def test_a_kendari_landline_keeps_its_area_code() -> None:
    assert normalize_number("0401 3126948") == "+624013126948"
    assert normalize_number("(0401) 3126948") == "+624013126948"


def test_a_foreign_number_keeps_its_country_code() -> None:
    assert normalize_number("+65 6123 4567") == "+6561234567"
    assert normalize_number("0065 6123 4567") == "+6561234567"


@pytest.mark.parametrize("raw", [
    None, "", "   ", "anonymous", "Anonymous", "Private", "PRIVATE", "unknown", "withheld",
    "restricted", "unavailable",
])
def test_withheld_numbers_give_none(raw: str | None) -> None:
    assert normalize_number(raw) is None


@pytest.mark.parametrize("raw", [
    "abc", "0812-3456-789O", "+62", "+", "62+812345678", "1234567",
    "+1234567890123456",                 # more than 15 digits
    "٠٨١٢٣٤٥٦٧٨٩٠", "+٦٢٨١٢٣٤٥٦٧٨٩٠",    # Arabic-Indic digits are not an E.164 number
])
def test_unreadable_numbers_give_none(raw: str) -> None:
    assert normalize_number(raw) is None


@pytest.mark.parametrize("raw", ["112", "110", "113", "119"])
def test_short_codes_stay_as_they_are(raw: str) -> None:
    assert normalize_number(raw) == raw


def test_caller_number_keeps_the_raw_form_beside_the_normalized_one() -> None:
    caller = CallerNumber.parse("0812-3456-7890")
    assert caller.raw == "0812-3456-7890"
    assert caller.normalized == "+6281234567890"
    assert not caller.withheld


@pytest.mark.parametrize("raw", [None, "", "anonymous", "Private"])
def test_caller_number_withheld(raw: str | None) -> None:
    caller = CallerNumber.parse(raw)
    assert caller.withheld
    assert caller.raw == raw
    assert caller.normalized is None


def test_mask_number_hides_the_middle() -> None:
    masked = mask_number("+6281234567890")
    assert masked == "+6281******890"
    assert len(masked) == len("+6281234567890")
    assert "234567" not in masked


@pytest.mark.parametrize("raw", ["0812-3456-7890", "0401 3126948", "+65 6123 4567", "+12345678"])
def test_every_normalized_number_is_masked_somewhere(raw: str) -> None:
    number = normalize_number(raw)
    assert number is not None
    masked = mask_number(number)
    assert "*" in masked
    assert masked[:5] == number[:5] and masked[-3:] == number[-3:]


def test_mask_number_of_nothing_or_a_short_code() -> None:
    assert mask_number(None) == "—"
    assert mask_number("") == "—"
    assert mask_number("112") == "112"
