"""The gazetteer's lookups and fallbacks, on real SQLite and PostgreSQL tables.

The online geocoder is never called for real: its twin `InMemoryGeocoder` answers like geopy from a dict.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from directory.errors import NotFound, ValidationError
from directory.gazetteer import (
    GeocodedPlace,
    InMemoryGeocoder,
    Gazetteer,
    GeoPoint,
    load_demo_gazetteer,
    make_online_geocoder,
    place_key,
    recompute_areas,
)
from directory.geo import haversine_km
from directory.models import Place, Postcode, PostcodeArea


def _postcode(code: str, lat: float, lon: float) -> Postcode:
    outward, inward = code.split()
    return Postcode(
        postcode=code, latitude=lat, longitude=lon, sector=f"{outward} {inward[0]}", district=outward
    )


@pytest.fixture
def gazetteer_rows(session):
    """Three postcodes in two NE4 sectors, one in NE8, and a few places."""
    session.add_all(
        [
            _postcode("NE4 5PL", 54.9712, -1.6305),
            _postcode("NE4 5AB", 54.9722, -1.6315),
            _postcode("NE4 6AA", 54.9660, -1.6380),
            _postcode("NE8 1HH", 54.95595, -1.60166),
            Place(name="Heaton", name_key="heaton", kind="suburb", latitude=54.983, longitude=-1.58,
                  local_authority="Newcastle upon Tyne", postcode_district="NE6"),
            Place(name="Gateshead", name_key="gateshead", kind="town", latitude=54.9527, longitude=-1.6034,
                  local_authority="Gateshead", postcode_district="NE8"),
            Place(name="Arthur's Hill", name_key=place_key("Arthur's Hill"), kind="suburb", latitude=54.972,
                  longitude=-1.633, local_authority="Newcastle upon Tyne", postcode_district="NE4"),
            Place(name="Felling", name_key="felling", kind="suburb", latitude=54.953, longitude=-1.57,
                  local_authority="Gateshead", postcode_district="NE10"),
        ]
    )
    session.flush()
    recompute_areas(session)
    return session


@pytest.mark.parametrize("typed", ["NE4 5PL", "ne45pl", "  ne4 5pl ", "Ne4\u00a05PL"])
def test_exact_postcode_any_case_or_spacing(gazetteer_rows, typed):
    point = Gazetteer(gazetteer_rows).lookup(typed)
    assert point == GeoPoint(54.9712, -1.6305, "postcode", "NE4 5PL", "NE4")


def test_unknown_postcode_falls_back_to_its_sector(gazetteer_rows):
    point = Gazetteer(gazetteer_rows).lookup("NE4 5ZZ")
    assert point.precision == "sector"
    assert point.label == "near NE4 5 (exact postcode not found)"
    assert point.district == "NE4"
    assert point.latitude == pytest.approx((54.9712 + 54.9722) / 2)
    assert point.longitude == pytest.approx((-1.6305 - 1.6315) / 2)


def test_unknown_sector_falls_back_to_its_district(gazetteer_rows):
    point = Gazetteer(gazetteer_rows).lookup("ne4 9zz")
    assert point.precision == "district"
    assert point.label == "near NE4 (exact postcode not found)"
    assert point.latitude == pytest.approx((54.9712 + 54.9722 + 54.9660) / 3)


def test_partial_postcodes_resolve_to_sector_and_district(gazetteer_rows):
    gazetteer = Gazetteer(gazetteer_rows)
    sector = gazetteer.lookup("ne4 5")
    assert (sector.precision, sector.label, sector.district) == ("sector", "NE4 5", "NE4")
    district = gazetteer.lookup("NE4")
    assert (district.precision, district.label) == ("district", "NE4")
    missing_sector = gazetteer.lookup("NE4 2")
    assert missing_sector.precision == "district"
    assert "NE4 2 not found" in missing_sector.label


@pytest.mark.parametrize("typed", ["Heaton", "heaton", "HEATON ", "  heaton."])
def test_place_name_exact(gazetteer_rows, typed):
    point = Gazetteer(gazetteer_rows).lookup(typed)
    assert point == GeoPoint(54.983, -1.58, "place", "Heaton", "NE6")


def test_place_name_punctuation_insensitive(gazetteer_rows):
    assert Gazetteer(gazetteer_rows).lookup("arthurs hill").label == "Arthur's Hill"
    assert Gazetteer(gazetteer_rows).lookup("Arthur\u2019s Hill").label == "Arthur's Hill"


@pytest.mark.parametrize("typo", ["Gatesehad", "gateshed", "Gatshead"])
def test_place_name_fuzzy_for_typos(gazetteer_rows, typo):
    point = Gazetteer(gazetteer_rows).lookup(typo)
    assert (point.precision, point.label) == ("place", "Gateshead")


def test_fuzzy_does_not_stretch_to_a_different_place(gazetteer_rows):
    # "Fell" is a prefix of Felling, not a typo of it.
    with pytest.raises(NotFound):
        Gazetteer(gazetteer_rows).lookup("Fell")


@pytest.mark.parametrize("typed", ["NE4 5PLL", "NE44 5P", "12345", "NE4 PL5"])
def test_invalid_postcode_syntax_is_a_validation_error(gazetteer_rows, typed):
    with pytest.raises(ValidationError) as err:
        Gazetteer(gazetteer_rows).lookup(typed)
    assert err.value.field == "postcode"
    assert "is not a UK postcode" in err.value.message


@pytest.mark.parametrize("typed", ["", "   ", None, "\u00a0"])
def test_empty_input_is_a_validation_error(gazetteer_rows, typed):
    with pytest.raises(ValidationError, match="Enter a postcode or a place name") as err:
        Gazetteer(gazetteer_rows).lookup(typed)
    assert err.value.field == "postcode"


def test_unknown_postcode_with_no_fallback_is_not_found(gazetteer_rows):
    with pytest.raises(NotFound) as err:
        Gazetteer(gazetteer_rows).lookup("ne99 9zz")
    assert str(err.value) == "We could not find NE99 9ZZ. Check the postcode or try a nearby town."


def test_unknown_place_is_not_found(gazetteer_rows):
    with pytest.raises(NotFound, match="could not find a place called 'Atlantis'"):
        Gazetteer(gazetteer_rows).lookup("Atlantis")


def test_online_geocoder_is_off_by_default(gazetteer_rows):
    assert Gazetteer(gazetteer_rows).online is None
    assert make_online_geocoder(None) is None
    assert make_online_geocoder("") is None
    assert make_online_geocoder("off") is None


def test_online_twin_used_only_when_offline_fails(gazetteer_rows):
    twin = InMemoryGeocoder(
        {
            "NE99 9ZZ": GeocodedPlace(55.1, -1.7, "Somewhere, NE99 9ZZ"),
            "Atlantis": GeocodedPlace(54.5, -1.5, "Atlantis, England"),
        }
    )
    gazetteer = Gazetteer(gazetteer_rows, online=twin)
    # Everything the offline tables answer never reaches the twin, fallbacks included.
    for typed in ("NE4 5PL", "NE4 5ZZ", "NE4 9ZZ", "NE4", "Heaton", "Gatesehad"):
        assert gazetteer.lookup(typed).precision != "online"
    assert twin.queries == []

    postcode = gazetteer.lookup("ne99 9zz")
    assert postcode == GeoPoint(55.1, -1.7, "online", "Somewhere, NE99 9ZZ", "NE99")
    place = gazetteer.lookup("Atlantis")
    assert (place.precision, place.latitude, place.label) == ("online", 54.5, "Atlantis, England")
    assert twin.queries == ["NE99 9ZZ", "Atlantis"]

    with pytest.raises(NotFound):  # the twin does not know it either
        gazetteer.lookup("Lyonesse")
    assert twin.queries[-1] == "Lyonesse"


def test_online_failure_is_not_found_not_a_crash(gazetteer_rows):
    class Broken:
        def geocode(self, query):
            raise TimeoutError("service timed out")

    with pytest.raises(NotFound):
        Gazetteer(gazetteer_rows, online=Broken()).lookup("Atlantis")


def test_make_online_geocoder_builds_nominatim_without_calling_out():
    from geopy.geocoders import Nominatim

    geocoder = make_online_geocoder("nominatim", user_agent="wayfinder-tests")
    assert isinstance(geocoder, Nominatim)
    assert geocoder.geocode.keywords == {"country_codes": "gb"}
    assert make_online_geocoder("nominatim:geo.example.org").domain == "geo.example.org"
    with pytest.raises(ValidationError) as err:
        make_online_geocoder("carrier-pigeon")
    assert err.value.field == "geocoder"


def test_recompute_areas_replaces_stale_centroids(gazetteer_rows):
    session = gazetteer_rows
    session.add(_postcode("NE6 1AR", 54.9748, -1.5955))
    session.flush()
    count = recompute_areas(session)
    areas = {a.code: a for a in session.scalars(select(PostcodeArea))}
    assert set(areas) == {"NE4 5", "NE4 6", "NE8 1", "NE6 1", "NE4", "NE8", "NE6"}
    assert count == 7
    assert areas["NE4"].kind == "district" and areas["NE4"].postcode_count == 3
    assert areas["NE4 5"].kind == "sector" and areas["NE4 5"].postcode_count == 2


def test_demo_gazetteer_loads_idempotently(session):
    first = load_demo_gazetteer(session)
    places = session.scalar(select(func.count()).select_from(Place))
    second = load_demo_gazetteer(session)
    assert first == second == session.scalar(select(func.count()).select_from(Postcode))
    assert first > 1500
    assert session.scalar(select(func.count()).select_from(Place)) == places >= 150

    gazetteer = Gazetteer(session)
    civic = gazetteer.lookup("NE1 8QH")
    assert civic.precision == "postcode"
    assert haversine_km(civic.latitude, civic.longitude, 54.978, -1.6125) < 0.2
    assert gazetteer.lookup("NE8 1HH").district == "NE8"
    for district in ("NE1", "NE2", "NE3", "NE4", "NE5", "NE6", "NE7", "NE8", "NE9", "NE10", "NE11",
                     "NE12", "NE13", "NE15", "NE16", "NE17", "NE20", "NE21", "NE27", "NE39", "NE40"):
        assert gazetteer.lookup(district).precision == "district", district
    # Districts sit where they really are: Low Fell (NE9) south of Gateshead (NE8), Gosforth
    # (NE3) north of the city centre (NE1), Byker (NE6) east of it.
    ne1, ne3, ne6 = (gazetteer.lookup(d) for d in ("NE1", "NE3", "NE6"))
    assert ne3.latitude > ne1.latitude + 0.02 and ne6.longitude > ne1.longitude + 0.02
    assert gazetteer.lookup("NE9").latitude < gazetteer.lookup("NE8").latitude
    assert gazetteer.lookup("Leeds").label == "Leeds"
    low_fell = gazetteer.lookup("low fell")
    assert haversine_km(low_fell.latitude, low_fell.longitude, 54.935, -1.60) < 1.5


def test_two_digit_district_typed_without_space_is_the_district(session):
    session.add_all([_postcode("NE11 9YG", 54.9585, -1.6655), _postcode("NE1 1AA", 54.97, -1.613)])
    session.flush()
    recompute_areas(session)
    gazetteer = Gazetteer(session)
    assert (gazetteer.lookup("ne11").precision, gazetteer.lookup("NE11").label) == ("district", "NE11")
    assert gazetteer.lookup("NE1 1").label == "NE1 1"  # with the space it is the sector
    assert gazetteer.lookup("ne11").latitude == pytest.approx(54.9585)
