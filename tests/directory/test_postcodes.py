"""Postcode syntax: what people type, normalised; what cannot be a postcode, refused plainly."""

from __future__ import annotations

import pytest

from directory.errors import ValidationError
from directory.postcodes import looks_like_postcode, normalise_postcode, parse_postcode


@pytest.mark.parametrize(
    "typed",
    ["NE4 5PL", "ne4 5pl", "Ne4 5Pl", "NE45PL", "ne45pl", "  NE4   5PL  ", "NE4\u00a05PL", "NE4\t5PL", "NE4-5PL"],
)
def test_case_and_spacing_are_normalised(typed):
    assert normalise_postcode(typed) == "NE4 5PL"


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("w1a1aa", "W1A 1AA"),  # area letter + digit + letter
        ("ec1a 1bb", "EC1A 1BB"),
        ("m11ae", "M1 1AE"),  # shortest shape
        ("ne118ab", "NE11 8AB"),  # two-digit district without a space
        ("DH3 1AP", "DH3 1AP"),
    ],
)
def test_every_outward_shape(typed, expected):
    assert normalise_postcode(typed) == expected


def test_full_postcode_parts():
    parts = parse_postcode("ne4 5pl")
    assert (parts.postcode, parts.sector, parts.district, parts.area) == ("NE4 5PL", "NE4 5", "NE4", "NE")


@pytest.mark.parametrize(
    "typed,sector,district",
    [("NE4", None, "NE4"), ("ne4", None, "NE4"), ("ne4 5", "NE4 5", "NE4"), ("NE10 9", "NE10 9", "NE10")],
)
def test_partials_parse_to_sector_or_district(typed, sector, district):
    parts = parse_postcode(typed)
    assert parts.postcode is None
    assert (parts.sector, parts.district) == (sector, district)


def test_partial_is_not_a_full_postcode():
    with pytest.raises(ValidationError, match="only part of a postcode") as err:
        normalise_postcode("NE4 5")
    assert err.value.field == "postcode"


@pytest.mark.parametrize("typed", ["NE4 5PLL", "4NE 5PL", "NE4 PL5", "NEE4 5PL", "12345", "NE", "N E 4 5 P L X", "Heaton"])
def test_invalid_shapes_are_refused_with_a_plain_message(typed):
    with pytest.raises(ValidationError) as err:
        parse_postcode(typed)
    assert err.value.field == "postcode"
    assert "is not a UK postcode" in err.value.message
    assert not looks_like_postcode(typed)


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_empty_is_refused(typed):
    with pytest.raises(ValidationError, match="Enter a postcode"):
        parse_postcode(typed)


def test_looks_like_postcode():
    assert looks_like_postcode("ne4 5pl") and looks_like_postcode("NE4") and looks_like_postcode("NE4 5")


def test_two_digit_district_without_space_is_a_district():
    assert parse_postcode("NE11").district == "NE11"
    assert parse_postcode("NE11").sector is None
    assert parse_postcode("ne1 1").sector == "NE1 1"
